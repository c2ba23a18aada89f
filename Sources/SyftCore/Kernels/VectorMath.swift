internal import CSyftMath

// Transcendental functions over contiguous buffers: the vectorized kernels of CSyftMath (polynomial
// approximations within 2 ulp in float32 and 4 ulp in float64 of libm, AVX-512, AVX2+FMA or baseline
// code chosen once at run time; see Scripts/vmath/README.md).

/// Elementwise transcendental functions on contiguous float buffers.
enum VectorMath {
    enum Function: Sendable { case exp, log, tanh, sigmoid }

    static func apply(_ f: Function, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch f {
        case .exp: syft_exp_f32(x, y, n)
        case .log: syft_log_f32(x, y, n)
        case .tanh: syft_tanh_f32(x, y, n)
        case .sigmoid: syft_sigmoid_f32(x, y, n)
        }
    }

    static func apply(_ f: Function, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int)
    {
        switch f {
        case .exp: syft_exp_f64(x, y, n)
        case .log: syft_log_f64(x, y, n)
        case .tanh: syft_tanh_f64(x, y, n)
        case .sigmoid: syft_sigmoid_f64(x, y, n)
        }
    }
}

extension Float {
    static func vectorApply(
        _ f: VectorMath.Function, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        VectorMath.apply(f, x, y, n)
    }
}

extension Double {
    static func vectorApply(
        _ f: VectorMath.Function, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int
    ) {
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
