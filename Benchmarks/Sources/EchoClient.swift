import Dispatch
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A client of the echo anchor, built like NetworkWorker's connection (Note [Network anchors]).
final class EchoStreamClient: @unchecked Sendable {
    private let outgoing: AsyncStream<[UInt8]>.Continuation
    private let received = Mutex<(count: Int, bytes: Int)>((0, 0))
    private let waiting = Mutex<(target: Int, semaphore: DispatchSemaphore)?>(nil)
    private let client: GRPCClient<HTTP2ClientTransport.Posix>

    init(port: Int) throws {
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext,
            config: .defaults { config in
                config.http2.maxFrameSize = 1 << 20
                config.http2.targetWindowSize = 8 << 20
                config.connection.flushCoalescing = nil
            })
        let client = GRPCClient(transport: transport)
        self.client = client
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        outgoing = continuation
        var options = CallOptions.defaults
        options.maxRequestMessageBytes = 4 << 20
        options.maxResponseMessageBytes = 4 << 20
        Task.detached { [self] in
            await withDiscardingTaskGroup { group in
                group.addTask { try? await client.runConnections() }
                let request = StreamingClientRequest<[UInt8]> { writer in
                    for await m in stream { try await writer.write(m) }
                }
                _ = try? await client.bidirectionalStreaming(
                    request: request, descriptor: echoMethod, serializer: RawBytesSerializer(),
                    deserializer: RawBytesDeserializer(),
                    options: options
                ) { response in
                    for try await m in response.messages { self.arrived(m.count) }
                }
                client.beginGracefulShutdown()
            }
        }
    }

    private func arrived(_ bytes: Int) {
        let count = received.withLock { r -> Int in
            r.count += 1
            r.bytes += bytes
            return r.count
        }
        let done: DispatchSemaphore? = waiting.withLock { w in
            guard let (target, semaphore) = w, count >= target else { return nil }
            w = nil
            return semaphore
        }
        done?.signal()
    }

    /// Sends `messages` without waiting, then blocks until all their echoes arrived.
    func exchange(_ messages: [[UInt8]]) {
        let semaphore = DispatchSemaphore(value: 0)
        let target = received.withLock { $0.count } + messages.count
        waiting.withLock { $0 = (target, semaphore) }
        for m in messages { outgoing.yield(m) }
        semaphore.wait()
    }

    func close() { outgoing.finish() }
}

/// A blocking TCP connection to the ping-pong anchor.
final class TCPPingPong {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard r == 0 else { throw BenchError("cannot connect to the TCP anchor") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// One round trip of `bytes`.
    func roundTrip(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var got = 0
        var buffer = [UInt8](repeating: 0, count: bytes.count)
        while got < bytes.count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, bytes.count - got, 0) }
            if n <= 0 { return }
            got += n
        }
    }

    deinit { close(fd) }
}
