// Support for the batched linear-algebra kernels (Linalg.swift): reading a batch of matrices from a
// tensor of any layout into column-major scratch buffers, writing results back row-major, and the
// checks around LAPACK calls.

/// A batch of matrices read from a local tensor `[*, rows, cols]` (or `[*, rows]` read as one-column
/// matrices), its batch axes broadcast to `batch`.
struct MatrixBatch {
    let tensor: Tensor
    let rows: Int
    let cols: Int
    let batch: [Int]
    private let batchStrides: [Int]
    private let rowStride: Int
    private let colStride: Int

    init(_ t: Tensor, batch: [Int], vector: Bool = false) {
        let r = t.rank
        tensor = t
        rows = vector ? t.shape[r - 1] : t.shape[r - 2]
        cols = vector ? 1 : t.shape[r - 1]
        rowStride = vector ? t.strides[r - 1] : t.strides[r - 2]
        colStride = vector ? 0 : t.strides[r - 1]
        self.batch = batch
        let lead = vector ? 1 : 2
        batchStrides = broadcastStrides(
            shape: Array(t.shape.dropLast(lead)), strides: Array(t.strides.dropLast(lead)), to: batch)
    }

    /// The number of matrices.
    var count: Int { shapeCount(batch) }

    /// Copies matrix `index` into `dst` in column-major order with leading dimension `ld`.
    func pack<T>(_ index: Int, into dst: UnsafeMutablePointer<T>, ld: Int) {
        var rest = index
        var offset = tensor.offset
        var d = batch.count - 1
        while d >= 0 {
            offset += (rest % batch[d]) * batchStrides[d]
            rest /= batch[d]
            d -= 1
        }
        let src = tensor.localStorage.pointer.assumingMemoryBound(to: T.self) + offset
        for j in 0..<cols {
            let column = dst + j * ld
            for i in 0..<rows { column[i] = src[i * rowStride + j * colStride] }
        }
    }

    /// The error for matrix `index` of this batch.
    func error(_ op: Op, _ index: Int, _ reason: LinalgError.Reason) -> LinalgError {
        LinalgError(op: op.name, batchIndex: batch.isEmpty ? nil : index, reason: reason)
    }
}

/// Writes the rows×cols column-major matrix `src` (leading dimension `ld`) into `dst` in row-major order;
/// with `lowerOnly`, the elements above the diagonal are written as zeros.
func unpack<T: LAPACKScalar>(
    _ src: UnsafePointer<T>, ld: Int, rows: Int, cols: Int, into dst: UnsafeMutablePointer<T>,
    lowerOnly: Bool = false
) {
    for i in 0..<rows {
        for j in 0..<cols { dst[i * cols + j] = lowerOnly && j > i ? 0 : src[j * ld + i] }
    }
}

/// Whether every element of the column-major matrix (its lower triangle with `lowerOnly`) is finite.
func isFinite<T: LAPACKScalar>(
    _ p: UnsafePointer<T>, ld: Int, rows: Int, cols: Int, lowerOnly: Bool = false
)
    -> Bool
{
    for j in 0..<cols {
        for i in (lowerOnly ? j : 0)..<rows where !p[j * ld + i].isFinite { return false }
    }
    return true
}

/// Stops on a negative LAPACK `info`: an illegal argument, which is a bug here, never the data's doing.
func checkArguments(_ info: Int, _ routine: String, _ op: Op) {
    precondition(info >= 0, "\(op.name): LAPACK \(routine) rejected argument \(-info) (a bug in SyftCore)")
}

/// The workspace size a LAPACK query returned in its first `work` element.
func workspace<T: LAPACKScalar>(_ queried: T) -> Int { Swift.max(1, Int(Double(queried).rounded(.up))) }

func scratch<T>(_ count: Int, _: T.Type) -> UnsafeMutablePointer<T> {
    .allocate(capacity: Swift.max(count, 1))
}

/// Runs `body` with `Float` or `Double` as the element type of `dtype`; the shape rule has ruled out the
/// others.
func floating<R>(
    _ dtype: DType, _ op: Op, _ body: (any LAPACKScalar.Type) throws(LinalgError) -> R
) throws(LinalgError) -> R {
    switch dtype {
    case .float32: return try body(Float.self)
    case .float64: return try body(Double.self)
    case .int64, .bool: preconditionFailure("\(op.name): not supported for \(dtype.rawValue) tensors")
    }
}
