// Raw element bytes for the wire (SyftRemote's codec, SyftGRPC's chunked tensor data): the row-major,
// little-endian bytes of a tensor's elements (bool: one byte, 0 or 1), read and written without going
// through Swift arrays, so a large tensor crosses the wire without a second copy of its data.

extension Tensor {
    /// A new contiguous local tensor whose element bytes `initialize` writes.
    ///
    /// - Precondition: `shape` has no negative dimension. For `.bool`, `initialize` must write only 0 or 1.
    package init(
        shape: [Int], dtype: DType,
        initializingBytesWith initialize: (UnsafeMutableRawBufferPointer) throws -> Void
    ) rethrows {
        precondition(
            shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shapeString(shape))")
        self.init(uninitializedShape: shape, dtype: dtype)
        try initialize(
            UnsafeMutableRawBufferPointer(
                start: localStorage.pointer, count: shapeCount(shape) * dtype.byteSize))
    }

    /// A new contiguous local tensor with uninitialized elements, and the address of its bytes.
    ///
    /// The bytes stay valid while the tensor (or a copy of it) is alive. The caller writes every byte before
    /// anything reads the tensor, and writes nothing after (the wire fills a received tensor chunk by chunk
    /// before the request holding it runs).
    package static func unsafeUninitialized(
        shape: [Int], dtype: DType
    ) -> (tensor: Tensor, bytes: UnsafeMutableRawBufferPointer) {
        precondition(
            shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shapeString(shape))")
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        return (
            t,
            UnsafeMutableRawBufferPointer(
                start: t.localStorage.pointer, count: shapeCount(shape) * dtype.byteSize)
        )
    }

    /// The element bytes of this local tensor in row-major order, valid while `owner` (a contiguous copy
    /// of the tensor: the tensor itself unless it was a non-contiguous view) is alive, so that they can go
    /// to I/O without being copied. The bytes are never written while `owner` holds them (Note [Storage
    /// and copy-on-write]).
    ///
    /// - Precondition: the tensor is local.
    package func retainedRawBytes() -> (bytes: UnsafeRawBufferPointer, owner: Tensor) {
        let c = contiguous()
        return (
            UnsafeRawBufferPointer(
                start: c.localStorage.pointer + c.offset * c.dtype.byteSize, count: c.count * c.dtype.byteSize
            ),
            c
        )
    }

    /// Calls `body` with the element bytes of this local tensor in row-major order (a non-contiguous view is
    /// copied to a contiguous buffer first).
    ///
    /// - Precondition: the tensor is local.
    package func withUnsafeRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let c = contiguous()
        let storage = c.localStorage
        return try withExtendedLifetime(storage) {
            try body(
                UnsafeRawBufferPointer(
                    start: storage.pointer + c.offset * c.dtype.byteSize, count: c.count * c.dtype.byteSize))
        }
    }
}
