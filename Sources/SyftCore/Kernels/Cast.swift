// Conversions between dtypes, with PyTorch's rules: floating to integer truncates toward zero, anything to
// bool is "nonzero".

extension Tensor {
    /// The data converted to `dtype` (a kernel call, not recorded by autograd); the tensor itself when the
    /// dtype already matches.
    func converted(to target: DType) -> Tensor {
        if dtype == target { return self }
        switch (dtype, target) {
        case (.float32, .float64): return unaryKernel(self, FloatToDouble())
        case (.float32, .int64): return unaryKernel(self, CastF<Float, Int64>())
        case (.float32, .bool): return unaryKernel(self, NonZero<Float>())
        case (.float64, .float32): return unaryKernel(self, DoubleToFloat())
        case (.float64, .int64): return unaryKernel(self, CastF<Double, Int64>())
        case (.float64, .bool): return unaryKernel(self, NonZero<Double>())
        case (.int64, .float32): return unaryKernel(self, IntToFloat<Float>())
        case (.int64, .float64): return unaryKernel(self, IntToFloat<Double>())
        case (.int64, .bool): return unaryKernel(self, NonZero<Int64>())
        case (.bool, .float32): return unaryKernel(self, BoolTo<Float>(one: 1))
        case (.bool, .float64): return unaryKernel(self, BoolTo<Double>(one: 1))
        case (.bool, .int64): return unaryKernel(self, BoolTo<Int64>(one: 1))
        case (.float32, .float32), (.float64, .float64), (.int64, .int64), (.bool, .bool): return self
        }
    }
}
