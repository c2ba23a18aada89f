// The negative log-likelihood (`Op.nllLoss`) and its gradient. The input is read as [N, C, S]: N the
// batch (1 for an input [C]), C the classes, S the product of the trailing axes (1 for [N, C]); the target
// as [N, S]. A target equal to the ignored index counts for nothing: loss 0, no gradient, and not in the
// mean's count (PyTorch's `ignore_index`). Any other class index outside `0..<C` is not an error the
// kernel can stop on (a worker runs it on a client's data): its loss is NaN, so that the result shows
// it, and it gets no gradient.

/// The input's [N, C, S] reading.
private func nllLayout(_ shape: [Int]) -> (n: Int, c: Int, s: Int) {
    shape.count == 1 ? (1, shape[0], 1) : (shape[0], shape[1], shapeCount(Array(shape.dropFirst(2))))
}

/// The number of targets not equal to `ignoreIndex`: what the mean divides by.
private func countedTargets(_ t: UnsafeMutablePointer<Int64>, _ count: Int, ignoreIndex: Int) -> Int {
    var n = 0
    for i in 0..<count where Int(t[i]) != ignoreIndex { n += 1 }
    return n
}

/// `-x[n, target[n, s], s]` per element, reduced as `reduction` says (the mean divides by the number of
/// targets not ignored).
func nllLossKernel(
    _ x0: Tensor, _ target: Tensor, reduction: Reduction, ignoreIndex: Int, out meta: TensorMeta
) -> Tensor {
    let x = x0.contiguous()
    let targets = target.contiguous()
    let t = targets.elementPointer(Int64.self)
    let (n, c, s) = nllLayout(x.shape)
    let out = Tensor(uninitializedShape: meta.shape, dtype: meta.dtype)
    func run<T: FloatElement>(_: T.Type) {
        let p = x.elementPointer(T.self)
        let o = out.elementPointer(T.self)
        var total = 0.0
        for i in 0..<n {
            for j in 0..<s {
                let k = Int(t[i * s + j])
                let loss: T =
                    k == ignoreIndex ? 0 : k >= 0 && k < c ? -p[(i * c + k) * s + j] : T.nan
                if reduction == .none { o[i * s + j] = loss } else { total += Double(loss) }
            }
        }
        switch reduction {
        case .none: break
        case .sum: o[0] = T(total)
        case .mean: o[0] = T(total / Double(countedTargets(t, n * s, ignoreIndex: ignoreIndex)))
        }
    }
    if meta.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    return out
}

/// The gradient of `nllLossKernel` with respect to its input: zero but at each picked class, where it is
/// minus the output's gradient (divided by the number of targets not ignored, for the mean).
func nllLossBackwardKernel(
    _ g0: Tensor, _ target: Tensor, shape: [Int], reduction: Reduction, ignoreIndex: Int
) -> Tensor {
    let gradient = Tensor.zeros(shape, dtype: g0.dtype)
    let g = g0.contiguous()
    let targets = target.contiguous()
    let t = targets.elementPointer(Int64.self)
    let (n, c, s) = nllLayout(shape)
    func run<T: FloatElement>(_: T.Type) {
        let gp = g.elementPointer(T.self)
        let d = gradient.elementPointer(T.self)
        let scale: T =
            switch reduction {
            case .none: 0
            case .sum: -gp[0]
            case .mean: -gp[0] / T(countedTargets(t, n * s, ignoreIndex: ignoreIndex))
            }
        for i in 0..<n {
            for j in 0..<s {
                let k = Int(t[i * s + j])
                guard k != ignoreIndex && k >= 0 && k < c else { continue }
                d[(i * c + k) * s + j] = reduction == .none ? -gp[i * s + j] : scale
            }
        }
    }
    if g.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    return gradient
}
