internal import COpenBLAS

// The only file (with BLAS.swift) that sees LAPACKE. Every routine is called in column-major layout
// through its `_work` variant: LAPACKE then calls LAPACK directly, with no transposed copy, no hidden
// allocation and no NaN scan of the input (Linalg.swift packs each matrix into a column-major buffer
// it owns, which LAPACK overwrites anyway, and decides itself what to do about NaN). Workspace sizes
// come from LAPACK's own query (`lwork = -1`). `info` is returned as is: negative means an argument was
// illegal (a bug here), positive is the routine's report on the data, which Linalg.swift turns into a
// `LinalgError`.

/// Floating-point types with the LAPACK routines the linear-algebra kernels use (`s` and `d`). All
/// matrices are column-major with the given leading dimension.
protocol LAPACKScalar: BLASScalar, BinaryFloatingPoint {
    /// LU factorization with partial pivoting of an m×n matrix (`getrf`).
    static func getrf(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Self>, lda: Int, _ ipiv: UnsafeMutablePointer<Int32>
    )
        -> Int
    /// The inverse from an LU factorization (`getri`).
    static func getri(
        n: Int, _ a: UnsafeMutablePointer<Self>, lda: Int, _ ipiv: UnsafePointer<Int32>,
        _ work: UnsafeMutablePointer<Self>, lwork: Int
    ) -> Int
    /// Solves `A X = B` (or `Aᵀ X = B` when `transposed`) from an LU factorization (`getrs`).
    static func getrs(
        transposed: Bool, n: Int, nrhs: Int, _ a: UnsafePointer<Self>, lda: Int, _ ipiv: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Self>, ldb: Int
    ) -> Int
    /// The lower Cholesky factor, from the lower triangle (`potrf`, `uplo = 'L'`).
    static func potrf(n: Int, _ a: UnsafeMutablePointer<Self>, lda: Int) -> Int
    /// Householder QR factorization (`geqrf`).
    static func geqrf(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Self>, lda: Int, _ tau: UnsafeMutablePointer<Self>,
        _ work: UnsafeMutablePointer<Self>, lwork: Int
    ) -> Int
    /// The first `n` columns of Q from `geqrf`'s reflectors (`orgqr`).
    static func orgqr(
        m: Int, n: Int, k: Int, _ a: UnsafeMutablePointer<Self>, lda: Int, _ tau: UnsafePointer<Self>,
        _ work: UnsafeMutablePointer<Self>, lwork: Int
    ) -> Int
    /// The reduced SVD by divide and conquer (`gesdd`, `jobz = 'S'`).
    static func gesdd(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Self>, lda: Int, _ s: UnsafeMutablePointer<Self>,
        _ u: UnsafeMutablePointer<Self>, ldu: Int, _ vt: UnsafeMutablePointer<Self>, ldvt: Int,
        _ work: UnsafeMutablePointer<Self>, lwork: Int, _ iwork: UnsafeMutablePointer<Int32>
    ) -> Int
    /// Eigenvalues (ascending) and eigenvectors of a symmetric matrix from its lower triangle by divide
    /// and conquer (`syevd`, `jobz = 'V'`, `uplo = 'L'`).
    static func syevd(
        n: Int, _ a: UnsafeMutablePointer<Self>, lda: Int, _ w: UnsafeMutablePointer<Self>,
        _ work: UnsafeMutablePointer<Self>, lwork: Int, _ iwork: UnsafeMutablePointer<Int32>, liwork: Int
    ) -> Int
    /// The minimum-norm least-squares solution by SVD (`gelsd`); the solution overwrites `b`.
    static func gelsd(
        m: Int, n: Int, nrhs: Int, _ a: UnsafeMutablePointer<Self>, lda: Int, _ b: UnsafeMutablePointer<Self>,
        ldb: Int, _ s: UnsafeMutablePointer<Self>, rcond: Self, _ work: UnsafeMutablePointer<Self>,
        lwork: Int,
        _ iwork: UnsafeMutablePointer<Int32>
    ) -> Int
    /// Solves `op(A) X = B` for triangular `A` in place of `B` (BLAS `trsm`, left side, no singularity
    /// check: a zero on the diagonal gives infinities, as PyTorch's `solve_triangular`).
    static func trsm(
        lower: Bool, transposed: Bool, n: Int, nrhs: Int, _ a: UnsafePointer<Self>, lda: Int,
        _ b: UnsafeMutablePointer<Self>, ldb: Int)
}

private let colMajor = LAPACK_COL_MAJOR
private let lowerTriangle = CChar(UInt8(ascii: "L"))
private let vectors = CChar(UInt8(ascii: "V"))
private let reduced = CChar(UInt8(ascii: "S"))
// `lapack_int` is a C macro (Int32 here); an ILP64 LAPACKE would not compile against these signatures.
@inline(__always) private func li(_ v: Int) -> Int32 { Int32(truncatingIfNeeded: v) }
@inline(__always) private func trans(_ t: Bool) -> CChar { CChar(UInt8(ascii: t ? "T" : "N")) }
@inline(__always) private func bi(_ v: Int) -> blasint { blasint(truncatingIfNeeded: v) }

extension Float: LAPACKScalar {
    static func getrf(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Float>, lda: Int, _ ipiv: UnsafeMutablePointer<Int32>
    )
        -> Int
    {
        Int(LAPACKE_sgetrf_work(colMajor, li(m), li(n), a, li(lda), ipiv))
    }
    static func getri(
        n: Int, _ a: UnsafeMutablePointer<Float>, lda: Int, _ ipiv: UnsafePointer<Int32>,
        _ work: UnsafeMutablePointer<Float>, lwork: Int
    ) -> Int {
        Int(LAPACKE_sgetri_work(colMajor, li(n), a, li(lda), ipiv, work, li(lwork)))
    }
    static func getrs(
        transposed: Bool, n: Int, nrhs: Int, _ a: UnsafePointer<Float>, lda: Int,
        _ ipiv: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Float>, ldb: Int
    ) -> Int {
        Int(LAPACKE_sgetrs_work(colMajor, trans(transposed), li(n), li(nrhs), a, li(lda), ipiv, b, li(ldb)))
    }
    static func potrf(n: Int, _ a: UnsafeMutablePointer<Float>, lda: Int) -> Int {
        Int(LAPACKE_spotrf_work(colMajor, lowerTriangle, li(n), a, li(lda)))
    }
    static func geqrf(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Float>, lda: Int, _ tau: UnsafeMutablePointer<Float>,
        _ work: UnsafeMutablePointer<Float>, lwork: Int
    ) -> Int {
        Int(LAPACKE_sgeqrf_work(colMajor, li(m), li(n), a, li(lda), tau, work, li(lwork)))
    }
    static func orgqr(
        m: Int, n: Int, k: Int, _ a: UnsafeMutablePointer<Float>, lda: Int, _ tau: UnsafePointer<Float>,
        _ work: UnsafeMutablePointer<Float>, lwork: Int
    ) -> Int {
        Int(LAPACKE_sorgqr_work(colMajor, li(m), li(n), li(k), a, li(lda), tau, work, li(lwork)))
    }
    static func gesdd(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Float>, lda: Int, _ s: UnsafeMutablePointer<Float>,
        _ u: UnsafeMutablePointer<Float>, ldu: Int, _ vt: UnsafeMutablePointer<Float>, ldvt: Int,
        _ work: UnsafeMutablePointer<Float>, lwork: Int, _ iwork: UnsafeMutablePointer<Int32>
    ) -> Int {
        Int(
            LAPACKE_sgesdd_work(
                colMajor, reduced, li(m), li(n), a, li(lda), s, u, li(ldu), vt, li(ldvt), work, li(lwork),
                iwork))
    }
    static func syevd(
        n: Int, _ a: UnsafeMutablePointer<Float>, lda: Int, _ w: UnsafeMutablePointer<Float>,
        _ work: UnsafeMutablePointer<Float>, lwork: Int, _ iwork: UnsafeMutablePointer<Int32>, liwork: Int
    ) -> Int {
        Int(
            LAPACKE_ssyevd_work(
                colMajor, vectors, lowerTriangle, li(n), a, li(lda), w, work, li(lwork), iwork, li(liwork)))
    }
    static func gelsd(
        m: Int, n: Int, nrhs: Int, _ a: UnsafeMutablePointer<Float>, lda: Int,
        _ b: UnsafeMutablePointer<Float>,
        ldb: Int, _ s: UnsafeMutablePointer<Float>, rcond: Float, _ work: UnsafeMutablePointer<Float>,
        lwork: Int, _ iwork: UnsafeMutablePointer<Int32>
    ) -> Int {
        var rank: Int32 = 0
        return Int(
            LAPACKE_sgelsd_work(
                colMajor, li(m), li(n), li(nrhs), a, li(lda), b, li(ldb), s, rcond, &rank, work, li(lwork),
                iwork))
    }
    static func trsm(
        lower: Bool, transposed: Bool, n: Int, nrhs: Int, _ a: UnsafePointer<Float>, lda: Int,
        _ b: UnsafeMutablePointer<Float>, ldb: Int
    ) {
        cblas_strsm(
            CblasColMajor, CblasLeft, lower ? CblasLower : CblasUpper, transposed ? CblasTrans : CblasNoTrans,
            CblasNonUnit, bi(n), bi(nrhs), 1, a, bi(lda), b, bi(ldb))
    }
}

extension Double: LAPACKScalar {
    static func getrf(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int, _ ipiv: UnsafeMutablePointer<Int32>
    ) -> Int {
        Int(LAPACKE_dgetrf_work(colMajor, li(m), li(n), a, li(lda), ipiv))
    }
    static func getri(
        n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int, _ ipiv: UnsafePointer<Int32>,
        _ work: UnsafeMutablePointer<Double>, lwork: Int
    ) -> Int {
        Int(LAPACKE_dgetri_work(colMajor, li(n), a, li(lda), ipiv, work, li(lwork)))
    }
    static func getrs(
        transposed: Bool, n: Int, nrhs: Int, _ a: UnsafePointer<Double>, lda: Int,
        _ ipiv: UnsafePointer<Int32>,
        _ b: UnsafeMutablePointer<Double>, ldb: Int
    ) -> Int {
        Int(LAPACKE_dgetrs_work(colMajor, trans(transposed), li(n), li(nrhs), a, li(lda), ipiv, b, li(ldb)))
    }
    static func potrf(n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int) -> Int {
        Int(LAPACKE_dpotrf_work(colMajor, lowerTriangle, li(n), a, li(lda)))
    }
    static func geqrf(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int, _ tau: UnsafeMutablePointer<Double>,
        _ work: UnsafeMutablePointer<Double>, lwork: Int
    ) -> Int {
        Int(LAPACKE_dgeqrf_work(colMajor, li(m), li(n), a, li(lda), tau, work, li(lwork)))
    }
    static func orgqr(
        m: Int, n: Int, k: Int, _ a: UnsafeMutablePointer<Double>, lda: Int, _ tau: UnsafePointer<Double>,
        _ work: UnsafeMutablePointer<Double>, lwork: Int
    ) -> Int {
        Int(LAPACKE_dorgqr_work(colMajor, li(m), li(n), li(k), a, li(lda), tau, work, li(lwork)))
    }
    static func gesdd(
        m: Int, n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int, _ s: UnsafeMutablePointer<Double>,
        _ u: UnsafeMutablePointer<Double>, ldu: Int, _ vt: UnsafeMutablePointer<Double>, ldvt: Int,
        _ work: UnsafeMutablePointer<Double>, lwork: Int, _ iwork: UnsafeMutablePointer<Int32>
    ) -> Int {
        Int(
            LAPACKE_dgesdd_work(
                colMajor, reduced, li(m), li(n), a, li(lda), s, u, li(ldu), vt, li(ldvt), work, li(lwork),
                iwork))
    }
    static func syevd(
        n: Int, _ a: UnsafeMutablePointer<Double>, lda: Int, _ w: UnsafeMutablePointer<Double>,
        _ work: UnsafeMutablePointer<Double>, lwork: Int, _ iwork: UnsafeMutablePointer<Int32>, liwork: Int
    ) -> Int {
        Int(
            LAPACKE_dsyevd_work(
                colMajor, vectors, lowerTriangle, li(n), a, li(lda), w, work, li(lwork), iwork, li(liwork)))
    }
    static func gelsd(
        m: Int, n: Int, nrhs: Int, _ a: UnsafeMutablePointer<Double>, lda: Int,
        _ b: UnsafeMutablePointer<Double>,
        ldb: Int, _ s: UnsafeMutablePointer<Double>, rcond: Double, _ work: UnsafeMutablePointer<Double>,
        lwork: Int, _ iwork: UnsafeMutablePointer<Int32>
    ) -> Int {
        var rank: Int32 = 0
        return Int(
            LAPACKE_dgelsd_work(
                colMajor, li(m), li(n), li(nrhs), a, li(lda), b, li(ldb), s, rcond, &rank, work, li(lwork),
                iwork))
    }
    static func trsm(
        lower: Bool, transposed: Bool, n: Int, nrhs: Int, _ a: UnsafePointer<Double>, lda: Int,
        _ b: UnsafeMutablePointer<Double>, ldb: Int
    ) {
        cblas_dtrsm(
            CblasColMajor, CblasLeft, lower ? CblasLower : CblasUpper, transposed ? CblasTrans : CblasNoTrans,
            CblasNonUnit, bi(n), bi(nrhs), 1, a, bi(lda), b, bi(ldb))
    }
}
