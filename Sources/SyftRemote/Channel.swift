import SyftCore
import Synchronization

/// How requests reach a worker: in process (``VirtualWorker``), or over the network (SyftGRPC).
public protocol WorkerTransport: Sendable {
    /// Delivers `requests` in order. With `wait`, returns once the worker ran them, with the replies of the
    /// waiting requests and a failure for each request that failed, in this batch or in batches delivered
    /// before without waiting (a failure's request is named by the error itself). Without `wait`, it
    /// returns at once and reports nothing: the failures of such a batch come with the next waiting
    /// delivery, whose waiting request the worker then skips (Note [After a failure]).
    func deliver(_ requests: [Request], wait: Bool) -> [Reply]

    /// Delivers `requests` as a waiting batch and returns without waiting: `wait()` on what it returns
    /// gives what `deliver(requests, wait: true)` would have. A client that waits for several workers
    /// starts a batch on each, then waits for each, so that the workers run at the same time.
    func start(_ requests: [Request]) -> PendingReplies

    /// Delivers a waiting batch made from the replies of a batch started on another worker (Note [Relayed
    /// batches]): once `previous` has its replies, `prepare` makes the batch from `requests` and them, and
    /// it goes out, after everything delivered here before this call and before anything delivered after
    /// it. When `prepare` returns nil, nothing goes out and the replies are one failure. Returns without
    /// waiting.
    func start(
        _ requests: [Request], after previous: PendingReplies,
        prepare: @escaping @Sendable ([Request], [Reply]) -> [Request]?
    ) -> PendingReplies
}

extension WorkerTransport {
    /// Delivers and waits at once: for a transport whose worker runs in the caller's thread.
    public func start(_ requests: [Request]) -> PendingReplies {
        let replies = deliver(requests, wait: true)
        return PendingReplies { replies }
    }

    /// Waits for `previous` here, then starts the batch `prepare` makes: for a transport that cannot
    /// act on the replies where they arrive.
    public func start(
        _ requests: [Request], after previous: PendingReplies,
        prepare: @escaping @Sendable ([Request], [Reply]) -> [Request]?
    ) -> PendingReplies {
        startAfterWaiting(requests, for: previous, prepare: prepare)
    }

    /// `start(_:after:prepare:)` on the caller's thread: waits for `previous`, then starts the batch
    /// `prepare` makes, or none (its replies are then one failure).
    package func startAfterWaiting(
        _ requests: [Request], for previous: PendingReplies,
        prepare: ([Request], [Reply]) -> [Request]?
    ) -> PendingReplies {
        guard let batch = prepare(requests, previous.wait()) else {
            return PendingReplies { [.failure(sequence: 0, error: relayCancelled)] }
        }
        return start(batch)
    }
}

/// The failure of a relayed batch that was not sent: the batch it depended on failed (Note [Relayed
/// batches]).
package let relayCancelled = SyftError.invalidCommand(
    op: "relay", reason: "not sent: the batch whose replies it needed failed")

// Note [Relayed batches]
// In tutorial 2's training the model goes from one owner to the next through the client: the client waits
// for the first owner's answer, then sends the parameters in it to the second. Waiting costs the client's
// thread two wake-ups and the work between them (its event loop hands it the answer, it hands its event
// loop the next batch), about a tenth of a millisecond a visit on a virtual machine. A relayed batch is
// made where the answer arrives instead: the trainer prepares the next visit in advance (its plans' runs,
// the gets, the parameters' sends with stand-in values, each under its id), and `prepare` puts the
// parameters of the answer in place of the stand-ins when it comes. The order of a worker's batches is
// kept: the relayed batch takes its place when it is started, and what is delivered after it waits for
// it. A transport that cannot act where answers arrive waits for them on the caller's thread (the
// default); a network connection does it on its event loop (SyftGRPC).

/// The replies of a waiting batch on their way (``WorkerTransport/start(_:)``).
///
/// ```swift
/// let pending = transport.start([.synchronize])
/// // ... start batches on other workers ...
/// let replies = pending.wait()
/// ```
public struct PendingReplies {
    private let take: () -> [Reply]
    /// Calls a handler once with the replies, on the thread where they arrive (at once when they are here);
    /// nil when the transport cannot.
    package let whenReady: ((@escaping @Sendable ([Reply]) -> Void) -> Void)?

    /// Replies that `take` returns, waiting for them if need be.
    public init(_ take: @escaping () -> [Reply]) {
        self.take = take
        whenReady = nil
    }

    /// Replies that `take` returns, and `whenReady` hands to a handler where they arrive.
    package init(
        _ take: @escaping () -> [Reply], whenReady: @escaping (@escaping @Sendable ([Reply]) -> Void) -> Void
    ) {
        self.take = take
        self.whenReady = whenReady
    }

    /// Waits for the replies (again and again: the same replies).
    public func wait() -> [Reply] { take() }
}

// Note [Pipelining]
// A client picks result ids itself, so commands need no answer: they queue in the worker's channel and
// go out as one message when a call waits for the worker (get, backward, grad, search, synchronize) or
// when the queue reaches `batchLimit`. A failure surfaces, as a thrown `SyftError`, at the next call
// that waits. Deleting a pointer only queues a delete (a pointer's deinit never talks to a worker).
//
// Note [Collected deletes]
// A loop of remote operations drops a pointer per operation, so a batch would alternate commands and
// one-id deletes, and each delete would cost as much to encode, decode and dispatch as the command. So
// the deletes of small objects are collected and go out as one request at the end of the next batch
// (before its waiting request, so that what the waiting call sees has them applied). This only ever
// moves a delete later, past requests that cannot name the object (nobody holds a pointer to it any
// more); the objects live a little longer on the worker, at most `heldDeleteBytes` of them: past that,
// the collected deletes join the queue where they are.

/// The client side of a worker: a queue of requests, flushed as one batch, and the first failure not yet
/// reported.
public final class Channel: Sendable {
    struct State {
        var queue: [Request] = []
        var failure: SyftError?
        /// Deletes collected to go out as one request with the next batch (Note [Collected deletes]).
        var deletes: [ObjectID] = []
        /// The bytes of the objects in `deletes`.
        var deleteBytes = 0
        /// The plan being recorded from what is posted (Note [Plans]).
        var recording: PlanRecording?

        /// Moves the collected deletes into the queue, as one request.
        mutating func queueDeletes() {
            guard !deletes.isEmpty else { return }
            queue.append(.delete(ids: deletes))
            deletes.removeAll(keepingCapacity: true)
            deleteBytes = 0
        }

        /// Takes everything queued, the collected deletes last, then `requests`: the next batch.
        mutating func takeBatch(_ requests: [Request] = []) -> [Request] {
            queueDeletes()
            defer { queue.removeAll(keepingCapacity: true) }
            return requests.isEmpty ? queue : queue + requests
        }
    }
    /// The most bytes of objects whose deletes are held back (Note [Collected deletes]).
    static let heldDeleteBytes = 1 << 20
    let transport: any WorkerTransport
    let state = Mutex(State())
    /// Requests queued before a batch goes out without waiting.
    public let batchLimit: Int

    public init(transport: any WorkerTransport, batchLimit: Int = 512) {
        self.transport = transport
        self.batchLimit = batchLimit
    }

    /// Queues a request that needs no answer; sends the queue when it is full. While a plan is recorded,
    /// the request is also recorded, with the metadata of the objects it reads (`operandMetas`, in the
    /// order of its operands, for commands and detaches; callers pass them only while
    /// `PlanContext.isActive`).
    func post(_ request: Request, operandMetas: [TensorMeta] = []) {
        // Recording is rare: its work stays out of this path, which every remote operation takes.
        if PlanContext.isActive { noteWhileRecording(request, operandMetas: operandMetas) }
        let full: [Request]? = state.withLock { s in
            s.queue.append(request)
            guard s.queue.count >= batchLimit else { return nil }
            return s.takeBatch()
        }
        if let full { record(transport.deliver(full, wait: false), for: full) }
    }

    /// What `post` does while some plan is being recorded (Note [Plans]): records the request when this
    /// channel records, and fails the recording when another channel records in this task.
    @inline(never)
    private func noteWhileRecording(_ request: Request, operandMetas: [TensorMeta]) {
        if let other = PlanContext.otherRecording(than: self) {
            other.noteFailedRecording(PlanContext.otherWorkerError)
        }
        state.withLock { s in
            if s.recording != nil { s.recording!.append(request, operandMetas: operandMetas) }
        }
    }

    /// Collects the delete of an object of `bytes` bytes (never sends from a deinit; Note [Collected
    /// deletes]).
    func postDelete(_ id: ObjectID, bytes: Int) {
        let recording = PlanContext.isActive
        state.withLock { s in
            if recording && s.recording != nil { s.recording!.delete(id) }
            s.deletes.append(id)
            s.deleteBytes += bytes
            if s.deleteBytes > Self.heldDeleteBytes || s.deletes.count >= batchLimit { s.queueDeletes() }
        }
    }

    /// Sends the queue and `request`, waits for the worker, and returns `request`'s reply.
    /// - Throws: the first failure of any earlier request, or of this one.
    func call(_ request: Request) throws(SyftError) -> Reply {
        if let recorded = try recordInstead(of: request) { return recorded }
        // A command already known to have failed: report it before anything else runs, so the waiting
        // request (a get, say) is not carried out and nothing is lost; a retry then runs it.
        if let failure = takeFailure() { throw failure }
        let batch: [Request] = state.withLock { $0.takeBatch([request]) }
        let replies = transport.deliver(batch, wait: true)
        record(replies, for: batch)
        if let failure = takeFailure() { throw failure }
        guard let reply = replies.last(where: { if case .failure = $0 { return false } else { return true } })
        else {
            throw .invalidMessage(reason: "the worker sent no reply to \(request.name)")
        }
        return reply
    }

    /// Sends the queue and `requests` (waiting requests that answer one reply each, such as gets) as one
    /// batch, waits once, and returns each request's reply or failure, in order; one round trip for all.
    ///
    /// A `synchronize` goes first: when something queued before failed, the worker skips it (Note [After a
    /// failure]) and still runs `requests`, so their replies arrive and nothing they fetch is lost; that
    /// earlier failure comes back as `earlier`, for the caller to throw once it has kept the replies.
    /// - Throws: a failure known before sending (nothing is sent then), or a reply set that does not match.
    func callEach(
        _ requests: [Request]
    ) throws(SyftError) -> (replies: [Result<Reply, SyftError>], earlier: SyftError?) {
        try finishEach(try startEach(requests))
    }

    /// A `callEach` sent, its replies not yet taken.
    struct PendingEach {
        let batch: [Request]
        let replies: PendingReplies
        let count: Int
    }

    /// The first half of `callEach`: sends the batch and returns without waiting.
    /// - Throws: a failure known before sending (nothing is sent then).
    func startEach(_ requests: [Request]) throws(SyftError) -> PendingEach {
        try startEach(requests) { transport.start($0) }
    }

    /// `startEach`, relayed (Note [Relayed batches]): the batch goes out once `previous` has its replies,
    /// as `prepare` makes it from them (with the requests queued so far, which it may rewrite too).
    /// - Throws: a failure known before sending (nothing is sent then).
    func startEach(
        _ requests: [Request], after previous: PendingReplies,
        prepare: @escaping @Sendable ([Request], [Reply]) -> [Request]?
    ) throws(SyftError) -> PendingEach {
        try startEach(requests) { transport.start($0, after: previous, prepare: prepare) }
    }

    /// The queue, a `synchronize` and `requests` as one batch, started by `start`.
    private func startEach(
        _ requests: [Request], _ start: ([Request]) -> PendingReplies
    ) throws(SyftError) -> PendingEach {
        if let first = requests.first { _ = try recordInstead(of: first) }
        if let failure = takeFailure() { throw failure }
        let batch: [Request] = state.withLock { $0.takeBatch([.synchronize] + requests) }
        return PendingEach(batch: batch, replies: start(batch), count: requests.count)
    }

    /// The second half of `callEach`: waits for the replies of `pending`.
    /// - Throws: a reply set that does not match.
    func finishEach(
        _ pending: PendingEach
    ) throws(SyftError) -> (replies: [Result<Reply, SyftError>], earlier: SyftError?) {
        let replies = pending.replies.wait()
        // Each request answers exactly one reply, the last ones of the batch (earlier failures, reported
        // with this delivery, come before them).
        guard replies.count >= pending.count else {
            record(replies, for: pending.batch)
            throw takeFailure()
                ?? .invalidMessage(
                    reason: "the worker sent \(replies.count) replies for \(pending.count) requests")
        }
        let mine = replies.suffix(pending.count).map { r -> Result<Reply, SyftError> in
            if case .failure(_, let e) = r { return .failure(e) } else { return .success(r) }
        }
        var earlier: SyftError?
        for case .failure(_, let e) in replies.dropLast(pending.count) {
            earlier = e
            break
        }
        return (mine, earlier)
    }

    /// Sends everything queued and waits until the worker ran it.
    /// - Throws: the first failure not yet reported.
    public func synchronize() throws(SyftError) { _ = try call(.synchronize) }

    /// Sends everything queued without waiting.
    public func flush() {
        let batch: [Request] = state.withLock { $0.takeBatch() }
        if !batch.isEmpty { record(transport.deliver(batch, wait: false), for: batch) }
    }

    /// Whether requests are queued, not yet sent.
    package var hasQueuedRequests: Bool { state.withLock { !$0.queue.isEmpty || !$0.deletes.isEmpty } }

    /// The number of requests queued, not yet sent (a mark for `dropQueued(from:)`).
    var queuedCount: Int { state.withLock { $0.queue.count } }

    /// Drops the requests queued from position `mark` on: requests posted for a batch that will not go out.
    func dropQueued(from mark: Int) {
        state.withLock { s in if mark < s.queue.count { s.queue.removeSubrange(mark...) } }
    }

    // MARK: - Recording plans

    /// Whether a plan is being recorded from what is posted here.
    var isRecording: Bool { state.withLock { $0.recording != nil } }

    /// Starts recording the requests posted here into a plan with inputs `inputs` (Note [Plans]).
    /// - Throws: when a plan is being recorded here already.
    func startRecording(inputs: [ObjectID]) throws(SyftError) {
        try state.withLock { s throws(SyftError) in
            guard s.recording == nil else {
                throw .invalidCommand(op: "plan", reason: "a plan is being recorded on this worker already")
            }
            s.recording = PlanRecording(inputs: inputs)
        }
    }

    /// Marks the recording as failed with `error` (kept when it is the first).
    func noteFailedRecording(_ error: SyftError) {
        state.withLock { s in
            if s.recording != nil && s.recording!.error == nil { s.recording!.error = error }
        }
    }

    /// Stops recording and returns what was recorded (nil when nothing was).
    func stopRecording() -> PlanRecording? {
        state.withLock { s in
            defer { s.recording = nil }
            return s.recording
        }
    }

    /// While recording, a waiting request cannot be part of a plan: a backward is recorded (and sent)
    /// pipelined instead, answered `.ok`; anything else throws. Nil when not recording.
    private func recordInstead(of request: Request) throws(SyftError) -> Reply? {
        if PlanContext.otherRecording(than: self) != nil { throw PlanContext.otherWorkerError }
        guard isRecording else { return nil }
        if case .backward(let id, let gradient, let retain, true) = request {
            post(.backward(id: id, gradient: gradient, retainGraph: retain, wait: false))
            return .ok
        }
        throw .invalidCommand(
            op: request.name,
            reason:
                "it waits for the worker's answer, which a plan cannot record; a plan records only what needs no answer (operations, backward, optimizer steps)"
        )
    }

    /// Keeps `error` to report at the next waiting call (a command found invalid before it was sent).
    package func recordFailure(_ error: SyftError) {
        state.withLock { s in if s.failure == nil { s.failure = error } }
    }

    /// Keeps the first failure in `replies` to report at the next waiting call.
    private func record(_ replies: [Reply], for batch: [Request]) {
        for case .failure(_, let error) in replies {
            state.withLock { s in if s.failure == nil { s.failure = error } }
            return
        }
    }

    /// Forgets the pending failure when it is `error` (reported already, through a failed pointer).
    func forgetFailure(_ error: SyftError) {
        state.withLock { s in if s.failure == error { s.failure = nil } }
    }

    private func takeFailure() -> SyftError? {
        state.withLock { s in
            defer { s.failure = nil }
            return s.failure
        }
    }
}
