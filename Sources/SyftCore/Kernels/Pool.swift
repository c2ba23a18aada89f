// Max and average pooling over the planes (batch × channels) of [N, C, H, W] or [C, H, W] tensors, with
// PyTorch's CPU window arithmetic. Planes are independent: blocks of planes run on all cores, in the
// forward and the backward pass alike (a plane's input gradient is written by its own block only).
//
// Note [Max pooling: ties, NaN and the backward pass]
// As PyTorch's CPU kernel, a window's maximum is its first largest element (a later equal one does not
// replace it), and a NaN replaces whatever came before it, so a window holding NaN gives NaN and its
// gradient goes to the last NaN. The backward pass does not keep the argmax positions from the forward
// pass: it finds them again from the saved input by the same rule, so the graph holds no index tensor.

/// Element types that pooling kernels handle: Float, Double and Int64.
protocol PoolElement: ArithmeticElement {
    /// Below every value (-∞, or the smallest integer): the start of a running maximum.
    static var lowest: Self { get }
    /// `sum / count` in the element type (integers truncate toward zero, as PyTorch's C++ division).
    static func average(_ sum: Self, _ count: Int) -> Self
}

extension Float: PoolElement {
    static var lowest: Float { -.infinity }
    @inline(__always) static func average(_ sum: Float, _ count: Int) -> Float { sum / Float(count) }
}

extension Double: PoolElement {
    static var lowest: Double { -.infinity }
    @inline(__always) static func average(_ sum: Double, _ count: Int) -> Double { sum / Double(count) }
}

extension Int64: PoolElement {
    static var lowest: Int64 { .min }
    @inline(__always) static func average(_ sum: Int64, _ count: Int) -> Int64 { sum / Int64(count) }
}

extension Pool2dGeometry {
    var planeCount: Int { height * width }
    var outPlaneCount: Int { outH * outW }

    /// Blocks of planes worth running in parallel.
    var planeBlocks: Int {
        blockCount(planes, work: planes * outPlaneCount * kernelH * kernelW, grain: Grain.cheap)
    }

    /// The first row and the end of the rows of output row `oy`'s window, clipped to the input.
    @inline(__always)
    func rows(_ oy: Int) -> (start: Int, end: Int) {
        var start = oy * strideH - padH
        let end = Swift.min(start + (kernelH - 1) * dilationH + 1, height)
        while start < 0 { start += dilationH }
        return (start, end)
    }

    @inline(__always)
    func columns(_ ox: Int) -> (start: Int, end: Int) {
        var start = ox * strideW - padW
        let end = Swift.min(start + (kernelW - 1) * dilationW + 1, width)
        while start < 0 { start += dilationW }
        return (start, end)
    }

    /// The offset in its plane and the value of the maximum of the window of output (`oy`, `ox`), by
    /// Note [Max pooling: ties, NaN and the backward pass]; nil for a window wholly in the padding.
    @inline(__always)
    func windowMax<T: PoolElement>(_ plane: UnsafePointer<T>, _ oy: Int, _ ox: Int) -> (index: Int, value: T)?
    {
        let (r0, r1) = rows(oy)
        let (c0, c1) = columns(ox)
        guard r0 < r1 && c0 < c1 else { return nil }
        var (best, bestIndex) = (T.lowest, r0 * width + c0)
        var r = r0
        while r < r1 {
            var i = r &* width &+ c0
            let end = r &* width &+ c1
            while i < end {
                let v = plane[i]
                // Selects on flags combined without short-circuit: a branch on data mispredicts often.
                let takes = ((v > best ? 1 : 0) | (v.isNaNValue ? 1 : 0)) != 0
                best = takes ? v : best
                bestIndex = takes ? i : bestIndex
                i &+= dilationW
            }
            r &+= dilationH
        }
        return (bestIndex, best)
    }

    /// The maximum of the window of output (`oy`, `ox`): the value of ``windowMax(_:_:_:)``, computed
    /// without branches on the data (a running maximum and a NaN flag), for the forward pass.
    @inline(__always)
    func windowMaxValue<T: PoolElement>(_ plane: UnsafePointer<T>, _ oy: Int, _ ox: Int) -> T {
        let (r0, r1) = rows(oy)
        let (c0, c1) = columns(ox)
        var (best, nan) = (T.lowest, T.zero)
        var r = r0
        while r < r1 {
            var i = r &* width &+ c0
            let end = r &* width &+ c1
            while i < end {
                let v = plane[i]
                best = v > best ? v : best
                nan = v.isNaNValue ? v : nan
                i &+= dilationW
            }
            r &+= dilationH
        }
        return nan.isNaNValue ? nan : best
    }

    /// Average pooling's window of output (`oy`, `ox`) clipped to the input, and its divisor.
    @inline(__always)
    func averageWindow(
        _ oy: Int, _ ox: Int, countIncludePad: Bool
    ) -> (rows: Range<Int>, columns: Range<Int>, divisor: Int) {
        let (r0, c0) = (oy * strideH - padH, ox * strideW - padW)
        let (r1, c1) = (Swift.min(r0 + kernelH, height + padH), Swift.min(c0 + kernelW, width + padW))
        let padded = (r1 - r0) * (c1 - c0)
        let rows = Swift.max(r0, 0)..<Swift.max(Swift.min(r1, height), Swift.max(r0, 0))
        let columns = Swift.max(c0, 0)..<Swift.max(Swift.min(c1, width), Swift.max(c0, 0))
        return (rows, columns, countIncludePad ? padded : rows.count * columns.count)
    }
}

// MARK: - Max pooling

/// Max pooling of `x` (Note [Max pooling: ties, NaN and the backward pass]); `outShape` comes from the
/// shape rule.
func maxPool2dKernel(_ x: Tensor, _ g: Pool2dGeometry, outShape: [Int]) -> Tensor {
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    if out.count == 0 { return out }
    let x = x.contiguous()
    func run<T: PoolElement>(_: T.Type) {
        let (px, py) = (UnsafePointer(x.elementPointer(T.self)), out.elementPointer(T.self))
        parallelBlocks(g.planes, blocks: g.planeBlocks) { _, planes in
            for p in planes {
                let (plane, dst) = (px + p * g.planeCount, py + p * g.outPlaneCount)
                for oy in 0..<g.outH {
                    for ox in 0..<g.outW {
                        dst[oy * g.outW + ox] = g.windowMaxValue(plane, oy, ox)
                    }
                }
            }
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64: run(Int64.self)
    case .bool: preconditionFailure("max_pool2d: not implemented for bool tensors")
    }
    return out
}

/// The input gradient of max pooling: each output's gradient goes to its window's maximum, found again
/// from the input `x` (Note [Max pooling: ties, NaN and the backward pass]).
func maxPool2dBackwardKernel(_ gy: Tensor, _ x: Tensor, _ g: Pool2dGeometry) -> Tensor {
    let gx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
    if gx.count == 0 { return gx }
    let (x, gy) = (x.contiguous(), gy.converted(to: x.dtype).contiguous())
    func run<T: PoolElement & FloatElement>(_: T.Type) {
        let (px, pgy, pgx) = (
            UnsafePointer(x.elementPointer(T.self)), gy.elementPointer(T.self), gx.elementPointer(T.self)
        )
        parallelBlocks(g.planes, blocks: g.planeBlocks) { _, planes in
            for p in planes {
                let (plane, src, dst) = (
                    px + p * g.planeCount, pgy + p * g.outPlaneCount, pgx + p * g.planeCount
                )
                dst.update(repeating: 0, count: g.planeCount)
                for oy in 0..<g.outH {
                    for ox in 0..<g.outW {
                        if let m = g.windowMax(plane, oy, ox) { dst[m.index] += src[oy * g.outW + ox] }
                    }
                }
            }
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64, .bool: preconditionFailure("max_pool2d: no gradient for \(x.dtype.rawValue) tensors")
    }
    return gx
}

// MARK: - Average pooling

/// Average pooling of `x`; `outShape` comes from the shape rule. A window's divisor counts the padding
/// it covers when `countIncludePad` (but never the part of a ceil-mode window beyond the padding).
func avgPool2dKernel(_ x: Tensor, _ g: Pool2dGeometry, countIncludePad: Bool, outShape: [Int]) -> Tensor {
    let out = Tensor(uninitializedShape: outShape, dtype: x.dtype)
    if out.count == 0 { return out }
    let x = x.contiguous()
    func run<T: PoolElement>(_: T.Type) {
        let (px, py) = (UnsafePointer(x.elementPointer(T.self)), out.elementPointer(T.self))
        parallelBlocks(g.planes, blocks: g.planeBlocks) { _, planes in
            for p in planes {
                let (plane, dst) = (px + p * g.planeCount, py + p * g.outPlaneCount)
                for oy in 0..<g.outH {
                    for ox in 0..<g.outW {
                        let w = g.averageWindow(oy, ox, countIncludePad: countIncludePad)
                        var sum = T.zero
                        if !w.rows.isEmpty && !w.columns.isEmpty {
                            for r in w.rows {
                                for c in w.columns { sum = T.add(sum, plane[r * g.width + c]) }
                            }
                        }
                        dst[oy * g.outW + ox] =
                            w.rows.isEmpty || w.columns.isEmpty ? T.zero : T.average(sum, w.divisor)
                    }
                }
            }
        }
    }
    switch x.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64: run(Int64.self)
    case .bool: preconditionFailure("avg_pool2d: not implemented for bool tensors")
    }
    return out
}

/// The input gradient of average pooling: each output's gradient, divided by its window's divisor, is
/// added to every input element of the window.
func avgPool2dBackwardKernel(
    _ gy: Tensor, inputShape: [Int], _ g: Pool2dGeometry, countIncludePad: Bool
) -> Tensor {
    let gx = Tensor(uninitializedShape: inputShape, dtype: gy.dtype)
    if gx.count == 0 { return gx }
    let gy = gy.contiguous()
    func run<T: PoolElement & FloatElement>(_: T.Type) {
        let (pgy, pgx) = (gy.elementPointer(T.self), gx.elementPointer(T.self))
        parallelBlocks(g.planes, blocks: g.planeBlocks) { _, planes in
            for p in planes {
                let (src, dst) = (pgy + p * g.outPlaneCount, pgx + p * g.planeCount)
                dst.update(repeating: 0, count: g.planeCount)
                for oy in 0..<g.outH {
                    for ox in 0..<g.outW {
                        let w = g.averageWindow(oy, ox, countIncludePad: countIncludePad)
                        if w.rows.isEmpty || w.columns.isEmpty { continue }
                        let share = src[oy * g.outW + ox] / T(w.divisor)
                        for r in w.rows {
                            for c in w.columns { dst[r * g.width + c] += share }
                        }
                    }
                }
            }
        }
    }
    switch gy.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64, .bool: preconditionFailure("avg_pool2d: no gradient for \(gy.dtype.rawValue) tensors")
    }
    return gx
}
