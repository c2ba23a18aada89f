// Elementwise comparisons, giving bool tensors. The operators are dotted (`.==`, `.<`), as for Swift's
// SIMD types, because `==` on tensors means elementwise comparison, not equality of values.

infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence
infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence

extension Tensor {
    /// Elementwise `==` with broadcasting, a bool tensor (`torch.eq`).
    ///
    /// ```swift
    /// Tensor([1, 2, 3]) .== Tensor([1, 0, 3])   // tensor([ True, False,  True])
    /// ```
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { dispatch1(.eq, lhs, rhs) }
    public static func .== <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs .== Tensor(wrapping: rhs) }
    /// Elementwise `!=` (`torch.ne`).
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { dispatch1(.ne, lhs, rhs) }
    public static func .!= <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs .!= Tensor(wrapping: rhs) }
    /// Elementwise `<` (`torch.lt`).
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { dispatch1(.lt, lhs, rhs) }
    public static func .< <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs .< Tensor(wrapping: rhs) }
    /// Elementwise `<=` (`torch.le`).
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { dispatch1(.le, lhs, rhs) }
    public static func .<= <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs .<= Tensor(wrapping: rhs) }
    /// Elementwise `>` (`torch.gt`).
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { dispatch1(.gt, lhs, rhs) }
    public static func .> <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs .> Tensor(wrapping: rhs) }
    /// Elementwise `>=` (`torch.ge`).
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { dispatch1(.ge, lhs, rhs) }
    public static func .>= <S: TensorScalar>(lhs: Tensor, rhs: S) -> Tensor { lhs .>= Tensor(wrapping: rhs) }
}

/// Elementwise `==` (`torch.eq`).
public func eq(_ a: Tensor, _ b: Tensor) -> Tensor { a .== b }
/// Elementwise `!=` (`torch.ne`).
public func ne(_ a: Tensor, _ b: Tensor) -> Tensor { a .!= b }
/// Elementwise `<` (`torch.lt`).
public func lt(_ a: Tensor, _ b: Tensor) -> Tensor { a .< b }
/// Elementwise `<=` (`torch.le`).
public func le(_ a: Tensor, _ b: Tensor) -> Tensor { a .<= b }
/// Elementwise `>` (`torch.gt`).
public func gt(_ a: Tensor, _ b: Tensor) -> Tensor { a .> b }
/// Elementwise `>=` (`torch.ge`).
public func ge(_ a: Tensor, _ b: Tensor) -> Tensor { a .>= b }
