import ArgumentParser
import SyftJobs
import SyftNN

/// `syft train`: trains a model on a CSV data set, locally or federated over workers.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a CSV data set, locally or federated over workers; writes a run folder.",
        discussion: """
            The job is given by flags, by a JSON file (--config), or both (flags win). Features are \
            standardized on the training split; test metrics come from the held-back split. The run folder \
            gets config.json (the resolved job: `syft train --config` it to run it again), metrics.csv, \
            model.safetensors and plot.svg. Ctrl-C stops after the current batch and saves.

            With network workers (--workers grpc://host:port,...; grpc://bob@host:port insists on the id) \
            each worker trains on the data its owner registered with `syft worker --data FILE --tag T`, \
            found by its tag (--data-tag, default '#' and the name of the --data file: '#digits' for \
            digits.csv) and never sent here. Features are standardized with the statistics of all the \
            workers' rows, of which only column sums come back. The --data file does not train: it gives \
            the columns, and every one of its rows tests. The workers' token: --worker-token-file or \
            $SYFT_WORKER_TOKEN; --worker-ca when they serve TLS. An unreachable worker or a refused token \
            stops the job before it writes anything.

            Examples:
              syft train --data Data/iris.csv --epochs 20
              syft train --data Data/digits.csv --model 64,relu,dropout:0.1 --lr 0.05
              syft train --data Data/digits.csv --model image:1x8x8,conv8k3p1,relu,maxpool2,flatten,10 \\
                         --lr 0.05 --epochs 5
              syft train --data Data/digits.csv --workers bob,alice --rounds 5 \\
                         --federated averaging
              syft train --data eval/digits.csv --workers grpc://10.0.0.7:7001,grpc://10.0.0.8:7001 \\
                         --federated averaging --rounds 5 --worker-token-file token
              syft train --config job.json --epochs 3
            """
    )

    @Option(help: "A JSON job file (the same fields as the flags); flags override its fields.")
    var config: String?
    @Option(help: "The data set: a CSV file with a header row and numeric fields.")
    var data: String?
    @Option(help: "The target column (default: the last column).")
    var target: String?
    @Option(help: "classify or regress (default: guessed from the target column).")
    var task: String?
    @Option(
        help:
            "The layers: numbers are linear layers, then relu, tanh, sigmoid, dropout[:p], flatten, and for images image:CxHxW, conv<out>k<kernel>[s<stride>][p<padding>], maxpool<k>[s<stride>], avgpool<k>[s<stride>] (default 64,relu; an output layer is added unless the list ends with one)."
    )
    var model: String?
    @Option(help: "sgd, adam or adamw (default sgd).")
    var optimizer: String?
    @Option(help: "Learning rate (default 0.1 for sgd, 0.001 for adam and adamw).")
    var lr: Double?
    @Option(help: "SGD momentum (default 0).")
    var momentum: Double?
    @Option(help: "Weight decay (default 0; 0.01 for adamw).")
    var weightDecay: Double?
    @Option(help: "Epochs (default 10).")
    var epochs: Int?
    @Option(help: "Rows per batch (default 32).")
    var batchSize: Int?
    @Option(help: "Seed of the split, the initialization and the shuffling (default 0).")
    var seed: UInt64?
    @Option(help: "Share of rows held back for testing (default 0.2; not with network workers).")
    var testFraction: Double?
    @Option(
        help:
            "Data owners: virtual workers in this process (bob,alice), each given a shard of the training split, or network workers (grpc://host:port,... or grpc://id@host:port), each training on its own registered data."
    )
    var workers: String?
    @Option(
        help:
            "Network workers: the tag of their registered data (default: '#' and the name of the --data file, '#digits' for digits.csv)."
    )
    var dataTag: String?
    @Option(help: "Network workers: a file whose first line is their token (default: $SYFT_WORKER_TOKEN).")
    var workerTokenFile: String?
    @Option(help: "Network workers serving TLS: the CA certificates (PEM) to trust.")
    var workerCa: String?
    @Option(help: "With workers: sgd (the model visits each worker every epoch; the default) or averaging.")
    var federated: String?
    @Option(help: "Federated averaging rounds (default: the epochs).")
    var rounds: Int?
    @Option(help: "Epochs each worker trains per averaging round (default 1).")
    var localEpochs: Int?
    @Option(help: "The run folder (default: a new folder under runs/).")
    var out: String?

    /// The job the flags describe (over the file's, when --config is given).
    func jobConfig() throws(JobError) -> JobConfig {
        var flags = JobConfig(
            data: data, target: target, epochs: epochs, batchSize: batchSize, seed: seed,
            testFraction: testFraction, dataTag: dataTag, workerTokenFile: workerTokenFile,
            workerCA: workerCa,
            out: out)
        if let task { flags.task = try parseChoice(task, SyftNN.Task.self, flag: "--task") }
        if let model { flags.model = try LayerSpec.parseList(model, field: "--model") }
        if optimizer != nil || lr != nil || momentum != nil || weightDecay != nil {
            flags.optimizer = OptimizerSpec(
                name: try optimizer.map { name throws(JobError) in
                    try parseChoice(name, OptimizerSpec.Name.self, flag: "--optimizer")
                },
                lr: lr, momentum: momentum, weightDecay: weightDecay)
        }
        if let workers { flags.workers = try WorkerSpec.parseList(workers, field: "--workers") }
        if federated != nil || rounds != nil || localEpochs != nil {
            flags.federated = FederatedSpec(
                mode: try federated.map { mode throws(JobError) in
                    try parseChoice(mode, FederatedSpec.Mode.self, flag: "--federated")
                },
                rounds: rounds, localEpochs: localEpochs)
        }
        guard let config else { return flags }
        return flags.overriding(try JobConfig.load(from: config))
    }

    func run() throws {
        try runJob("train") { env throws(JobError) in
            let job = try TrainJob(config: try jobConfig())
            return try job.run(in: env).stopped
        }
    }
}

/// A flag's value that must be one of an enumeration's names.
func parseChoice<E: RawRepresentable & CaseIterable>(
    _ text: String, _: E.Type, flag: String
) throws(JobError) -> E
where E.RawValue == String {
    guard let value = E(rawValue: text.lowercased()) else {
        throw .config(
            field: flag,
            problem: "'\(text)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return value
}
