// The shape and dtype rules of the linear-algebra operations (Op+Infer.swift calls these). Matrices are
// the last two axes; the axes before them are a batch, broadcast between the operands of solve and lstsq
// (PyTorch's rules). Only float32 and float64 are accepted, as PyTorch requires floating point.

extension Op {
    /// The batch shape, rows and columns of `a`, a batch of matrices of a floating-point dtype.
    func matrices(_ a: TensorMeta, square: Bool) throws(OpError) -> (batch: [Int], rows: Int, cols: Int) {
        if !a.dtype.isFloatingPoint {
            throw OpError(op: name, "expected a floating-point tensor as input, got \(a.dtype.rawValue)")
        }
        if a.shape.count < 2 {
            throw OpError(
                op: name, "the input must have at least 2 dimensions, got shape \(shapeString(a.shape))")
        }
        let rows = a.shape[a.shape.count - 2]
        let cols = a.shape[a.shape.count - 1]
        if square && rows != cols {
            throw OpError(
                op: name,
                "expected batches of square matrices, got shape \(shapeString(a.shape)) "
                    + "(\(rows) by \(cols) matrices)")
        }
        return (Array(a.shape.dropLast(2)), rows, cols)
    }

    /// `solve(A, B)`: `A` square, `B` a matrix `[*, n, k]` or a vector `[*, n]` (see
    /// ``solveIsVectorCase(_:_:)``); batches broadcast.
    func solveResult(_ a: TensorMeta, _ b: TensorMeta) throws(OpError) -> TensorMeta {
        let (aBatch, n, _) = try matrices(a, square: true)
        try sameDType(a, b)
        let vector = solveIsVectorCase(a.shape, b.shape)
        if !vector && b.shape.count < 2 {
            throw OpError(
                op: name, "B must be a vector or a batch of matrices, got shape \(shapeString(b.shape))")
        }
        let rows = vector ? b.shape[b.shape.count - 1] : b.shape[b.shape.count - 2]
        if rows != n {
            let k = vector ? 1 : b.shape[b.shape.count - 1]
            throw OpError(
                op: name,
                "incompatible shapes of A \(shapeString(a.shape)) and B \(shapeString(b.shape)) for "
                    + "the equation A X = B (\(n)x\(n) and \(rows)x\(k))")
        }
        let batch = try broadcastBatches(aBatch, Array(b.shape.dropLast(vector ? 1 : 2)), a, b)
        return TensorMeta(shape: batch + (vector ? [n] : [n, b.shape[b.shape.count - 1]]), dtype: a.dtype)
    }

    /// `lstsq(A, B)`: `A` `[*, m, n]`, `B` `[*, m, k]`, or `[*, m]` when it has one dimension fewer than
    /// `A` (PyTorch's rule); batches broadcast; the solution is `[*, n, k]` (or `[*, n]`).
    func lstsqResult(_ a: TensorMeta, _ b: TensorMeta) throws(OpError) -> TensorMeta {
        let (aBatch, m, n) = try matrices(a, square: false)
        try sameDType(a, b)
        let vector = b.shape.count == a.shape.count - 1
        if !vector && b.shape.count != a.shape.count {
            throw OpError(
                op: name,
                "B must have as many dimensions as A or one fewer, got shapes "
                    + "\(shapeString(a.shape)) and \(shapeString(b.shape))")
        }
        let rows = vector ? b.shape[b.shape.count - 1] : b.shape[b.shape.count - 2]
        if rows != m {
            throw OpError(
                op: name,
                "A \(shapeString(a.shape)) and B \(shapeString(b.shape)) have different numbers of "
                    + "rows (\(m) and \(rows))")
        }
        let batch = try broadcastBatches(aBatch, Array(b.shape.dropLast(vector ? 1 : 2)), a, b)
        return TensorMeta(shape: batch + (vector ? [n] : [n, b.shape[b.shape.count - 1]]), dtype: a.dtype)
    }

    private func sameDType(_ a: TensorMeta, _ b: TensorMeta) throws(OpError) {
        if a.dtype != b.dtype {
            throw OpError(
                op: name,
                "expected A and B to have the same dtype, got \(a.dtype.rawValue) and \(b.dtype.rawValue)")
        }
    }

    private func broadcastBatches(
        _ x: [Int], _ y: [Int], _ a: TensorMeta, _ b: TensorMeta
    ) throws(OpError) -> [Int] {
        guard let batch = broadcastShapes(x, y) else {
            throw OpError(
                op: name,
                "the batch dimensions of A \(shapeString(a.shape)) and B \(shapeString(b.shape)) "
                    + "do not broadcast")
        }
        return batch
    }
}

/// Whether `B` of `solve(A, B)` is a vector (or a batch of vectors) rather than a matrix, by PyTorch's
/// rule: `B` has one dimension, or one dimension fewer than `A` with `A`'s leading shape.
func solveIsVectorCase(_ a: [Int], _ b: [Int]) -> Bool {
    b.count == 1 || (b.count == a.count - 1 && Array(a.dropLast()) == b)
}
