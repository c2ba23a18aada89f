import ArgumentParser
import Dispatch
import Foundation
import Logging
import Syft

#if canImport(Glibc)
    import Glibc
#endif

/// `syft worker`: serves a worker over gRPC (SyftGRPC's `WorkerServer`) until SIGINT or SIGTERM.
///
/// Data registration (`--data F --tag T`): the CSV's feature columns become one float32 tensor
/// [rows, columns] tagged `T`, and its target column (`--target`, else the last) one tensor [rows] tagged
/// `T_labels` (int64 when every value is a whole number, else float32). Clients find them with
/// `worker.search("T")` and `worker.search("T_labels")`, may compute on them, and may `get` them only
/// with `--allow-get`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Serve a worker over gRPC: clients hold pointers to its objects (NetworkWorker).",
        discussion: """
            The worker requires a token: --token-file F (its first line) or the environment variable \
            SYFT_WORKER_TOKEN. With --tls-cert and --tls-key it serves TLS. It logs where it listens and \
            each client that connects, and stops cleanly on SIGINT or SIGTERM: what clients had sent runs, \
            they are told, and it exits 0.
            """)

    @Option(help: "The worker's id, as clients name it (bob).")
    var id: String

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: a free port, logged).")
    var port = 7001

    @Option(
        name: .customLong("token-file"),
        help: "A file whose first line is the token (else $SYFT_WORKER_TOKEN).")
    var tokenFile: String?

    @Option(
        name: .customLong("tls-cert"),
        help: "The worker's certificate chain (PEM); serves TLS with --tls-key.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The private key of --tls-cert (PEM).")
    var tlsKey: String?

    @Option(
        name: .customLong("peer-ca"),
        help: "CA certificates (PEM) trusted when connecting to other workers over TLS.")
    var peerCA: String?

    @Option(help: "A CSV file (header row, numeric fields) to register as the data owner's data.")
    var data: String?

    @Option(help: "The tag of the registered data (its labels get the tag with _labels appended).")
    var tag = "#data"

    @Option(help: "The target column of --data (default: the last column).")
    var target: String?

    @Flag(
        name: .customLong("allow-get"),
        help: "Let clients get (download) the registered data, not only compute on it.")
    var allowGet = false

    @Option(name: .customLong("max-message-bytes"), help: "The largest message accepted (e.g. 4MiB).")
    var maxMessageBytes = "4MiB"

    @Option(name: .customLong("max-tensor-bytes"), help: "The largest tensor a command may create or send.")
    var maxTensorBytes = "4GiB"

    @Option(name: .customLong("memory-budget"), help: "The most bytes of tensors the worker holds at once.")
    var memoryBudget = "16GiB"

    @Flag(
        name: .customLong("exit-on-stdin-eof"),
        help: "Also stop when standard input closes (for supervisors).")
    var exitOnStdinEOF = false

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "syft.worker.\(id)")
        guard let token = try readWorkerToken(file: tokenFile) else {
            throw ValidationError(
                "a token is required: --token-file FILE or the environment variable \(workerTokenVariable)")
        }
        let limits = WorkerLimits(
            maxTensorBytes: try byteCount(maxTensorBytes, "--max-tensor-bytes"),
            memoryBudget: try byteCount(memoryBudget, "--memory-budget"),
            maxMessageBytes: try byteCount(maxMessageBytes, "--max-message-bytes"))
        guard limits.maxMessageBytes >= minimumMessageBytes else {
            throw ValidationError("--max-message-bytes must be at least \(minimumMessageBytes)")
        }
        var tls: ServerTLS?
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): tls = ServerTLS(certificateChain: .file(cert), privateKey: .file(key))
        case (nil, nil): tls = nil
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        let configuration = WorkerServer.Configuration(
            host: host, port: port, token: token, tls: tls, peerTLS: peerCA.map { .trusting(.file($0)) })
        let server = WorkerServer(id: id, limits: limits, configuration: configuration, logger: logger)
        if let data { try register(data, on: server.runtime, logger: logger) }

        let (stops, stop) = AsyncStream.makeStream(of: String.self)
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.yield(number == SIGINT ? "SIGINT" : "SIGTERM") }
            source.resume()
            return source
        }
        if exitOnStdinEOF {
            let watcher = Thread {
                _ = FileHandle.standardInput.readDataToEndOfFile()
                stop.yield("standard input closed")
            }
            watcher.start()
        }
        try await server.start()
        // The signal sources must live until the server stops (a released source stops catching its
        // signal). A bare `_ = signals` at the end does not keep them: an optimized build releases them
        // after their last real use.
        defer { withExtendedLifetime(signals) {} }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do { try await server.waitUntilStopped() } catch {
                    logger.error("the server failed: \(error)")
                }
                stop.yield("the server ended")
            }
            for await reason in stops {
                logger.info("\(reason): stopping")
                break
            }
            await server.stop()
        }
    }

    /// Registers the CSV's features and target as the data owner's data.
    private func register(_ path: String, on runtime: WorkerRuntime, logger: Logger) throws {
        let table: TabularData
        do {
            table = try TabularData(csv: path, target: target)
        } catch {
            throw ValidationError("--data: \(error)")
        }
        let file = URL(fileURLWithPath: path).lastPathComponent
        let labels =
            table.targetIsIntegral
            ? table.classLabels() : Tensor(shape: [table.count], scalars: table.targetValues, dtype: .float32)
        _ = runtime.register(
            table.features, tags: [tag],
            description: "features of \(file): \(table.count) rows, \(table.featureNames.count) columns",
            allowGet: allowGet)
        _ = runtime.register(
            labels, tags: [tag + "_labels"], description: "\(table.targetName) of \(file)", allowGet: allowGet
        )
        logger.info(
            "registered \(file): \(tag) \(table.features.shape) float32 and \(tag)_labels [\(table.count)] \(labels.dtype.rawValue)\(allowGet ? ", clients may get them" : "")"
        )
    }
}

/// A byte count from `4096`, `64K`, `4MiB`, `1GB`... (binary multiples).
func byteCount(_ text: String, _ option: String) throws -> Int {
    let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
    let units: [(String, Int)] = [
        ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("kb", 1 << 10), ("mb", 1 << 20),
        ("gb", 1 << 30), ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1),
    ]
    for (suffix, factor) in units where lower.hasSuffix(suffix) {
        if let n = Int(lower.dropLast(suffix.count)), n > 0 { return n * factor }
    }
    guard let n = Int(lower), n > 0 else {
        throw ValidationError("\(option): '\(text)' is not a byte count (e.g. 4096, 64MiB, 2GiB)")
    }
    return n
}
