import SyftCore

// Note [Decoding never trusts its input]
// Every field of a decoded message is checked before it becomes a request: known operation names and
// attribute types (Op+Wire.swift), dtypes, non-negative shapes whose element count does not overflow,
// data lengths that match shape and dtype exactly, and tensor sizes within the worker's limit, checked
// from the declared shape before a tensor is allocated. A malformed message is an error reply.

/// Converts requests and replies to and from their protobuf wire form (Protos/syft/v1/messages.proto:
/// a `RequestBatch` and a `ReplyBatch`).
public enum WireCodec {
    /// The wire bytes of a batch of requests (a `RequestBatch`).
    public static func encode(_ requests: [Request]) -> [UInt8] { encode(requests, chunks: nil) }

    /// A `RequestBatch` whose tensors above `chunks.inlineLimit` are left for chunks (Note [Chunked tensor
    /// data]).
    package static func encode(_ requests: [Request], chunks: ChunkedTensorSource?) -> [UInt8] {
        var w = ProtoWriter(capacity: 64 + 32 * requests.count)
        w.chunks = chunks
        for r in requests { w.message(1) { $0.request(r) } }
        return w.bytes
    }

    /// The requests of a `RequestBatch`.
    /// - Throws: `SyftError.invalidMessage` (or `.resourceExhausted`) naming what is wrong.
    public static func decodeRequests(_ bytes: [UInt8], limits: WorkerLimits) throws(SyftError) -> [Request] {
        guard bytes.count <= limits.maxMessageBytes else {
            throw .resourceExhausted(
                worker: "",
                reason: "a message of \(bytes.count) bytes exceeds the limit of \(limits.maxMessageBytes)")
        }
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SyftError) in try decodeRequests(raw, limits: limits) }
        }
        return try result.get()
    }

    /// The requests of a `RequestBatch` in a byte buffer; chunked tensors are allocated in `chunks`, to be
    /// filled before the requests run.
    public static func decodeRequests(
        _ raw: UnsafeRawBufferPointer, limits: WorkerLimits
    ) throws(SyftError) -> [Request] {
        try decodeRequests(raw, limits: limits, chunks: nil)
    }

    package static func decodeRequests(
        _ raw: UnsafeRawBufferPointer, limits: WorkerLimits, chunks: ChunkedTensorSink?
    ) throws(SyftError) -> [Request] {
        guard raw.count <= limits.maxMessageBytes else {
            throw .resourceExhausted(
                worker: "",
                reason: "a message of \(raw.count) bytes exceeds the limit of \(limits.maxMessageBytes)")
        }
        let decoder = WireDecoder(limits: limits, chunks: chunks)
        var r = ProtoReader(raw)
        var out: [Request] = []
        // A small command takes about 20 bytes: room for a batch of them without regrowing the array.
        out.reserveCapacity(Swift.min(raw.count / 20 + 1, 1 << 12))
        while let (field, type) = try r.field() {
            guard field == 1 else {
                try r.skip(type)
                continue
            }
            try r.expect(type, .lengthDelimited)
            var m = try r.nested(depth: 0)
            out.append(try decoder.request(&m))
        }
        return out
    }

    /// The wire bytes of a batch of replies (a `ReplyBatch`).
    public static func encode(_ replies: [Reply]) -> [UInt8] { encode(replies, chunks: nil) }

    /// A `ReplyBatch` whose tensors above `chunks.inlineLimit` are left for chunks.
    package static func encode(_ replies: [Reply], chunks: ChunkedTensorSource?) -> [UInt8] {
        var w = ProtoWriter(capacity: 64 + 16 * replies.count)
        w.chunks = chunks
        for r in replies { w.message(1) { $0.reply(r) } }
        return w.bytes
    }

    /// The replies of a `ReplyBatch`.
    public static func decodeReplies(_ bytes: [UInt8], limits: WorkerLimits) throws(SyftError) -> [Reply] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SyftError) in try decodeReplies(raw, limits: limits) }
        }
        return try result.get()
    }

    /// The replies of a `ReplyBatch` in a byte buffer.
    public static func decodeReplies(
        _ raw: UnsafeRawBufferPointer, limits: WorkerLimits
    ) throws(SyftError) -> [Reply] {
        try decodeReplies(raw, limits: limits, chunks: nil)
    }

    package static func decodeReplies(
        _ raw: UnsafeRawBufferPointer, limits: WorkerLimits, chunks: ChunkedTensorSink?
    ) throws(SyftError) -> [Reply] {
        do {
            let decoder = WireDecoder(limits: limits, chunks: chunks)
            var r = ProtoReader(raw)
            var out: [Reply] = []
            while let (field, type) = try r.field() {
                guard field == 1 else {
                    try r.skip(type)
                    continue
                }
                try r.expect(type, .lengthDelimited)
                var m = try r.nested(depth: 0)
                out.append(try decoder.reply(&m))
            }
            return out
        }
    }
}
