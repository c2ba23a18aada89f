import Foundation
import SwiftProtobuf
import SyftCore

// Note [Decoding never trusts its input]
// Every field of a decoded message is checked before it becomes a request: known operation names and
// attribute types (Op+Wire.swift), dtypes, non-negative shapes whose element count does not overflow,
// data lengths that match shape and dtype exactly, and tensor sizes within the worker's limit, checked
// from the declared shape before a tensor is allocated. A malformed message is an error reply.

/// Converts requests and replies to and from their protobuf wire form (Protos/syft/v1).
public enum WireCodec {
    // MARK: Requests

    /// The wire bytes of a batch of requests.
    public static func encode(_ requests: [Request]) -> [UInt8] {
        let batch = Syft_V1_RequestBatch.with { $0.requests = requests.map { wire($0, nil) } }
        return (try? batch.serializedBytes()) ?? []
    }

    /// The requests of a batch in wire form.
    /// - Throws: `SyftError.invalidMessage` (or `.resourceExhausted`) naming what is wrong.
    public static func decodeRequests(_ bytes: [UInt8], limits: WorkerLimits) throws(SyftError) -> [Request] {
        guard bytes.count <= limits.maxMessageBytes else {
            throw .resourceExhausted(worker: "", reason: "a message of \(bytes.count) bytes exceeds the limit of \(limits.maxMessageBytes)")
        }
        let batch: Syft_V1_RequestBatch
        do {
            batch = try Syft_V1_RequestBatch(serializedBytes: bytes)
        } catch {
            throw .invalidMessage(reason: "the bytes are not a request batch (\(error))")
        }
        var out: [Request] = []
        for r in batch.requests { out.append(try request(r, limits: limits, nil)) }
        return out
    }

    static func wire(_ r: Request, _ chunks: ChunkedTensorSource?) -> Syft_V1_Request {
        Syft_V1_Request.with { m in
            switch r {
            case .object(let id, let value, let tags, let description):
                m.object = objectMessage(id, value, tags: tags, description: description, chunks)
            case .command(let op, let operands, let results, let inPlace, let gradEnabled):
                m.command = .with {
                    $0.op = op.name
                    $0.attrs = op.wireAttributes
                    $0.operands = operands.map { wire($0, chunks) }
                    $0.results = results
                    $0.inPlace = inPlace
                    $0.gradEnabled = gradEnabled
                }
            case .get(let id): m.get = .with { $0.id = id }
            case .delete(let ids): m.delete = .with { $0.ids = ids }
            case .backward(let id, let g, let retain):
                m.backward = .with {
                    $0.id = id
                    if let g { $0.gradient = wire(g, chunks) }
                    $0.retainGraph = retain
                }
            case .gradients(let ids, let results): m.gradients = .with { $0.ids = ids; $0.results = results }
            case .setRequiresGrad(let id, let flag): m.setRequiresGrad = .with { $0.id = id; $0.requiresGrad = flag }
            case .zeroGrad(let ids): m.zeroGrad = .with { $0.ids = ids }
            case .detach(let id, let result): m.detach = .with { $0.id = id; $0.result = result }
            case .search(let q): m.search = .with { $0.query = q }
            case .listObjects: m.listObjects = .init()
            case .synchronize: m.synchronize = .init()
            case .remoteGet(let id): m.remoteGet = .with { $0.id = id }
            }
        }
    }

    static func request(_ m: Syft_V1_Request, limits: WorkerLimits, _ chunks: ChunkedTensorSink?) throws(SyftError) -> Request {
        switch m.body {
        case .object(let o)?:
            let (id, value, tags, description) = try object(o, limits: limits, chunks)
            return .object(id: id, value: value, tags: tags, description: description)
        case .command(let c)?:
            let op = try Op(wireName: c.op, attrs: c.attrs)
            var operands: [Operand] = []
            for o in c.operands { operands.append(try operand(o, limits: limits, chunks)) }
            guard c.results.count <= 16 else { throw .invalidMessage(reason: "\(c.op): too many result ids") }
            return .command(op: op, operands: operands, results: c.results, inPlace: c.inPlace, gradEnabled: c.gradEnabled)
        case .get(let g)?: return .get(id: g.id)
        case .delete(let d)?: return .delete(ids: d.ids)
        case .backward(let b)?:
            return .backward(
                id: b.id, gradient: b.hasGradient ? try operand(b.gradient, limits: limits, chunks) : nil, retainGraph: b.retainGraph)
        case .gradients(let g)?: return .gradients(ids: g.ids, results: g.results)
        case .setRequiresGrad(let s)?: return .setRequiresGrad(id: s.id, flag: s.requiresGrad)
        case .zeroGrad(let z)?: return .zeroGrad(ids: z.ids)
        case .detach(let d)?: return .detach(id: d.id, result: d.result)
        case .search(let s)?: return .search(query: s.query)
        case .listObjects?: return .listObjects
        case .synchronize?: return .synchronize
        case .remoteGet(let r)?: return .remoteGet(id: r.id)
        case nil: throw .invalidMessage(reason: "a request with no body")
        }
    }

    static func wire(_ o: Operand, _ chunks: ChunkedTensorSource?) -> Syft_V1_Operand {
        .with {
            switch o {
            case .object(let id): $0.objectID = id
            case .value(let t): $0.value = tensorData(TensorPayload(tensor: t, requiresGrad: false), chunks)
            }
        }
    }

    static func operand(_ m: Syft_V1_Operand, limits: WorkerLimits, _ chunks: ChunkedTensorSink?) throws(SyftError) -> Operand {
        switch m.kind {
        case .objectID(let id)?: return .object(id)
        case .value(let d)?: return .value(try tensor(d, limits: limits, chunks).tensor)
        case nil: throw .invalidMessage(reason: "an operand with neither an object id nor a value")
        }
    }

    // MARK: Objects and tensors

    static func objectMessage(
        _ id: ObjectID, _ value: ObjectValue, tags: [String], description: String, _ chunks: ChunkedTensorSource?
    ) -> Syft_V1_ObjectMessage {
        .with {
            $0.id = id
            $0.tags = tags
            $0.description_p = description
            switch value {
            case .tensor(let p): $0.tensor = tensorData(p, chunks)
            case .pointer(let p):
                $0.pointer = .with {
                    $0.location = p.location
                    $0.idAtLocation = p.idAtLocation
                    $0.shape = p.meta.shape.map(Int64.init)
                    $0.dtype = wire(p.meta.dtype)
                    $0.requiresGrad = p.requiresGrad
                    if let a = p.address { $0.address = wire(a) }
                }
            }
        }
    }

    static func object(
        _ m: Syft_V1_ObjectMessage, limits: WorkerLimits, _ chunks: ChunkedTensorSink?
    ) throws(SyftError) -> (ObjectID, ObjectValue, [String], String) {
        switch m.value {
        case .tensor(let d)?: return (m.id, .tensor(try tensor(d, limits: limits, chunks)), m.tags, m.description_p)
        case .pointer(let p)?:
            let meta = TensorMeta(shape: try shape(p.shape), dtype: try dtype(p.dtype))
            let pointer = PointerPayload(
                location: p.location, idAtLocation: p.idAtLocation, meta: meta, requiresGrad: p.requiresGrad,
                address: p.hasAddress ? try address(p.address) : nil)
            return (m.id, .pointer(pointer), m.tags, m.description_p)
        case nil: throw .invalidMessage(reason: "object \(m.id) carries neither a tensor nor a pointer")
        }
    }

    static func tensorData(_ p: TensorPayload, _ chunks: ChunkedTensorSource?) -> Syft_V1_TensorData {
        .with {
            $0.shape = p.tensor.shape.map(Int64.init)
            $0.dtype = wire(p.tensor.dtype)
            if chunks?.takes(p.tensor) == true {
                $0.chunked = true
            } else {
                $0.data = rawBytes(p.tensor)
            }
            $0.requiresGrad = p.requiresGrad
            $0.wrappedNumber = p.tensor.isWrappedNumber
            if let g = p.grad { $0.grad = tensorData(TensorPayload(tensor: g, requiresGrad: false), chunks) }
        }
    }

    static func tensor(
        _ d: Syft_V1_TensorData, limits: WorkerLimits, _ chunks: ChunkedTensorSink?, depth: Int = 0
    ) throws(SyftError) -> TensorPayload {
        let s = try shape(d.shape)
        let dt = try dtype(d.dtype)
        guard let count = checkedCount(s) else { throw .invalidMessage(reason: "tensor shape \(s) has too many elements") }
        let bytes = count * dt.byteSize
        guard bytes <= limits.maxTensorBytes else {
            throw .resourceExhausted(worker: "", reason: "a tensor of \(bytes) bytes exceeds the limit of \(limits.maxTensorBytes) bytes")
        }
        var t: Tensor
        if d.chunked {
            guard let chunks else { throw .invalidMessage(reason: "chunked tensor data where no chunks can follow") }
            guard d.data.isEmpty else { throw .invalidMessage(reason: "a chunked tensor also carries data") }
            t = try chunks.allocate(shape: s, dtype: dt)
        } else {
            guard d.data.count == bytes else {
                throw .invalidMessage(reason: "tensor data has \(d.data.count) bytes; shape \(s) of \(dt.rawValue) needs \(bytes)")
            }
            t = tensorFromBytes(d.data, shape: s, dtype: dt)
        }
        if d.wrappedNumber {
            guard s.isEmpty else { throw .invalidMessage(reason: "a wrapped number must be 0-d, got shape \(s)") }
            t = t.asWrappedNumber()
        }
        var grad: Tensor?
        if d.hasGrad {
            guard depth == 0 else { throw .invalidMessage(reason: "a gradient cannot carry a gradient") }
            let g = try tensor(d.grad, limits: limits, chunks, depth: 1).tensor
            guard g.shape == s, g.dtype == dt else { throw .invalidMessage(reason: "the gradient's shape or dtype differs from its tensor's") }
            grad = g
        }
        if d.requiresGrad && !dt.isFloatingPoint { throw .invalidMessage(reason: "a \(dt.rawValue) tensor cannot require grad") }
        return TensorPayload(tensor: t, requiresGrad: d.requiresGrad, grad: grad)
    }

    static func shape(_ s: [Int64]) throws(SyftError) -> [Int] {
        guard s.count <= 32 else { throw .invalidMessage(reason: "a shape with \(s.count) dimensions") }
        var out: [Int] = []
        for d in s {
            guard d >= 0, d < (1 << 40) else { throw .invalidMessage(reason: "invalid dimension \(d) in shape \(s)") }
            out.append(Int(d))
        }
        return out
    }

    static func wire(_ a: WorkerAddress) -> Syft_V1_WorkerAddress {
        .with {
            $0.host = a.host
            $0.port = UInt32(clamping: a.port)
            $0.tls = a.usesTLS
            $0.token = a.token
            $0.clientID = a.clientID
        }
    }

    static func address(_ a: Syft_V1_WorkerAddress) throws(SyftError) -> WorkerAddress {
        guard !a.host.isEmpty, a.host.utf8.count <= 255, (1...65535).contains(a.port) else {
            throw .invalidMessage(reason: "invalid worker address \(a.host):\(a.port)")
        }
        return WorkerAddress(host: a.host, port: Int(a.port), usesTLS: a.tls, token: a.token, clientID: a.clientID)
    }

    static func dtype(_ d: Syft_V1_DType) throws(SyftError) -> DType {
        switch d {
        case .float32: return .float32
        case .float64: return .float64
        case .int64: return .int64
        case .bool: return .bool
        case .unspecified, .UNRECOGNIZED: throw .invalidMessage(reason: "unknown dtype \(d.rawValue)")
        }
    }

    static func wire(_ d: DType) -> Syft_V1_DType {
        switch d {
        case .float32: return .float32
        case .float64: return .float64
        case .int64: return .int64
        case .bool: return .bool
        }
    }
}
