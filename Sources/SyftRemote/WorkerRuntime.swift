import SyftCore
import Synchronization

/// Limits a worker enforces before it allocates anything for a request.
public struct WorkerLimits: Sendable {
    /// The largest tensor (in bytes) a request may create or send.
    public var maxTensorBytes: Int
    /// The most bytes of tensors the worker holds at once.
    public var memoryBudget: Int
    /// The largest encoded message (in bytes) a transport accepts.
    public var maxMessageBytes: Int

    public init(maxTensorBytes: Int = 1 << 32, memoryBudget: Int = 1 << 34, maxMessageBytes: Int = 1 << 26) {
        self.maxTensorBytes = maxTensorBytes
        self.memoryBudget = memoryBudget
        self.maxMessageBytes = maxMessageBytes
    }

    /// No practical limit (in-process workers by default).
    public static let unlimited = WorkerLimits(
        maxTensorBytes: .max / 4, memoryBudget: .max / 4, maxMessageBytes: .max / 4)
}

// Note [Executing requests]
// A worker runs requests one batch at a time, in order, under one lock: a batch sees the store as the
// previous batch left it. Each request is validated (ids, permissions, the operation's shape rule,
// in-place rules, limits) before anything runs or is allocated, so a bad request gets an error reply and
// leaves the store as it was; a worker never stops on what a client sends.

/// The worker side: an object store and the execution of requests against it. A ``VirtualWorker`` runs
/// one in process; `syft worker` serves one over gRPC.
public final class WorkerRuntime: Sendable {
    /// The worker's id (`bob`).
    public let id: String
    public let limits: WorkerLimits
    let state: Mutex<ObjectStore>
    /// Sessions (connections) whose pipelined request failed and that have not yet been told at a waiting
    /// request.
    let failedSessions = Mutex<Set<String>>([])
    /// Finds the worker a received pointer points to, to store pointers to its objects (pointers to
    /// pointers): in process by id, across processes by the pointer's address.
    let resolve: @Sendable (PointerPayload) throws(SyftError) -> any Worker

    /// A runtime for the worker `id`.
    /// - Parameters:
    ///   - id: the worker's name.
    ///   - limits: the sizes and memory budget it accepts.
    ///   - resolve: finds (or connects to) the worker a received pointer points to.
    public init(
        id: String, limits: WorkerLimits = .unlimited,
        resolve: @escaping @Sendable (PointerPayload) throws(SyftError) -> any Worker
    ) {
        self.id = id
        self.limits = limits
        self.state = Mutex(ObjectStore())
        self.resolve = resolve
    }

    /// The number of objects held.
    public var objectCount: Int { state.withLock { $0.count } }

    /// The bytes of tensor data held.
    public var bytesHeld: Int { state.withLock { $0.bytes } }

    /// The stored objects in insertion order (in-process inspection, e.g. `bob.objects`).
    public func storedObjects() -> [(ObjectID, Tensor)] {
        state.withLock { $0.ordered.map { ($0.0, $0.1.tensor) } }
    }

    /// Registers data the worker's owner holds (a data owner's data set): clients may compute on it and
    /// find it by its tags, and `get` it only when `allowGet`. Returns the data's id on this worker.
    ///
    /// ```swift
    /// let server = WorkerServer(id: "hospital", configuration: .init(port: 7001, token: token))
    /// server.runtime.register(features, tags: ["#digits"], description: "8x8 digits", allowGet: false)
    /// ```
    @discardableResult
    public func register(
        _ tensor: Tensor, id: ObjectID = newObjectID(), tags: [String] = [], description: String = "",
        allowGet: Bool = false
    ) -> ObjectID {
        state.withLock {
            _ = $0.insert(
                id,
                StoredObject(
                    tensor: tensor, tags: tags, description: description, owner: nil, shared: true,
                    allowGet: allowGet))
        }
        return id
    }

    /// Removes every object a client owns (when its connection ends).
    public func releaseObjects(of client: ClientID) {
        let removed: [StoredObject] = state.withLock { store in
            store.removePlans(of: client)
            let ids = store.ordered.filter { $0.1.owner == client }.map(\.0)
            return ids.compactMap { store.remove($0) }
        }
        _ = removed  // released outside the lock
    }

    /// Removes every object.
    public func clear() {
        let removed = state.withLock { $0.removeAll() }
        _ = removed
    }

    /// Remembers that a request of `session` failed before it could run (a message that did not decode):
    /// what follows is skipped until the session's next waiting request (Note [After a failure]).
    public func recordFailure(session: String) {
        failedSessions.withLock { _ = $0.insert(session) }
    }

    /// Forgets a session's failure state (its connection ended).
    public func endSession(_ session: String) {
        failedSessions.withLock { _ = $0.remove(session) }
    }

    /// Runs `requests` in order for `client`; returns the replies of waiting requests and a failure for each
    /// request that failed.
    /// - Parameters:
    ///   - requests: the batch, in the order the client sent it.
    ///   - client: who the objects belong to (ownership and permissions).
    ///   - session: the connection whose failure state applies (Note [After a failure]); by default the
    ///     client (several connections of one client each have their own).
    public func handle(_ requests: [Request], client: ClientID = "me", session: String? = nil) -> [Reply] {
        let session = session ?? client
        var result = state.withLock { store in run(requests, client: client, session: session, &store) }
        result.released.removeAll()  // freed after the lock, so pointer deinits can reach other workers
        return result.replies
    }

    /// Runs a batch against the store (its lock held): the replies, and the objects it removed.
    func run(
        _ requests: [Request], client: ClientID, session: String, _ store: inout ObjectStore
    ) -> (replies: [Reply], released: [StoredObject]) {
        var replies: [Reply] = []
        var executor = Executor(runtime: self, client: client)
        var failed = failedSessions.withLock { $0.contains(session) }
        for (i, request) in requests.enumerated() {
            if failed {
                // Note [After a failure]: as in eager execution, nothing after a failed command runs
                // (deletes excepted) until the client is told, at its next waiting request, which is
                // skipped too: the client reports the failure instead of its result, and loses nothing.
                if case .delete = request {
                    _ = try? executor.run(request, &store)
                } else if request.isWaiting {
                    failed = false
                }
                continue
            }
            do throws(SyftError) {
                if let reply = try executor.run(request, &store) { replies.append(reply) }
            } catch {
                replies.append(.failure(sequence: i, error: error))
                if !request.isWaiting { failed = true }
            }
        }
        failedSessions.withLock { if failed { $0.insert(session) } else { $0.remove(session) } }
        return (replies, executor.released)
    }
}
