import SyftCore

/// `y = x·Wᵀ + b` (PyTorch's `nn.Linear`), with PyTorch's default initialization: weight and bias
/// uniform in `[-1/√in, 1/√in]`.
///
/// ```swift
/// let fc = Linear(64, 10)
/// let y = fc(Tensor.randn([32, 64]))   // shape [32, 10]
/// ```
public final class Linear: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor
    public let hasBias: Bool
    public let inFeatures: Int
    public let outFeatures: Int

    /// A layer from `inFeatures` to `outFeatures`, initialized from `generator` (the default generator
    /// when nil).
    public init(
        _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
        generator: Generator? = nil
    ) {
        precondition(
            inFeatures > 0 && outFeatures > 0,
            "Linear: sizes must be positive, got \(inFeatures) and \(outFeatures)")
        let bound = 1 / Double(inFeatures).squareRoot()
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.hasBias = bias
        _weight = Parameter(
            wrappedValue: uniform(
                [outFeatures, inFeatures], bound: bound, dtype: dtype, generator: generator))
        _bias = Parameter(
            wrappedValue: bias
                ? uniform([outFeatures], bound: bound, dtype: dtype, generator: generator)
                : Tensor.zeros([0], dtype: dtype))
        super.init()
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        linear(input, weight: weight, bias: hasBias ? bias : nil)
    }

    public override func members() -> [(String, Any)] {
        hasBias ? [("weight", $weight), ("bias", $bias)] : [("weight", $weight)]
    }

    public override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(hasBias ? "True" : "False")"
    }
}

/// Values uniform in `[-bound, bound)`.
func uniform(_ shape: [Int], bound: Double, dtype: DType, generator: Generator?) -> Tensor {
    withoutGradient {
        (Tensor.rand(shape, dtype: .float64, generator: generator) * (2 * bound) - bound).to(dtype)
    }
}
