import Foundation
import GRPCCore
import SwiftProtobuf
import SyftRemote

/// One client connection to a worker: its Connect stream. A reader task decodes the client's frames,
/// assembles chunked tensor data, runs each batch (on the execution thread, or on the reader's task per
/// Note [Answering on the stream's task]) and writes its replies with their chunks itself; the response
/// producer writes the Hello, and the Goodbye when the worker stops (Note [Writing replies where they are
/// made]).
final class ServerSession: Sendable {
    enum Outgoing: Sendable {
        case goodbye(String)
        case end
    }
    let service: WorkerService
    let number: UInt64
    let identity: ClientID
    let replySizes: FrameSizes
    private let outbox: AsyncStream<Outgoing>
    private let post: AsyncStream<Outgoing>.Continuation
    /// Serializes the writes of the reader (replies) and of the response producer (the Goodbye).
    private let gate = WriteGate()

    /// The key of this connection's failure state in the runtime (Note [After a failure]).
    var key: String { "\(identity)#\(number)" }

    init(service: WorkerService, number: UInt64, identity: ClientID, replySizes: FrameSizes) {
        self.service = service
        self.number = number
        self.identity = identity
        self.replySizes = replySizes
        (outbox, post) = AsyncStream.makeStream(of: Outgoing.self)
    }

    func sayGoodbye(_ reason: String) { post.yield(.goodbye(reason)) }

    func close() { post.yield(.end) }

    /// Serves the stream until the client closes it (or the worker closes the session).
    func run(
        _ messages: RPCAsyncSequence<Syft_V1_ClientFrame, any Error>, _ writer: RPCWriter<Syft_V1_ServerFrame>
    ) async {
        let limits = service.runtime.limits
        let hello = Syft_V1_ServerFrame.with {
            $0.hello = .with {
                $0.workerID = service.runtime.id
                $0.clientID = identity
                $0.maxMessageBytes = UInt64(limits.maxMessageBytes)
                $0.maxTensorBytes = UInt64(limits.maxTensorBytes)
                $0.memoryBudget = UInt64(limits.memoryBudget)
            }
        }
        do {
            // Before the reader starts, so that nothing is written ahead of the Hello.
            try await writer.write(hello)
        } catch {
            service.logger.debug("client \(identity.prefix(8)): \(error)")
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var reader = SessionReader(session: self, writer: writer)
                await reader.read(messages)
                self.post.yield(.end)
            }
            do {
                for await item in outbox {
                    guard case .goodbye(let reason) = item else { break }
                    try await gate.withGate {
                        try await writer.write(.with { $0.goodbye = .with { $0.reason = reason } })
                    }
                }
            } catch {
                service.logger.debug("client \(identity.prefix(8)): \(error)")
            }
            group.cancelAll()
        }
    }

    // Note [Writing replies where they are made]
    // The reader runs a client's batches one after another, so it can write each batch's replies as soon
    // as they are made, on its own task, in order: the bare echo's path, without handing the replies to
    // another task first (a thread wake-up on every round trip). The only other writer is the response
    // producer, for the Goodbye when the worker stops; the gate keeps a Goodbye out of the middle of a
    // reply and its chunks. A write that fails (the client has gone) ends the session.

    /// Writes the replies of a batch (see Note [Writing replies where they are made]).
    func send(_ replies: [Reply], batch: UInt64, _ writer: RPCWriter<Syft_V1_ServerFrame>) async {
        do {
            try await gate.withGate { try await write(replies, batch: batch, writer) }
        } catch {
            service.logger.debug("client \(identity.prefix(8)): \(error)")
            post.yield(.end)
        }
    }

    /// Writes replies in parts within the client's message size, each followed by its chunked tensors.
    private func write(
        _ replies: [Reply], batch: UInt64, _ writer: RPCWriter<Syft_V1_ServerFrame>
    ) async throws {
        var replies = replies
        var encoded = encodeParts(count: replies.count, sizes: replySizes) { range, chunks in
            Data(WireCodec.encode(Array(replies[range]), chunks: chunks))
        }
        while let (index, bytes) = encoded.tooLarge {
            let error = SyftError.resourceExhausted(
                worker: service.runtime.id,
                reason:
                    "the answer is \(bytes) bytes, over the message limit of \(replySizes.maxMessageBytes)")
            if case .failure(let sequence, _) = replies[index] {
                replies[index] = .failure(sequence: sequence, error: error)
            } else {
                replies[index] = .failure(sequence: 0, error: error)
            }
            encoded = encodeParts(count: replies.count, sizes: replySizes) { range, chunks in
                Data(WireCodec.encode(Array(replies[range]), chunks: chunks))
            }
        }
        if encoded.parts.isEmpty {
            encoded.parts = [EncodedPart(bytes: Data(), range: 0..<0, tensors: [], chunkedBytes: 0)]
        }
        for (i, part) in encoded.parts.enumerated() {
            try await writer.write(
                .with {
                    $0.replies = .with {
                        $0.batch = batch
                        $0.replies = part.bytes
                        $0.chunkedBytes = UInt64(part.chunkedBytes)
                        $0.final = i == encoded.parts.count - 1
                    }
                })
            try await forEachChunk(of: part.tensors, chunkBytes: replySizes.chunkBytes) { data in
                try await writer.write(.with { $0.chunk = .with { $0.data = data } })
            }
        }
    }
}

/// The wire form of a message (encoding a message we built cannot fail).
func serialized(_ message: some SwiftProtobuf.Message) -> Data {
    (try? message.serializedBytes()) ?? Data()
}

/// The client's side of a session: frames in, batches run in order.
struct SessionReader {
    let session: ServerSession
    let writer: RPCWriter<Syft_V1_ServerFrame>
    var pending: IncomingPart<Request>?
    /// Bytes of chunk data to drop (of a part that could not be received).
    var skip = 0
    /// The batch whose parts are arriving: its number, how many requests came before this part, and the
    /// replies so far.
    var current: (batch: UInt64, offset: Int, replies: [Reply])?

    init(session: ServerSession, writer: RPCWriter<Syft_V1_ServerFrame>) {
        self.session = session
        self.writer = writer
    }

    var runtime: WorkerRuntime { session.service.runtime }

    mutating func read(_ messages: RPCAsyncSequence<Syft_V1_ClientFrame, any Error>) async {
        do {
            for try await frame in messages {
                switch frame.body {
                case .batch(let b)?: await receive(b)
                case .chunk(let c)?: await receive(chunk: c.data)
                case nil: await protocolError("a frame with no body")
                }
            }
        } catch {
            session.service.logger.debug("client \(session.identity.prefix(8)): the stream ended: \(error)")
        }
        release()
    }

    private mutating func receive(_ b: Syft_V1_BatchFrame) async {
        if pending != nil || skip > 0 {
            await protocolError("a batch arrived before all tensor data of the one before")
            release()
            skip = 0
        }
        if let c = current, c.batch != b.batch {
            await protocolError("batch \(b.batch) began before batch \(c.batch) ended")
            current = nil
        }
        let limits = runtime.limits
        let budget = Swift.max(
            0, limits.memoryBudget - runtime.bytesHeld - session.service.receiving.load(ordering: .relaxed))
        let sink = ChunkedTensorSink(budget: budget)
        let requests: [Request]
        do throws(SyftError) {
            requests = try WireCodec.decodeRequests(b.requests, limits: limits, chunks: sink)
            guard UInt64(sink.byteCount) == b.chunkedBytes else {
                throw .invalidMessage(
                    reason:
                        "the batch announces \(b.chunkedBytes) bytes of tensor data but its tensors hold \(sink.byteCount)"
                )
            }
        } catch {
            await fail(b, error.naming(worker: runtime.id))
            return
        }
        session.service.receiving.add(sink.byteCount, ordering: .relaxed)
        pending = IncomingPart(batch: b.batch, wait: b.wait, isFinal: b.final, items: requests, sink: sink)
        if sink.isComplete { await execute() }
    }

    private mutating func receive(chunk data: Data) async {
        if skip > 0 {
            guard data.count <= skip else {
                skip = 0
                return await protocolError("more tensor data than announced")
            }
            skip -= data.count
            return
        }
        guard let part = pending, let sink = part.sink else {
            return await protocolError("tensor data where none was announced")
        }
        let failure: SyftError? = data.withUnsafeBytes { raw in
            do throws(SyftError) {
                try sink.write(raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            skip = 0
            release()
            return await protocolError(failure.description)
        }
        if sink.isComplete { await execute() }
    }

    /// Runs the pending part on the execution thread and collects its replies.
    private mutating func execute() async {
        guard let part = pending else { return }
        pending = nil
        if current == nil { current = (part.batch, 0, []) }
        let offset = current!.offset
        let runtime = self.runtime
        let peers = session.service.peers
        let (client, key) = (session.identity, session.key)
        let requests = part.items
        let settleWaiting = part.wait && part.isFinal
        let replies: [Reply]
        if let answered = Self.answerInline(requests, runtime, peers, client: client, key: key) {
            replies = answered
        } else {
            replies = await session.service.execution.run {
                let replies = runtime.handle(requests, client: client, session: key)
                peers.settle(waiting: settleWaiting)
                return replies
            }
        }
        session.service.receiving.add(-(part.sink?.byteCount ?? 0), ordering: .relaxed)
        current!.replies += replies.map { $0.offsettingSequence(by: offset) }
        current!.offset += requests.count
        if part.isFinal { await finish(part.batch, wait: part.wait) }
    }

    // Note [Answering on the stream's task]
    // A batch that can wait on nothing and is known to be short (Note [Quick batches], SyftRemote: moves,
    // small commands, plan runs whose last run here was short) runs here, on the stream's task, instead of
    // on the execution thread, when the worker holds no connection to another worker and the store is free
    // at that moment: two thread hand-offs fewer (Note [The execution thread]), each tens of microseconds
    // when the other core sleeps. Short means within `inlineBudget`, so that no other connection waits
    // long for the event loop. Anything else, or a store in use, goes to the execution thread as before;
    // this task never waits for the store's lock.

    /// The longest batch the stream's task runs itself (Note [Answering on the stream's task]).
    static let inlineBudget = Duration.milliseconds(5)

    /// Runs `requests` here when Note [Answering on the stream's task] allows it; nil otherwise.
    private static func answerInline(
        _ requests: [Request], _ runtime: WorkerRuntime, _ peers: PeerWorkers, client: ClientID, key: String
    ) -> [Reply]? {
        guard peers.isEmpty else { return nil }
        return runtime.handleIfQuick(requests, client: client, session: key, within: inlineBudget)
    }

    /// A part that cannot run: its failure is reported with its batch; what follows is skipped until the
    /// client's next waiting request (Note [After a failure]).
    private mutating func fail(_ b: Syft_V1_BatchFrame, _ error: SyftError) async {
        skip = Int(clamping: b.chunkedBytes)
        if current == nil { current = (b.batch, 0, []) }
        current!.replies.append(.failure(sequence: current!.offset, error: error))
        if !(b.wait && b.final) { runtime.recordFailure(session: session.key) }
        if b.final { await finish(b.batch, wait: b.wait) }
    }

    private mutating func finish(_ batch: UInt64, wait: Bool) async {
        guard let c = current else { return }
        current = nil
        if wait || !c.replies.isEmpty { await session.send(c.replies, batch: batch, writer) }
    }

    /// Frames out of order: answered with an error, outside any batch (batch 0).
    private func protocolError(_ reason: String) async {
        await session.send([.failure(sequence: 0, error: .invalidMessage(reason: reason))], batch: 0, writer)
    }

    /// Drops a part that will not run, with the bytes it had reserved.
    private mutating func release() {
        if let sink = pending?.sink { session.service.receiving.add(-sink.byteCount, ordering: .relaxed) }
        pending = nil
    }
}

extension SyftError {
    /// The error with the worker's id filled in where the codec left it empty.
    func naming(worker: String) -> SyftError {
        if case .resourceExhausted(let w, let reason) = self, w.isEmpty {
            return .resourceExhausted(worker: worker, reason: reason)
        }
        return self
    }
}
