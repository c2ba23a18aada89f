import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOPosix
import SyftCore
import SyftRemote
import Synchronization

/// A worker served over gRPC: one `WorkerRuntime` (its object store and the execution of requests),
/// reached by ``NetworkWorker``s in other processes. `syft worker` runs one.
///
/// ```swift
/// let server = WorkerServer(id: "bob", configuration: .init(host: "127.0.0.1", port: 7001, token: token))
/// server.runtime.register(features, tags: ["#digits"])
/// let port = try await server.start()     // listening; serving in the background
/// // ... later, on SIGTERM:
/// await server.stop()                     // in-flight commands finish, clients are told, then it stops
/// ```
///
/// Security (Note [Authentication]): every call needs the token; TLS when `tls` is set. Each connection
/// is a client with its own objects (the runtime's ownership rules); a client's objects are freed when
/// its last connection ends, unless it asked the worker to keep them. Limits (message size, tensor size,
/// memory budget) come from the runtime's `WorkerLimits` and are checked before anything is allocated.
public final class WorkerServer: Sendable {
    /// Where and how the worker listens.
    public struct Configuration: Sendable {
        /// The address to listen on (`127.0.0.1` for this machine only, `0.0.0.0` for every interface).
        public var host: String
        /// The port; 0 picks a free one (``start()`` returns it).
        public var port: Int
        /// The token every client must present (Note [Authentication]).
        public var token: String
        /// The worker's certificate and key; nil serves plaintext.
        public var tls: ServerTLS?
        /// What the worker trusts when it connects to other workers over TLS (pointers to pointers).
        public var peerTLS: ClientTLS?

        public init(
            host: String = "127.0.0.1", port: Int, token: String, tls: ServerTLS? = nil,
            peerTLS: ClientTLS? = nil
        ) {
            self.host = host
            self.port = port
            self.token = token
            self.tls = tls
            self.peerTLS = peerTLS
        }
    }

    /// The worker's store and request execution.
    public let runtime: WorkerRuntime
    public let configuration: Configuration
    let logger: Logger
    let service: WorkerService
    private let grpc: GRPCServer<HTTP2ServerTransport.Posix>
    /// The event loop of the connections of every worker served in this process (Note [Streams on their
    /// event loop]). It lives as long as the process: a server's transport still uses it while it is
    /// released, after `stop()`, so it is never shut down.
    private static let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let serving = Mutex<Task<Void, any Error>?>(nil)

    /// A worker `id` with `limits`, not yet listening.
    /// - Precondition: the token is not empty; `limits.maxMessageBytes` is at least ``minimumMessageBytes``.
    public init(
        id: String, limits: WorkerLimits = WorkerServer.defaultLimits, configuration: Configuration,
        logger: Logger? = nil
    ) {
        precondition(!configuration.token.isEmpty, "WorkerServer: a worker requires a token")
        precondition(
            limits.maxMessageBytes >= minimumMessageBytes,
            "WorkerServer: maxMessageBytes below \(minimumMessageBytes)")
        let peers = PeerWorkers(selfID: id, tls: configuration.peerTLS)
        self.runtime = WorkerRuntime(id: id, limits: limits) { p throws(SyftError) in try peers.resolve(p) }
        self.configuration = configuration
        let logger = logger ?? Logger(label: "syft.worker.\(id)")
        self.logger = logger
        self.service = WorkerService(
            runtime: runtime, peers: peers, logger: logger,
            streamExecutor: EventLoopExecutor(WorkerServer.loops.next()))
        let transport = HTTP2ServerTransport.Posix(
            address: configuration.host.contains(":")
                ? .ipv6(host: configuration.host, port: configuration.port)
                : .ipv4(host: configuration.host, port: configuration.port),
            transportSecurity: configuration.tls?.transportSecurity ?? .plaintext,
            config: .defaults { config in
                config.rpc.maxRequestPayloadSize = limits.maxMessageBytes
                config.http2.maxFrameSize = 1 << 20
                config.http2.targetWindowSize = 8 << 20
                config.connection.flushCoalescing = nil
            }, eventLoopGroup: WorkerServer.loops)
        self.grpc = GRPCServer(
            transport: transport, services: [service],
            interceptors: [TokenAuthenticator(token: configuration.token)])
    }

    /// Limits of a network worker unless told otherwise: 4 MiB messages, 4 GiB tensors, a 16 GiB budget.
    public static let defaultLimits = WorkerLimits(
        maxTensorBytes: 1 << 32, memoryBudget: 1 << 34, maxMessageBytes: 4 << 20)

    /// Starts listening and serving in the background.
    /// - Returns: the port it listens on.
    /// - Throws: when the address cannot be bound.
    ///
    /// It also sets the process's allocator for streaming large tensors (``tuneAllocatorForStreaming()``).
    @discardableResult
    public func start() async throws -> Int {
        tuneAllocatorForStreaming()
        let grpc = self.grpc
        let task = Task { try await grpc.serve() }
        serving.withLock { $0 = task }
        do {
            let address = try await grpc.transport.listeningAddress
            let port = address.ipv4?.port ?? address.ipv6?.port ?? configuration.port
            let scheme = configuration.tls == nil ? "plaintext" : "TLS"
            logger.info("worker \(runtime.id) listening on \(configuration.host):\(port) (\(scheme))")
            return port
        } catch {
            task.cancel()
            throw error
        }
    }

    /// Serves until ``stop(grace:)`` ends it (after ``start()``).
    public func waitUntilStopped() async throws {
        guard let task = serving.withLock({ $0 }) else { return }
        try await task.value
    }

    /// Stops: refuses new connections, tells each client the worker is stopping, runs what the clients
    /// had sent, and returns once every connection has ended (connections still open after `grace` are
    /// closed).
    public func stop(grace: Duration = .seconds(10)) async {
        logger.info("worker \(runtime.id) stopping")
        service.beginShutdown()
        let deadline = ContinuousClock.now + grace
        while service.sessionCount > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        service.closeAllSessions()
        grpc.beginGracefulShutdown()
        _ = try? await serving.withLock({ $0 })?.value
        service.execution.stop()
        logger.info("worker \(runtime.id) stopped")
    }

    /// What the worker holds and serves right now.
    public var status: WorkerStatus { service.status }
}

/// What a worker holds and how many clients are connected (``WorkerServer/status``, and the Status call).
public struct WorkerStatus: Sendable, Equatable {
    public var workerID: String
    public var objectCount: Int
    public var bytesHeld: Int
    public var clientsConnected: Int
    /// The process's resident memory in bytes (0 where unknown).
    public var residentBytes: Int
}

/// The process's resident memory in bytes, from /proc (0 where unavailable).
func residentMemoryBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
