import Foundation
import SyftCore
import SyftJobs
import SyftNN
import XCTest

/// `syft train` end to end on the shipped data sets: local, federated SGD and federated averaging over
/// virtual workers, stopping, and bad input.
final class TrainJobTests: XCTestCase {
    func testLocalIrisWritesTheRunFolder() throws {
        let out = temporaryFolder(self) + "/run"
        let (env, printed) = quietEnvironment()
        let job = try TrainJob(
            config: JobConfig(data: dataPath("iris.csv"), epochs: 15, batchSize: 16, out: out))
        let result = try job.run(in: env)
        XCTAssertFalse(result.stopped)
        XCTAssertEqual(files(in: out), ["config.json", "metrics.csv", "model.safetensors", "plot.svg"])
        XCTAssertEqual(result.metrics.rows.count, 15)
        XCTAssertGreaterThanOrEqual(result.metrics.last("test_accuracy")!, 0.85)
        let csv = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "epoch,train_loss,test_loss,test_accuracy,seconds")
        XCTAssertEqual(csv.count, 16)
        XCTAssertTrue(printed.text.contains("wrote \(out)/"), printed.text)
        XCTAssertTrue(printed.text.contains("epoch 15/15"), printed.text)
        XCTAssertFalse(printed.text.contains("\u{1B}"), "no terminal codes when not a terminal")
        // The saved config runs the same job again: same numbers.
        var config = try JobConfig.load(from: out + "/config.json")
        XCTAssertNil(config.out)
        config.out = temporaryFolder(self) + "/again"
        let again = try TrainJob(config: config).run(in: quietEnvironment().0)
        XCTAssertEqual(
            again.metrics.series("test_loss").map(\.y), result.metrics.series("test_loss").map(\.y))
    }

    func testRegressionReportsMSEInTheTargetUnits() throws {
        let out = temporaryFolder(self) + "/run"
        let result = try TrainJob(
            config: JobConfig(
                data: dataPath("diabetes.csv"), model: try LayerSpec.parseList("16,relu"),
                optimizer: OptimizerSpec(name: .adam, lr: 0.01), epochs: 20, out: out)
        ).run(in: quietEnvironment().0)
        XCTAssertEqual(result.metrics.columns[3], "test_mse")
        let mse = result.metrics.last("test_mse")!
        let testLoss = result.metrics.last("test_loss")!
        // The target's variance is about 5900; a fitted model explains a good part of it.
        XCTAssertLessThan(mse, 4000)
        XCTAssertGreaterThan(mse / testLoss, 1000)  // the loss is on standardized targets
    }

    func testFederatedSGDOverVirtualWorkers() throws {
        let out = temporaryFolder(self) + "/run"
        let result = try TrainJob(
            config: JobConfig(
                data: dataPath("digits.csv"), epochs: 3, workers: try WorkerSpec.parseList("bob,alice"),
                out: out)
        ).run(in: quietEnvironment().0)
        XCTAssertEqual(result.metrics.rows.count, 3)
        XCTAssertGreaterThanOrEqual(result.metrics.last("test_accuracy")!, 0.9)
        XCTAssertTrue(result.model.parameters().allSatisfy { $0.value.isLocal })
        let config = try JobConfig.load(from: out + "/config.json")
        XCTAssertEqual(config.federated, FederatedSpec(mode: .sgd))
    }

    func testFederatedAveragingOverVirtualWorkers() throws {
        let out = temporaryFolder(self) + "/run"
        let (env, printed) = quietEnvironment()
        let result = try TrainJob(
            config: JobConfig(
                data: dataPath("breast_cancer.csv"), workers: try WorkerSpec.parseList("bob,alice,carol"),
                federated: FederatedSpec(mode: .averaging, rounds: 4, localEpochs: 2), out: out)
        ).run(in: env)
        XCTAssertEqual(result.metrics.columns.first, "round")
        XCTAssertEqual(result.metrics.rows.count, 4)
        XCTAssertGreaterThanOrEqual(result.metrics.last("test_accuracy")!, 0.9)
        XCTAssertTrue(
            printed.text.contains(
                "4 rounds of federated averaging over bob, alice, carol (2 local epochs each)"))
    }

    /// Stopping between batches keeps what was done: a partial epoch's row, the model as it is, the plot.
    func testStoppingSavesWhatWasDone() throws {
        let out = temporaryFolder(self) + "/run"
        let stop = StopFlag()
        // Ask to stop before training starts: the first batch runs, then the job stops and saves.
        let env = JobEnvironment(
            console: Console(isTerminal: false) { if $0.hasPrefix("training:") { stop.request() } },
            stop: stop)
        let result = try TrainJob(config: JobConfig(data: dataPath("iris.csv"), epochs: 50, out: out)).run(
            in: env)
        XCTAssertTrue(result.stopped)
        XCTAssertEqual(files(in: out), ["config.json", "metrics.csv", "model.safetensors", "plot.svg"])
        XCTAssertEqual(result.metrics.rows.count, 1)
        XCTAssertEqual(result.metrics.rows[0][0], 0.25)  // 1 of the epoch's 4 batches
        // The checkpoint holds the model as it was when the job stopped.
        let (_, saved) = try CheckpointInfo.load(out)
        for (a, b) in zip(saved.parameters(), result.model.parameters()) {
            XCTAssertEqual(a.value.floats, b.value.floats)
        }
    }

    func testStoppingBetweenEpochs() throws {
        let stop = StopFlag()
        let env = JobEnvironment(
            console: Console(isTerminal: false) { if $0.contains("epoch 2/") { stop.request() } }, stop: stop)
        let result = try TrainJob(
            config: JobConfig(data: dataPath("iris.csv"), epochs: 50, out: temporaryFolder(self) + "/run")
        ).run(in: env)
        XCTAssertTrue(result.stopped)
        XCTAssertEqual(result.metrics.rows.map { $0[0] }, [1, 2])
    }

    func testStoppingAnAveragingRoundKeepsTheLastCompleteRound() throws {
        let out = temporaryFolder(self) + "/run"
        let stop = StopFlag()
        // Stop in round 2: that round is discarded, and the checkpoint is the model of round 1.
        let env = JobEnvironment(
            console: Console(isTerminal: false) { if $0.contains("round 1/") { stop.request() } }, stop: stop)
        let job = try TrainJob(
            config: JobConfig(
                data: dataPath("iris.csv"), workers: [.virtual(id: "bob"), .virtual(id: "alice")],
                federated: FederatedSpec(mode: .averaging, rounds: 5), out: out))
        let result = try job.run(in: env)
        XCTAssertTrue(result.stopped)
        XCTAssertEqual(result.metrics.rows.count, 1)
        let (_, saved) = try CheckpointInfo.load(out)
        for (a, b) in zip(saved.parameters(), result.model.parameters()) {
            XCTAssertEqual(a.value.floats, b.value.floats)
        }
        // Stopped before round 1 ends: no round is kept and the checkpoint is the initial model.
        let early = StopFlag()
        early.request()
        let none = try job.plan.makeModel()
        let out2 = temporaryFolder(self) + "/run"
        var config = job.plan.config
        config.out = out2
        let nothing = try TrainJob(config: config).run(
            in: JobEnvironment(console: Console(isTerminal: false) { _ in }, stop: early))
        XCTAssertTrue(nothing.stopped)
        XCTAssertEqual(nothing.metrics.rows.count, 0)
        let (_, initial) = try CheckpointInfo.load(out2)
        for (a, b) in zip(initial.parameters(), none.parameters()) {
            XCTAssertEqual(a.value.floats, b.value.floats)
        }
    }

    func testBadInputWritesNothing() throws {
        let root = temporaryFolder(self)
        assertJobError(
            try TrainJob(config: JobConfig(data: root + "/none.csv", out: root + "/a")),
            "none.csv: no such file")
        assertJobError(
            try TrainJob(config: JobConfig(data: dataPath("iris.csv"), target: "size", out: root + "/b")),
            "no column named 'size'")
        let token = temporaryFolder(self, "token") + "/token"
        try "t\n".write(toFile: token, atomically: true, encoding: .utf8)
        let grpc = try TrainJob(
            config: JobConfig(
                data: dataPath("iris.csv"), workers: [try WorkerSpec.parse("grpc://127.0.0.1:1")],
                workerTokenFile: token, out: root + "/c"))
        assertJobError(try grpc.run(in: quietEnvironment().0), "grpc://127.0.0.1:1: cannot reach the worker")
        assertJobError(
            try TrainJob(
                config: JobConfig(
                    data: dataPath("iris.csv"), workers: [try WorkerSpec.parse("grpc://127.0.0.1:1")],
                    workerTokenFile: root + "/none", out: root + "/d")),
            "worker_token_file: \(root)/none: no such file")
        XCTAssertEqual(files(in: root), [])
    }

    func testAnExistingRunIsNeverOverwritten() throws {
        let out = temporaryFolder(self)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        let job = try TrainJob(config: JobConfig(data: dataPath("iris.csv"), epochs: 1, out: out))
        assertJobError(try job.run(in: quietEnvironment().0), "already holds files")
        XCTAssertEqual(files(in: out), ["notes.txt"])
        XCTAssertEqual(try String(contentsOfFile: out + "/notes.txt", encoding: .utf8), "keep me")
    }

    /// Without --out, each run gets its own new folder under runs/.
    func testDefaultRunFolders() throws {
        let root = temporaryFolder(self) + "/runs"
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let first = try RunFolder.create(out: nil, jobName: "train-iris", now: date, root: root)
        let second = try RunFolder.create(out: nil, jobName: "train-iris", now: date, root: root)
        XCTAssertTrue(first.path.hasPrefix(root + "/20") && first.path.hasSuffix("-train-iris"), first.path)
        XCTAssertEqual(second.path, first.path + "-2")
    }
}
