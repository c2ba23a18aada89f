/// An n-dimensional array of numbers, local or on another worker, with reverse-mode autograd.
///
/// `Tensor` is a value type: copies share their storage until one of them is mutated, and then the
/// mutated copy gets its own (Note [Storage and copy-on-write]). Shape operations (reshape, transpose,
/// slicing, expand) return views that share storage without copying.
///
/// ```swift
/// let x = Tensor([1, 2, 3, 4, 5])     // int64
/// print(x + x)                        // tensor([ 2,  4,  6,  8, 10])
/// var w = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
/// let loss = (w * w).sum()
/// try loss.backward()
/// print(w.grad!)                      // tensor([2., 4., 6.])
/// ```
///
/// A tensor's data is either here (local) or on a worker (remote: a pointer, see `send(to:)` in
/// SyftRemote). Every operation goes through one dispatch point, which runs it where its operands are.
public struct Tensor: Sendable {
    internal var storage: TensorStorage
    /// The size of each axis; `[]` for a 0-d (scalar) tensor.
    public internal(set) var shape: [Int]
    /// Element strides of each axis in the storage (local tensors).
    internal var strides: [Int]
    /// The element offset of the first element in the storage (local tensors).
    internal var offset: Int
    /// The element type.
    public internal(set) var dtype: DType
    /// Whether this tensor wraps a Swift number for one operation (`x + 1`); see ``resultType(_:)``.
    public internal(set) var isWrappedNumber: Bool
    /// Autograd state; nil when the tensor does not require grad.
    internal var autograd: AutogradMeta?

    internal init(
        storage: Storage, shape: [Int], strides: [Int], offset: Int = 0, dtype: DType,
        isWrappedNumber: Bool = false
    ) {
        self.storage = .local(storage)
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
        self.isWrappedNumber = isWrappedNumber
        self.autograd = nil
    }

    /// A remote tensor: a pointer to an object on a worker. Used by SyftRemote.
    public init(remote handle: any RemoteTensorHandle, meta: TensorMeta) {
        self.storage = .remote(handle)
        self.shape = meta.shape
        self.strides = []  // a remote tensor's layout is its worker's business
        self.offset = 0
        self.dtype = meta.dtype
        self.isWrappedNumber = false
        self.autograd = nil
    }

    /// A new contiguous, uninitialized local tensor.

    internal init(uninitializedShape shape: [Int], dtype: DType) {
        self.init(uninitializedShape: shape, dtype: dtype, strides: contiguousStrides(shape))
    }

    /// A new uninitialized local tensor with the given (contiguous) strides, to share an input's strides
    /// array instead of allocating one.
    internal init(uninitializedShape shape: [Int], dtype: DType, strides: [Int]) {
        self.init(
            storage: Storage.allocate(count: shapeCount(shape), dtype: dtype), shape: shape, strides: strides,
            dtype: dtype)
    }

    // MARK: - Metadata

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The number of elements.
    public var count: Int { shapeCount(shape) }

    /// The shape and dtype, without the data.
    public var meta: TensorMeta { TensorMeta(shape: shape, dtype: dtype, isWrappedNumber: isWrappedNumber) }

    /// Whether the data is on this machine (false for a pointer to a worker's object).
    public var isLocal: Bool {
        if case .local = storage { return true }
        return false
    }

    /// The handle of a remote tensor, nil for a local one.
    public var remoteHandle: (any RemoteTensorHandle)? {
        if case .remote(let h) = storage { return h }
        return nil
    }

    /// Whether the elements are laid out row-major without gaps (always true for remote tensors).
    public var isContiguous: Bool { isLocal ? SyftCore.isContiguous(shape: shape, strides: strides) : true }

    /// The local storage; stops for a remote tensor (callers check `isLocal` first).
    internal var localStorage: Storage {
        guard case .local(let s) = storage else {
            preconditionFailure("a remote tensor's data is not here; use get() to bring it back")
        }
        return s
    }

    /// Whether two tensors share the same storage (views of one another, or copies not yet mutated).
    public func sharesStorage(with other: Tensor) -> Bool {
        switch (storage, other.storage) {
        case (.local(let a), .local(let b)): return a === b
        case (.remote(let a), .remote(let b)): return a === b
        default: return false
        }
    }
}

/// Where a tensor's data is.
internal enum TensorStorage: @unchecked Sendable {
    case local(Storage)
    case remote(any RemoteTensorHandle)
}
