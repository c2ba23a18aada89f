#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Note [Kernel functors]
// Elementwise kernels take the per-element function as a generic functor value (a struct), not a
// closure: the kernel is then specialized for each functor type and the function inlined into the loop,
// which the compiler vectorizes. A closure would stay an indirect call per element.

/// A function of one element, for ``unaryKernel(_:_:grain:)``.
protocol UnaryFunctor: Sendable {
    associatedtype A: TensorElement
    associatedtype R: TensorElement
    func callAsFunction(_ x: A) -> R
}

/// A function of two elements, for ``binaryKernel(_:_:shape:_:grain:)``.
protocol BinaryFunctor: Sendable {
    associatedtype A: TensorElement
    associatedtype R: TensorElement
    func callAsFunction(_ a: A, _ b: A) -> R
}

/// Element types with arithmetic: Float, Double (IEEE) and Int64 (wrapping, as PyTorch).
protocol ArithmeticElement: TensorElement, Comparable {
    static func add(_ a: Self, _ b: Self) -> Self
    static func sub(_ a: Self, _ b: Self) -> Self
    static func mul(_ a: Self, _ b: Self) -> Self
    static func power(_ a: Self, _ b: Self) -> Self
    /// `-x` (for floats a sign flip, so `-0.0` for `0.0`; for integers wrapping).
    static func negate(_ x: Self) -> Self
    /// `|x|` (for floats the sign cleared, so `0.0` for `-0.0`; for integers wrapping at `Int64.min`).
    static func magnitude(_ x: Self) -> Self
    static var zero: Self { get }
    /// Whether the value is NaN (never for integers).
    var isNaNValue: Bool { get }
}

extension Float: ArithmeticElement {
    @inline(__always) static func add(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func sub(_ a: Float, _ b: Float) -> Float { a - b }
    @inline(__always) static func mul(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) static func power(_ a: Float, _ b: Float) -> Float { powf(a, b) }
    @inline(__always) static func negate(_ x: Float) -> Float { -x }
    @inline(__always) static func magnitude(_ x: Float) -> Float { Swift.abs(x) }
    @inline(__always) var isNaNValue: Bool { isNaN }
}

extension Double: ArithmeticElement {
    @inline(__always) static func add(_ a: Double, _ b: Double) -> Double { a + b }
    @inline(__always) static func sub(_ a: Double, _ b: Double) -> Double { a - b }
    @inline(__always) static func mul(_ a: Double, _ b: Double) -> Double { a * b }
    @inline(__always) static func power(_ a: Double, _ b: Double) -> Double { Glibc.pow(a, b) }
    @inline(__always) static func negate(_ x: Double) -> Double { -x }
    @inline(__always) static func magnitude(_ x: Double) -> Double { Swift.abs(x) }
    @inline(__always) var isNaNValue: Bool { isNaN }
}

extension Int64: ArithmeticElement {
    @inline(__always) static func add(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
    @inline(__always) static func sub(_ a: Int64, _ b: Int64) -> Int64 { a &- b }
    @inline(__always) static func mul(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
    /// Integer power with wrapping overflow; a negative exponent gives the truncated real result
    /// (PyTorch raises; a worker must not stop on data).
    static func power(_ base: Int64, _ exponent: Int64) -> Int64 {
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
    @inline(__always) static func negate(_ x: Int64) -> Int64 { 0 &- x }
    @inline(__always) static func magnitude(_ x: Int64) -> Int64 { x < 0 ? 0 &- x : x }
    @inline(__always) var isNaNValue: Bool { false }
}

/// Floating-point elements with the libm functions kernels need.
protocol FloatElement: ArithmeticElement, BinaryFloatingPoint {
    static func sine(_ x: Self) -> Self
    static func cosine(_ x: Self) -> Self
    /// `y[i] = f(x[i])` over a contiguous buffer with the vectorized kernel (VectorMath.swift).
    static func vectorApply(
        _ f: VectorMath.Function, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int)
}
extension Float: FloatElement {
    @inline(__always) static func sine(_ x: Float) -> Float { sinf(x) }
    @inline(__always) static func cosine(_ x: Float) -> Float { cosf(x) }
}
extension Double: FloatElement {
    @inline(__always) static func sine(_ x: Double) -> Double { Glibc.sin(x) }
    @inline(__always) static func cosine(_ x: Double) -> Double { Glibc.cos(x) }
}

// MARK: - Unary functors

struct NegF<T: ArithmeticElement>: UnaryFunctor {
    /// `-0.0` for `0.0` (a sign flip, not `0 - x`), as PyTorch.
    @inline(__always) func callAsFunction(_ x: T) -> T { T.negate(x) }
}
struct AbsF<T: ArithmeticElement>: UnaryFunctor {
    /// `0.0` for `-0.0` (clears the sign), as PyTorch.
    @inline(__always) func callAsFunction(_ x: T) -> T { T.magnitude(x) }
}
struct ReluF<T: ArithmeticElement>: UnaryFunctor {
    /// NaN stays NaN (`x < 0` is false).
    @inline(__always) func callAsFunction(_ x: T) -> T { x < T.zero ? T.zero : x }
}
struct SqrtF<T: FloatElement>: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: T) -> T { x.squareRoot() }
}
struct SinF<T: FloatElement>: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: T) -> T { T.sine(x) }
}
struct CosF<T: FloatElement>: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: T) -> T { T.cosine(x) }
}
struct ClampF<T: ArithmeticElement>: UnaryFunctor {
    let lo: T
    let hi: T
    /// `min(max(x, lo), hi)`: NaN stays NaN, and when `lo > hi` every element is `hi`, as PyTorch.
    @inline(__always) func callAsFunction(_ x: T) -> T {
        if x.isNaNValue { return x }
        let y = x < lo ? lo : x
        return y > hi ? hi : y
    }
}
struct CastF<A: TensorElement, R: TensorElement>: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: A) -> R { R(converting: x.doubleValue) }
}
struct FloatToDouble: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: Float) -> Double { Double(x) }
}
struct DoubleToFloat: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: Double) -> Float { Float(x) }
}
struct IntToFloat<R: FloatElement>: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: Int64) -> R { R(x) }
}
struct NonZero<A: ArithmeticElement>: UnaryFunctor {
    @inline(__always) func callAsFunction(_ x: A) -> Bool { x != A.zero }
}
struct BoolTo<R: ArithmeticElement>: UnaryFunctor {
    let one: R
    @inline(__always) func callAsFunction(_ x: Bool) -> R { x ? one : R.zero }
}

// MARK: - Binary functors

struct AddF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T { T.add(a, b) }
}
struct SubF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T { T.sub(a, b) }
}
struct MulF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T { T.mul(a, b) }
}
struct DivF<T: FloatElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T { a / b }
}
struct PowF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T { T.power(a, b) }
}
struct MaximumF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T {
        a.isNaNValue ? a : (b.isNaNValue ? b : (a < b ? b : a))
    }
}
struct MinimumF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> T {
        a.isNaNValue ? a : (b.isNaNValue ? b : (b < a ? b : a))
    }
}
struct OrF: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: Bool, _ b: Bool) -> Bool { a || b }
}
struct AndF: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: Bool, _ b: Bool) -> Bool { a && b }
}

struct EqF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> Bool { a == b }
}
struct NeF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> Bool { a != b }
}
struct LtF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> Bool { a < b }
}
struct LeF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> Bool { a <= b }
}
struct GtF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> Bool { a > b }
}
struct GeF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ a: T, _ b: T) -> Bool { a >= b }
}

/// The gradient of relu: `g` where the output `r` is positive, else 0.
struct ReluGradF<T: ArithmeticElement>: BinaryFunctor {
    @inline(__always) func callAsFunction(_ g: T, _ r: T) -> T { r > T.zero ? g : T.zero }
}
