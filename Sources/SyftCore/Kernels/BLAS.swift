internal import COpenBLAS

// The only file (with LAPACK.swift) that sees OpenBLAS. Transposed operands go to GEMM as flags, not
// copies; only layouts GEMM cannot express (broadcast rows, arbitrary strides) are copied first.

/// Floating-point types with a BLAS GEMM (`sgemm`, `dgemm`).
protocol BLASScalar: TensorElement, FloatingPoint {
    /// Row-major `C = A·B + beta·C`, `A` m×k and `B` k×n, each possibly transposed in memory.
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Self>, lda: Int, _ b: UnsafePointer<Self>, ldb: Int,
        beta: Self, _ c: UnsafeMutablePointer<Self>, ldc: Int)
}

// Note [Who threads GEMM]
// OpenBLAS's own threads busy-wait (sched_yield) for a long while after each call, so the elementwise
// kernels that follow a GEMM in a training step would fight them for the cores. So OpenBLAS runs on the
// calling thread only, and a GEMM large enough to pay for it is split here, by rows of C (or columns
// when C has few rows), across the same threads the elementwise kernels use; each part is one
// single-threaded GEMM on its own block of C.

/// Makes OpenBLAS single-threaded, once (Note [Who threads GEMM]).
let openBLASOnOneThread: Void = { openblas_set_num_threads(1) }()

/// Multiply-adds below which a GEMM runs on the calling thread alone.
private let parallelGEMMWork = 1 << 21

extension BLASScalar {
    /// Row-major `C = A·B + beta·C` (`beta` 0 by default: C is only written), `A` m×k and `B` k×n, each
    /// possibly transposed in memory, split across the cores when large (Note [Who threads GEMM]).
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Self>, lda: Int, _ b: UnsafePointer<Self>, ldb: Int,
        _ c: UnsafeMutablePointer<Self>, ldc: Int, beta: Self = 0
    ) {
        _ = openBLASOnOneThread
        let work = m * n * k
        let parts = work >= parallelGEMMWork ? Swift.min(kernelThreadCount, Swift.max(m, n) / 64) : 1
        guard parts > 1 else {
            gemm(
                transA: transA, transB: transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, beta: beta, c,
                ldc: ldc)
            return
        }
        let ptrs = UncheckedSendable((a, b, c))
        if m >= n || m >= 64 * parts {
            // Split the rows of C (and A).
            let rows = (m + parts - 1) / parts
            parallelChunks(parts, grain: 1) { r in
                let (a, b, c) = ptrs.value
                for p in r {
                    let start = p * rows
                    let count = Swift.min(rows, m - start)
                    guard count > 0 else { continue }
                    let aStart = transA ? a + start : a + start * lda
                    gemm(
                        transA: transA, transB: transB, m: count, n: n, k: k, aStart, lda: lda, b, ldb: ldb,
                        beta: beta, c + start * ldc, ldc: ldc)
                }
            }
        } else {
            // Split the columns of C (and B).
            let cols = (n + parts - 1) / parts
            parallelChunks(parts, grain: 1) { r in
                let (a, b, c) = ptrs.value
                for p in r {
                    let start = p * cols
                    let count = Swift.min(cols, n - start)
                    guard count > 0 else { continue }
                    let bStart = transB ? b + start * ldb : b + start
                    gemm(
                        transA: transA, transB: transB, m: m, n: count, k: k, a, lda: lda, bStart, ldb: ldb,
                        beta: beta, c + start, ldc: ldc)
                }
            }
        }
    }
}

extension Float: BLASScalar {
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasInt(m), blasInt(n), blasInt(k), 1, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }
}

extension Double: BLASScalar {
    static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
        beta: Double, _ c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasInt(m), blasInt(n), blasInt(k), 1, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }
}

@inline(__always) private func blasInt(_ v: Int) -> blasint { blasint(truncatingIfNeeded: v) }

/// A matrix operand of GEMM: where it starts and how it is laid out.
private struct MatrixOperand {
    var offset: Int
    var transposed: Bool
    var ld: Int
}

/// How GEMM can read a rows×cols matrix with strides (rs, cs), or nil when it needs a copy.
private func gemmLayout(rows: Int, cols: Int, rs: Int, cs: Int) -> (transposed: Bool, ld: Int)? {
    if cs == 1 || cols == 1 {
        let ld = rows == 1 ? Swift.max(cols, 1) : rs
        if ld >= Swift.max(cols, 1) { return (false, ld) }
    }
    if rs == 1 || rows == 1 {
        let ld = cols == 1 ? Swift.max(rows, 1) : cs
        if ld >= Swift.max(rows, 1) { return (true, ld) }
    }
    return nil
}

/// The matrix product with PyTorch's rules; `outShape` comes from the shape rule.
func matmulKernel(_ a0: Tensor, _ b0: Tensor, outShape: [Int]) -> Tensor {
    // Promote vectors to matrices: a [k] -> [1, k], b [k] -> [k, 1].
    var a = a0.rank == 1 ? a0.contiguous().reshapedView([1, a0.shape[0]])! : a0
    var b = b0.rank == 1 ? b0.contiguous().reshapedView([b0.shape[0], 1])! : b0
    let m = a.shape[a.rank - 2]
    let k = a.shape[a.rank - 1]
    let n = b.shape[b.rank - 1]
    if gemmLayout(rows: m, cols: k, rs: a.strides[a.rank - 2], cs: a.strides[a.rank - 1]) == nil {
        a = a.contiguous()
    }
    if gemmLayout(rows: k, cols: n, rs: b.strides[b.rank - 2], cs: b.strides[b.rank - 1]) == nil {
        b = b.contiguous()
    }
    let batch = Array(outShape.dropLast((a0.rank == 1 ? 0 : 1) + (b0.rank == 1 ? 0 : 1)))
    let batchCount = shapeCount(batch)
    let out = Tensor(uninitializedShape: outShape, dtype: a.dtype)
    if out.count == 0 { return out }
    if k == 0 {
        out.localStorage.pointer.initializeMemory(
            as: UInt8.self, repeating: 0, count: out.count * a.dtype.byteSize)
        return out
    }
    // Fold a's batch into its rows when b is one matrix and a is contiguous: one GEMM for the batch.
    if b.rank == 2 && a.rank > 2 && a.isContiguous {
        return gemmBatch(
            a.reshapedView([batchCount * m, k])!, b, batch: 1, aBatchStrides: [], bBatchStrides: [],
            batchShape: [], m: batchCount * m, n: n, k: k, out: out)
    }
    let aBatchStrides = broadcastStrides(
        shape: Array(a.shape.dropLast(2)), strides: Array(a.strides.dropLast(2)), to: batch)
    let bBatchStrides = broadcastStrides(
        shape: Array(b.shape.dropLast(2)), strides: Array(b.strides.dropLast(2)), to: batch)
    return gemmBatch(
        a, b, batch: batchCount, aBatchStrides: aBatchStrides, bBatchStrides: bBatchStrides,
        batchShape: batch,
        m: m, n: n, k: k, out: out)
}

/// `x·weightᵀ + bias` (`Op.linear`) as one GEMM: the output's rows start as the bias and GEMM adds the
/// product to them (`beta = 1`, as `addmm` does); the weight is read transposed in place.
func linearKernel(_ x0: Tensor, weight w0: Tensor, bias: Tensor?, out meta: TensorMeta) -> Tensor {
    let (n, k) = (w0.shape[0], w0.shape[1])
    let m = shapeCount(Array(x0.shape.dropLast()))
    let out = Tensor(uninitializedShape: meta.shape, dtype: meta.dtype)
    if out.count == 0 { return out }
    // x as an m×k matrix and the weight as its k×n transpose, copied only when GEMM cannot read them.
    let x =
        x0.rank == 2 && gemmLayout(rows: m, cols: k, rs: x0.strides[0], cs: x0.strides[1]) != nil
        ? x0 : x0.contiguous().reshapedView([m, k])!
    let w = gemmLayout(rows: k, cols: n, rs: w0.strides[1], cs: w0.strides[0]) == nil ? w0.contiguous() : w0
    let lx = gemmLayout(rows: m, cols: k, rs: x.strides[0], cs: x.strides[1])!
    let lw = gemmLayout(rows: k, cols: n, rs: w.strides[1], cs: w.strides[0])!
    let b = bias?.contiguous()
    func run<T: BLASScalar>(_: T.Type) {
        let c = out.elementPointer(T.self)
        if let b {
            let row = b.elementPointer(T.self)
            for i in 0..<m { (c + i * n).update(from: row, count: n) }
        } else if k == 0 {
            c.update(repeating: 0, count: m * n)
        }
        guard k > 0 else { return }
        T.gemm(
            transA: lx.transposed, transB: lw.transposed, m: m, n: n, k: k,
            x.elementPointer(T.self), lda: lx.ld, w.elementPointer(T.self), ldb: lw.ld, c, ldc: n,
            beta: b == nil ? 0 : 1)
    }
    switch out.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64, .bool: preconditionFailure("linear: needs floating-point tensors")
    }
    return out
}

private func gemmBatch(
    _ a: Tensor, _ b: Tensor, batch: Int, aBatchStrides: [Int], bBatchStrides: [Int], batchShape: [Int],
    m: Int, n: Int, k: Int, out: Tensor
) -> Tensor {
    let la = gemmLayout(rows: m, cols: k, rs: a.strides[a.rank - 2], cs: a.strides[a.rank - 1])!
    let lb = gemmLayout(rows: k, cols: n, rs: b.strides[b.rank - 2], cs: b.strides[b.rank - 1])!
    func offsets(_ i: Int, _ strides: [Int]) -> Int {
        var rest = i
        var o = 0
        var d = batchShape.count - 1
        while d >= 0 {
            o += (rest % batchShape[d]) * strides[d]
            rest /= batchShape[d]
            d -= 1
        }
        return o
    }
    func run<T: BLASScalar>(_: T.Type) {
        let pa = a.localStorage.pointer.assumingMemoryBound(to: T.self)
        let pb = b.localStorage.pointer.assumingMemoryBound(to: T.self)
        let pc = out.elementPointer(T.self)
        for i in 0..<batch {
            T.gemm(
                transA: la.transposed, transB: lb.transposed, m: m, n: n, k: k,
                pa + a.offset + offsets(i, aBatchStrides), lda: la.ld,
                pb + b.offset + offsets(i, bBatchStrides), ldb: lb.ld, pc + i * m * n, ldc: Swift.max(n, 1))
        }
    }
    switch a.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64:
        let pa = a.localStorage.pointer.assumingMemoryBound(to: Int64.self)
        let pb = b.localStorage.pointer.assumingMemoryBound(to: Int64.self)
        let pc = out.elementPointer(Int64.self)
        let (ars, acs) = (a.strides[a.rank - 2], a.strides[a.rank - 1])
        let (brs, bcs) = (b.strides[b.rank - 2], b.strides[b.rank - 1])
        for bi in 0..<batch {
            let oa = a.offset + offsets(bi, aBatchStrides)
            let ob = b.offset + offsets(bi, bBatchStrides)
            let c = pc + bi * m * n
            c.initialize(repeating: 0, count: m * n)
            for i in 0..<m {
                for p in 0..<k {
                    let av = pa[oa + i * ars + p * acs]
                    for j in 0..<n { c[i * n + j] &+= av &* pb[ob + p * brs + j * bcs] }
                }
            }
        }
    case .bool: preconditionFailure("matmul: not supported for bool tensors")
    }
    return out
}
