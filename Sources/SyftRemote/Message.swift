import SyftCore
import SyftNN

// Note [The closed message set]
// Workers talk in these messages only (DESIGN.md, "Messages and the wire"). A client batches requests
// and sends them in order; requests that need no answer (objects, commands, deletes) are not answered
// unless they fail; the worker answers a waiting request (get, backward, search, ...) with one reply,
// and reports every failure with the sequence number of the request that failed. The wire form is the
// protobuf in Protos/syft/v1 (WireCodec.swift); in process, a VirtualWorker may skip it.

/// A tensor with its data, as it travels: the data, whether it requires grad, and its gradient.
public struct TensorPayload: Sendable {
    public var tensor: Tensor
    public var requiresGrad: Bool
    public var grad: Tensor?

    public init(tensor: Tensor, requiresGrad: Bool, grad: Tensor? = nil) {
        self.tensor = tensor
        self.requiresGrad = requiresGrad
        self.grad = grad
    }
}

/// A pointer as it travels (pointers to pointers): where the object is and what it is.
public struct PointerPayload: Sendable, Equatable {
    public var location: String
    public var idAtLocation: ObjectID
    public var meta: TensorMeta
    public var requiresGrad: Bool
    /// How a worker in another process reaches `location` (nil for a worker in the sender's process).
    public var address: WorkerAddress?

    public init(
        location: String, idAtLocation: ObjectID, meta: TensorMeta, requiresGrad: Bool,
        address: WorkerAddress? = nil
    ) {
        self.location = location
        self.idAtLocation = idAtLocation
        self.meta = meta
        self.requiresGrad = requiresGrad
        self.address = address
    }
}

/// Where a network worker listens, with the credentials a holder of a pointer to one of its objects
/// presents there: the worker's token and the identity of the client the object belongs to. A pointer to
/// a pointer carries it, so the middle worker can reach the object's worker and act there as that client
/// (SyftGRPC, Note [Pointers across network workers]).
public struct WorkerAddress: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var usesTLS: Bool
    public var token: String
    public var clientID: String

    public init(host: String, port: Int, usesTLS: Bool, token: String, clientID: String) {
        self.host = host
        self.port = port
        self.usesTLS = usesTLS
        self.token = token
        self.clientID = clientID
    }
}

/// What a stored object holds.
public enum ObjectValue: Sendable {
    case tensor(TensorPayload)
    case pointer(PointerPayload)
}

/// An operand of a command: an object on the worker, or a value carried in the command (a Swift number).
public enum Operand: Sendable {
    case object(ObjectID)
    case value(Tensor)
}

/// A request from a client to a worker.
///
/// The cases with large payloads (an object's tensor, a backward's gradient, an optimizer rule) are
/// `indirect`: a request moves between the client's queue, the codec and the executor several times, and
/// the enum's size (50 bytes instead of 152) is what each move copies for every request, commands and
/// deletes included; decoding a batch of commands takes a third less time.
public enum Request: Sendable {
    /// Store an object under `id` (`send`).
    indirect case object(id: ObjectID, value: ObjectValue, tags: [String], description: String)
    /// Run an operation; store its outputs under `results` (or, in place, replace `results[0]`).
    case command(op: Op, operands: [Operand], results: [ObjectID], inPlace: Bool, gradEnabled: Bool)
    /// Return an object and remove it from the worker (`get`).
    case get(id: ObjectID)
    /// Remove objects (garbage collection); unknown ids are ignored.
    case delete(ids: [ObjectID])
    /// Run backward from an object; answered when `wait` (a pipelined backward is not).
    indirect case backward(id: ObjectID, gradient: Operand?, retainGraph: Bool, wait: Bool)
    /// Store the gradients of objects under new ids, answering which exist.
    case gradients(ids: [ObjectID], results: [ObjectID])
    /// Turn requires-grad on or off on a leaf.
    case setRequiresGrad(id: ObjectID, flag: Bool)
    /// Clear the gradients of objects.
    case zeroGrad(ids: [ObjectID])
    /// Store a detached alias of an object under `result`.
    case detach(id: ObjectID, result: ObjectID)
    /// Find objects by tags (all terms must match) or by id.
    case search(query: [String])
    /// Describe the stored objects.
    case listObjects
    /// Answer once everything before has run (and report failures).
    case synchronize
    /// On a worker holding a pointer: fetch the pointed-to object into this worker under the same id.
    case remoteGet(id: ObjectID)
    /// An optimizer step on parameters: `rule` applied to each of `params` that has a gradient, with its
    /// state objects (`rule.stateCount` ids per parameter, in order; created at the first step). Note
    /// [Optimizer steps where the parameters are].
    indirect case update(rule: ParameterUpdate, params: [ObjectID], state: [ObjectID])
    /// Store a plan under `id`: `requests` (recorded by ``Plan``, none of them waiting) to run again by id,
    /// reading its inputs from `inputs` and leaving its outputs under `outputs` (Note [Plans]).
    indirect case definePlan(id: ObjectID, inputs: [ObjectID], outputs: [ObjectID], requests: [Request])
    /// Run plan `id` with `arguments` in place of its inputs, its outputs stored under `results`; with a
    /// `batchSize` above 0, once per block of `batchSize` rows of the arguments, each output summed over
    /// the blocks (Note [Plans]).
    case runPlan(id: ObjectID, arguments: [ObjectID], results: [ObjectID], batchSize: Int)

    /// Whether the client waits for this request's reply.
    public var isWaiting: Bool {
        switch self {
        case .object, .command, .delete, .setRequiresGrad, .zeroGrad, .detach, .update, .definePlan, .runPlan:
            return false
        case .backward(_, _, _, let wait): return wait
        case .get, .gradients, .search, .listObjects, .synchronize, .remoteGet: return true
        }
    }

    /// A short name for error messages.
    public var name: String {
        switch self {
        case .object: return "send"
        case .command(let op, _, _, _, _): return op.name
        case .get: return "get"
        case .delete: return "delete"
        case .backward: return "backward"
        case .gradients: return "grad"
        case .setRequiresGrad: return "requires_grad"
        case .zeroGrad: return "zero_grad"
        case .detach: return "detach"
        case .search: return "search"
        case .listObjects: return "objects"
        case .synchronize: return "synchronize"
        case .remoteGet: return "remote_get"
        case .update(let rule, _, _): return rule.name
        case .definePlan: return "define_plan"
        case .runPlan: return "run_plan"
        }
    }
}

/// What a worker reports about one stored object, without its data.
public struct ObjectInfo: Sendable, Equatable {
    public var id: ObjectID
    public var meta: TensorMeta
    public var requiresGrad: Bool
    /// For a stored pointer: the worker it points to.
    public var pointsTo: String?
    public var tags: [String]
    public var description: String
}

/// A worker's answer.
public enum Reply: Sendable {
    /// The waiting request succeeded without a value.
    case ok
    /// The object `get` asked for.
    indirect case object(ObjectValue)
    /// For `gradients`: whether each object had a gradient (stored under the requested result id).
    case present([Bool])
    /// Search results and object listings: ids with what they hold (metadata only).
    case objects([ObjectInfo])
    /// Request number `sequence` (counted from 0 in the batch) failed.
    case failure(sequence: Int, error: SyftError)
}

extension ParameterUpdate {
    /// The rule's name in messages and errors (`sgd_step`, `adam_step`).
    var name: String {
        switch self {
        case .sgd: return "sgd_step"
        case .adam: return "adam_step"
        }
    }
}
