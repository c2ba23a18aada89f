import Foundation
import SyftCore

// Note [Chunked tensor data]
// A message never carries a large tensor's data. When a batch is encoded for a network worker, every
// tensor above the connection's inline limit is marked `chunked` with empty `data`, and its bytes follow
// the message, in chunks, in the order the chunked tensors appear in it (each tensor before its
// gradient; requests, operands and replies in order). The receiver decodes the message first: it checks
// each chunked tensor's declared shape and dtype against its limits, allocates the tensor, and then
// writes the chunks straight into it (ChunkedTensorSink). So neither side holds the data twice, and no
// message is larger than a chunk plus the batch's small fields. In process nothing is chunked.

/// The tensors of a batch being encoded whose data travels after the message, in chunks.
package final class ChunkedTensorSource {
    /// Tensors of more bytes than this are chunked.
    package let inlineLimit: Int
    /// The chunked tensors, in wire order.
    package private(set) var tensors: [Tensor] = []
    /// Their bytes in all.
    package private(set) var byteCount = 0

    package init(inlineLimit: Int) { self.inlineLimit = inlineLimit }

    /// Whether `tensor` is chunked (and then remembers it).
    func takes(_ tensor: Tensor) -> Bool {
        let bytes = tensor.count * tensor.dtype.byteSize
        guard bytes > inlineLimit else { return false }
        tensors.append(tensor)
        byteCount += bytes
        return true
    }
}

/// The chunked tensors of a decoded batch: allocated from their declared shapes, then filled by the
/// chunks that follow the message, in order.
package final class ChunkedTensorSink {
    struct Slot {
        let tensor: Tensor  // keeps the bytes alive
        let bytes: UnsafeMutableRawBufferPointer
        let isBool: Bool
    }
    /// The most bytes this sink may allocate (the worker's memory budget left, or the message limit).
    let budget: Int
    private var slots: [Slot] = []
    private var slot = 0
    private var offset = 0
    /// The bytes of all chunked tensors.
    package private(set) var byteCount = 0
    /// The bytes written so far.
    package private(set) var written = 0

    package init(budget: Int) { self.budget = budget }

    /// Whether every chunked tensor has all its bytes.
    package var isComplete: Bool { written == byteCount }

    /// A new tensor for a chunked tensor of the message, within the budget.
    func allocate(shape: [Int], dtype: DType) throws(SyftError) -> Tensor {
        let bytes = shape.reduce(1, *) * dtype.byteSize  // the decoder checked the count
        guard byteCount + bytes <= budget else {
            throw .resourceExhausted(
                worker: "",
                reason:
                    "receiving \(byteCount + bytes) bytes of tensor data would exceed the \(budget) bytes available"
            )
        }
        let (tensor, buffer) = Tensor.unsafeUninitialized(shape: shape, dtype: dtype)
        slots.append(Slot(tensor: tensor, bytes: buffer, isBool: dtype == .bool))
        byteCount += bytes
        return tensor
    }

    /// Writes the next chunk of data into the tensors, in order.
    /// - Throws: `.invalidMessage` when the chunk carries more bytes than the tensors still need.
    package func write(_ chunk: UnsafeRawBufferPointer) throws(SyftError) {
        guard chunk.count <= byteCount - written else {
            throw .invalidMessage(
                reason:
                    "a chunk of \(chunk.count) bytes where \(byteCount - written) bytes of tensor data were left"
            )
        }
        var source = chunk[...]
        while !source.isEmpty {
            while slots[slot].bytes.count == offset {
                slot += 1
                offset = 0
            }
            let s = slots[slot]
            let n = Swift.min(source.count, s.bytes.count - offset)
            let destination = UnsafeMutableRawBufferPointer(rebasing: s.bytes[offset..<(offset + n)])
            if s.isBool {
                for (i, b) in source.prefix(n).enumerated() { destination[i] = b == 0 ? 0 : 1 }
            } else {
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source.prefix(n)))
            }
            source = source.dropFirst(n)
            offset += n
            written += n
        }
    }
}

extension WireCodec {
    /// The requests of a `RequestBatch` in `bytes`, its chunked tensors allocated in `chunks` (to be filled
    /// before the requests run).
    /// - Throws: `SyftError.invalidMessage` or `.resourceExhausted`, naming what is wrong.
    package static func decodeRequests(
        _ bytes: Data, limits: WorkerLimits, chunks: ChunkedTensorSink?
    ) throws(SyftError) -> [Request] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SyftError) in try decodeRequests(raw, limits: limits, chunks: chunks) }
        }
        return try result.get()
    }

    /// The replies of a `ReplyBatch` in `bytes`, its chunked tensors allocated in `chunks`.
    package static func decodeReplies(
        _ bytes: Data, limits: WorkerLimits, chunks: ChunkedTensorSink?
    ) throws(SyftError) -> [Reply] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SyftError) in try decodeReplies(raw, limits: limits, chunks: chunks) }
        }
        return try result.get()
    }
}
