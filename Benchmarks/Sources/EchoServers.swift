import Dispatch
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// Note [Network anchors]
// What the engine costs, measured in the same run as our network cases and in the same shape: a bare
// grpc-swift 2 echo server in a child process (raw bytes, no protobuf, the same HTTP/2 settings as a
// worker: 1 MiB frames, 8 MiB windows, no flush coalescing), reached by a client built like
// NetworkWorker's connection: one long-lived bidirectional stream, a writer task fed from the calling
// thread, and the caller blocked on a semaphore until the reader task has the answer. Beside it, a raw
// TCP ping-pong (blocking sockets, TCP_NODELAY) to a child process: the cost of the wire itself.

/// Bytes as they are.
struct RawBytesSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
}

struct RawBytesDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> [UInt8] {
        bytes.withUnsafeBytes { Array($0) }
    }
}

let echoMethod = MethodDescriptor(fullyQualifiedService: "bench.Echo", method: "Stream")

/// A service answering every message of a stream with the same bytes.
struct EchoService: RegistrableRPCService {
    func registerMethods<T: ServerTransport>(with router: inout RPCRouter<T>) {
        router.registerHandler(
            forMethod: echoMethod, deserializer: RawBytesDeserializer(), serializer: RawBytesSerializer()
        ) {
            request, _ in
            StreamingServerResponse { writer in
                for try await message in request.messages { try await writer.write(message) }
                return [:]
            }
        }
    }
}

/// An anchor server ends with the benchmark that started it: its standard input is a pipe from that
/// process, which reaches end of file when the benchmark exits, however it exits.
private func exitWhenParentEnds() {
    Thread {
        _ = FileHandle.standardInput.readDataToEndOfFile()
        exit(0)
    }.start()
}

/// `syft-bench --serve-echo`: serves the echo on a free port, prints it, runs until the benchmark ends.
func serveEcho() async throws -> Never {
    let transport = HTTP2ServerTransport.Posix(
        address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext,
        config: .defaults { config in
            config.rpc.maxRequestPayloadSize = 4 << 20
            config.http2.maxFrameSize = 1 << 20
            config.http2.targetWindowSize = 8 << 20
            config.connection.flushCoalescing = nil
        })
    let server = GRPCServer(transport: transport, services: [EchoService()])
    exitWhenParentEnds()
    let task = Task { try await server.serve() }
    let address = try await transport.listeningAddress
    FileHandle.standardOutput.write(Data("listening \(address.ipv4!.port)\n".utf8))
    try await task.value
    exit(0)
}

/// `syft-bench --serve-tcp`: echoes every byte on a free port, prints it, runs until killed.
func serveTCP() -> Never {
    exitWhenParentEnds()
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    listen(listener, 16)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
    }
    FileHandle.standardOutput.write(Data("listening \(UInt16(bigEndian: address.sin_port))\n".utf8))
    while true {
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { continue }
        Thread {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                var sent = 0
                while sent < n {
                    let m = buffer.withUnsafeBytes {
                        send(fd, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL))
                    }
                    if m <= 0 { break }
                    sent += m
                }
            }
            close(fd)
        }.start()
    }
}

/// A child process of this executable serving an anchor (`--serve-echo`, `--serve-tcp`), and its port.
final class AnchorServer: @unchecked Sendable {
    let process = Process()
    /// Held open while the server should run (see `exitWhenParentEnds`).
    let stdin = Pipe()
    let port: Int

    init(_ flag: String) throws {
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = [flag]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let d = readSome(out.fileHandleForReading.fileDescriptor)
            if d.isEmpty { break }
            line.append(d)
        }
        guard
            let port = Int(
                String(decoding: line, as: UTF8.self).split(separator: " ").last?.trimmingCharacters(
                    in: .whitespacesAndNewlines) ?? "")
        else { throw BenchError("the \(flag) server did not start") }
        self.port = port
    }

    deinit { process.terminate() }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// The next bytes from a file descriptor (empty at end of file), retrying reads a signal interrupted.
func readSome(_ fd: Int32) -> Data {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n >= 0 { return Data(buffer[0..<n]) }
        if errno != EINTR { return Data() }
    }
}
