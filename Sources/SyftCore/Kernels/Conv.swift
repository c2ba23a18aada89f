// Note [Convolution by im2col and GEMM]
// The convolution of one image is a matrix product. im2col copies each output position's receptive
// field (C/groups × kH × kW values per group, zeros where the window hangs over the padding) into a
// column of a [C·kH·kW, OH·OW] matrix whose rows come in groups; then, for each group,
// out[g] = weight[g] [O/groups, patch] · cols[g] [patch, OH·OW]. The backward pass reuses the same
// matrices: the weight gradient is Σ_images gradOut[g] · cols[g]ᵀ, and the input gradient is
// col2im(weight[g]ᵀ · gradOut[g]), where col2im adds each column back into the window it came from. A
// 1×1 kernel with stride 1 and no padding needs neither: the image is its own matrix.
//
// Work is split across cores in one of two ways (`imageBlocks`). When one image's GEMMs are small (at
// most 65536 × 4 multiply-adds: below that OpenBLAS runs a GEMM on the calling thread, as its
// `interface/gemm.c` decides), the batch is split into blocks of images, one block per core, each with
// its own im2col scratch (which stays in cache) and its own partial weight and bias gradients, summed at
// the end. Larger GEMMs OpenBLAS threads itself: the images then run one after another, and only im2col
// and col2im are split, by rows and by channels.

/// Element types with a convolution kernel: Float and Double (GEMM through `BLASScalar`).
typealias ConvElement = BLASScalar & FloatElement

/// The largest GEMM (m·n·k) that OpenBLAS runs on the calling thread.
private let blasInlineWork = 65536 * 4
/// Multiply-adds a block of images should carry before it gets a thread of its own.
private let convGrain = 1 << 17

extension Conv2dGeometry {
    /// A 1×1 kernel with stride 1 and no padding: the image is its own im2col matrix.
    var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
    }
    var imageCount: Int { channels * height * width }
    var outImageCount: Int { outChannels * positions }
    /// Elements of one image's im2col matrix, all groups.
    var colsCount: Int { channels * kernelH * kernelW * positions }

    /// How many blocks of images run in parallel (see Note [Convolution by im2col and GEMM]).
    var imageBlocks: Int {
        guard groupOutChannels * patch * positions <= blasInlineWork else { return 1 }
        return blockCount(batch, work: batch * outChannels * patch * positions, grain: convGrain)
    }
}

// MARK: - Forward

/// The convolution of `x` with `weight`, plus `bias` when given (Note [Convolution by im2col and GEMM]).
/// `outShape` comes from the shape rule.
func conv2dKernel(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: Conv2dGeometry, outShape: [Int]) -> Tensor {
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    if out.count == 0 { return out }
    let (x, weight, bias) = (x.contiguous(), weight.contiguous(), bias?.contiguous())
    switch x.dtype {
    case .float32: conv2dForward(Float.self, x, weight, bias, g, out)
    case .float64: conv2dForward(Double.self, x, weight, bias, g, out)
    case .int64, .bool: preconditionFailure("conv2d: expected a floating-point input, got \(x.dtype.rawValue)")
    }
    return out
}

private func conv2dForward<T: ConvElement>(
    _: T.Type, _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: Conv2dGeometry, _ out: Tensor
) {
    let px = UnsafePointer(x.elementPointer(T.self))
    let pw = UnsafePointer(weight.elementPointer(T.self))
    let pb = bias.map { UnsafePointer($0.elementPointer(T.self)) }
    let py = out.elementPointer(T.self)
    let (og, patch, positions) = (g.groupOutChannels, g.patch, g.positions)
    let blocks = g.imageBlocks
    parallelBlocks(g.batch, blocks: blocks) { _, images in
        let scratch = UnsafeMutablePointer<T>.allocate(capacity: g.isPointwise ? 0 : g.colsCount)
        defer { scratch.deallocate() }
        for n in images {
            let xn = px + n * g.imageCount
            let cols = g.isPointwise ? xn : im2col(xn, into: scratch, g, split: blocks == 1)
            let yn = py + n * g.outImageCount
            for group in 0..<g.groups {
                gemm(
                    m: og, n: positions, k: patch, pw + group * og * patch, lda: patch,
                    cols + group * patch * positions, ldb: positions, yn + group * og * positions, ldc: positions)
            }
            if let pb {
                for o in 0..<g.outChannels {
                    let (row, v) = (yn + o * positions, pb[o])
                    for i in 0..<positions { row[i] += v }
                }
            }
        }
    }
}

// MARK: - Backward

/// The gradients of `conv2d(x, weight, bias)` from the output gradient `gy`, for the inputs asked for
/// (Note [Convolution by im2col and GEMM]). `xShape` may be unbatched [C, H, W].
func conv2dBackwardKernel(
    _ gy: Tensor, _ x: Tensor, _ weight: Tensor, _ g: Conv2dGeometry,
    needsInput: Bool, needsWeight: Bool, needsBias: Bool
) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
    let dtype = x.dtype
    let gx = needsInput ? Tensor(uninitializedShape: x.shape, dtype: dtype) : nil
    let gw = needsWeight ? Tensor(uninitializedShape: weight.shape, dtype: dtype) : nil
    let gb = needsBias ? Tensor(uninitializedShape: [g.outChannels], dtype: dtype) : nil
    let (gy, x, weight) = (gy.converted(to: dtype).contiguous(), x.contiguous(), weight.contiguous())
    switch dtype {
    case .float32: conv2dBackward(Float.self, gy, x, weight, g, gx, gw, gb)
    case .float64: conv2dBackward(Double.self, gy, x, weight, g, gx, gw, gb)
    case .int64, .bool: preconditionFailure("conv2d: expected a floating-point input, got \(dtype.rawValue)")
    }
    return (gx, gw, gb)
}

private func conv2dBackward<T: ConvElement>(
    _: T.Type, _ gy: Tensor, _ x: Tensor, _ weight: Tensor, _ g: Conv2dGeometry,
    _ gx: Tensor?, _ gw: Tensor?, _ gb: Tensor?
) {
    let px = UnsafePointer(x.elementPointer(T.self))
    let pw = UnsafePointer(weight.elementPointer(T.self))
    let pgy = UnsafePointer(gy.elementPointer(T.self))
    let pgx = gx.map { $0.elementPointer(T.self) }
    let (og, patch, positions) = (g.groupOutChannels, g.patch, g.positions)
    let blocks = g.imageBlocks
    // Partial weight and bias gradients, one slice per block, summed at the end.
    let (weightCount, biasCount) = (gw == nil ? 0 : g.outChannels * patch, gb == nil ? 0 : g.outChannels)
    let partialW = UnsafeMutablePointer<T>.allocate(capacity: blocks * weightCount)
    let partialB = UnsafeMutablePointer<T>.allocate(capacity: blocks * biasCount)
    partialW.initialize(repeating: 0, count: blocks * weightCount)
    partialB.initialize(repeating: 0, count: blocks * biasCount)
    defer {
        partialW.deallocate()
        partialB.deallocate()
    }
    let needsScratch = !g.isPointwise && (gw != nil || gx != nil)
    parallelBlocks(g.batch, blocks: blocks) { block, images in
        let scratch = UnsafeMutablePointer<T>.allocate(capacity: needsScratch ? g.colsCount : 0)
        defer { scratch.deallocate() }
        for n in images {
            let (xn, gyn) = (px + n * g.imageCount, pgy + n * g.outImageCount)
            if weightCount > 0 {
                // gradWeight[g] += gradOut[g] · cols[g]ᵀ
                let cols = g.isPointwise ? xn : im2col(xn, into: scratch, g, split: blocks == 1)
                let pw = partialW + block * weightCount
                for group in 0..<g.groups {
                    gemm(
                        transB: true, m: og, n: patch, k: positions, gyn + group * og * positions, lda: positions,
                        cols + group * patch * positions, ldb: positions, beta: 1, pw + group * og * patch,
                        ldc: patch)
                }
            }
            if biasCount > 0 {
                let pb = partialB + block * biasCount
                for o in 0..<g.outChannels {
                    let row = gyn + o * positions
                    var s: T = 0
                    for i in 0..<positions { s += row[i] }
                    pb[o] += s
                }
            }
            if let pgx {
                // gradInput = col2im(weight[g]ᵀ · gradOut[g]); for a 1×1 kernel the product is the gradient.
                let gxn = pgx + n * g.imageCount
                let target = g.isPointwise ? gxn : scratch
                for group in 0..<g.groups {
                    gemm(
                        transA: true, m: patch, n: positions, k: og, pw + group * og * patch, lda: patch,
                        gyn + group * og * positions, ldb: positions, target + group * patch * positions,
                        ldc: positions)
                }
                if !g.isPointwise { col2im(scratch, into: gxn, g, split: blocks == 1) }
            }
        }
    }
    if let gw { sumPartials(partialW, blocks: blocks, count: weightCount, into: gw.elementPointer(T.self)) }
    if let gb { sumPartials(partialB, blocks: blocks, count: biasCount, into: gb.elementPointer(T.self)) }
}

private func sumPartials<T: ConvElement>(
    _ partials: UnsafeMutablePointer<T>, blocks: Int, count: Int, into out: UnsafeMutablePointer<T>
) {
    out.update(from: partials, count: count)
    for b in 1..<Swift.max(blocks, 1) {
        let p = partials + b * count
        for i in 0..<count { out[i] += p[i] }
    }
}

// MARK: - im2col and col2im

/// Copies the receptive fields of the image `x` [C, H, W] into `cols` [C·kH·kW, OH·OW], zeros over the
/// padding, splitting the rows across cores when `split`; returns `cols`.
private func im2col<T: ConvElement>(
    _ x: UnsafePointer<T>, into cols: UnsafeMutablePointer<T>, _ g: Conv2dGeometry, split: Bool
) -> UnsafePointer<T> {
    let rows = g.channels * g.kernelH * g.kernelW
    let blocks = split ? blockCount(rows, work: rows * g.positions, grain: Grain.cheap) : 1
    parallelBlocks(rows, blocks: blocks) { _, range in
        for r in range {
            let (c, ky, kx) = (r / (g.kernelH * g.kernelW), r / g.kernelW % g.kernelH, r % g.kernelW)
            let plane = x + c * g.height * g.width
            let shift = kx * g.dilationW - g.padW
            let (lo, hi) = validRange(shift: shift, stride: g.strideW, size: g.width, count: g.outW)
            for oy in 0..<g.outH {
                let row = cols + r * g.positions + oy * g.outW
                let iy = oy * g.strideH - g.padH + ky * g.dilationH
                guard iy >= 0 && iy < g.height else {
                    for ox in 0..<g.outW { row[ox] = 0 }
                    continue
                }
                let src = plane + iy * g.width
                for ox in 0..<lo { row[ox] = 0 }
                if g.strideW == 1 {
                    for ox in lo..<hi { row[ox] = src[ox + shift] }
                } else {
                    for ox in lo..<hi { row[ox] = src[ox * g.strideW + shift] }
                }
                for ox in hi..<g.outW { row[ox] = 0 }
            }
        }
    }
    return UnsafePointer(cols)
}

/// Sets the image `x` [C, H, W] to the sum of the columns of `cols` [C·kH·kW, OH·OW] over the windows
/// they came from (the adjoint of im2col), splitting the channels across cores when `split`.
private func col2im<T: ConvElement>(
    _ cols: UnsafePointer<T>, into x: UnsafeMutablePointer<T>, _ g: Conv2dGeometry, split: Bool
) {
    let window = g.kernelH * g.kernelW
    let blocks = split ? blockCount(g.channels, work: g.channels * window * g.positions, grain: Grain.cheap) : 1
    parallelBlocks(g.channels, blocks: blocks) { _, channels in
        for c in channels {
            let plane = x + c * g.height * g.width
            plane.update(repeating: 0, count: g.height * g.width)
            for r in c * window..<(c + 1) * window {
                let (ky, kx) = (r / g.kernelW % g.kernelH, r % g.kernelW)
                let shift = kx * g.dilationW - g.padW
                let (lo, hi) = validRange(shift: shift, stride: g.strideW, size: g.width, count: g.outW)
                for oy in 0..<g.outH {
                    let iy = oy * g.strideH - g.padH + ky * g.dilationH
                    guard iy >= 0 && iy < g.height else { continue }
                    let row = cols + r * g.positions + oy * g.outW
                    let dst = plane + iy * g.width
                    if g.strideW == 1 {
                        for ox in lo..<hi { dst[ox + shift] += row[ox] }
                    } else {
                        for ox in lo..<hi { dst[ox * g.strideW + shift] += row[ox] }
                    }
                }
            }
        }
    }
}

/// The output columns `lo..<hi` whose input column `ox · stride + shift` lies in `0..<size`.
@inline(__always)
private func validRange(shift: Int, stride: Int, size: Int, count: Int) -> (Int, Int) {
    let first = shift >= 0 ? 0 : (stride - 1 - shift) / stride
    let end = size - 1 - shift < 0 ? 0 : (size - 1 - shift) / stride + 1
    let lo = Swift.min(first, count)
    return (lo, Swift.max(lo, Swift.min(end, count)))
}

/// `C = A·B + beta·C` through `BLASScalar`, with the empty cases BLAS does not promise to handle.
@inline(__always)
private func gemm<T: ConvElement>(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int, beta: T = 0,
    _ c: UnsafeMutablePointer<T>, ldc: Int
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    T.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: ldc)
}
