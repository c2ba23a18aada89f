// The derivatives of the linear-algebra operations, called from the exhaustive switch in Op+VJP.swift.
// Real-valued versions of PyTorch's formulas (torch/csrc/autograd/FunctionsManual.cpp), written with
// the tensor operations and, for the factorizations they need, the kernels of Linalg.swift. They run
// where the graph is, on local tensors, with recording off.
//
// They never stop on data (Note [Linear-algebra errors]): an inverse they need exists, because the
// forward pass has factored the same matrix; where the derivative is infinite or undefined they give
// non-finite values, as PyTorch does:
//   - slogdet of a singular matrix (logabsdet = -inf): NaN;
//   - svd with repeated singular values, eigh with repeated eigenvalues: the gradient of the singular
//     vectors or eigenvectors divides by their differences (infinite, or NaN); the values alone are fine;
//   - qr of a matrix without full rank (a zero on R's diagonal): infinite or NaN;
//   - lstsq: the derivative of the pseudo-inverse, valid where the rank of A is locally constant.

/// The gradient of `inv(A)`: `-A⁻ᵀ g A⁻ᵀ`, from the saved result.
func invBackward(_ g: Tensor, inverse: Tensor) -> Tensor {
    let t = inverse.matrixTransposed()
    return -matmul(t, matmul(g, t))
}

/// The gradients of `X = solve(A, B)`: `gB = A⁻ᵀ g` (a transposed solve with A's own LU
/// factorization) and `gA = -gB Xᵀ`.
func solveBackward(_ g: Tensor, _ a: Tensor, _ b: Tensor, _ x: Tensor, needs: GradientMask) -> [Tensor?] {
    let gb = factored { () throws(LinalgError) in try solveKernel(a, g, out: g.meta, transposeA: true) }
    guard needs[0] else { return [nil, gb] }
    let ga =
        solveIsVectorCase(a.shape, b.shape)
        ? -(gb.unsqueezed(at: -1) * x.unsqueezed(at: -2)) : -matmul(gb, x.matrixTransposed())
    return [ga, needs[1] ? gb : nil]
}

/// The gradient of `det(A)`: `g · det(A) · A⁻ᵀ`, the cofactor matrix scaled by `g`. For matrices
/// with `|det| < 100 ε` the cofactors come from the SVD, `A = U S Vh`: `cof(A) = det(U) det(Vh) U
/// diag(∏_{j≠i} S_j) Vh`, which needs no inverse and is right for singular matrices too (PyTorch's
/// formula for higher-order gradients; its first-order shortcut gives 0 at a singular matrix, while
/// this gives the true derivative, the adjugate).
func detBackward(_ g: Tensor, _ a: Tensor, det: Tensor) -> Tensor {
    if a.count == 0 { return Tensor.zeros(a.shape, dtype: a.dtype) }
    let eps = a.dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
    let scale = g.unsqueezed(at: -1).unsqueezed(at: -1)
    if !det.doubles.contains(where: { Swift.abs($0) < 100 * eps }) {
        let inverse = factored { () throws(LinalgError) in try invKernel(a, nanIfSingular: true) }
        return scale * det.unsqueezed(at: -1).unsqueezed(at: -1) * inverse.matrixTransposed()
    }
    guard let usv = try? svdKernel(a) else {
        // Only for non-finite entries, where the derivative is undefined anyway.
        return Tensor.full(a.shape, .nan, dtype: a.dtype)
    }
    let (u, s, vh) = (usv[0], usv[1], usv[2])
    let n = a.shape[a.rank - 1]
    let sign = luDeterminantKernel(u, logarithmic: false)[0] * luDeterminantKernel(vh, logarithmic: false)[0]
    // ∏_{j≠i} S_j without division: each row of the matrix is S with S_i replaced by 1.
    let others = `where`(Tensor.eye(n, dtype: .bool), 1.0, s.unsqueezed(at: -2)).prod(squeezingAxes: -1)
    let d = others * (sign * g).unsqueezed(at: -1)
    return matmul(u * d.unsqueezed(at: -2), vh)
}

/// The gradient of `slogdet(A)` through `logabsdet`: `g · A⁻ᵀ` (the sign has none). NaN for a
/// singular matrix, where logabsdet is -inf and not differentiable.
func slogdetBackward(_ g: Tensor?, _ a: Tensor) -> Tensor? {
    guard let g else { return nil }
    let inverse = factored { () throws(LinalgError) in try invKernel(a, nanIfSingular: true) }
    return g.unsqueezed(at: -1).unsqueezed(at: -1) * inverse.matrixTransposed()
}

/// The gradient of `L = cholesky(A)`, symmetric as PyTorch's (Murray 2016, arXiv 1602.07527):
/// `gA = L⁻ᵀ Φ L⁻¹` with `Φ = ½ (X + tril(X, -1)ᵀ)`, `X = tril(Lᵀ g)`.
func choleskyBackward(_ g: Tensor, _ l: Tensor) -> Tensor {
    let n = l.shape[l.rank - 1]
    let x = matmul(l.matrixTransposed(), g) * triangleMask(n, l.dtype, diagonal: true)
    let phi = 0.5 * (x + (x * triangleMask(n, l.dtype, diagonal: false)).matrixTransposed())
    let y = triangularSolve(l, phi, lower: true, transposed: true)  // L⁻ᵀ Φ
    return triangularSolve(l, y.matrixTransposed(), lower: true, transposed: true).matrixTransposed()
}

/// The gradient of the reduced `(Q, R) = qr(A)` (PyTorch's `linalg_qr_backward`), with `M = gR Rᵀ -
/// Qᵀ gQ`: for `m ≥ n`, `gA = (gQ + Q (triu(M) + triu(M, 1)ᵀ)) R⁻ᵀ`; for `m < n`,
/// `gA = [Q tril(Mᵀ - M) R₁⁻ᵀ, 0] + Q gR` with `R₁` the leading m×m block of R.
func qrBackward(_ gq: Tensor?, _ gr: Tensor?, q: Tensor, r: Tensor) -> Tensor? {
    if gq == nil && gr == nil { return nil }
    let (m, n) = (q.shape[q.rank - 2], r.shape[r.rank - 1])
    let k = Swift.min(m, n)
    var mm = Tensor.zeros([k, k], dtype: q.dtype)
    if let gr { mm = mm + matmul(gr, r.matrixTransposed()) }
    if let gq { mm = mm - matmul(q.matrixTransposed(), gq) }
    if m >= n {
        let upper = mm * triangleMask(k, q.dtype, diagonal: true).matrixTransposed()
        let strict = mm * triangleMask(k, q.dtype, diagonal: false).matrixTransposed()
        var ga = matmul(q, upper + strict.matrixTransposed())
        if let gq { ga = ga + gq }
        // X Rᵀ = gA  ⇔  R Xᵀ = gAᵀ
        return triangularSolve(r, ga.matrixTransposed(), lower: false, transposed: false).matrixTransposed()
    }
    let skew = (mm.matrixTransposed() - mm) * triangleMask(k, q.dtype, diagonal: true)
    let r1 = dispatch1(
        .slice(r.shape.enumerated().map { SliceRange(start: 0, end: $0 == r.rank - 1 ? m : $1) }), r)
    let left = triangularSolve(r1, matmul(q, skew).matrixTransposed(), lower: false, transposed: false)
    var ga = cat(
        [left.matrixTransposed(), Tensor.zeros(Array(left.shape.dropLast(2)) + [m, n - m], dtype: q.dtype)],
        axis: q.rank - 1)
    if let gr { ga = ga + matmul(q, gr) }
    return ga
}

/// The gradient of the reduced `(U, S, Vh) = svd(A)` (PyTorch's `svd_backward`, real case), with
/// `E_jk = S_k² - S_j²` (1 on the diagonal) and `skew(X) = X - Xᵀ`:
/// `gA = U [(skew(Uᵀ gU) / E) S + S (skew(Vh gVhᵀ) / E) + diag(gS)] Vh`, plus
/// `(I - U Uᵀ) gU S⁻¹ Vh` when `m > n` and `U S⁻¹ gVh (I - Vhᵀ Vh)` when `m < n`.
func svdBackward(_ grads: [Tensor?], u: Tensor, s: Tensor, vh: Tensor) -> Tensor? {
    let (gu, gs, gvh) = (grads[0], grads[1], grads[2])
    if gu == nil && gvh == nil {
        guard let gs else { return nil }
        return matmul(u * gs.unsqueezed(at: -2), vh)
    }
    let (m, n, k) = (u.shape[u.rank - 2], vh.shape[vh.rank - 1], s.shape[s.rank - 1])
    let row = s.unsqueezed(at: -2)
    let column = s.unsqueezed(at: -1)
    let e = row * row - column * column + Tensor.eye(k, dtype: s.dtype)
    var inner = Tensor.zeros([k, k], dtype: s.dtype)
    if let gu {
        let x = matmul(u.matrixTransposed(), gu)
        inner = inner + (x - x.matrixTransposed()) / e * row
    }
    if let gvh {
        let x = matmul(vh, gvh.matrixTransposed())
        inner = inner + column * ((x - x.matrixTransposed()) / e)
    }
    if let gs { inner = inner + diagonalMatrix(gs) }
    if m > n, let gu {
        let scaled = gu / row
        let ga = matmul(u, inner) + scaled - matmul(u, matmul(u.matrixTransposed(), scaled))
        return matmul(ga, vh)
    }
    if m < n, let gvh {
        let scaled = gvh / column
        let ga = matmul(inner, vh) + scaled - matmul(matmul(scaled, vh.matrixTransposed()), vh)
        return matmul(u, ga)
    }
    return matmul(u, matmul(inner, vh))
}

/// The gradient of `(L, V) = eigh(A)` (PyTorch's `linalg_eig_backward`, symmetric case):
/// `gA = V (diag(gL) + ½ (Vᵀ gV - gVᵀ V) / E) Vᵀ` with `E_ij = L_j - L_i` (1 on the diagonal).
func eighBackward(_ gl: Tensor?, _ gv: Tensor?, values: Tensor, vectors v: Tensor) -> Tensor? {
    guard let gv else {
        guard let gl else { return nil }
        return matmul(v * gl.unsqueezed(at: -2), v.matrixTransposed())
    }
    let n = values.shape[values.rank - 1]
    let x = matmul(v.matrixTransposed(), gv)
    let e = values.unsqueezed(at: -2) - values.unsqueezed(at: -1) + Tensor.eye(n, dtype: v.dtype)
    var inner = 0.5 * (x - x.matrixTransposed()) / e
    if let gl { inner = inner + diagonalMatrix(gl) }
    return matmul(v, matmul(inner, v.matrixTransposed()))
}

/// The gradients of `X = lstsq(A, B) = A⁺ B` (PyTorch's `linalg_lstsq_backward`): `gB = A⁺ᵀ gX`, and
/// `gA` the gradient of the pseudo-inverse `A⁺` (n×m) for `G = gX Bᵀ`:
/// `-A⁺ᵀ G A⁺ᵀ + (I - A A⁺) Gᵀ A⁺ A⁺ᵀ + A⁺ᵀ A⁺ Gᵀ (I - A⁺ A)`.
func lstsqBackward(_ g: Tensor, _ a: Tensor, _ b: Tensor, needs: GradientMask) -> [Tensor?] {
    let vector = b.rank == a.rank - 1
    let m = a.shape[a.rank - 2]
    let identity = Tensor.eye(m, dtype: a.dtype).expanded(to: Array(a.shape.dropLast(2)) + [m, m])
    let meta = TensorMeta(shape: Array(a.shape.dropLast(2)) + [a.shape[a.rank - 1], m], dtype: a.dtype)
    guard let p = try? lstsqKernel(a, identity, out: meta) else {
        // Only when gelsd does not converge, on a matrix the forward pass solved.
        return [
            needs[0] ? Tensor.full(a.shape, .nan, dtype: a.dtype) : nil,
            needs[1] ? Tensor.full(b.shape, .nan, dtype: a.dtype) : nil,
        ]
    }
    let gx = vector ? g.unsqueezed(at: -1) : g
    let pt = p.matrixTransposed()
    var gb: Tensor? = nil
    if needs[1] {
        let r = matmul(pt, gx)
        gb = vector ? r.squeezed(at: -1) : r
    }
    guard needs[0] else { return [nil, gb] }
    let bm = vector ? b.unsqueezed(at: -1) : b
    let gt = matmul(bm, gx.matrixTransposed())  // Gᵀ, m×n
    let gtp = matmul(gt, p)  // Gᵀ A⁺, m×m
    let k = matmul(gtp, pt)  // Gᵀ A⁺ A⁺ᵀ, m×n
    let term1 = -matmul(pt, matmul(gt.matrixTransposed(), pt))
    let term2 = k - matmul(a, matmul(p, k))
    let term3 = matmul(pt, matmul(p, gt - matmul(gtp, a)))
    return [term1 + term2 + term3, gb]
}

// MARK: - Helpers

/// Runs a kernel on a matrix the forward pass has already factored with the same LAPACK routine, so it
/// cannot fail on its values.
private func factored(_ body: () throws(LinalgError) -> Tensor) -> Tensor {
    do {
        return try body()
    } catch {
        preconditionFailure("\(error) (in a derivative, on a matrix its forward pass factored)")
    }
}

/// The n×n lower-triangle mask (1 on and below the diagonal, or strictly below it), as `dtype`.
private func triangleMask(_ n: Int, _ dtype: DType, diagonal: Bool) -> Tensor {
    var values = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0..<(diagonal ? i + 1 : i) { values[i * n + j] = 1 }
    }
    return Tensor(shape: [n, n], scalars: values, dtype: dtype)
}

/// The diagonal matrices with the last axis of `v` on their diagonals (`torch.diag_embed`).
private func diagonalMatrix(_ v: Tensor) -> Tensor {
    v.unsqueezed(at: -1) * Tensor.eye(v.shape[v.rank - 1], dtype: v.dtype)
}
