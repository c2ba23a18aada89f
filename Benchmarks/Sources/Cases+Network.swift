import Foundation
import Syft
import Synchronization

// The network worker's cases (PERFORMANCE.md): a `syft worker` process beside this executable, against
// the bare engine (Note [Network anchors]) in the same run.

/// Worker processes for the benchmarks: `syft worker` from the directory of this executable, on free
/// loopback ports, stopped when this process exits (their standard input closes).
final class BenchWorker: @unchecked Sendable {
    let process = Process()
    let stdin = Pipe()
    let port: Int
    let token = makeWorkerToken()
    let id: String

    init(id: String, arguments: [String] = []) throws {
        self.id = id
        let syft = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("syft")
        process.executableURL = syft
        process.arguments = ["worker", "--id", id, "--port", "0", "--exit-on-stdin-eof"] + arguments
        var env = ProcessInfo.processInfo.environment
        env[workerTokenVariable] = token
        process.environment = env
        let err = Pipe()
        process.standardInput = stdin
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var log = ""
        var port: Int?
        let fd = err.fileHandleForReading.fileDescriptor
        while port == nil {
            let d = readSome(fd)
            if d.isEmpty { break }
            log += String(decoding: d, as: UTF8.self)
            if let r = log.range(of: #"listening on 127\.0\.0\.1:\d+"#, options: .regularExpression) {
                port = Int(log[r].split(separator: ":").last!)
            }
        }
        guard let port else {
            throw BenchError(
                "syft worker did not start (build it: swift build -c release --product syft): \(log)")
        }
        self.port = port
        // Keep draining the log so the worker never blocks on a full pipe.
        Thread { while !readSome(fd).isEmpty {} }.start()
    }

    func connect() throws -> NetworkWorker { try NetworkWorker(id: id, port: port, token: token) }

    private static let shared = Mutex<[String: BenchWorker]>([:])

    /// The worker process `id` of this benchmark run.
    static func named(_ id: String) -> BenchWorker {
        if let w = shared.withLock({ $0[id] }) { return w }
        let w = try! BenchWorker(id: id)
        shared.withLock { $0[id] = w }
        return w
    }
}

/// The anchor servers of this run, by flag (started on first use).
private let anchorServers = Mutex<[String: AnchorServer]>([:])

private func anchor(_ flag: String) -> AnchorServer {
    anchorServers.withLock { servers in
        if let s = servers[flag] { return s }
        let server = try! AnchorServer(flag)
        servers[flag] = server
        return server
    }
}

func networkCases() -> [BenchCase] {
    let adds = 4000
    let big = 16 << 20  // float32 elements: 64 MiB
    return [
        BenchCase(
            name: "network_add_5_pipelined", unit: .operations, work: Double(adds),
            ours: Workload {
                let bob = try! BenchWorker.named("bob").connect()
                let x = try! Tensor([1, 2, 3, 4, 5] as [Float]).send(to: bob)
                let y = try! Tensor([5, 4, 3, 2, 1] as [Float]).send(to: bob)
                return {
                    for _ in 0..<adds { blackHole(x + y) }
                    try! bob.synchronize()
                }
            },
            anchor: .inProcess(
                name: "grpc_stream_msgs",
                Workload {
                    let echo = try! EchoStreamClient(port: anchor("--serve-echo").port)
                    let messages = [[UInt8]](repeating: [UInt8](repeating: 7, count: 40), count: adds)
                    return { echo.exchange(messages) }
                }),
            target: .rate(atLeast: 200_000, .operations)),
        BenchCase(
            name: "network_send_get_5", unit: .microseconds,
            ours: Workload {
                let bob = try! BenchWorker.named("bob").connect()
                let t = Tensor([1, 2, 3, 4, 5] as [Float])
                return { blackHole(try! t.send(to: bob).get()) }
            },
            anchor: .inProcess(
                name: "grpc_echo",
                Workload {
                    let echo = try! EchoStreamClient(port: anchor("--serve-echo").port)
                    let message = [[UInt8]](repeating: [UInt8](repeating: 1, count: 64), count: 1)
                    return { echo.exchange(message) }
                }),
            target: Target.timeRatio(atMost: 1.1, of: "grpc_echo").and(.time(atMost: 400, .microseconds))),
        BenchCase(
            name: "network_send_get_64MB", unit: .gigabytes, work: Double(big * 4),
            ours: Workload {
                let bob = try! BenchWorker.named("bob").connect()
                let t = Tensor(shape: [big], scalars: [Float](repeating: 1.5, count: big))
                return { blackHole(try! t.send(to: bob).get()) }
            },
            anchor: .inProcess(
                name: "grpc_stream_64MB",
                Workload {
                    let echo = try! EchoStreamClient(port: anchor("--serve-echo").port)
                    let chunk = [UInt8](repeating: 3, count: 1 << 20)
                    let messages = [[UInt8]](repeating: chunk, count: big * 4 / (1 << 20))
                    return { echo.exchange(messages) }
                }),
            target: Target.rateRatio(atLeast: 0.9, of: "grpc_stream_64MB", unit: .gigabytes).and(
                .rate(atLeast: 0.15, .gigabytes))),
        BenchCase(
            name: "grpc_echo_vs_tcp", unit: .microseconds,
            ours: Workload {
                let echo = try! EchoStreamClient(port: anchor("--serve-echo").port)
                let message = [[UInt8]](repeating: [UInt8](repeating: 1, count: 64), count: 1)
                return { echo.exchange(message) }
            },
            anchor: .inProcess(
                name: "tcp_pingpong",
                Workload {
                    let tcp = try! TCPPingPong(port: anchor("--serve-tcp").port)
                    let message = [UInt8](repeating: 1, count: 64)
                    return { tcp.roundTrip(message) }
                }),
            target: .none),
    ] + federatedCases()
}

/// One epoch of federated training of the digits MLP on two worker processes, each holding half the
/// data, against one epoch of local training on the same data with the same batches:
/// - `network_federated_digits_epoch`: the model travels to each worker's data in turn (tutorial 2), so the
///   workers train one after the other. Both sides time an epoch of a training under way: the local side
///   keeps its optimizer from epoch to epoch, and ours its `FederatedTrainer` (an optimizer and the
///   training step's plan on each worker, recorded at the first epoch);
/// - `network_federated_averaging_digits_epoch`: a round of federated averaging with one local epoch
///   (tutorial 4): the two workers train copies at the same time, and a virtual worker in this process
///   averages them, as `syft train --federated averaging` does;
/// - `network_federated_averaging_remote_aggregator_digits_epoch`: the same round with the averaging on a
///   third worker process, for scale (the trained copies come through the client either way, so the third
///   process adds a round trip and its CPU, not privacy).
private func federatedCases() -> [BenchCase] {
    func digits() -> (Tensor, Tensor) {
        let path =
            FileManager.default.fileExists(atPath: "Data/digits.csv")
            ? "Data/digits.csv"
            : URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
                .appendingPathComponent("Data/digits.csv").path
        let data = try! TabularData(csv: path, target: "label")
        return (Standardizer(fitting: data.features).transform(data.features), data.classLabels())
    }
    func model(seed: UInt64 = 1) -> Sequential {
        let g = Generator(seed: seed)
        return Sequential(Linear(64, 64, generator: g), ReLU(), Linear(64, 10, generator: g))
    }
    /// The data, half on bob and half on alice.
    func federatedDigits() -> ([NetworkWorker], [FederatedDataset]) {
        let (x, y) = digits()
        let half = x.shape[0] / 2
        let workers = try! [BenchWorker.named("bob").connect(), BenchWorker.named("alice").connect()]
        let datasets = [
            FederatedDataset(
                features: try! x[..<half].send(to: workers[0]), targets: try! y[..<half].send(to: workers[0])),
            FederatedDataset(
                features: try! x[half...].send(to: workers[1]), targets: try! y[half...].send(to: workers[1])),
        ]
        return (workers, datasets)
    }
    let localTraining = AnchorSource.inProcess(
        name: "local_training",
        Workload {
            let (x, y) = digits()
            let m = model()
            let optimizer = SGD(m.parameters(), lr: 0.1)
            let loader = DataLoader(features: x, targets: y, batchSize: 32, shuffle: false)
            return { blackHole(try! trainEpoch(m, loader, optimizer: optimizer, task: .classify)) }
        })
    /// A round of federated averaging (one local epoch) over the two halves, averaged on `aggregator`.
    func averagingCase(name: String, aggregator: @escaping () -> any Worker, target: Target) -> BenchCase {
        BenchCase(
            name: name, unit: .microseconds,
            ours: Workload {
                let (workers, datasets) = federatedDigits()
                let secure = aggregator()
                let m = model()
                var seed: UInt64 = 1
                return {
                    try! federatedAveraging(
                        m, on: datasets, aggregator: secure, task: .classify, rounds: 1, localEpochs: 1,
                        batchSize: 32,
                        makeModel: {
                            seed += 1
                            return model(seed: seed)
                        }, makeOptimizer: { SGD($0, lr: 0.1) })
                    blackHole(workers)
                }
            },
            anchor: localTraining, target: target)
    }
    return [
        BenchCase(
            name: "network_federated_digits_epoch", unit: .microseconds,
            ours: Workload {
                let (workers, datasets) = federatedDigits()
                let trainer = FederatedTrainer(model(), on: datasets, task: .classify, batchSize: 32) {
                    SGD($0, lr: 0.1)
                }
                return {
                    blackHole(try! trainer.epoch())
                    blackHole(workers)
                }
            },
            anchor: localTraining,
            target: .timeRatio(atMost: 1.5, of: "local_training")),
        averagingCase(
            name: "network_federated_averaging_digits_epoch",
            aggregator: { VirtualWorker(id: "secure_worker") },
            target: .timeRatio(atMost: 1.5, of: "local_training")),
        averagingCase(
            name: "network_federated_averaging_remote_aggregator_digits_epoch",
            aggregator: { try! BenchWorker.named("secure_worker").connect() }, target: .none),
    ]
}
