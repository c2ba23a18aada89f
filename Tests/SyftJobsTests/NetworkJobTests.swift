import Foundation
import SyftCore
import SyftJobs
import SyftNN
import XCTest
import _WorkerProcessSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The jobs against two `syft worker` processes the tests start, each holding half of the digits
/// training split registered with `--data ... --tag '#digits'`; the job's own `digits.csv` holds the
/// held-back rows, which only test (Note [Training on network workers]).
final class NetworkJobTests: XCTestCase {
    /// The two workers and the files, shared by the tests of this class.
    struct Setup {
        var folder: String
        var bob: WorkerProcess
        var alice: WorkerProcess
        /// The job's data: the test rows, named so the default tag is `#digits`.
        var local: String
        /// The rows registered on bob and alice, as CSV (for references computed here).
        var bobData: String
        var aliceData: String
        var train: TabularData
        var tokenFile: String
        var workers: [WorkerSpec] {
            [
                .network(host: "127.0.0.1", port: bob.port),
                .network(id: "alice", host: "127.0.0.1", port: alice.port),
            ]
        }
    }

    nonisolated(unsafe) static var shared: Setup?

    func setup() throws -> Setup {
        if let s = NetworkJobTests.shared { return s }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "syft-network-jobs-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let digits = try TabularData(csv: dataPath("digits.csv"), target: "label")
        let (train, test) = digits.split(testFraction: 0.2, seed: 0)
        let half = train.count / 2
        let bobData = try writeCSV(train.rows(Array(0..<half)), to: folder + "/bob.csv")
        let aliceData = try writeCSV(train.rows(Array(half..<train.count)), to: folder + "/alice.csv")
        let local = try writeCSV(test, to: folder + "/digits.csv")
        let token = "jobs-\(UInt64.random(in: 0..<UInt64.max))"
        let tokenFile = folder + "/token"
        try (token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let bob = try WorkerProcess(
            id: "bob", arguments: ["--data", bobData, "--tag", "#digits"], token: token)
        let alice = try WorkerProcess(
            id: "alice", arguments: ["--data", aliceData, "--tag", "#digits"], token: token)
        let s = Setup(
            folder: folder, bob: bob, alice: alice, local: local, bobData: bobData, aliceData: aliceData,
            train: train, tokenFile: tokenFile)
        NetworkJobTests.shared = s
        return s
    }

    override class func tearDown() {
        if let s = shared {
            s.bob.stop()
            s.alice.stop()
            try? FileManager.default.removeItem(atPath: s.folder)
        }
        shared = nil
        super.tearDown()
    }

    func testFederatedTrainingOnWorkerProcesses() throws {
        let s = try setup()
        let checks: [(FederatedSpec, Int)] = [
            (FederatedSpec(mode: .sgd), 3), (FederatedSpec(mode: .averaging, localEpochs: 2), 3),
        ]
        for (federated, epochs) in checks {
            let out = temporaryFolder(self, "net") + "/run"
            let (env, printed) = quietEnvironment()
            let start = Date()
            let result = try TrainJob(
                config: JobConfig(
                    data: s.local, epochs: epochs, workers: s.workers, federated: federated,
                    workerTokenFile: s.tokenFile, out: out)
            ).run(in: env)
            let accuracy = try XCTUnwrap(result.metrics.last("test_accuracy"))
            print(
                "network \(federated.mode!.rawValue): test accuracy \(accuracy) in "
                    + String(format: "%.1f s", Date().timeIntervalSince(start)))
            XCTAssertGreaterThanOrEqual(accuracy, 0.9, printed.text)
            XCTAssertEqual(files(in: out), ["config.json", "metrics.csv", "model.safetensors", "plot.svg"])
            let half = s.train.count / 2
            XCTAssertTrue(
                printed.text.contains(
                    "training data: '#digits' on bob (\(half) rows), alice (\(s.train.count - half) rows)"),
                printed.text)
            XCTAssertTrue(printed.text.contains("every row tests"), printed.text)
            // The statistics gathered from the workers' sums are those of the pooled training rows.
            let (info, _) = try CheckpointInfo.load(out)
            let pooled = Preprocessing(fitting: s.train, task: .classify, classes: 10)
            for (a, b) in zip(
                info.preprocessing.featureMean + info.preprocessing.featureStd,
                pooled.featureMean + pooled.featureStd)
            {
                XCTAssertEqual(a, b, accuracy: 1e-4)
            }
            // The checkpoint evaluates here as the job tested it.
            let eval = try EvalJob(
                EvalOptions(checkpoint: out, data: s.local, out: temporaryFolder(self, "e"))
            )
            .run(in: quietEnvironment().0)
            XCTAssertEqual(try XCTUnwrap(eval.accuracy), accuracy, accuracy: 1e-9)
            // The resolved config runs again as the same job (no test fraction, the tag filled in).
            let config = try JobConfig.load(from: out + "/config.json")
            XCTAssertEqual(config.dataTag, "#digits")
            XCTAssertNil(config.testFraction)
        }
    }

    /// `syft grad` and `syft eval` on bob's registered data give what they give here on the same rows.
    func testGradAndEvalOnANetworkWorker() throws {
        let s = try setup()
        let checkpoint = temporaryFolder(self, "ckpt") + "/run"
        _ = try TrainJob(config: JobConfig(data: s.aliceData, epochs: 1, out: checkpoint)).run(
            in: quietEnvironment().0)
        let bob = WorkerSpec.network(host: "127.0.0.1", port: s.bob.port)
        var options = GradOptions(
            checkpoint: checkpoint, data: s.local, batchSize: 256, maxGradNorm: 1, worker: bob,
            workerTokenFile: s.tokenFile, out: temporaryFolder(self, "g") + "/run")
        let (env, printed) = quietEnvironment()
        let remote = try GradJob(options).run(in: env)
        XCTAssertTrue(printed.text.contains("data '#digits' registered on bob"), printed.text)
        options.data = s.bobData
        options.worker = nil
        options.workerTokenFile = nil
        options.out = temporaryFolder(self, "g") + "/run"
        let here = try GradJob(options).run(in: quietEnvironment().0)
        XCTAssertEqual(remote.gradients["0.weight"]?.shape, [3, 64, 64])
        for (name, g) in here.gradients {
            let difference = (g - remote.gradients[name]!).abs().max().item()
            XCTAssertLessThan(difference, 1e-4, name)
        }
        let evalThere = try EvalJob(
            EvalOptions(
                checkpoint: checkpoint, data: s.local, worker: bob, workerTokenFile: s.tokenFile,
                out: temporaryFolder(self, "e") + "/run")
        ).run(in: quietEnvironment().0)
        let evalHere = try EvalJob(
            EvalOptions(checkpoint: checkpoint, data: s.bobData, out: temporaryFolder(self, "e") + "/run")
        ).run(in: quietEnvironment().0)
        XCTAssertEqual(evalThere.rows, evalHere.rows)
        XCTAssertEqual(try XCTUnwrap(evalThere.accuracy), try XCTUnwrap(evalHere.accuracy), accuracy: 1e-9)
        XCTAssertEqual(evalThere.loss, evalHere.loss, accuracy: 1e-4)
    }

    /// An unreachable worker, a wrong token and a missing tag: one line, nothing written; and from the
    /// command line, one line on stderr and exit status 1.
    /// A job whose worker dies during training fails with the worker's error, and its run folder keeps
    /// every epoch it finished (Note [Saving a run]: the last ones were not saved yet when it failed).
    func testAJobWhoseWorkerDiesKeepsTheEpochsItFinished() throws {
        let s = try setup()
        let token = try String(contentsOfFile: s.tokenFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let carol = try WorkerProcess(
            id: "carol", arguments: ["--data", s.bobData, "--tag", "#digits"], token: token)
        defer { carol.stop(signal: SIGKILL) }
        let out = temporaryFolder(self, "dies") + "/run"
        // The worker dies when the line of the second epoch is printed: two epochs are done, the second
        // most likely not saved yet (a second has not passed).
        let env = JobEnvironment(
            console: Console(isTerminal: false) { if $0.contains("epoch 2/") { carol.stop(signal: SIGKILL) } }
        )
        XCTAssertThrowsError(
            try TrainJob(
                config: JobConfig(
                    data: s.local, epochs: 20,
                    workers: [.network(host: "127.0.0.1", port: carol.port)],
                    federated: FederatedSpec(mode: .sgd),
                    workerTokenFile: s.tokenFile, out: out)
            ).run(in: env)
        ) { error in
            XCTAssertTrue("\(error)".contains("carol"), "\(error)")
        }
        XCTAssertEqual(files(in: out), ["config.json", "metrics.csv", "model.safetensors", "plot.svg"])
        let rows = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.dropFirst().map { $0.split(separator: ",")[0] }, ["1", "2"])
        // The checkpoint is the model as the second epoch left it: it loads, and tests as that epoch did.
        let eval = try EvalJob(EvalOptions(checkpoint: out, data: s.local, out: temporaryFolder(self, "e")))
            .run(in: quietEnvironment().0)
        let accuracy = try XCTUnwrap(Double(try XCTUnwrap(rows.last).split(separator: ",")[3]))
        XCTAssertEqual(try XCTUnwrap(eval.accuracy), accuracy, accuracy: 1e-6)
    }

    func testUnreachableWorkerWrongTokenAndMissingData() throws {
        let s = try setup()
        let folder = temporaryFolder(self, "bad")
        let wrong = folder + "/wrong-token"
        try "not-the-token\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let closed = WorkerSpec.network(host: "127.0.0.1", port: try freePort())
        let cases: [(JobConfig, [String])] = [
            (
                JobConfig(data: s.local, workers: [s.workers[0], closed], workerTokenFile: s.tokenFile),
                ["\(closed): cannot reach the worker"]
            ),
            (JobConfig(data: s.local, workers: s.workers, workerTokenFile: wrong), ["refused the token"]),
            (
                JobConfig(
                    data: s.local, workers: [.network(id: "carol", host: "127.0.0.1", port: s.bob.port)],
                    workerTokenFile: s.tokenFile), ["is 'bob', not 'carol'"]
            ),
            (
                JobConfig(data: s.local, workers: s.workers, dataTag: "#none", workerTokenFile: s.tokenFile),
                ["holds no data tagged '#none'"]
            ),
            (
                JobConfig(
                    data: dataPath("iris.csv"), workers: s.workers, dataTag: "#digits",
                    workerTokenFile: s.tokenFile),
                ["it has 4 feature columns, the data tagged '#digits' on bob", "has 64"]
            ),
        ]
        for (given, parts) in cases {
            var config = given
            config.out = folder + "/never"
            let job = try TrainJob(config: config)
            for part in parts { assertJobError(try job.run(in: quietEnvironment().0), part) }
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/never"))
        }
        // The command line, with the token from the environment.
        let start = Date()
        let r = try runSyft(
            [
                "train", "--data", s.local, "--workers", "grpc://127.0.0.1:\(try freePort())", "--out",
                "never",
            ],
            in: folder, environment: ["SYFT_WORKER_TOKEN": "x"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("syft train: grpc://127.0.0.1:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("cannot reach the worker"), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
        XCTAssertEqual(files(in: folder), ["wrong-token"])
        print("unreachable worker reported in " + String(format: "%.1f s", Date().timeIntervalSince(start)))
    }
}

/// Writes `data` as CSV (features, then the target); returns the path.
func writeCSV(_ data: TabularData, to path: String) throws -> String {
    let columns = data.featureNames.count
    let values = data.features.doubles
    var text = (data.featureNames + [data.targetName]).joined(separator: ",") + "\n"
    for r in 0..<data.count {
        let row = values[(r * columns)..<((r + 1) * columns)].map { String(format: "%g", $0) }
        text += row.joined(separator: ",") + ",\(String(format: "%g", data.targetValues[r]))\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A loopback port nothing listens on (bound, read, closed).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { a in
            bind(fd, a, length) == 0 && getsockname(fd, a, &length) == 0
        }
    }
    guard bound else { throw XCTSkip("cannot bind a loopback socket") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs the built `syft` with `arguments` in `folder`.
func runSyft(
    _ arguments: [String], in folder: String, environment: [String: String] = [:]
) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try WorkerProcess.executable())
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "SYFT_WORKER_TOKEN")
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
        process.terminationStatus, String(decoding: stdout, as: UTF8.self),
        String(decoding: stderr, as: UTF8.self)
    )
}
