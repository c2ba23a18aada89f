// Note [A hand-written protobuf codec]
// The wire form is the protobuf of Protos/syft/v1 (any language decodes it with its generated code).
// SwiftProtobuf's generic message machinery costs microseconds per small message (reflection-like
// visitors, one heap box per message), which would make a pipelined remote add cost more than the add
// itself; so the codec writes and reads the same bytes by hand: varints, length-delimited fields,
// packed repeated scalars, exactly as protobuf's encoding rules give them. The generated Swift types
// (Generated/) remain the reference: tests encode with one and decode with the other, both ways, for
// every message (WireConformanceTests), so the two cannot drift apart.

/// Protobuf wire types.
enum WireType: UInt64 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// Appends protobuf-encoded fields to a byte buffer.
struct ProtoWriter {
    var bytes: [UInt8] = []
    /// Where tensors too large for the message go (their data follows in chunks); nil: every tensor inline.
    var chunks: ChunkedTensorSource?

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ type: WireType) { varint(UInt64(field) << 3 | type.rawValue) }

    // MARK: Scalar fields (proto3: default values are not written)

    mutating func uint64(_ field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        tag(field, .varint)
        varint(v)
    }
    mutating func int64(_ field: Int, _ v: Int64) { uint64(field, UInt64(bitPattern: v)) }
    mutating func bool(_ field: Int, _ v: Bool) { if v { uint64(field, 1) } }
    mutating func double(_ field: Int, _ v: Double) {
        guard v.bitPattern != 0 else { return }
        tag(field, .fixed64)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }
    mutating func string(_ field: Int, _ s: String) {
        guard !s.isEmpty else { return }
        var s = s
        s.withUTF8 { utf8 in
            tag(field, .lengthDelimited)
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
    mutating func rawBytes(_ field: Int, count: Int, _ write: (UnsafeMutableRawBufferPointer) -> Void) {
        guard count > 0 else { return }
        tag(field, .lengthDelimited)
        varint(UInt64(count))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBytes {
            write(UnsafeMutableRawBufferPointer(rebasing: $0[start..<(start + count)]))
        }
    }

    /// A packed repeated varint field, its length counted first so the values go straight into the buffer.
    mutating func packed<C: Collection>(_ field: Int, _ values: C, _ convert: (C.Element) -> UInt64) {
        var length = 0
        for v in values { length += Self.varintSize(convert(v)) }
        guard length > 0 else { return }
        tag(field, .lengthDelimited)
        varint(UInt64(length))
        for v in values { varint(convert(v)) }
    }

    /// The bytes `varint(v)` writes.
    static func varintSize(_ v: UInt64) -> Int { Swift.max(1, (64 - v.leadingZeroBitCount + 6) / 7) }

    /// A nested message (always written when `always`, else only when it has content, as proto3 does
    /// for a set message field whose fields are all default).
    mutating func message(_ field: Int, always: Bool = true, _ body: (inout ProtoWriter) -> Void) {
        tag(field, .lengthDelimited)
        let lengthAt = bytes.count
        bytes.append(0)  // one byte of length: most nested messages are short; widened below if not
        let start = bytes.count
        body(&self)
        let length = bytes.count - start
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
            return
        }
        var prefix = ProtoWriter(capacity: 10)
        prefix.chunks = nil
        prefix.varint(UInt64(length))
        bytes.replaceSubrange(lengthAt..<start, with: prefix.bytes)
    }
}
