// The negative log-likelihood (`Op.nllLoss`) and its gradient. The input is read as [N, C, S]: N the
// batch (1 for an input [C]), C the classes, S the product of the trailing axes (1 for [N, C]); the target
// as [N, S]. Each target's loss is scaled by its class's weight (1 without weights), and the mean divides
// by the sum of those weights (PyTorch's `weight`). A target equal to the ignored index counts for
// nothing: loss 0, no gradient, no weight in the mean (PyTorch's `ignore_index`). Any other class index
// outside `0..<C` is not an error the kernel can stop on (a worker runs it on a client's data): its loss
// is NaN, so that the result shows it, and it gets no gradient.

/// How the kernels read one nll_loss: the [N, C, S] layout, the targets, and the weight of each target.
private struct NLLTargets<T: FloatElement> {
    let n: Int
    let c: Int
    let s: Int
    let targets: UnsafeMutablePointer<Int64>
    let weights: UnsafeMutablePointer<T>?
    let ignoreIndex: Int

    init(
        shape: [Int], targets: UnsafeMutablePointer<Int64>, weights: UnsafeMutablePointer<T>?,
        ignoreIndex: Int
    ) {
        (n, c, s) =
            shape.count == 1 ? (1, shape[0], 1) : (shape[0], shape[1], shapeCount(Array(shape.dropFirst(2))))
        self.targets = targets
        self.weights = weights
        self.ignoreIndex = ignoreIndex
    }

    /// Target `t` (flat over [N, S]): its class and weight; the weight is 0 when ignored, nil when the
    /// class is out of range.
    func target(_ t: Int) -> (k: Int, weight: T?) {
        let k = Int(targets[t])
        if k == ignoreIndex { return (k, 0) }
        guard k >= 0 && k < c else { return (k, nil) }
        return (k, weights?[k] ?? 1)
    }

    /// What the mean divides by: the weights of the targets not ignored (their count without weights).
    var weightSum: Double {
        var total = 0.0
        for t in 0..<(n * s) { total += target(t).weight.map { Double($0) } ?? 1 }
        return total
    }
}

/// `-weight[k]·x[n, k, s]` with `k = target[n, s]` per element, reduced as `reduction` says.
func nllLossKernel(
    _ x0: Tensor, _ target: Tensor, weight: Tensor?, reduction: Reduction, ignoreIndex: Int,
    out meta: TensorMeta
) -> Tensor {
    let x = x0.contiguous()
    let targets = target.contiguous()
    let weights = weight?.contiguous()
    let out = Tensor(uninitializedShape: meta.shape, dtype: meta.dtype)
    func run<T: FloatElement>(_: T.Type) {
        let l = NLLTargets(
            shape: x.shape, targets: targets.elementPointer(Int64.self),
            weights: weights?.elementPointer(T.self),
            ignoreIndex: ignoreIndex)
        let p = x.elementPointer(T.self)
        let o = out.elementPointer(T.self)
        var total = 0.0
        for i in 0..<l.n {
            for j in 0..<l.s {
                let (k, w) = l.target(i * l.s + j)
                let loss: T = k == ignoreIndex ? 0 : w.map { -$0 * p[(i * l.c + k) * l.s + j] } ?? T.nan
                if reduction == .none { o[i * l.s + j] = loss } else { total += Double(loss) }
            }
        }
        switch reduction {
        case .none: break
        case .sum: o[0] = T(total)
        case .mean: o[0] = T(total / l.weightSum)
        }
    }
    if meta.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    return out
}

/// The gradient of `nllLossKernel` with respect to its input: zero but at each picked class, where it is
/// minus the class's weight times the output's gradient (divided by the weights' sum, for the mean).
func nllLossBackwardKernel(
    _ g0: Tensor, _ target: Tensor, weight: Tensor?, shape: [Int], reduction: Reduction, ignoreIndex: Int
) -> Tensor {
    let gradient = Tensor.zeros(shape, dtype: g0.dtype)
    let g = g0.contiguous()
    let targets = target.contiguous()
    let weights = weight?.contiguous()
    func run<T: FloatElement>(_: T.Type) {
        let l = NLLTargets(
            shape: shape, targets: targets.elementPointer(Int64.self),
            weights: weights?.elementPointer(T.self),
            ignoreIndex: ignoreIndex)
        let gp = g.elementPointer(T.self)
        let d = gradient.elementPointer(T.self)
        let scale: T =
            switch reduction {
            case .none: 0
            case .sum: gp[0]
            case .mean: gp[0] / T(l.weightSum)
            }
        for i in 0..<l.n {
            for j in 0..<l.s {
                let (k, w) = l.target(i * l.s + j)
                guard k != ignoreIndex, let w else { continue }
                d[(i * l.c + k) * l.s + j] = -w * (reduction == .none ? gp[i * l.s + j] : scale)
            }
        }
    }
    if g.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    return gradient
}
