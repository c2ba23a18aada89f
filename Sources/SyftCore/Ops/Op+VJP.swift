// The derivative of every operation: one exhaustive switch (STYLE.md pattern 2). Each case maps the
// gradient of its output (`grads[0]`), its inputs, its outputs (`result`) and which inputs need a
// gradient (`needs`) to one optional gradient per input; `nil` is written out for inputs without one. A
// gradient may have a broadcast shape: the engine sums it back to its input's shape. Derivatives run
// with recording off, on the worker that holds the graph.

extension Op {
    /// Whether the operation has a derivative (comparisons, argmax and the like do not).
    public var isDifferentiable: Bool {
        switch self {
        case .eq, .ne, .lt, .le, .gt, .ge, .argmax, .argmin, .bernoulli: return false
        case .cast(let d): return d.isFloatingPoint
        case .conv2d, .maxPool2d, .avgPool2d, .unfold: return true
        default: return true
        }
    }

    /// Whether the derivative below reads the operation's outputs (`result`, `outputs`): the graph saves
    /// them only then, as PyTorch saves only what a derivative needs.
    var derivativeReadsOutputs: Bool {
        switch self {
        case .exp, .sqrt, .tanh, .sigmoid, .relu, .div, .pow, .max, .min, .softmax, .logSoftmax, .linalgInv,
            .linalgSolve, .linalgDet, .linalgCholesky, .linalgQr, .linalgSvd, .linalgEigh:
            return true
        case .neg, .abs, .log, .sin, .cos, .clamp, .cast, .add, .sub, .mul, .maximum, .minimum, .eq, .ne, .lt,
            .le, .gt, .ge, .where, .sum, .prod, .argmax, .argmin, .reshape, .permute, .expand, .slice,
            .sliceScatter, .cat, .matmul, .linear, .bernoulli, .gather, .nllLoss, .linalgSlogdet,
            .linalgLstsq,
            .conv2d, .maxPool2d, .avgPool2d, .unfold:
            return false
        }
    }

    /// The gradients of the inputs given the gradients of the outputs (vector-Jacobian product).
    ///
    /// - Precondition: `outputs` are the operation's outputs when ``derivativeReadsOutputs``.
    func vjp(grads: [Tensor?], inputs: [Tensor], outputs: [Tensor], needs: GradientMask) -> [Tensor?] {
        guard grads.contains(where: { $0 != nil }) else { return inputs.map { _ in nil } }
        // One-output operations read their gradient as `g`. The operations with several outputs (slogdet,
        // qr, svd, eigh) read `grads`, where any entry may be nil; for them `g` is a placeholder.
        let g = grads[0] ?? Tensor.zeros([], dtype: outputs.first?.dtype ?? inputs[0].dtype)
        let x = inputs[0]
        var result: Tensor {
            precondition(
                !outputs.isEmpty, "\(name): the derivative reads the result; see derivativeReadsOutputs")
            return outputs[0]
        }
        switch self {
        case .neg: return [-g]
        case .abs: return [g * sign(x)]
        case .exp: return [g * result]
        case .log: return [g / x]
        case .sqrt: return [g / (2 * result)]
        case .sin: return [g * x.cos()]
        case .cos: return [-g * x.sin()]
        case .tanh: return [g * (1 - result * result)]
        case .sigmoid: return [g * result * (1 - result)]
        case .relu: return [reluBackward(g, result)]
        case .clamp(let lo, let hi):
            var inside = x .== x
            if let lo { inside = logicalAnd(inside, x .>= lo) }
            if let hi { inside = logicalAnd(inside, x .<= hi) }
            return [select(inside, g, 0)]
        case .cast:
            return [x.dtype.isFloatingPoint ? g.to(x.dtype) : nil]
        case .add: return [needs[0] ? g : nil, needs[1] ? g : nil]
        case .sub: return [needs[0] ? g : nil, needs[1] ? -g : nil]
        case .mul: return [needs[0] ? g * inputs[1] : nil, needs[1] ? g * x : nil]
        case .div:
            let b = inputs[1]
            return [needs[0] ? g / b : nil, needs[1] ? -g * result / b : nil]
        case .pow:
            let b = inputs[1]
            let gx = needs[0] ? select(b .== 0, 0, g * b * x.pow(b - 1)) : nil
            let gb = needs[1] ? select(logicalAnd(x .== 0, b .>= 0), 0, g * result * x.log()) : nil
            return [gx, gb]
        case .maximum, .minimum:
            let b = inputs[1]
            let wins = self == .maximum ? x .> b : x .< b
            let ties = (x .== b).to(g.dtype) * 0.5
            let share = wins.to(g.dtype) + ties
            return [needs[0] ? g * share : nil, needs[1] ? g * (1 - share) : nil]
        case .eq, .ne, .lt, .le, .gt, .ge:
            return [nil, nil]
        case .where:
            let c = inputs[0]
            return [nil, needs[1] ? select(c, g, 0) : nil, needs[2] ? select(c, 0, g) : nil]
        case .sum(let axes, let keep):
            return [broadcastBack(g, axes: axes, keepDims: keep, to: x.shape)]
        case .prod(let axes, let keep):
            return [prodBackward(g, x, axes: axes, keepDims: keep)]
        case .max(let axes, let keep), .min(let axes, let keep):
            let r = result.restoringAxes(axes, keptDims: keep, of: x.shape)
            let chosen = (x .== r).to(g.dtype)
            let count = chosen.sum(alongAxes: axes)
            return [g.restoringAxes(axes, keptDims: keep, of: x.shape) * chosen / count]
        case .argmax, .argmin:
            return [nil]
        case .reshape:
            return [g.reshaped(to: x.shape)]
        case .permute(let dims):
            var inverse = [Int](repeating: 0, count: dims.count)
            for (i, d) in dims.enumerated() { inverse[d] = i }
            return [g.permuted(inverse)]
        case .expand:
            return [g.sumToShape(x.shape)]
        case .slice(let ranges):
            return [Tensor.zeros(x.shape, dtype: g.dtype).sliceScattered(g, ranges: ranges)]
        case .sliceScatter(let ranges):
            let region = ranges.map(\.count)
            return [
                needs[0] ? g.sliceScattered(Tensor.zeros(region, dtype: g.dtype), ranges: ranges) : nil,
                needs[1] ? dispatch1(.slice(ranges), g) : nil,
            ]
        case .cat(let axis):
            var start = 0
            return inputs.enumerated().map { i, t in
                defer { start += t.shape[axis] }
                guard needs[i] else { return nil }
                var ranges = g.shape.map { SliceRange(start: 0, end: $0) }
                ranges[axis] = SliceRange(start: start, end: start + t.shape[axis])
                return dispatch1(.slice(ranges), g)
            }
        case .matmul:
            return matmulBackward(g, x, inputs[1], needs: needs)
        case .linear:
            return linearBackward(g, x, inputs[1], needs: needs, hasBias: inputs.count == 3)
        case .softmax(let axis):
            return [result * (g - (g * result).sum(alongAxes: axis))]
        case .logSoftmax(let axis):
            return [g - result.exp() * g.sum(alongAxes: axis)]
        case .bernoulli:
            return [nil]
        case .gather(let axis):
            return [needs[0] ? scatterAddKernel(g, inputs[1], axis: axis, shape: x.shape) : nil, nil]
        case .nllLoss(let reduction, let ignoreIndex):
            return [
                needs[0]
                    ? nllLossBackwardKernel(
                        g, inputs[1], weight: inputs.count == 3 ? inputs[2] : nil, shape: x.shape,
                        reduction: reduction, ignoreIndex: ignoreIndex) : nil,
                nil,
            ] + (inputs.count == 3 ? [nil] : [])
        case .linalgInv:
            return [invBackward(g, inverse: result)]
        case .linalgSolve:
            return solveBackward(g, x, inputs[1], result, needs: needs)
        case .linalgDet:
            return [detBackward(g, x, det: result)]
        case .linalgSlogdet:
            return [slogdetBackward(grads[1], x)]
        case .linalgCholesky:
            return [choleskyBackward(g, result)]
        case .linalgQr:
            return [qrBackward(grads[0], grads[1], q: outputs[0], r: outputs[1])]
        case .linalgSvd:
            return [svdBackward(grads, u: outputs[0], s: outputs[1], vh: outputs[2])]
        case .linalgEigh:
            return [eighBackward(grads[0], grads[1], values: outputs[0], vectors: outputs[1])]
        case .linalgLstsq:
            return lstsqBackward(g, x, inputs[1], needs: needs)
        case .conv2d(let stride, let padding, let dilation, let groups):
            return conv2dBackward(
                g, inputs, stride: stride, padding: padding, dilation: dilation, groups: groups, needs: needs)
        case .maxPool2d(let kernel, let stride, let padding, let dilation, let ceilMode):
            return [
                maxPool2dBackward(
                    g, x, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                    ceilMode: ceilMode)
            ]
        case .avgPool2d(let kernel, let stride, let padding, let ceilMode, let countIncludePad):
            return [
                avgPool2dBackward(
                    g, x, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode,
                    countIncludePad: countIncludePad)
            ]
        case .unfold(let kernel, let stride, let padding, let dilation):
            return [
                unfoldBackward(g, x, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
            ]
        }
    }
}

// MARK: - Named helpers

/// `g` where the relu's output is positive, else 0: one pass (no bool mask tensor).
private func reluBackward(_ g: Tensor, _ result: Tensor) -> Tensor {
    guard g.dtype == result.dtype else { return select(result .> 0, g, 0) }
    switch g.dtype {
    case .float32: return binaryKernel(g, result, shape: result.shape, ReluGradF<Float>())
    case .float64: return binaryKernel(g, result, shape: result.shape, ReluGradF<Double>())
    case .int64, .bool: return select(result .> 0, g, 0)
    }
}

/// A reduction's gradient read back over the reduced axes: a view with the axes restored (size 1) and
/// expanded to `shape`, built directly (derivatives run locally with recording off).
private func broadcastBack(_ g: Tensor, axes: [Int], keepDims: Bool, to shape: [Int]) -> Tensor {
    // The gradient of a reduction over every axis is one element: expand it directly.
    if g.rank == 0 { return shape.isEmpty ? g : g.expandedView(shape) }
    var kept = g
    if !keepDims && g.rank != shape.count && !shape.isEmpty {
        var s = shape
        for a in axes { s[a] = 1 }
        kept = g.reshapedView(s) ?? g.contiguous().reshapedView(s)!
    }
    return kept.shape == shape ? kept : kept.expandedView(shape)
}

/// -1, 0 or 1 by the sign of each element (0 for NaN, as PyTorch's `sgn` gradient of abs at 0).
private func sign(_ x: Tensor) -> Tensor {
    (x .> 0).to(x.dtype) - (x .< 0).to(x.dtype)
}

private func logicalAnd(_ a: Tensor, _ b: Tensor) -> Tensor { a * b }

private func select(_ c: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor { SyftCore.where(c, a, b) }
private func select<S: TensorScalar>(_ c: Tensor, _ a: Tensor, _ b: S) -> Tensor { SyftCore.where(c, a, b) }
private func select<S: TensorScalar>(_ c: Tensor, _ a: S, _ b: Tensor) -> Tensor { SyftCore.where(c, a, b) }

/// The gradient of a product over axes: the product of the other elements, with zeros handled
/// exactly (no division by zero), as PyTorch's `prod_backward`.
private func prodBackward(_ g: Tensor, _ x: Tensor, axes: [Int], keepDims: Bool) -> Tensor {
    let isZero = x .== 0
    let nonZero = `where`(isZero, Tensor(1, dtype: x.dtype), x)
    let prodNonZero = nonZero.prod(alongAxes: axes)
    let zeros = isZero.to(x.dtype).sum(alongAxes: axes)
    let withoutSelf = `where`(
        isZero, `where`(zeros .== 1, prodNonZero, 0),
        `where`(zeros .== 0, prodNonZero / nonZero, 0))
    return g.restoringAxes(axes, keptDims: keepDims, of: x.shape) * withoutSelf
}

/// Whether `t` is a 2-D column-major view (a transposed contiguous matrix).
private func isTransposedMatrix(_ t: Tensor) -> Bool {
    t.isLocal && t.rank == 2 && t.shape[0] > 1 && t.shape[1] > 1 && t.strides == [1, t.shape[0]]
}

/// The gradients of `linear(x, w, b)` = `x·wᵀ + b` with x read as an m×k matrix: `g·w`, `gᵀ·x` (in the
/// weight's own layout, [out, in]) and the sum of g's rows.
private func linearBackward(
    _ g: Tensor, _ x: Tensor, _ w: Tensor, needs: GradientMask, hasBias: Bool
)
    -> [Tensor?]
{
    let (m, n, k) = (shapeCount(Array(x.shape.dropLast())), w.shape[0], w.shape[1])
    let g2 = g.rank == 2 ? g : g.reshaped(to: [m, n])
    let gx = needs[0] ? matmul(g2, w).reshaped(to: x.shape) : nil
    let gw = needs[1] ? matmul(g2.transposed(), x.rank == 2 ? x : x.reshaped(to: [m, k])) : nil
    guard hasBias else { return [gx, gw] }
    return [gx, gw, needs[2] ? g2.sum(squeezingAxes: 0) : nil]
}

/// The gradients of `matmul(a, b)` under PyTorch's vector, matrix and batched rules.
private func matmulBackward(_ g: Tensor, _ a: Tensor, _ b: Tensor, needs: GradientMask) -> [Tensor?] {
    switch (a.rank, b.rank) {
    case (1, 1):
        return [needs[0] ? g * b : nil, needs[1] ? g * a : nil]
    case (1, _):
        // out[..., n] = a[k] · b[..., k, n]
        let ga = needs[0] ? matmul(g.unsqueezed(at: -2), b.matrixTransposed()).squeezed(at: -2) : nil
        let gb = needs[1] ? matmul(a.unsqueezed(at: -1), g.unsqueezed(at: -2)) : nil
        return [ga, gb]
    case (_, 1):
        // out[..., m] = a[..., m, k] · b[k]
        let ga = needs[0] ? matmul(g.unsqueezed(at: -1), b.unsqueezed(at: 0)) : nil
        let gb = needs[1] ? matmul(a.matrixTransposed(), g.unsqueezed(at: -1)).squeezed(at: -1) : nil
        return [ga, gb]
    default:
        // A gradient in its input's layout: for a transposed matrix (the weight of a linear layer,
        // `x · Wᵀ`), compute (gᵀ·a)ᵀ, so the weight's gradient comes out contiguous, not as a transpose
        // that would have to be copied.
        let ga =
            needs[0]
            ? (isTransposedMatrix(a)
                ? matmul(b, g.matrixTransposed()).matrixTransposed() : matmul(g, b.matrixTransposed())) : nil
        let gb =
            needs[1]
            ? (isTransposedMatrix(b)
                ? matmul(g.matrixTransposed(), a).matrixTransposed() : matmul(a.matrixTransposed(), g)) : nil
        return [ga, gb]
    }
}

extension Tensor {
    /// Reinserts reduced axes (as size 1) so the tensor broadcasts against `shape` again.
    func restoringAxes(_ axes: [Int], keptDims: Bool, of shape: [Int]) -> Tensor {
        if keptDims || self.shape.count == shape.count || shape.isEmpty { return self }
        var s = shape
        for a in axes { s[a] = 1 }
        return reshaped(to: s)
    }
}
