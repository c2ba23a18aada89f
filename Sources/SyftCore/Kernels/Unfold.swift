// `unfold` (im2col as an operation) and its adjoint, built on the convolution's im2col and col2im
// (Conv+Im2col.swift): the unfolded image n is exactly the matrix the convolution multiplies,
// [C·kH·kW, OH·OW], row c·kH·kW + ky·kW + kx holding input channel c at kernel offset (ky, kx). Many
// small images are split across cores one block of images each; a few large ones split each image's
// rows (im2col) or channels (col2im) instead.

extension Conv2dGeometry {
    /// How many blocks of images run in parallel for unfold and its adjoint (1: split inside images).
    fileprivate var unfoldBlocks: Int {
        blockCount(batch, work: batch * colsCount, grain: Grain.cheap)
    }
}

/// The sliding windows of `x` [N, C, H, W] (or [C, H, W]) as columns: [N, C·kH·kW, OH·OW].
func unfoldKernel(_ x: Tensor, _ g: Conv2dGeometry, outShape: [Int]) -> Tensor {
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    if out.count == 0 { return out }
    let x = x.contiguous()
    switch x.dtype {
    case .float32: unfoldImages(Float.self, x, g, out)
    case .float64: unfoldImages(Double.self, x, g, out)
    case .int64, .bool:
        preconditionFailure("im2col: expected a floating-point input, got \(x.dtype.rawValue)")
    }
    return out
}

private func unfoldImages<T: ConvElement>(_: T.Type, _ x: Tensor, _ g: Conv2dGeometry, _ out: Tensor) {
    let px = UnsafePointer(x.elementPointer(T.self))
    let po = out.elementPointer(T.self)
    let blocks = g.unfoldBlocks
    parallelBlocks(g.batch, blocks: blocks) { _, images in
        for n in images {
            _ = im2col(px + n * g.imageCount, into: po + n * g.colsCount, g, split: blocks == 1)
        }
    }
}

/// The gradient of `unfold`: each column of `gy` [N, C·kH·kW, OH·OW] added back into the window it came
/// from (col2im, PyTorch's `fold`), giving the input's shape `inputShape`.
func unfoldBackwardKernel(_ gy: Tensor, inputShape: [Int], _ g: Conv2dGeometry) -> Tensor {
    let gx = Tensor(uninitializedShape: inputShape, dtype: gy.dtype)
    if gx.count == 0 { return gx }
    let gy = gy.contiguous()
    switch gy.dtype {
    case .float32: foldImages(Float.self, gy, g, gx)
    case .float64: foldImages(Double.self, gy, g, gx)
    case .int64, .bool:
        preconditionFailure("im2col: expected a floating-point gradient, got \(gy.dtype.rawValue)")
    }
    return gx
}

private func foldImages<T: ConvElement>(_: T.Type, _ gy: Tensor, _ g: Conv2dGeometry, _ gx: Tensor) {
    let pgy = UnsafePointer(gy.elementPointer(T.self))
    let pgx = gx.elementPointer(T.self)
    let blocks = g.unfoldBlocks
    parallelBlocks(g.batch, blocks: blocks) { _, images in
        // col2im may overwrite its columns, and `gy` may be shared: each image's columns are copied first.
        let scratch = UnsafeMutablePointer<T>.allocate(capacity: g.colsCount)
        defer { scratch.deallocate() }
        for n in images {
            scratch.update(from: pgy + n * g.colsCount, count: g.colsCount)
            col2im(scratch, into: pgx + n * g.imageCount, g, split: blocks == 1)
        }
    }
}
