// Creating tensors: from Swift values, with a shape, and the PyTorch factories.

/// Swift values a tensor can be built from: `Int`, `Int64`, `Float`, `Double`, `Bool`, and arrays of them,
/// nested to any depth (`[[1, 2], [3, 4]]`).
public protocol TensorData {
    /// Appends this value's shape below `depth`; stops on ragged nested arrays (a length that differs from
    /// the one `shape` already has at that depth).
    func appendShape(to shape: inout [Int], depth: Int)
    /// Appends the elements in row-major order.
    func appendElements(to elements: inout TensorElements)
    /// The dtype PyTorch gives data of this kind: int64 for integers, float32 for floating point.
    static var defaultDType: DType { get }
}

/// Elements collected from ``TensorData`` before they become a tensor's storage.
public struct TensorElements {
    var ints: [Int64] = []
    var doubles: [Double] = []
    var bools: [Bool] = []
    var count: Int { ints.count + doubles.count + bools.count }
}

extension Int: TensorData {
    public func appendShape(to shape: inout [Int], depth: Int) {}
    public func appendElements(to e: inout TensorElements) { e.ints.append(Int64(self)) }
    public static var defaultDType: DType { .int64 }
}
extension Int64: TensorData {
    public func appendShape(to shape: inout [Int], depth: Int) {}
    public func appendElements(to e: inout TensorElements) { e.ints.append(self) }
    public static var defaultDType: DType { .int64 }
}
extension Int32: TensorData {
    public func appendShape(to shape: inout [Int], depth: Int) {}
    public func appendElements(to e: inout TensorElements) { e.ints.append(Int64(self)) }
    public static var defaultDType: DType { .int64 }
}
extension Double: TensorData {
    public func appendShape(to shape: inout [Int], depth: Int) {}
    public func appendElements(to e: inout TensorElements) { e.doubles.append(self) }
    public static var defaultDType: DType { .float32 }
}
extension Float: TensorData {
    public func appendShape(to shape: inout [Int], depth: Int) {}
    public func appendElements(to e: inout TensorElements) { e.doubles.append(Double(self)) }
    public static var defaultDType: DType { .float32 }
}
extension Bool: TensorData {
    public func appendShape(to shape: inout [Int], depth: Int) {}
    public func appendElements(to e: inout TensorElements) { e.bools.append(self) }
    public static var defaultDType: DType { .bool }
}
extension Array: TensorData where Element: TensorData {
    public func appendShape(to shape: inout [Int], depth: Int) {
        if shape.count == depth {
            shape.append(count)
        } else {
            // Every array at a depth must have the length of the first one there (PyTorch's message).
            precondition(
                count == shape[depth],
                "Tensor: the nested arrays are ragged: expected a sequence of length \(shape[depth]) at dim "
                    + "\(depth) (got \(count))")
        }
        for x in self { x.appendShape(to: &shape, depth: depth + 1) }
    }
    public func appendElements(to e: inout TensorElements) {
        for x in self { x.appendElements(to: &e) }
    }
    public static var defaultDType: DType { Element.defaultDType }
}

extension Tensor {
    /// A tensor holding `data`, a Swift number or a (nested) array of numbers.
    ///
    /// Integers give int64 and floating-point numbers float32, as PyTorch does; pass `dtype` to choose.
    /// ```swift
    /// Tensor([1, 2, 3, 4, 5])                          // tensor([1, 2, 3, 4, 5]), int64
    /// Tensor([[1.0, 2.5], [3.0, 4.0]])                 // float32, shape [2, 2]
    /// Tensor([1, 2, 3, 4, 5.0], requiresGrad: true)   // float32, a leaf that requires grad
    /// Tensor(3.5, dtype: .float64)                     // a 0-d tensor
    /// ```
    /// - Precondition: nested arrays are not ragged; `requiresGrad` needs a floating-point dtype.
    public init<D: TensorData>(_ data: D, dtype: DType? = nil, requiresGrad: Bool = false) {
        var shape: [Int] = []
        data.appendShape(to: &shape, depth: 0)
        var elements = TensorElements()
        data.appendElements(to: &elements)
        precondition(
            elements.count == shapeCount(shape),
            "Tensor: the nested arrays are ragged (shape \(shapeString(shape)) from the first elements, "
                + "\(elements.count) elements in all)")
        self.init(elements: elements, shape: shape, dtype: dtype ?? D.defaultDType)
        if requiresGrad { self.requiresGrad = true }
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    ///
    /// ```swift
    /// Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])   // int64, 2×3
    /// ```
    /// - Precondition: `scalars.count` is the product of `shape`.
    public init<S: TensorData>(
        shape: [Int], scalars: [S], dtype: DType? = nil, requiresGrad: Bool = false
    ) {
        precondition(
            shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shapeString(shape))")
        precondition(
            scalars.count == shapeCount(shape),
            "Tensor: \(scalars.count) scalars given for shape \(shapeString(shape)) "
                + "(\(shapeCount(shape)) elements)")
        var elements = TensorElements()
        scalars.appendElements(to: &elements)
        self.init(elements: elements, shape: shape, dtype: dtype ?? S.defaultDType)
        if requiresGrad { self.requiresGrad = true }
    }

    init(elements e: TensorElements, shape: [Int], dtype: DType) {
        self.init(uninitializedShape: shape, dtype: dtype)
        let p = localStorage.pointer
        func fill<T: TensorElement>(_: T.Type) {
            let d = p.assumingMemoryBound(to: T.self)
            if T.self == Int64.self, !e.ints.isEmpty {
                e.ints.withUnsafeBufferPointer { src in
                    UnsafeMutableRawPointer(d).copyMemory(from: src.baseAddress!, byteCount: src.count * 8)
                }
                return
            }
            for (i, v) in e.ints.enumerated() { d[i] = T(converting: Double(v)) }
            for (i, v) in e.doubles.enumerated() { d[i] = T(converting: v) }
            for (i, v) in e.bools.enumerated() { d[i] = T(converting: v ? 1 : 0) }
        }
        switch dtype {
        case .float32: fill(Float.self)
        case .float64: fill(Double.self)
        case .int64: fill(Int64.self)
        case .bool: fill(Bool.self)
        }
    }

    /// A Swift number wrapped for one operation (`x + 1`): a 0-d tensor that takes part in dtype
    /// promotion only by category (PyTorch's wrapped numbers).
    ///
    /// ```swift
    /// (Tensor([1, 2]) + Tensor(wrapping: 2.5)).dtype   // .float32, as Tensor([1, 2]) + 2.5
    /// ```
    public init(wrapping value: some TensorScalar) {
        var e = TensorElements()
        value.appendElements(to: &e)
        let dtype: DType = !e.doubles.isEmpty ? .float64 : (!e.ints.isEmpty ? .int64 : .bool)
        self.init(elements: e, shape: [], dtype: dtype)
        isWrappedNumber = true
    }

    /// This 0-d tensor marked as a wrapped Swift number (as it was before crossing the wire).
    /// - Precondition: the tensor is local and 0-d.
    public func asWrappedNumber() -> Tensor {
        precondition(isLocal && rank == 0, "asWrappedNumber: only a local 0-d tensor can be a wrapped number")
        var t = self
        t.isWrappedNumber = true
        t.autograd = nil
        return t
    }

    // MARK: - Factories

    /// A tensor of `shape` filled with `value`.
    ///
    /// ```swift
    /// Tensor.full([2, 2], 7)   // tensor([[7, 7], [7, 7]]) as float32 unless dtype is given
    /// ```
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .defaultFloat) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "full: negative dimension in shape \(shapeString(shape))")
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        let n = t.count
        let p = t.localStorage.pointer
        switch dtype {
        case .float32: p.assumingMemoryBound(to: Float.self).update(repeating: Float(value), count: n)
        case .float64: p.assumingMemoryBound(to: Double.self).update(repeating: value, count: n)
        case .int64:
            p.assumingMemoryBound(to: Int64.self).update(repeating: Int64(converting: value), count: n)
        case .bool: p.assumingMemoryBound(to: Bool.self).update(repeating: value != 0, count: n)
        }
        return t
    }

    /// A tensor of `shape` filled with zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .defaultFloat) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "zeros: negative dimension in shape \(shapeString(shape))")
        let n = shapeCount(shape)
        return Tensor(
            storage: Storage.allocate(count: n, dtype: dtype, zeroed: true), shape: shape,
            strides: contiguousStrides(shape), dtype: dtype)
    }

    /// A tensor of `shape` filled with ones.
    public static func ones(_ shape: [Int], dtype: DType = .defaultFloat) -> Tensor {
        full(shape, 1, dtype: dtype)
    }

    /// Zeros with the shape and dtype of `other` (local).
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }

    /// Ones with the shape and dtype of `other` (local).
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype) }

    /// The identity matrix with `rows` rows and `columns` columns (default: square).
    public static func eye(_ rows: Int, _ columns: Int? = nil, dtype: DType = .defaultFloat) -> Tensor {
        let cols = columns ?? rows
        precondition(rows >= 0 && cols >= 0, "eye: negative size \(rows)×\(cols)")
        var values = [Double](repeating: 0, count: rows * cols)
        for i in 0..<Swift.min(rows, cols) { values[i * cols + i] = 1 }
        return Tensor(shape: [rows, cols], scalars: values, dtype: dtype)
    }

    /// Values from `start` up to (not including) `end` by `step`; int64 (PyTorch's `arange` on integers).
    ///
    /// ```swift
    /// Tensor.arange(5)         // tensor([0, 1, 2, 3, 4])
    /// Tensor.arange(1, 10, 3)  // tensor([1, 4, 7])
    /// ```
    public static func arange(
        _ start: Int, _ end: Int? = nil, _ step: Int = 1, dtype: DType = .int64
    ) -> Tensor {
        let (lo, hi) = end.map { (start, $0) } ?? (0, start)
        precondition(step != 0, "arange: step must be nonzero")
        let n = Swift.max(0, (hi - lo + step - (step > 0 ? 1 : -1)) / step)
        return Tensor(shape: [n], scalars: (0..<n).map { lo + $0 * step }, dtype: dtype)
    }

    /// Floating-point values from `start` up to (not including) `end` by `step`; float32 by default.
    ///
    /// Element `i` is `start + i * step` computed in double with one rounding (a fused multiply-add),
    /// then converted to `dtype`: PyTorch's scalar loop. (For long float64 ranges PyTorch computes groups
    /// of SIMD lanes from a shared base, which can differ from this in the last bit.)
    public static func arange(
        _ start: Double, _ end: Double, _ step: Double = 1, dtype: DType = .defaultFloat
    )
        -> Tensor
    {
        precondition(step != 0 && step.isFinite, "arange: step must be finite and nonzero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(
            shape: [n], scalars: (0..<n).map { start.addingProduct(step, Double($0)) }, dtype: dtype)
    }

    /// `steps` evenly spaced values from `start` to `end`, both included.
    ///
    /// The values are computed as PyTorch computes them, in the output dtype (float32 arithmetic for
    /// float32; a double step for integers, truncated): the first half counts up from `start`, the second
    /// half down from `end`, so both ends are exact; one step gives `[start]`.
    /// ```swift
    /// Tensor.linspace(0, 1, 5)   // tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    /// ```
    public static func linspace(
        _ start: Double, _ end: Double, _ steps: Int, dtype: DType = .defaultFloat
    )
        -> Tensor
    {
        precondition(steps >= 0, "linspace: number of steps must be non-negative")
        let half = steps / 2
        func values<T: BinaryFloatingPoint>(_ s: T, _ e: T) -> [T] {
            if steps == 1 { return [s] }
            let step = (e - s) / T(steps - 1)
            // Fused multiply-adds, as PyTorch's vectorized CPU builds (AVX2, AVX-512) compile these lines.
            return (0..<steps).map { i in
                i < half ? s.addingProduct(step, T(i)) : e.addingProduct(-step, T(steps - 1 - i))
            }
        }
        switch dtype {
        case .float32:
            return Tensor(shape: [steps], scalars: values(Float(start), Float(end)), dtype: dtype)
        case .float64:
            return Tensor(shape: [steps], scalars: values(start, end), dtype: dtype)
        case .int64, .bool:
            // PyTorch converts the ends to the integer type first, and steps by a double.
            let (s, e) = (Int64(converting: start), Int64(converting: end))
            return Tensor(shape: [steps], scalars: values(Double(s), Double(e)), dtype: dtype)
        }
    }
}

// MARK: - Free functions, as PyTorch names them

/// A tensor of `shape` filled with zeros (`torch.zeros`).
public func zeros(_ shape: [Int], dtype: DType = .defaultFloat) -> Tensor {
    Tensor.zeros(shape, dtype: dtype)
}
/// A tensor of `shape` filled with ones (`torch.ones`).
public func ones(_ shape: [Int], dtype: DType = .defaultFloat) -> Tensor { Tensor.ones(shape, dtype: dtype) }
/// A tensor of `shape` filled with `value` (`torch.full`).
public func full(_ shape: [Int], _ value: Double, dtype: DType = .defaultFloat) -> Tensor {
    Tensor.full(shape, value, dtype: dtype)
}
/// The identity matrix (`torch.eye`).
public func eye(_ rows: Int, _ columns: Int? = nil, dtype: DType = .defaultFloat) -> Tensor {
    Tensor.eye(rows, columns, dtype: dtype)
}
/// Integers from `start` below `end` by `step` (`torch.arange`).
public func arange(_ start: Int, _ end: Int? = nil, _ step: Int = 1, dtype: DType = .int64) -> Tensor {
    Tensor.arange(start, end, step, dtype: dtype)
}
/// Floating-point values from `start` below `end` by `step` (`torch.arange`).
public func arange(_ start: Double, _ end: Double, _ step: Double = 1, dtype: DType = .defaultFloat) -> Tensor
{
    Tensor.arange(start, end, step, dtype: dtype)
}
/// Evenly spaced values (`torch.linspace`).
public func linspace(_ start: Double, _ end: Double, _ steps: Int, dtype: DType = .defaultFloat) -> Tensor {
    Tensor.linspace(start, end, steps, dtype: dtype)
}
