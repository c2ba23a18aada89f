// The derivatives of convolution and pooling, called from the switch in Op+VJP.swift. They run with
// recording off on local tensors, so they call the kernels directly (Kernels/Conv.swift, Pool.swift):
//   conv2d      gradInput  = col2im(weightᵀ · gradOut)      (the transposed convolution)
//               gradWeight = Σ_images gradOut · im2col(x)ᵀ
//               gradBias   = Σ_{images, positions} gradOut
//   max_pool2d  each gradOut element goes to its window's maximum (first maximum, last NaN)
//   avg_pool2d  each gradOut element is spread evenly over its window, by the forward divisor
//   unfold      col2im(gradOut): each column added back into its window (PyTorch's `fold`)

/// The gradients of `conv2d(x, weight[, bias])`, for the inputs `needs` asks for.
func conv2dBackward(
    _ g: Tensor, _ inputs: [Tensor], stride: [Int], padding: [Int], dilation: [Int], groups: Int,
    needs: GradientMask
) -> [Tensor?] {
    let (x, weight) = (inputs[0], inputs[1])
    let geometry = Conv2dGeometry(
        x: x.shape, weight: weight.shape, stride: stride, padding: padding, dilation: dilation, groups: groups
    )
    let hasBias = inputs.count == 3
    let grads = conv2dBackwardKernel(
        g, x, weight, geometry, needsInput: needs[0], needsWeight: needs[1], needsBias: hasBias && needs[2])
    return hasBias ? [grads.input, grads.weight, grads.bias] : [grads.input, grads.weight]
}

/// The gradient of `max_pool2d(x)` (Note [Max pooling: ties, NaN and the backward pass]).
func maxPool2dBackward(
    _ g: Tensor, _ x: Tensor, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool
) -> Tensor {
    let geometry = Pool2dGeometry(
        x: x.shape, kernel: kernel, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    return maxPool2dBackwardKernel(g, x, geometry)
}

/// The gradient of `avg_pool2d(x)`.
func avgPool2dBackward(
    _ g: Tensor, _ x: Tensor, kernel: [Int], stride: [Int], padding: [Int], ceilMode: Bool,
    countIncludePad: Bool
) -> Tensor {
    let geometry = Pool2dGeometry(
        x: x.shape, kernel: kernel, stride: stride, padding: padding, dilation: [1, 1], ceilMode: ceilMode)
    return avgPool2dBackwardKernel(
        g.converted(to: x.dtype), inputShape: x.shape, geometry, countIncludePad: countIncludePad)
}

/// The gradient of `unfold(x)` (im2col): col2im of the output gradient.
func unfoldBackward(
    _ g: Tensor, _ x: Tensor, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int]
) -> Tensor {
    let geometry = Conv2dGeometry(
        unfolding: x.shape, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    return unfoldBackwardKernel(g.converted(to: x.dtype), inputShape: x.shape, geometry)
}
