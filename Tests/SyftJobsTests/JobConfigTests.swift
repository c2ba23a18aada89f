import Foundation
import SyftJobs
import SyftNN
import XCTest

/// The job description: the JSON form and the flag form are the same job, and every mistake is one line
/// that names the field.
final class JobConfigTests: XCTestCase {
    func testJSONFileAndFlagsDescribeTheSameJob() throws {
        let json = """
            {"data": "Data/digits.csv", "target": "label", "task": "classify",
             "model": [{"linear": 64}, {"relu": {}}, {"dropout": 0.1}, {"linear": 10}],
             "optimizer": {"name": "adamw", "lr": 0.01, "weight_decay": 0.05},
             "epochs": 3, "batch_size": 16, "seed": 7, "test_fraction": 0.25,
             "workers": ["bob", "alice"], "federated": {"mode": "averaging", "rounds": 4, "local_epochs": 2}}
            """
        let fromFile = try JobConfig.decode(Data(json.utf8))
        let fromFlags = JobConfig(
            data: "Data/digits.csv", target: "label", task: .classify,
            model: try LayerSpec.parseList("64,relu,dropout:0.1,10"),
            optimizer: OptimizerSpec(name: .adamw, lr: 0.01, weightDecay: 0.05), epochs: 3, batchSize: 16,
            seed: 7,
            testFraction: 0.25, workers: try WorkerSpec.parseList("bob,alice"),
            federated: FederatedSpec(mode: .averaging, rounds: 4, localEpochs: 2))
        XCTAssertEqual(fromFile, fromFlags)
        // The short forms are the same too, and the encoded job reads back as itself.
        let short = try JobConfig.decode(
            Data(
                #"{"model": "64,relu", "workers": "bob,alice", "optimizer": "adam", "federated": "sgd"}"#.utf8
            ))
        XCTAssertEqual(short.model, [.linear(out: 64), .relu])
        XCTAssertEqual(short.workers, [.virtual(id: "bob"), .virtual(id: "alice")])
        XCTAssertEqual(short.optimizer, OptimizerSpec(name: .adam))
        XCTAssertEqual(short.federated, FederatedSpec(mode: .sgd))
        XCTAssertEqual(try JobConfig.decode(fromFile.jsonData()), fromFile)
    }

    func testFlagsOverrideTheFile() throws {
        let file = JobConfig(
            data: "a.csv", optimizer: OptimizerSpec(name: .sgd, lr: 0.5, momentum: 0.9), epochs: 9)
        let flags = JobConfig(optimizer: OptimizerSpec(lr: 0.01), epochs: 2)
        let job = flags.overriding(file)
        XCTAssertEqual(job.data, "a.csv")
        XCTAssertEqual(job.epochs, 2)
        XCTAssertEqual(job.optimizer, OptimizerSpec(name: .sgd, lr: 0.01, momentum: 0.9))
    }

    func testCompactModelForm() throws {
        XCTAssertEqual(
            try LayerSpec.parseList("64, relu,32:nobias,tanh,dropout,dropout:0.2,sigmoid,flatten"),
            [
                .linear(out: 64), .relu, .linear(out: 32, bias: false), .tanh, .dropout(p: 0.5),
                .dropout(p: 0.2), .sigmoid, .flatten,
            ])
        XCTAssertEqual(try LayerSpec.parseList(""), [])
        assertJobError(try LayerSpec.parseList("64,foo"), "model[1]", "unknown layer 'foo'")
        assertJobError(try LayerSpec.parseList("0"), "model[0]", "at least 1 output")
        assertJobError(try LayerSpec.parseList("dropout:1.5"), "model[0]", "[0, 1)")
        assertJobError(try LayerSpec.parseList("relu:3"), "relu takes no setting")
    }

    func testWorkerSpecs() throws {
        XCTAssertEqual(try WorkerSpec.parse("grpc://10.0.0.7:7000"), .network(host: "10.0.0.7", port: 7000))
        XCTAssertEqual(try WorkerSpec.parse("grpc://[::1]:7000"), .network(host: "::1", port: 7000))
        XCTAssertEqual(try WorkerSpec.parse("grpc://10.0.0.7:7000").description, "grpc://10.0.0.7:7000")
        let named = try WorkerSpec.parse("grpc://bob@10.0.0.7:7000")
        XCTAssertEqual(named, .network(id: "bob", host: "10.0.0.7", port: 7000))
        XCTAssertEqual(named.description, "grpc://bob@10.0.0.7:7000")
        XCTAssertEqual(try WorkerSpec.parse("grpc://[::1]:7000").description, "grpc://[::1]:7000")
        assertJobError(try WorkerSpec.parse("grpc://bo b@host:7000"), "'bo b' is not a worker id")
        assertJobError(
            try WorkerSpec.parseList("grpc://a:7000,grpc://bob@a:7000"), "'grpc://bob@a:7000' is named twice")
        assertJobError(try WorkerSpec.parse("grpc://host"), "grpc://host:port")
        assertJobError(try WorkerSpec.parse("grpc://host:70000"), "1...65535")
        assertJobError(try WorkerSpec.parse("http://host:80"), "unknown scheme 'http://'")
        assertJobError(try WorkerSpec.parse("me"), "local worker")
        assertJobError(try WorkerSpec.parse("bob smith"), "not a worker name")
        assertJobError(try WorkerSpec.parseList("bob,alice,bob"), "'bob' is named twice")
        // A network worker needs its token; a missing token file is named.
        assertJobError(
            try WorkerSpec.parse("grpc://localhost:7000").connect(), "worker_token_file", "SYFT_WORKER_TOKEN")
        assertJobError(
            try WorkerCredentials.load(tokenFile: "/nonexistent/token", ca: nil), "worker_token_file",
            "/nonexistent/token: no such file")
        assertJobError(
            try WorkerCredentials.load(tokenFile: nil, ca: nil, environment: [:]), "SYFT_WORKER_TOKEN")
        XCTAssertEqual(
            try WorkerCredentials.load(tokenFile: nil, ca: nil, environment: ["SYFT_WORKER_TOKEN": "t"])
                .token, "t")
    }

    func testEveryMistakeNamesItsField() {
        func decode(_ json: String) throws -> JobConfig { try JobConfig.decode(Data(json.utf8)) }
        assertJobError(try decode(#"{"epoch": 3}"#), "epoch: unknown field (did you mean 'epochs'?)")
        assertJobError(try decode(#"{"epochs": "3"}"#), "epochs: expected a whole number")
        assertJobError(try decode(#"{"test_fraction": true}"#), "test_fraction: expected a number")
        assertJobError(try decode(#"{"seed": -1}"#), "seed: expected a whole number in 0...")
        assertJobError(
            try decode(#"{"federated": {"rounds": 2.5}}"#), "federated.rounds: expected a whole number")
        assertJobError(try decode(#"{"task": "cluster"}"#), "task: 'cluster' is not one of classify, regress")
        assertJobError(
            try decode(#"{"model": [{"linear": 64}, {"conv3d": 3}]}"#),
            "model[1]: unknown layer kind 'conv3d'", "conv2d, maxpool, avgpool")
        assertJobError(
            try decode(#"{"model": [{"linear": 64, "relu": {}}]}"#), "model[0]: a layer has exactly one key")
        assertJobError(
            try decode(#"{"model": [{"linear": "wide"}]}"#), "model[0].linear: expected a number of outputs")
        assertJobError(
            try decode(#"{"model": [{"dropout": 2}]}"#), "model[0]: dropout probability must be in [0, 1)")
        assertJobError(try decode(#"{"model": [{"relu": 1}]}"#), "model[0].relu: relu takes no settings")
        assertJobError(
            try decode(#"{"optimizer": {"name": "adam", "betas": 1}}"#), "optimizer.betas: unknown field")
        assertJobError(
            try decode(#"{"optimizer": "rmsprop"}"#), "optimizer: 'rmsprop' is not one of sgd, adam, adamw")
        assertJobError(try decode(#"{"workers": ["bob", "grpc://x"]}"#), "workers[1]")
        assertJobError(
            try decode(#"{"federated": {"mode": "avg"}}"#),
            "federated.mode: 'avg' is not one of sgd, averaging")
        assertJobError(try decode("[1, 2]"), "expected an object")
        assertJobError(try decode("{\n  \"epochs\": 3,,\n}"), "not valid JSON", "line 2")
        assertJobError(
            try OptimizerSpec(name: .adam, momentum: 0.9).resolved(),
            "optimizer.momentum: only sgd has a momentum")
        assertJobError(try OptimizerSpec(lr: -1).resolved(), "optimizer.lr: must be a positive number")
        assertJobError(
            try FederatedSpec(rounds: 3).resolved(epochs: 1),
            "federated.rounds: only federated averaging has rounds")
        assertJobError(
            try FederatedSpec(mode: .averaging, localEpochs: 0).resolved(epochs: 1), "federated.local_epochs")
    }

    func testLoadNamesTheFile() throws {
        let folder = temporaryFolder(self)
        let path = folder + "/job.json"
        try Data(#"{"epochs": 0.5}"#.utf8).write(to: URL(fileURLWithPath: path))
        assertJobError(try JobConfig.load(from: path), "job.json: epochs: expected a whole number", "got 0.5")
        assertJobError(try JobConfig.load(from: folder + "/none.json"), "none.json: no such file")
    }

    /// The plan fills in what the data says: the task, the output layer, the optimizer's defaults.
    func testPlanResolvesAgainstTheData() throws {
        let iris = try TrainPlan(JobConfig(data: dataPath("iris.csv")))
        XCTAssertEqual(iris.task, .classify)
        XCTAssertEqual(iris.model, [.linear(out: 64), .relu, .linear(out: 3)])
        XCTAssertEqual(iris.optimizer, OptimizerSpec(name: .sgd, lr: 0.1, momentum: 0, weightDecay: 0))
        XCTAssertEqual(iris.config.target, "species")
        XCTAssertEqual(iris.trainFeatures?.shape, [120, 4])
        XCTAssertEqual(iris.testFeatures?.shape, [30, 4])
        let diabetes = try TrainPlan(
            JobConfig(data: dataPath("diabetes.csv"), model: [.linear(out: 8), .tanh]))
        XCTAssertEqual(diabetes.task, .regress)
        XCTAssertEqual(diabetes.model.last, .linear(out: 1))
        XCTAssertEqual(diabetes.trainTargets?.shape, [354, 1])
        // Standardized on the training split: mean 0, deviation 1 per column.
        let mean = try XCTUnwrap(diabetes.trainFeatures).mean(squeezingAxes: 0).doubles
        XCTAssertTrue(mean.allSatisfy { Swift.abs($0) < 1e-5 }, "\(mean)")
        XCTAssertEqual(try TrainPlan(JobConfig(data: dataPath("breast_cancer.csv"))).task, .classify)
        // The saved config, run again, is the same plan.
        let again = try TrainPlan(try JobConfig.decode(iris.config.jsonData()))
        XCTAssertEqual(again.config, iris.config)
    }

    func testPlanErrors() {
        assertJobError(try TrainPlan(JobConfig()), "data: is required")
        assertJobError(try TrainPlan(JobConfig(data: "missing.csv")), "missing.csv: no such file")
        assertJobError(
            try TrainPlan(JobConfig(data: dataPath("iris.csv"), target: "colour")), "no column named 'colour'"
        )
        assertJobError(
            try TrainPlan(JobConfig(data: dataPath("iris.csv"), model: [.linear(out: 5)])),
            "model: the last layer gives 5 outputs but the task needs 3")
        assertJobError(
            try TrainPlan(JobConfig(data: dataPath("iris.csv"), epochs: 0)),
            "epochs: must be at least 1, got 0")
        assertJobError(
            try TrainPlan(JobConfig(data: dataPath("iris.csv"), batchSize: -2)),
            "batch_size: must be at least 1")
        assertJobError(
            try TrainPlan(JobConfig(data: dataPath("iris.csv"), testFraction: 1)),
            "test_fraction: must be in [0, 1)")
        assertJobError(
            try TrainPlan(JobConfig(data: dataPath("iris.csv"), federated: FederatedSpec(mode: .sgd))),
            "federated: needs workers")
        assertJobError(
            try TrainPlan(JobConfig(data: dataPath("diabetes.csv"), target: "bmi", task: .classify)),
            "classification needs class indices")
        // The fields of network workers, and mixing the kinds of workers.
        let network = try? WorkerSpec.parseList("grpc://127.0.0.1:7001,grpc://127.0.0.1:7002")
        assertJobError(
            try TrainPlan(JobConfig(data: dataPath("iris.csv"), testFraction: 0.3, workers: network)),
            "test_fraction: 0.3 does not apply to network workers")
        assertJobError(
            try TrainPlan(
                JobConfig(data: dataPath("iris.csv"), workers: [.virtual(id: "bob")], dataTag: "#iris")),
            "data_tag: applies to network workers only")
        assertJobError(
            try TrainPlan(JobConfig(data: dataPath("iris.csv"), workerTokenFile: "token")),
            "worker_token_file: applies to network workers only")
        assertJobError(
            try TrainPlan(
                JobConfig(
                    data: dataPath("iris.csv"), workers: [.virtual(id: "bob"), .network(host: "h", port: 1)])),
            "workers: 'bob' is a virtual worker and the others are network workers")
    }

    /// With network workers the data file only tests (all its rows), and the tag defaults to its stem.
    func testPlanForNetworkWorkers() throws {
        let plan = try TrainPlan(
            JobConfig(data: dataPath("iris.csv"), workers: try WorkerSpec.parseList("grpc://127.0.0.1:7001")))
        XCTAssertTrue(plan.usesWorkersData)
        XCTAssertEqual(plan.dataTag, "#iris")
        XCTAssertNil(plan.trainFeatures)
        XCTAssertEqual(plan.testFeatures?.shape, [150, 4])
        XCTAssertNil(plan.config.testFraction)
        XCTAssertEqual(plan.config.dataTag, "#iris")
        XCTAssertTrue(plan.summary[0].contains("every row tests"), plan.summary[0])
        XCTAssertEqual(try TrainPlan(try JobConfig.decode(plan.config.jsonData())).config, plan.config)
    }
}
