import Dispatch
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOPosix
import SyftRemote
import Synchronization

/// A caller blocked until the replies of its batch arrive, and handlers that act on them where they arrive
/// (Note [Relayed batches], SyftRemote).
final class Waiter: Sendable {
    private struct State {
        var replies: [Reply]?
        var handlers: [@Sendable ([Reply]) -> Void] = []
    }
    private let semaphore = DispatchSemaphore(value: 0)
    private let state = Mutex(State())

    func fulfil(_ replies: [Reply]) {
        let handlers = state.withLock { s -> [@Sendable ([Reply]) -> Void]? in
            guard s.replies == nil else { return nil }
            s.replies = replies
            defer { s.handlers = [] }
            return s.handlers
        }
        guard let handlers else { return }
        for h in handlers { h(replies) }
        semaphore.signal()
    }

    /// Calls `handler` with the replies once they are here: at once when they are, else where they arrive.
    func whenReady(_ handler: @escaping @Sendable ([Reply]) -> Void) {
        let ready = state.withLock { s -> [Reply]? in
            if s.replies == nil { s.handlers.append(handler) }
            return s.replies
        }
        if let ready { handler(ready) }
    }

    /// The replies, or nil when `timeout` passed first.
    func wait(timeout: Duration?) -> [Reply]? {
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            if semaphore.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .timedOut { return nil }
        } else {
            semaphore.wait()
        }
        // A waiter is waited for again (PendingReplies.wait): the signal is passed on.
        semaphore.signal()
        return state.withLock { $0.replies }
    }
}

/// A relayed batch's requests, which its writer awaits until the batch they depend on is answered (Note
/// [Relayed batches], SyftRemote); nil when it is not to be sent.
final class RelayGate: Sendable {
    private enum State {
        case closed
        case waiting(CheckedContinuation<[Request]?, Never>)
        case open([Request]?)
    }
    private let state = Mutex(State.closed)

    /// Lets the writer go on with `requests` (nil: nothing to send). Only the first call counts.
    func open(_ requests: [Request]?) {
        let waiting = state.withLock { s -> CheckedContinuation<[Request]?, Never>? in
            switch s {
            case .closed:
                s = .open(requests)
                return nil
            case .waiting(let c):
                s = .open(requests)
                return c
            case .open: return nil
            }
        }
        waiting?.resume(returning: requests)
    }

    /// The requests, once the gate is open; nil at once when the task is cancelled (the stream ended).
    func requests() async -> [Request]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<[Request]?, Never>) in
                let ready = state.withLock { s -> [Request]?? in
                    if case .open(let r) = s { return .some(r) }
                    s = .waiting(c)
                    return .none
                }
                if let ready { c.resume(returning: ready) }
            }
        } onCancel: {
            open(nil)
        }
    }
}

/// Room for batches queued for the writer: `deliver` takes one, the writer gives it back once written.
final class BatchSlots: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: Int
    private var closed = false

    init(_ count: Int) { free = count }

    /// Waits for room (returns at once when the connection is closed).
    func take() {
        condition.lock()
        while free == 0 && !closed { condition.wait() }
        free -= 1
        condition.unlock()
    }

    func give() {
        condition.lock()
        free += 1
        condition.signal()
        condition.unlock()
    }

    /// The writer is gone: nobody waits for room any more.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

// Note [The client's stream]
// A NetworkWorker holds one connection and on it one Connect stream for its whole life. `deliver` runs on
// the caller's thread: it numbers the batch and queues it for the writer task, and returns at once when
// it need not wait (pipelining); a waiting call blocks its thread, never an event-loop or cooperative
// thread, on a semaphore until the reader task has the batch's replies. The writer encodes batches in
// order, within the negotiated message size (Note [Message sizes]), and streams chunked tensor data
// straight from the tensors; at most `maxQueuedBatches` batches wait to be written, after which
// `deliver` blocks (backpressure reaches the caller instead of growing memory). Failures of batches that
// did not wait are kept and returned with the next waiting batch (WorkerTransport). When the stream ends,
// every waiting and later call gets `workerUnreachable` (or `unauthenticated` when the worker refused the
// token); a Goodbye (the worker is stopping) refuses new batches at once but lets the answers to those
// already sent arrive.

/// The transport of a ``NetworkWorker`` (Note [The client's stream]).
final class NetworkConnection: WorkerTransport, Sendable {
    enum Outgoing: Sendable {
        case batch(id: UInt64, requests: [Request], wait: Bool)
        /// A waiting batch whose requests come through its gate (Note [Relayed batches], SyftRemote).
        case relayed(id: UInt64, gate: RelayGate)
        case close
    }
    struct State {
        var nextBatch: UInt64 = 1
        var waiters: [UInt64: Waiter] = [:]
        /// The gates of relayed batches not yet written (opened with nothing when the connection fails).
        var gates: [ObjectIdentifier: RelayGate] = [:]
        var deferred: [Reply] = []
        var broken: SyftError?
        var hello: Syft_V1_Hello?
        var sizes: FrameSizes
        var unsettled = false
        var closed = false
    }

    static let maxQueuedBatches = 64

    /// The id the worker must announce; nil accepts the one it announces.
    let expectedWorkerID: String?
    /// `host:port`, which names the worker in errors until it announced its id.
    let address: String
    let clientID: String
    let callTimeout: Duration?
    let clientMaxMessageBytes: Int
    let state: Mutex<State>
    let handshake = DispatchSemaphore(value: 0)
    private let slots = BatchSlots(NetworkConnection.maxQueuedBatches)
    private let outgoing: AsyncStream<Outgoing>.Continuation
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    let metadata: Metadata
    /// Where the stream's tasks run: the connection's event loop (Note [Streams on their event loop]).
    let streamExecutor: EventLoopExecutor

    init(
        expectedWorkerID: String?, host: String, port: Int, token: String, tls: ClientTLS?, clientID: String,
        keepObjects: Bool,
        maxMessageBytes: Int, callTimeout: Duration?
    ) throws(SyftError) {
        self.expectedWorkerID = expectedWorkerID
        self.address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        self.clientID = clientID
        self.callTimeout = callTimeout
        self.clientMaxMessageBytes = maxMessageBytes
        self.state = Mutex(State(sizes: FrameSizes(maxMessageBytes: maxMessageBytes)))
        var metadata: Metadata = [:]
        metadata.addString("Bearer \(token)", forKey: MetadataKey.authorization)
        metadata.addString(clientID, forKey: MetadataKey.clientID)
        metadata.addString(String(maxMessageBytes), forKey: MetadataKey.maxMessageBytes)
        if keepObjects { metadata.addString("1", forKey: MetadataKey.keepObjects) }
        self.metadata = metadata
        let target: any ResolvableTarget
        if host.contains(":") {
            target = ResolvableTargets.IPv6.ipv6(address: host, port: port)
        } else if host.split(separator: ".").count == 4 && host.allSatisfy({ $0.isNumber || $0 == "." }) {
            target = ResolvableTargets.IPv4.ipv4(address: host, port: port)
        } else {
            target = ResolvableTargets.DNS.dns(host: host, port: port)
        }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        self.streamExecutor = EventLoopExecutor(loop)
        do {
            let transport = try HTTP2ClientTransport.Posix(
                target: target, transportSecurity: tls?.transportSecurity ?? .plaintext,
                config: .defaults { config in
                    config.http2.maxFrameSize = 1 << 20
                    config.http2.targetWindowSize = 8 << 20
                    config.connection.flushCoalescing = nil
                    config.connection.keepalive = .init(
                        time: .seconds(30), timeout: .seconds(10), allowWithoutCalls: true)
                }, eventLoopGroup: loop)
            self.client = GRPCClient(transport: transport)
        } catch {
            throw .workerUnreachable(
                worker: expectedWorkerID ?? address,
                reason: "cannot set up a connection to \(host):\(port): \(error)")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Outgoing.self)
        self.outgoing = continuation
        start(stream)
    }

    /// The worker's id as errors name it: the expected one, else the announced one, else its address.
    /// (It takes the state's lock: never read it while holding that.)
    var workerID: String { expectedWorkerID ?? state.withLock { $0.hello?.workerID } ?? address }

    // MARK: - WorkerTransport

    func deliver(_ requests: [Request], wait: Bool) -> [Reply] {
        if wait { return start(requests).wait() }
        let requests = splittingLargeDeletes(requests)
        _ = enqueue(wait: false) { .batch(id: $0, requests: requests, wait: false) }
        return []
    }

    func start(_ requests: [Request]) -> PendingReplies {
        let requests = splittingLargeDeletes(requests)
        return pending(enqueue(wait: true) { .batch(id: $0, requests: requests, wait: true) })
    }

    func start(
        _ requests: [Request], after previous: PendingReplies,
        prepare: @escaping @Sendable ([Request], [Reply]) -> [Request]?
    ) -> PendingReplies {
        guard let whenReady = previous.whenReady else {
            return startAfterWaiting(requests, for: previous, prepare: prepare)
        }
        let gate = RelayGate()
        state.withLock { $0.gates[ObjectIdentifier(gate)] = gate }
        let pending = pending(enqueue(wait: true) { .relayed(id: $0, gate: gate) })
        whenReady { replies in gate.open(prepare(requests, replies).map { splittingLargeDeletes($0) }) }
        return pending
    }

    /// What waits for the replies of a batch queued with `enqueue`.
    private func pending(_ queued: Result<Waiter?, SyftError>) -> PendingReplies {
        switch queued {
        case .success(let waiter):
            return PendingReplies({ [self] in replies(of: waiter!) }, whenReady: { waiter!.whenReady($0) })
        case .failure(let refused):
            let replies = takeDeferred() + [.failure(sequence: 0, error: refused)]
            return PendingReplies { replies }
        }
    }

    /// Queues a batch for the writer (`item` makes it from its number): the waiter of its replies when
    /// `wait`, or the error that refused it.
    private func enqueue(wait: Bool, _ item: (UInt64) -> Outgoing) -> Result<Waiter?, SyftError> {
        let (id, waiter, refused): (UInt64, Waiter?, SyftError?) = state.withLock { s in
            if let b = s.broken { return (0, nil, b) }
            let id = s.nextBatch
            s.nextBatch += 1
            if wait {
                let w = Waiter()
                s.waiters[id] = w
                s.unsettled = false
                return (id, w, nil)
            }
            s.unsettled = true
            return (id, nil, nil)
        }
        if let refused { return .failure(refused) }
        slots.take()
        outgoing.yield(item(id))
        return .success(waiter)
    }

    /// The requests of relayed batch `gate`, once they are made; it is forgotten by the connection.
    func requests(of gate: RelayGate) async -> [Request]? {
        let requests = await gate.requests()
        state.withLock { _ = $0.gates.removeValue(forKey: ObjectIdentifier(gate)) }
        return requests
    }

    /// The replies `waiter` gets, within the call timeout (past it, the connection fails).
    private func replies(of waiter: Waiter) -> [Reply] {
        if let replies = waiter.wait(timeout: callTimeout) { return replies }
        let error = SyftError.workerUnreachable(worker: workerID, reason: "no answer within \(callTimeout!)")
        fail(error)
        close()
        return waiter.wait(timeout: nil) ?? [.failure(sequence: 0, error: error)]
    }

    /// Whether batches were sent without waiting since the last batch that waited.
    var hasUnsettledBatches: Bool { state.withLock { $0.unsettled } }

    /// Ends the stream once the batches queued so far are written.
    func close() {
        let first = state.withLock { s -> Bool in
            defer { s.closed = true }
            return !s.closed
        }
        if first {
            outgoing.yield(.close)
            outgoing.finish()
        }
    }

    // MARK: - Replies

    private func takeDeferred() -> [Reply] {
        state.withLock { s in
            defer { s.deferred.removeAll() }
            return s.deferred
        }
    }

    /// The replies of batch `batch` arrived (batch 0: an error outside any batch).
    func complete(_ batch: UInt64, _ replies: [Reply]) {
        let fulfil: (Waiter, [Reply])? = state.withLock { s in
            guard let w = s.waiters.removeValue(forKey: batch) else {
                s.deferred += replies
                return nil
            }
            defer { s.deferred.removeAll() }
            return (w, s.deferred + replies)
        }
        if let (w, r) = fulfil { w.fulfil(r) }
    }

    /// The connection can carry nothing more: every waiting call, and every later one, gets `error`.
    func fail(_ error: SyftError) {
        let (waiters, gates): ([Waiter], [RelayGate]) = state.withLock { s in
            if s.broken == nil { s.broken = error }
            defer {
                s.waiters.removeAll()
                s.gates.removeAll()
            }
            return (s.waiters.sorted { $0.key < $1.key }.map(\.value), Array(s.gates.values))
        }
        for gate in gates { gate.open(nil) }
        handshake.signal()
        slots.close()
        let error = state.withLock { $0.broken! }
        for (i, w) in waiters.enumerated() {
            w.fulfil((i == 0 ? takeDeferred() : []) + [.failure(sequence: 0, error: error)])
        }
    }

    /// The worker is stopping: refuse new batches, let the answers to the sent ones arrive.
    func refuseNewBatches(_ error: SyftError) {
        state.withLock { s in if s.broken == nil { s.broken = error } }
        close()
    }

    // MARK: - Writing

    /// Signals that a queued batch was written (backpressure for `deliver`).
    func batchWritten() { slots.give() }

    /// The requests of a batch as the writer sends them: split within the message size, with the parts
    /// and the tensors whose data follows each.
    func encode(
        _ requests: [Request]
    ) -> (parts: [EncodedPart], tooLarge: (index: Int, bytes: Int)?, sizes: FrameSizes) {
        let sizes = state.withLock { $0.sizes }
        let encoded = encodeParts(count: requests.count, sizes: sizes) { range, chunks in
            Data(WireCodec.encode(Array(requests[range]), chunks: chunks))
        }
        return (encoded.parts, encoded.tooLarge, sizes)
    }

    /// A request too large to send: it fails here, and (as on the worker) what follows it is dropped
    /// until the next waiting batch, which reports the failure.
    func refuseTooLarge(_ request: Request, bytes: Int) {
        let sizes = state.withLock { $0.sizes }
        let error = SyftError.resourceExhausted(
            worker: workerID,
            reason:
                "\(request.name): a request of \(bytes) bytes exceeds the message limit of \(sizes.maxMessageBytes) bytes"
        )
        state.withLock { $0.deferred.append(.failure(sequence: 0, error: error)) }
    }

    func received(hello: Syft_V1_Hello) {
        state.withLock { s in
            s.hello = hello
            let limit = Swift.min(
                clientMaxMessageBytes, Swift.max(minimumMessageBytes, Int(clamping: hello.maxMessageBytes)))
            s.sizes = FrameSizes(maxMessageBytes: limit)
        }
        handshake.signal()
    }
}
