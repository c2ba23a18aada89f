// Note [Storage and copy-on-write]
// A tensor's elements live in one `Storage`: a single heap object whose elements are allocated in the
// same block as its header (one allocation per tensor). Views (reshape, transpose, slicing, expand)
// share the storage and differ only in shape, strides and offset. Every mutation goes through
// `Tensor.ensureUniqueContiguous()`, which copies when the storage is shared, so a `+=` on one copy
// can never change another copy, a view, or a tensor autograd saved for backward.

/// The element buffer of local tensors. Elements are 8-byte aligned.
public final class Storage: ManagedBuffer<Int, UInt64> {
    /// Allocates uninitialized storage for `byteCount` bytes.
    static func allocate(byteCount: Int) -> Storage {
        let words = Swift.max((byteCount + 7) >> 3, 1)
        let buffer = Storage.create(minimumCapacity: words) { _ in byteCount }
        return unsafeDowncast(buffer, to: Storage.self)
    }

    /// Allocates storage for `count` elements of `dtype`, zero-filled when `zeroed`.
    static func allocate(count: Int, dtype: DType, zeroed: Bool = false) -> Storage {
        let s = allocate(byteCount: count * dtype.byteSize)
        if zeroed { s.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteSize) }
        return s
    }

    /// The number of bytes this storage was allocated for.
    var byteCount: Int { header }

    /// The start of the element buffer. Valid while the storage is alive.
    var pointer: UnsafeMutableRawPointer {
        withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
    }
}
