import SyftCore
import XCTest
import _TestSupport

/// The linear-algebra operations against PyTorch's values (LinalgCases.swift, from
/// Scripts/gen_linalg_cases.py), by reconstruction, and on the errors they report. Derivatives are in
/// LinalgGradientTests.swift.
///
/// Tolerances: float64 results agree with PyTorch's to `rtol 1e-9, atol 1e-11` (both run LAPACK, in
/// different builds); float32 results of the same inputs agree with the float64 values to `rtol 1e-4,
/// atol 1e-5`.
final class LinalgTests: XCTestCase {
    typealias C = LinalgCases

    // MARK: - Values against PyTorch

    func testInvDetSlogdet() throws {
        for (a, r) in variants(t64([2, 3, 3], C.square)) {
            assertClose(try inv(a), t64([2, 3, 3], C.inv), rtol: r.rtol, atol: r.atol, r.name)
            assertClose(det(a), t64([2], C.det), rtol: r.rtol, atol: r.atol, r.name)
            let (sign, logabsdet) = slogdet(a)
            assertClose(sign, t64([2], C.slogdetSign), rtol: 0, atol: 0, r.name)
            assertClose(logabsdet, t64([2], C.slogdetLog), rtol: r.rtol, atol: r.atol, r.name)
            XCTAssertEqual(try inv(a).dtype, a.dtype)
        }
    }

    func testSolve() throws {
        let a = t64([2, 3, 3], C.square)
        for (b, r) in variants(t64([2, 3, 2], C.rhs)) {
            assertClose(
                try solve(a.to(b.dtype), b), t64([2, 3, 2], C.solve), rtol: r.rtol, atol: r.atol, r.name)
        }
        // A vector right-hand side shared by the batch: [2, 3, 3] and [3] give [2, 3].
        assertClose(try solve(a, t64([3], C.rhsVector)), t64([2, 3], C.solveVector), rtol: 1e-9, atol: 1e-11)
        // Broadcast batches: [2, 1, 4, 4] and [3, 4, 2] give [2, 3, 4, 2].
        let x = try solve(strided(t64([2, 1, 4, 4], C.square4)), t64([3, 4, 2], C.rhs4))
        assertClose(x, t64([2, 3, 4, 2], C.solveBroadcast), rtol: 1e-9, atol: 1e-11)
    }

    func testCholesky() throws {
        for (a, r) in variants(t64([2, 3, 3], C.spd)) {
            assertClose(try cholesky(a), t64([2, 3, 3], C.cholesky), rtol: r.rtol, atol: r.atol, r.name)
        }
        // Only the lower triangle is read.
        let lowerOnly =
            t64([2, 3, 3], C.spd) * Tensor([[1.0, 0, 0], [1, 1, 0], [1, 1, 1]], dtype: .float64)
        assertClose(try cholesky(lowerOnly), t64([2, 3, 3], C.cholesky), rtol: 1e-9, atol: 1e-11)
    }

    func testQR() throws {
        for (a, r) in variants(t64([2, 4, 3], C.tall)) {
            let (q, rr) = qr(a)
            let (nq, nr) = normalizedQR(q, rr)
            assertClose(nq, t64([2, 4, 3], C.qTall), rtol: r.rtol, atol: r.atol, r.name)
            assertClose(nr, t64([2, 3, 3], C.rTall), rtol: r.rtol, atol: r.atol, r.name)
        }
        let (q, rr) = qr(t64([3, 5], C.wide))
        let (nq, nr) = normalizedQR(q, rr)
        assertClose(nq, t64([3, 3], C.qWide), rtol: 1e-9, atol: 1e-11)
        assertClose(nr, t64([3, 5], C.rWide), rtol: 1e-9, atol: 1e-11)
    }

    func testSVD() throws {
        for (a, r) in variants(t64([2, 4, 3], C.tall)) {
            let (u, s, vh) = try svd(a)
            let (nu, nvh) = normalizedColumns(u, vh)
            assertClose(nu, t64([2, 4, 3], C.uTall), rtol: r.rtol, atol: r.atol, r.name)
            assertClose(s, t64([2, 3], C.sTall), rtol: r.rtol, atol: r.atol, r.name)
            assertClose(nvh!, t64([2, 3, 3], C.vhTall), rtol: r.rtol, atol: r.atol, r.name)
        }
        let (u, s, vh) = try svd(t64([3, 5], C.wide))
        let (nu, nvh) = normalizedColumns(u, vh)
        assertClose(nu, t64([3, 3], C.uWide), rtol: 1e-9, atol: 1e-11)
        assertClose(s, t64([3], C.sWide), rtol: 1e-9, atol: 1e-11)
        assertClose(nvh!, t64([3, 5], C.vhWide), rtol: 1e-9, atol: 1e-11)
    }

    func testEigh() throws {
        for (a, r) in variants(t64([2, 3, 3], C.spd)) {
            let (values, vectors) = try eigh(a)
            assertClose(values, t64([2, 3], C.eigenvalues), rtol: r.rtol, atol: r.atol, r.name)
            assertClose(
                normalizedColumns(vectors, nil).0, t64([2, 3, 3], C.eigenvectors), rtol: r.rtol, atol: r.atol)
        }
    }

    func testLstsq() throws {
        let a = t64([2, 4, 3], C.tall)
        for (b, r) in variants(t64([2, 4, 2], C.lstsqRhs)) {
            assertClose(
                try lstsq(a.to(b.dtype), b), t64([2, 3, 2], C.lstsqTall), rtol: r.rtol, atol: r.atol, r.name)
        }
        // Wide: the minimum-norm solution; a vector right-hand side ([3, 5] and [3] give [5]).
        assertClose(
            try lstsq(t64([3, 5], C.wide), t64([3], C.lstsqRhsWide)), t64([5], C.lstsqWide), rtol: 1e-9,
            atol: 1e-11)
        // Broadcast batch: [2, 4, 3] and [1, 4, 2] give [2, 3, 2].
        let b1 = t64([2, 4, 2], C.lstsqRhs)[0..<1]
        assertClose(try lstsq(a, b1), t64([2, 3, 2], C.lstsqBroadcast), rtol: 1e-9, atol: 1e-11)
    }

    // MARK: - Reconstruction

    func testReconstruction() throws {
        let g = Generator(seed: 11)
        for dtype in [DType.float64, .float32] {
            let tol = dtype == .float64 ? 1e-10 : 1e-4
            for shape in [[2, 5, 3], [3, 4], [2, 3, 6], [4, 4]] {
                let a = Tensor.randn(shape, dtype: dtype, generator: g)
                let (m, n) = (shape[shape.count - 2], shape[shape.count - 1])
                let k = Swift.min(m, n)
                let (q, r) = qr(a)
                assertClose(matmul(q, r), a, rtol: tol, atol: tol, "Q R = A \(shape)")
                assertClose(
                    matmul(q.matrixTransposed(), q),
                    eye(k, dtype: dtype).expanded(to: Array(shape.dropLast(2)) + [k, k]), rtol: 0, atol: tol,
                    "QᵀQ = I")
                let belowDiagonal = r.doubles.enumerated().filter {
                    ($0.offset % (k * n)) / n > $0.offset % n
                }
                XCTAssertTrue(belowDiagonal.allSatisfy { $0.element == 0 }, "R is upper triangular")
                let (u, s, vh) = try svd(a)
                assertClose(
                    matmul(u * s.unsqueezed(at: -2), vh), a, rtol: tol, atol: tol, "U S Vh = A \(shape)")
                for start in stride(from: 0, to: s.count, by: k) {
                    let values = Array(s.doubles[start..<(start + k)])
                    XCTAssertEqual(values, values.sorted(by: >), "descending singular values")
                }
            }
            let x = Tensor.randn([2, 4, 4], dtype: dtype, generator: g)
            let sym = x + x.matrixTransposed()
            let (values, v) = try eigh(sym)
            assertClose(
                matmul(v * values.unsqueezed(at: -2), v.matrixTransposed()), sym, rtol: tol, atol: 10 * tol,
                "V L Vᵀ = A")
            let spd = matmul(x, x.matrixTransposed()) + 4 * eye(4, dtype: dtype)
            let l = try cholesky(spd)
            assertClose(matmul(l, l.matrixTransposed()), spd, rtol: tol, atol: 10 * tol, "L Lᵀ = A")
            assertClose(
                matmul(spd, try inv(spd)), eye(4, dtype: dtype).expanded(to: [2, 4, 4]), rtol: 0,
                atol: 10 * tol, "A A⁻¹ = I")
            let b = Tensor.randn([2, 4, 3], dtype: dtype, generator: g)
            assertClose(matmul(spd, try solve(spd, b)), b, rtol: tol, atol: 10 * tol, "A X = B")
        }
    }

    func testEmptyMatrices() throws {
        XCTAssertEqual(det(Tensor.zeros([0, 0], dtype: .float64)).doubles, [1])
        XCTAssertEqual(try inv(Tensor.zeros([2, 0, 0])).shape, [2, 0, 0])
        let (q, r) = qr(Tensor.zeros([0, 3]))
        XCTAssertEqual([q.shape, r.shape], [[0, 0], [0, 3]])
        XCTAssertEqual(try lstsq(Tensor.zeros([0, 2]), Tensor.zeros([0, 1])).doubles, [0, 0])
    }

    // MARK: - Errors on data

    func testSingularInverseNamesTheBatchElement() {
        let a = Tensor([[[1.0, 0], [0, 1]], [[1.0, 2], [2, 4]]], dtype: .float64)
        XCTAssertThrowsError(try inv(a)) { error in
            let e = error as! LinalgError
            XCTAssertEqual(e, LinalgError(op: "linalg_inv", batchIndex: 1, reason: .singular(index: 1)))
            XCTAssertEqual(
                e.description,
                "linalg_inv: (batch element 1) the matrix is singular (U[1, 1] = 0 in its LU factorization)")
        }
        XCTAssertThrowsError(try solve(Tensor([[1.0, 2], [2, 4]]), Tensor([1.0, 1]))) { error in
            XCTAssertEqual(
                error as? LinalgError,
                LinalgError(op: "linalg_solve", batchIndex: nil, reason: .singular(index: 1)))
        }
        XCTAssertThrowsError(try inv(Tensor.zeros([3, 3])))
        // det and slogdet of a singular matrix are values, as in PyTorch.
        XCTAssertEqual(det(a).doubles, [1, 0])
        let (sign, logabsdet) = slogdet(a)
        XCTAssertEqual(sign.doubles, [1, 0])
        XCTAssertEqual(logabsdet.doubles, [0, -.infinity])
    }

    func testCholeskyOfANonPositiveDefiniteMatrix() {
        let a = Tensor([[[4.0, 2], [2, 3]], [[1.0, 2], [2, 1]]])
        XCTAssertThrowsError(try cholesky(a)) { error in
            let e = error as! LinalgError
            XCTAssertEqual(
                e, LinalgError(op: "linalg_cholesky", batchIndex: 1, reason: .notPositiveDefinite(order: 2)))
            XCTAssertEqual(
                e.description,
                "linalg_cholesky: (batch element 1) the matrix is not positive-definite (the leading "
                    + "minor of order 2 is not positive-definite)")
        }
        XCTAssertThrowsError(try cholesky(Tensor([[-1.0]])))
        // A NaN pivot is not positive (OpenBLAS's potrf would carry it on silently).
        XCTAssertThrowsError(try cholesky(Tensor([[1.0, .nan], [.nan, 1]], dtype: .float64))) {
            XCTAssertEqual(($0 as! LinalgError).reason, .notPositiveDefinite(order: 2))
        }
    }

    func testNonFiniteInputs() {
        let nan = Tensor([[1.0, .nan], [.nan, 1]], dtype: .float64)
        XCTAssertThrowsError(try svd(nan)) { XCTAssertEqual(($0 as! LinalgError).reason, .nonFinite) }
        XCTAssertThrowsError(try eigh(nan)) { XCTAssertEqual(($0 as! LinalgError).reason, .nonFinite) }
        XCTAssertThrowsError(try lstsq(Tensor([[1.0, 0], [0, .infinity]]), Tensor([1.0, 1]))) {
            XCTAssertEqual(($0 as! LinalgError).reason, .nonFinite)
        }
        // eigh reads only the lower triangle: NaN above the diagonal is ignored, as in PyTorch.
        XCTAssertEqual(try eigh(Tensor([[1.0, .nan], [0, 1]])).eigenvalues.doubles, [1, 1])
        // inv, solve and det propagate NaN, as PyTorch.
        XCTAssertTrue(try inv(nan).doubles.allSatisfy(\.isNaN))
        XCTAssertTrue(det(nan).item().isNaN)
    }

    // MARK: - Shape rules

    func testShapeRules() {
        func message(_ op: Op, _ shapes: [[Int]], _ dtype: DType = .float32) -> String? {
            do {
                _ = try op.inferOutputs(shapes.map { TensorMeta(shape: $0, dtype: dtype) })
                return nil
            } catch {
                return error.description
            }
        }
        XCTAssertEqual(
            message(.linalgInv, [[2, 2]], .int64),
            "linalg_inv: expected a floating-point tensor as input, got int64")
        XCTAssertEqual(
            message(.linalgDet, [[3]]), "linalg_det: the input must have at least 2 dimensions, got shape [3]"
        )
        XCTAssertEqual(
            message(.linalgEigh, [[3, 2]]),
            "linalg_eigh: expected batches of square matrices, got shape [3, 2] (3 by 2 matrices)")
        XCTAssertEqual(
            message(.linalgSolve, [[3, 3], [4, 3]]),
            "linalg_solve: incompatible shapes of A [3, 3] and B [4, 3] for the equation A X = B (3x3 and 4x3)"
        )
        XCTAssertEqual(
            message(.linalgLstsq, [[2, 5, 3], [5]]),
            "linalg_lstsq: B must have as many dimensions as A or one fewer, got shapes [2, 5, 3] and [5]")
        XCTAssertEqual(
            message(.linalgSolve, [[2, 3, 3], [3, 3, 2]]),
            "linalg_solve: the batch dimensions of A [2, 3, 3] and B [3, 3, 2] do not broadcast")
        XCTAssertNotNil(message(.linalgSvd, [[3, 3]], .bool))
        let shapes = { (op: Op, s: [[Int]]) in
            try! op.inferOutputs(s.map { TensorMeta(shape: $0, dtype: .float64) }).map(\.shape)
        }
        XCTAssertEqual(shapes(.linalgQr, [[2, 5, 3]]), [[2, 5, 3], [2, 3, 3]])
        XCTAssertEqual(shapes(.linalgSvd, [[3, 5]]), [[3, 3], [3], [3, 5]])
        XCTAssertEqual(shapes(.linalgEigh, [[2, 4, 4]]), [[2, 4], [2, 4, 4]])
        XCTAssertEqual(shapes(.linalgSolve, [[2, 3, 3], [2, 3]]), [[2, 3]])
        XCTAssertEqual(shapes(.linalgLstsq, [[2, 5, 3], [2, 5]]), [[2, 3]])
        XCTAssertEqual(
            [Op.linalgSlogdet, .linalgQr, .linalgSvd, .linalgEigh, .linalgInv].map(\.outputCount),
            [2, 2, 3, 2, 1])
        XCTAssertEqual(Op.linalgLstsq.name, "linalg_lstsq")
    }

    // MARK: - Helpers

    func t64(_ shape: [Int], _ values: [Double]) -> Tensor {
        Tensor(shape: shape, scalars: values, dtype: .float64)
    }

    /// The same values as a non-contiguous view (transposed storage).
    func strided(_ t: Tensor) -> Tensor {
        let v = t.matrixTransposed().contiguous().matrixTransposed()
        XCTAssertFalse(v.isContiguous)
        return v
    }

    struct Tolerance {
        var name: String
        var rtol: Double
        var atol: Double
    }

    /// `t` as float64, as a non-contiguous float64 view, and as float32, with their tolerances.
    func variants(_ t: Tensor) -> [(Tensor, Tolerance)] {
        [
            (t, Tolerance(name: "float64", rtol: 1e-9, atol: 1e-11)),
            (strided(t), Tolerance(name: "float64 non-contiguous", rtol: 1e-9, atol: 1e-11)),
            (t.to(.float32), Tolerance(name: "float32", rtol: 1e-4, atol: 1e-5)),
        ]
    }

    /// Q and R with signs flipped so that R's diagonal is non-negative (as the generator does).
    func normalizedQR(_ q: Tensor, _ r: Tensor) -> (Tensor, Tensor) {
        let k = r.shape[r.rank - 2]
        let diagonal = (r.slicedColumns(k) * eye(k, dtype: r.dtype)).sum(squeezingAxes: -1)
        let d = `where`(diagonal .< 0, -1.0, Tensor(1.0, dtype: r.dtype))
        return (q * d.unsqueezed(at: -2), r * d.unsqueezed(at: -1))
    }

    /// Columns of `u` (and rows of `vh`) with signs flipped so that each column's largest-magnitude entry
    /// is positive (as the generator does).
    func normalizedColumns(_ u: Tensor, _ vh: Tensor?) -> (Tensor, Tensor?) {
        let (rows, cols) = (u.shape[u.rank - 2], u.shape[u.rank - 1])
        let values = u.doubles
        var signs: [Double] = []
        for b in 0..<(u.count / (rows * cols)) {
            for j in 0..<cols {
                let column = (0..<rows).map { values[b * rows * cols + $0 * cols + j] }
                let i = column.indices.max {
                    Swift.abs(column[$0]) < Swift.abs(column[$1])
                        || (Swift.abs(column[$0]) == Swift.abs(column[$1]) && $0 > $1)
                }!
                signs.append(column[i] < 0 ? -1 : 1)
            }
        }
        let d = Tensor(shape: Array(u.shape.dropLast(2)) + [cols], scalars: signs, dtype: u.dtype)
        return (u * d.unsqueezed(at: -2), vh.map { $0 * d.unsqueezed(at: -1) })
    }
}

extension Tensor {
    /// The first `k` columns (for R's leading square block).
    fileprivate func slicedColumns(_ k: Int) -> Tensor {
        split(sizes: [k, shape[rank - 1] - k], axis: rank - 1)[0]
    }
}
