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
/// crossEntropy(model(x), labels, weight: Tensor([1.0, 4.0]), labelSmoothing: 0.1)
/// ```
/// - Parameters:
///   - logits: [N, C], [N, C, d...] or [C].
///   - target: int64 class indices ([N], [N, d...] or []), where `ignoreIndex` marks targets that count
///     for nothing (as in `nllLoss(_:_:weight:reduction:ignoreIndex:)`); or floating-point class
///     probabilities of the logits' shape, giving `-Σ_c w_c p_c log softmax(logits)_c` per sample.
///   - weight: one weight per class, [C], as in `nllLoss`.
///   - reduction: the mean (the default, over the targets kept, weighted), the sum, or one loss per
///     sample.
///   - ignoreIndex: the class index of targets that count for nothing (-100, as in PyTorch).
///   - labelSmoothing: ε in [0, 1]: the target becomes `(1 - ε)` on its class plus `ε / C` on every
///     class, as PyTorch computes it (for class indices, weighted and normalized as the loss itself).
/// - Precondition: the shapes fit and `labelSmoothing` is in [0, 1].
public func crossEntropy(
    _ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
    ignoreIndex: Int = -100, labelSmoothing: Double = 0
) -> Tensor {
    precondition(
        labelSmoothing >= 0 && labelSmoothing <= 1,
        "cross_entropy: label_smoothing must be in [0, 1], got \(labelSmoothing)")
    precondition(logits.rank >= 1, "cross_entropy: logits need a class axis, got a 0-d tensor")
    let axis = logits.rank == 1 ? 0 : 1
    let classes = logits.shape[axis]
    precondition(
        weight.map { $0.shape == [classes] } ?? true,
        "cross_entropy: weight must hold one value per class, [\(classes)], got \(weight?.shape ?? [])")
    let logProbabilities = logSoftmax(logits, axis: axis)
    // The class weights broadcast along the class axis: [C, 1, ...] against [N, C, d...].
    let classWeight = weight.map {
        logits.rank <= 2 ? $0 : $0.reshaped(to: [classes] + [Int](repeating: 1, count: logits.rank - 2))
    }
    /// `-Σ_c w_c t_c` over the class axis.
    func weightedClassSum(_ t: Tensor) -> Tensor {
        -(classWeight.map { t * $0 } ?? t).sum(squeezingAxes: axis)
    }
    if target.dtype.isFloatingPoint {
        precondition(
            target.shape == logits.shape,
            "cross_entropy: class probabilities must have the logits' shape \(logits.shape), got \(target.shape)"
        )
        let p = labelSmoothing > 0 ? target * (1 - labelSmoothing) + labelSmoothing / Double(classes) : target
        return reduction.apply(weightedClassSum(logProbabilities * p))
    }
    let nll = nllLoss(
        logProbabilities, target, weight: weight, reduction: reduction, ignoreIndex: ignoreIndex)
    guard labelSmoothing > 0 else { return nll }
    // PyTorch's smoothing term: the (weighted) sum of every class's log-probability, zero at ignored
    // targets, normalized as the loss is.
    let kept = target .!= ignoreIndex
    let smooth = `where`(kept, weightedClassSum(logProbabilities), 0)
    let term: Tensor
    switch reduction {
    case .none: term = smooth
    case .sum: term = smooth.sum()
    case .mean:
        let counted =
            weight.map { `where`(kept.flattened(), gather($0, axis: 0, index: target.flattened()), 0) }
            ?? kept.to(logits.dtype)
        term = smooth.sum() / counted.sum()
    }
    return (1 - labelSmoothing) * nll + term * (labelSmoothing / Double(classes))
}

/// Binary cross entropy on logits, computed stably as `max(x, 0) - x·y + log(1 + e^{-|x|})`
/// (`binary_cross_entropy_with_logits`).
public func binaryCrossEntropyWithLogits(
    _ logits: Tensor, _ target: Tensor, reduction: Reduction = .mean
) -> Tensor {
    let losses = relu(logits) - logits * target + ((-logits.abs()).exp() + 1).log()
    return reduction.apply(losses)
}
