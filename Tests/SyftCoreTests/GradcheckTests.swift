import SyftCore
import XCTest

/// Finite-difference checks of every differentiable operation's derivative (STYLE.md pattern 11).
final class GradcheckTests: XCTestCase {
    let g = Generator(seed: 7)

    func randn(_ shape: [Int]) -> Tensor { Tensor.randn(shape, dtype: .float64, generator: g) }
    func positive(_ shape: [Int]) -> Tensor { Tensor.rand(shape, dtype: .float64, generator: g) + 0.5 }

    func check(
        _ name: String, _ inputs: [Tensor], _ f: ([Tensor]) -> Tensor, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertNoThrow(try gradcheck(f, inputs: inputs), name, file: file, line: line)
    }

    func testUnary() {
        let x = randn([3, 4])
        check("neg", [x]) { -$0[0] }
        check("abs", [x]) { $0[0].abs() }
        check("exp", [x]) { $0[0].exp() }
        check("log", [positive([3, 4])]) { $0[0].log() }
        check("sqrt", [positive([3, 4])]) { $0[0].sqrt() }
        check("sin", [x]) { $0[0].sin() }
        check("cos", [x]) { $0[0].cos() }
        check("tanh", [x]) { $0[0].tanh() }
        check("sigmoid", [x]) { $0[0].sigmoid() }
        check("relu", [x]) { $0[0].relu() }
        check("clamp", [x]) { $0[0].clamp(min: -0.5, max: 0.7) }
        // Through float32 the finite difference needs a step float32 can resolve.
        XCTAssertNoThrow(
            try gradcheck({ $0[0].to(.float32).to(.float64) * 3 }, inputs: [x], eps: 1e-2, atol: 1e-4))
    }

    func testBinary() {
        let a = randn([3, 4])
        let b = randn([4])
        check("add", [a, b]) { $0[0] + $0[1] }
        check("sub", [a, b]) { $0[0] - $0[1] }
        check("mul", [a, randn([3, 1])]) { $0[0] * $0[1] }
        check("div", [a, positive([1, 4])]) { $0[0] / $0[1] }
        check("pow", [positive([3, 4]), randn([3, 4])]) { $0[0].pow($0[1]) }
        check("pow scalar", [a]) { $0[0].pow(3) }
        check("maximum", [a, randn([3, 4])]) { maximum($0[0], $0[1]) }
        check("minimum", [a, randn([3, 4])]) { minimum($0[0], $0[1]) }
        check("where", [a, randn([3, 4])]) { `where`($0[0] .> 0, $0[0], $0[1]) }
        check("scalars", [a]) { 2 * $0[0] - 1 + 3 / ($0[0] * $0[0] + 1) }
    }

    func testReductions() {
        let x = randn([2, 3, 4])
        check("sum all", [x]) { $0[0].sum() }
        check("sum axes", [x]) { $0[0].sum(squeezingAxes: 0, 2) }
        check("sum kept", [x]) { $0[0].sum(alongAxes: 1) }
        check("mean", [x]) { $0[0].mean(squeezingAxes: -1) }
        check("prod", [x]) { $0[0].prod(squeezingAxes: 1) }
        check("prod with zero", [Tensor([[1.0, 0, 3], [0, 0, 2], [4, 5, 6]], dtype: .float64)]) {
            $0[0].prod(squeezingAxes: 1)
        }
        check("max", [x]) { $0[0].max(squeezingAxes: 2) }
        check("min kept", [x]) { $0[0].min(alongAxes: 0) }
        check("max all", [x]) { $0[0].max() }
        check("variance", [x]) { $0[0].variance(squeezingAxes: [1]) }
        check("std", [x]) { $0[0].std() }
    }

    func testMovement() {
        let x = randn([2, 3, 4])
        check("reshape", [x]) {
            $0[0].reshaped(to: [4, 6]) * Tensor.arange(24).reshaped(to: [4, 6]).to(.float64)
        }
        check("permute", [x]) {
            $0[0].permuted(2, 0, 1).contiguous() * Tensor.arange(24).reshaped(to: [4, 2, 3]).to(.float64)
        }
        check("expand", [randn([3, 1])]) { $0[0].expanded(to: [2, 3, 4]) * x }
        check("slice", [x]) { $0[0][0..., 1..., stride(from: 0, to: 4, by: 2)] }
        check("index", [x]) { $0[0][1, TensorIndex.ellipsis, 2] }
        check("slice scatter", [x, randn([2, 3, 2])]) {
            $0[0].sliceScattered(
                $0[1],
                ranges: [
                    SliceRange(start: 0, end: 2), SliceRange(start: 0, end: 3),
                    SliceRange(start: 1, end: 4, step: 2),
                ])
        }
        check("cat", [x, randn([2, 1, 4])]) { cat([$0[0], $0[1]], axis: 1) }
        check("stack", [x, randn([2, 3, 4])]) { stack([$0[0], $0[1]], axis: -1) }
        check("split", [x]) { $0[0].split(sizes: [1, 3], axis: 2)[1] * 2 }
    }

    func testMatmul() {
        check("2d", [randn([3, 4]), randn([4, 2])]) { matmul($0[0], $0[1]) }
        check("vec", [randn([3, 4]), randn([4])]) { matmul($0[0], $0[1]) }
        check("vec left", [randn([4]), randn([2, 4, 3])]) { matmul($0[0], $0[1]) }
        check("dot", [randn([4]), randn([4])]) { matmul($0[0], $0[1]) }
        check("batched", [randn([2, 3, 4]), randn([2, 4, 2])]) { matmul($0[0], $0[1]) }
        check("broadcast batch", [randn([2, 1, 3, 4]), randn([3, 4, 2])]) { matmul($0[0], $0[1]) }
        check("transposed", [randn([4, 3]), randn([2, 4])]) { matmul($0[0].transposed(), $0[1].transposed()) }
    }

    func testNeuralNetworkPrimitives() {
        let x = randn([3, 4])
        check("softmax", [x]) { softmax($0[0], axis: 1) }
        check("softmax axis 0", [x]) { softmax($0[0], axis: 0) }
        check("log softmax", [x]) { logSoftmax($0[0], axis: -1) }
        check("gather", [x]) { gather($0[0], axis: 1, index: Tensor([[3, 0], [1, 1], [2, 0]])) }
    }
}
