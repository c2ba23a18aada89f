// Movement kernels. Reshape, permute, expand and slice return views (same storage, new shape, strides and
// offset) whenever the layout allows; slice-scatter and cat write new tensors.

extension Tensor {
    /// A view of the same elements with a new shape, or nil when the layout cannot be viewed that way
    /// without a copy (PyTorch's `computeStride`).
    func reshapedView(_ newShape: [Int]) -> Tensor? {
        if let newStrides = viewStrides(from: shape, strides, to: newShape) {
            var t = self
            t.shape = newShape
            t.strides = newStrides
            t.autograd = nil
            return t
        }
        return nil
    }

    /// A view with the axes permuted: axis `i` of the result is axis `dims[i]` of `self`.
    func permutedView(_ dims: [Int]) -> Tensor {
        var t = self
        t.shape = dims.map { shape[$0] }
        t.strides = dims.map { strides[$0] }
        t.autograd = nil
        return t
    }

    /// A view broadcast to `target` (stride 0 on expanded axes).
    func expandedView(_ target: [Int]) -> Tensor {
        var t = self
        t.strides = broadcastStrides(shape: shape, strides: strides, to: target)
        t.shape = target
        t.autograd = nil
        return t
    }

    /// A view of the region `ranges` (one per axis).
    func slicedView(_ ranges: [SliceRange]) -> Tensor {
        var t = self
        for (i, r) in ranges.enumerated() {
            if r.count > 0 { t.offset += r.start * strides[i] }
            t.shape[i] = r.count
            t.strides[i] = strides[i] * r.step
        }
        t.autograd = nil
        return t
    }
}

/// Strides viewing data of `shape`/`strides` as `newShape`, or nil when that needs a copy.
private func viewStrides(from shape: [Int], _ strides: [Int], to newShape: [Int]) -> [Int]? {
    let count = shapeCount(shape)
    if count == 0 || SyftCore.isContiguous(shape: shape, strides: strides) {
        return contiguousStrides(newShape)
    }
    var newStrides = [Int](repeating: 0, count: newShape.count)
    var viewD = newShape.count - 1
    var chunkBase = strides.last ?? 1
    var tensorNumel = 1
    var viewNumel = 1
    var d = shape.count - 1
    while d >= 0 {
        tensorNumel *= shape[d]
        if d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase) {
            while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                newStrides[viewD] = viewNumel * chunkBase
                viewNumel *= newShape[viewD]
                viewD -= 1
            }
            if viewNumel != tensorNumel { return nil }
            if d > 0 {
                chunkBase = strides[d - 1]
                tensorNumel = 1
                viewNumel = 1
            }
        }
        d -= 1
    }
    return viewD == -1 ? newStrides : nil
}

/// `base` with the region `ranges` replaced by `value` (broadcast to the region).
func sliceScatterKernel(_ base: Tensor, _ value: Tensor, ranges: [SliceRange]) -> Tensor {
    let out = Tensor(uninitializedShape: base.shape, dtype: base.dtype)
    copyElements(from: base, into: out.localStorage.pointer, shape: base.shape)
    let region = out.slicedView(ranges)
    writeElements(from: value.converted(to: base.dtype), into: region)
    return out
}

/// Writes `src` (broadcast to `dst`'s shape) into the elements of the view `dst`, whose storage the
/// caller owns uniquely.
func writeElements(from src: Tensor, into dst: Tensor) {
    let n = dst.count
    if n == 0 { return }
    if dst.isContiguous {
        copyElements(
            from: src, into: dst.localStorage.pointer + dst.offset * dst.dtype.byteSize, shape: dst.shape)
        return
    }
    let layout = StridedLayout(shape: dst.shape, strides: [src.strides(broadcastTo: dst.shape), dst.strides])
    func run<T>(_: T.Type) {
        let s = src.localStorage.pointer.assumingMemoryBound(to: T.self)
        let d = dst.localStorage.pointer.assumingMemoryBound(to: T.self)
        let (si, di) = (layout.strides[0].last!, layout.strides[1].last!)
        layout.forEachRun(in: 0..<n, base: [src.offset, dst.offset]) { _, count, o in
            var p = s + o[0]
            var q = d + o[1]
            for _ in 0..<count {
                q.pointee = p.pointee
                p += si
                q += di
            }
        }
    }
    switch dst.dtype.byteSize {
    case 1: run(UInt8.self)
    case 4: run(UInt32.self)
    default: run(UInt64.self)
    }
}

/// The concatenation of `inputs` along `axis` into a new tensor of `outMeta`.
func catKernel(_ inputs: [Tensor], axis: Int, outMeta: TensorMeta) -> Tensor {
    let out = Tensor(uninitializedShape: outMeta.shape, dtype: outMeta.dtype)
    var start = 0
    for t in inputs {
        let len = t.shape[axis]
        if len == 0 { continue }
        var ranges = outMeta.shape.map { SliceRange(start: 0, end: $0) }
        ranges[axis] = SliceRange(start: start, end: start + len)
        writeElements(from: t.converted(to: outMeta.dtype), into: out.slicedView(ranges))
        start += len
    }
    return out
}
