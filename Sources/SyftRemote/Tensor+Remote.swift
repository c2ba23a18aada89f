import SyftCore

// The pointer API on Tensor: send, get, move, remoteGet and the pointer's metadata (PySyft's
// `x.send(bob)`, `x_ptr.get()`, `x_ptr.location`, ...).

extension Tensor {
    /// Sends a copy of this tensor to `worker` and returns a pointer to it (`x.send(bob)`).
    ///
    /// The pointer knows the remote shape, dtype and requires-grad flag; `requiresGrad` and the gradient
    /// travel with the data. Sending a pointer sends the pointer itself: `worker` then holds a pointer to
    /// the original worker's object (a pointer to a pointer), and the returned pointer points at it.
    /// ```swift
    /// let bob = VirtualWorker(id: "bob")
    /// let xPtr = try Tensor([1, 2, 3, 4, 5]).send(to: bob)
    /// print(xPtr)   // [PointerTensor | me:<id> -> bob:<idAtLocation>]
    /// ```
    /// - Parameters:
    ///   - worker: where the data goes.
    ///   - garbageCollect: delete the remote object when the last copy of the pointer goes away.
    ///   - tags: tags a search can find the object by (`#digits`).
    ///   - description: what the data is, for those who find it.
    /// - Throws: `SyftError` when a pointer being sent on was already fetched or failed.
    public func send(
        to worker: any Worker, garbageCollect: Bool = true, tags: [String] = [], description: String = ""
    ) throws(SyftError) -> Tensor {
        try send(
            to: worker, id: newObjectID(), garbageCollect: garbageCollect, tags: tags,
            description: description)
    }

    /// `send(to:)` under an id the caller chose (one no other object of this client's on `worker` has).
    func send(
        to worker: any Worker, id: ObjectID, garbageCollect: Bool = true, tags: [String] = [],
        description: String = ""
    ) throws(SyftError) -> Tensor {
        if worker === me {
            guard let handle = remoteHandle as? PointerHandle else { return self }
            _ = try handle.target()
            return try get()
        }
        let value: ObjectValue
        if let handle = remoteHandle as? PointerHandle {
            let (location, remoteID) = try handle.target()
            if location === worker { return self }
            // A worker in another process reaches the object over its own connection: what this client
            // queued for the object's worker must have run there first.
            if location.address != nil { try location.synchronize() }
            // The new pointer now controls the object: the intermediate one no longer deletes it.
            handle.garbageCollect = false
            value = .pointer(
                PointerPayload(
                    location: location.id, idAtLocation: remoteID, meta: meta,
                    requiresGrad: handle.requiresGrad,
                    address: location.address))
            me.register(location)
        } else {
            value = .tensor(
                TensorPayload(tensor: detached().contiguous(), requiresGrad: requiresGrad, grad: grad))
        }
        worker.channel.post(.object(id: id, value: value, tags: tags, description: description))
        me.register(worker)
        return Tensor(
            remote: PointerHandle(
                location: worker, idAtLocation: id, meta: meta, requiresGrad: requiresGrad,
                garbageCollect: garbageCollect),
            meta: TensorMeta(shape: shape, dtype: dtype))
    }

    /// Sends a copy to each worker (PySyft's `x.send(bob, alice)`): one pointer per worker.
    public func send(to workers: [any Worker]) throws(SyftError) -> [Tensor] {
        var out: [Tensor] = []
        for w in workers { out.append(try send(to: w)) }
        return out
    }

    /// Brings the data of a pointer back and deletes it on the worker (`x_ptr.get()`); the gradient and
    /// requires-grad flag come along. A pointer to a pointer gives the inner pointer.
    ///
    /// ```swift
    /// let x = try xPtr.get()   // tensor([1, 2, 3, 4, 5])
    /// ```
    /// - Throws: `SyftError.alreadyFetched` on a second `get`, `.objectNotFound` when the object is gone,
    ///   `.notAPointer` on a local tensor, and any failure of earlier commands on that worker.
    public func get() throws(SyftError) -> Tensor {
        guard let handle = remoteHandle as? PointerHandle else { throw .notAPointer(operation: "get") }
        let (location, id) = try handle.target()
        let reply = try location.channel.call(.get(id: id))
        handle.markFetched()
        guard case .object(let value) = reply else {
            throw .invalidMessage(reason: "get: the worker sent no object")
        }
        return try materialize(value, owner: handle.ownerName)
    }

    /// Moves the object to `worker`: the same pointer (and all its copies) now points there, and the old
    /// holder keeps nothing (`x_ptr.move(alice)`). Moving to the worker that holds it does nothing;
    /// moving to ``me`` is `get()`.
    public mutating func move(to worker: any Worker) throws(SyftError) {
        guard let handle = remoteHandle as? PointerHandle else { throw .notAPointer(operation: "move") }
        let (location, id) = try handle.target()
        if location === worker { return }
        if worker === me {
            self = try get()
            return
        }
        let value: ObjectValue
        guard case .object(let v) = try location.channel.call(.get(id: id)) else {
            throw .invalidMessage(reason: "move: the worker sent no object")
        }
        value = v
        if case .pointer(let p) = value, let inner = me.worker(id: p.location), inner === worker {
            // Moving a pointer to the worker it points to: the pointer now points straight at the object.
            handle.retarget(to: worker, id: p.idAtLocation)
            return
        }
        worker.channel.post(.object(id: id, value: value, tags: [], description: ""))
        me.register(worker)
        handle.retarget(to: worker, id: id)
    }

    /// On a pointer to a pointer (me → alice → bob): alice fetches the object from bob and keeps it under
    /// the same id; this pointer is unchanged and returned (PySyft's `remote_get`).
    /// - Throws: `.invalidCommand` when the object at the pointer's worker is not itself a pointer.
    @discardableResult
    public func remoteGet() throws(SyftError) -> Tensor {
        guard let handle = remoteHandle as? PointerHandle else { throw .notAPointer(operation: "remoteGet") }
        let (location, id) = try handle.target()
        _ = try location.channel.call(.remoteGet(id: id))
        return self
    }

    /// Whether this tensor is a pointer to an object on a worker.
    public var isPointer: Bool { remoteHandle is PointerHandle }

    /// The worker holding the object a pointer points to; nil for a local tensor.
    public var location: (any Worker)? { (remoteHandle as? PointerHandle)?.location }

    /// The id of the object on its worker; nil for a local tensor.
    public var idAtLocation: ObjectID? { (remoteHandle as? PointerHandle)?.idAtLocation }

    /// The pointer's own id; nil for a local tensor.
    public var id: ObjectID? { (remoteHandle as? PointerHandle)?.id }

    /// The worker that owns this tensor or pointer: the local worker ``me``.
    public var owner: LocalWorker { me }

    /// Whether dropping the last copy of this pointer deletes the remote object (on by default; PySyft's
    /// `garbage_collect_data`). Shared by all copies of the pointer.
    public var garbageCollect: Bool {
        get { (remoteHandle as? PointerHandle)?.garbageCollect ?? false }
        nonmutating set { (remoteHandle as? PointerHandle)?.garbageCollect = newValue }
    }
}

/// Gets several pointers with one round trip per worker (what `model.get()` and federated averaging use):
/// each tensor's value or its failure, in order, and the first failure of commands queued before them
/// (reported only after the values are kept, so nothing fetched is lost).
func fetchAll(_ tensors: [Tensor]) -> (results: [Result<Tensor, SyftError>], earlier: SyftError?) {
    startFetchAll(tensors).finish()
}

/// `fetchAll`, started: the gets went out to every worker at once, so the workers answer at the same time;
/// ``PendingFetch/finish()`` waits for them.
func startFetchAll(_ tensors: [Tensor]) -> PendingFetch {
    var fetch = PendingFetch(
        results: [Result<Tensor, SyftError>](
            repeating: .failure(.notAPointer(operation: "get")), count: tensors.count))
    // Where each pointer's object is (nil for a tensor that is not a usable pointer, its failure kept).
    var targets: [(handle: PointerHandle, worker: any Worker, id: ObjectID)?] = []
    for (i, t) in tensors.enumerated() {
        guard let handle = t.remoteHandle as? PointerHandle else {
            targets.append(nil)
            continue
        }
        do {
            let (location, id) = try handle.target()
            targets.append((handle, location, id))
        } catch {
            fetch.results[i] = .failure(error)
            targets.append(nil)
        }
    }
    for group in groupPositions(targets, by: { $0.map { ObjectIdentifier($0.worker) } }) {
        let channel = targets[group[0]]!.worker.channel
        let items = group.map { (index: $0, handle: targets[$0]!.handle, id: targets[$0]!.id) }
        do {
            fetch.groups.append(
                .init(
                    items: items, channel: channel,
                    pending: try channel.startEach(items.map { .get(id: $0.id) })))
        } catch {
            for item in items { fetch.results[item.index] = .failure(error) }
        }
    }
    return fetch
}

/// Gets on their way to several workers (`startFetchAll`).
struct PendingFetch {
    var results: [Result<Tensor, SyftError>]
    /// One worker's gets: the tensors they fetch (position, pointer, id there) and the batch on its way.
    struct Group {
        let items: [(index: Int, handle: PointerHandle, id: ObjectID)]
        let channel: Channel
        let pending: Channel.PendingEach
    }
    var groups: [Group] = []

    /// Waits for every worker's replies: each tensor's value or its failure, in order, and the first failure
    /// of commands queued before the gets.
    func finish() -> (results: [Result<Tensor, SyftError>], earlier: SyftError?) {
        var results = self.results
        var earlier: SyftError?
        for group in groups {
            let items = group.items
            do {
                let (replies, failure) = try group.channel.finishEach(group.pending)
                earlier = earlier ?? failure
                for (item, reply) in zip(items, replies) {
                    switch reply {
                    case .success(.object(let value)):
                        item.handle.markFetched()
                        results[item.index] = Result { () throws(SyftError) in
                            try materialize(value, owner: item.handle.ownerName)
                        }
                    case .success:
                        results[item.index] = .failure(
                            .invalidMessage(reason: "get: the worker sent no object"))
                    case .failure(let e): results[item.index] = .failure(e)
                    }
                }
            } catch {
                for item in items { results[item.index] = .failure(error) }
            }
        }
        return (results, earlier)
    }
}

/// A received object as a tensor here: data with its gradient, or a pointer owned by `owner`.
func materialize(_ value: ObjectValue, owner: String) throws(SyftError) -> Tensor {
    switch value {
    case .tensor(let payload):
        var t = payload.tensor
        if payload.requiresGrad && t.dtype.isFloatingPoint { t.requiresGrad = true }
        if let g = payload.grad, payload.requiresGrad { t.grad = g }
        return t
    case .pointer(let p):
        guard let worker = me.worker(id: p.location) else { throw .unknownWorker(id: p.location) }
        return Tensor(
            remote: PointerHandle(
                location: worker, idAtLocation: p.idAtLocation, ownerName: owner, meta: p.meta,
                requiresGrad: p.requiresGrad),
            meta: p.meta)
    }
}
