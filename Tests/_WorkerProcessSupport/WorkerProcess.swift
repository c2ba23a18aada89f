import Foundation
import SyftGRPC
import SyftRemote
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A `syft worker` process started by a test on a free loopback port (`--port 0`; the port is read from
/// the line the worker logs when it listens). It stops when told, when the test process ends (its
/// standard input closes: `--exit-on-stdin-eof`), or at exit through ``WorkerProcess/stopAll()``.
public final class WorkerProcess: @unchecked Sendable {
    public let id: String
    public let port: Int
    public let token: String
    public let process: Process
    private let stdin: Pipe
    private let log = Locked("")

    /// Starts `syft worker --id <id>` with `arguments` added, and waits until it listens.
    /// - Parameters:
    ///   - token: the token (written to a file passed with --token-file); nil passes none.
    ///   - environment: variables added to the worker's environment.
    public init(
        id: String, arguments: [String] = [],
        token: String? = "test-token-\(UInt64.random(in: 0..<UInt64.max))",
        environment: [String: String] = [:]
    ) throws {
        self.id = id
        self.token = token ?? ""
        var args = ["worker", "--id", id, "--host", "127.0.0.1", "--port", "0", "--exit-on-stdin-eof"]
        if let token {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "syft-token-\(UUID().uuidString)")
            try (token + "\n").write(to: file, atomically: true, encoding: .utf8)
            args += ["--token-file", file.path]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try WorkerProcess.executable())
        process.arguments = args + arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: workerTokenVariable)
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let stdin = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.stdin = stdin
        // Read the log on a thread of its own (a full pipe would stop the worker), and find the port.
        let found = Locked<Int?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let log = self.log
        let echo = ProcessInfo.processInfo.environment["SYFT_TEST_WORKER_LOGS"] != nil
        let reader = Thread {
            let fd = stderr.fileHandleForReading.fileDescriptor
            var signalled = false
            while true {
                let data = readSome(fd)
                if data.isEmpty { break }
                let text = String(decoding: data, as: UTF8.self)
                if echo { FileHandle.standardError.write(data) }
                let all = log.withLock { l in
                    l += text
                    return l
                }
                if !signalled, let port = WorkerProcess.listeningPort(in: all) {
                    found.withLock { $0 = port }
                    signalled = true
                    ready.signal()
                }
            }
            if !signalled { ready.signal() }
        }
        reader.start()
        _ = ready.wait(timeout: .now() + 60)
        guard let port = found.withLock({ $0 }) else {
            process.terminate()
            throw WorkerProcessError(
                message: "worker \(id) did not start listening; its log:\n\(log.withLock { $0 })")
        }
        self.port = port
        WorkerProcess.started.withLock { $0.append(self) }
    }

    /// What the worker logged so far.
    public var logText: String { log.withLock { $0 } }

    /// A new client connection to this worker (a new client: it sees only the registered data).
    public func connect(
        token: String? = nil, clientID: String? = nil, keepObjects: Bool = false, tls: ClientTLS? = nil,
        maxMessageBytes: Int = 64 << 20
    ) throws(SyftError) -> NetworkWorker {
        try NetworkWorker(
            id: id, host: "127.0.0.1", port: port, token: token ?? self.token, tls: tls, clientID: clientID,
            keepObjects: keepObjects, maxMessageBytes: maxMessageBytes)
    }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    @discardableResult
    public func stop(signal number: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, number) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The resident memory of the worker process, in bytes (from /proc).
    public var residentBytes: Int {
        guard
            let text = try? String(
                contentsOfFile: "/proc/\(process.processIdentifier)/statm", encoding: .utf8)
        else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The peak resident memory of the worker process, in bytes (VmHWM).
    public var peakResidentBytes: Int {
        guard
            let text = try? String(
                contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }

    // MARK: - Shared workers

    private static let started = Locked<[WorkerProcess]>([])
    private static let shared = Locked<[String: WorkerProcess]>([:])

    /// The worker process `id` shared by the tests of this process (started on first use).
    public static func shared(_ id: String) throws -> WorkerProcess {
        if let w = shared.withLock({ $0[id] }) { return w }
        let w = try WorkerProcess(id: id)
        shared.withLock { $0[id] = w }
        if shared.withLock({ $0.count }) == 1 { atexit { WorkerProcess.stopAll() } }
        return w
    }

    /// Stops every worker process the tests started.
    public static func stopAll() {
        for w in started.withLock({ $0 }) where w.process.isRunning { w.stop() }
    }

    static func listeningPort(in log: String) -> Int? {
        guard let range = log.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression)
        else { return nil }
        return Int(log[range].split(separator: ":").last ?? "")
    }

    /// The `syft` executable: $SYFT_EXECUTABLE, else beside the test bundle, else in the package's
    /// .build/debug (built with `swift build --product syft` when missing).
    public static func executable() throws -> String {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["SYFT_EXECUTABLE"],
            fm.isExecutableFile(atPath: path)
        {
            return path
        }
        var candidates: [URL] = []
        if let url = Bundle.main.executableURL { candidates.append(url.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent()) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug"))
        for dir in candidates {
            let path = dir.appendingPathComponent("syft").path
            if fm.isExecutableFile(atPath: path) { return path }
        }
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["swift", "build", "--product", "syft", "--package-path", root.path]
        try build.run()
        build.waitUntilExit()
        let path = root.appendingPathComponent(".build/debug/syft").path
        guard fm.isExecutableFile(atPath: path) else {
            throw WorkerProcessError(message: "no syft executable; run swift build first")
        }
        return path
    }
}

public struct WorkerProcessError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The next bytes from a file descriptor (empty at end of file), retrying reads a signal interrupted
/// (FileHandle.availableData stops the process on EINTR).
func readSome(_ fd: Int32) -> Data {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n >= 0 { return Data(buffer[0..<n]) }
        if errno != EINTR { return Data() }
    }
}
