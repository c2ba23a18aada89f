import SyftCore

/// Who sent a request to a worker: the in-process client, or a network client's identity.
public typealias ClientID = String

/// One object a worker holds.
struct StoredObject {
    /// A local tensor, or a pointer to another worker's object (a remote tensor in this process).
    var tensor: Tensor
    var tags: [String]
    var description: String
    /// The client that sent or created it; nil for data the worker's owner registered.
    var owner: ClientID?
    /// Whether clients other than the owner may compute on it and find it by search.
    var shared: Bool
    /// Whether clients other than the owner may `get` it.
    var allowGet: Bool
    /// Insertion order, for listing.
    var sequence: Int

    var isPointer: Bool { !tensor.isLocal }
    var byteCount: Int { tensor.isLocal ? tensor.count * tensor.dtype.byteSize : 0 }
}

/// A worker's objects by id, with the bytes they hold (for the memory budget).
struct ObjectStore {
    private(set) var objects: [ObjectID: StoredObject] = [:]
    private(set) var bytes = 0
    private var nextSequence = 0

    subscript(id: ObjectID) -> StoredObject? { objects[id] }

    var count: Int { objects.count }

    /// The objects in insertion order.
    var ordered: [(ObjectID, StoredObject)] {
        objects.sorted { $0.value.sequence < $1.value.sequence }.map { ($0.key, $0.value) }
    }

    /// Stores `object` under `id` (one lookup of the id); returns the object it replaces, if any.
    @discardableResult
    mutating func insert(_ id: ObjectID, _ object: StoredObject) -> StoredObject? {
        var o = object
        o.sequence = nextSequence
        guard let replaced = objects.updateValue(o, forKey: id) else {
            nextSequence += 1
            bytes += o.byteCount
            return nil
        }
        // An object replaced keeps its place in the listing order.
        objects[id]!.sequence = replaced.sequence
        bytes += o.byteCount - replaced.byteCount
        return replaced
    }

    /// Replaces the tensor of an existing object (in-place commands, gradient changes).
    mutating func update(_ id: ObjectID, tensor: Tensor) {
        guard var o = objects[id] else { return }
        bytes -= o.byteCount
        o.tensor = tensor
        bytes += o.byteCount
        objects[id] = o
    }

    /// Changes the tensor of an existing object in place (its buffer stays uniquely held, so an in-place
    /// update such as an optimizer step does not copy it); the tensor keeps its byte count.
    @discardableResult
    mutating func modifyTensor<R>(_ id: ObjectID, _ body: (inout Tensor) -> R) -> R? {
        guard objects[id] != nil else { return nil }
        let before = objects[id]!.byteCount
        let result = body(&objects[id]!.tensor)
        bytes += objects[id]!.byteCount - before
        return result
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
        bytes = 0
        return all
    }
}
