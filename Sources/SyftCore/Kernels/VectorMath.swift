#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Transcendental functions over contiguous buffers. These loops are the portable path; the vectorized
// kernels replace them where available.

/// Elementwise transcendental functions on contiguous float buffers.
enum VectorMath {
    enum Function: Sendable { case exp, log, tanh, sigmoid }

    
    static func apply(_ f: Function, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch f {
        case .exp: for i in 0..<n { y[i] = expf(x[i]) }
        case .log: for i in 0..<n { y[i] = logf(x[i]) }
        case .tanh: for i in 0..<n { y[i] = tanhf(x[i]) }
        case .sigmoid: for i in 0..<n { y[i] = 1 / (1 + expf(-x[i])) }
        }
    }

    
    static func apply(_ f: Function, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        switch f {
        case .exp: for i in 0..<n { y[i] = Glibc.exp(x[i]) }
        case .log: for i in 0..<n { y[i] = Glibc.log(x[i]) }
        case .tanh: for i in 0..<n { y[i] = Glibc.tanh(x[i]) }
        case .sigmoid: for i in 0..<n { y[i] = 1 / (1 + Glibc.exp(-x[i])) }
        }
    }
}

extension Float {
    static func vectorApply(_ f: VectorMath.Function, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        VectorMath.apply(f, x, y, n)
    }
}

extension Double {
    static func vectorApply(_ f: VectorMath.Function, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        VectorMath.apply(f, x, y, n)
    }
}

/// `f` over `x` (float32 or float64), with the work split across the cores for large tensors.
func vectorMathKernel(_ x: Tensor, _ f: VectorMath.Function, outDType: DType) -> Tensor {
    let src = x.converted(to: outDType).contiguous()
    let out = Tensor(uninitializedShape: x.shape, dtype: outDType)
    let n = out.count
    switch outDType {
    case .float32:
        let p = UncheckedSendable((src.elementPointer(Float.self), out.elementPointer(Float.self)))
        parallelChunks(n, grain: Grain.costly) { r in
            VectorMath.apply(f, p.value.0 + r.lowerBound, p.value.1 + r.lowerBound, r.count)
        }
    case .float64:
        let p = UncheckedSendable((src.elementPointer(Double.self), out.elementPointer(Double.self)))
        parallelChunks(n, grain: Grain.costly) { r in
            VectorMath.apply(f, p.value.0 + r.lowerBound, p.value.1 + r.lowerBound, r.count)
        }
    case .int64, .bool:
        preconditionFailure("\(f): needs a floating-point dtype")
    }
    return out
}
