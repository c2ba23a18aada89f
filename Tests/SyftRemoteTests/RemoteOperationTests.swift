import SyftCore
import SyftNN
import SyftRemote
import XCTest
import _TestSupport

/// Every tensor operation works on pointers through the one dispatch point; results are pointers and
/// nothing is computed locally (behaviour catalog c).
final class RemoteOperationTests: XCTestCase {
    /// Each case: a function of local tensors; applied to pointers it must give a pointer whose data equals
    /// the local result.
    let cases: [(String, ([Tensor]) -> Tensor)] = [
        ("add", { $0[0] + $0[1] }), ("sub", { sub($0[0], $0[1]) }), ("mul", { $0[0] * $0[1] }),
        ("div", { div($0[0], $0[1]) }), ("pow", { pow($0[0].abs() + 1, $0[1]) }), ("neg", { -$0[0] }),
        ("abs", { abs($0[0]) }), ("exp", { exp($0[0]) }), ("log", { log($0[0].abs() + 1) }),
        ("sqrt", { sqrt($0[0].abs()) }), ("sin", { sin($0[0]) }), ("cos", { $0[0].cos() }),
        ("tanh", { tanh($0[0]) }), ("sigmoid", { sigmoid($0[0]) }), ("relu", { relu($0[0]) }),
        ("clamp", { clamp($0[0], min: -0.5, max: 0.5) }), ("maximum", { maximum($0[0], $0[1]) }),
        ("minimum", { minimum($0[0], $0[1]) }), ("where", { `where`($0[0] .> $0[1], $0[0], $0[1]) }),
        ("compare", { ($0[0] .<= $0[1]).to(.float32) }), ("sum", { $0[0].sum() }),
        ("sum axes", { $0[0].sum(squeezingAxes: 1) }), ("mean", { $0[0].mean(alongAxes: 0) }),
        ("prod", { $0[0].prod(squeezingAxes: 0) }), ("max", { $0[0].max(squeezingAxes: 1) }),
        ("min", { $0[0].min() }), ("argmax", { $0[0].argmax(squeezingAxis: 1) }),
        ("argmin", { $0[0].argmin() }),
        ("var", { $0[0].variance() }), ("std", { $0[0].std(squeezingAxes: [0]) }),
        ("matmul", { matmul($0[0], $0[1].transposed()) }), ("reshape", { $0[0].reshaped(to: [4, 3]) }),
        ("transpose", { $0[0].transposed() }), ("permute", { $0[0].permuted(1, 0) }),
        ("unsqueeze", { $0[0].unsqueezed(at: 1) }), ("expand", { $0[0][0..<1].expanded(to: [5, 4]) }),
        ("slice", { $0[0][1..., stride(from: 0, to: 4, by: 2)] }), ("index", { $0[0][2] }),
        ("cat", { cat([$0[0], $0[1]], axis: 1) }), ("stack", { stack([$0[0], $0[1]]) }),
        ("split", { $0[0].split(2, axis: 1)[1] }), ("softmax", { softmax($0[0], axis: 1) }),
        ("log softmax", { logSoftmax($0[0], axis: 0) }), ("cast", { $0[0].to(.float64) }),
        ("scalars", { 2 * $0[0] - 1.5 + $0[1] / 4 }), ("scalar left", { 1 - $0[0] }),
        ("gather", { gather($0[0], axis: 1, index: $0[2]) }),
        ("linear", { linear($0[0], weight: $0[1], bias: $0[1].sum(squeezingAxes: 1)) }),
        ("linear without bias", { linear($0[0].transposed(), weight: $0[1].transposed()) }),
        ("nll loss", { nllLoss(logSoftmax($0[0], axis: 1), $0[2].transposed()[0]) }),
        ("nll loss per sample", { nllLoss($0[0], $0[2].transposed()[0], reduction: .none) }),
        ("cross entropy", { crossEntropy($0[0], $0[2].transposed()[1], ignoreIndex: 1) }),
        ("cross entropy probabilities", { crossEntropy($0[0], softmax($0[1], axis: 1)) }),
        (
            "cross entropy weighted, smoothed",
            { crossEntropy($0[0], $0[2].transposed()[0], weight: $0[1][0].abs(), labelSmoothing: 0.1) }
        ),
    ]

    func testEveryOperationRunsWhereTheDataIs() {
        let g = Generator(seed: 11)
        let a = Tensor.randn([3, 4], generator: g)
        let b = Tensor.randn([3, 4], generator: g)
        let idx = Tensor([[0, 3], [1, 1], [2, 0]])
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let ptrs = try [a, b, idx].map { try $0.send(to: bob) }
            for (name, f) in cases {
                let expected = f([a, b, idx])
                let remote = f(ptrs)
                XCTAssertTrue(remote.isPointer, "\(name) [\(mode)] gave a local tensor")
                XCTAssertEqual(remote.shape, expected.shape, "\(name) shape known without a round trip")
                XCTAssertEqual(remote.dtype, expected.dtype, "\(name) dtype")
                let back = try remote.get()
                XCTAssertEqual(back.dtype, expected.dtype, "\(name) [\(mode)]: the worker's dtype")
                assertClose(back, expected, rtol: 1e-6, atol: 1e-7, "\(name) [\(mode)]")
            }
        }
    }

    func testNothingIsComputedLocally() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let x = try Tensor([1, 2, 3, 4, 5]).send(to: bob)
            let z = x + x
            XCTAssertTrue(z.isPointer)
            XCTAssertTrue(z.location === bob)
            XCTAssertEqual(try objectCount(bob), 2)
        }
    }

    func testInPlaceKeepsTheSameRemoteObject() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            var x = try Tensor([1.0, 2, 3]).send(to: bob)
            let id = x.idAtLocation
            x += 1
            x *= try Tensor([2.0, 2, 2]).send(to: bob)
            x -= 0.5
            x /= 2
            XCTAssertEqual(x.idAtLocation, id)
            XCTAssertEqual(try objectCount(bob), 1)
            XCTAssertEqual(try x.get().floats, [1.75, 2.75, 3.75])
        }
    }

    func testInPlaceErrorKeepsTheObject() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            var x = try Tensor([1, 2, 3]).send(to: bob)
            x += 1.5  // int64 += float: not allowed in place
            assertSyftError(try bob.synchronize()) {
                if case .invalidCommand(let op, _) = $0 { return op == "add" }; return false
            }
            XCTAssertEqual(try x.get().ints, [1, 2, 3])
        }
    }

    func testScalarsMixOnBothSides() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let p = try Tensor([1, 2, 3]).send(to: bob)
            XCTAssertEqual(try (p + 1).get().ints, [2, 3, 4])
            XCTAssertEqual(try (2 * p).get().ints, [2, 4, 6])
            XCTAssertEqual(try (1 - p).get().ints, [0, -1, -2])
            XCTAssertEqual(try p.pow(2).get().ints, [1, 4, 9])
            let f = p * 2.5
            XCTAssertEqual(f.dtype, .float32)
            XCTAssertEqual(try f.get().floats, [2.5, 5, 7.5])
            XCTAssertEqual(try (p .> 1).get().bools, [false, true, true])
        }
    }

    func testSubscriptAssignmentOnPointer() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            var p = try Tensor([[1, 2], [3, 4]]).send(to: bob)
            let id = p.idAtLocation
            p[0] = try Tensor([10, 20]).send(to: bob)
            p[1, 1] = p[0, 0] + 1
            XCTAssertEqual(p.idAtLocation, id)
            XCTAssertEqual(try p.get().ints, [10, 20, 3, 11])
        }
    }
}

/// Convolution, pooling and linear algebra on pointers, and a CNN layer stack on a worker.
final class RemoteLayerOperationTests: XCTestCase {
    func testConvolutionPoolingAndLinearAlgebraRunRemotely() {
        let g = Generator(seed: 12)
        let x = Tensor.randn([2, 3, 6, 6], dtype: .float64, generator: g)
        let w = Tensor.randn([4, 3, 3, 3], dtype: .float64, generator: g)
        let b = Tensor.randn([4], dtype: .float64, generator: g)
        let m = Tensor.randn([3, 3], dtype: .float64, generator: g) + Tensor.eye(3, dtype: .float64) * 4
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let (xr, wr, br, mr) = (
                try x.send(to: bob), try w.send(to: bob), try b.send(to: bob), try m.send(to: bob)
            )
            let cases: [(String, Tensor, Tensor)] = [
                (
                    "conv2d", conv2d(xr, wr, bias: br, stride: 2, padding: 1),
                    conv2d(x, w, bias: b, stride: 2, padding: 1)
                ),
                ("max_pool2d", maxPool2d(xr, kernelSize: 2), maxPool2d(x, kernelSize: 2)),
                (
                    "im2col", unfold(xr, kernelSize: [2, 3], stride: 2, padding: 1, dilation: [1, 2]),
                    unfold(x, kernelSize: [2, 3], stride: 2, padding: 1, dilation: [1, 2])
                ),
                (
                    "avg_pool2d", avgPool2d(xr, kernelSize: 3, stride: 1, padding: 1),
                    avgPool2d(x, kernelSize: 3, stride: 1, padding: 1)
                ),
                ("inv", try inv(mr), try inv(m)), ("det", det(mr), det(m)),
                ("svd", try svd(mr).S, try svd(m).S),
            ]
            for (name, remote, local) in cases {
                XCTAssertTrue(remote.isPointer, name)
                assertClose(try remote.get(), local, rtol: 1e-10, atol: 1e-12, "\(name) [\(mode)]")
            }
            // A singular matrix: the error comes back typed at the next waiting call.
            let singular = try Tensor([[1.0, 2], [2, 4]], dtype: .float64).send(to: bob)
            let bad = try inv(singular)
            assertSyftError(try bad.get()) { e in
                if case .computationFailed(let op, let reason) = e {
                    return op == "linalg_inv" && reason.contains("singular")
                }
                return false
            }
        }
    }
}
