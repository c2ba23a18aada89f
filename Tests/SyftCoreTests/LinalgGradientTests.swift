import SyftCore
import XCTest
import _TestSupport

/// The derivatives of the linear-algebra operations: finite-difference checks of each (float64,
/// `gradcheck`'s default tolerances `atol 1e-5, rtol 1e-3`), and the shared golden cases from PyTorch
/// (LinalgGolden.swift), which must match to `rtol 1e-8` with an absolute floor of `1e-10`.
final class LinalgGradientTests: XCTestCase {
    let g = Generator(seed: 23)

    func randn(_ shape: [Int]) -> Tensor { Tensor.randn(shape, dtype: .float64, generator: g) }

    /// Matrices `randn + 3 I`, far from singular.
    func wellConditioned(_ shape: [Int]) -> Tensor { randn(shape) + 3 * eye(shape.last!, dtype: .float64) }

    func check(
        _ name: String, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
        _ f: ([Tensor]) throws -> Tensor
    ) {
        XCTAssertNoThrow(try gradcheck({ try! f($0) }, inputs: inputs), name, file: file, line: line)
    }

    // MARK: - Finite differences

    func testInvSolveDet() {
        check("inv", [wellConditioned([2, 3, 3])]) { try inv($0[0]) }
        check("solve matrix", [wellConditioned([2, 3, 3]), randn([2, 3, 2])]) { try solve($0[0], $0[1]) }
        check("solve vector", [wellConditioned([2, 3, 3]), randn([3])]) { try solve($0[0], $0[1]) }
        check("solve broadcast", [wellConditioned([2, 1, 3, 3]), randn([2, 3, 1])]) {
            try solve($0[0], $0[1])
        }
        check("solve transposed view", [wellConditioned([3, 3]), randn([2, 3])]) {
            try solve($0[0].matrixTransposed(), $0[1].matrixTransposed())
        }
        check("det", [randn([2, 3, 3])]) { det($0[0]) }
        check("slogdet", [wellConditioned([2, 3, 3]) * Tensor([1.0, -1, 1], dtype: .float64)]) {
            slogdet($0[0]).logabsdet
        }
    }

    func testDetOfSingularMatrices() {
        // Rank n-1: the derivative is the (nonzero) adjugate; rank n-2: zero.
        let rank2 = Tensor([[1.0, 2, 3], [2, 4, 6], [1, 0, 1]], dtype: .float64)
        let rank1 = Tensor([[1.0, 2, 3], [2, 4, 6], [3, 6, 9]], dtype: .float64)
        check("det rank 2", [rank2]) { det($0[0]) }
        check("det rank 1", [rank1]) { det($0[0]) }
        check("det mixed batch", [stack([rank2, wellConditioned([3, 3])])]) { det($0[0]) }
        let x = Tensor(shape: [3, 3], scalars: rank2.doubles, dtype: .float64, requiresGrad: true)
        try! det(x).backward()
        assertClose(x.grad!, [4, 4, -4, -2, -2, 2, 0, 0, 0], shape: [3, 3], rtol: 1e-9, atol: 1e-9)
    }

    func testSlogdetOfASingularMatrixHasANaNGradient() {
        let x = Tensor([[1.0, 2], [2, 4]], dtype: .float64, requiresGrad: true)
        let (sign, logabsdet) = slogdet(x)
        XCTAssertEqual(sign.item(), 0)
        try! logabsdet.backward()
        XCTAssertTrue(x.grad!.doubles.allSatisfy(\.isNaN))
    }

    func testCholesky() {
        // Through a symmetric positive-definite function of x, as cholesky reads one triangle.
        check("cholesky", [randn([2, 3, 3])]) { x in
            try cholesky(matmul(x[0], x[0].matrixTransposed()) + 3 * eye(3, dtype: .float64))
        }
    }

    func testQR() {
        for shape in [[2, 4, 3], [3, 3], [3, 5]] {
            check("qr Q \(shape)", [randn(shape)]) { qr($0[0]).Q }
            check("qr R \(shape)", [randn(shape)]) { qr($0[0]).R }
            check("qr both \(shape)", [randn(shape)]) { x in
                let (q, r) = qr(x[0])
                return cat([q.flattened(), r.flattened()])
            }
        }
    }

    func testSVD() {
        for shape in [[2, 4, 3], [3, 3], [3, 5]] {
            let k = shape.suffix(2).min()!
            let w = Tensor.arange(1.0, Double(k) + 1, dtype: .float64)
            check("svd S \(shape)", [randn(shape)]) { try svd($0[0]).S }
            // Functions of U and Vh that do not depend on their signs.
            check("svd U \(shape)", [randn(shape)]) { x in
                let u = try svd(x[0]).U
                return matmul(u * w, u.matrixTransposed())
            }
            check("svd Vh \(shape)", [randn(shape)]) { x in
                let vh = try svd(x[0]).Vh
                return matmul(vh.matrixTransposed() * w, vh)
            }
            check("svd all \(shape)", [randn(shape)]) { x in
                let (u, s, vh) = try svd(x[0])
                return matmul(u * (s * s + w).unsqueezed(at: -2), vh)
            }
        }
    }

    func testEigh() {
        let w = Tensor([1.0, 2, 3, 4], dtype: .float64)
        // Through a symmetric function of x, as eigh reads one triangle.
        check("eigh values", [randn([2, 4, 4])]) { x in try eigh(x[0] + x[0].matrixTransposed()).eigenvalues }
        check("eigh vectors", [randn([2, 4, 4])]) { x in
            let v = try eigh(x[0] + x[0].matrixTransposed()).eigenvectors
            return matmul(v * w, v.matrixTransposed())
        }
        check("eigh both", [randn([4, 4])]) { x in
            let (values, v) = try eigh(x[0] + x[0].matrixTransposed())
            return matmul(v * (values * values), v.matrixTransposed())
        }
    }

    func testLstsq() {
        check("lstsq tall", [randn([2, 5, 3]), randn([2, 5, 2])]) { try lstsq($0[0], $0[1]) }
        check("lstsq vector", [randn([5, 3]), randn([5])]) { try lstsq($0[0], $0[1]) }
        check("lstsq wide", [randn([3, 5]), randn([3, 2])]) { try lstsq($0[0], $0[1]) }
        check("lstsq broadcast", [randn([2, 5, 3]), randn([1, 5, 2])]) { try lstsq($0[0], $0[1]) }
    }

    func testFloat32GradientsAgreeWithFloat64() throws {
        let x = wellConditioned([2, 3, 3])
        let b = randn([2, 3, 2])
        let w = Tensor([1.0, 2, 3], dtype: .float64)
        let functions: [(String, (Tensor) throws -> Tensor)] = [
            ("inv", { try inv($0) }),
            ("solve", { try solve($0, b.to($0.dtype)) }),
            ("det", { det($0) }),
            ("slogdet", { slogdet($0).logabsdet }),
            ("cholesky", { try cholesky(matmul($0, $0.matrixTransposed())) }),
            (
                "qr",
                { x in
                    let (q, r) = qr(x); return matmul(q, r * r)
                }
            ),
            (
                "svd",
                { x in
                    let (u, s, vh) = try svd(x); return matmul(u * (s * s).unsqueezed(at: -2), vh)
                }
            ),
            (
                "eigh",
                { x in
                    let (l, v) = try eigh(x + x.matrixTransposed())
                    return matmul(v * (l * w.to(x.dtype)).unsqueezed(at: -2), v.matrixTransposed())
                }
            ),
            ("lstsq", { try lstsq($0, b.to($0.dtype)) }),
        ]
        for (name, f) in functions {
            var grads: [Tensor] = []
            for dtype in [DType.float64, .float32] {
                let leaf = Tensor(shape: x.shape, scalars: x.doubles, dtype: dtype, requiresGrad: true)
                try f(leaf).sum().backward()
                XCTAssertEqual(leaf.grad!.dtype, dtype, name)
                grads.append(leaf.grad!)
            }
            assertClose(grads[1], grads[0], rtol: 1e-3, atol: 1e-4, name)
        }
    }

    // MARK: - PyTorch's golden values

    func testGoldenCases() throws {
        XCTAssertEqual(
            LinalgGolden.cases.map(\.op), ["linalg_inv", "linalg_solve", "linalg_det", "linalg_cholesky"])
        for c in LinalgGolden.cases {
            let inputs = c.inputs.map {
                Tensor(shape: $0.shape, scalars: $0.data, dtype: .float64, requiresGrad: true)
            }
            let output: Tensor
            switch c.op {
            case "linalg_inv": output = try inv(inputs[0])
            case "linalg_solve": output = try solve(inputs[0], inputs[1])
            case "linalg_det": output = det(inputs[0])
            case "linalg_cholesky": output = try cholesky(inputs[0])
            default: XCTFail("unexpected case \(c.op)"); continue
            }
            assertClose(output, c.output.data, shape: c.output.shape, rtol: 1e-8, atol: 1e-10, c.op)
            let upstream = Tensor(shape: c.upstream.shape, scalars: c.upstream.data, dtype: .float64)
            try (output * upstream).sum().backward()
            for (i, expected) in c.grads.enumerated() {
                assertClose(
                    inputs[i].grad!, expected.data, shape: expected.shape, rtol: 1e-8, atol: 1e-10,
                    "\(c.op) grad \(i)")
            }
        }
    }

    // MARK: - Graph

    func testGradFunctionsAndMultipleOutputs() throws {
        let a = Tensor(
            shape: [3, 3], scalars: wellConditioned([3, 3]).doubles, dtype: .float64, requiresGrad: true)
        XCTAssertTrue(try inv(a).description.hasSuffix("grad_fn=<LinalgInvExBackward0>)"))
        XCTAssertTrue(det(a).description.hasSuffix("grad_fn=<LinalgDetBackward0>)"))
        XCTAssertTrue(try svd(a).S.description.hasSuffix("grad_fn=<LinalgSvdBackward0>)"))
        // Only the sign used: no gradient reaches A through slogdet (the sign is piecewise constant).
        let (sign, logabsdet) = slogdet(a)
        try (sign * 2).sum().backward(retainGraph: true)
        XCTAssertNil(a.grad)
        try logabsdet.backward()
        assertClose(a.grad!, try inv(a.detached()).matrixTransposed(), rtol: 1e-12, atol: 1e-12)
        // A batch broadcast against a single matrix sums its gradient back.
        let single = Tensor(
            shape: [3, 3], scalars: wellConditioned([3, 3]).doubles, dtype: .float64, requiresGrad: true)
        try solve(single, randn([4, 3, 2])).sum().backward()
        XCTAssertEqual(single.grad!.shape, [3, 3])
    }
}
