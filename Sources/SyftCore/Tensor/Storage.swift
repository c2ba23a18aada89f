import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Note [Storage and copy-on-write]
// A tensor's elements live in one `Storage`. Small buffers are allocated in the same block as the
// storage object (one allocation per tensor); large ones (1 MiB and up) separately, aligned to 2 MiB and
// advised to use transparent huge pages, which cuts page faults on fresh memory 512-fold (NumPy does
// the same). Views (reshape, transpose, slicing, expand) share the storage and differ only in shape,
// strides and offset. Mutation never writes into a shared storage: in-place operators compute a new
// buffer unless the storage is uniquely referenced, so a `+=` on one copy can never change another
// copy, a view, or a tensor autograd saved for backward.
//
// Note [Reusing large buffers]
// A fresh large buffer costs page faults and the kernel's zeroing of every page on first touch, which for
// a training step's activations, a send or a get is a good part of the work. So freed large buffers go
// to a small cache (at most 16 buffers and 128 MiB in all, first-fit by size class of 2 MiB) and the next
// allocation of that class reuses one, already mapped. The cache is bounded, so memory stays flat; it
// holds nothing a program can observe (a reused buffer is uninitialized memory, as a fresh one).

/// Where a storage's bytes are and how many.
public struct StorageHeader {
    var byteCount: Int
    var base: UnsafeMutableRawPointer?
    var isExternal: Bool
}

/// The element buffer of local tensors. Elements are at least 8-byte aligned.
public final class Storage: ManagedBuffer<StorageHeader, UInt64> {
    /// Buffers of at least this many bytes are allocated separately, on huge pages where the system has
    /// them.
    static let largeByteCount = 1 << 20

    /// Allocates uninitialized storage for `byteCount` bytes.
    static func allocate(byteCount: Int) -> Storage {
        if byteCount >= largeByteCount {
            let buffer = Storage.create(minimumCapacity: 0) { _ in
                StorageHeader(byteCount: byteCount, base: allocateLarge(byteCount), isExternal: true)
            }
            return unsafeDowncast(buffer, to: Storage.self)
        }
        let words = Swift.max((byteCount + 7) >> 3, 1)
        let buffer = Storage.create(minimumCapacity: words) { _ in
            StorageHeader(byteCount: byteCount, base: nil, isExternal: false)
        }
        let s = unsafeDowncast(buffer, to: Storage.self)
        s.header.base = s.withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
        return s
    }

    /// Allocates storage for `count` elements of `dtype`, zero-filled when `zeroed`.
    static func allocate(count: Int, dtype: DType, zeroed: Bool = false) -> Storage {
        let s = allocate(byteCount: count * dtype.byteSize)
        if zeroed { s.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteSize) }
        return s
    }

    /// The number of bytes this storage was allocated for.
    var byteCount: Int { header.byteCount }

    /// The start of the element buffer. Valid while the storage is alive.
    var pointer: UnsafeMutableRawPointer { header.base.unsafelyUnwrapped }

    deinit {
        if header.isExternal, let base = header.base { releaseLarge(base, byteCount: header.byteCount) }
    }
}

private let hugePage = 2 << 20

/// Freed large buffers by size class (Note [Reusing large buffers]).
private let largeBufferCache = Mutex(LargeBufferCache())

private struct LargeBufferCache {
    static let maxBuffers = 16
    static let maxBytes = 128 << 20
    /// Addresses (as integers, so the cache is Sendable) and sizes.
    var buffers: [(address: UInt, bytes: Int)] = []
    var bytes = 0
}

private func roundedSize(_ byteCount: Int) -> Int { (byteCount + hugePage - 1) / hugePage * hugePage }

private func allocateLarge(_ byteCount: Int) -> UnsafeMutableRawPointer {
    let rounded = roundedSize(byteCount)
    let cached: UInt? = largeBufferCache.withLock { cache in
        guard let i = cache.buffers.firstIndex(where: { $0.bytes == rounded }) else { return nil }
        cache.bytes -= rounded
        return cache.buffers.remove(at: i).address
    }
    if let cached, let p = UnsafeMutableRawPointer(bitPattern: cached) { return p }
    var p: UnsafeMutableRawPointer?
    guard posix_memalign(&p, hugePage, rounded) == 0, let p else {
        fatalError("out of memory allocating \(byteCount) bytes for a tensor")
    }
    #if os(Linux)
        _ = madvise(p, rounded, 14)  // MADV_HUGEPAGE
    #endif
    return p
}

private func releaseLarge(_ p: UnsafeMutableRawPointer, byteCount: Int) {
    let rounded = roundedSize(byteCount)
    let address = UInt(bitPattern: p)
    let kept = largeBufferCache.withLock { cache -> Bool in
        guard cache.buffers.count < LargeBufferCache.maxBuffers,
            cache.bytes + rounded <= LargeBufferCache.maxBytes
        else {
            return false
        }
        cache.buffers.append((address, rounded))
        cache.bytes += rounded
        return true
    }
    if !kept { free(p) }
}
