// Convolution and pooling: PyTorch's `torch.nn.functional.conv2d`, `unfold` (im2col), `max_pool2d` and
// `avg_pool2d`, in Swift spelling. Each is one operation of the closed set (`Op.conv2d`, `.unfold`,
// `.maxPool2d`, `.avgPool2d`), so it has a derivative and runs on remote tensors like every other
// operation.

/// A size or step of a 2-D window: one `Int` for both height and width, or `[height, width]`.
///
/// ```swift
/// conv2d(x, w, stride: 2, padding: [1, 0])
/// ```
public protocol IntPair: Sendable {
    /// The values for height and width.
    var pairValues: [Int] { get }
}

extension Int: IntPair {
    public var pairValues: [Int] { [self, self] }
}

extension Array: IntPair where Element == Int {
    /// A one-element array stands for both height and width (as PyTorch accepts); otherwise the array.
    public var pairValues: [Int] { count == 1 ? [self[0], self[0]] : self }
}

private func pair(_ value: any IntPair, _ label: String, _ op: String) -> [Int] {
    let values = value.pairValues
    precondition(values.count == 2, "\(op): \(label) must be one value or two (height, width), got \(values)")
    return values
}

/// The 2-D convolution (cross-correlation, as every deep-learning library computes it) of a batch of
/// images with a bank of filters (`torch.nn.functional.conv2d`).
///
/// With `x` [N, C, H, W], `weight` [O, C / groups, kH, kW] and `g` the group of output channel `o`:
///
///     out[n, o, i, j] = bias[o] + Σ_{c in group g, p < kH, q < kW}
///         weight[o, c, p, q] · x[n, c, i·sH − pH + p·dH, j·sW − pW + q·dW]
///
/// where `x` reads as zero outside the image (the padding), and
/// `OH = (H + 2·pH − dH·(kH − 1) − 1) / sH + 1` (rounded down), likewise `OW`. Computed by im2col and
/// GEMM (OpenBLAS); differentiable with respect to `x`, `weight` and `bias`.
///
/// ```swift
/// let x = Tensor.randn([8, 3, 32, 32])                      // a batch of 8 RGB images
/// let w = Tensor.randn([16, 3, 3, 3], requiresGrad: true)   // 16 filters of 3×3
/// let b = Tensor.zeros([16], dtype: .float32)
/// let y = conv2d(x, w, bias: b, padding: 1)                 // [8, 16, 32, 32]
/// let depthwise = conv2d(x, Tensor.randn([3, 1, 3, 3]), stride: 2, groups: 3)   // [8, 3, 15, 15]
/// ```
/// - Parameters:
///   - x: the input, [N, C, H, W], or one image [C, H, W].
///   - weight: the filters, [O, C / groups, kH, kW].
///   - bias: added to each output channel, [O]; none when nil.
///   - stride: the step between windows: one value or `[sH, sW]`.
///   - padding: zeros added on both sides of each spatial axis: one value or `[pH, pW]`.
///   - dilation: the spacing between kernel elements: one value or `[dH, dW]`.
///   - groups: splits the input and output channels into groups convolved separately (`groups == C` is
///     a depthwise convolution).
/// - Returns: [N, O, OH, OW] (or [O, OH, OW] for one image), `x`'s dtype.
/// - Precondition: `x`, `weight` and `bias` are float32 or float64, all the same; `C` and `O` are
///   divisible by `groups` and `weight.shape[1] == C / groups`; strides and dilations are positive,
///   paddings non-negative; the padded input is at least as large as the dilated kernel.
///
/// ### See Also
/// - ``maxPool2d(_:kernelSize:stride:padding:dilation:ceilMode:)``
/// - ``avgPool2d(_:kernelSize:stride:padding:ceilMode:countIncludePad:)``
public func conv2d(
    _ x: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: any IntPair = 1, padding: any IntPair = 0,
    dilation: any IntPair = 1, groups: Int = 1
) -> Tensor {
    let op = Op.conv2d(
        stride: pair(stride, "stride", "conv2d"), padding: pair(padding, "padding", "conv2d"),
        dilation: pair(dilation, "dilation", "conv2d"), groups: groups)
    return dispatch(op, bias.map { [x, weight, $0] } ?? [x, weight])[0]
}

/// The sliding windows of a batch of images as columns (`torch.nn.functional.unfold`, the im2col
/// of a convolution).
///
/// With `x` [N, C, H, W], column `l = i·OW + j` of image n holds window (i, j), channel-major:
///
///     out[n, c·kH·kW + p·kW + q, i·OW + j] = x[n, c, i·sH − pH + p·dH, j·sW − pW + q·dW]
///
/// zero over the padding, with `OH`, `OW` as in ``conv2d(_:_:bias:stride:padding:dilation:groups:)``.
/// A convolution is a matmul over it: `conv2d(x, w)` is
/// `matmul(w.reshaped(to: [O, -1]), unfold(x, kernelSize: [kH, kW]))` reshaped to [N, O, OH, OW]. The
/// gradient adds each column back into its window (PyTorch's `fold`).
///
/// ```swift
/// let x = Tensor.randn([8, 3, 32, 32])
/// unfold(x, kernelSize: 3, padding: 1)             // [8, 27, 1024]
/// unfold(x, kernelSize: [2, 4], stride: [2, 4])    // [8, 24, 128]: non-overlapping 2×4 patches
/// ```
/// - Parameters:
///   - x: the input, [N, C, H, W], or one image [C, H, W].
///   - kernelSize: the window size: one value or `[kH, kW]`.
///   - stride: the step between windows: one value or `[sH, sW]`.
///   - padding: zeros added on both sides of each spatial axis: one value or `[pH, pW]`.
///   - dilation: the spacing between window elements: one value or `[dH, dW]`.
/// - Returns: [N, C·kH·kW, OH·OW] (or [C·kH·kW, OH·OW] for one image), `x`'s dtype.
/// - Precondition: `x` is float32 or float64 with non-zero C, H and W; kernel sizes, strides and
///   dilations are positive, paddings non-negative; at least one window fits along each axis.
///
/// ### See Also
/// - ``conv2d(_:_:bias:stride:padding:dilation:groups:)``
public func unfold(
    _ x: Tensor, kernelSize: any IntPair, stride: any IntPair = 1, padding: any IntPair = 0,
    dilation: any IntPair = 1
) -> Tensor {
    let op = Op.unfold(
        kernel: pair(kernelSize, "kernelSize", "unfold"), stride: pair(stride, "stride", "unfold"),
        padding: pair(padding, "padding", "unfold"), dilation: pair(dilation, "dilation", "unfold"))
    return dispatch1(op, x)
}

/// The maximum of each window of each channel (`torch.nn.functional.max_pool2d`).
///
/// With `x` [N, C, H, W]:
///
///     out[n, c, i, j] = max_{p < kH, q < kW} x[n, c, i·sH − pH + p·dH, j·sW − pW + q·dW]
///
/// over the window positions inside the image (the padding is never the maximum). The output size is
/// `OH = (H + 2·pH − dH·(kH − 1) − 1) / sH + 1`, rounded down, or up with `ceilMode` (as long as the last
/// window starts inside the image or its left padding); likewise `OW`. The first of equal maxima is the
/// maximum, and a window holding NaN gives NaN, as in PyTorch. The gradient flows to each window's
/// maximum.
///
/// ```swift
/// let x = Tensor.randn([8, 16, 32, 32])
/// maxPool2d(x, kernelSize: 2)                              // [8, 16, 16, 16]
/// maxPool2d(x, kernelSize: 3, stride: 2, padding: 1)       // [8, 16, 16, 16]
/// maxPool2d(x, kernelSize: [3, 2], ceilMode: true)         // [8, 16, 11, 16]
/// ```
/// - Parameters:
///   - x: the input, [N, C, H, W] or [C, H, W].
///   - kernelSize: the window size: one value or `[kH, kW]`.
///   - stride: the step between windows; `kernelSize` when nil.
///   - padding: implicit `-∞` padding on both sides: one value or `[pH, pW]`.
///   - dilation: the spacing between window elements.
///   - ceilMode: round the output size up instead of down.
/// - Returns: [N, C, OH, OW] (or [C, OH, OW]), `x`'s dtype.
/// - Precondition: `x` is float32, float64 or int64 with non-zero C, H and W; kernel sizes, strides and
///   dilations are positive; each padding is at most half its kernel size; the output is not empty.
///
/// ### See Also
/// - ``avgPool2d(_:kernelSize:stride:padding:ceilMode:countIncludePad:)``
/// - ``conv2d(_:_:bias:stride:padding:dilation:groups:)``
public func maxPool2d(
    _ x: Tensor, kernelSize: any IntPair, stride: (any IntPair)? = nil, padding: any IntPair = 0,
    dilation: any IntPair = 1, ceilMode: Bool = false
) -> Tensor {
    let kernel = pair(kernelSize, "kernelSize", "max_pool2d")
    let op = Op.maxPool2d(
        kernel: kernel, stride: stride.map { pair($0, "stride", "max_pool2d") } ?? kernel,
        padding: pair(padding, "padding", "max_pool2d"), dilation: pair(dilation, "dilation", "max_pool2d"),
        ceilMode: ceilMode)
    return dispatch1(op, x)
}

/// The mean of each window of each channel (`torch.nn.functional.avg_pool2d`).
///
/// With `x` [N, C, H, W] and the window of output (i, j) clipped to the image:
///
///     out[n, c, i, j] = Σ_{window} x[n, c, ·, ·] / divisor
///
/// where the divisor counts the window's elements in the image, plus the zero padding it covers when
/// `countIncludePad` (a ceil-mode window that runs past the padding never counts that part). The output
/// size is `OH = (H + 2·pH − kH) / sH + 1`, rounded down, or up with `ceilMode`; likewise `OW`. For
/// int64 inputs the mean truncates toward zero, as in PyTorch.
///
/// ```swift
/// let x = Tensor.randn([8, 16, 32, 32])
/// avgPool2d(x, kernelSize: 2)                                                     // [8, 16, 16, 16]
/// avgPool2d(x, kernelSize: 3, stride: 1, padding: 1, countIncludePad: false)    // [8, 16, 32, 32]
/// ```
/// - Parameters:
///   - x: the input, [N, C, H, W] or [C, H, W].
///   - kernelSize: the window size: one value or `[kH, kW]`.
///   - stride: the step between windows; `kernelSize` when nil.
///   - padding: implicit zero padding on both sides: one value or `[pH, pW]`.
///   - ceilMode: round the output size up instead of down.
///   - countIncludePad: count the zero padding in the divisor.
/// - Returns: [N, C, OH, OW] (or [C, OH, OW]), `x`'s dtype.
/// - Precondition: `x` is float32, float64 or int64 with non-zero C, H and W; kernel sizes and strides
///   are positive; each padding is at most half its kernel size; the output is not empty.
///
/// ### See Also
/// - ``maxPool2d(_:kernelSize:stride:padding:dilation:ceilMode:)``
/// - ``conv2d(_:_:bias:stride:padding:dilation:groups:)``
public func avgPool2d(
    _ x: Tensor, kernelSize: any IntPair, stride: (any IntPair)? = nil, padding: any IntPair = 0,
    ceilMode: Bool = false, countIncludePad: Bool = true
) -> Tensor {
    let kernel = pair(kernelSize, "kernelSize", "avg_pool2d")
    let op = Op.avgPool2d(
        kernel: kernel, stride: stride.map { pair($0, "stride", "avg_pool2d") } ?? kernel,
        padding: pair(padding, "padding", "avg_pool2d"), ceilMode: ceilMode, countIncludePad: countIncludePad)
    return dispatch1(op, x)
}
