import SyftCore
import Synchronization

/// A new object id: random-looking, unique within the process, in `1..<2^53` (so it survives JSON and
/// doubles). A counter from a random start, scrambled by a bijection of the 53-bit integers (odd
/// multipliers and xor-shifts, as in SplitMix64's finalizer): no system call per id, and no two ids of
/// one process are equal before 2^53 of them.
public func newObjectID() -> ObjectID {
    let mask: UInt64 = (1 << 53) - 1
    var z = (idCounter.add(1, ordering: .relaxed).newValue &+ idSeed) & mask
    z = (z &* 0x9E37_79B9_7F4A_7C15) & mask
    z ^= z >> 26
    z = (z &* 0xBF58_476D_1CE4_E5B9) & mask
    z ^= z >> 29
    return z == 0 ? mask : z
}

private let idSeed = UInt64.random(in: 0..<UInt64.max)
private let idCounter = Atomic<UInt64>(0)

/// Runs one request against a worker's store, validating it first (Note [Executing requests]).
struct Executor {
    let runtime: WorkerRuntime
    let client: ClientID
    /// Objects removed by this batch, released after the store's lock is let go.
    var released: [StoredObject] = []
    /// While a plan runs: its inputs and the objects the run creates (Note [Plan programs]).
    var frame = PlanFrame()

    init(runtime: WorkerRuntime, client: ClientID) {
        self.runtime = runtime
        self.client = client
    }

    var workerID: String { runtime.id }

    /// An object this client sent or created: its own, not shared with other clients, and fetchable by it.
    func clientObject(_ tensor: Tensor, tags: [String] = [], description: String = "") -> StoredObject {
        StoredObject(
            tensor: tensor, tags: tags, description: description, owner: client, shared: false,
            allowGet: true)
    }

    mutating func run(_ request: Request, _ store: inout ObjectStore) throws(SyftError) -> Reply? {
        switch request {
        case .object(let id, let value, let tags, let description):
            try storeObject(id, value, tags: tags, description: description, &store)
            return nil
        case .command(let op, let operands, let results, let inPlace, let gradEnabled):
            try command(op, operands, results: results, inPlace: inPlace, gradEnabled: gradEnabled, &store)
            return nil
        case .get(let id):
            let object = try usable(id, store, forGet: true)
            var t = object.tensor
            if object.owner == client {
                store.remove(id)
                released.append(object)
            }  // else the data owner's shared data: a copy leaves, the data stays
            if let handle = t.remoteHandle as? PointerHandle {
                // The pointer leaves this worker: it no longer deletes what it points to.
                handle.garbageCollect = false
                return .object(.pointer(handle.payload))
            }
            let grad = t.grad?.detached()
            let requiresGrad = t.requiresGrad
            t = t.detached()
            return .object(.tensor(TensorPayload(tensor: t, requiresGrad: requiresGrad, grad: grad)))
        case .delete(let ids):
            for id in ids {
                if !store.plans.isEmpty, store.plans[id]?.owner == client { store.removePlan(id) }
                guard let o = store[id], mayDelete(o) else { continue }
                if let removed = store.remove(id) { released.append(removed) }
            }
            return nil
        case .backward(let id, let gradient, let retainGraph, let wait):
            let t = try usable(id, store).tensor
            try Self.backward(
                t, gradient: gradient.map { g throws(SyftError) in try resolve(g, store) }, retainGraph)
            return wait ? .ok : nil
        case .gradients(let ids, let results):
            guard ids.count == results.count else {
                throw .invalidMessage(reason: "grad: \(ids.count) ids but \(results.count) result ids")
            }
            var present: [Bool] = []
            for (id, result) in zip(ids, results) {
                let t = try usable(id, store).tensor
                try checkFree(result, store)
                let g: Tensor?
                if t.isLocal {
                    g = t.grad
                } else {
                    do { g = try t.remoteHandle!.gradient() } catch let e as SyftError { throw e } catch {
                        throw .computationFailed(op: "grad", reason: "\(error)")
                    }
                }
                if let g {
                    store.insert(
                        result,
                        clientObject(g))
                }
                present.append(g != nil)
            }
            return .present(present)
        case .setRequiresGrad(let id, let flag):
            var t = try usable(id, store).tensor
            if t.isLocal {
                if flag && !t.dtype.isFloatingPoint {
                    throw .invalidCommand(
                        op: "requires_grad",
                        reason: "only floating-point tensors can require gradients, got \(t.dtype.rawValue)")
                }
                if !flag && !t.isLeaf {
                    throw .invalidCommand(
                        op: "requires_grad",
                        reason: "cannot turn off gradients of a non-leaf tensor; use detach()")
                }
            }
            t.requiresGrad = flag
            store.update(id, tensor: t)
            return nil
        case .zeroGrad(let ids):
            for id in ids { try usable(id, store).tensor.zeroGrad() }
            return nil
        case .detach(let id, let result):
            let t = try usable(id, store).tensor
            try checkFree(result, store)
            store.insert(
                result,
                clientObject(t.detached()))
            return nil
        case .search(let query):
            return .objects(store.ordered.filter { visible($0.1) && matches($0.0, $0.1, query) }.map(info))
        case .listObjects:
            return .objects(store.ordered.filter { visible($0.1) }.map(info))
        case .synchronize:
            return .ok
        case .update(let rule, let params, let state):
            try update(rule, params: params, state: state, &store)
            return nil
        case .definePlan(let id, let inputs, let outputs, let requests):
            try definePlan(id, inputs: inputs, outputs: outputs, requests: requests, &store)
            return nil
        case .runPlan(let id, let arguments, let results, let batchSize):
            try runPlan(id, arguments: arguments, results: results, batchSize: batchSize, &store)
            return nil
        case .remoteGet(let id):
            let object = try usable(id, store, forGet: true)
            guard let handle = object.tensor.remoteHandle else {
                throw .invalidCommand(
                    op: "remote_get",
                    reason:
                        "object \(id) on '\(workerID)' is a tensor, not a pointer; remoteGet() needs a pointer to a pointer"
                )
            }
            _ = handle
            let fetched = try object.tensor.get()
            store.insert(id, object.holding(fetched))
            return .ok
        }
    }

    // MARK: - Objects

    private mutating func storeObject(
        _ id: ObjectID, _ value: ObjectValue, tags: [String], description: String, _ store: inout ObjectStore
    ) throws(SyftError) {
        if let existing = store[id], existing.owner != client {
            throw .permissionDenied(id: id, worker: workerID, reason: "the id is taken by another object")
        }
        let tensor: Tensor
        switch value {
        case .tensor(let payload):
            try checkLimits(newBytes: payload.tensor.count * payload.tensor.dtype.byteSize, store)
            var t = payload.tensor.detached()
            if payload.requiresGrad {
                guard t.dtype.isFloatingPoint else {
                    throw .invalidMessage(reason: "a \(t.dtype.rawValue) tensor cannot require grad")
                }
                t.requiresGrad = true
            }
            if let g = payload.grad {
                guard payload.requiresGrad, g.shape == t.shape, g.dtype == t.dtype else {
                    throw .invalidMessage(reason: "the gradient sent with object \(id) does not match it")
                }
                t.grad = g
            }
            tensor = t
        case .pointer(let p):
            guard p.location != workerID else {
                throw .invalidMessage(reason: "a pointer from worker '\(workerID)' to itself")
            }
            let worker = try runtime.resolve(p)
            tensor = Tensor(
                remote: PointerHandle(
                    location: worker, idAtLocation: p.idAtLocation, ownerName: workerID, meta: p.meta,
                    requiresGrad: p.requiresGrad), meta: p.meta)
        }
        if let old = store.insert(id, clientObject(tensor, tags: tags, description: description)) {
            released.append(old)
        }
    }

    /// Runs backward from `tensor`; a failure is the worker's `computationFailed`.
    static func backward(_ tensor: Tensor, gradient: Tensor?, _ retainGraph: Bool) throws(SyftError) {
        do {
            try tensor.backward(gradient: gradient, retainGraph: retainGraph)
        } catch let e as SyftError {
            throw e
        } catch {
            throw .computationFailed(op: "backward", reason: "\(error)")
        }
    }

    /// The object `id`, if this client may use it (and fetch it, for `get`).
    func usable(_ id: ObjectID, _ store: ObjectStore, forGet: Bool = false) throws(SyftError) -> StoredObject
    {
        let o: StoredObject
        if let stored = store[id] {
            o = stored
        } else {
            throw .objectNotFound(id: id, worker: workerID)
        }
        if o.owner == client { return o }
        if !o.shared {
            throw .permissionDenied(id: id, worker: workerID, reason: "it belongs to another client")
        }
        if forGet && !o.allowGet {
            throw .permissionDenied(
                id: id, worker: workerID, reason: "the data owner allows computing on it but not fetching it")
        }
        return o
    }

    private func mayDelete(_ o: StoredObject) -> Bool { o.owner == client }

    private func visible(_ o: StoredObject) -> Bool { o.owner == client || o.shared }

    func checkFree(_ id: ObjectID, _ store: ObjectStore) throws(SyftError) {
        if let o = store[id], o.owner != client {
            throw .permissionDenied(id: id, worker: workerID, reason: "the id is taken by another object")
        }
    }

    func resolve(_ operand: Operand, _ store: ObjectStore) throws(SyftError) -> Tensor {
        switch operand {
        case .object(let id): return try usable(id, store).tensor
        case .value(let t): return t
        }
    }

    func checkLimits(newBytes: Int, _ store: ObjectStore) throws(SyftError) {
        if newBytes > runtime.limits.maxTensorBytes {
            throw .resourceExhausted(
                worker: workerID,
                reason:
                    "a tensor of \(newBytes) bytes exceeds the limit of \(runtime.limits.maxTensorBytes) bytes"
            )
        }
        if store.bytes + frame.bytes + newBytes > runtime.limits.memoryBudget {
            throw .resourceExhausted(
                worker: workerID,
                reason:
                    "holding \(store.bytes + frame.bytes + newBytes) bytes would exceed the memory budget of \(runtime.limits.memoryBudget) bytes"
            )
        }
    }

    private func matches(_ id: ObjectID, _ o: StoredObject, _ query: [String]) -> Bool {
        if query.isEmpty { return !o.tags.isEmpty }
        return query.allSatisfy { term in o.tags.contains(term) || term == String(id) }
    }

    private func info(_ entry: (ObjectID, StoredObject)) -> ObjectInfo {
        let (id, o) = entry
        return ObjectInfo(
            id: id, meta: TensorMeta(shape: o.tensor.shape, dtype: o.tensor.dtype),
            requiresGrad: o.tensor.requiresGrad,
            pointsTo: (o.tensor.remoteHandle as? PointerHandle)?.locationID, tags: o.tags,
            description: o.description)
    }
}
