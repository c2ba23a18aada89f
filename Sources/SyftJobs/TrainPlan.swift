import Foundation
import SyftCore
import SyftNN

/// A training job resolved against its data: every setting decided, the data read, split (the test
/// part held back) and standardized on the training part. Building a plan checks the whole job, so a
/// job that has a plan does not fail on its input.
///
/// ```swift
/// let plan = try TrainPlan(JobConfig(data: "Data/iris.csv", epochs: 5))
/// plan.config.task       // .classify (guessed: species holds 0, 1, 2)
/// plan.config.model      // [.linear(out: 64), .relu, .linear(out: 3)]
/// ```
public struct TrainPlan: Sendable {
    /// The job with every field filled in (what `config.json` holds; `out` is left out).
    public var config: JobConfig
    /// The resolved settings, unwrapped.
    public var task: Task
    public var model: [LayerSpec]
    public var optimizer: OptimizerSpec
    public var epochs: Int
    public var batchSize: Int
    public var seed: UInt64
    public var workers: [WorkerSpec]
    /// Nil for local training.
    public var federated: FederatedSpec?
    /// How features and targets are prepared (saved with the checkpoint).
    public var preprocessing: Preprocessing
    /// The standardized training split: features [rows, features] and targets; nil with network
    /// workers, which train on their own data (Note [Training on network workers]).
    public var trainFeatures: Tensor?
    public var trainTargets: Tensor?
    /// The held-back split (with network workers, every row of the data file), nil when it has no row.
    public var testFeatures: Tensor?
    public var testTargets: Tensor?
    /// Network workers: the tag of their training data; nil otherwise.
    public var dataTag: String?
    /// Lines describing the data and the model, for the job's header.
    public var summary: [String]

    /// Whether the workers train on their own registered data (network workers).
    public var usesWorkersData: Bool { dataTag != nil }

    /// Resolves `config` against its data set.
    ///
    /// With network workers the data file only tests and the training data is the workers' own, so
    /// until the job has the workers' statistics the plan standardizes with the file's own
    /// (``TrainJob/run(in:)`` resolves the plan again with the workers').
    /// - Throws: ``JobError`` for the first problem: a missing or bad field, an unreadable data file, a
    ///   missing column, targets that do not fit the task, a model that does not fit the data (a layer
    ///   that does not fit what the layer before gives, named with the shapes).
    public init(_ config: JobConfig) throws(JobError) {
        try self.init(config, statistics: nil)
    }

    /// Resolves `config`; with network workers, standardizes with `statistics`, the workers' data's.
    init(_ config: JobConfig, statistics: WorkerStatistics?) throws(JobError) {
        guard let path = config.data, !path.isEmpty else {
            throw .config(
                field: "data", problem: "is required (--data FILE.csv, or \"data\" in the job file)")
        }
        let epochs = config.epochs ?? 10
        let batchSize = config.batchSize ?? 32
        let testFraction = config.testFraction ?? 0.2
        guard epochs >= 1 else {
            throw .config(field: "epochs", problem: "must be at least 1, got \(epochs)")
        }
        guard batchSize >= 1 else {
            throw .config(field: "batch_size", problem: "must be at least 1, got \(batchSize)")
        }
        guard testFraction >= 0 && testFraction < 1 else {
            throw .config(field: "test_fraction", problem: "must be in [0, 1), got \(testFraction)")
        }
        let optimizer = try (config.optimizer ?? OptimizerSpec()).resolved()
        let workers = config.workers ?? []
        if config.federated != nil && workers.isEmpty {
            throw .config(field: "federated", problem: "needs workers (--workers bob,alice)")
        }
        let network = try TrainPlan.checkNetworkFields(config, workers: workers)
        let federated =
            workers.isEmpty ? nil : try (config.federated ?? FederatedSpec()).resolved(epochs: epochs)
        var layers: [LayerSpec] = []
        for (i, layer) in (config.model ?? [.linear(out: 64), .relu]).enumerated() {
            layers.append(try LayerSpec.checked(layer, field: "model[\(i)]"))
        }

        let data: TabularData
        do {
            data = try TabularData(csv: path, target: config.target)
        } catch {
            throw .data(error)
        }
        let task = config.task ?? guessTask(data)
        var classes: Int?
        if task == .classify {
            try checkClassLabels(data, file: path, classes: nil)
            let remote = statistics?.labelRange.map { Int($0.upperBound) + 1 } ?? 0
            classes = Swift.max(data.classCount, remote)
            guard classes! >= 2 else {
                throw .data(
                    .mismatch(
                        path, reason: "column '\(data.targetName)' holds one class only; nothing to classify")
                )
            }
        }
        let seed = config.seed ?? 0
        let (train, test): (TabularData?, TabularData) =
            network ? (nil, data) : data.split(testFraction: testFraction, seed: seed)
        if let train, train.count < Swift.max(1, workers.count) {
            throw .config(
                field: "test_fraction",
                problem:
                    "leaves \(train.count) training rows of \(data.count), fewer than the \(Swift.max(1, workers.count)) needed"
            )
        }
        let preprocessing =
            statistics.map { Preprocessing(columnsOf: data, statistics: $0, task: task, classes: classes) }
            ?? Preprocessing(fitting: train ?? data, task: task, classes: classes)
        let needs =
            task == .classify ? "\(preprocessing.outputs) classes in '\(data.targetName)'" : "one value"
        let resolved = try LayerSpec.resolve(
            LayerSpec.completed(layers, outputs: preprocessing.outputs, needs: needs),
            inputs: data.featureNames.count)
        let model = resolved.layers
        let dataTag = network ? (config.dataTag ?? defaultDataTag(for: path)) : nil

        self.config = JobConfig(
            data: path, target: data.targetName, task: task, model: model, optimizer: optimizer,
            epochs: epochs,
            batchSize: batchSize, seed: seed, testFraction: network ? nil : testFraction,
            workers: workers.isEmpty ? nil : workers,
            federated: federated, dataTag: dataTag, workerTokenFile: config.workerTokenFile,
            workerCA: config.workerCA)
        self.task = task
        self.model = model
        self.optimizer = optimizer
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.workers = workers
        self.federated = federated
        self.preprocessing = preprocessing
        self.dataTag = dataTag
        if let train {
            trainFeatures = preprocessing.features(of: train)
            trainTargets = preprocessing.targets(of: train)
        }
        if test.count > 0 {
            testFeatures = preprocessing.features(of: test)
            testTargets = preprocessing.targets(of: test)
        }
        let what =
            task == .classify
            ? "classify \(preprocessing.outputs) classes" : "regress (targets standardized for training)"
        let guessed = config.task == nil ? ", guessed" : ""
        let described =
            "data: \(path): \(data.count) rows, \(data.featureNames.count) features, target '\(data.targetName)' "
            + "(\(what)\(guessed)); "
        let names = statistics?.workerIDs ?? workers.map(\.description)
        summary = [
            described
                + (network
                    ? "every row tests; the workers train on their own data"
                    : "\(train?.count ?? 0) to train, \(test.count) held back for testing"),
            "model: \(LayerSpec.summary(resolved)); \(optimizer.summary), "
                + "batch size \(batchSize), seed \(seed)",
            "training: " + TrainPlan.describe(epochs: epochs, workers: names, federated: federated),
        ]
        if let statistics, let dataTag {
            summary.insert(
                "training data: \(statistics.describe(tag: dataTag)), standardized there with the statistics "
                    + "of all \(statistics.totalRows) rows", at: 1)
        }
    }

    /// Checks the fields that belong to network workers; returns whether the workers are network workers.
    private static func checkNetworkFields(
        _ config: JobConfig, workers: [WorkerSpec]
    ) throws(JobError) -> Bool {
        let network = workers.contains(where: \.isNetwork)
        if network {
            if let virtual = workers.first(where: { !$0.isNetwork }) {
                throw .config(
                    field: "workers",
                    problem:
                        "'\(virtual)' is a virtual worker and the others are network workers; use one kind "
                        + "(network workers train on their own data, virtual ones on shards of --data)")
            }
            if let fraction = config.testFraction {
                throw .config(
                    field: "test_fraction",
                    problem: "\(fraction) does not apply to network workers: they train on their own data, "
                        + "and every row of --data tests")
            }
            if let tag = config.dataTag, tag.isEmpty {
                throw .config(field: "data_tag", problem: "must not be empty")
            }
            return true
        }
        for (field, given) in [
            ("data_tag", config.dataTag != nil), ("worker_token_file", config.workerTokenFile != nil),
            ("worker_ca", config.workerCA != nil),
        ] where given {
            throw .config(
                field: field, problem: "applies to network workers only (--workers grpc://host:port,...)")
        }
        return false
    }

    /// `10 epochs, local` or `5 rounds of federated averaging over bob, alice (1 local epoch each)`.
    static func describe(epochs: Int, workers: [String], federated: FederatedSpec?) -> String {
        let names = workers.joined(separator: ", ")
        switch federated?.mode {
        case nil: return "\(epochs) epoch\(epochs == 1 ? "" : "s"), local"
        case .sgd?: return "\(epochs) epoch\(epochs == 1 ? "" : "s") of federated SGD over \(names)"
        case .averaging?:
            let rounds = federated?.rounds ?? epochs
            let local = federated?.localEpochs ?? 1
            return "\(rounds) round\(rounds == 1 ? "" : "s") of federated averaging over \(names) "
                + "(\(local) local epoch\(local == 1 ? "" : "s") each)"
        }
    }

    /// A new model of the plan's architecture, initialized from the job's seed.
    /// - Throws: ``JobError/config(field:problem:file:)`` if `model` was changed to layers that do not fit
    ///   the data (a plan's own model always fits).
    public func makeModel() throws(JobError) -> Sequential {
        try LayerSpec.build(model, inputs: preprocessing.featureNames.count, generator: Generator(seed: seed))
    }

    /// How many steps (epochs or rounds) the job runs, and what they are called.
    var steps: (count: Int, name: String) {
        federated?.mode == .averaging ? (federated?.rounds ?? epochs, "round") : (epochs, "epoch")
    }
}
