import Foundation
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

extension Optimizer {
    /// Clears every parameter's gradient (sets it to nil, as PyTorch's `zero_grad()`).
    public func zeroGrad() {
        for p in parameters { p.value.zeroGrad() }
    }
}

/// The parameters' gradients, asked for in one round trip per worker for remote parameters.
func currentGradients(_ parameters: [Parameter]) throws -> [Tensor?] {
    try gradients(of: parameters.map(\.value))
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
    private var buffers: [ObjectIdentifier: Tensor] = [:]

    public init(
        _ parameters: [Parameter], lr: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false
    ) {
        precondition(lr >= 0, "SGD: invalid learning rate \(lr)")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires a momentum and zero dampening")
        self.parameters = parameters
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public func step() throws {
        let grads = try currentGradients(parameters)
        withoutGradient {
            for (p, grad) in zip(parameters, grads) {
                guard var g = grad else { continue }
                if weightDecay != 0 { g = g + weightDecay * p.value }
                if momentum != 0 {
                    let key = ObjectIdentifier(p)
                    let b = buffers[key].map { momentum * $0 + (1 - dampening) * g } ?? g
                    buffers[key] = b
                    g = nesterov ? g + momentum * b : b
                }
                p.value -= lr * g
            }
        }
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
    private var state: [ObjectIdentifier: (step: Int, m: Tensor, v: Tensor)] = [:]

    public init(
        _ parameters: [Parameter], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
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

    init(_ parameters: [Parameter], lr: Double, betas: (Double, Double), eps: Double, weightDecay: Double, decoupled: Bool) {
        self.parameters = parameters
        self.lr = lr
        self.beta1 = betas.0
        self.beta2 = betas.1
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    public func step() throws {
        let grads = try currentGradients(parameters)
        withoutGradient {
            for (p, grad) in zip(parameters, grads) {
                guard var g = grad else { continue }
                if weightDecay != 0 {
                    if decoupled { p.value *= 1 - lr * weightDecay } else { g = g + weightDecay * p.value }
                }
                let key = ObjectIdentifier(p)
                let previous = state[key]
                let t = (previous?.step ?? 0) + 1
                let m = (previous.map { beta1 * $0.m } ?? g * 0) + (1 - beta1) * g
                let v = (previous.map { beta2 * $0.v } ?? g * 0) + (1 - beta2) * (g * g)
                state[key] = (t, m, v)
                let bc1 = 1 - Foundation.pow(beta1, Double(t))
                let bc2 = 1 - Foundation.pow(beta2, Double(t))
                p.value -= (lr / bc1) * m / (v.sqrt() / bc2.squareRoot() + eps)
            }
        }
    }
}

/// Adam with decoupled weight decay (`torch.optim.AdamW`; default weight decay 0.01).
public final class AdamW: Adam {
    public override init(
        _ parameters: [Parameter], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0.01
    ) {
        super.init(parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: true)
    }
}
