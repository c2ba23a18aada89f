/// The element type of a ``Tensor``.
///
/// The four dtypes follow PyTorch: `float32` is the default for floating-point literals,
/// `int64` the default for integer literals.
///
/// ```swift
/// Tensor([1, 2, 3]).dtype      // .int64
/// Tensor([1.0, 2.5]).dtype     // .float32
/// Tensor([1.0], dtype: .float64).dtype  // .float64
/// ```
public enum DType: String, Sendable, CaseIterable, Hashable, Codable {
    case float32, float64, int64, bool

    /// The size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .float32: return 4
        case .float64, .int64: return 8
        case .bool: return 1
        }
    }

    /// Whether the dtype is `float32` or `float64`.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The name PyTorch prints for this dtype, e.g. `torch.float64`.
    public var torchName: String { "torch.\(rawValue)" }

    /// The default floating-point dtype (`float32`, as in PyTorch).
    public static let defaultFloat: DType = .float32

    /// The promotion order bool < int64 < float32 < float64 (PyTorch's `promote_types` on these four).
    var rank: Int {
        switch self {
        case .bool: return 0
        case .int64: return 1
        case .float32: return 2
        case .float64: return 3
        }
    }

    /// The smallest dtype both `a` and `b` convert to without losing their category.
    public static func promote(_ a: DType, _ b: DType) -> DType { a.rank >= b.rank ? a : b }
}

/// A Swift type that can be an element of a ``Tensor``: `Float`, `Double`, `Int64` or `Bool`.
public protocol TensorElement: Sendable {
    /// The dtype of tensors holding this type.
    static var dtype: DType { get }
    /// The element as a `Double` (for printing and conversions).
    var doubleValue: Double { get }
    /// The element converted from a `Double`, with PyTorch's conversion rules (truncation toward zero for
    /// integers, nonzero for `Bool`).
    init(converting value: Double)
}

extension Float: TensorElement {
    public static var dtype: DType { .float32 }
    public var doubleValue: Double { Double(self) }
    public init(converting value: Double) { self = Float(value) }
}

extension Double: TensorElement {
    public static var dtype: DType { .float64 }
    public var doubleValue: Double { self }
    public init(converting value: Double) { self = value }
}

extension Int64: TensorElement {
    public static var dtype: DType { .int64 }
    public var doubleValue: Double { Double(self) }
    public init(converting value: Double) {
        if value.isNaN { self = Int64.min; return }
        if value >= 9.2233720368547758e18 { self = Int64.min; return }
        if value < -9.2233720368547758e18 { self = Int64.min; return }
        self = Int64(value.rounded(.towardZero))
    }
}

extension Bool: TensorElement {
    public static var dtype: DType { .bool }
    public var doubleValue: Double { self ? 1 : 0 }
    public init(converting value: Double) { self = value != 0 }
}
