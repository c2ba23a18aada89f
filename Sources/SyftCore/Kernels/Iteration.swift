// Strided iteration: how kernels walk operands that are views (transposed, sliced, broadcast) without
// first copying them.

/// Axes of an iteration over `shape` for several operands, with size-1 axes dropped and axes merged
/// where every operand's layout allows, so the innermost run is as long as possible.
struct StridedLayout {
    var shape: [Int]
    /// Strides per operand, per axis.
    var strides: [[Int]]

    init(shape: [Int], strides: [[Int]]) {
        var s: [Int] = []
        var st: [[Int]] = Array(repeating: [], count: strides.count)
        for i in shape.indices where shape[i] != 1 {
            if let last = s.indices.last,
                strides.indices.allSatisfy({ st[$0][last] == strides[$0][i] &* shape[i] })
            {
                s[last] &*= shape[i]
                for k in strides.indices { st[k][last] = strides[k][i] }
            } else {
                s.append(shape[i])
                for k in strides.indices { st[k].append(strides[k][i]) }
            }
        }
        if s.isEmpty {
            s = [1]
            for k in strides.indices { st[k] = [0] }
        }
        self.shape = s
        self.strides = st
    }

    /// Calls `body(start, n, offsets)` for each innermost run of the flat (row-major) range `range`:
    /// `start` is the flat index of the run's first element, `n` its length, and `offsets[k]` the element
    /// offset of operand `k` at the run's start (added to `base[k]`). Within a run operand `k` advances by
    /// `strides[k].last!`.

    func forEachRun(
        in range: Range<Int>, base: [Int], _ body: (Int, Int, UnsafeMutableBufferPointer<Int>) -> Void
    ) {
        let rank = shape.count
        let ops = strides.count
        let inner = shape[rank - 1]
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank + ops) { tmp in
            let index = UnsafeMutableBufferPointer(rebasing: tmp[0..<rank])
            let offsets = UnsafeMutableBufferPointer(rebasing: tmp[rank..<(rank + ops)])
            var rest = range.lowerBound
            var a = rank - 1
            while a >= 0 {
                index[a] = rest % shape[a]
                rest /= shape[a]
                a -= 1
            }
            for k in 0..<ops {
                var o = base[k]
                for a in 0..<rank { o &+= index[a] &* strides[k][a] }
                offsets[k] = o
            }
            var pos = range.lowerBound
            while pos < range.upperBound {
                let n = Swift.min(inner - index[rank - 1], range.upperBound - pos)
                body(pos, n, offsets)
                pos &+= n
                index[rank - 1] &+= n
                for k in 0..<ops { offsets[k] &+= n &* strides[k][rank - 1] }
                var a = rank - 1
                while a > 0 && index[a] == shape[a] {
                    index[a] = 0
                    for k in 0..<ops { offsets[k] &-= shape[a] &* strides[k][a] }
                    a -= 1
                    index[a] &+= 1
                    for k in 0..<ops { offsets[k] &+= strides[k][a] }
                }
            }
        }
    }
}

extension Tensor {
    /// A pointer to the first element of a local tensor (its offset applied), typed as `T`.

    func elementPointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        localStorage.pointer.assumingMemoryBound(to: T.self) + offset
    }

    /// Whether the tensor is local, contiguous, and has exactly `shape`.

    func isFlat(_ shape: [Int]) -> Bool {
        self.shape == shape && SyftCore.isContiguous(shape: self.shape, strides: strides)
    }

    /// The strides that read this tensor broadcast to `target`.

    func strides(broadcastTo target: [Int]) -> [Int] {
        broadcastStrides(shape: shape, strides: strides, to: target)
    }

    /// A contiguous local copy of the data, or the tensor itself when it is already contiguous.
    ///
    /// ```swift
    /// let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).transposed()
    /// t.isContiguous               // false
    /// t.contiguous().isContiguous  // true, the same values
    /// ```
    public func contiguous() -> Tensor {
        guard isLocal, !isContiguous else { return self }
        var out = Tensor(uninitializedShape: shape, dtype: dtype)
        copyElements(from: self, into: out.localStorage.pointer, shape: shape)
        out.autograd = autograd
        return out
    }
}

/// Copies the elements of `src` (any layout), read as if it had shape `shape` (broadcasting), into the
/// contiguous buffer `dst` in row-major order.
func copyElements(from src: Tensor, into dst: UnsafeMutableRawPointer, shape: [Int]) {
    let n = shapeCount(shape)
    if n == 0 { return }
    let size = src.dtype.byteSize
    let srcBase = src.localStorage.pointer
    if src.isFlat(shape) {
        (dst).copyMemory(from: srcBase + src.offset * size, byteCount: n * size)
        return
    }
    let srcStrides = src.strides(broadcastTo: shape)
    if srcStrides.allSatisfy({ $0 == 0 }) {
        // One element repeated (an expanded scalar, as a sum's gradient): a fill.
        let from = srcBase + src.offset * size
        switch size {
        case 1: dst.initializeMemory(as: UInt8.self, repeating: from.load(as: UInt8.self), count: n)
        case 4: dst.initializeMemory(as: UInt32.self, repeating: from.load(as: UInt32.self), count: n)
        default: dst.initializeMemory(as: UInt64.self, repeating: from.load(as: UInt64.self), count: n)
        }
        return
    }
    let layout = StridedLayout(shape: shape, strides: [srcStrides, contiguousStrides(shape)])
    func run<T>(_: T.Type) {
        let s = srcBase.assumingMemoryBound(to: T.self)
        let d = dst.assumingMemoryBound(to: T.self)
        let inner = layout.strides[0].last!
        let box = UncheckedSendable((s, d))
        parallelChunks(n, grain: Grain.cheap) { range in
            let (s, d) = box.value
            layout.forEachRun(in: range, base: [src.offset, 0]) { start, count, offsets in
                var p = s + offsets[0]
                let q = d + start
                if inner == 1 {
                    q.update(from: p, count: count)
                } else if inner == 0 {
                    q.update(repeating: p.pointee, count: count)
                } else {
                    for i in 0..<count {
                        q[i] = p.pointee
                        p += inner
                    }
                }
            }
        }
    }
    switch size {
    case 1: run(UInt8.self)
    case 4: run(UInt32.self)
    default: run(UInt64.self)
    }
}
