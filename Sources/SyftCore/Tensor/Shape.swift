// Shapes, strides and broadcasting: plain functions over `[Int]`.

/// The number of elements of a tensor with this shape (1 for the empty shape of a 0-d tensor).
func shapeCount(_ shape: [Int]) -> Int {
    var n = 1
    for d in shape { n &*= d }
    return n
}

/// The element count of `shape`, or nil when a dimension is negative or the count exceeds 2^50.
public func checkedCount(_ shape: [Int]) -> Int? {
    var n = 1
    for d in shape {
        guard d >= 0 else { return nil }
        let (p, overflow) = n.multipliedReportingOverflow(by: d)
        if overflow || p > 1 << 50 { return nil }
        n = p
    }
    return n
}

/// Row-major (C-contiguous) strides, in elements, for `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var acc = 1
    var i = shape.count - 1
    while i >= 0 {
        strides[i] = acc
        acc &*= Swift.max(shape[i], 1)
        i -= 1
    }
    return strides
}

/// Whether `strides` describe a row-major layout of `shape` (size-1 axes may have any stride).
func isContiguous(shape: [Int], strides: [Int]) -> Bool {
    var expected = 1
    var i = shape.count - 1
    while i >= 0 {
        let d = shape[i]
        if d != 1 {
            if strides[i] != expected { return false }
            expected &*= d
        }
        i -= 1
    }
    return true
}

/// The broadcast shape of `a` and `b` under NumPy/PyTorch rules, or nil when they do not broadcast.
func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int]? {
    if a == b { return a }
    let n = Swift.max(a.count, b.count)
    var out = [Int](repeating: 0, count: n)
    for i in 0..<n {
        let da = i < n - a.count ? 1 : a[i - (n - a.count)]
        let db = i < n - b.count ? 1 : b[i - (n - b.count)]
        if da == db || db == 1 {
            out[i] = da
        } else if da == 1 {
            out[i] = db
        } else {
            return nil
        }
    }
    return out
}

/// Strides that read a tensor of `shape`/`strides` as if it had `target` shape (broadcasting:
/// leading and size-1 axes get stride 0). `shape` must broadcast to `target`.
func broadcastStrides(shape: [Int], strides: [Int], to target: [Int]) -> [Int] {
    let lead = target.count - shape.count
    var out = [Int](repeating: 0, count: target.count)
    for i in 0..<shape.count where shape[i] != 1 || target[lead + i] == 1 {
        out[lead + i] = shape[i] == 1 ? 0 : strides[i]
    }
    return out
}

/// Normalizes an axis that may be negative (counting from the end), or returns nil when out of range.
func normalizeAxis(_ axis: Int, rank: Int) -> Int? {
    let r = Swift.max(rank, 1)
    let a = axis < 0 ? axis + r : axis
    return a >= 0 && a < r ? a : nil
}

/// Formats a shape as PyTorch does in messages: `[2, 3]`.
func shapeString(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
