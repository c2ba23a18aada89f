// Reading a local tensor's elements back into Swift.

extension Tensor {
    /// The elements in row-major order, converted to `T`.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).scalars(as: Int64.self)   // [1, 2, 3, 4]
    /// ```
    /// - Precondition: the tensor is local (use `get()` on a pointer first).
    public func scalars<T: TensorElement>(as _: T.Type) -> [T] {
        precondition(isLocal, "scalars: the tensor is remote; use get() to bring its data here")
        let c = converted(to: T.dtype).contiguous()
        let p = c.elementPointer(T.self)
        return Array(UnsafeBufferPointer(start: p, count: c.count))
    }

    /// The elements in row-major order as `Double`.
    public var doubles: [Double] { scalars(as: Double.self) }

    /// The elements in row-major order as `Float`.
    public var floats: [Float] { scalars(as: Float.self) }

    /// The elements in row-major order as `Int`.
    public var ints: [Int] { scalars(as: Int64.self).map { Int($0) } }

    /// The elements in row-major order as `Bool` (nonzero is true).
    public var bools: [Bool] { scalars(as: Bool.self) }

    /// The value of a one-element tensor as `Double` (`x.item()`).
    /// - Precondition: the tensor is local and has one element.
    public func item() -> Double { item(as: Double.self) }

    /// The value of a one-element tensor converted to `T`.
    public func item<T: TensorElement>(as _: T.Type) -> T {
        precondition(isLocal, "item: the tensor is remote; use get() to bring its data here")
        precondition(count == 1, "item: a tensor with \(count) elements cannot be converted to a scalar")
        return singleElement(as: T.self)
    }

    /// The element at flat row-major index `i`, as `Double` (no copy of the tensor).
    func element(atFlatIndex i: Int) -> Double {
        var rest = i
        var o = offset
        var d = rank - 1
        while d >= 0 {
            o += (rest % shape[d]) * strides[d]
            rest /= shape[d]
            d -= 1
        }
        let p = localStorage.pointer
        switch dtype {
        case .float32: return Double(p.assumingMemoryBound(to: Float.self)[o])
        case .float64: return p.assumingMemoryBound(to: Double.self)[o]
        case .int64: return Double(p.assumingMemoryBound(to: Int64.self)[o])
        case .bool: return p.assumingMemoryBound(to: Bool.self)[o] ? 1 : 0
        }
    }

    /// Whether both tensors are local and have the same shape, dtype and elements (NaN equals nothing).
    ///
    /// Tensors are not `Equatable`: `.==` compares elementwise. This is the whole-tensor test.
    public func isEqual(to other: Tensor) -> Bool {
        guard isLocal, other.isLocal, shape == other.shape, dtype == other.dtype else { return false }
        return (0..<count).allSatisfy { element(atFlatIndex: $0) == other.element(atFlatIndex: $0) }
    }
}

extension Tensor {
    /// A tensor of `shape` and `dtype` whose elements are copied from raw row-major, native-endian
    /// (little-endian on every platform Syft runs on) bytes; bool elements are one byte, 0 or 1.
    ///
    /// ```swift
    /// let t = [1.5, 2.5].withUnsafeBytes { Tensor(shape: [2], dtype: .float64, bytes: $0) }
    /// ```
    /// - Precondition: `bytes.count` is the element count times the dtype's size.
    public init(shape: [Int], dtype: DType, bytes: UnsafeRawBufferPointer) {
        let n = shapeCount(shape)
        precondition(
            bytes.count == n * dtype.byteSize,
            "Tensor(bytes:): \(bytes.count) bytes for shape \(shapeString(shape)) of \(dtype.rawValue)")
        self.init(uninitializedShape: shape, dtype: dtype)
        if n > 0 { localStorage.pointer.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        if dtype == .bool {
            // Normalize to 0/1 so every byte is a valid Bool.
            let p = localStorage.pointer.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n where p[i] > 1 { p[i] = 1 }
        }
    }

    /// Calls `body` with the elements as raw row-major bytes (copying only a non-contiguous view).
    /// - Precondition: the tensor is local.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        precondition(isLocal, "withUnsafeBytes: the tensor is remote; use get() to bring its data here")
        let c = contiguous()
        let start = c.localStorage.pointer + c.offset * dtype.byteSize
        return try withExtendedLifetime(c) {
            try body(UnsafeRawBufferPointer(start: start, count: c.count * dtype.byteSize))
        }
    }
}
