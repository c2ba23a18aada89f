import Foundation
import SwiftProtobuf
import SyftCore
import SyftRemote

/// Metadata keys of the Connect call (Protos/syft/v1/worker.proto).
enum MetadataKey {
    static let authorization = "authorization"
    static let clientID = "syft-client-id"
    static let keepObjects = "syft-keep-objects"
    static let maxMessageBytes = "syft-max-message-bytes"
}

// Note [Message sizes]
// Each side states the largest message it accepts (the worker in its Hello, the client in its metadata),
// and a sender keeps every message within the smaller of the two. Tensors above the inline limit
// travel as chunked data (Note [Chunked tensor data]) in chunks of at most 1 MiB, the frame size both
// sides' HTTP/2 connections use, so a chunk is one DATA frame; a batch whose requests (or replies)
// encode to more than half the limit goes in parts, each a valid RequestBatch (a protobuf repeated field
// is the concatenation of its elements, so parts are cut without encoding twice). A single request
// larger than that (a search with megabytes of terms) is refused before it is sent.

/// The sizes of one connection's messages (Note [Message sizes]).
struct FrameSizes: Sendable, Equatable {
    /// The largest message either side accepts, in bytes.
    let maxMessageBytes: Int

    /// Bytes of tensor data per chunk message.
    var chunkBytes: Int { Swift.max(1024, Swift.min(1 << 20, maxMessageBytes / 2)) }
    /// Tensors of more bytes than this travel in chunks.
    var inlineLimit: Int { Swift.max(256, Swift.min(64 << 10, maxMessageBytes / 16)) }
    /// The most bytes of encoded requests (or replies) in one message.
    var partBytes: Int { maxMessageBytes / 2 }
}

/// The smallest message limit a worker or a client may set.
public let minimumMessageBytes = 4096

/// One message's worth of a batch: its items in wire form and the tensors whose data follows it.
struct EncodedPart {
    /// A RequestBatch or ReplyBatch in wire form.
    var bytes: Data
    /// The items of the batch this part holds.
    var range: Range<Int>
    /// The tensors whose data follows the part, in chunks, in order.
    var tensors: [Tensor]
    var chunkedBytes: Int
}

/// Cuts a batch of `count` items into parts of at most `sizes.partBytes` (Note [Message sizes]).
///
/// - Parameter encode: the wire form of items `range`, leaving tensors above the inline limit to `chunks`.
/// - Returns: the parts, and the index of the first item too large for any message (items from it on
///   are not in the parts), if any.
func encodeParts(
    count: Int, sizes: FrameSizes, _ encode: (Range<Int>, ChunkedTensorSource) -> Data
) -> (parts: [EncodedPart], tooLarge: (index: Int, bytes: Int)?) {
    let whole = ChunkedTensorSource(inlineLimit: sizes.inlineLimit)
    let bytes = encode(0..<count, whole)
    if bytes.count <= sizes.partBytes {
        return (
            [
                EncodedPart(
                    bytes: bytes, range: 0..<count, tensors: whole.tensors, chunkedBytes: whole.byteCount)
            ], nil
        )
    }
    var parts: [EncodedPart] = []
    var current = EncodedPart(bytes: Data(), range: 0..<0, tensors: [], chunkedBytes: 0)
    for i in 0..<count {
        let chunks = ChunkedTensorSource(inlineLimit: sizes.inlineLimit)
        let item = encode(i..<(i + 1), chunks)
        if item.count > sizes.partBytes {
            if !current.range.isEmpty { parts.append(current) }
            return (parts, (i, item.count))
        }
        if current.bytes.count + item.count > sizes.partBytes, !current.range.isEmpty {
            parts.append(current)
            current = EncodedPart(bytes: Data(), range: i..<i, tensors: [], chunkedBytes: 0)
        }
        current.bytes.append(item)
        current.range = current.range.lowerBound..<(i + 1)
        current.tensors += chunks.tensors
        current.chunkedBytes += chunks.byteCount
    }
    if !current.range.isEmpty { parts.append(current) }
    return (parts, nil)
}

/// Calls `body` with the data of `tensors`, in order, in chunks of at most `chunkBytes`. A chunk shares the
/// tensor's buffer (no copy); the frame's encoding copies it when its turn comes, so memory holds one
/// encoded chunk at a time.
func forEachChunk(of tensors: [Tensor], chunkBytes: Int, _ body: (Data) async throws -> Void) async rethrows {
    for t in tensors {
        let (bytes, owner) = t.retainedRawBytes()
        var offset = 0
        while offset < bytes.count {
            let n = Swift.min(chunkBytes, bytes.count - offset)
            let start = UnsafeMutableRawPointer(mutating: bytes.baseAddress! + offset)
            let chunk = Data(
                bytesNoCopy: start, count: n, deallocator: .custom { _, _ in withExtendedLifetime(owner) {} })
            try await body(chunk)
            offset += n
        }
    }
}

/// A part of a batch being received: its decoded items, and the tensor data still to come.
struct IncomingPart<Item> {
    var batch: UInt64
    var wait: Bool
    var isFinal: Bool
    var items: [Item]
    var sink: ChunkedTensorSink?

    var isComplete: Bool { sink?.isComplete ?? true }
}

/// Splits delete requests with very many ids (pointers dropped in a long loop) so each encodes small.
func splittingLargeDeletes(_ requests: [Request], maxIDs: Int = 8192) -> [Request] {
    guard
        requests.contains(where: {
            if case .delete(let ids) = $0 { return ids.count > maxIDs } else { return false }
        })
    else {
        return requests
    }
    var out: [Request] = []
    for r in requests {
        if case .delete(let ids) = r, ids.count > maxIDs {
            for start in stride(from: 0, to: ids.count, by: maxIDs) {
                out.append(.delete(ids: Array(ids[start..<Swift.min(ids.count, start + maxIDs)])))
            }
        } else {
            out.append(r)
        }
    }
    return out
}

extension Reply {
    /// The same reply, or failure, with its sequence number moved by `offset` (a batch received in parts).
    func offsettingSequence(by offset: Int) -> Reply {
        guard case .failure(let sequence, let error) = self else { return self }
        return .failure(sequence: sequence + offset, error: error)
    }
}
