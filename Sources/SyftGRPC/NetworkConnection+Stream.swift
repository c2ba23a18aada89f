import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SyftRemote

extension NetworkConnection {
    /// Runs the connection and its Connect stream in the background until the stream ends.
    func start(_ outgoing: AsyncStream<Outgoing>) {
        let client = self.client
        let metadata = self.metadata
        let executor = streamExecutor
        var options = CallOptions.defaults
        options.maxRequestMessageBytes = clientMaxMessageBytes
        options.maxResponseMessageBytes = clientMaxMessageBytes
        Task.detached { [self] in
            await withDiscardingTaskGroup { group in
                group.addTask { try? await client.runConnections() }
                do {
                    try await withTaskExecutorPreference(executor) {
                        try await Syft_V1_WorkerService.Client(wrapping: client).connect(
                            metadata: metadata, options: options,
                            requestProducer: { writer in try await self.writeBatches(outgoing, writer) },
                            onResponse: { response in try await self.readReplies(response.messages) })
                    }
                    fail(.workerUnreachable(worker: workerID, reason: "the worker ended the connection"))
                } catch {
                    fail(syftError(error))
                }
                client.beginGracefulShutdown()
            }
        }
    }

    /// The typed error for why the stream failed.
    private func syftError(_ error: any Error) -> SyftError {
        if let e = error as? SyftError { return e }
        if let rpc = error as? RPCError {
            switch rpc.code {
            case .unauthenticated: return .unauthenticated(reason: rpc.message)
            case .resourceExhausted: return .resourceExhausted(worker: workerID, reason: rpc.message)
            default: return .workerUnreachable(worker: workerID, reason: "\(rpc.code): \(rpc.message)")
            }
        }
        return .workerUnreachable(worker: workerID, reason: "\(error)")
    }

    // MARK: - Writer

    private func writeBatches(
        _ outgoing: AsyncStream<Outgoing>, _ writer: RPCWriter<Syft_V1_ClientFrame>
    ) async throws {
        // After a request too large to send, the rest is dropped (deletes excepted) until a batch waits.
        var dropping = false
        for await item in outgoing {
            let (id, wait): (UInt64, Bool)
            var requests: [Request]
            switch item {
            case .close: return
            case .batch(let b, let r, let w): (id, requests, wait) = (b, r, w)
            case .relayed(let b, let gate):
                guard let relayed = await self.requests(of: gate) else {
                    // Not sent: its replies are the failure (after those of batches that did not wait).
                    complete(b, [.failure(sequence: 0, error: relayCancelled)])
                    batchWritten()
                    continue
                }
                (id, requests, wait) = (b, relayed, true)
            }
            defer { batchWritten() }
            if dropping {
                requests = requests.filter { if case .delete = $0 { return true } else { return false } }
                if wait { dropping = false }
            }
            let encoded = encode(requests)
            let sizes = encoded.sizes
            var parts = encoded.parts
            if let (index, bytes) = encoded.tooLarge {
                refuseTooLarge(requests[index], bytes: bytes)
                dropping = !wait
            }
            if parts.isEmpty {
                parts = [EncodedPart(bytes: Data(), range: 0..<0, tensors: [], chunkedBytes: 0)]
            }
            for (i, part) in parts.enumerated() {
                let last = i == parts.count - 1
                try await writer.write(
                    .with {
                        $0.batch = .with {
                            $0.batch = id
                            $0.wait = wait && last
                            $0.requests = part.bytes
                            $0.chunkedBytes = UInt64(part.chunkedBytes)
                            $0.final = last
                        }
                    })
                try await forEachChunk(of: part.tensors, chunkBytes: sizes.chunkBytes) { data in
                    try await writer.write(.with { $0.chunk = .with { $0.data = data } })
                }
            }
        }
    }

    // MARK: - Reader

    private func readReplies(_ frames: RPCAsyncSequence<Syft_V1_ServerFrame, any Error>) async throws {
        var pending: IncomingPart<Reply>?
        var collected: [Reply] = []
        let limits = WorkerLimits(
            maxTensorBytes: .max / 4, memoryBudget: .max / 4, maxMessageBytes: clientMaxMessageBytes)
        func finishPart(_ part: IncomingPart<Reply>) {
            collected += part.items
            if part.isFinal {
                complete(part.batch, collected)
                collected = []
            }
        }
        for try await frame in frames {
            switch frame.body {
            case .hello(let hello)?:
                if let expected = expectedWorkerID, hello.workerID != expected {
                    throw SyftError.workerUnreachable(
                        worker: expected,
                        reason: "the worker at this address is '\(hello.workerID)', not '\(expected)'")
                }
                received(hello: hello)
            case .replies(let r)?:
                guard pending == nil else {
                    throw SyftError.invalidMessage(
                        reason: "replies arrived before the tensor data of the ones before")
                }
                let sink = ChunkedTensorSink(budget: .max / 4)
                let replies: [Reply]
                do throws(SyftError) {
                    replies = try WireCodec.decodeReplies(r.replies, limits: limits, chunks: sink)
                } catch {
                    throw SyftError.invalidMessage(reason: "the worker's answer does not decode: \(error)")
                }
                guard UInt64(sink.byteCount) == r.chunkedBytes else {
                    throw SyftError.invalidMessage(
                        reason: "the worker's answer announces more tensor data than it holds")
                }
                let part = IncomingPart(
                    batch: r.batch, wait: false, isFinal: r.final, items: replies, sink: sink)
                if part.isComplete { finishPart(part) } else { pending = part }
            case .chunk(let c)?:
                guard let part = pending, let sink = part.sink else {
                    throw SyftError.invalidMessage(
                        reason: "tensor data from the worker where none was announced")
                }
                let failure: SyftError? = c.data.withUnsafeBytes { raw in
                    do throws(SyftError) {
                        try sink.write(raw)
                        return nil
                    } catch {
                        return error
                    }
                }
                if let failure { throw failure }
                if sink.isComplete {
                    pending = nil
                    finishPart(part)
                }
            case .goodbye(let g)?:
                refuseNewBatches(.workerUnreachable(worker: workerID, reason: g.reason))
            case nil:
                continue
            }
        }
    }
}
