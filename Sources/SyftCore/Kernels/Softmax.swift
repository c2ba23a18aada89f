// Softmax and log-softmax along one axis, numerically stable: each row is shifted by its maximum before
// exponentiation, so no element overflows, and log-softmax is computed as `x - max - log(sum(exp(x -
// max)))` without ever taking the log of a rounded-to-zero probability.

func softmaxKernel(_ x: Tensor, axis: Int, log: Bool) -> Tensor {
    if x.rank == 0 { return log ? Tensor.zeros([], dtype: x.dtype) : Tensor.ones([], dtype: x.dtype) }
    // Bring the axis last so each row is contiguous.
    var perm = x.shape.indices.filter { $0 != axis }
    perm.append(axis)
    let moved = axis == x.rank - 1 ? x.contiguous() : x.permutedView(perm).contiguous()
    let rowLength = x.shape[axis]
    let rows = rowLength == 0 ? 0 : moved.count / rowLength
    let out = Tensor(uninitializedShape: moved.shape, dtype: x.dtype)
    func run<T: FloatElement>(_: T.Type) {
        let src = UncheckedSendable(moved.elementPointer(T.self))
        let dst = UncheckedSendable(out.elementPointer(T.self))
        parallelChunks(rows, grain: Swift.max(1, Grain.costly / Swift.max(rowLength, 1))) { r in
            for row in r {
                let p = src.value + row * rowLength
                let q = dst.value + row * rowLength
                var m = -T.infinity
                for i in 0..<rowLength where !(p[i] <= m) { m = p[i] }
                if m.isInfinite && m < 0 { m = 0 }  // all -inf: keep exp finite (gives NaN/−inf as PyTorch)
                for i in 0..<rowLength { q[i] = p[i] - m }
                if log {
                    // q holds x - m; exponentiate into scratch to sum, then subtract the log of the sum.
                    var s: Double = 0
                    withUnsafeTemporaryAllocation(of: T.self, capacity: rowLength) { e in
                        T.vectorApply(.exp, q, e.baseAddress!, rowLength)
                        for i in 0..<rowLength { s += Double(e[i]) }
                    }
                    let ls = T(Glibc.log(s))
                    for i in 0..<rowLength { q[i] = q[i] - ls }
                } else {
                    T.vectorApply(.exp, q, q, rowLength)
                    var s: Double = 0
                    for i in 0..<rowLength { s += Double(q[i]) }
                    let inv = T(1 / s)
                    for i in 0..<rowLength { q[i] = q[i] * inv }
                }
            }
        }
    }
    if x.dtype == .float64 { run(Double.self) } else { run(Float.self) }
    if axis == x.rank - 1 { return out }
    var inverse = [Int](repeating: 0, count: perm.count)
    for (i, d) in perm.enumerated() { inverse[d] = i }
    return out.permutedView(inverse).contiguous()
}

/// 1 with probability `p`, else 0, with `x`'s shape and dtype.
func bernoulliKernel(like x: Tensor, p: Double, generator: Generator) -> Tensor {
    var values = [Double](repeating: 0, count: x.count)
    generator.fill(values.count) { i, next in
        values[i] = Double(next() >> 11) * 0x1.0p-53 < p ? 1 : 0
    }
    return Tensor(shape: x.shape, scalars: values, dtype: x.dtype)
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
