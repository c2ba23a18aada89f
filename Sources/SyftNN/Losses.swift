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

/// Cross entropy of logits against class indices, `nll_loss(log_softmax(logits, 1), target)`, or against
/// class probabilities (`torch.nn.functional.cross_entropy`).
///
/// ```swift
/// let loss = crossEntropy(model(x), labels)   // labels: int64 [N]
/// crossEntropy(Tensor([[2.0, 0, 0]]), Tensor([[0.5, 0.5, 0]]))   // soft targets: tensor(1.2395)
/// ```
/// - Parameters:
///   - logits: [N, C], [N, C, d...] or [C].
///   - target: int64 class indices ([N], [N, d...] or []), where `ignoreIndex` marks targets that count
///     for nothing (see ``nllLoss(_:_:reduction:ignoreIndex:)``); or floating-point class probabilities
///     of the logits' shape, giving `-Σ_c p_c log softmax(logits)_c` per sample.
/// - Precondition: the shapes fit.
public func crossEntropy(
    _ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean, ignoreIndex: Int = -100
) -> Tensor {
    let axis = logits.rank == 1 ? 0 : 1
    let logProbabilities = logSoftmax(logits, axis: axis)
    guard target.dtype.isFloatingPoint else {
        return nllLoss(logProbabilities, target, reduction: reduction, ignoreIndex: ignoreIndex)
    }
    precondition(
        target.shape == logits.shape,
        "cross_entropy: class probabilities must have the logits' shape \(logits.shape), got \(target.shape)")
    return reduction.apply(-(logProbabilities * target).sum(squeezingAxes: axis))
}

/// Binary cross entropy on logits, computed stably as `max(x, 0) - x·y + log(1 + e^{-|x|})`
/// (`binary_cross_entropy_with_logits`).
public func binaryCrossEntropyWithLogits(
    _ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean
) -> Tensor {
    let losses = relu(logits) - logits * target + ((-logits.abs()).exp() + 1).log()
    return reduction.apply(losses)
}
