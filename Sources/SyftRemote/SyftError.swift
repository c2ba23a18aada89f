import SyftCore

/// The identifier of an object on a worker, or of a pointer (random, chosen by the side that creates it).
public typealias ObjectID = UInt64

/// An error that crossed a worker boundary, with a message a user can act on (never a message about
/// internals). Errors travel inside replies, so the network path and the in-process path give the same.
public enum SyftError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The worker holds no object with this id.
    case objectNotFound(id: ObjectID, worker: String)
    /// `get()` was already called on this pointer; the object is no longer on the worker.
    case alreadyFetched(id: ObjectID, worker: String)
    /// Operands live in different places.
    case notCollocated(first: String, second: String, op: String)
    /// The operation's inputs do not fit (shape, dtype, attribute).
    case invalidCommand(op: String, reason: String)
    /// A message could not be decoded, or names something that does not exist.
    case invalidMessage(reason: String)
    /// The client may not do this with the object.
    case permissionDenied(id: ObjectID, worker: String, reason: String)
    /// Authentication failed.
    case unauthenticated(reason: String)
    /// The worker cannot be reached, or the connection was lost.
    case workerUnreachable(worker: String, reason: String)
    /// The command would go beyond a limit of the worker (tensor size, memory budget, message size).
    case resourceExhausted(worker: String, reason: String)
    /// Backward or another computation failed on the worker.
    case computationFailed(op: String, reason: String)
    /// The tensor is not a pointer (for example `get()` on a local tensor).
    case notAPointer(operation: String)
    /// No worker with this id is known.
    case unknownWorker(id: String)

    /// A stable numeric code for the wire.
    public var code: Int {
        switch self {
        case .objectNotFound: return 1
        case .alreadyFetched: return 2
        case .notCollocated: return 3
        case .invalidCommand: return 4
        case .invalidMessage: return 5
        case .permissionDenied: return 6
        case .unauthenticated: return 7
        case .workerUnreachable: return 8
        case .resourceExhausted: return 9
        case .computationFailed: return 10
        case .notAPointer: return 11
        case .unknownWorker: return 12
        }
    }

    public var description: String {
        switch self {
        case .objectNotFound(let id, let w):
            return
                "object \(id) not found on worker '\(w)': it was never there, was fetched with get() (which "
                + "removes it from the worker), or was deleted when its last pointer went away"
        case .alreadyFetched(let id, let w):
            return
                "pointer to object \(id) on worker '\(w)' was already fetched with get(); the object is no "
                + "longer on the worker (use the tensor get() returned)"
        case .notCollocated(let a, let b, let op):
            return "\(op): operands are not on the same worker: one is on \(a), the other on \(b); "
                + "send or move them to one worker first"
        case .invalidCommand(let op, let r): return "\(op): \(r)"
        case .invalidMessage(let r): return "invalid message: \(r)"
        case .permissionDenied(let id, let w, let r):
            return "permission denied for object \(id) on worker '\(w)': \(r)"
        case .unauthenticated(let r): return "unauthenticated: \(r)"
        case .workerUnreachable(let w, let r): return "worker '\(w)' is unreachable: \(r)"
        case .resourceExhausted(let w, let r): return "worker '\(w)' refused the command: \(r)"
        case .computationFailed(let op, let r): return "\(op) failed on the worker: \(r)"
        case .notAPointer(let op): return "\(op): the tensor is local, not a pointer to a worker's object"
        case .unknownWorker(let id): return "no worker with id '\(id)' is known"
        }
    }
}
