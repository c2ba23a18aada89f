import SyftCore

/// Who sent a request to a worker: the in-process client, or a network client's identity.
public typealias ClientID = String

/// One object a worker holds. A class, so that finding an object in the store (every operand of every
/// command) copies one reference rather than the tensor's and the metadata's several.
final class StoredObject {
    /// A local tensor, or a pointer to another worker's object (a remote tensor in this process).
    var tensor: Tensor
    let tags: [String]
    let description: String
    /// The client that sent or created it; nil for data the worker's owner registered.
    let owner: ClientID?
    /// Whether clients other than the owner may compute on it and find it by search.
    let shared: Bool
    /// Whether clients other than the owner may `get` it.
    let allowGet: Bool
    /// Insertion order, for listing.
    var sequence = 0

    init(tensor: Tensor, tags: [String], description: String, owner: ClientID?, shared: Bool, allowGet: Bool)
    {
        self.tensor = tensor
        self.tags = tags
        self.description = description
        self.owner = owner
        self.shared = shared
        self.allowGet = allowGet
    }

    /// The same object holding `tensor` instead.
    func holding(_ tensor: Tensor) -> StoredObject {
        StoredObject(
            tensor: tensor, tags: tags, description: description, owner: owner, shared: shared,
            allowGet: allowGet)
    }

    var isPointer: Bool { !tensor.isLocal }
    var byteCount: Int { tensor.byteCountIfLocal }
}

extension Tensor {
    /// The bytes of a local tensor's elements; 0 for a pointer (its data is elsewhere).
    var byteCountIfLocal: Int { isLocal ? count * dtype.byteSize : 0 }
}

/// A plan a client defined on a worker (Note [Plans]), checked when it was defined.
struct StoredPlan {
    let owner: ClientID
    let inputs: [ObjectID]
    let outputs: [ObjectID]
    /// The bytes of the tensors the requests carry (counted in the worker's memory budget).
    let bytes: Int
    /// The requests, prepared to run on a frame (Note [Plan programs]).
    let program: PlanProgram
}

/// A worker's objects by id, with the bytes they hold (for the memory budget), and its clients' plans.
struct ObjectStore {
    private(set) var objects: [ObjectID: StoredObject] = [:]
    /// Plans by id (a namespace of their own, Note [Plans]).
    private(set) var plans: [ObjectID: StoredPlan] = [:]
    private(set) var bytes = 0
    private var nextSequence = 0

    subscript(id: ObjectID) -> StoredObject? { objects[id] }

    var count: Int { objects.count }

    /// The objects in insertion order.
    var ordered: [(ObjectID, StoredObject)] {
        objects.sorted { $0.value.sequence < $1.value.sequence }.map { ($0.key, $0.value) }
    }

    /// Stores `object` (a new one, not stored yet) under `id` (one lookup of the id); returns the object
    /// it replaces, if any.
    @discardableResult
    mutating func insert(_ id: ObjectID, _ object: StoredObject) -> StoredObject? {
        guard let replaced = objects.updateValue(object, forKey: id) else {
            object.sequence = nextSequence
            nextSequence += 1
            bytes += object.byteCount
            return nil
        }
        // An object replaced keeps its place in the listing order.
        object.sequence = replaced.sequence
        bytes += object.byteCount - replaced.byteCount
        return replaced
    }

    /// Replaces the tensor of an existing object (in-place commands, gradient changes).
    mutating func update(_ id: ObjectID, tensor: Tensor) {
        guard let o = objects[id] else { return }
        bytes += tensor.byteCountIfLocal - o.byteCount
        o.tensor = tensor
    }

    /// Changes the tensor of an existing object in place (its buffer stays uniquely held, so an in-place
    /// update such as an optimizer step does not copy it); the tensor keeps its byte count.
    @discardableResult
    mutating func modifyTensor<R>(_ id: ObjectID, _ body: (inout Tensor) -> R) -> R? {
        guard let o = objects[id] else { return nil }
        let before = o.byteCount
        let result = body(&o.tensor)
        bytes += o.byteCount - before
        return result
    }

    /// Stores a plan under `id`, replacing the one there.
    mutating func insertPlan(_ id: ObjectID, _ plan: StoredPlan) {
        removePlan(id)
        plans[id] = plan
        bytes += plan.bytes
    }

    mutating func removePlan(_ id: ObjectID) {
        if let old = plans.removeValue(forKey: id) { bytes -= old.bytes }
    }

    /// Removes every plan of `client`.
    mutating func removePlans(of client: ClientID) {
        for (id, p) in plans where p.owner == client { removePlan(id) }
    }

    @discardableResult
    mutating func remove(_ id: ObjectID) -> StoredObject? {
        guard let o = objects.removeValue(forKey: id) else { return nil }
        bytes -= o.byteCount
        return o
    }

    mutating func removeAll() -> [StoredObject] {
        let all = Array(objects.values)
        objects.removeAll()
        plans.removeAll()
        bytes = 0
        return all
    }
}
