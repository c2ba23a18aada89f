// Functions neural networks are built from: softmax, log-softmax, gather, bernoulli sampling, the linear
// layer's product and the negative log-likelihood.

/// `softmax(x)_i = e^{x_i} / Σ_j e^{x_j}` along `axis` (`torch.softmax`), computed stably.
///
/// ```swift
/// softmax(Tensor([[1.0, 2, 3]]), axis: 1)   // tensor([[0.0900, 0.2447, 0.6652]])
/// ```
public func softmax(_ x: Tensor, axis: Int) -> Tensor {
    dispatch1(.softmax(axis: x.rank == 0 ? 0 : x.normalizedAxis(axis, op: "softmax")), x)
}

/// `log(softmax(x))` along `axis` (`torch.log_softmax`), computed stably.
public func logSoftmax(_ x: Tensor, axis: Int) -> Tensor {
    dispatch1(.logSoftmax(axis: x.rank == 0 ? 0 : x.normalizedAxis(axis, op: "log_softmax")), x)
}

/// Values of `x` at `index` along `axis` (`torch.gather`): `out[i][j] = x[i][index[i][j]]` for axis 1.
///
/// ```swift
/// gather(Tensor([[1.0, 2], [3, 4]]), axis: 1, index: Tensor([[1], [0]]))   // tensor([[2.], [3.]])
/// ```
public func gather(_ x: Tensor, axis: Int, index: Tensor) -> Tensor {
    dispatch1(.gather(axis: x.normalizedAxis(axis, op: "gather")), x, index)
}

/// `x·Wᵀ + b` (`torch.nn.functional.linear`) over the last axis of `x`.
///
/// ```swift
/// let x = Tensor.randn([32, 64])
/// let w = Tensor.randn([10, 64])
/// linear(x, weight: w, bias: Tensor.zeros([10]))   // shape [32, 10]
/// ```
/// Floating-point operands with a 2-D weight and a bias [out] (or none), the layer's case, are one
/// operation (`Op.linear`: one GEMM, one node, one command to a worker); other operands (a 1-D weight, a
/// bias that broadcasts, such as [1], integers) compose `matmul` and `+` as PyTorch does.
/// - Precondition: the shapes fit (`x` [..., in], `weight` [out, in]).
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    let fused =
        x.dtype.isFloatingPoint && weight.rank == 2 && weight.dtype == x.dtype
        && (bias.map { $0.shape == [weight.shape[0]] && $0.dtype == x.dtype } ?? true)
    if fused { return dispatch(.linear, bias.map { [x, weight, $0] } ?? [x, weight])[0] }
    let y = matmul(x, weight.transposed())
    guard let bias else { return y }
    return y + bias
}

/// How a loss combines the per-element losses (PyTorch's `reduction`).
///
/// ```swift
/// nllLoss(logp, labels, reduction: .none)   // one loss per sample, [N]
/// ```
public enum Reduction: String, Hashable, Sendable, CaseIterable {
    /// The mean over all elements (the default).
    case mean
    /// The sum over all elements.
    case sum
    /// No reduction: one loss per element.
    case none
}

/// The negative log-likelihood of class indices under log-probabilities (`torch.nn.functional.nll_loss`).
///
/// ```swift
/// let logp = logSoftmax(Tensor([[1.0, 2, 3], [1, 1, 1]]), axis: 1)
/// nllLoss(logp, Tensor([2, 0]))   // tensor(0.7531)
/// ```
/// `logProbabilities` is [N, C] (or [N, C, d...] with `target` [N, d...], or [C] with `target` []);
/// `target` holds int64 class indices in `0..<C`. With `weight` (one per class, [C]), each target's loss
/// is scaled by its class's weight and the mean divides by the sum of those weights, as in PyTorch (the
/// weights get no gradient). A target equal to `ignoreIndex` (PyTorch's default, -100, marks padding) has
/// loss 0 and no gradient, and the mean is over the other targets. Any other index outside `0..<C` gives
/// a NaN loss (PyTorch stops with an error; a worker's kernel does not stop on a client's data) and no
/// gradient.
/// - Precondition: the shapes fit, `target` is int64 and `weight` is of the input's dtype.
public func nllLoss(
    _ logProbabilities: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
    ignoreIndex: Int = -100
) -> Tensor {
    let op = Op.nllLoss(reduction: reduction, ignoreIndex: ignoreIndex)
    return dispatch(op, weight.map { [logProbabilities, target, $0] } ?? [logProbabilities, target])[0]
}

/// Random 0/1 values, 1 with probability `p`, shaped like `x` (`torch.bernoulli(x, p)`).
public func bernoulli(_ x: Tensor, p: Double) -> Tensor { dispatch1(.bernoulli(p: p), x) }

extension Tensor {
    /// Softmax along `axis`.
    public func softmax(axis: Int) -> Tensor { SyftCore.softmax(self, axis: axis) }
    /// Log-softmax along `axis`.
    public func logSoftmax(axis: Int) -> Tensor { SyftCore.logSoftmax(self, axis: axis) }
}
