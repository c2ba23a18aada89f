// The local kernel of every operation: one exhaustive switch. Inputs are local; `outputs` are the shapes
// and dtypes the shape rule computed. Kernels never stop on data (NaN, zero divisors, negative integer
// powers give values, as in PyTorch); only the shape rule rejects inputs. The linear-algebra kernels
// throw a `LinalgError` on values they cannot factor (Note [Linear-algebra errors]).

extension Op {
    /// Runs the operation here on local inputs.
    /// - Throws: ``LinalgError`` when a linear-algebra kernel cannot factor its input.
    func forward(_ inputs: [Tensor], outputs: [TensorMeta]) throws(LinalgError) -> [Tensor] {
        let x = inputs[0]
        let out = outputs[0]
        switch self {
        case .neg:
            switch out.dtype {
            case .float32: return [unaryKernel(x, NegF<Float>())]
            case .float64: return [unaryKernel(x, NegF<Double>())]
            case .int64: return [unaryKernel(x, NegF<Int64>())]
            case .bool: preconditionFailure("neg: not supported for bool tensors")
            }
        case .abs:
            switch out.dtype {
            case .float32: return [unaryKernel(x, AbsF<Float>())]
            case .float64: return [unaryKernel(x, AbsF<Double>())]
            case .int64: return [unaryKernel(x, AbsF<Int64>())]
            case .bool: preconditionFailure("abs: not supported for bool tensors")
            }
        case .relu:
            switch out.dtype {
            case .float32: return [unaryKernel(x, ReluF<Float>())]
            case .float64: return [unaryKernel(x, ReluF<Double>())]
            case .int64: return [unaryKernel(x, ReluF<Int64>())]
            case .bool: preconditionFailure("relu: not supported for bool tensors")
            }
        case .exp: return [vectorMathKernel(x, .exp, outDType: out.dtype)]
        case .log: return [vectorMathKernel(x, .log, outDType: out.dtype)]
        case .tanh: return [vectorMathKernel(x, .tanh, outDType: out.dtype)]
        case .sigmoid: return [vectorMathKernel(x, .sigmoid, outDType: out.dtype)]
        case .sqrt:
            return [out.dtype == .float64 ? unaryKernel(x, SqrtF<Double>()) : unaryKernel(x, SqrtF<Float>())]
        case .sin:
            return [
                out.dtype == .float64
                    ? unaryKernel(x, SinF<Double>(), grain: Grain.costly)
                    : unaryKernel(x, SinF<Float>(), grain: Grain.costly)
            ]
        case .cos:
            return [
                out.dtype == .float64
                    ? unaryKernel(x, CosF<Double>(), grain: Grain.costly)
                    : unaryKernel(x, CosF<Float>(), grain: Grain.costly)
            ]
        case .clamp(let lo, let hi):
            return [clampKernel(x.converted(to: out.dtype), lo, hi)]
        case .cast(let dtype):
            return [x.converted(to: dtype)]
        case .add, .sub, .mul, .div, .pow, .maximum, .minimum:
            return [arithmeticKernel(self, x, inputs[1], out)]
        case .eq, .ne, .lt, .le, .gt, .ge:
            return [comparisonKernel(self, x, inputs[1], shape: out.shape)]
        case .where:
            let (c, a, b) = (inputs[0], inputs[1], inputs[2])
            switch out.dtype {
            case .float32: return [whereKernel(c, a, b, shape: out.shape, Float.self)]
            case .float64: return [whereKernel(c, a, b, shape: out.shape, Double.self)]
            case .int64: return [whereKernel(c, a, b, shape: out.shape, Int64.self)]
            case .bool: return [whereKernel(c, a, b, shape: out.shape, Bool.self)]
            }
        case .sum(let axes, let keep):
            return [reduceKernel(x, axes: axes, keepDims: keep, kind: .sum, outDType: out.dtype)]
        case .prod(let axes, let keep):
            return [reduceKernel(x, axes: axes, keepDims: keep, kind: .prod, outDType: out.dtype)]
        case .max(let axes, let keep):
            return [reduceKernel(x, axes: axes, keepDims: keep, kind: .max, outDType: out.dtype)]
        case .min(let axes, let keep):
            return [reduceKernel(x, axes: axes, keepDims: keep, kind: .min, outDType: out.dtype)]
        case .argmax(let axis, let keep):
            return [argReduceKernel(x, axis: axis, keepDims: keep, findMax: true)]
        case .argmin(let axis, let keep):
            return [argReduceKernel(x, axis: axis, keepDims: keep, findMax: false)]
        case .reshape(let shape):
            return [x.reshapedView(shape) ?? x.contiguous().reshapedView(shape)!]
        case .permute(let dims):
            return [x.permutedView(dims)]
        case .expand(let shape):
            return [x.expandedView(shape)]
        case .slice(let ranges):
            return [x.slicedView(ranges)]
        case .sliceScatter(let ranges):
            return [sliceScatterKernel(x, inputs[1], ranges: ranges)]
        case .cat(let axis):
            return [catKernel(inputs, axis: axis, outMeta: out)]
        case .matmul:
            return [matmulKernel(x, inputs[1], outShape: out.shape)]
        case .linear:
            return [linearKernel(x, weight: inputs[1], bias: inputs.count == 3 ? inputs[2] : nil, out: out)]
        case .softmax(let axis):
            return [softmaxKernel(x, axis: axis, log: false)]
        case .logSoftmax(let axis):
            return [softmaxKernel(x, axis: axis, log: true)]
        case .bernoulli(let p):
            return [bernoulliKernel(like: x, p: p, generator: .default)]
        case .gather(let axis):
            return [gatherKernel(x, inputs[1], axis: axis)]
        case .nllLoss(let reduction, let ignoreIndex):
            return [
                nllLossKernel(
                    x, inputs[1], weight: inputs.count == 3 ? inputs[2] : nil, reduction: reduction,
                    ignoreIndex: ignoreIndex, out: out)
            ]
        case .linalgInv:
            return [try invKernel(x)]
        case .linalgSolve:
            return [try solveKernel(x, inputs[1], out: out)]
        case .linalgDet:
            return [luDeterminantKernel(x, logarithmic: false)[0]]
        case .linalgSlogdet:
            return luDeterminantKernel(x, logarithmic: true)
        case .linalgCholesky:
            return [try choleskyKernel(x)]
        case .linalgQr:
            return qrKernel(x)
        case .linalgSvd:
            return try svdKernel(x)
        case .linalgEigh:
            return try eighKernel(x)
        case .linalgLstsq:
            return [try lstsqKernel(x, inputs[1], out: out)]
        case .conv2d(let stride, let padding, let dilation, let groups):
            let g = Conv2dGeometry(
                x: x.shape, weight: inputs[1].shape, stride: stride, padding: padding, dilation: dilation,
                groups: groups)
            return [conv2dKernel(x, inputs[1], inputs.count == 3 ? inputs[2] : nil, g, outShape: out.shape)]
        case .maxPool2d(let kernel, let stride, let padding, let dilation, let ceilMode):
            let g = Pool2dGeometry(
                x: x.shape, kernel: kernel, stride: stride, padding: padding, dilation: dilation,
                ceilMode: ceilMode)
            return [maxPool2dKernel(x, g, outShape: out.shape)]
        case .avgPool2d(let kernel, let stride, let padding, let ceilMode, let countIncludePad):
            let g = Pool2dGeometry(
                x: x.shape, kernel: kernel, stride: stride, padding: padding, dilation: [1, 1],
                ceilMode: ceilMode)
            return [avgPool2dKernel(x, g, countIncludePad: countIncludePad, outShape: out.shape)]
        case .unfold(let kernel, let stride, let padding, let dilation):
            let g = Conv2dGeometry(
                unfolding: x.shape, kernel: kernel, stride: stride, padding: padding, dilation: dilation)
            return [unfoldKernel(x, g, outShape: out.shape)]
        }
    }
}

// MARK: - Typed helpers

private func clampKernel(_ x: Tensor, _ lo: Double?, _ hi: Double?) -> Tensor {
    switch x.dtype {
    case .float32:
        return unaryKernel(
            x, ClampF<Float>(lo: lo.map { Float($0) } ?? -.infinity, hi: hi.map { Float($0) } ?? .infinity))
    case .float64:
        return unaryKernel(x, ClampF<Double>(lo: lo ?? -.infinity, hi: hi ?? .infinity))
    case .int64:
        let l = lo.map { Int64(converting: $0.rounded(.up)) } ?? .min
        let h = hi.map { Int64(converting: $0.rounded(.down)) } ?? .max
        return unaryKernel(x, ClampF<Int64>(lo: l, hi: h))
    case .bool: preconditionFailure("clamp: not supported for bool tensors")
    }
}

private func arithmeticKernel(_ op: Op, _ a: Tensor, _ b: Tensor, _ out: TensorMeta) -> Tensor {
    let s = out.shape
    func arithmetic<T: ArithmeticElement>(_: T.Type) -> Tensor? {
        switch op {
        case .add: return binaryKernel(a, b, shape: s, AddF<T>())
        case .sub: return binaryKernel(a, b, shape: s, SubF<T>())
        case .mul: return binaryKernel(a, b, shape: s, MulF<T>())
        case .pow: return binaryKernel(a, b, shape: s, PowF<T>(), grain: Grain.costly)
        case .maximum: return binaryKernel(a, b, shape: s, MaximumF<T>())
        case .minimum: return binaryKernel(a, b, shape: s, MinimumF<T>())
        default: return nil
        }
    }
    switch out.dtype {
    case .float32: return arithmetic(Float.self) ?? binaryKernel(a, b, shape: s, DivF<Float>())
    case .float64: return arithmetic(Double.self) ?? binaryKernel(a, b, shape: s, DivF<Double>())
    case .int64:
        guard let r = arithmetic(Int64.self) else {
            preconditionFailure("\(op.name): not an integer operation")
        }
        return r
    case .bool:
        switch op {
        case .add, .maximum: return binaryKernel(a, b, shape: s, OrF())
        case .mul, .minimum: return binaryKernel(a, b, shape: s, AndF())
        default: preconditionFailure("\(op.name): not supported for bool tensors")
        }
    }
}

private func comparisonKernel(_ op: Op, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    func compare<T: ArithmeticElement>(_: T.Type) -> Tensor {
        switch op {
        case .eq: return binaryKernel(a, b, shape: shape, EqF<T>())
        case .ne: return binaryKernel(a, b, shape: shape, NeF<T>())
        case .lt: return binaryKernel(a, b, shape: shape, LtF<T>())
        case .le: return binaryKernel(a, b, shape: shape, LeF<T>())
        case .gt: return binaryKernel(a, b, shape: shape, GtF<T>())
        case .ge: return binaryKernel(a, b, shape: shape, GeF<T>())
        default: preconditionFailure("\(op.name) is not a comparison")
        }
    }
    switch resultType([a.meta, b.meta]) {
    case .float32: return compare(Float.self)
    case .float64: return compare(Double.self)
    case .int64, .bool: return compare(Int64.self)
    }
}
