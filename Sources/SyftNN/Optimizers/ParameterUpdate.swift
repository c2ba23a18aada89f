import Foundation
import SyftCore

// Note [Optimizer steps where the parameters are]
// An optimizer's rule for one parameter is data (`ParameterUpdate`) with one implementation
// (`apply`), so the same step runs here on local parameters, or on the worker that holds remote ones:
// the optimizer hands the worker's parameters to their handle (`RemoteParameterUpdating`, implemented by
// SyftRemote's pointers), which sends the rule and the object ids in one message for all of them; the
// worker applies the rule, skipping parameters without a gradient exactly as here, and keeps the state
// (momentum buffers, Adam's moments and step count) as objects of its own. No gradient travels and no
// round trip is needed, so a remote training step costs one message, not one per parameter.

/// One optimizer step's rule for a parameter: SGD (momentum, Nesterov, weight decay) or Adam (L2 or
/// decoupled weight decay), with its settings.
///
/// ```swift
/// var w = Tensor([1.0, 2.0])
/// var state: [Tensor?] = [nil]
/// ParameterUpdate.sgd(lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false)
///     .apply(to: &w, grad: Tensor([0.5, 0.5]), state: &state)
/// ```
public enum ParameterUpdate: Sendable, Equatable {
    case sgd(lr: Double, momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool)
    case adam(lr: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decoupled: Bool)

    /// The number of state tensors a parameter has: SGD's momentum buffer (when momentum is on); Adam's
    /// first and second moments and its step count.
    public var stateCount: Int {
        switch self {
        case .sgd(_, let momentum, _, _, _): return momentum == 0 ? 0 : 1
        case .adam: return 3
        }
    }

    /// Applies the rule to `param` (updated in place, keeping its identity as a leaf) from `grad`, with
    /// the parameter's `state` (nil entries before its first step; updated).
    /// - Precondition: `grad` has `param`'s shape; `state` has ``stateCount`` entries.
    public func apply(to param: inout Tensor, grad: Tensor, state: inout [Tensor?]) {
        precondition(
            state.count == stateCount, "ParameterUpdate: \(state.count) state tensors for \(stateCount)")
        withoutGradient {
            var g = grad
            switch self {
            case .sgd(let lr, let momentum, let dampening, let weightDecay, let nesterov):
                if weightDecay != 0 { g = g + weightDecay * param }
                if momentum != 0 {
                    let b = state[0].map { momentum * $0 + (1 - dampening) * g } ?? g
                    state[0] = b
                    g = nesterov ? g + momentum * b : b
                }
                if !param.addScaledInPlace(g, alpha: -lr) { param -= lr * g }
            case .adam(let lr, let beta1, let beta2, let eps, let weightDecay, let decoupled):
                if weightDecay != 0 {
                    if decoupled { param *= 1 - lr * weightDecay } else { g = g + weightDecay * param }
                }
                let t = (state[2]?.item() ?? 0) + 1
                let m = (state[0].map { beta1 * $0 } ?? g * 0) + (1 - beta1) * g
                let v = (state[1].map { beta2 * $0 } ?? g * 0) + (1 - beta2) * (g * g)
                state = [m, v, Tensor(t, dtype: .float64)]
                let bc1 = 1 - Foundation.pow(beta1, t)
                let bc2 = 1 - Foundation.pow(beta2, t)
                param -= (lr / bc1) * m / (v.sqrt() / bc2.squareRoot() + eps)
            }
        }
    }
}

/// What a remote tensor's handle does to run an optimizer step where the parameters are (Note
/// [Optimizer steps where the parameters are]); SyftRemote's pointers implement it.
public protocol RemoteParameterUpdating: AnyObject {
    /// Applies `update` to `parameters` (all on this handle's worker) in one message. `state` holds each
    /// parameter's state from the previous step: nil before the first, pointers, or tensors from where
    /// the parameter was before (local tensors or pointers to another worker), which move to the
    /// parameter's worker first. Returns the state, as pointers on this worker, for the next step.
    /// - Throws: `SyftError` when a parameter's pointer cannot be used.
    func applyUpdate(_ update: ParameterUpdate, parameters: [Tensor], state: [[Tensor?]]) throws -> [[Tensor]]

    /// Brings a state tensor that `pointer` (with this handle) points to here, for a parameter that
    /// came back; nil when its worker never created it (the parameter never had a gradient there).
    func fetchState(_ pointer: Tensor) throws -> Tensor?

    /// Clears the gradients of `parameters` (all on this handle's worker) in one message, without waiting;
    /// a pointer that can no longer be used is skipped, as a single tensor's `zeroGrad()` skips it.
    func zeroGrad(_ parameters: [Tensor])
}

/// The parameters held here, and those on workers grouped by worker (in the order first seen), with the
/// handle that sends a worker its group's message. One pass, one dynamic cast per parameter: it runs at
/// every optimizer step and every `zeroGrad()`.
func partitionByWorker(
    _ parameters: [Parameter]
) -> (
    local: [Parameter], remote: [(updater: any RemoteParameterUpdating, params: [Parameter])]
) {
    var local: [Parameter] = []
    var remote: [(updater: any RemoteParameterUpdating, params: [Parameter])] = []
    var slot: [ObjectIdentifier: Int] = [:]
    for p in parameters {
        guard let handle = p.value.remoteHandle, let updater = handle as? any RemoteParameterUpdating else {
            local.append(p)
            continue
        }
        let worker = ObjectIdentifier(handle.placement)
        if let s = slot[worker] {
            remote[s].params.append(p)
        } else {
            slot[worker] = remote.count
            remote.append((updater, [p]))
        }
    }
    return (local, remote)
}

extension Optimizer {
    /// Clears every parameter's gradient (sets it to nil, as PyTorch's `zero_grad()`); remote parameters
    /// in one message per worker.
    public func zeroGrad() {
        let (local, remote) = partitionByWorker(parameters)
        for p in local { p.value.zeroGrad() }
        for (updater, params) in remote { updater.zeroGrad(params.map(\.value)) }
    }
}

/// The state and the step of one optimizer, for local and remote parameters alike. A parameter's state
/// follows it: local tensors while it is here, pointers while it is on a worker, moved when it moves.
struct OptimizerState {
    /// Each parameter's state (local tensors or pointers), by parameter.
    var states: [ObjectIdentifier: [Tensor?]] = [:]

    /// Applies `update` to every parameter: local ones here, remote ones in one message per worker.
    mutating func step(_ parameters: [Parameter], _ update: ParameterUpdate) throws {
        let none = [Tensor?](repeating: nil, count: update.stateCount)
        let (local, remote) = partitionByWorker(parameters)
        for p in local {
            guard let g = p.value.grad else { continue }
            let key = ObjectIdentifier(p)
            var s = states[key] ?? none
            // The parameter came back from a worker: its state comes with it.
            for (k, t) in s.enumerated() {
                if let t, let handle = t.remoteHandle as? any RemoteParameterUpdating {
                    s[k] = try handle.fetchState(t)
                }
            }
            update.apply(to: &p.value, grad: g, state: &s)
            states[key] = s
        }
        for (updater, params) in remote {
            let next = try updater.applyUpdate(
                update, parameters: params.map(\.value),
                state: params.map { states[ObjectIdentifier($0)] ?? none })
            for (p, s) in zip(params, next) { states[ObjectIdentifier(p)] = s }
        }
    }
}
