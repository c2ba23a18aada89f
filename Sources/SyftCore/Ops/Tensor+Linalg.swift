// Linear algebra, named as `torch.linalg` names it: inv, solve, det, slogdet, cholesky, qr, svd, eigh,
// lstsq. Each works on the last two axes and is batched over the axes before them; float32 and float64
// only. The functions that can fail on the values of their input throw a `LinalgError` (Note
// [Linear-algebra errors]); shape and dtype errors stop, as everywhere else.

/// The inverse of a square matrix, or of each matrix in a batch (`torch.linalg.inv`).
///
/// `inv(A)` is the matrix `A⁻¹` with `A A⁻¹ = A⁻¹ A = I`, computed from the LU factorization with partial
/// pivoting. Its derivative is `-A⁻ᵀ g A⁻ᵀ`.
///
/// ```swift
/// let a = Tensor([[4.0, 7], [2, 6]], dtype: .float64)
/// let b = try inv(a)   // tensor([[ 0.6000, -0.7000], [-0.2000,  0.4000]], dtype=torch.float64)
/// ```
/// - Parameter a: a tensor of shape `[*, n, n]`, float32 or float64.
/// - Returns: the inverses, of `a`'s shape and dtype.
/// - Throws: ``LinalgError`` with reason `.singular` when a matrix has no inverse (an exact zero pivot),
///   naming the batch element. On a remote tensor, the error surfaces at the next call that waits for the
///   worker.
/// - Precondition: `a` has at least two dimensions, square matrices, and a floating-point dtype.
///
/// ### See Also
/// ``solve(_:_:)``, ``det(_:)``
public func inv(_ a: Tensor) throws(LinalgError) -> Tensor {
    try tryDispatch(.linalgInv, [a])[0]
}

/// The solution `X` of the linear system `A X = B` (`torch.linalg.solve`).
///
/// `A` is square; `B` is a matrix (`[*, n, k]`) or, as PyTorch decides, a vector per matrix: when it has
/// one dimension, or one dimension fewer than `A` with `A`'s leading shape. Batch axes broadcast. The
/// derivatives are `gB = A⁻ᵀ g` and `gA = -gB Xᵀ`.
///
/// ```swift
/// let a = Tensor([[3.0, 1], [1, 2]], dtype: .float64)
/// let x = try solve(a, Tensor([9.0, 8], dtype: .float64))   // tensor([2., 3.], dtype=torch.float64)
/// ```
/// - Parameters:
///   - a: the coefficients, `[*, n, n]`.
///   - b: the right-hand sides, `[*, n, k]` or `[*, n]`, of `a`'s dtype.
/// - Returns: `X`, of shape `[*, n, k]` (or `[*, n]`) with the broadcast batch.
/// - Throws: ``LinalgError`` with reason `.singular` when a matrix `A` is singular.
/// - Precondition: `a` holds square matrices; `b`'s rows match; batches broadcast; both have the same
///   floating-point dtype.
///
/// ### See Also
/// ``inv(_:)``, ``lstsq(_:_:)``
public func solve(_ a: Tensor, _ b: Tensor) throws(LinalgError) -> Tensor {
    try tryDispatch(.linalgSolve, [a, b])[0]
}

/// The determinant of a square matrix, or of each matrix in a batch (`torch.linalg.det`).
///
/// `det(A) = ±∏ U_ii` from the LU factorization; a singular matrix has determinant 0 (not an error). The
/// derivative is `g · det(A) · A⁻ᵀ`, the cofactor matrix, computed through the SVD when `|det(A)|` is below
/// `100 ε` so that it is right at singular matrices too.
///
/// ```swift
/// det(Tensor([[1.0, 2], [3, 4]]))   // tensor(-2.0000)
/// ```
/// - Parameter a: a tensor of shape `[*, n, n]`, float32 or float64.
/// - Returns: the determinants, of shape `[*]`.
/// - Precondition: `a` holds square matrices of a floating-point dtype.
///
/// ### See Also
/// ``slogdet(_:)``
public func det(_ a: Tensor) -> Tensor {
    dispatch1(.linalgDet, a)
}

/// The sign and the natural logarithm of the absolute value of the determinant (`torch.linalg.slogdet`).
///
/// `det(A) = sign · exp(logabsdet)`, without the overflow or underflow of the determinant itself. A
/// singular matrix gives `(0, -inf)`. The derivative of `logabsdet` is `g · A⁻ᵀ` (NaN at a singular
/// matrix, where it does not exist); `sign` has none.
///
/// ```swift
/// let (sign, logabsdet) = slogdet(Tensor([[0.0, 2], [3, 0]]))   // -1 and log(6)
/// ```
/// - Parameter a: a tensor of shape `[*, n, n]`, float32 or float64.
/// - Returns: `sign` (-1, 0 or 1) and `logabsdet`, each of shape `[*]`.
/// - Precondition: `a` holds square matrices of a floating-point dtype.
///
/// ### See Also
/// ``det(_:)``
public func slogdet(_ a: Tensor) -> (sign: Tensor, logabsdet: Tensor) {
    let r = dispatch(.linalgSlogdet, [a])
    return (r[0], r[1])
}

/// The lower Cholesky factor of a symmetric positive-definite matrix (`torch.linalg.cholesky`).
///
/// `L` is lower triangular with a positive diagonal and `A = L Lᵀ`. Only the lower triangle of `A` is
/// read. The derivative is PyTorch's symmetric one, `L⁻ᵀ Φ L⁻¹` with `Φ = ½ (X + tril(X, -1)ᵀ)`,
/// `X = tril(Lᵀ g)`.
///
/// ```swift
/// let l = try cholesky(Tensor([[4.0, 2], [2, 5]]))   // tensor([[2., 0.], [1., 2.]])
/// ```
/// - Parameter a: a tensor of shape `[*, n, n]`, float32 or float64.
/// - Returns: `L`, of `a`'s shape and dtype, zero above the diagonal.
/// - Throws: ``LinalgError`` with reason `.notPositiveDefinite` naming the order of the first leading
///   minor that is not positive-definite (a NaN pivot counts as not positive, as in LAPACK and PyTorch).
/// - Precondition: `a` holds square matrices of a floating-point dtype.
///
/// ### See Also
/// ``eigh(_:)``
public func cholesky(_ a: Tensor) throws(LinalgError) -> Tensor {
    try tryDispatch(.linalgCholesky, [a])[0]
}

/// The reduced QR decomposition (`torch.linalg.qr`, `mode='reduced'`).
///
/// `A = Q R` with `Q` (m×k) having orthonormal columns and `R` (k×n) upper triangular, `k = min(m, n)`,
/// from Householder reflections (LAPACK's signs: the diagonal of `R` may be negative). Differentiable;
/// the derivative is infinite where `A` does not have full rank.
///
/// ```swift
/// let (q, r) = qr(Tensor([[3.0, 1], [4, 2]]))
/// // matmul(q, r) is A again; q.matrixTransposed() · q is I
/// ```
/// - Parameter a: a tensor of shape `[*, m, n]`, float32 or float64.
/// - Returns: `Q` of shape `[*, m, k]` and `R` of shape `[*, k, n]`.
/// - Precondition: `a` has at least two dimensions and a floating-point dtype.
///
/// ### See Also
/// ``svd(_:)``
public func qr(_ a: Tensor) -> (Q: Tensor, R: Tensor) {
    let r = dispatch(.linalgQr, [a])
    return (r[0], r[1])
}

/// The reduced singular value decomposition (`torch.linalg.svd`, `full_matrices=False`).
///
/// `A = U diag(S) Vh` with `U` (m×k) and `Vhᵀ` (n×k) having orthonormal columns and `S` the singular
/// values in descending order, `k = min(m, n)` (LAPACK's `gesdd`). Singular vectors are defined up to
/// sign, so compare them through quantities that do not depend on it. Differentiable (PyTorch's
/// formula); the gradient through `U` or `Vh` is infinite where singular values repeat.
///
/// ```swift
/// let (u, s, vh) = try svd(Tensor([[3.0, 0], [0, -2]]))   // s: tensor([3., 2.])
/// ```
/// - Parameter a: a tensor of shape `[*, m, n]`, float32 or float64.
/// - Returns: `U` `[*, m, k]`, `S` `[*, k]`, `Vh` `[*, k, n]`.
/// - Throws: ``LinalgError`` with reason `.nonFinite` when a matrix holds NaN or infinity, or
///   `.noConvergence` when the algorithm does not converge.
/// - Precondition: `a` has at least two dimensions and a floating-point dtype.
///
/// ### See Also
/// ``qr(_:)``, ``eigh(_:)``
public func svd(_ a: Tensor) throws(LinalgError) -> (U: Tensor, S: Tensor, Vh: Tensor) {
    let r = try tryDispatch(.linalgSvd, [a])
    return (r[0], r[1], r[2])
}

/// The eigenvalues and eigenvectors of a symmetric matrix (`torch.linalg.eigh`, `UPLO='L'`).
///
/// `A = V diag(L) Vᵀ` with the eigenvalues `L` in ascending order and orthonormal eigenvectors as the
/// columns of `V`; only the lower triangle of `A` is read (LAPACK's `syevd`). Eigenvectors are defined up
/// to sign. Differentiable (PyTorch's formula); the gradient through `V` is infinite where eigenvalues
/// repeat.
///
/// ```swift
/// let (values, vectors) = try eigh(Tensor([[2.0, 1], [1, 2]]))   // values: tensor([1., 3.])
/// ```
/// - Parameter a: a tensor of shape `[*, n, n]`, float32 or float64.
/// - Returns: `eigenvalues` `[*, n]` and `eigenvectors` `[*, n, n]`.
/// - Throws: ``LinalgError`` with reason `.nonFinite` when the lower triangle holds NaN or infinity, or
///   `.noConvergence` when the algorithm does not converge.
/// - Precondition: `a` holds square matrices of a floating-point dtype.
///
/// ### See Also
/// ``svd(_:)``, ``cholesky(_:)``
public func eigh(_ a: Tensor) throws(LinalgError) -> (eigenvalues: Tensor, eigenvectors: Tensor) {
    let r = try tryDispatch(.linalgEigh, [a])
    return (r[0], r[1])
}

/// The least-squares solution of `A X = B` (`torch.linalg.lstsq(A, B).solution`).
///
/// `X = A⁺ B` minimizes `‖A X - B‖` and, among minimizers, `‖X‖` (LAPACK's `gelsd`; singular values below
/// `ε · max(m, n)` times the largest count as zero, PyTorch's default `rcond`). Only the solution is
/// returned, not PyTorch's residuals, rank and singular values. `B` is `[*, m, k]`, or `[*, m]` when it
/// has one dimension fewer than `A`; batch axes broadcast. Differentiable through the pseudo-inverse
/// (valid where the rank of `A` does not change).
///
/// ```swift
/// let a = Tensor([[1.0, 0], [0, 1], [1, 1]], dtype: .float64)
/// let x = try lstsq(a, Tensor([1.0, 2, 3], dtype: .float64))   // [1, 2] up to rounding
/// ```
/// - Parameters:
///   - a: the coefficients, `[*, m, n]`.
///   - b: the right-hand sides, `[*, m, k]` or `[*, m]`, of `a`'s dtype.
/// - Returns: `X`, of shape `[*, n, k]` (or `[*, n]`) with the broadcast batch.
/// - Throws: ``LinalgError`` with reason `.nonFinite` when `A` or `B` holds NaN or infinity, or
///   `.noConvergence` when the SVD does not converge.
/// - Precondition: `a` and `b` have the same floating-point dtype and number of rows; batches broadcast.
///
/// ### See Also
/// ``solve(_:_:)``, ``svd(_:)``
public func lstsq(_ a: Tensor, _ b: Tensor) throws(LinalgError) -> Tensor {
    try tryDispatch(.linalgLstsq, [a, b])[0]
}
