import SyftCore

/// An optimizer updates parameters from their gradients (`torch.optim`).
///
/// ```swift
/// let opt = SGD(model.parameters(), lr: 0.1)
/// opt.zeroGrad()
/// let loss = crossEntropy(model(x), y)
/// try loss.backward()
/// try opt.step()
/// ```
public protocol Optimizer: AnyObject {
    /// The parameters it updates.
    var parameters: [Parameter] { get }
    /// Applies one update from the current gradients; parameters without a gradient are skipped.
    /// - Throws: a remote parameter's worker error (local parameters never throw).
    func step() throws
}

/// Stochastic gradient descent with momentum, Nesterov momentum and weight decay (`torch.optim.SGD`).
///
/// With momentum μ, dampening τ and weight decay λ: `g ← g + λp`, `b ← μb + (1-τ)g` (b = g at the first
/// step), `g ← g + μb` (Nesterov) or `g ← b`, then `p ← p - lr·g` (Sutskever et al., 2013).
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var lr: Double
    public let momentum: Double
    public let dampening: Double
    public let weightDecay: Double
    public let nesterov: Bool
    private var state = OptimizerState()

    public init(
        _ parameters: [Parameter], lr: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false
    ) {
        precondition(lr >= 0, "SGD: invalid learning rate \(lr)")
        precondition(
            !nesterov || (momentum > 0 && dampening == 0),
            "SGD: Nesterov momentum requires a momentum and zero dampening")
        self.parameters = parameters
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    /// Applies one step to every parameter with a gradient; parameters on a worker are updated there, in
    /// one message per worker (Note [Optimizer steps where the parameters are]).
    public func step() throws {
        try state.step(
            parameters,
            .sgd(
                lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov
            ))
    }
}

/// Adam (Kingma & Ba, 2015) with L2 weight decay (`torch.optim.Adam`), or decoupled weight decay
/// (Loshchilov & Hutter, 2019) as ``AdamW``.
public class Adam: Optimizer {
    public let parameters: [Parameter]
    public var lr: Double
    public let beta1: Double
    public let beta2: Double
    public let eps: Double
    public let weightDecay: Double
    let decoupled: Bool
    private var state = OptimizerState()

    public init(
        _ parameters: [Parameter], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        eps: Double = 1e-8,
        weightDecay: Double = 0
    ) {
        self.parameters = parameters
        self.lr = lr
        self.beta1 = betas.0
        self.beta2 = betas.1
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = false
    }

    init(
        _ parameters: [Parameter], lr: Double, betas: (Double, Double), eps: Double, weightDecay: Double,
        decoupled: Bool
    ) {
        self.parameters = parameters
        self.lr = lr
        self.beta1 = betas.0
        self.beta2 = betas.1
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    /// Applies one step to every parameter with a gradient; parameters on a worker are updated there, in
    /// one message per worker (Note [Optimizer steps where the parameters are]).
    public func step() throws {
        try state.step(
            parameters,
            .adam(
                lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decoupled: decoupled))
    }
}

/// Adam with decoupled weight decay (`torch.optim.AdamW`; default weight decay 0.01).
public final class AdamW: Adam {
    public override init(
        _ parameters: [Parameter], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
        eps: Double = 1e-8,
        weightDecay: Double = 0.01
    ) {
        super.init(parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: true)
    }
}
