// Elementwise arithmetic and functions: free functions named as PyTorch names them, with operator and
// method twins. All forward to the one dispatch point.

/// A Swift number that mixes with tensors in arithmetic: `x + 1`, `2.5 * x`, `x / 3`.
///
/// The number is wrapped for the operation and takes part in dtype promotion only by category, as in
/// PyTorch: `intTensor * 2.5` is float32, `float64Tensor + 1.0` stays float64.
public protocol TensorScalar: TensorData {}
extension Int: TensorScalar {}
extension Int64: TensorScalar {}
extension Int32: TensorScalar {}
extension Double: TensorScalar {}
extension Float: TensorScalar {}
extension Bool: TensorScalar {}

extension Tensor {
    // MARK: Operators

    /// Elementwise sum with broadcasting (`torch.add`).
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { dispatchBinary(.add, lhs, rhs) }
    public static func + <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs + Tensor(wrapping: rhs) }
    public static func + <S: TensorScalar>(lhs: S, rhs: Tensor) -> Tensor { Tensor(wrapping: lhs) + rhs }

    /// Elementwise difference with broadcasting (`torch.sub`).
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { dispatchBinary(.sub, lhs, rhs) }
    public static func - <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs - Tensor(wrapping: rhs) }
    public static func - <S: TensorScalar>(lhs: S, rhs: Tensor) -> Tensor { Tensor(wrapping: lhs) - rhs }

    /// Elementwise product with broadcasting (`torch.mul`).
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { dispatchBinary(.mul, lhs, rhs) }
    public static func * <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs * Tensor(wrapping: rhs) }
    public static func * <S: TensorScalar>(lhs: S, rhs: Tensor) -> Tensor { Tensor(wrapping: lhs) * rhs }

    /// Elementwise true division with broadcasting (`torch.div`); integers divide as floats.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { dispatchBinary(.div, lhs, rhs) }
    public static func / <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs / Tensor(wrapping: rhs) }
    public static func / <S: TensorScalar>(lhs: S, rhs: Tensor) -> Tensor { Tensor(wrapping: lhs) / rhs }

    /// Elementwise negation (`torch.neg`).
    public static prefix func - (x: Tensor) -> Tensor { dispatch1(.neg, x) }

    // MARK: In place

    /// Adds in place; the tensor keeps its identity (the same remote object for a pointer).
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs.applyInPlace(.add, [rhs]) }
    public static func += <S: TensorScalar>(lhs: inout Tensor, rhs: S) {
        lhs.applyInPlace(.add, [Tensor(wrapping: rhs)])
    }
    /// Subtracts in place.
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs.applyInPlace(.sub, [rhs]) }
    public static func -= <S: TensorScalar>(lhs: inout Tensor, rhs: S) {
        lhs.applyInPlace(.sub, [Tensor(wrapping: rhs)])
    }
    /// Multiplies in place.
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs.applyInPlace(.mul, [rhs]) }
    public static func *= <S: TensorScalar>(lhs: inout Tensor, rhs: S) {
        lhs.applyInPlace(.mul, [Tensor(wrapping: rhs)])
    }
    /// Divides in place.
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs.applyInPlace(.div, [rhs]) }
    public static func /= <S: TensorScalar>(lhs: inout Tensor, rhs: S) {
        lhs.applyInPlace(.div, [Tensor(wrapping: rhs)])
    }

    // MARK: Methods

    /// `e^x` elementwise.
    public func exp() -> Tensor { dispatch1(.exp, self) }
    /// Natural logarithm elementwise.
    public func log() -> Tensor { dispatch1(.log, self) }
    /// Square root elementwise.
    public func sqrt() -> Tensor { dispatch1(.sqrt, self) }
    /// Sine elementwise.
    public func sin() -> Tensor { dispatch1(.sin, self) }
    /// Cosine elementwise.
    public func cos() -> Tensor { dispatch1(.cos, self) }
    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor { dispatch1(.tanh, self) }
    /// The logistic function `1 / (1 + e^-x)` elementwise.
    public func sigmoid() -> Tensor { dispatch1(.sigmoid, self) }
    /// `max(x, 0)` elementwise.
    public func relu() -> Tensor { dispatch1(.relu, self) }
    /// Absolute value elementwise.
    public func abs() -> Tensor { dispatch1(.abs, self) }
    /// Elementwise power.
    public func pow(_ exponent: Tensor) -> Tensor { dispatch1(.pow, self, exponent) }
    /// Elementwise power by a number: `x.pow(2)`.
    public func pow<S: TensorScalar>(_ exponent: S) -> Tensor {
        dispatch1(.pow, self, Tensor(wrapping: exponent))
    }
    /// Clamps each element to `[min, max]` (either may be omitted).
    public func clamp(min: Double? = nil, max: Double? = nil) -> Tensor {
        dispatch1(.clamp(min: min, max: max), self)
    }

    /// The tensor converted to `dtype` (differentiable between floating-point dtypes).
    ///
    /// ```swift
    /// Tensor([1, 2]).to(.float64)   // tensor([1., 2.], dtype=torch.float64)
    /// ```
    public func to(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        return dispatch1(.cast(dtype), self)
    }
}

// MARK: - Free functions

/// Elementwise sum with broadcasting (`torch.add`).
///
/// ```swift
/// add(Tensor([1, 2]), Tensor([10, 20]))   // tensor([11, 22])
/// ```
public func add(_ a: Tensor, _ b: Tensor) -> Tensor { a + b }
/// Elementwise difference with broadcasting (`torch.sub`).
public func sub(_ a: Tensor, _ b: Tensor) -> Tensor { a - b }
/// Elementwise product with broadcasting (`torch.mul`).
public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { a * b }
/// Elementwise true division with broadcasting (`torch.div`).
public func div(_ a: Tensor, _ b: Tensor) -> Tensor { a / b }
/// Elementwise power (`torch.pow`).
public func pow(_ a: Tensor, _ b: Tensor) -> Tensor { a.pow(b) }
/// Elementwise power by a number (`torch.pow(x, 2)`).
public func pow<S: TensorScalar>(_ a: Tensor, _ b: S) -> Tensor { a.pow(b) }
/// Elementwise negation (`torch.neg`).
public func neg(_ x: Tensor) -> Tensor { -x }
/// Elementwise absolute value (`torch.abs`).
public func abs(_ x: Tensor) -> Tensor { x.abs() }
/// Elementwise `e^x` (`torch.exp`).
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// Elementwise natural logarithm (`torch.log`).
public func log(_ x: Tensor) -> Tensor { x.log() }
/// Elementwise square root (`torch.sqrt`).
public func sqrt(_ x: Tensor) -> Tensor { x.sqrt() }
/// Elementwise sine (`torch.sin`).
public func sin(_ x: Tensor) -> Tensor { x.sin() }
/// Elementwise cosine (`torch.cos`).
public func cos(_ x: Tensor) -> Tensor { x.cos() }
/// Elementwise hyperbolic tangent (`torch.tanh`).
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
/// Elementwise logistic function (`torch.sigmoid`).
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }
/// Elementwise `max(x, 0)` (`torch.relu`).
public func relu(_ x: Tensor) -> Tensor { x.relu() }
/// Clamps each element to `[min, max]` (`torch.clamp`).
public func clamp(_ x: Tensor, min: Double? = nil, max: Double? = nil) -> Tensor {
    x.clamp(min: min, max: max)
}
/// Elementwise maximum with broadcasting; NaN wins (`torch.maximum`).
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { dispatch1(.maximum, a, b) }
/// Elementwise minimum with broadcasting; NaN wins (`torch.minimum`).
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { dispatch1(.minimum, a, b) }

/// Elements of `a` where `condition` is true, of `b` elsewhere, with broadcasting (`torch.where`).
///
/// ```swift
/// `where`(x .> 0, x, Tensor(0.0))
/// ```
public func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    dispatch1(.where, condition, a, b)
}
/// `where` with a number for the elements where the condition is false.
public func `where`<S: TensorScalar>(_ condition: Tensor, _ a: Tensor, _ b: S) -> Tensor {
    dispatch1(.where, condition, a, Tensor(wrapping: b))
}
/// `where` with a number for the elements where the condition is true.
public func `where`<S: TensorScalar>(_ condition: Tensor, _ a: S, _ b: Tensor) -> Tensor {
    dispatch1(.where, condition, Tensor(wrapping: a), b)
}
