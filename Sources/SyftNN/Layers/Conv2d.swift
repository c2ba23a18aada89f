import SyftCore

/// 2-D convolution (PyTorch's `nn.Conv2d`), with PyTorch's default initialization: weight and bias
/// uniform in `[-1/√fanIn, 1/√fanIn]`, `fanIn = inChannels / groups · kH · kW`.
///
/// ```swift
/// let conv = Conv2d(1, 8, kernelSize: 3, padding: 1)
/// let y = conv(Tensor.randn([64, 1, 28, 28]))   // shape [64, 8, 28, 28]
/// ```
public final class Conv2d: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor
    public let hasBias: Bool
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: [Int]
    public let stride: [Int]
    public let padding: [Int]
    public let dilation: [Int]
    public let groups: Int

    /// A convolution from `inChannels` to `outChannels` with a square or `[kH, kW]` kernel.
    /// - Precondition: both channel counts are divisible by `groups`.
    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: any IntPair, stride: any IntPair = 1,
        padding: any IntPair = 0, dilation: any IntPair = 1, groups: Int = 1, bias: Bool = true,
        dtype: DType = .float32, generator: Generator? = nil
    ) {
        precondition(
            groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
            "Conv2d: \(inChannels) in and \(outChannels) out channels are not divisible by \(groups) groups")
        let k = kernelSize.pairValues
        precondition(k.count == 2 && k.allSatisfy { $0 > 0 }, "Conv2d: invalid kernel size \(k)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = k
        self.stride = stride.pairValues
        self.padding = padding.pairValues
        self.dilation = dilation.pairValues
        self.groups = groups
        self.hasBias = bias
        let fanIn = inChannels / groups * k[0] * k[1]
        let bound = 1 / Double(fanIn).squareRoot()
        _weight = Parameter(
            wrappedValue: uniform(
                [outChannels, inChannels / groups, k[0], k[1]], bound: bound, dtype: dtype,
                generator: generator))
        _bias = Parameter(
            wrappedValue: bias
                ? uniform([outChannels], bound: bound, dtype: dtype, generator: generator)
                : Tensor.zeros([0], dtype: dtype))
        super.init()
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        conv2d(
            input, weight, bias: hasBias ? bias : nil, stride: stride, padding: padding, dilation: dilation,
            groups: groups)
    }

    public override func members() -> [(String, Any)] {
        hasBias ? [("weight", $weight), ("bias", $bias)] : [("weight", $weight)]
    }

    public override var extraDescription: String {
        "\(inChannels), \(outChannels), kernel_size=(\(kernelSize[0]), \(kernelSize[1])), stride=(\(stride[0]), \(stride[1]))"
            + (padding == [0, 0] ? "" : ", padding=(\(padding[0]), \(padding[1]))")
    }
}

/// 2-D max pooling (`nn.MaxPool2d`); the stride defaults to the kernel size.
public final class MaxPool2d: Module, Layer {
    public let kernelSize: [Int]
    public let stride: [Int]
    public let padding: [Int]
    public init(kernelSize: any IntPair, stride: (any IntPair)? = nil, padding: any IntPair = 0) {
        self.kernelSize = kernelSize.pairValues
        self.stride = stride?.pairValues ?? kernelSize.pairValues
        self.padding = padding.pairValues
        super.init()
    }
    public func callAsFunction(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
    public override var extraDescription: String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)"
    }
}

/// 2-D average pooling (`nn.AvgPool2d`); the stride defaults to the kernel size.
public final class AvgPool2d: Module, Layer {
    public let kernelSize: [Int]
    public let stride: [Int]
    public let padding: [Int]
    public init(kernelSize: any IntPair, stride: (any IntPair)? = nil, padding: any IntPair = 0) {
        self.kernelSize = kernelSize.pairValues
        self.stride = stride?.pairValues ?? kernelSize.pairValues
        self.padding = padding.pairValues
        super.init()
    }
    public func callAsFunction(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding)
    }
    public override var extraDescription: String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)"
    }
}

/// Reshapes axis 1 into `shape` (`nn.Unflatten(1, shape)`): rows of 64 pixels to [1, 8, 8] images.
public final class Unflatten: Module, Layer {
    public let shape: [Int]
    public init(_ shape: [Int]) {
        self.shape = shape
        super.init()
    }
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.reshaped(to: [input.shape[0]] + shape)
    }
    public override var extraDescription: String { "dim=1, unflattened_size=\(shape)" }
}
