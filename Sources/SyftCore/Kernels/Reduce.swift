// Reductions over axes: sum, prod, max, min (and argmax/argmin along one axis). The input is brought to a
// layout where the reduced elements are either the trailing axes (each output reduces one contiguous row)
// or the leading axes (rows are accumulated into the output); other layouts are permuted and copied
// first. Float32 sums use blocked SIMD accumulators with double-precision block totals, so a 16M-element
// sum keeps its accuracy (as NumPy's pairwise sum does).

/// The four associative reductions.
enum ReduceKind: Sendable { case sum, prod, max, min }

func reduceKernel(_ x: Tensor, axes: [Int], keepDims: Bool, kind: ReduceKind, outDType: DType) -> Tensor {
    if x.rank == 0 { return x.converted(to: outDType) }
    if axes.count == x.rank, x.dtype == outDType, x.isContiguous, x.count > 0 {
        // Every axis of a flat buffer (`x.sum()`): one row, without the axis bookkeeping below.
        let out = Tensor(
            uninitializedShape: keepDims ? [Int](repeating: 1, count: x.rank) : [], dtype: outDType)
        reduceRows(x, rowLength: x.count, into: out, kind)
        return out
    }
    let keptShape = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    let finalShape =
        keepDims ? keptShape : x.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    let src = x.converted(to: outDType)
    let kept = x.shape.indices.filter { !axes.contains($0) }
    let reduceCount = axes.reduce(1) { $0 * x.shape[$1] }
    let outCount = shapeCount(finalShape)
    var out = Tensor(uninitializedShape: finalShape, dtype: outDType)
    if outCount == 0 { return out }
    let leading = axes == Array(0..<axes.count)
    if leading && src.isContiguous && !kept.isEmpty && reduceCount > 1 {
        switch outDType {
        case .float32: outerReduce(src, Float.self, rows: reduceCount, into: &out, kind)
        case .float64: outerReduce(src, Double.self, rows: reduceCount, into: &out, kind)
        case .int64: outerReduce(src, Int64.self, rows: reduceCount, into: &out, kind)
        case .bool: outerReduce(src, Bool.self, rows: reduceCount, into: &out, kind)
        }
        return out
    }
    let perm = kept + axes
    let rows = perm == Array(x.shape.indices) ? src.contiguous() : src.permutedView(perm).contiguous()
    reduceRows(rows, rowLength: reduceCount, into: out, kind)
    return out
}

/// Reduces each contiguous row of `rowLength` elements of `rows` into one element of `out` (both of
/// `out`'s dtype).
private func reduceRows(_ rows: Tensor, rowLength: Int, into out: Tensor, _ kind: ReduceKind) {
    switch out.dtype {
    case .float32: innerReduce(rows, Float.self, rowLength: rowLength, into: out, kind)
    case .float64: innerReduce(rows, Double.self, rowLength: rowLength, into: out, kind)
    case .int64: innerReduce(rows, Int64.self, rowLength: rowLength, into: out, kind)
    case .bool: innerReduce(rows, Bool.self, rowLength: rowLength, into: out, kind)
    }
}

/// Elements that can be reduced: identity values and the combining step per kind.
protocol Reducible: TensorElement {
    static func identity(_ kind: ReduceKind) -> Self
    static func combine(_ kind: ReduceKind, _ a: Self, _ b: Self) -> Self
    /// Sum of `n` contiguous elements, accurately (blocked) where it matters.
    static func rowSum(_ p: UnsafePointer<Self>, _ n: Int) -> Self
}

extension Reducible {
    static func rowReduce(_ kind: ReduceKind, _ p: UnsafePointer<Self>, _ n: Int) -> Self {
        if kind == .sum { return rowSum(p, n) }
        var acc = identity(kind)
        for i in 0..<n { acc = combine(kind, acc, p[i]) }
        return acc
    }
}

extension Float: Reducible {
    static func identity(_ kind: ReduceKind) -> Float {
        switch kind {
        case .sum: return 0
        case .prod: return 1
        case .max: return -.infinity
        case .min: return .infinity
        }
    }
    static func combine(_ kind: ReduceKind, _ a: Float, _ b: Float) -> Float {
        switch kind {
        case .sum: return a + b
        case .prod: return a * b
        case .max: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        case .min: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        }
    }
    static func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        Float(blockedSum(p, n))
    }
}

extension Double: Reducible {
    static func identity(_ kind: ReduceKind) -> Double {
        switch kind {
        case .sum: return 0
        case .prod: return 1
        case .max: return -.infinity
        case .min: return .infinity
        }
    }
    static func combine(_ kind: ReduceKind, _ a: Double, _ b: Double) -> Double {
        switch kind {
        case .sum: return a + b
        case .prod: return a * b
        case .max: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        case .min: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        }
    }
    static func rowSum(_ p: UnsafePointer<Double>, _ n: Int) -> Double {
        var acc = SIMD4<Double>()
        var acc2 = SIMD4<Double>()
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 8 <= n {
            acc += raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
            acc2 += raw.loadUnaligned(fromByteOffset: (i + 4) * 8, as: SIMD4<Double>.self)
            i += 8
        }
        var s = (acc + acc2).sum()
        while i < n {
            s += p[i]
            i += 1
        }
        return s
    }
}

extension Int64: Reducible {
    static func identity(_ kind: ReduceKind) -> Int64 {
        switch kind {
        case .sum: return 0
        case .prod: return 1
        case .max: return .min
        case .min: return .max
        }
    }
    static func combine(_ kind: ReduceKind, _ a: Int64, _ b: Int64) -> Int64 {
        switch kind {
        case .sum: return a &+ b
        case .prod: return a &* b
        case .max: return Swift.max(a, b)
        case .min: return Swift.min(a, b)
        }
    }
    static func rowSum(_ p: UnsafePointer<Int64>, _ n: Int) -> Int64 {
        var s: Int64 = 0
        for i in 0..<n { s &+= p[i] }
        return s
    }
}

extension Bool: Reducible {
    static func identity(_ kind: ReduceKind) -> Bool {
        switch kind {
        case .sum, .max: return false
        case .prod, .min: return true
        }
    }
    static func combine(_ kind: ReduceKind, _ a: Bool, _ b: Bool) -> Bool {
        switch kind {
        case .sum, .max: return a || b
        case .prod, .min: return a && b
        }
    }
    static func rowSum(_ p: UnsafePointer<Bool>, _ n: Int) -> Bool {
        for i in 0..<n where p[i] { return true }
        return false
    }
}

/// The sum of `n` floats: 16 float lanes, each adding 16 elements per block of 256 before its total moves
/// to a double lane. The float32 rounding error is then that of 16-term sums, as accurate as PyTorch's
/// cascade sum (2^18 times 0.1 gives 26214.404; with 4096-element float blocks it was 26214.465).
func blockedSum(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    let raw = UnsafeRawPointer(p)
    var total = SIMD8<Double>()
    var i = 0
    while i < n - 15 {
        let end = Swift.min(n - 15, i + 256)
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        while i < end {
            a0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            a1 += raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
            i += 16
        }
        total += SIMD8<Double>(a0) + SIMD8<Double>(a1)
    }
    var s = total.sum()
    while i < n {
        s += Double(p[i])
        i += 1
    }
    return s
}

/// Each output element reduces one contiguous row of `rowLength` elements of `rows`.
func innerReduce<T: Reducible>(
    _ rows: Tensor, _: T.Type, rowLength: Int, into out: Tensor, _ kind: ReduceKind
) {
    let outCount = out.count
    let src = UncheckedSendable(rows.elementPointer(T.self))
    let dst = UncheckedSendable(out.elementPointer(T.self))
    if outCount == 1 {
        // One long row: split it across the cores and combine the partial results.
        let threads = Swift.max(1, Swift.min(kernelThreadCount, rowLength / Grain.cheap))
        if threads <= 1 {
            dst.value[0] = T.rowReduce(kind, src.value, rowLength)
            return
        }
        let partials = UncheckedSendable(UnsafeMutablePointer<T>.allocate(capacity: threads))
        defer { partials.value.deallocate() }
        let chunk = (rowLength + threads - 1) / threads
        parallelChunks(threads, grain: 1) { r in
            for t in r {
                let start = t * chunk
                let n = Swift.max(0, Swift.min(rowLength, start + chunk) - start)
                partials.value[t] = T.rowReduce(kind, src.value + start, n)
            }
        }
        var acc = partials.value[0]
        for t in 1..<threads { acc = T.combine(kind, acc, partials.value[t]) }
        dst.value[0] = acc
        return
    }
    parallelChunks(outCount, grain: Swift.max(1, Grain.cheap / Swift.max(rowLength, 1))) { r in
        for o in r { dst.value[o] = T.rowReduce(kind, src.value + o * rowLength, rowLength) }
    }
}

/// The output (of `out.count` elements) accumulates `rows` contiguous rows of `src`.
func outerReduce<T: Reducible>(
    _ src: Tensor, _: T.Type, rows: Int, into out: inout Tensor, _ kind: ReduceKind
) {
    let width = out.count
    let s = UncheckedSendable(src.elementPointer(T.self))
    let d = UncheckedSendable(out.elementPointer(T.self))
    parallelChunks(width, grain: Swift.max(64, Grain.cheap / Swift.max(rows, 1))) { cols in
        let s = s.value
        let d = d.value
        if T.self == Float.self && kind == .sum {
            // Accumulate float32 columns in double for accuracy over many rows.
            let acc = UnsafeMutablePointer<Double>.allocate(capacity: cols.count)
            defer { acc.deallocate() }
            acc.initialize(repeating: 0, count: cols.count)
            let fs = UnsafeRawPointer(s).assumingMemoryBound(to: Float.self)
            for r in 0..<rows {
                let row = fs + r * width + cols.lowerBound
                for j in 0..<cols.count { acc[j] += Double(row[j]) }
            }
            let fd = UnsafeMutableRawPointer(d).assumingMemoryBound(to: Float.self)
            for j in 0..<cols.count { fd[cols.lowerBound + j] = Float(acc[j]) }
            return
        }
        for j in cols { d[j] = s[j] }
        for r in 1..<rows {
            let row = s + r * width
            for j in cols { d[j] = T.combine(kind, d[j], row[j]) }
        }
    }
}

/// The index of the first maximum (or minimum) of each row along `axis` (or of the flattened tensor).
func argReduceKernel(_ x: Tensor, axis: Int?, keepDims: Bool, findMax: Bool) -> Tensor {
    let (rows, rowLength, outShape): (Tensor, Int, [Int])
    if let axis, !x.shape.isEmpty {
        var perm = x.shape.indices.filter { $0 != axis }
        perm.append(axis)
        rows = x.permutedView(perm).contiguous()
        rowLength = x.shape[axis]
        var s = x.shape
        if keepDims { s[axis] = 1 } else { s.remove(at: axis) }
        outShape = s
    } else {
        rows = x.contiguous()
        rowLength = x.count
        outShape = keepDims ? x.shape.map { _ in 1 } : []
    }
    let out = Tensor(uninitializedShape: outShape, dtype: .int64)
    let dst = out.elementPointer(Int64.self)
    func run<T: TensorElement & Comparable>(_: T.Type, isNaN: (T) -> Bool) {
        let src = rows.elementPointer(T.self)
        for o in 0..<out.count {
            let row = src + o * rowLength
            var best = 0
            var bestValue = row[0]
            if !isNaN(bestValue) {
                for i in 1..<Swift.max(rowLength, 1) {
                    let v = row[i]
                    if isNaN(v) {
                        best = i
                        break
                    }
                    if findMax ? v > bestValue : v < bestValue {
                        best = i
                        bestValue = v
                    }
                }
            }
            dst[o] = Int64(best)
        }
    }
    switch x.dtype {
    case .float32: run(Float.self) { $0.isNaN }
    case .float64: run(Double.self) { $0.isNaN }
    case .int64: run(Int64.self) { _ in false }
    case .bool: preconditionFailure("argmax: not supported for bool tensors")
    }
    return out
}
