#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The local kernel of every operation: one exhaustive switch. Inputs are local; `outputs` are the shapes
// and dtypes the shape rule computed. Kernels never stop on data (NaN, zero divisors, negative integer
// powers give values, as in PyTorch); only the shape rule rejects inputs.

extension Op {
    /// Runs the operation here on local inputs.
    func forward(_ inputs: [Tensor], outputs: [TensorMeta]) -> [Tensor] {
        let x = inputs[0]
        let out = outputs[0]
        switch self {
        case .neg: return [arithmeticUnary(x, out.dtype, float: { -$0 }, double: { -$0 }, int: { 0 &- $0 })]
        case .abs:
            return [arithmeticUnary(x, out.dtype, float: { Swift.abs($0) }, double: { Swift.abs($0) }, int: { $0 < 0 ? 0 &- $0 : $0 })]
        case .exp: return [vectorMathKernel(x, .exp, outDType: out.dtype)]
        case .log: return [vectorMathKernel(x, .log, outDType: out.dtype)]
        case .tanh: return [vectorMathKernel(x, .tanh, outDType: out.dtype)]
        case .sigmoid: return [vectorMathKernel(x, .sigmoid, outDType: out.dtype)]
        case .sqrt: return [floatUnary(x, out.dtype, grain: Grain.cheap, float: { $0.squareRoot() }, double: { $0.squareRoot() })]
        case .sin: return [floatUnary(x, out.dtype, grain: Grain.costly, float: { sinf($0) }, double: { Glibc.sin($0) })]
        case .cos: return [floatUnary(x, out.dtype, grain: Grain.costly, float: { cosf($0) }, double: { Glibc.cos($0) })]
        case .relu:
            return [arithmeticUnary(x, out.dtype, float: { $0 < 0 ? 0 : $0 }, double: { $0 < 0 ? 0 : $0 }, int: { Swift.max($0, 0) })]
        case .clamp(let lo, let hi):
            return [clampKernel(x.converted(to: out.dtype), lo, hi)]
        case .cast(let dtype):
            return [x.converted(to: dtype)]
        case .add, .sub, .mul, .div, .pow, .maximum, .minimum:
            return [arithmeticBinary(self, x, inputs[1], out)]
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
        }
    }
}

// MARK: - Typed helpers

@inline(__always)
private func arithmeticUnary(
    _ x: Tensor, _ dtype: DType, float: (Float) -> Float, double: (Double) -> Double, int: (Int64) -> Int64
) -> Tensor {
    switch dtype {
    case .float32: return unaryKernel(x, Float.self, Float.self, float)
    case .float64: return unaryKernel(x, Double.self, Double.self, double)
    case .int64: return unaryKernel(x, Int64.self, Int64.self, int)
    case .bool: preconditionFailure("not supported for bool tensors")
    }
}

@inline(__always)
private func floatUnary(
    _ x: Tensor, _ dtype: DType, grain: Int, float: (Float) -> Float, double: (Double) -> Double
) -> Tensor {
    switch dtype {
    case .float32: return unaryKernel(x, Float.self, Float.self, grain: grain, float)
    case .float64: return unaryKernel(x, Double.self, Double.self, grain: grain, double)
    case .int64, .bool: preconditionFailure("needs a floating-point dtype")
    }
}

private func clampKernel(_ x: Tensor, _ lo: Double?, _ hi: Double?) -> Tensor {
    func clamp<T: BinaryFloatingPoint & TensorElement>(_: T.Type) -> Tensor {
        let l = lo.map { T($0) } ?? -.infinity
        let h = hi.map { T($0) } ?? .infinity
        return unaryKernel(x, T.self, T.self) { v in v.isNaN ? v : Swift.min(Swift.max(v, l), h) }
    }
    switch x.dtype {
    case .float32: return clamp(Float.self)
    case .float64: return clamp(Double.self)
    case .int64:
        let l = lo.map { Int64(converting: $0.rounded(.up)) } ?? .min
        let h = hi.map { Int64(converting: $0.rounded(.down)) } ?? .max
        return unaryKernel(x, Int64.self, Int64.self) { Swift.min(Swift.max($0, l), h) }
    case .bool: preconditionFailure("clamp: not supported for bool tensors")
    }
}

private func arithmeticBinary(_ op: Op, _ a: Tensor, _ b: Tensor, _ out: TensorMeta) -> Tensor {
    func float<T: BinaryFloatingPoint & TensorElement>(_: T.Type, pow: @escaping (T, T) -> T) -> Tensor {
        switch op {
        case .add: return binaryKernel(a, b, shape: out.shape, T.self, T.self) { $0 + $1 }
        case .sub: return binaryKernel(a, b, shape: out.shape, T.self, T.self) { $0 - $1 }
        case .mul: return binaryKernel(a, b, shape: out.shape, T.self, T.self) { $0 * $1 }
        case .div: return binaryKernel(a, b, shape: out.shape, T.self, T.self) { $0 / $1 }
        case .pow: return binaryKernel(a, b, shape: out.shape, T.self, T.self, grain: Grain.costly, pow)
        case .maximum:
            return binaryKernel(a, b, shape: out.shape, T.self, T.self) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
        case .minimum:
            return binaryKernel(a, b, shape: out.shape, T.self, T.self) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
        default: preconditionFailure("\(op.name) is not an arithmetic operation")
        }
    }
    switch out.dtype {
    case .float32: return float(Float.self, pow: { powf($0, $1) })
    case .float64: return float(Double.self, pow: { Glibc.pow($0, $1) })
    case .int64:
        switch op {
        case .add: return binaryKernel(a, b, shape: out.shape, Int64.self, Int64.self) { $0 &+ $1 }
        case .sub: return binaryKernel(a, b, shape: out.shape, Int64.self, Int64.self) { $0 &- $1 }
        case .mul: return binaryKernel(a, b, shape: out.shape, Int64.self, Int64.self) { $0 &* $1 }
        case .pow: return binaryKernel(a, b, shape: out.shape, Int64.self, Int64.self, integerPower)
        case .maximum: return binaryKernel(a, b, shape: out.shape, Int64.self, Int64.self) { Swift.max($0, $1) }
        case .minimum: return binaryKernel(a, b, shape: out.shape, Int64.self, Int64.self) { Swift.min($0, $1) }
        default: preconditionFailure("\(op.name) is not an integer operation")
        }
    case .bool:
        switch op {
        case .add, .maximum: return binaryKernel(a, b, shape: out.shape, Bool.self, Bool.self) { $0 || $1 }
        case .mul, .minimum: return binaryKernel(a, b, shape: out.shape, Bool.self, Bool.self) { $0 && $1 }
        default: preconditionFailure("\(op.name) is not supported for bool tensors")
        }
    }
}

/// Integer power with wrapping overflow; a negative exponent gives the truncated real result (PyTorch
/// raises; a worker must not stop on data, so we give the value the real power truncates to).
@inline(__always)
private func integerPower(_ base: Int64, _ exponent: Int64) -> Int64 {
    if exponent < 0 {
        if base == 1 { return 1 }
        if base == -1 { return exponent & 1 == 0 ? 1 : -1 }
        return 0
    }
    var result: Int64 = 1
    var b = base
    var e = exponent
    while e > 0 {
        if e & 1 == 1 { result &*= b }
        b &*= b
        e >>= 1
    }
    return result
}

private func comparisonKernel(_ op: Op, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
    let dtype = resultType([a.meta, b.meta])
    func compare<T: TensorElement & Comparable>(_: T.Type) -> Tensor {
        switch op {
        case .eq: return binaryKernel(a, b, shape: shape, T.self, Bool.self) { $0 == $1 }
        case .ne: return binaryKernel(a, b, shape: shape, T.self, Bool.self) { $0 != $1 }
        case .lt: return binaryKernel(a, b, shape: shape, T.self, Bool.self) { $0 < $1 }
        case .le: return binaryKernel(a, b, shape: shape, T.self, Bool.self) { $0 <= $1 }
        case .gt: return binaryKernel(a, b, shape: shape, T.self, Bool.self) { $0 > $1 }
        case .ge: return binaryKernel(a, b, shape: shape, T.self, Bool.self) { $0 >= $1 }
        default: preconditionFailure("\(op.name) is not a comparison")
        }
    }
    switch dtype {
    case .float32: return compare(Float.self)
    case .float64: return compare(Double.self)
    case .int64, .bool: return compare(Int64.self)
    }
}
