// Functions neural networks are built from: softmax, log-softmax, gather, bernoulli sampling.

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

/// Random 0/1 values, 1 with probability `p`, shaped like `x` (`torch.bernoulli(x, p)`).
public func bernoulli(_ x: Tensor, p: Double) -> Tensor { dispatch1(.bernoulli(p: p), x) }

extension Tensor {
    /// Softmax along `axis`.
    public func softmax(axis: Int) -> Tensor { SyftCore.softmax(self, axis: axis) }
    /// Log-softmax along `axis`.
    public func logSoftmax(axis: Int) -> Tensor { SyftCore.logSoftmax(self, axis: axis) }
}
