import SyftCore

extension Reduction {
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
