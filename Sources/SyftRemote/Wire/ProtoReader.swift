// Reading protobuf wire bytes without trusting them: every length is checked against what is left,
// varints longer than 10 bytes are errors, unknown fields are skipped as protobuf requires.

/// Reads protobuf fields from a byte range.
struct ProtoReader {
    let base: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer
        position = 0
        end = buffer.count
    }

    private init(base: UnsafeRawBufferPointer, start: Int, end: Int) {
        self.base = base
        self.position = start
        self.end = end
    }

    var isAtEnd: Bool { position >= end }

    mutating func varint() throws(SyftError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .invalidMessage(reason: "truncated varint") }
            let byte = base[position]
            position += 1
            if shift == 63 && byte > 1 { throw .invalidMessage(reason: "varint overflows 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .invalidMessage(reason: "varint longer than 10 bytes") }
        }
    }

    /// The next field's number and wire type, or nil at the end.
    mutating func field() throws(SyftError) -> (Int, WireType)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        guard let type = WireType(rawValue: key & 7) else {
            throw .invalidMessage(reason: "unsupported wire type \(key & 7)")
        }
        let number = key >> 3
        guard number > 0, number < 1 << 29 else {
            throw .invalidMessage(reason: "invalid field number \(number)")
        }
        return (Int(number), type)
    }

    mutating func fixed64() throws(SyftError) -> UInt64 {
        guard end - position >= 8 else { throw .invalidMessage(reason: "truncated fixed64") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(base[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    /// The byte range of a length-delimited field.
    mutating func lengthDelimited() throws(SyftError) -> Range<Int> {
        let n = try varint()
        guard n <= UInt64(end - position) else {
            throw .invalidMessage(reason: "a field of \(n) bytes runs past the end of its message")
        }
        let start = position
        position += Int(n)
        return start..<position
    }

    /// A reader over a nested message.
    mutating func nested(depth: Int) throws(SyftError) -> ProtoReader {
        guard depth < 16 else { throw .invalidMessage(reason: "messages nested too deeply") }
        let r = try lengthDelimited()
        return ProtoReader(base: base, start: r.lowerBound, end: r.upperBound)
    }

    mutating func string() throws(SyftError) -> String {
        let r = try lengthDelimited()
        guard r.count <= 1 << 20 else { throw .invalidMessage(reason: "a string of \(r.count) bytes") }
        let bytes = UnsafeRawBufferPointer(rebasing: base[r])
        // Operation names, attribute names and ids are ASCII: valid UTF-8 as they are, without the general
        // validation's cost on every command.
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw .invalidMessage(reason: "a string field is not valid UTF-8")
        }
        return s
    }

    /// The raw bytes of a length-delimited field.
    mutating func bytes() throws(SyftError) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: base[try lengthDelimited()])
    }

    mutating func bool(_ type: WireType) throws(SyftError) -> Bool {
        try expect(type, .varint)
        return try varint() != 0
    }

    mutating func uint64(_ type: WireType) throws(SyftError) -> UInt64 {
        try expect(type, .varint)
        return try varint()
    }

    mutating func int64(_ type: WireType) throws(SyftError) -> Int64 { Int64(bitPattern: try uint64(type)) }

    mutating func double(_ type: WireType) throws(SyftError) -> Double {
        try expect(type, .fixed64)
        return Double(bitPattern: try fixed64())
    }

    /// Appends a repeated varint field's values, packed or not.
    mutating func repeatedVarint(
        _ type: WireType, into out: inout [UInt64], limit: Int = 1 << 24
    ) throws(SyftError) {
        if type == .varint {
            out.append(try varint())
        } else {
            try expect(type, .lengthDelimited)
            var inner = try nested(depth: 0)
            while !inner.isAtEnd { out.append(try inner.varint()) }
        }
        guard out.count <= limit else {
            throw .invalidMessage(reason: "a repeated field with more than \(limit) values")
        }
    }

    /// Skips a field of `type`.
    mutating func skip(_ type: WireType) throws(SyftError) {
        switch type {
        case .varint: _ = try varint()
        case .fixed64:
            guard end - position >= 8 else { throw .invalidMessage(reason: "truncated fixed64") }
            position += 8
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32:
            guard end - position >= 4 else { throw .invalidMessage(reason: "truncated fixed32") }
            position += 4
        }
    }

    func expect(_ type: WireType, _ wanted: WireType) throws(SyftError) {
        guard type == wanted else {
            throw .invalidMessage(
                reason: "a field has wire type \(type.rawValue), expected \(wanted.rawValue)")
        }
    }
}
