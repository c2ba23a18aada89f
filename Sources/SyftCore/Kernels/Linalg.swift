#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The batched linear-algebra kernels over LAPACK (LAPACK.swift). Each matrix of the batch is packed into
// a column-major scratch buffer (so any strides work: transposed, sliced and broadcast views; and LAPACK,
// which overwrites its input, never touches a tensor's storage), factored, and unpacked row-major into a
// new contiguous output. A positive LAPACK `info` becomes a `LinalgError` naming the batch element (Note
// [Linear-algebra errors]); a negative one is a bug here and stops.

// MARK: - LU: inv, solve, det, slogdet

/// The inverse of each matrix (`getrf`, `getri`). A singular matrix is an error, or, with `nanIfSingular`
/// (for derivatives, where the inverse of a singular matrix means an infinite derivative), a matrix of NaN.
func invKernel(_ a: Tensor, nanIfSingular: Bool = false) throws(LinalgError) -> Tensor {
    try floating(a.dtype, .linalgInv) { (t) throws(LinalgError) in try invert(a, nanIfSingular, t) }
}

private func invert<T: LAPACKScalar>(
    _ a: Tensor, _ nanIfSingular: Bool, _: T.Type
) throws(LinalgError) -> Tensor {
    let mats = MatrixBatch(a, batch: Array(a.shape.dropLast(2)))
    let n = mats.rows
    let ld = Swift.max(n, 1)
    let out = Tensor(uninitializedShape: a.shape, dtype: a.dtype)
    if out.count == 0 { return out }
    let buf = scratch(n * n, T.self)
    let ipiv = scratch(n, Int32.self)
    defer { buf.deallocate(); ipiv.deallocate() }
    var query = T.zero
    checkArguments(T.getri(n: n, buf, lda: ld, ipiv, &query, lwork: -1), "getri", .linalgInv)
    let lwork = workspace(query)
    let work = scratch(lwork, T.self)
    defer { work.deallocate() }
    let dst = out.elementPointer(T.self)
    for b in 0..<mats.count {
        mats.pack(b, into: buf, ld: ld)
        var info = T.getrf(m: n, n: n, buf, lda: ld, ipiv)
        checkArguments(info, "getrf", .linalgInv)
        if info > 0 && nanIfSingular {
            (dst + b * n * n).update(repeating: .nan, count: n * n)
            continue
        }
        if info > 0 { throw mats.error(.linalgInv, b, .singular(index: info - 1)) }
        info = T.getri(n: n, buf, lda: ld, ipiv, work, lwork: lwork)
        checkArguments(info, "getri", .linalgInv)
        unpack(buf, ld: ld, rows: n, cols: n, into: dst + b * n * n)
    }
    return out
}

/// `X` with `A X = B`, or `Aᵀ X = B` when `transposeA` (`getrf`, `getrs`); `out` is the shape rule's
/// result.
func solveKernel(
    _ a: Tensor, _ b: Tensor, out: TensorMeta, transposeA: Bool = false
) throws(LinalgError) -> Tensor {
    try floating(a.dtype, .linalgSolve) { (t) throws(LinalgError) in try solveLU(a, b, out, transposeA, t) }
}

private func solveLU<T: LAPACKScalar>(
    _ a: Tensor, _ b: Tensor, _ meta: TensorMeta, _ transposeA: Bool, _: T.Type
)
    throws(LinalgError) -> Tensor
{
    let vector = solveIsVectorCase(a.shape, b.shape)
    let batch = Array(meta.shape.dropLast(vector ? 1 : 2))
    let lhs = MatrixBatch(a, batch: batch)
    let rhs = MatrixBatch(b, batch: batch, vector: vector)
    let (n, k) = (lhs.rows, rhs.cols)
    let ld = Swift.max(n, 1)
    let out = Tensor(uninitializedShape: meta.shape, dtype: meta.dtype)
    if out.count == 0 { return out }
    let buf = scratch(n * n, T.self)
    let x = scratch(n * k, T.self)
    let ipiv = scratch(n, Int32.self)
    defer { buf.deallocate(); x.deallocate(); ipiv.deallocate() }
    let dst = out.elementPointer(T.self)
    for i in 0..<lhs.count {
        lhs.pack(i, into: buf, ld: ld)
        var info = T.getrf(m: n, n: n, buf, lda: ld, ipiv)
        checkArguments(info, "getrf", .linalgSolve)
        if info > 0 { throw lhs.error(.linalgSolve, i, .singular(index: info - 1)) }
        rhs.pack(i, into: x, ld: ld)
        info = T.getrs(transposed: transposeA, n: n, nrhs: k, buf, lda: ld, ipiv, x, ldb: ld)
        checkArguments(info, "getrs", .linalgSolve)
        unpack(x, ld: ld, rows: n, cols: k, into: dst + i * n * k)
    }
    return out
}

/// The determinant of each matrix from its LU factorization (0 for a singular matrix), or with
/// `logarithmic` the sign and the logarithm of the absolute value (0 and -inf for a singular matrix).
func luDeterminantKernel(_ a: Tensor, logarithmic: Bool) -> [Tensor] {
    let op: Op = logarithmic ? .linalgSlogdet : .linalgDet
    return try! floating(a.dtype, op) { t in determinants(a, logarithmic, t) }
}

private func determinants<T: LAPACKScalar>(_ a: Tensor, _ logarithmic: Bool, _: T.Type) -> [Tensor] {
    let mats = MatrixBatch(a, batch: Array(a.shape.dropLast(2)))
    let n = mats.rows
    let ld = Swift.max(n, 1)
    let first = Tensor(uninitializedShape: mats.batch, dtype: a.dtype)
    let second = Tensor(uninitializedShape: logarithmic ? mats.batch : [0], dtype: a.dtype)
    let (p, q) = (first.elementPointer(T.self), second.elementPointer(T.self))
    let buf = scratch(n * n, T.self)
    let ipiv = scratch(n, Int32.self)
    defer { buf.deallocate(); ipiv.deallocate() }
    for b in 0..<mats.count {
        mats.pack(b, into: buf, ld: ld)
        // A positive info is an exact zero on U's diagonal: the determinant is 0, not an error.
        checkArguments(n == 0 ? 0 : T.getrf(m: n, n: n, buf, lda: ld, ipiv), "getrf", .linalgDet)
        var product: T = 1
        var sign: T = 1
        var logAbs = 0.0
        for i in 0..<n {
            let u = buf[i * ld + i]
            let swapped = ipiv[i] != Int32(i + 1)
            product *= swapped ? -u : u
            sign *= (swapped ? -1 : 1) * (u > 0 ? 1 : u < 0 ? -1 : u.isNaN ? .nan : 0)
            logAbs += log(Double(u.magnitude))
        }
        if logarithmic {
            p[b] = sign
            q[b] = T(logAbs)
        } else {
            p[b] = product
        }
    }
    return logarithmic ? [first, second] : [first]
}

// MARK: - Cholesky, QR

/// The lower Cholesky factor of each matrix, from its lower triangle (`potrf`).
func choleskyKernel(_ a: Tensor) throws(LinalgError) -> Tensor {
    try floating(a.dtype, .linalgCholesky) { (t) throws(LinalgError) in try factorCholesky(a, t) }
}

private func factorCholesky<T: LAPACKScalar>(_ a: Tensor, _: T.Type) throws(LinalgError) -> Tensor {
    let mats = MatrixBatch(a, batch: Array(a.shape.dropLast(2)))
    let n = mats.rows
    let ld = Swift.max(n, 1)
    let out = Tensor(uninitializedShape: a.shape, dtype: a.dtype)
    if out.count == 0 { return out }
    let buf = scratch(n * n, T.self)
    defer { buf.deallocate() }
    let dst = out.elementPointer(T.self)
    for b in 0..<mats.count {
        mats.pack(b, into: buf, ld: ld)
        let info = T.potrf(n: n, buf, lda: ld)
        checkArguments(info, "potrf", .linalgCholesky)
        if info > 0 { throw mats.error(.linalgCholesky, b, .notPositiveDefinite(order: info)) }
        // Reference LAPACK stops at a NaN pivot; OpenBLAS's potrf carries it on. Report it as LAPACK does
        // (and PyTorch): NaN is not positive.
        if let i = (0..<n).first(where: { buf[$0 * ld + $0].isNaN }) {
            throw mats.error(.linalgCholesky, b, .notPositiveDefinite(order: i + 1))
        }
        unpack(buf, ld: ld, rows: n, cols: n, into: dst + b * n * n, lowerOnly: true)
    }
    return out
}

/// The reduced QR decomposition of each matrix: `Q` m×k and `R` k×n, `k = min(m, n)` (`geqrf`, `orgqr`).
func qrKernel(_ a: Tensor) -> [Tensor] {
    try! floating(a.dtype, .linalgQr) { t in factorQR(a, t) }
}

private func factorQR<T: LAPACKScalar>(_ a: Tensor, _: T.Type) -> [Tensor] {
    let mats = MatrixBatch(a, batch: Array(a.shape.dropLast(2)))
    let (m, n) = (mats.rows, mats.cols)
    let k = Swift.min(m, n)
    let ld = Swift.max(m, 1)
    let q = Tensor(uninitializedShape: mats.batch + [m, k], dtype: a.dtype)
    let r = Tensor(uninitializedShape: mats.batch + [k, n], dtype: a.dtype)
    if k == 0 || mats.count == 0 { return [q, r] }
    let buf = scratch(ld * n, T.self)
    let tau = scratch(k, T.self)
    defer { buf.deallocate(); tau.deallocate() }
    var (query1, query2) = (T.zero, T.zero)
    checkArguments(T.geqrf(m: m, n: n, buf, lda: ld, tau, &query1, lwork: -1), "geqrf", .linalgQr)
    checkArguments(T.orgqr(m: m, n: k, k: k, buf, lda: ld, tau, &query2, lwork: -1), "orgqr", .linalgQr)
    let lwork = Swift.max(workspace(query1), workspace(query2))
    let work = scratch(lwork, T.self)
    defer { work.deallocate() }
    let (pq, pr) = (q.elementPointer(T.self), r.elementPointer(T.self))
    for b in 0..<mats.count {
        mats.pack(b, into: buf, ld: ld)
        checkArguments(T.geqrf(m: m, n: n, buf, lda: ld, tau, work, lwork: lwork), "geqrf", .linalgQr)
        let rb = pr + b * k * n
        for i in 0..<k {
            for j in 0..<n { rb[i * n + j] = j >= i ? buf[j * ld + i] : 0 }
        }
        checkArguments(T.orgqr(m: m, n: k, k: k, buf, lda: ld, tau, work, lwork: lwork), "orgqr", .linalgQr)
        unpack(buf, ld: ld, rows: m, cols: k, into: pq + b * m * k)
    }
    return [q, r]
}

// MARK: - SVD, eigh, lstsq (iterative; non-finite input is rejected)

/// The reduced SVD of each matrix: `U` m×k, `S` k (descending), `Vh` k×n (`gesdd`).
func svdKernel(_ a: Tensor) throws(LinalgError) -> [Tensor] {
    try floating(a.dtype, .linalgSvd) { (t) throws(LinalgError) in try factorSVD(a, t) }
}

private func factorSVD<T: LAPACKScalar>(_ a: Tensor, _: T.Type) throws(LinalgError) -> [Tensor] {
    let mats = MatrixBatch(a, batch: Array(a.shape.dropLast(2)))
    let (m, n) = (mats.rows, mats.cols)
    let k = Swift.min(m, n)
    let (ld, ldvt) = (Swift.max(m, 1), Swift.max(k, 1))
    let u = Tensor(uninitializedShape: mats.batch + [m, k], dtype: a.dtype)
    let s = Tensor(uninitializedShape: mats.batch + [k], dtype: a.dtype)
    let vh = Tensor(uninitializedShape: mats.batch + [k, n], dtype: a.dtype)
    if k == 0 || mats.count == 0 { return [u, s, vh] }
    let buf = scratch(ld * n, T.self)
    let ubuf = scratch(ld * k, T.self)
    let vtbuf = scratch(ldvt * n, T.self)
    let iwork = scratch(8 * k, Int32.self)
    defer { buf.deallocate(); ubuf.deallocate(); vtbuf.deallocate(); iwork.deallocate() }
    let (pu, ps, pv) = (u.elementPointer(T.self), s.elementPointer(T.self), vh.elementPointer(T.self))
    var query = T.zero
    let q = T.gesdd(m: m, n: n, buf, lda: ld, ps, ubuf, ldu: ld, vtbuf, ldvt: ldvt, &query, lwork: -1, iwork)
    checkArguments(q, "gesdd", .linalgSvd)
    let lwork = workspace(query)
    let work = scratch(lwork, T.self)
    defer { work.deallocate() }
    for b in 0..<mats.count {
        mats.pack(b, into: buf, ld: ld)
        if !isFinite(buf, ld: ld, rows: m, cols: n) { throw mats.error(.linalgSvd, b, .nonFinite) }
        let info = T.gesdd(
            m: m, n: n, buf, lda: ld, ps + b * k, ubuf, ldu: ld, vtbuf, ldvt: ldvt, work, lwork: lwork, iwork)
        checkArguments(info, "gesdd", .linalgSvd)
        if info > 0 { throw mats.error(.linalgSvd, b, .noConvergence(code: info)) }
        unpack(ubuf, ld: ld, rows: m, cols: k, into: pu + b * m * k)
        unpack(vtbuf, ld: ldvt, rows: k, cols: n, into: pv + b * k * n)
    }
    return [u, s, vh]
}

/// The eigenvalues (ascending) and eigenvectors (columns) of each symmetric matrix, from its lower
/// triangle (`syevd`).
func eighKernel(_ a: Tensor) throws(LinalgError) -> [Tensor] {
    try floating(a.dtype, .linalgEigh) { (t) throws(LinalgError) in try factorEigh(a, t) }
}

private func factorEigh<T: LAPACKScalar>(_ a: Tensor, _: T.Type) throws(LinalgError) -> [Tensor] {
    let mats = MatrixBatch(a, batch: Array(a.shape.dropLast(2)))
    let n = mats.rows
    let ld = Swift.max(n, 1)
    let values = Tensor(uninitializedShape: mats.batch + [n], dtype: a.dtype)
    let vectors = Tensor(uninitializedShape: a.shape, dtype: a.dtype)
    if vectors.count == 0 { return [values, vectors] }
    let buf = scratch(n * n, T.self)
    defer { buf.deallocate() }
    let (pw, pv) = (values.elementPointer(T.self), vectors.elementPointer(T.self))
    var query = T.zero
    var iquery: Int32 = 0
    checkArguments(
        T.syevd(n: n, buf, lda: ld, pw, &query, lwork: -1, &iquery, liwork: -1), "syevd", .linalgEigh)
    let (lwork, liwork) = (workspace(query), Swift.max(1, Int(iquery)))
    let work = scratch(lwork, T.self)
    let iwork = scratch(liwork, Int32.self)
    defer { work.deallocate(); iwork.deallocate() }
    for b in 0..<mats.count {
        mats.pack(b, into: buf, ld: ld)
        if !isFinite(buf, ld: ld, rows: n, cols: n, lowerOnly: true) {
            throw mats.error(.linalgEigh, b, .nonFinite)
        }
        let info = T.syevd(n: n, buf, lda: ld, pw + b * n, work, lwork: lwork, iwork, liwork: liwork)
        checkArguments(info, "syevd", .linalgEigh)
        if info > 0 { throw mats.error(.linalgEigh, b, .noConvergence(code: info)) }
        unpack(buf, ld: ld, rows: n, cols: n, into: pv + b * n * n)
    }
    return [values, vectors]
}

/// The minimum-norm least-squares solution of each `A X = B` (`gelsd`, singular values below
/// `eps · max(m, n)` times the largest treated as zero, PyTorch's default `rcond`); `out` is the shape
/// rule's result.
func lstsqKernel(_ a: Tensor, _ b: Tensor, out: TensorMeta) throws(LinalgError) -> Tensor {
    try floating(a.dtype, .linalgLstsq) { (t) throws(LinalgError) in try leastSquares(a, b, out, t) }
}

private func leastSquares<T: LAPACKScalar>(
    _ a: Tensor, _ b: Tensor, _ meta: TensorMeta, _: T.Type
) throws(LinalgError)
    -> Tensor
{
    let vector = b.rank == a.rank - 1
    let batch = Array(meta.shape.dropLast(vector ? 1 : 2))
    let lhs = MatrixBatch(a, batch: batch)
    let rhs = MatrixBatch(b, batch: batch, vector: vector)
    let (m, n, k) = (lhs.rows, lhs.cols, rhs.cols)
    let (ld, ldb, mn) = (Swift.max(m, 1), Swift.max(m, n, 1), Swift.min(m, n))
    if m == 0 || n == 0 || k == 0 || lhs.count == 0 { return Tensor.zeros(meta.shape, dtype: meta.dtype) }
    let out = Tensor(uninitializedShape: meta.shape, dtype: meta.dtype)
    let buf = scratch(ld * n, T.self)
    let x = scratch(ldb * k, T.self)
    let s = scratch(mn, T.self)
    defer { buf.deallocate(); x.deallocate(); s.deallocate() }
    let rcond = T.ulpOfOne * T(Swift.max(m, n))
    var query = T.zero
    var iquery: Int32 = 0
    let q = T.gelsd(
        m: m, n: n, nrhs: k, buf, lda: ld, x, ldb: ldb, s, rcond: rcond, &query, lwork: -1, &iquery)
    checkArguments(q, "gelsd", .linalgLstsq)
    // LAPACK's documented minimum for IWORK, in case the query leaves it out.
    let levels = Swift.max(0, Int(log2(Double(mn) / 26)) + 1)
    let liwork = Swift.max(1, Int(iquery), 3 * mn * levels + 11 * mn)
    let lwork = workspace(query)
    let work = scratch(lwork, T.self)
    let iwork = scratch(liwork, Int32.self)
    defer { work.deallocate(); iwork.deallocate() }
    let dst = out.elementPointer(T.self)
    for i in 0..<lhs.count {
        lhs.pack(i, into: buf, ld: ld)
        x.update(repeating: 0, count: ldb * k)
        rhs.pack(i, into: x, ld: ldb)
        if !isFinite(buf, ld: ld, rows: m, cols: n) || !isFinite(x, ld: ldb, rows: m, cols: k) {
            throw lhs.error(.linalgLstsq, i, .nonFinite)
        }
        let info = T.gelsd(
            m: m, n: n, nrhs: k, buf, lda: ld, x, ldb: ldb, s, rcond: rcond, work, lwork: lwork, iwork)
        checkArguments(info, "gelsd", .linalgLstsq)
        if info > 0 { throw lhs.error(.linalgLstsq, i, .noConvergence(code: info)) }
        unpack(x, ld: ldb, rows: n, cols: k, into: dst + i * n * k)
    }
    return out
}

// MARK: - Triangular solve (for derivatives)

/// `op(A)⁻¹ B` for triangular matrices `A` `[*, n, n]` (only the `lower` or upper triangle is read;
/// `op` transposes when `transposed`) and `B` `[*, n, k]`, batches broadcast. No singularity check: a
/// zero on the diagonal gives infinities or NaN, as PyTorch's `solve_triangular`. Used by derivatives.
func triangularSolve(_ a: Tensor, _ b: Tensor, lower: Bool, transposed: Bool) -> Tensor {
    let aBatch = Array(a.shape.dropLast(2))
    let bBatch = Array(b.shape.dropLast(2))
    guard let batch = broadcastShapes(aBatch, bBatch) else {
        preconditionFailure(
            "triangularSolve: batches \(shapeString(aBatch)) and \(shapeString(bBatch)) differ")
    }
    return try! floating(a.dtype, .linalgSolve) { t in
        triangularSolve(
            MatrixBatch(a, batch: batch), MatrixBatch(b, batch: batch), lower, transposed, a.dtype, t)
    }
}

private func triangularSolve<T: LAPACKScalar>(
    _ lhs: MatrixBatch, _ rhs: MatrixBatch, _ lower: Bool, _ transposed: Bool, _ dtype: DType, _: T.Type
) -> Tensor {
    let (n, k) = (lhs.rows, rhs.cols)
    let ld = Swift.max(n, 1)
    let out = Tensor(uninitializedShape: lhs.batch + [n, k], dtype: dtype)
    if out.count == 0 { return out }
    let buf = scratch(n * n, T.self)
    let x = scratch(n * k, T.self)
    defer { buf.deallocate(); x.deallocate() }
    let dst = out.elementPointer(T.self)
    for i in 0..<lhs.count {
        lhs.pack(i, into: buf, ld: ld)
        rhs.pack(i, into: x, ld: ld)
        T.trsm(lower: lower, transposed: transposed, n: n, nrhs: k, buf, lda: ld, x, ldb: ld)
        unpack(x, ld: ld, rows: n, cols: k, into: dst + i * n * k)
    }
    return out
}
