import SyftCore
import Synchronization

/// A place tensors can live: the local worker ``me``, a ``VirtualWorker`` in this process, or a
/// `NetworkWorker` in another process. Workers compare by identity.
///
/// ```swift
/// let bob = VirtualWorker(id: "bob")
/// let x = try Tensor([1, 2, 3, 4, 5]).send(to: bob)
/// print(bob)   // <VirtualWorker id:bob #objects:1>
/// ```
public protocol Worker: AnyObject, Sendable, CustomStringConvertible {
    /// The worker's id (`bob`).
    var id: String { get }
    /// The client side of the connection: requests to this worker queue here.
    var channel: Channel { get }
    /// The token through which ``me`` finds this worker by id (Note [Weak references to workers]).
    var registryToken: RegistryToken { get }
    /// How another process reaches this worker (for pointers to pointers); nil for a worker that lives
    /// only in this process.
    var address: WorkerAddress? { get }
}

extension Worker {
    public var address: WorkerAddress? { nil }

    /// Runs everything sent to the worker so far and reports the first failure not yet reported.
    public func synchronize() throws(SyftError) { try channel.synchronize() }

    /// Pointers to the objects whose tags include every term of `query` (or whose id is a term), as
    /// PySyft's `worker.search`. The pointers do not delete the data when dropped.
    ///
    /// ```swift
    /// let digits = try bob.search("#digits")
    /// ```
    public func search(_ query: String...) throws(SyftError) -> [Tensor] { try search(query) }

    /// Pointers to the objects matching all terms of `query`.
    public func search(_ query: [String]) throws(SyftError) -> [Tensor] {
        guard case .objects(let infos) = try channel.call(.search(query: query)) else { return [] }
        return infos.map { info in
            Tensor(
                remote: PointerHandle(
                    location: self, idAtLocation: info.id, meta: info.meta, requiresGrad: info.requiresGrad,
                    garbageCollect: false),
                meta: info.meta)
        }
    }

    /// What the worker holds, as metadata (ids, shapes, dtypes, tags), after running what was sent.
    public func objectInfos() throws(SyftError) -> [ObjectInfo] {
        guard case .objects(let infos) = try channel.call(.listObjects) else { return [] }
        return infos
    }
}

/// The local worker: the owner of every pointer this program holds (PySyft's `sy.local_worker`). It
/// stores nothing, so it prints `<VirtualWorker id:me #objects:0>`; it also knows the workers this
/// process created, by id, so pointers to pointers can be resolved.
public final class LocalWorker: Worker, @unchecked Sendable {
    public let id = "me"
    private let known = Mutex<[String: WeakToken]>([:])
    public let channel: Channel

    init() {
        channel = Channel(transport: LocalTransport())
    }

    public var registryToken: RegistryToken { RegistryToken(self) }

    /// The worker with this id that this process created or connected to, if it is still alive.
    public func worker(id: String) -> (any Worker)? {
        known.withLock { $0[id]?.token?.worker }
    }

    /// Makes `worker` findable by id while it lives (workers register themselves when created).
    public func register(_ worker: any Worker) {
        let token = worker.registryToken
        known.withLock { $0[worker.id] = WeakToken(token: token) }
    }

    public var description: String { "<VirtualWorker id:me #objects:0>" }

    // Note [Weak references to workers]
    // The registry must not keep workers alive, but a weak reference to an object moves its reference
    // count to a side table, making every retain of it (one per remote operation) slower. So the
    // registry holds a weak reference to a small token each worker owns, and the token refers back to
    // its worker without a count.
    struct WeakToken {
        weak var token: RegistryToken?
    }
}

/// What the registry of ``me`` refers to weakly: owned by its worker, it dies with it.
public final class RegistryToken: @unchecked Sendable {
    unowned(unsafe) let worker: any Worker
    /// A token for `worker`, which must own it (a stored property of the worker).
    public init(_ worker: any Worker) { self.worker = worker }
}

/// The local worker stores nothing: sending to it returns the tensor itself, so no request reaches it.
struct LocalTransport: WorkerTransport {
    func deliver(_ requests: [Request], wait: Bool) -> [Reply] {
        requests.enumerated().compactMap { i, r in
            r.isWaiting
                ? .failure(
                    sequence: i,
                    error: .invalidCommand(op: r.name, reason: "the local worker me stores no objects")) : nil
        }
    }
}

/// The local worker, always present (PySyft's `sy.local_worker`); `Syft.me` in a program that imports Syft.
public let me = LocalWorker()
