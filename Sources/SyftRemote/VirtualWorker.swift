import SyftCore
import Synchronization

/// A worker in this process, with its own object store (PySyft's `VirtualWorker`).
///
/// Every request can go through the wire codec (`useWireCodec: true`), so the in-process path runs the
/// same encoding and validation as a network worker.
/// ```swift
/// let bob = VirtualWorker(id: "bob")
/// let x = try Tensor([1, 2, 3, 4, 5]).send(to: bob)
/// let y = x + x            // runs on bob
/// try y.get()              // tensor([ 2,  4,  6,  8, 10])
/// ```
public final class VirtualWorker: Worker, @unchecked Sendable {
    public let id: String
    /// The worker side: its store and the execution of requests.
    public let runtime: WorkerRuntime
    public let channel: Channel
    /// Whether requests and replies are encoded to bytes and decoded, as on the network.
    public let usesWireCodec: Bool
    private let transport: VirtualTransport
    private var token: RegistryToken?
    public var registryToken: RegistryToken { token! }

    /// How many messages (batches of requests) have reached this worker.
    public var messagesDelivered: Int { transport.counter.load(ordering: .relaxed) }

    /// A worker named `id`, registered with ``me`` so pointers to it can be resolved by id.
    public init(id: String, useWireCodec: Bool = false, limits: WorkerLimits = .unlimited) {
        self.id = id
        self.usesWireCodec = useWireCodec
        let runtime = WorkerRuntime(id: id, limits: limits) { p throws(SyftError) in
            guard let worker = me.worker(id: p.location) else { throw .unknownWorker(id: p.location) }
            return worker
        }
        self.runtime = runtime
        let transport = VirtualTransport(runtime: runtime, useWireCodec: useWireCodec, limits: limits)
        self.transport = transport
        self.channel = Channel(transport: transport)
        token = RegistryToken(self)
        me.register(self)
    }

    /// The objects the worker holds, after running everything sent to it (PySyft's `bob._objects`).
    public var objects: WorkerObjects {
        channel.flush()
        return WorkerObjects(entries: runtime.storedObjects())
    }

    /// Registers data this worker's owner holds (see ``WorkerRuntime/register(_:id:tags:description:allowGet:)``).
    @discardableResult
    public func register(
        _ tensor: Tensor, tags: [String] = [], description: String = "", allowGet: Bool = true
    ) -> ObjectID {
        runtime.register(tensor, tags: tags, description: description, allowGet: allowGet)
    }

    /// Removes every object (PySyft's `clear_objects`); pointers to them then fail with "not found".
    @discardableResult
    public func clearObjects() -> VirtualWorker {
        channel.flush()
        runtime.clear()
        return self
    }

    /// `<VirtualWorker id:bob #objects:3>`.
    public var description: String {
        channel.flush()
        return "<VirtualWorker id:\(id) #objects:\(runtime.objectCount)>"
    }
}

/// A worker's objects in the order they arrived; prints as PySyft prints `bob._objects`:
/// `{57691089902: tensor([1, 2, 3, 4, 5]), 78260268274: tensor([1, 1, 1, 1, 1])}`.
public struct WorkerObjects: Sendable, CustomStringConvertible, Sequence {
    public let entries: [(ObjectID, Tensor)]

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var ids: [ObjectID] { entries.map(\.0) }

    /// The object stored under `id`.
    public subscript(id: ObjectID) -> Tensor? { entries.first { $0.0 == id }?.1 }

    public func makeIterator() -> IndexingIterator<[(ObjectID, Tensor)]> { entries.makeIterator() }

    public var description: String {
        "{" + entries.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
    }
}

/// Requests to a worker in this process: handed to its runtime directly, or through the wire codec.
final class VirtualTransport: WorkerTransport {
    let runtime: WorkerRuntime
    let useWireCodec: Bool
    let limits: WorkerLimits
    let counter = Atomic<Int>(0)
    /// Failures of batches delivered without waiting, reported with the next waiting delivery.
    let deferred = Mutex<[Reply]>([])

    init(runtime: WorkerRuntime, useWireCodec: Bool, limits: WorkerLimits) {
        self.runtime = runtime
        self.useWireCodec = useWireCodec
        self.limits = limits
    }

    func deliver(_ requests: [Request], wait: Bool) -> [Reply] {
        let replies = run(requests, wait: wait)
        guard wait else {
            deferred.withLock { $0 += replies }
            return []
        }
        return deferred.withLock { d in
            defer { d.removeAll() }
            return d + replies
        }
    }

    private func run(_ requests: [Request], wait: Bool) -> [Reply] {
        counter.add(1, ordering: .relaxed)
        guard useWireCodec else { return runtime.handle(requests) }
        // Both directions go through bytes, exactly as on the network.
        let decoded: [Request]
        do {
            decoded = try WireCodec.decodeRequests(WireCodec.encode(requests), limits: limits)
        } catch {
            // Nothing of the batch ran; what follows waits for the failure to be reported.
            if !wait { runtime.recordFailure(session: "me") }
            return [.failure(sequence: 0, error: error)]
        }
        let replies = runtime.handle(decoded)
        do {
            return try WireCodec.decodeReplies(WireCodec.encode(replies), limits: .unlimited)
        } catch {
            return [.failure(sequence: 0, error: error)]
        }
    }
}
