import SyftCore
import SyftNN

// Decoding requests and replies from the protobuf of Protos/syft/v1 (Note [A hand-written protobuf
// codec], Note [Decoding never trusts its input]). Unknown fields are skipped, as protobuf requires;
// anything malformed, out of range or too large is an `invalidMessage` (or `resourceExhausted`) error.

struct WireDecoder {
    let limits: WorkerLimits
    /// Where chunked tensors are allocated, to be filled by the chunks after the message; nil: none may be.
    var chunks: ChunkedTensorSink? = nil
    /// Whether this decodes a plan's requests (which may not hold another plan).
    var insidePlan = false

    // MARK: Tensors and pointers

    func tensorData(_ r: inout ProtoReader, depth: Int = 0) throws(SyftError) -> TensorPayload {
        var shape: [UInt64] = []
        var dtype = 0
        var data: UnsafeRawBufferPointer?
        var requiresGrad = false
        var gradReader: ProtoReader?
        var wrapped = false
        var chunked = false
        while let (field, type) = try r.field() {
            switch field {
            case 1: try r.repeatedVarint(type, into: &shape, limit: 32)
            case 2: dtype = Int(clamping: try r.uint64(type))
            case 3:
                try r.expect(type, .lengthDelimited)
                data = try r.bytes()
            case 4: requiresGrad = try r.bool(type)
            case 5:
                try r.expect(type, .lengthDelimited)
                gradReader = try r.nested(depth: depth + 1)
            case 6: wrapped = try r.bool(type)
            case 7: chunked = try r.bool(type)
            default: try r.skip(type)
            }
        }
        let s = try Self.shape(shape)
        let dt = try Self.dtype(dtype)
        guard let count = checkedCount(s) else {
            throw .invalidMessage(reason: "tensor shape \(s) has too many elements")
        }
        let byteCount = count * dt.byteSize
        guard byteCount <= limits.maxTensorBytes else {
            throw .resourceExhausted(
                worker: "",
                reason: "a tensor of \(byteCount) bytes exceeds the limit of \(limits.maxTensorBytes) bytes")
        }
        if requiresGrad && !dt.isFloatingPoint {
            throw .invalidMessage(reason: "a \(dt.rawValue) tensor cannot require grad")
        }
        // The tensor first, then its gradient: chunked data follows in that order.
        var t: Tensor
        if chunked {
            guard let chunks else {
                throw .invalidMessage(reason: "chunked tensor data where no chunks can follow")
            }
            guard data == nil || data!.isEmpty else {
                throw .invalidMessage(reason: "a chunked tensor also carries data")
            }
            t = try chunks.allocate(shape: s, dtype: dt)
        } else {
            let raw = data ?? UnsafeRawBufferPointer(start: nil, count: 0)
            guard raw.count == byteCount else {
                throw .invalidMessage(
                    reason:
                        "tensor data has \(raw.count) bytes; shape \(s) of \(dt.rawValue) needs \(byteCount)")
            }
            t = Tensor(shape: s, dtype: dt, bytes: raw)
        }
        var grad: Tensor?
        if var g = gradReader {
            guard depth == 0 else { throw .invalidMessage(reason: "a gradient cannot carry a gradient") }
            let payload = try tensorData(&g, depth: 1)
            guard payload.tensor.shape == s, payload.tensor.dtype == dt else {
                throw .invalidMessage(reason: "the gradient's shape or dtype differs from its tensor's")
            }
            grad = payload.tensor
        }
        if wrapped {
            guard s.isEmpty else {
                throw .invalidMessage(reason: "a wrapped number must be 0-d, got shape \(s)")
            }
            t = t.asWrappedNumber()
        }
        return TensorPayload(tensor: t, requiresGrad: requiresGrad, grad: grad)
    }

    func pointerData(_ r: inout ProtoReader) throws(SyftError) -> PointerPayload {
        var location = ""
        var id: ObjectID = 0
        var shape: [UInt64] = []
        var dtype = 0
        var requiresGrad = false
        var address: WorkerAddress?
        while let (field, type) = try r.field() {
            switch field {
            case 1: location = try r.string()
            case 2: id = try r.uint64(type)
            case 3: try r.repeatedVarint(type, into: &shape, limit: 32)
            case 4: dtype = Int(clamping: try r.uint64(type))
            case 5: requiresGrad = try r.bool(type)
            case 6:
                try r.expect(type, .lengthDelimited)
                var a = try r.nested(depth: 2)
                address = try workerAddress(&a)
            default: try r.skip(type)
            }
        }
        return PointerPayload(
            location: location, idAtLocation: id,
            meta: TensorMeta(shape: try Self.shape(shape), dtype: try Self.dtype(dtype)),
            requiresGrad: requiresGrad, address: address)
    }

    func workerAddress(_ r: inout ProtoReader) throws(SyftError) -> WorkerAddress {
        var host = ""
        var port: UInt64 = 0
        var tls = false
        var token = ""
        var client = ""
        while let (field, type) = try r.field() {
            switch field {
            case 1: host = try r.string()
            case 2: port = try r.uint64(type)
            case 3: tls = try r.bool(type)
            case 4: token = try r.string()
            case 5: client = try r.string()
            default: try r.skip(type)
            }
        }
        guard !host.isEmpty, port > 0, port < 65536 else {
            throw .invalidMessage(reason: "invalid worker address \(host):\(port)")
        }
        return WorkerAddress(host: host, port: Int(port), usesTLS: tls, token: token, clientID: client)
    }

    func objectMessage(_ r: inout ProtoReader) throws(SyftError) -> (ObjectID, ObjectValue, [String], String)
    {
        var id: ObjectID = 0
        var value: ObjectValue?
        var tags: [String] = []
        var description = ""
        while let (field, type) = try r.field() {
            switch field {
            case 1: id = try r.uint64(type)
            case 2:
                try r.expect(type, .lengthDelimited)
                var n = try r.nested(depth: 1)
                value = .tensor(try tensorData(&n))
            case 3:
                try r.expect(type, .lengthDelimited)
                var n = try r.nested(depth: 1)
                value = .pointer(try pointerData(&n))
            case 4:
                tags.append(try r.string())
                guard tags.count <= 256 else { throw .invalidMessage(reason: "more than 256 tags") }
            case 5: description = try r.string()
            default: try r.skip(type)
            }
        }
        guard let value else {
            throw .invalidMessage(reason: "object \(id) carries neither a tensor nor a pointer")
        }
        return (id, value, tags, description)
    }

    func operand(_ r: inout ProtoReader) throws(SyftError) -> Operand {
        var result: Operand?
        while let (field, type) = try r.field() {
            switch field {
            case 1: result = .object(try r.uint64(type))
            case 2:
                try r.expect(type, .lengthDelimited)
                var n = try r.nested(depth: 2)
                result = .value(try tensorData(&n).tensor)
            default: try r.skip(type)
            }
        }
        guard let result else {
            throw .invalidMessage(reason: "an operand with neither an object id nor a value")
        }
        return result
    }

    // MARK: Attributes

    func attributeEntry(_ r: inout ProtoReader) throws(SyftError) -> (String, AttrValue) {
        var key = ""
        var value: AttrValue?
        while let (field, type) = try r.field() {
            switch field {
            case 1: key = try r.string()
            case 2:
                try r.expect(type, .lengthDelimited)
                var v = try r.nested(depth: 3)
                while let (f, t) = try v.field() {
                    switch f {
                    case 1: value = .int(Int(truncatingIfNeeded: try v.int64(t)))
                    case 2: value = .float(try v.double(t))
                    case 3: value = .bool(try v.bool(t))
                    case 4: value = .string(try v.string())
                    case 5:
                        try v.expect(t, .lengthDelimited)
                        var list = try v.nested(depth: 4)
                        var raw: [UInt64] = []
                        while let (lf, lt) = try list.field() {
                            if lf == 1 {
                                try list.repeatedVarint(lt, into: &raw, limit: 64)
                            } else {
                                try list.skip(lt)
                            }
                        }
                        value = .ints(raw.map { Int(truncatingIfNeeded: Int64(bitPattern: $0)) })
                    case 6: value = try v.bool(t) ? AttrValue.none : value
                    default: try v.skip(t)
                    }
                }
            default: try r.skip(type)
            }
        }
        return (key, value ?? .none)
    }

    // MARK: Requests

    func request(_ r: inout ProtoReader) throws(SyftError) -> Request {
        var result: Request?
        while let (field, type) = try r.field() {
            guard field <= 16 else {
                try r.skip(type)
                continue
            }
            try r.expect(type, .lengthDelimited)
            var m = try r.nested(depth: 1)
            switch field {
            case 1:
                let (id, value, tags, description) = try objectMessage(&m)
                result = .object(id: id, value: value, tags: tags, description: description)
            case 2: result = try command(&m)
            case 3: result = .get(id: try singleID(&m))
            case 4: result = .delete(ids: try ids(&m, field: 1))
            case 5:
                var id: ObjectID = 0
                var gradient: Operand?
                var retain = false
                var pipelined = false
                while let (f, t) = try m.field() {
                    switch f {
                    case 1: id = try m.uint64(t)
                    case 2:
                        try m.expect(t, .lengthDelimited)
                        var o = try m.nested(depth: 2)
                        gradient = try operand(&o)
                    case 3: retain = try m.bool(t)
                    case 4: pipelined = try m.bool(t)
                    default: try m.skip(t)
                    }
                }
                result = .backward(id: id, gradient: gradient, retainGraph: retain, wait: !pipelined)
            case 6:
                var a: [UInt64] = []
                var b: [UInt64] = []
                while let (f, t) = try m.field() {
                    switch f {
                    case 1: try m.repeatedVarint(t, into: &a, limit: 1 << 16)
                    case 2: try m.repeatedVarint(t, into: &b, limit: 1 << 16)
                    default: try m.skip(t)
                    }
                }
                result = .gradients(ids: a, results: b)
            case 7:
                var id: ObjectID = 0
                var flag = false
                while let (f, t) = try m.field() {
                    switch f {
                    case 1: id = try m.uint64(t)
                    case 2: flag = try m.bool(t)
                    default: try m.skip(t)
                    }
                }
                result = .setRequiresGrad(id: id, flag: flag)
            case 8: result = .zeroGrad(ids: try ids(&m, field: 1))
            case 9:
                var id: ObjectID = 0
                var res: ObjectID = 0
                while let (f, t) = try m.field() {
                    switch f {
                    case 1: id = try m.uint64(t)
                    case 2: res = try m.uint64(t)
                    default: try m.skip(t)
                    }
                }
                result = .detach(id: id, result: res)
            case 10:
                var query: [String] = []
                while let (f, t) = try m.field() {
                    if f == 1 { query.append(try m.string()) } else { try m.skip(t) }
                    guard query.count <= 64 else {
                        throw .invalidMessage(reason: "a search with more than 64 terms")
                    }
                }
                result = .search(query: query)
            case 11: result = .listObjects
            case 12: result = .synchronize
            case 13: result = .remoteGet(id: try singleID(&m))
            case 14: result = try update(&m)
            case 15:
                // Checked before decoding it: a plan nested in a plan would recurse without bound.
                guard !insidePlan else { throw .invalidMessage(reason: "a plan inside a plan") }
                result = try definePlan(&m)
            default: result = try runPlan(&m)
            }
        }
        guard let result else { throw .invalidMessage(reason: "a request with no body") }
        return result
    }

    func command(_ m: inout ProtoReader) throws(SyftError) -> Request {
        var name = ""
        var attrs: WireAttrs = [:]
        var operands: [Operand] = []
        operands.reserveCapacity(2)  // most operations take one or two
        var results: [UInt64] = []
        var inPlace = false
        var gradEnabled = false
        while let (f, t) = try m.field() {
            switch f {
            case 1: name = try m.string()
            case 2: try attribute(&m, t, into: &attrs, of: name)
            case 3:
                try m.expect(t, .lengthDelimited)
                var o = try m.nested(depth: 2)
                operands.append(try operand(&o))
                guard operands.count <= 4096 else {
                    throw .invalidMessage(reason: "\(name.prefix(64)): too many operands")
                }
            case 4: try m.repeatedVarint(t, into: &results, limit: 16)
            case 5: inPlace = try m.bool(t)
            case 6: gradEnabled = try m.bool(t)
            default: try m.skip(t)
            }
        }
        let op = try Op(wireName: name, attrs: attrs)
        return .command(
            op: op, operands: operands, results: results, inPlace: inPlace, gradEnabled: gradEnabled)
    }

    /// A plan's definition; its requests decode as a batch's do, with tensors inline and no plan inside.
    func definePlan(_ m: inout ProtoReader) throws(SyftError) -> Request {
        var id: ObjectID = 0
        var inputs: [UInt64] = []
        var outputs: [UInt64] = []
        var requests: [Request] = []
        var inner = WireDecoder(limits: limits, chunks: nil)
        inner.insidePlan = true
        while let (f, t) = try m.field() {
            switch f {
            case 1: id = try m.uint64(t)
            case 2: try m.repeatedVarint(t, into: &inputs, limit: 1 << 12)
            case 3: try m.repeatedVarint(t, into: &outputs, limit: 1 << 12)
            case 4:
                try m.expect(t, .lengthDelimited)
                var r = try m.nested(depth: 2)
                requests.append(try inner.request(&r))
                guard requests.count <= Executor.maxPlanRequests else {
                    throw .invalidMessage(reason: "a plan of more than \(Executor.maxPlanRequests) requests")
                }
            default: try m.skip(t)
            }
        }
        return .definePlan(id: id, inputs: inputs, outputs: outputs, requests: requests)
    }

    func runPlan(_ m: inout ProtoReader) throws(SyftError) -> Request {
        var id: ObjectID = 0
        var arguments: [UInt64] = []
        var results: [UInt64] = []
        var batchSize: Int64 = 0
        while let (f, t) = try m.field() {
            switch f {
            case 1: id = try m.uint64(t)
            case 2: try m.repeatedVarint(t, into: &arguments, limit: 1 << 12)
            case 3: try m.repeatedVarint(t, into: &results, limit: 1 << 12)
            case 4: batchSize = try m.int64(t)
            default: try m.skip(t)
            }
        }
        guard batchSize >= 0, batchSize <= Int64(Int32.max) else {
            throw .invalidMessage(reason: "run_plan: batch size \(batchSize)")
        }
        return .runPlan(id: id, arguments: arguments, results: results, batchSize: Int(batchSize))
    }

    func update(_ m: inout ProtoReader) throws(SyftError) -> Request {
        var name = ""
        var attrs: WireAttrs = [:]
        var params: [UInt64] = []
        var state: [UInt64] = []
        while let (f, t) = try m.field() {
            switch f {
            case 1: name = try m.string()
            case 2: try attribute(&m, t, into: &attrs, of: name)
            case 3: try m.repeatedVarint(t, into: &params, limit: 1 << 16)
            case 4: try m.repeatedVarint(t, into: &state, limit: 1 << 18)
            default: try m.skip(t)
            }
        }
        return .update(rule: try ParameterUpdate(wireName: name, attrs: attrs), params: params, state: state)
    }

    /// One entry of an operation's or an optimizer rule's attribute map, at most 32 of them.
    private func attribute(
        _ m: inout ProtoReader, _ t: WireType, into attrs: inout WireAttrs, of name: String
    ) throws(SyftError) {
        try m.expect(t, .lengthDelimited)
        var e = try m.nested(depth: 2)
        let (k, v) = try attributeEntry(&e)
        attrs[k] = v
        guard attrs.count <= 32 else {
            throw .invalidMessage(reason: "\(name.prefix(64)): too many attributes")
        }
    }

    func singleID(_ m: inout ProtoReader) throws(SyftError) -> ObjectID {
        var id: ObjectID = 0
        while let (f, t) = try m.field() {
            if f == 1 { id = try m.uint64(t) } else { try m.skip(t) }
        }
        return id
    }

    func ids(_ m: inout ProtoReader, field: Int) throws(SyftError) -> [ObjectID] {
        var out: [UInt64] = []
        while let (f, t) = try m.field() {
            if f == field { try m.repeatedVarint(t, into: &out, limit: 1 << 20) } else { try m.skip(t) }
        }
        return out
    }

    // MARK: Scalars

    static func shape(_ s: [UInt64]) throws(SyftError) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(s.count)
        for d in s {
            let v = Int64(bitPattern: d)
            guard v >= 0, v < (1 << 40) else {
                throw .invalidMessage(reason: "invalid dimension \(v) in a shape")
            }
            out.append(Int(v))
        }
        return out
    }

    static func dtype(_ code: Int) throws(SyftError) -> DType {
        switch code {
        case 1: return .float32
        case 2: return .float64
        case 3: return .int64
        case 4: return .bool
        default: throw .invalidMessage(reason: "unknown dtype \(code)")
        }
    }
}

extension WireDecoder {
    // MARK: Replies

    func reply(_ r: inout ProtoReader) throws(SyftError) -> Reply {
        var result: Reply?
        while let (field, type) = try r.field() {
            switch field {
            case 1:
                _ = try r.bool(type)
                result = .ok
            case 2:
                try r.expect(type, .lengthDelimited)
                var m = try r.nested(depth: 1)
                result = .object(try objectMessage(&m).1)
            case 3:
                try r.expect(type, .lengthDelimited)
                var m = try r.nested(depth: 1)
                var raw: [UInt64] = []
                while let (f, t) = try m.field() {
                    if f == 1 { try m.repeatedVarint(t, into: &raw, limit: 1 << 16) } else { try m.skip(t) }
                }
                result = .present(raw.map { $0 != 0 })
            case 4:
                try r.expect(type, .lengthDelimited)
                var m = try r.nested(depth: 1)
                var infos: [ObjectInfo] = []
                while let (f, t) = try m.field() {
                    guard f == 1 else {
                        try m.skip(t)
                        continue
                    }
                    try m.expect(t, .lengthDelimited)
                    var i = try m.nested(depth: 2)
                    infos.append(try objectInfo(&i))
                }
                result = .objects(infos)
            case 5:
                try r.expect(type, .lengthDelimited)
                var m = try r.nested(depth: 1)
                result = try failure(&m)
            default: try r.skip(type)
            }
        }
        guard let result else { throw .invalidMessage(reason: "a reply with no body") }
        return result
    }

    func objectInfo(_ i: inout ProtoReader) throws(SyftError) -> ObjectInfo {
        var id: ObjectID = 0
        var shape: [UInt64] = []
        var dtype = 0
        var requiresGrad = false
        var pointsTo = ""
        var tags: [String] = []
        var description = ""
        while let (f, t) = try i.field() {
            switch f {
            case 1: id = try i.uint64(t)
            case 2: try i.repeatedVarint(t, into: &shape, limit: 32)
            case 3: dtype = Int(clamping: try i.uint64(t))
            case 4: requiresGrad = try i.bool(t)
            case 5: pointsTo = try i.string()
            case 6: tags.append(try i.string())
            case 7: description = try i.string()
            default: try i.skip(t)
            }
        }
        return ObjectInfo(
            id: id, meta: TensorMeta(shape: try Self.shape(shape), dtype: try Self.dtype(dtype)),
            requiresGrad: requiresGrad,
            pointsTo: pointsTo.isEmpty ? nil : pointsTo, tags: tags, description: description)
    }

    func failure(_ m: inout ProtoReader) throws(SyftError) -> Reply {
        var code: Int64 = 0
        var message = ""
        var fields: [String] = []
        var id: ObjectID = 0
        var sequence: Int64 = 0
        while let (f, t) = try m.field() {
            switch f {
            case 1: code = try m.int64(t)
            case 2: message = try m.string()
            case 3: fields.append(try m.string())
            case 4: id = try m.uint64(t)
            case 5: sequence = try m.int64(t)
            default: try m.skip(t)
            }
        }
        return .failure(
            sequence: Int(clamping: sequence),
            error: syftError(code: code, message: message, fields: fields, id: id))
    }

    /// The typed error an error reply carries (an unknown code keeps its message).
    func syftError(code: Int64, message: String, fields f: [String], id: ObjectID) -> SyftError {
        func field(_ i: Int) -> String { i < f.count ? f[i] : "" }
        switch code {
        case 1: return .objectNotFound(id: id, worker: field(0))
        case 2: return .alreadyFetched(id: id, worker: field(0))
        case 3: return .notCollocated(first: field(0), second: field(1), op: field(2))
        case 4: return .invalidCommand(op: field(0), reason: field(1))
        case 5: return .invalidMessage(reason: field(0))
        case 6: return .permissionDenied(id: id, worker: field(0), reason: field(1))
        case 7: return .unauthenticated(reason: field(0))
        case 8: return .workerUnreachable(worker: field(0), reason: field(1))
        case 9: return .resourceExhausted(worker: field(0), reason: field(1))
        case 10: return .computationFailed(op: field(0), reason: field(1))
        case 11: return .notAPointer(operation: field(0))
        case 12: return .unknownWorker(id: field(0))
        default: return .invalidMessage(reason: message)
        }
    }
}
