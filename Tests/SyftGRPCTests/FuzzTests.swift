import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import SyftCore
import SyftGRPC
import SyftRemote
import Synchronization
import XCTest
import _WorkerProcessSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Bytes sent as they are (to put any message on the stream).
struct RawSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

struct RawDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> [UInt8] {
        bytes.withUnsafeBytes { Array($0) }
    }
}

/// Hostile input for a bounded time: random and mutated frames and messages, and garbage on the TCP port.
/// The worker answers each stream with an error, never stops, and keeps serving a well-behaved client
/// correctly meanwhile.
final class FuzzTests: XCTestCase {
    func testFuzzedFramesWhileAClientIsServed() async throws {
        let bob = try startWorker("bob", ["--max-message-bytes", "1MiB", "--memory-budget", "64MiB"])
        let seconds = 6.0
        let deadline = Date().addingTimeInterval(seconds)
        // The well-behaved client, on a thread of its own.
        let good = try bob.connect()
        let goodRounds = Locked(0)
        let goodFailures = Locked<[String]>([])
        let goodDone = DispatchSemaphore(value: 0)
        Thread {
            var round = 0
            while Date() < deadline {
                do {
                    let values = (0..<5).map { Float($0 + round % 7) }
                    let x = try Tensor(shape: [5], scalars: values).send(to: good)
                    let got = try (x * 3 + 1).get().floats
                    if got != values.map({ $0 * 3 + 1 }) {
                        goodFailures.withLock { $0.append("round \(round): \(got)") }
                    }
                } catch {
                    goodFailures.withLock { $0.append("round \(round): \(error)") }
                }
                round += 1
            }
            goodRounds.withLock { $0 = round }
            goodDone.signal()
        }.start()

        var generator = SystemRandomNumberGenerator()
        let valid = WireCodec.encode([
            .object(
                id: 7, value: .tensor(TensorPayload(tensor: Tensor([1.0, 2, 3]), requiresGrad: false)),
                tags: ["#a"], description: ""),
            .command(
                op: .add, operands: [.object(7), .object(7)], results: [8], inPlace: false, gradEnabled: true),
            .definePlan(
                id: 9, inputs: [10], outputs: [11],
                requests: [
                    .command(
                        op: .mul, operands: [.object(10), .object(7)], results: [11], inPlace: false,
                        gradEnabled: true)
                ]),
            .runPlan(id: 9, arguments: [8], results: [12], batchSize: 2),
            .get(id: 8),
        ])
        func fuzzMessage(_ kind: Int) -> [UInt8] {
            func randomBytes(_ n: Int) -> [UInt8] {
                (0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            switch kind {
            case 0: return randomBytes(Int.random(in: 0..<600, using: &generator))
            case 1:
                var mutated = valid
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    mutated[Int.random(in: 0..<mutated.count, using: &generator)] ^= UInt8.random(
                        in: 1...255, using: &generator)
                }
                if Bool.random(using: &generator) {
                    mutated = Array(mutated.prefix(Int.random(in: 0..<mutated.count, using: &generator)))
                }
                return frame(
                    batch: UInt64.random(in: 0...3, using: &generator), wait: Bool.random(using: &generator),
                    requests: mutated, chunked: 0)
            case 2:
                return frame(
                    batch: 1, wait: true, requests: randomBytes(Int.random(in: 0..<300, using: &generator)),
                    chunked: 0)
            case 3:
                return frame(
                    batch: 1, wait: true, requests: valid,
                    chunked: UInt64.random(in: 0...(1 << 40), using: &generator))
            case 4:
                return
                    (try? Syft_V1_ClientFrame.with {
                        $0.chunk = .with {
                            $0.data = Data(randomBytes(Int.random(in: 0..<4096, using: &generator)))
                        }
                    }
                    .serializedBytes()) ?? []
            default: return []
            }
        }
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: bob.port), transportSecurity: .plaintext)
        let client = GRPCClient(transport: transport)
        let answers = Locked(0)
        var streams = 0
        var messages = 0
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await client.runConnections() }
            while Date() < deadline {
                let batch = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                    fuzzMessage(Int.random(in: 0...4, using: &generator))
                }
                messages += batch.count
                streams += 1
                var metadata: Metadata = [:]
                metadata.addString("Bearer \(bob.token)", forKey: "authorization")
                // The whole batch in one write: the transport takes it in one go, so that the worker's
                // error status cannot land between two of its messages. grpc-swift-nio-transport (2.9.2)
                // asserts in debug builds when a message follows the client's own close of a stream the
                // worker has already ended.
                let request = StreamingClientRequest<[UInt8]>(metadata: metadata) { writer in
                    try await writer.write(contentsOf: batch)
                }
                do {
                    try await client.bidirectionalStreaming(
                        request: request, descriptor: Syft_V1_WorkerService.Method.Connect.descriptor,
                        serializer: RawSerializer(),
                        deserializer: RawDeserializer(), options: .defaults
                    ) { response in
                        for try await bytes in response.messages {
                            let frame = try Syft_V1_ServerFrame(serializedBytes: bytes)
                            if case .replies(let r)? = frame.body,
                                let replies = try? WireCodec.decodeReplies(
                                    Array(r.replies), limits: .unlimited),
                                replies.contains(where: {
                                    if case .failure = $0 { return true } else { return false }
                                })
                            {
                                answers.withLock { $0 += 1 }
                            }
                        }
                    }
                } catch {
                    answers.withLock { $0 += 1 }  // the worker ended the stream with an error status
                }
                if streams % 10 == 0 { sendGarbage(port: bob.port, &generator) }
            }
            client.beginGracefulShutdown()
        }
        goodDone.wait()
        XCTAssertTrue(bob.process.isRunning, "the worker stopped")
        XCTAssertEqual(goodFailures.withLock { $0 }, [])
        XCTAssertGreaterThan(goodRounds.withLock { $0 }, 10)
        XCTAssertGreaterThan(streams, 10)
        XCTAssertGreaterThanOrEqual(answers.withLock { $0 }, streams / 2, "errors answered")
        let after = try bob.connect()
        XCTAssertEqual(try (Tensor([2.0]).send(to: after) * 2).get().floats, [4])
        print(
            "fuzz: \(streams) streams, \(messages) messages, \(answers.withLock { $0 }) error answers; good client \(goodRounds.withLock { $0 }) rounds"
        )
    }

    private func frame(batch: UInt64, wait: Bool, requests: [UInt8], chunked: UInt64) -> [UInt8] {
        (try? Syft_V1_ClientFrame.with {
            $0.batch = .with {
                $0.batch = batch
                $0.wait = wait
                $0.requests = Data(requests)
                $0.chunkedBytes = chunked
                $0.final = true
            }
        }.serializedBytes()) ?? []
    }

    /// Random bytes straight on the worker's TCP port (not even HTTP/2).
    private func sendGarbage(port: Int, _ generator: inout SystemRandomNumberGenerator) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return }
        var bytes = (0..<Int.random(in: 1...2048, using: &generator)).map { _ in
            UInt8.random(in: 0...255, using: &generator)
        }
        if Bool.random(using: &generator) { bytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + bytes }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
