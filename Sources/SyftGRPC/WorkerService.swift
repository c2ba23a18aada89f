import Foundation
import GRPCCore
import Logging
import SyftRemote
import Synchronization

/// The gRPC service of a worker (Protos/syft/v1/worker.proto): a session per Connect stream, and Status.
final class WorkerService: Syft_V1_WorkerService.ServiceProtocol, Sendable {
    struct Client {
        var connections = 0
        var keep = false
    }
    struct State {
        var sessions: [UInt64: ServerSession] = [:]
        var nextSession: UInt64 = 1
        var clients: [ClientID: Client] = [:]
        var stopping = false
    }

    let runtime: WorkerRuntime
    let peers: PeerWorkers
    let logger: Logger
    /// Note [The execution thread].
    let execution: ExecutionThread
    /// Where the sessions' tasks run: the connections' event loop (Note [Streams on their event loop]).
    let streamExecutor: EventLoopExecutor
    let state = Mutex(State())
    /// Bytes of tensor data being received (allocated, not yet stored): counted against the budget.
    let receiving = Atomic<Int>(0)

    init(runtime: WorkerRuntime, peers: PeerWorkers, logger: Logger, streamExecutor: EventLoopExecutor) {
        self.runtime = runtime
        self.streamExecutor = streamExecutor
        self.peers = peers
        self.logger = logger
        self.execution = ExecutionThread(name: "syft-exec-\(runtime.id)")
    }

    var sessionCount: Int { state.withLock { $0.sessions.count } }

    var status: WorkerStatus {
        WorkerStatus(
            workerID: runtime.id, objectCount: runtime.objectCount, bytesHeld: runtime.bytesHeld,
            clientsConnected: state.withLock { $0.sessions.count }, residentBytes: residentMemoryBytes())
    }

    // MARK: - Calls

    func connect(
        request: StreamingServerRequest<Syft_V1_ClientFrame>, context: ServerContext
    ) async throws -> StreamingServerResponse<Syft_V1_ServerFrame> {
        let metadata = request.metadata
        let presented = metadata[stringValues: MetadataKey.clientID].first { _ in true }
        let identity: ClientID
        if let presented {
            guard (8...128).contains(presented.utf8.count), presented.utf8.allSatisfy({ $0 > 32 && $0 < 127 })
            else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "syft-client-id must be 8 to 128 printable ASCII characters")
            }
            identity = presented
        } else {
            identity = makeWorkerToken()
        }
        let keep = metadata[stringValues: MetadataKey.keepObjects].contains("1")
        var clientMax = runtime.limits.maxMessageBytes
        if let text = metadata[stringValues: MetadataKey.maxMessageBytes].first(where: { _ in true }),
            let n = Int(text)
        {
            clientMax = Swift.max(minimumMessageBytes, n)
        }
        let sizes = FrameSizes(maxMessageBytes: Swift.min(runtime.limits.maxMessageBytes, clientMax))
        let session: ServerSession? = state.withLock { s in
            guard !s.stopping else { return nil }
            let number = s.nextSession
            s.nextSession += 1
            let session = ServerSession(service: self, number: number, identity: identity, replySizes: sizes)
            s.sessions[number] = session
            s.clients[identity, default: Client()].connections += 1
            if keep { s.clients[identity]?.keep = true }
            return session
        }
        guard let session else {
            throw RPCError(code: .unavailable, message: "the worker \(runtime.id) is stopping")
        }
        logger.info(
            "client \(identity.prefix(8)) connected from \(context.remotePeer)\(keep ? " (keeps its objects)" : "")"
        )
        return StreamingServerResponse { writer in
            await withTaskExecutorPreference(self.streamExecutor) {
                await session.run(request.messages, writer)
            }
            await self.end(session)
            return [:]
        }
    }

    func status(
        request: ServerRequest<Syft_V1_StatusRequest>, context: ServerContext
    ) async throws -> ServerResponse<Syft_V1_StatusReply> {
        let s = status
        return ServerResponse(
            message: .with {
                $0.workerID = s.workerID
                $0.objectCount = UInt64(s.objectCount)
                $0.bytesHeld = UInt64(s.bytesHeld)
                $0.clientsConnected = UInt64(s.clientsConnected)
                $0.residentBytes = UInt64(s.residentBytes)
            })
    }

    // MARK: - Sessions

    /// A session ended: the client's objects go when its last connection has gone, unless it asked to
    /// keep them.
    private func end(_ session: ServerSession) async {
        let release: Bool = state.withLock { s in
            s.sessions[session.number] = nil
            guard var client = s.clients[session.identity] else { return false }
            client.connections -= 1
            if client.connections > 0 {
                s.clients[session.identity] = client
                return false
            }
            if client.keep {
                s.clients[session.identity] = client
                return false
            }
            s.clients[session.identity] = nil
            return true
        }
        let runtime = self.runtime
        let peers = self.peers
        let key = session.key
        let identity = session.identity
        let freed: Int = await execution.run {
            runtime.endSession(key)
            guard release else { return 0 }
            let before = runtime.objectCount
            runtime.releaseObjects(of: identity)
            peers.settle(waiting: false)
            return before - runtime.objectCount
        }
        logger.info("client \(identity.prefix(8)) disconnected\(release ? "; freed \(freed) object(s)" : "")")
    }

    /// Tells every session the worker is stopping, and accepts no new one.
    func beginShutdown() {
        let sessions = state.withLock { s in
            s.stopping = true
            return Array(s.sessions.values)
        }
        for s in sessions { s.sayGoodbye("the worker \(runtime.id) is stopping") }
    }

    /// Ends the sessions still open (after the grace period of a stop).
    func closeAllSessions() {
        for s in state.withLock({ Array($0.sessions.values) }) { s.close() }
    }
}
