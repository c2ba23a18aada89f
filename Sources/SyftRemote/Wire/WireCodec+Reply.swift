import Foundation
import SwiftProtobuf
import SyftCore

extension WireCodec {
    /// The wire bytes of a batch of replies.
    public static func encode(_ replies: [Reply]) -> [UInt8] {
        let batch = Syft_V1_ReplyBatch.with { $0.replies = replies.map { wire($0, nil) } }
        return (try? batch.serializedBytes()) ?? []
    }

    /// The replies of a batch in wire form.
    public static func decodeReplies(_ bytes: [UInt8], limits: WorkerLimits) throws(SyftError) -> [Reply] {
        let batch: Syft_V1_ReplyBatch
        do {
            batch = try Syft_V1_ReplyBatch(serializedBytes: bytes)
        } catch {
            throw .invalidMessage(reason: "the bytes are not a reply batch (\(error))")
        }
        var out: [Reply] = []
        for r in batch.replies { out.append(try reply(r, limits: limits, nil)) }
        return out
    }

    static func wire(_ r: Reply, _ chunks: ChunkedTensorSource?) -> Syft_V1_Reply {
        .with { m in
            switch r {
            case .ok: m.ok = true
            case .object(let value): m.object = objectMessage(0, value, tags: [], description: "", chunks)
            case .present(let p): m.present = .with { $0.present = p }
            case .objects(let infos):
                m.objects = .with {
                    $0.objects = infos.map { i in
                        .with {
                            $0.id = i.id
                            $0.shape = i.meta.shape.map(Int64.init)
                            $0.dtype = wire(i.meta.dtype)
                            $0.requiresGrad = i.requiresGrad
                            $0.pointsTo = i.pointsTo ?? ""
                            $0.tags = i.tags
                            $0.description_p = i.description
                        }
                    }
                }
            case .failure(let sequence, let error): m.failure = errorReply(error, sequence: sequence)
            }
        }
    }

    static func reply(_ m: Syft_V1_Reply, limits: WorkerLimits, _ chunks: ChunkedTensorSink?) throws(SyftError) -> Reply {
        switch m.body {
        case .ok?: return .ok
        case .object(let o)?: return .object(try object(o, limits: limits, chunks).1)
        case .present(let p)?: return .present(p.present)
        case .objects(let o)?:
            var infos: [ObjectInfo] = []
            for i in o.objects {
                infos.append(
                    ObjectInfo(
                        id: i.id, meta: TensorMeta(shape: try shape(i.shape), dtype: try dtype(i.dtype)),
                        requiresGrad: i.requiresGrad, pointsTo: i.pointsTo.isEmpty ? nil : i.pointsTo, tags: i.tags,
                        description: i.description_p))
            }
            return .objects(infos)
        case .failure(let e)?: return .failure(sequence: Int(clamping: e.sequence), error: syftError(e))
        case nil: throw .invalidMessage(reason: "a reply with no body")
        }
    }

    // MARK: Errors

    static func errorReply(_ e: SyftError, sequence: Int) -> Syft_V1_ErrorReply {
        .with {
            $0.code = Int32(e.code)
            $0.message = e.description
            $0.sequence = Int64(sequence)
            switch e {
            case .objectNotFound(let id, let w), .alreadyFetched(let id, let w):
                $0.id = id
                $0.fields = [w]
            case .notCollocated(let a, let b, let op): $0.fields = [a, b, op]
            case .invalidCommand(let op, let r), .computationFailed(let op, let r): $0.fields = [op, r]
            case .invalidMessage(let r), .unauthenticated(let r): $0.fields = [r]
            case .permissionDenied(let id, let w, let r):
                $0.id = id
                $0.fields = [w, r]
            case .workerUnreachable(let w, let r), .resourceExhausted(let w, let r): $0.fields = [w, r]
            case .notAPointer(let op): $0.fields = [op]
            case .unknownWorker(let id): $0.fields = [id]
            }
        }
    }

    /// The typed error an error reply carries (an unknown code keeps its message).
    static func syftError(_ e: Syft_V1_ErrorReply) -> SyftError {
        let f = e.fields
        func field(_ i: Int) -> String { i < f.count ? f[i] : "" }
        switch e.code {
        case 1: return .objectNotFound(id: e.id, worker: field(0))
        case 2: return .alreadyFetched(id: e.id, worker: field(0))
        case 3: return .notCollocated(first: field(0), second: field(1), op: field(2))
        case 4: return .invalidCommand(op: field(0), reason: field(1))
        case 5: return .invalidMessage(reason: field(0))
        case 6: return .permissionDenied(id: e.id, worker: field(0), reason: field(1))
        case 7: return .unauthenticated(reason: field(0))
        case 8: return .workerUnreachable(worker: field(0), reason: field(1))
        case 9: return .resourceExhausted(worker: field(0), reason: field(1))
        case 10: return .computationFailed(op: field(0), reason: field(1))
        case 11: return .notAPointer(operation: field(0))
        case 12: return .unknownWorker(id: field(0))
        default: return .invalidMessage(reason: e.message)
        }
    }

    // MARK: Raw data

    /// The element bytes, row-major and little-endian (bool: 0 or 1, as Swift stores it).
    static func rawBytes(_ t: Tensor) -> Data {
        t.withUnsafeRawBytes { Data($0) }
    }

    /// A tensor of the bytes (whose count the caller checked); bool bytes other than 0 read as 1.
    static func tensorFromBytes(_ data: Data, shape: [Int], dtype: DType) -> Tensor {
        Tensor(shape: shape, dtype: dtype) { destination in
            data.withUnsafeBytes { source in
                if dtype == .bool {
                    for (i, b) in source.enumerated() { destination[i] = b == 0 ? 0 : 1 }
                } else {
                    destination.copyMemory(from: source)
                }
            }
        }
    }
}
