import Foundation
import GRPCCore
import SyftCore
import SyftRemote
import Synchronization

/// A worker in another process, reached over gRPC: a `Worker` like a `VirtualWorker`, so pointers to
/// it behave the same (send, get, operations, autograd, garbage collection, pointers to pointers).
///
/// ```swift
/// let bob = try NetworkWorker(id: "bob", host: "127.0.0.1", port: 7001, token: token)
/// let x = try Tensor([1, 2, 3, 4, 5]).send(to: bob)
/// let y = x + x              // streams to bob, no waiting
/// print(try y.get())         // tensor([ 2,  4,  6,  8, 10])
/// ```
///
/// Commands stream on one long-lived connection without waiting for answers; calls that need the worker
/// (`get`, `backward`, a search, `synchronize`) block the calling thread until it answered, and report
/// the first failure of what was sent before (Note [The client's stream]). If the connection is lost, the
/// next call throws `SyftError.workerUnreachable`, and the worker frees the objects of
/// this client, unless it connected with `keepObjects` (then a later connection with the same
/// `clientID` finds them again).
///
/// - Important: Call it from ordinary threads, not from inside an `async` task: a waiting call blocks
///   its thread.
public final class NetworkWorker: Worker, @unchecked Sendable {
    public let id: String
    public let host: String
    public let port: Int
    public let channel: Channel
    let connection: NetworkConnection
    private let token: String
    private let usesTLS: Bool
    private var registry: RegistryToken?
    public var registryToken: RegistryToken { registry! }

    /// Connects to the worker `id` at `host:port` and authenticates.
    ///
    /// ```swift
    /// let bob = try NetworkWorker(id: "bob", port: 7001, token: token)   // refuses a worker that is not bob
    /// let any = try NetworkWorker(id: nil, port: 7002, token: token)     // takes the id it announces
    /// print(any.id)                                                      // alice
    /// ```
    /// - Parameters:
    ///   - id: the id the worker must announce in its Hello; nil accepts the one it announces, which
    ///     ``id`` then holds.
    ///   - host: the worker's address.
    ///   - port: the port it listens on.
    ///   - token: the worker's token (Note [Authentication]).
    ///   - tls: what to trust when the worker serves TLS; nil connects in plaintext.
    ///   - clientID: the identity the worker files this client's objects under (at least 8 characters;
    ///     a new random one by default). Knowing it is acting as this client, so keep it secret.
    ///   - keepObjects: ask the worker to keep this client's objects when the connection ends.
    ///   - maxMessageBytes: the largest message this client accepts (at least ``minimumMessageBytes``).
    ///   - callTimeout: how long a waiting call waits before the connection is given up; nil waits.
    ///   - connectTimeout: how long connecting (and the worker's Hello) may take.
    /// - Throws: `.unauthenticated` for a wrong token, `.workerUnreachable` when nothing answers there
    ///   (or another worker does).
    public init(
        id: String?, host: String = "127.0.0.1", port: Int, token: String, tls: ClientTLS? = nil,
        clientID: String? = nil,
        keepObjects: Bool = false, maxMessageBytes: Int = 64 << 20, callTimeout: Duration? = nil,
        connectTimeout: Duration = .seconds(10)
    ) throws(SyftError) {
        precondition(
            maxMessageBytes >= minimumMessageBytes,
            "NetworkWorker: maxMessageBytes below \(minimumMessageBytes)")
        self.host = host
        self.port = port
        self.token = token
        self.usesTLS = tls != nil
        let connection = try NetworkConnection(
            expectedWorkerID: id, host: host, port: port, token: token, tls: tls,
            clientID: clientID ?? makeWorkerToken(),
            keepObjects: keepObjects, maxMessageBytes: maxMessageBytes, callTimeout: callTimeout)
        self.connection = connection
        self.channel = Channel(transport: connection)
        let (seconds, attoseconds) = connectTimeout.components
        let timedOut =
            connection.handshake.wait(
                timeout: .now()
                    + .milliseconds(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)))
            == .timedOut
        let (hello, broken) = connection.state.withLock { ($0.hello, $0.broken) }
        guard let hello else {
            connection.close()
            throw broken
                ?? .workerUnreachable(
                    worker: connection.workerID,
                    reason: timedOut
                        ? "no answer from \(host):\(port) within \(connectTimeout)" : "the connection ended")
        }
        self.id = hello.workerID
        registry = RegistryToken(self)
        me.register(self)
    }

    deinit {
        channel.flush()
        connection.close()
    }

    /// The identity the worker files this client's objects under.
    public var clientID: String { connection.clientID }

    /// How another worker process reaches this worker for pointers to pointers: this address with this
    /// client's credentials (Note [Pointers across network workers]).
    public var address: WorkerAddress? {
        WorkerAddress(host: host, port: port, usesTLS: usesTLS, token: token, clientID: clientID)
    }

    /// Whether the connection still carries calls.
    public var isConnected: Bool { connection.state.withLock { $0.broken == nil } }

    /// Sends what is queued and closes the connection; later calls throw `workerUnreachable`.
    public func disconnect() {
        channel.flush()
        connection.close()
    }

    /// What the worker holds (all clients together) and how many clients it serves.
    /// - Throws: `.workerUnreachable` or `.unauthenticated` when the worker does not answer.
    public func status() throws(SyftError) -> WorkerStatus {
        let client = connection.client
        var metadata: Metadata = [:]
        metadata.addString("Bearer \(token)", forKey: MetadataKey.authorization)
        let result = StatusResult()
        let done = DispatchSemaphore(value: 0)
        Task.detached { [metadata] in
            do {
                result.value = .success(
                    try await Syft_V1_WorkerService.Client(wrapping: client).status(
                        .init(), metadata: metadata))
            } catch {
                result.value = .failure(error)
            }
            done.signal()
        }
        done.wait()  // the semaphore orders the task's write before this read
        switch result.value! {
        case .success(let r):
            return WorkerStatus(
                workerID: r.workerID, objectCount: Int(r.objectCount), bytesHeld: Int(r.bytesHeld),
                clientsConnected: Int(r.clientsConnected), residentBytes: Int(r.residentBytes))
        case .failure(let error as RPCError) where error.code == .unauthenticated:
            throw .unauthenticated(reason: error.message)
        case .failure(let error):
            throw .workerUnreachable(worker: id, reason: "\(error)")
        }
    }

    /// `<NetworkWorker id:bob 127.0.0.1:7001>`.
    public var description: String { "<NetworkWorker id:\(id) \(host):\(port)>" }
}

/// The answer of a Status call, handed from its task to the waiting caller.
private final class StatusResult: @unchecked Sendable {
    var value: Result<Syft_V1_StatusReply, any Error>?
}
