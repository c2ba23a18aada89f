// Gather along an axis and its adjoint, scatter-add. Indices out of range are not an error the kernel
// can stop on (a worker runs it on client data): they select nothing and contribute nothing, and the
// gathered value is 0.

/// `out[...i...] = x[...index[...i...]...]` along `axis`.
func gatherKernel(_ x: Tensor, _ index: Tensor, axis: Int) -> Tensor {
    let out = Tensor(uninitializedShape: index.shape, dtype: x.dtype)
    let idx = index.contiguous()
    let ip = idx.elementPointer(Int64.self)
    let xStrides = x.strides
    let n = out.count
    let axisSize = x.shape[axis]
    func run<T: TensorElement>(_: T.Type) {
        let src = x.localStorage.pointer.assumingMemoryBound(to: T.self)
        let dst = out.elementPointer(T.self)
        forEachIndex(index.shape, count: n) { flat, coords in
            let k = Int(ip[flat])
            guard k >= 0 && k < axisSize else {
                dst[flat] = T(converting: 0)
                return
            }
            var o = x.offset
            for d in coords.indices { o += (d == axis ? k : coords[d]) * xStrides[d] }
            dst[flat] = src[o]
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64: run(Int64.self)
    case .bool: run(Bool.self)
    }
    return out
}

/// Zeros of `shape` with `g` added at the positions `index` selects along `axis` (gather's gradient).
func scatterAddKernel(_ g: Tensor, _ index: Tensor, axis: Int, shape: [Int]) -> Tensor {
    let out = Tensor.zeros(shape, dtype: g.dtype)
    let gc = g.contiguous()
    let idx = index.contiguous()
    let ip = idx.elementPointer(Int64.self)
    let outStrides = contiguousStrides(shape)
    let axisSize = shape[axis]
    func run<T: ArithmeticElement>(_: T.Type) {
        let src = gc.elementPointer(T.self)
        let dst = out.elementPointer(T.self)
        forEachIndex(index.shape, count: idx.count) { flat, coords in
            let k = Int(ip[flat])
            guard k >= 0 && k < axisSize else { return }
            var o = 0
            for d in coords.indices { o += (d == axis ? k : coords[d]) * outStrides[d] }
            dst[o] = T.add(dst[o], src[flat])
        }
    }
    switch g.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64: run(Int64.self)
    case .bool: preconditionFailure("scatter_add: not supported for bool tensors")
    }
    return out
}

/// Calls `body(flatIndex, coordinates)` for every position of `shape` in row-major order.
private func forEachIndex(_ shape: [Int], count: Int, _ body: (Int, [Int]) -> Void) {
    if count == 0 { return }
    var coords = [Int](repeating: 0, count: shape.count)
    for flat in 0..<count {
        body(flat, coords)
        var d = shape.count - 1
        while d >= 0 {
            coords[d] += 1
            if coords[d] < shape[d] { break }
            coords[d] = 0
            d -= 1
        }
    }
}
