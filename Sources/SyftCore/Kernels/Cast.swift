// Conversions between dtypes, with PyTorch's rules: floating to integer truncates toward zero, anything to
// bool is "nonzero".

extension Tensor {
    /// The data converted to `dtype` (a kernel call, not recorded by autograd); the tensor itself when the
    /// dtype already matches.
    func converted(to target: DType) -> Tensor {
        if dtype == target { return self }
        switch (dtype, target) {
        case (.float32, .float64): return unaryKernel(self, Float.self, Double.self) { Double($0) }
        case (.float32, .int64): return unaryKernel(self, Float.self, Int64.self) { Int64(converting: Double($0)) }
        case (.float32, .bool): return unaryKernel(self, Float.self, Bool.self) { $0 != 0 }
        case (.float64, .float32): return unaryKernel(self, Double.self, Float.self) { Float($0) }
        case (.float64, .int64): return unaryKernel(self, Double.self, Int64.self) { Int64(converting: $0) }
        case (.float64, .bool): return unaryKernel(self, Double.self, Bool.self) { $0 != 0 }
        case (.int64, .float32): return unaryKernel(self, Int64.self, Float.self) { Float($0) }
        case (.int64, .float64): return unaryKernel(self, Int64.self, Double.self) { Double($0) }
        case (.int64, .bool): return unaryKernel(self, Int64.self, Bool.self) { $0 != 0 }
        case (.bool, .float32): return unaryKernel(self, Bool.self, Float.self) { $0 ? 1 : 0 }
        case (.bool, .float64): return unaryKernel(self, Bool.self, Double.self) { $0 ? 1 : 0 }
        case (.bool, .int64): return unaryKernel(self, Bool.self, Int64.self) { $0 ? 1 : 0 }
        case (.float32, .float32), (.float64, .float64), (.int64, .int64), (.bool, .bool): return self
        }
    }
}
