// The shape rules of convolution and pooling, with PyTorch's checks, messages and output-size formulas,
// and the geometry their kernels share (Kernels/Conv.swift, Kernels/Pool.swift).

/// The sizes of a 2-D convolution: input, kernel, output, and the window arithmetic. An unbatched input
/// [C, H, W] is a batch of one.
struct Conv2dGeometry: Sendable {
    var batch: Int, channels: Int, height: Int, width: Int
    var outChannels: Int, kernelH: Int, kernelW: Int, groups: Int
    var strideH: Int, strideW: Int, padH: Int, padW: Int, dilationH: Int, dilationW: Int
    var outH: Int, outW: Int

    /// Input and output channels of one group.
    var groupChannels: Int { channels / groups }
    var groupOutChannels: Int { outChannels / groups }
    /// Rows of one group's im2col matrix (its patch length) and its columns (output positions).
    var patch: Int { groupChannels * kernelH * kernelW }
    var positions: Int { outH * outW }

    /// The geometry of validated shapes (`x` rank 3 or 4, `weight` rank 4).
    init(x: [Int], weight: [Int], stride: [Int], padding: [Int], dilation: [Int], groups: Int) {
        let s = x.count == 4 ? x : [1] + x
        (batch, channels, height, width) = (s[0], s[1], s[2], s[3])
        (outChannels, kernelH, kernelW) = (weight[0], weight[2], weight[3])
        self.groups = groups
        (strideH, strideW, padH, padW) = (stride[0], stride[1], padding[0], padding[1])
        (dilationH, dilationW) = (dilation[0], dilation[1])
        outH = (height + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH + 1
        outW = (width + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW + 1
    }

    /// The geometry of `unfold` on a validated input shape: a convolution with one output channel and
    /// one group, whose im2col matrix is the result.
    init(unfolding x: [Int], kernel: [Int], stride: [Int], padding: [Int], dilation: [Int]) {
        let channels = x[x.count - 3]
        self.init(
            x: x, weight: [1, channels, kernel[0], kernel[1]], stride: stride, padding: padding,
            dilation: dilation, groups: 1)
    }
}

/// The sizes of a 2-D pooling over planes (batch × channels) of height × width.
struct Pool2dGeometry: Sendable {
    var planes: Int, height: Int, width: Int
    var kernelH: Int, kernelW: Int, strideH: Int, strideW: Int, padH: Int, padW: Int
    var dilationH: Int, dilationW: Int
    var outH: Int, outW: Int

    /// The geometry of a validated input shape (rank 3 or 4).
    init(x: [Int], kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool) {
        planes = x.dropLast(2).reduce(1, *)
        (height, width) = (x[x.count - 2], x[x.count - 1])
        (kernelH, kernelW, strideH, strideW) = (kernel[0], kernel[1], stride[0], stride[1])
        (padH, padW, dilationH, dilationW) = (padding[0], padding[1], dilation[0], dilation[1])
        outH = poolingOutputSize(height, kernelH, padH, strideH, dilationH, ceilMode)
        outW = poolingOutputSize(width, kernelW, padW, strideW, dilationW, ceilMode)
    }
}

/// PyTorch's `pooling_output_shape`: the number of windows, rounding down (or up with `ceilMode`, as
/// long as the last window starts inside the input or its left padding).
func poolingOutputSize(
    _ size: Int, _ kernel: Int, _ pad: Int, _ stride: Int, _ dilation: Int, _ ceilMode: Bool
) -> Int {
    let span = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)
    var out = floorDivide(span, stride) + 1
    if ceilMode && (out - 1) * stride >= size + pad { out -= 1 }
    return out
}

/// Division rounding toward negative infinity (PyTorch's `div_rtn`).
private func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

extension Op {
    // MARK: - conv2d

    func conv2dResult(
        _ inputs: [TensorMeta], stride: [Int], padding: [Int], dilation: [Int], groups: Int
    ) throws(OpError) -> TensorMeta {
        guard inputs.count == 2 || inputs.count == 3 else {
            throw OpError(
                op: name, "expects 2 or 3 inputs (input, weight, optional bias), got \(inputs.count)")
        }
        let (x, w) = (inputs[0], inputs[1])
        let b = inputs.count == 3 ? inputs[2] : nil
        try checkPairs(["stride": stride, "padding": padding, "dilation": dilation])
        if stride.contains(where: { $0 <= 0 }) {
            throw OpError(op: name, "non-positive stride is not supported")
        }
        if padding.contains(where: { $0 < 0 }) {
            throw OpError(op: name, "negative padding is not supported")
        }
        if dilation.contains(where: { $0 <= 0 }) {
            throw OpError(op: name, "dilation should be greater than zero")
        }
        if groups <= 0 { throw OpError(op: name, "non-positive groups is not supported") }
        if groups > Int(Int32.max) { throw OpError(op: name, "groups \(groups) is out of range") }
        guard x.dtype.isFloatingPoint else {
            throw OpError(op: name, "expected a floating-point input, got \(x.dtype.rawValue)")
        }
        if w.dtype != x.dtype || (b.map { $0.dtype != x.dtype } ?? false) {
            let dtypes = ([x, w] + (b.map { [$0] } ?? [])).map(\.dtype.rawValue).joined(separator: ", ")
            throw OpError(op: name, "input, weight and bias must have the same dtype, got \(dtypes)")
        }
        guard x.shape.count == 3 || x.shape.count == 4 else {
            throw OpError(
                op: name,
                "expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
                    + shapeString(x.shape))
        }
        guard w.shape.count == 4 else {
            throw OpError(
                op: name,
                "expected 4-dimensional weight for \(x.shape.count)-dimensional input "
                    + "\(shapeString(x.shape)), but got \(w.shape.count)-dimensional weight of size "
                    + "\(shapeString(w.shape)) instead")
        }
        let channels = x.shape[x.shape.count - 3]
        if w.shape[0] % groups != 0 {
            throw OpError(
                op: name,
                "given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, "
                    + "but got weight of size \(shapeString(w.shape)) instead")
        }
        if channels != w.shape[1] * groups {
            throw OpError(
                op: name,
                "given groups=\(groups), weight of size \(shapeString(w.shape)), expected input"
                    + "\(shapeString(x.shape)) to have \(w.shape[1] * groups) channels, but got \(channels) "
                    + "channels instead")
        }
        if let b, b.shape != [w.shape[0]] {
            throw OpError(
                op: name,
                "given weight of size \(shapeString(w.shape)), expected bias to be 1-dimensional with "
                    + "\(w.shape[0]) elements, but got bias of size \(shapeString(b.shape)) instead")
        }
        let rank = x.shape.count
        let padded = (0..<2).map { x.shape[rank - 2 + $0] + 2 * padding[$0] }
        let kernel = (0..<2).map { dilation[$0] * (w.shape[2 + $0] - 1) + 1 }
        if padded[0] < kernel[0] || padded[1] < kernel[1] {
            throw OpError(
                op: name,
                "calculated padded input size per channel: (\(padded[0]) x \(padded[1])). Kernel "
                    + "size: (\(kernel[0]) x \(kernel[1])). Kernel size can't be greater than actual input size "
                    + "(input \(shapeString(x.shape)), weight \(shapeString(w.shape)))")
        }
        let g = Conv2dGeometry(
            x: x.shape, weight: w.shape, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let spatial = [w.shape[0], g.outH, g.outW]
        return TensorMeta(shape: rank == 4 ? [g.batch] + spatial : spatial, dtype: x.dtype)
    }

    // MARK: - unfold

    func unfoldResult(
        _ x: TensorMeta, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int]
    ) throws(OpError) -> TensorMeta {
        try checkPairs(["kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation])
        let checks: [(String, [Int], Bool)] = [
            ("kernel size", kernel, kernel.allSatisfy { $0 > 0 }),
            ("dilation", dilation, dilation.allSatisfy { $0 > 0 }),
            ("stride", stride, stride.allSatisfy { $0 > 0 }),
        ]
        for (label, values, valid) in checks where !valid {
            throw OpError(op: name, "\(label) should be greater than zero, but got \(shapeString(values))")
        }
        if padding.contains(where: { $0 < 0 }) {
            throw OpError(op: name, "padding should be non-negative, but got \(shapeString(padding))")
        }
        guard x.dtype.isFloatingPoint else {
            throw OpError(op: name, "expected a floating-point input, got \(x.dtype.rawValue)")
        }
        let rank = x.shape.count
        guard rank == 3 || rank == 4, x.shape.dropFirst(rank - 3).allSatisfy({ $0 > 0 }) else {
            throw OpError(
                op: name,
                "expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                    + "dimensions for input, but got: \(shapeString(x.shape))")
        }
        // The number of windows along each axis, rounded toward -∞ as PyTorch's check computes it.
        let blocks = (0..<2).map { i in
            floorDivide(
                x.shape[rank - 2 + i] + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1, stride[i]) + 1
        }
        if blocks.contains(where: { $0 < 1 }) {
            throw OpError(
                op: name,
                "given input with spatial size (\(x.shape[rank - 2]), \(x.shape[rank - 1])), kernel_size="
                    + "(\(kernel[0]), \(kernel[1])), dilation=(\(dilation[0]), \(dilation[1])), padding="
                    + "(\(padding[0]), \(padding[1])), calculated shape of the array of sliding blocks as "
                    + "(\(blocks[0]), \(blocks[1])), but its components must be at least one")
        }
        let g = Conv2dGeometry(
            unfolding: x.shape, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
        let columns = [g.channels * g.kernelH * g.kernelW, g.positions]
        return TensorMeta(shape: rank == 4 ? [g.batch] + columns : columns, dtype: x.dtype)
    }

    // MARK: - Pooling

    func pool2dResult(
        _ x: TensorMeta, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool
    ) throws(OpError) -> TensorMeta {
        try checkPairs(["kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation])
        if kernel.contains(where: { $0 <= 0 }) {
            throw OpError(op: name, "kernel size should be greater than zero, but got \(shapeString(kernel))")
        }
        if stride.contains(where: { $0 <= 0 }) {
            throw OpError(op: name, "stride should be greater than zero, but got \(shapeString(stride))")
        }
        if dilation.contains(where: { $0 <= 0 }) {
            throw OpError(op: name, "dilation should be greater than zero, but got \(shapeString(dilation))")
        }
        if padding.contains(where: { $0 < 0 }) { throw OpError(op: name, "pad must be non-negative") }
        if x.dtype == .bool { throw OpError(op: name, "not implemented for bool tensors") }
        let rank = x.shape.count
        guard rank == 3 || rank == 4, x.shape.dropFirst(rank - 3).allSatisfy({ $0 > 0 }) else {
            throw OpError(
                op: name,
                "expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
                    + "but got: \(shapeString(x.shape))")
        }
        for i in 0..<2 where padding[i] > (dilation[i] * (kernel[i] - 1) + 1) / 2 {
            throw OpError(
                op: name,
                "pad should be at most half of effective kernel size, but got pad=\(padding[i]), "
                    + "kernel_size=\(kernel[i]) and dilation=\(dilation[i])")
        }
        if padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2 {
            throw OpError(
                op: name,
                "pad should be smaller than or equal to half of kernel size, but got "
                    + "padW = \(padding[1]), padH = \(padding[0]), kW = \(kernel[1]), kH = \(kernel[0])")
        }
        let g = Pool2dGeometry(
            x: x.shape, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
            ceilMode: ceilMode)
        let c = x.shape[rank - 3]
        if g.outH < 1 || g.outW < 1 {
            throw OpError(
                op: name,
                "given input size: (\(c)x\(g.height)x\(g.width)). Calculated output size: "
                    + "(\(c)x\(g.outH)x\(g.outW)). Output size is too small")
        }
        return TensorMeta(shape: Array(x.shape.dropLast(2)) + [g.outH, g.outW], dtype: x.dtype)
    }

    /// Each attribute has two values, small enough that the window arithmetic cannot overflow (a worker
    /// checks a command with this rule before it runs, and must not stop on what a client sends).
    private func checkPairs(_ attributes: KeyValuePairs<String, [Int]>) throws(OpError) {
        for (label, values) in attributes {
            if values.count != 2 {
                throw OpError(
                    op: name, "\(label) must have two values (height, width), got \(shapeString(values))")
            }
            if values.contains(where: { $0 > Int(Int32.max) || $0 < -Int(Int32.max) }) {
                throw OpError(op: name, "\(label) \(shapeString(values)) is out of range")
            }
        }
    }
}
