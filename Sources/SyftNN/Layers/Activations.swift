import SyftCore

/// `max(x, 0)` elementwise (`nn.ReLU`).
public final class ReLU: Module, Layer {
    public override init() { super.init() }
    public func callAsFunction(_ input: Tensor) -> Tensor { relu(input) }
}

/// The logistic function elementwise (`nn.Sigmoid`).
public final class Sigmoid: Module, Layer {
    public override init() { super.init() }
    public func callAsFunction(_ input: Tensor) -> Tensor { sigmoid(input) }
}

/// Hyperbolic tangent elementwise (`nn.Tanh`).
public final class Tanh: Module, Layer {
    public override init() { super.init() }
    public func callAsFunction(_ input: Tensor) -> Tensor { tanh(input) }
}

/// Softmax along `axis` (`nn.Softmax(dim)`).
public final class Softmax: Module, Layer {
    public let axis: Int
    public init(axis: Int) {
        self.axis = axis
        super.init()
    }
    public func callAsFunction(_ input: Tensor) -> Tensor { softmax(input, axis: axis) }
    public override var extraDescription: String { "dim=\(axis)" }
}

/// Log-softmax along `axis` (`nn.LogSoftmax(dim)`).
public final class LogSoftmax: Module, Layer {
    public let axis: Int
    public init(axis: Int) {
        self.axis = axis
        super.init()
    }
    public func callAsFunction(_ input: Tensor) -> Tensor { logSoftmax(input, axis: axis) }
    public override var extraDescription: String { "dim=\(axis)" }
}

/// Zeroes elements with probability `p` in training mode and scales the rest by `1/(1-p)`; the identity
/// in evaluation mode (`nn.Dropout`).
public final class Dropout: Module, Layer {
    public let p: Double
    public init(p: Double = 0.5) {
        precondition(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got \(p)")
        self.p = p
        super.init()
    }
    public func callAsFunction(_ input: Tensor) -> Tensor { dropout(input, p: p, training: isTraining) }
    public override var extraDescription: String { "p=\(p), inplace=False" }
}

/// Dropout as a function (`torch.nn.functional.dropout`); the mask is drawn where the data is.
public func dropout(_ x: Tensor, p: Double, training: Bool = true) -> Tensor {
    guard training, p > 0 else { return x }
    if p >= 1 { return x * 0 }
    return x * bernoulli(x, p: 1 - p) / (1 - p)
}

/// Flattens axes `startAxis...endAxis` into one (`nn.Flatten`, default from axis 1).
public final class Flatten: Module, Layer {
    public let startAxis: Int
    public let endAxis: Int
    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
        super.init()
    }
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let r = input.rank
        let s = startAxis < 0 ? startAxis + r : startAxis
        let e = endAxis < 0 ? endAxis + r : endAxis
        precondition(
            s >= 0 && e < r && s <= e,
            "Flatten: axes \(startAxis)...\(endAxis) out of range for shape \(input.shape)")
        let shape =
            Array(input.shape[..<s]) + [input.shape[s...e].reduce(1, *)] + Array(input.shape[(e + 1)...])
        return input.reshaped(to: shape)
    }
    public override var extraDescription: String { "start_dim=\(startAxis), end_dim=\(endAxis)" }
}

/// Layers applied in order (`nn.Sequential`); children are named `0`, `1`, ... as in PyTorch.
///
/// ```swift
/// let mlp = Sequential(Linear(64, 64), ReLU(), Linear(64, 10))
/// ```
public final class Sequential: Module, Layer {
    public let layers: [any Layer]
    public init(_ layers: [any Layer]) {
        self.layers = layers
        super.init()
    }
    public convenience init(_ layers: any Layer...) { self.init(layers) }
    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
    }
    public override func members() -> [(String, Any)] {
        layers.enumerated().map { ("\($0.offset)", $0.element as Any) }
    }
}
