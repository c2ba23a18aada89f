import SyftCore

// Encoding requests and replies as the protobuf of Protos/syft/v1/messages.proto (Note [A hand-written
// protobuf codec]). Field numbers are those of the .proto files.

extension ProtoWriter {
    // MARK: Tensors and pointers (tensor.proto)

    mutating func tensorData(_ field: Int, _ p: TensorPayload) {
        message(field) { w in w.tensorBody(p.tensor, requiresGrad: p.requiresGrad, grad: p.grad) }
    }

    mutating func tensorBody(_ t: Tensor, requiresGrad: Bool, grad: Tensor?) {
        packed(1, t.shape) { UInt64(bitPattern: Int64($0)) }
        uint64(2, UInt64(wireDType(t.dtype)))
        // Note [Chunked tensor data]: a large tensor's bytes follow the message; the tensor before its
        // gradient.
        let chunked = chunks?.takes(t) ?? false
        if !chunked {
            t.withUnsafeBytes { raw in
                guard !raw.isEmpty else { return }
                tag(3, .lengthDelimited)
                varint(UInt64(raw.count))
                bytes.append(contentsOf: raw)
            }
        }
        bool(4, requiresGrad)
        if let grad { message(5) { w in w.tensorBody(grad, requiresGrad: false, grad: nil) } }
        bool(6, t.isWrappedNumber)
        bool(7, chunked)
    }

    mutating func pointerData(_ field: Int, _ p: PointerPayload) {
        message(field) { w in
            w.string(1, p.location)
            w.uint64(2, p.idAtLocation)
            w.packed(3, p.meta.shape) { UInt64(bitPattern: Int64($0)) }
            w.uint64(4, UInt64(wireDType(p.meta.dtype)))
            w.bool(5, p.requiresGrad)
            if let a = p.address {
                w.message(6) { m in
                    m.string(1, a.host)
                    m.uint64(2, UInt64(a.port))
                    m.bool(3, a.usesTLS)
                    m.string(4, a.token)
                    m.string(5, a.clientID)
                }
            }
        }
    }

    mutating func objectMessage(
        _ field: Int, id: ObjectID, value: ObjectValue, tags: [String], description: String
    ) {
        message(field) { w in
            w.uint64(1, id)
            switch value {
            case .tensor(let p): w.tensorData(2, p)
            case .pointer(let p): w.pointerData(3, p)
            }
            for t in tags { w.forcedString(4, t) }
            w.string(5, description)
        }
    }

    mutating func operand(_ field: Int, _ o: Operand) {
        message(field) { w in
            switch o {
            case .object(let id):
                w.tag(1, .varint)
                w.varint(id)
            case .value(let t): w.tensorData(2, TensorPayload(tensor: t, requiresGrad: false))
            }
        }
    }

    /// A string written even when empty (repeated and oneof strings).
    mutating func forcedString(_ field: Int, _ s: String) {
        if s.isEmpty {
            tag(field, .lengthDelimited)
            varint(0)
        } else {
            string(field, s)
        }
    }

    // MARK: Attributes

    mutating func attribute(_ key: String, _ value: AttrValue) {
        message(2) { entry in
            entry.string(1, key)
            entry.message(2) { w in
                switch value {
                case .int(let i):
                    w.tag(1, .varint)
                    w.varint(UInt64(bitPattern: Int64(i)))
                case .float(let d):
                    w.tag(2, .fixed64)
                    withUnsafeBytes(of: d.bitPattern.littleEndian) { w.bytes.append(contentsOf: $0) }
                case .bool(let b):
                    w.tag(3, .varint)
                    w.varint(b ? 1 : 0)
                case .string(let s): w.forcedString(4, s)
                case .ints(let list):
                    w.message(5) { l in l.packed(1, list) { UInt64(bitPattern: Int64($0)) } }
                case .none:
                    w.tag(6, .varint)
                    w.varint(1)
                }
            }
        }
    }

    // MARK: Requests

    mutating func request(_ r: Request) {
        switch r {
        case .object(let id, let value, let tags, let description):
            objectMessage(1, id: id, value: value, tags: tags, description: description)
        case .command(let op, let operands, let results, let inPlace, let gradEnabled):
            message(2) { w in
                w.string(1, op.name)
                for (k, v) in op.attributes { w.attribute(k, v) }
                for o in operands { w.operand(3, o) }
                w.packed(4, results) { $0 }
                w.bool(5, inPlace)
                w.bool(6, gradEnabled)
            }
        case .get(let id): message(3) { $0.uint64(1, id) }
        case .delete(let ids): message(4) { $0.packed(1, ids) { $0 } }
        case .backward(let id, let gradient, let retain, let wait):
            message(5) { w in
                w.uint64(1, id)
                if let gradient { w.operand(2, gradient) }
                w.bool(3, retain)
                w.bool(4, !wait)
            }
        case .gradients(let ids, let results):
            message(6) { w in
                w.packed(1, ids) { $0 }
                w.packed(2, results) { $0 }
            }
        case .setRequiresGrad(let id, let flag):
            message(7) { w in
                w.uint64(1, id)
                w.bool(2, flag)
            }
        case .zeroGrad(let ids): message(8) { $0.packed(1, ids) { $0 } }
        case .detach(let id, let result):
            message(9) { w in
                w.uint64(1, id)
                w.uint64(2, result)
            }
        case .search(let query): message(10) { w in for q in query { w.forcedString(1, q) } }
        case .listObjects: message(11) { _ in }
        case .synchronize: message(12) { _ in }
        case .remoteGet(let id): message(13) { $0.uint64(1, id) }
        case .update(let rule, let params, let state):
            message(14) { w in
                w.string(1, rule.name)
                for (k, v) in rule.attributes { w.attribute(k, v) }
                w.packed(3, params) { $0 }
                w.packed(4, state) { $0 }
            }
        case .definePlan(let id, let inputs, let outputs, let requests):
            plan(id: id, inputs: inputs, outputs: outputs, requests: requests)
        case .runPlan(let id, let arguments, let results, let batchSize):
            runPlan(id: id, arguments: arguments, results: results, batchSize: batchSize)
        }
    }

    /// A `RunPlanMessage` (field 16).
    @inline(never)
    mutating func runPlan(id: ObjectID, arguments: [ObjectID], results: [ObjectID], batchSize: Int) {
        message(16) { w in
            w.uint64(1, id)
            w.packed(2, arguments) { $0 }
            w.packed(3, results) { $0 }
            w.int64(4, Int64(batchSize))
        }
    }

    /// A `DefinePlanMessage` (field 15), its requests nested. The plan messages are kept out of
    /// `request(_:)`, which runs for every request of every batch: inline there (and calling itself), they
    /// made it slower for all requests (encoding 512 commands: 68 µs instead of 57).
    @inline(never)
    mutating func plan(id: ObjectID, inputs: [ObjectID], outputs: [ObjectID], requests: [Request]) {
        message(15) { w in
            w.uint64(1, id)
            w.packed(2, inputs) { $0 }
            w.packed(3, outputs) { $0 }
            // A plan's tensors travel inline: a plan is kept whole, not streamed.
            let chunks = w.chunks
            w.chunks = nil
            for r in requests { w.message(4) { $0.request(r) } }
            w.chunks = chunks
        }
    }

    // MARK: Replies

    mutating func reply(_ r: Reply) {
        switch r {
        case .ok:
            tag(1, .varint)
            varint(1)
        case .object(let value): objectMessage(2, id: 0, value: value, tags: [], description: "")
        case .present(let present): message(3) { $0.packed(1, present) { $0 ? 1 : 0 } }
        case .objects(let infos):
            message(4) { w in
                for i in infos {
                    w.message(1) { m in
                        m.uint64(1, i.id)
                        m.packed(2, i.meta.shape) { UInt64(bitPattern: Int64($0)) }
                        m.uint64(3, UInt64(wireDType(i.meta.dtype)))
                        m.bool(4, i.requiresGrad)
                        m.string(5, i.pointsTo ?? "")
                        for t in i.tags { m.forcedString(6, t) }
                        m.string(7, i.description)
                    }
                }
            }
        case .failure(let sequence, let error):
            message(5) { w in
                let (id, fields) = errorFields(error)
                w.int64(1, Int64(error.code))
                w.string(2, error.description)
                for f in fields { w.forcedString(3, f) }
                w.uint64(4, id)
                w.int64(5, Int64(sequence))
            }
        }
    }
}

/// The dtype's number in tensor.proto's `DType`.
func wireDType(_ d: DType) -> Int {
    switch d {
    case .float32: return 1
    case .float64: return 2
    case .int64: return 3
    case .bool: return 4
    }
}

/// An error's id and string fields, as ErrorReply carries them.
func errorFields(_ e: SyftError) -> (ObjectID, [String]) {
    switch e {
    case .objectNotFound(let id, let w), .alreadyFetched(let id, let w): return (id, [w])
    case .notCollocated(let a, let b, let op): return (0, [a, b, op])
    case .invalidCommand(let op, let r), .computationFailed(let op, let r): return (0, [op, r])
    case .invalidMessage(let r), .unauthenticated(let r): return (0, [r])
    case .permissionDenied(let id, let w, let r): return (id, [w, r])
    case .workerUnreachable(let w, let r), .resourceExhausted(let w, let r): return (0, [w, r])
    case .notAPointer(let op): return (0, [op])
    case .unknownWorker(let id): return (0, [id])
    }
}
