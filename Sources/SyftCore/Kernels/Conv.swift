// Note [Convolution by im2col and GEMM]
// The convolution of one image is a matrix product. im2col copies each output position's receptive
// field (C/groups × kH × kW values per group, zeros where the window hangs over the padding) into a
// column of a [C·kH·kW, OH·OW] matrix whose rows come in groups; then, for each group,
// out[g] = weight[g] [O/groups, patch] · cols[g] [patch, OH·OW]. The backward pass reuses the same
// matrices: the weight gradient is Σ_images gradOut[g] · cols[g]ᵀ, and the input gradient is
// col2im(weight[g]ᵀ · gradOut[g]), where col2im adds each column back into the window it came from. A
// 1×1 kernel with stride 1 and no padding needs neither: the image is its own matrix. A bias is the
// starting value of the output rows the GEMM accumulates into; its gradient is the sum of gradOut's rows.
// A non-contiguous gradOut (a sum's gradient is one value broadcast) is gathered one image at a time into
// scratch, never copied whole.
//
// Work is split across cores in one of two ways (`imageBlocks`). When one image's GEMMs are small (at
// most 65536 × 4 multiply-adds: below that OpenBLAS runs a GEMM on the calling thread, as its
// `interface/gemm.c` decides), the batch is split into blocks of images, one block per core, each with
// its own im2col scratch (which stays in cache) and its own partial weight and bias gradients, summed at
// the end. Larger GEMMs OpenBLAS threads itself: the images then run one after another, and only im2col
// and col2im are split, by rows and by channels.

/// Element types with a convolution kernel: Float and Double (GEMM through `BLASScalar`).
typealias ConvElement = BLASScalar & FloatElement & SIMDScalar

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
func conv2dKernel(
    _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: Conv2dGeometry, outShape: [Int]
) -> Tensor {
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    if out.count == 0 { return out }
    let (x, weight, bias) = (x.contiguous(), weight.contiguous(), bias?.contiguous())
    switch x.dtype {
    case .float32: conv2dForward(Float.self, x, weight, bias, g, out)
    case .float64: conv2dForward(Double.self, x, weight, bias, g, out)
    case .int64, .bool:
        preconditionFailure("conv2d: expected a floating-point input, got \(x.dtype.rawValue)")
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
            // With a bias, each output row starts as its bias and the GEMM adds to it (beta = 1).
            if let pb {
                for o in 0..<g.outChannels { (yn + o * positions).update(repeating: pb[o], count: positions) }
            }
            for group in 0..<g.groups {
                gemm(
                    m: og, n: positions, k: patch, pw + group * og * patch, lda: patch,
                    cols + group * patch * positions, ldb: positions, beta: pb == nil ? 0 : 1,
                    yn + group * og * positions, ldc: positions)
            }
        }
    }
}

// MARK: - Backward

/// The gradients of `conv2d(x, weight, bias)` from the output gradient `gy`, for the inputs asked for
/// (Note [Convolution by im2col and GEMM]). `x` may be unbatched [C, H, W].
func conv2dBackwardKernel(
    _ gy: Tensor, _ x: Tensor, _ weight: Tensor, _ g: Conv2dGeometry,
    needsInput: Bool, needsWeight: Bool, needsBias: Bool
) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
    let dtype = x.dtype
    let gx = needsInput ? Tensor(uninitializedShape: x.shape, dtype: dtype) : nil
    let gw = needsWeight ? Tensor(uninitializedShape: weight.shape, dtype: dtype) : nil
    let gb = needsBias ? Tensor(uninitializedShape: [g.outChannels], dtype: dtype) : nil
    let (gy, x, weight) = (gy.converted(to: dtype), x.contiguous(), weight.contiguous())
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
    let gyStrides = gy.isContiguous ? nil : gy.rank == 4 ? gy.strides : [0] + gy.strides
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
        let gyScratch = UnsafeMutablePointer<T>.allocate(capacity: gyStrides == nil ? 0 : g.outImageCount)
        defer {
            scratch.deallocate()
            gyScratch.deallocate()
        }
        for n in images {
            let xn = px + n * g.imageCount
            let gyn =
                gyStrides.map { gather(pgy, $0, image: n, g, into: gyScratch) } ?? pgy + n * g.outImageCount
            if weightCount > 0 {
                // gradWeight[g] += gradOut[g] · cols[g]ᵀ
                let cols = g.isPointwise ? xn : im2col(xn, into: scratch, g, split: blocks == 1)
                let pw = partialW + block * weightCount
                for group in 0..<g.groups {
                    gemm(
                        transB: true, m: og, n: patch, k: positions, gyn + group * og * positions,
                        lda: positions,
                        cols + group * patch * positions, ldb: positions, beta: 1, pw + group * og * patch,
                        ldc: patch)
                }
            }
            if biasCount > 0 {
                let pb = partialB + block * biasCount
                for o in 0..<g.outChannels { pb[o] += sum(gyn + o * positions, positions) }
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

/// The output gradient of image `n` as a contiguous [O, OH·OW] matrix, gathered from `gy` laid out with
/// `strides` (batch, channel, row, column) into `dst`.
private func gather<T: ConvElement>(
    _ gy: UnsafePointer<T>, _ strides: [Int], image n: Int, _ g: Conv2dGeometry,
    into dst: UnsafeMutablePointer<T>
) -> UnsafePointer<T> {
    let (so, sy, sx) = (strides[1], strides[2], strides[3])
    let (outH, outW) = (g.outH, g.outW)
    var d = dst
    for o in 0..<g.outChannels {
        if sy == 0 && sx == 0 {
            d.update(repeating: gy[n &* strides[0] &+ o &* so], count: outH * outW)
            d += outH * outW
            continue
        }
        for oy in 0..<outH {
            let src = gy + (n &* strides[0] &+ o &* so &+ oy &* sy)
            if sx == 0 {
                d.update(repeating: src.pointee, count: outW)
            } else {
                for ox in 0..<outW { d[ox] = src[ox &* sx] }
            }
            d += outW
        }
    }
    return UnsafePointer(dst)
}

/// The sum of `count` elements, in eight-lane accumulators (a scalar chain would wait on each add).
private func sum<T: ConvElement>(_ p: UnsafePointer<T>, _ count: Int) -> T {
    var lanes = SIMD8<T>()
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= count {
        lanes += raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.stride, as: SIMD8<T>.self)
        i += 8
    }
    var s = lanes.sum()
    while i < count {
        s += p[i]
        i += 1
    }
    return s
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
    T.gemm(
        transA: transA, transB: transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: ldc)
}
