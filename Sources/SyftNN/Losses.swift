import SyftCore

/// How a loss combines the per-element losses (PyTorch's `reduction`).
public enum Reduction: String, Sendable, CaseIterable {
    /// The mean over all elements (the default).
    case mean
    /// The sum over all elements.
    case sum
    /// No reduction: one loss per element.
    case none

    func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        case .none: return losses
        }
    }
}

/// The mean squared error `mean((input - target)²)` (`torch.nn.functional.mse_loss`).
///
/// ```swift
/// mseLoss(Tensor([1.0, 2.0]), Tensor([1.0, 4.0]))   // tensor(2.)
/// ```
/// - Precondition: the shapes broadcast.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    let d = input - target
    return reduction.apply(d * d)
}

/// The negative log-likelihood of class indices under log-probabilities (`nll_loss`).
///
/// `logProbabilities` is [N, C] (or [C]); `target` holds class indices in `0..<C` (int64, [N] or []).
/// - Precondition: target is int64 with one index per row.
public func nllLoss(_ logProbabilities: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    precondition(
        target.dtype == .int64, "nll_loss: target must hold int64 class indices, got \(target.dtype.rawValue)"
    )
    if logProbabilities.rank == 1 {
        return nllLoss(logProbabilities.unsqueezed(at: 0), target.reshaped(to: [1]), reduction: reduction)
    }
    precondition(
        logProbabilities.rank == 2 && target.shape == [logProbabilities.shape[0]],
        "nll_loss: expected input [N, C] and target [N], got \(logProbabilities.shape) and \(target.shape)")
    let picked = gather(logProbabilities, axis: 1, index: target.unsqueezed(at: 1)).squeezed(at: 1)
    return reduction.apply(-picked)
}

/// Cross entropy of logits against class indices: `nll_loss(log_softmax(logits, 1), target)`
/// (`torch.nn.functional.cross_entropy`).
///
/// ```swift
/// let loss = crossEntropy(model(x), labels)   // labels: int64 [N]
/// ```
public func crossEntropy(_ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    nllLoss(logSoftmax(logits, axis: logits.rank == 1 ? 0 : 1), target, reduction: reduction)
}

/// Binary cross entropy on logits, computed stably as `max(x, 0) - x·y + log(1 + e^{-|x|})`
/// (`binary_cross_entropy_with_logits`).
public func binaryCrossEntropyWithLogits(
    _ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean
) -> Tensor {
    let losses = relu(logits) - logits * target + ((-logits.abs()).exp() + 1).log()
    return reduction.apply(losses)
}
