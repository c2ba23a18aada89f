// The shape and dtype rule of every operation: one exhaustive switch. Local dispatch stops the program
// with the error's message (a programmer error, as Swift's Array does for a bad index); a remote
// client turns it into a failed result; a worker answers a command that fails it with an error reply.

extension Op {
    /// The shapes and dtypes of the outputs for inputs of the given shapes and dtypes.
    /// - Throws: ``OpError`` naming the operation and the shapes when the inputs do not fit.
    public func inferOutputs(_ inputs: [TensorMeta]) throws(OpError) -> [TensorMeta] {
        let outputs = try inferUnchecked(inputs)
        for o in outputs where checkedCount(o.shape) == nil {
            throw OpError(op: name, "the result shape \(shapeString(o.shape)) has too many elements")
        }
        return outputs
    }

    private func inferUnchecked(_ inputs: [TensorMeta]) throws(OpError) -> [TensorMeta] {
        if let n = arity, inputs.count != n {
            throw OpError(op: name, "expects \(n) inputs, got \(inputs.count)")
        }
        if inputs.isEmpty { throw OpError(op: name, "expects at least one input") }
        let x = inputs[0]
        switch self {
        case .neg:
            if x.dtype == .bool { throw OpError(op: name, "negation of a bool tensor is not supported") }
            return [TensorMeta(shape: x.shape, dtype: x.dtype)]
        case .abs, .relu:
            if x.dtype == .bool { throw OpError(op: name, "not supported for bool tensors") }
            return [TensorMeta(shape: x.shape, dtype: x.dtype)]
        case .exp, .log, .sqrt, .sin, .cos, .tanh, .sigmoid:
            return [TensorMeta(shape: x.shape, dtype: x.dtype.isFloatingPoint ? x.dtype : .defaultFloat)]
        case .clamp(let lo, let hi):
            if lo == nil && hi == nil { throw OpError(op: name, "at least one of min and max must be given") }
            if x.dtype == .bool { throw OpError(op: name, "not supported for bool tensors") }
            let fractional = [lo, hi].contains { $0.map { $0.rounded() != $0 } ?? false }
            let dtype = !x.dtype.isFloatingPoint && fractional ? DType.defaultFloat : x.dtype
            return [TensorMeta(shape: x.shape, dtype: dtype)]
        case .cast(let dtype):
            return [TensorMeta(shape: x.shape, dtype: dtype)]
        case .add, .sub, .mul, .maximum, .minimum:
            let (shape, dtype) = try binaryResult(inputs)
            if case .sub = self, inputs[0].dtype == .bool || inputs[1].dtype == .bool {
                throw OpError(
                    op: name,
                    "subtraction with a bool tensor is not supported; use logical operations or .to(.int64)")
            }
            return [TensorMeta(shape: shape, dtype: dtype)]
        case .div:
            let (shape, dtype) = try binaryResult(inputs)
            return [TensorMeta(shape: shape, dtype: dtype.isFloatingPoint ? dtype : .defaultFloat)]
        case .pow:
            let (shape, dtype) = try binaryResult(inputs)
            return [TensorMeta(shape: shape, dtype: dtype == .bool ? .int64 : dtype)]
        case .eq, .ne, .lt, .le, .gt, .ge:
            let (shape, _) = try binaryResult(inputs)
            return [TensorMeta(shape: shape, dtype: .bool)]
        case .where:
            if inputs[0].dtype != .bool {
                throw OpError(op: name, "condition must be a bool tensor, got \(inputs[0].dtype.rawValue)")
            }
            guard let s1 = broadcastShapes(inputs[0].shape, inputs[1].shape),
                let shape = broadcastShapes(s1, inputs[2].shape)
            else {
                throw OpError(
                    op: name,
                    "shapes \(shapeString(inputs[0].shape)), \(shapeString(inputs[1].shape)) and "
                        + "\(shapeString(inputs[2].shape)) do not broadcast")
            }
            return [TensorMeta(shape: shape, dtype: resultType([inputs[1], inputs[2]]))]
        case .sum(let axes, let keep), .prod(let axes, let keep):
            let shape = try reducedShape(x.shape, axes: axes, keepDims: keep)
            let dtype: DType = x.dtype.isFloatingPoint ? x.dtype : .int64
            return [TensorMeta(shape: shape, dtype: dtype)]
        case .max(let axes, let keep), .min(let axes, let keep):
            let shape = try reducedShape(x.shape, axes: axes, keepDims: keep)
            for a in axes where !x.shape.isEmpty && x.shape[a] == 0 {
                throw OpError(
                    op: name, "cannot reduce over an empty axis \(a) of shape \(shapeString(x.shape))")
            }
            return [TensorMeta(shape: shape, dtype: x.dtype)]
        case .argmax(let axis, let keep), .argmin(let axis, let keep):
            if x.dtype == .bool { throw OpError(op: name, "not supported for bool tensors") }
            if let axis {
                let shape = try reducedShape(x.shape, axes: [axis], keepDims: keep)
                if !x.shape.isEmpty && x.shape[axis] == 0 {
                    throw OpError(
                        op: name, "cannot reduce over an empty axis of shape \(shapeString(x.shape))")
                }
                return [TensorMeta(shape: shape, dtype: .int64)]
            }
            if x.count == 0 { throw OpError(op: name, "cannot reduce an empty tensor") }
            return [TensorMeta(shape: keep ? x.shape.map { _ in 1 } : [], dtype: .int64)]
        case .reshape(let shape):
            if shape.contains(where: { $0 < 0 }) || checkedCount(shape) != x.count {
                throw OpError(
                    op: name,
                    "shape \(shapeString(shape)) is invalid for input of size \(x.count) "
                        + "(shape \(shapeString(x.shape)))")
            }
            return [TensorMeta(shape: shape, dtype: x.dtype)]
        case .permute(let dims):
            if dims.count != x.shape.count || Set(dims) != Set(0..<x.shape.count) {
                throw OpError(
                    op: name,
                    "dims \(shapeString(dims)) are not a permutation of the axes of shape "
                        + "\(shapeString(x.shape))")
            }
            return [TensorMeta(shape: dims.map { x.shape[$0] }, dtype: x.dtype)]
        case .expand(let shape):
            if shape.count < x.shape.count || shape.contains(where: { $0 < 0 }) {
                throw OpError(
                    op: name, "cannot expand shape \(shapeString(x.shape)) to \(shapeString(shape))")
            }
            let lead = shape.count - x.shape.count
            for (i, d) in x.shape.enumerated() where d != 1 && d != shape[lead + i] {
                throw OpError(
                    op: name, "cannot expand shape \(shapeString(x.shape)) to \(shapeString(shape))")
            }
            return [TensorMeta(shape: shape, dtype: x.dtype)]
        case .slice(let ranges):
            return [TensorMeta(shape: try slicedShape(x.shape, ranges), dtype: x.dtype)]
        case .sliceScatter(let ranges):
            let region = try slicedShape(x.shape, ranges)
            let value = inputs[1]
            if broadcastShapes(region, value.shape) != region {
                throw OpError(
                    op: name,
                    "value of shape \(shapeString(value.shape)) does not fit the region "
                        + "\(shapeString(region)) of shape \(shapeString(x.shape))")
            }
            return [TensorMeta(shape: x.shape, dtype: x.dtype)]
        case .cat(let axis):
            return [try catResult(inputs, axis: axis)]
        case .matmul:
            return [try matmulResult(inputs[0], inputs[1])]
        case .linear:
            return [try linearResult(inputs)]
        case .softmax(let axis), .logSoftmax(let axis):
            if !x.dtype.isFloatingPoint {
                throw OpError(op: name, "needs a floating-point tensor, got \(x.dtype.rawValue)")
            }
            if x.shape.isEmpty ? axis != 0 : (axis < 0 || axis >= x.shape.count) {
                throw OpError(op: name, "axis \(axis) is out of range for shape \(shapeString(x.shape))")
            }
            return [TensorMeta(shape: x.shape, dtype: x.dtype)]
        case .bernoulli(let p):
            if !x.dtype.isFloatingPoint {
                throw OpError(op: name, "needs a floating-point tensor, got \(x.dtype.rawValue)")
            }
            if !(p >= 0 && p <= 1) { throw OpError(op: name, "p must be in [0, 1], got \(p)") }
            return [TensorMeta(shape: x.shape, dtype: x.dtype)]
        case .nllLoss(let reduction, _):
            return [try nllLossResult(inputs, reduction: reduction)]
        case .gather(let axis):
            let index = inputs[1]
            if index.dtype != .int64 {
                throw OpError(op: name, "index must be int64, got \(index.dtype.rawValue)")
            }
            if index.shape.count != x.shape.count || axis < 0 || axis >= Swift.max(x.shape.count, 1) {
                throw OpError(
                    op: name,
                    "index of shape \(shapeString(index.shape)) and axis \(axis) do not fit input of shape "
                        + "\(shapeString(x.shape))")
            }
            for d in x.shape.indices where d != axis && index.shape[d] > x.shape[d] {
                throw OpError(
                    op: name,
                    "index of shape \(shapeString(index.shape)) is larger than input of shape "
                        + "\(shapeString(x.shape)) outside axis \(axis)")
            }
            return [TensorMeta(shape: index.shape, dtype: x.dtype)]
        case .linalgInv, .linalgCholesky:
            _ = try matrices(x, square: true)
            return [TensorMeta(shape: x.shape, dtype: x.dtype)]
        case .linalgDet:
            return [TensorMeta(shape: try matrices(x, square: true).batch, dtype: x.dtype)]
        case .linalgSlogdet:
            let batch = try matrices(x, square: true).batch
            return [TensorMeta(shape: batch, dtype: x.dtype), TensorMeta(shape: batch, dtype: x.dtype)]
        case .linalgQr:
            let (batch, m, n) = try matrices(x, square: false)
            let k = Swift.min(m, n)
            return [batch + [m, k], batch + [k, n]].map { TensorMeta(shape: $0, dtype: x.dtype) }
        case .linalgSvd:
            let (batch, m, n) = try matrices(x, square: false)
            let k = Swift.min(m, n)
            return [batch + [m, k], batch + [k], batch + [k, n]].map { TensorMeta(shape: $0, dtype: x.dtype) }
        case .linalgEigh:
            let (batch, n, _) = try matrices(x, square: true)
            return [batch + [n], x.shape].map { TensorMeta(shape: $0, dtype: x.dtype) }
        case .linalgSolve:
            return [try solveResult(x, inputs[1])]
        case .linalgLstsq:
            return [try lstsqResult(x, inputs[1])]
        case .conv2d(let stride, let padding, let dilation, let groups):
            return [
                try conv2dResult(inputs, stride: stride, padding: padding, dilation: dilation, groups: groups)
            ]
        case .maxPool2d(let kernel, let stride, let padding, let dilation, let ceilMode):
            return [
                try pool2dResult(
                    x, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                    ceilMode: ceilMode)
            ]
        case .avgPool2d(let kernel, let stride, let padding, let ceilMode, _):
            return [
                try pool2dResult(
                    x, kernel: kernel, stride: stride, padding: padding, dilation: [1, 1], ceilMode: ceilMode)
            ]
        case .unfold(let kernel, let stride, let padding, let dilation):
            return [try unfoldResult(x, kernel: kernel, stride: stride, padding: padding, dilation: dilation)]
        }
    }

    // MARK: - Helpers

    private func binaryResult(_ inputs: [TensorMeta]) throws(OpError) -> ([Int], DType) {
        guard let shape = broadcastShapes(inputs[0].shape, inputs[1].shape) else {
            throw OpError(
                op: name,
                "shapes \(shapeString(inputs[0].shape)) and \(shapeString(inputs[1].shape)) "
                    + "do not broadcast")
        }
        return (shape, resultType(inputs))
    }

    private func reducedShape(_ shape: [Int], axes: [Int], keepDims: Bool) throws(OpError) -> [Int] {
        if shape.isEmpty {
            if axes.allSatisfy({ $0 == 0 }) { return [] }
            throw OpError(op: name, "axes \(shapeString(axes)) out of range for a 0-d tensor")
        }
        for a in axes where a < 0 || a >= shape.count {
            throw OpError(op: name, "axis \(a) is out of range for shape \(shapeString(shape))")
        }
        // Axes are few: a mask of the reduced ones finds repeats without hashing.
        var reduced = [Bool](repeating: false, count: shape.count)
        for a in axes {
            if reduced[a] { throw OpError(op: name, "repeated axis in \(shapeString(axes))") }
            reduced[a] = true
        }
        if axes.count == shape.count { return keepDims ? [Int](repeating: 1, count: shape.count) : [] }
        var out: [Int] = []
        out.reserveCapacity(shape.count)
        for (i, d) in shape.enumerated() {
            if reduced[i] {
                if keepDims { out.append(1) }
            } else {
                out.append(d)
            }
        }
        return out
    }

    private func slicedShape(_ shape: [Int], _ ranges: [SliceRange]) throws(OpError) -> [Int] {
        if ranges.count != shape.count {
            throw OpError(op: name, "\(ranges.count) ranges given for shape \(shapeString(shape))")
        }
        var out: [Int] = []
        for (i, r) in ranges.enumerated() {
            if r.step < 1 || r.start < 0 || r.start > r.end || r.end > shape[i] {
                throw OpError(op: name, "range \(r) is invalid for axis \(i) of shape \(shapeString(shape))")
            }
            out.append(r.count)
        }
        return out
    }

    private func catResult(_ inputs: [TensorMeta], axis: Int) throws(OpError) -> TensorMeta {
        let first = inputs[0]
        if first.shape.isEmpty { throw OpError(op: name, "zero-dimensional tensors cannot be concatenated") }
        if axis < 0 || axis >= first.shape.count {
            throw OpError(op: name, "axis \(axis) is out of range for shape \(shapeString(first.shape))")
        }
        var shape = first.shape
        shape[axis] = 0
        for t in inputs {
            if t.shape.count != first.shape.count
                || t.shape.indices.contains(where: { $0 != axis && t.shape[$0] != first.shape[$0] })
            {
                throw OpError(
                    op: name,
                    "shapes \(inputs.map { shapeString($0.shape) }.joined(separator: ", ")) "
                        + "differ outside axis \(axis)")
            }
            shape[axis] += t.shape[axis]
        }
        return TensorMeta(
            shape: shape, dtype: resultType(inputs.map { TensorMeta(shape: [1], dtype: $0.dtype) }))
    }

    private func linearResult(_ inputs: [TensorMeta]) throws(OpError) -> TensorMeta {
        if inputs.count != 2 && inputs.count != 3 {
            throw OpError(op: name, "expects 2 or 3 inputs (input, weight, bias), got \(inputs.count)")
        }
        let (x, w) = (inputs[0], inputs[1])
        if inputs.contains(where: { $0.dtype != x.dtype }) {
            throw OpError(
                op: name,
                "expected input, weight and bias of one dtype, got "
                    + inputs.map(\.dtype.rawValue).joined(separator: ", "))
        }
        if !x.dtype.isFloatingPoint {
            throw OpError(op: name, "needs floating-point tensors, got \(x.dtype.rawValue)")
        }
        if w.shape.count != 2 || x.shape.isEmpty {
            throw OpError(
                op: name,
                "expected an input with at least 1 dimension and a 2-D weight, got shapes "
                    + "\(shapeString(x.shape)) and \(shapeString(w.shape))")
        }
        let (outFeatures, inFeatures) = (w.shape[0], w.shape[1])
        if x.shape[x.shape.count - 1] != inFeatures {
            throw OpError(
                op: name,
                "input of shape \(shapeString(x.shape)) and weight of shape \(shapeString(w.shape)) cannot "
                    + "be multiplied (\(x.shape[x.shape.count - 1]) != \(inFeatures))")
        }
        if inputs.count == 3 && inputs[2].shape != [outFeatures] {
            throw OpError(
                op: name,
                "bias of shape \(shapeString(inputs[2].shape)) does not fit weight of shape "
                    + "\(shapeString(w.shape)); expected [\(outFeatures)]")
        }
        return TensorMeta(shape: x.shape.dropLast() + [outFeatures], dtype: x.dtype)
    }

    private func nllLossResult(_ inputs: [TensorMeta], reduction: Reduction) throws(OpError) -> TensorMeta {
        if inputs.count != 2 && inputs.count != 3 {
            throw OpError(op: name, "expects 2 or 3 inputs (input, target, weight), got \(inputs.count)")
        }
        let (x, target) = (inputs[0], inputs[1])
        if !x.dtype.isFloatingPoint {
            throw OpError(op: name, "needs floating-point log-probabilities, got \(x.dtype.rawValue)")
        }
        if target.dtype != .int64 {
            throw OpError(op: name, "target must hold int64 class indices, got \(target.dtype.rawValue)")
        }
        // Classes are axis 1 of [N, C, d...] (target [N, d...]), or the only axis of [C] (target []).
        let expected: [Int]? =
            x.shape.isEmpty ? nil : x.shape.count == 1 ? [] : [x.shape[0]] + x.shape.dropFirst(2)
        guard let expected, target.shape == expected else {
            throw OpError(
                op: name,
                "expected input [N, C, d...] with target [N, d...] (or [C] with []), got "
                    + "\(shapeString(x.shape)) and \(shapeString(target.shape))")
        }
        if inputs.count == 3 {
            let weight = inputs[2]
            let classes = x.shape.count == 1 ? x.shape[0] : x.shape[1]
            if weight.shape != [classes] || weight.dtype != x.dtype {
                throw OpError(
                    op: name,
                    "weight must be one \(x.dtype.rawValue) per class, [\(classes)], got "
                        + "\(shapeString(weight.shape)) of \(weight.dtype.rawValue)")
            }
        }
        return TensorMeta(shape: reduction == .none ? expected : [], dtype: x.dtype)
    }

    private func matmulResult(_ a: TensorMeta, _ b: TensorMeta) throws(OpError) -> TensorMeta {
        if a.dtype != b.dtype {
            throw OpError(
                op: name,
                "expected both operands to have the same dtype, got \(a.dtype.rawValue) and "
                    + "\(b.dtype.rawValue)")
        }
        if a.dtype == .bool { throw OpError(op: name, "not supported for bool tensors") }
        if a.shape.isEmpty || b.shape.isEmpty {
            throw OpError(
                op: name,
                "both arguments need at least 1 dimension, got shapes "
                    + "\(shapeString(a.shape)) and \(shapeString(b.shape))")
        }
        let ak = a.shape[a.shape.count - 1]
        let bk = b.shape.count == 1 ? b.shape[0] : b.shape[b.shape.count - 2]
        if ak != bk {
            throw OpError(
                op: name,
                "shapes \(shapeString(a.shape)) and \(shapeString(b.shape)) cannot be multiplied "
                    + "(\(ak) != \(bk))")
        }
        let aBatch = a.shape.count > 2 ? Array(a.shape.dropLast(2)) : []
        let bBatch = b.shape.count > 2 ? Array(b.shape.dropLast(2)) : []
        guard let batch = broadcastShapes(aBatch, bBatch) else {
            throw OpError(
                op: name,
                "batch dimensions of \(shapeString(a.shape)) and \(shapeString(b.shape)) "
                    + "do not broadcast")
        }
        var shape = batch
        if a.shape.count >= 2 { shape.append(a.shape[a.shape.count - 2]) }
        if b.shape.count >= 2 { shape.append(b.shape[b.shape.count - 1]) }
        return TensorMeta(shape: shape, dtype: a.dtype)
    }
}

/// The dtype PyTorch's `result_type` gives for these operands: tensors with dimensions decide, then
/// 0-d tensors and wrapped Swift numbers only when they are of a higher category (bool < integer < float).
public func resultType(_ operands: [TensorMeta]) -> DType {
    var dim: DType?
    var zero: DType?
    var wrapped: DType?
    for m in operands {
        if m.isWrappedNumber {
            let d: DType = m.dtype.isFloatingPoint ? .defaultFloat : m.dtype
            wrapped = wrapped.map { DType.promote($0, d) } ?? d
        } else if m.shape.isEmpty {
            zero = zero.map { DType.promote($0, m.dtype) } ?? m.dtype
        } else {
            dim = dim.map { DType.promote($0, m.dtype) } ?? m.dtype
        }
    }
    return combineCategories(dim, combineCategories(zero, wrapped)) ?? .defaultFloat
}

private func combineCategories(_ higher: DType?, _ lower: DType?) -> DType? {
    guard let higher else { return lower }
    guard let lower else { return higher }
    if higher.isFloatingPoint { return higher }
    if higher == .bool || lower.isFloatingPoint { return DType.promote(higher, lower) }
    return higher
}
