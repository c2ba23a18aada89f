import ArgumentParser
import SyftJobs

/// `syft grad`: the batch-gradient job.
struct GradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grad",
        abstract:
            "Gradients of a checkpoint's loss on a data set: whole set, per batch, per example, or the DP-SGD step.",
        discussion: """
            Writes gradients.safetensors (named as the checkpoint's parameters), metrics.csv, config.json \
            and plot.svg. Without --batch-size the whole set is one batch. --per-example gives each row's \
            gradient ([rows, ...]), computed for a whole batch in one pass. --max-grad-norm gives the DP-SGD \
            step of each batch as Opacus computes it: per-example gradients clipped to that norm, summed, \
            plus Gaussian noise of deviation noise-multiplier × max-grad-norm, divided by the batch size.

            With --worker the gradients are computed on that worker and only they come back. On a network \
            worker (grpc://host:port) that holds data registered under --data-tag (default '#' and the name \
            of the --data file), that data is used, prepared there as in training; the --data file then \
            only gives the columns. Otherwise the --data rows are sent to the worker.

            Examples:
              syft grad --checkpoint runs/my-run --data Data/digits.csv
              syft grad --checkpoint runs/my-run --data Data/digits.csv --batch-size 64 \\
                        --max-grad-norm 1 --noise-multiplier 1.1
              syft grad --checkpoint runs/my-run --data digits.csv --worker grpc://10.0.0.7:7001 \\
                        --worker-token-file token --batch-size 64 --max-grad-norm 1
            """
    )

    @Option(help: "A checkpoint written by syft train (model.safetensors or its run folder).")
    var checkpoint: String
    @Option(help: "The data set (CSV with the training data's columns).")
    var data: String
    @Option(help: "The target column (default: the one the model was trained on).")
    var target: String?
    @Option(help: "Rows per batch (default: the whole set as one batch).")
    var batchSize: Int?
    @Flag(help: "Each row's gradient instead of each batch's.")
    var perExample = false
    @Option(help: "DP-SGD: clip each example's gradient to this norm.")
    var maxGradNorm: Double?
    @Option(help: "DP-SGD: noise standard deviation as a multiple of --max-grad-norm (default 0).")
    var noiseMultiplier: Double?
    @Option(help: "Seed of the noise (default 0).")
    var seed: UInt64 = 0
    @Option(
        help:
            "Compute on a worker: a virtual worker (bob), or a network worker (grpc://host:port) with its registered data."
    )
    var worker: String?
    @OptionGroup var network: NetworkWorkerOptions
    @Option(help: "The run folder (default: a new folder under runs/).")
    var out: String?

    func run() throws {
        try runJob("grad") { env throws(JobError) in
            let spec = try worker.map { w throws(JobError) in try WorkerSpec.parse(w, field: "--worker") }
            let options = GradOptions(
                checkpoint: checkpoint, data: data, target: target, batchSize: batchSize,
                perExample: perExample,
                maxGradNorm: maxGradNorm, noiseMultiplier: noiseMultiplier, seed: seed, worker: spec,
                dataTag: network.dataTag, workerTokenFile: network.workerTokenFile,
                workerCA: network.workerCa,
                out: out
            )
            return try GradJob(options).run(in: env).stopped
        }
    }
}

/// `syft eval`: loss and accuracy (or MSE) of a checkpoint on a data set.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Loss and accuracy (or mean squared error) of a checkpoint on a data set.",
        discussion: """
            The data is prepared as in training (the checkpoint carries its job and standardization). \
            Writes config.json and metrics.csv to a run folder. With --worker the model is evaluated on \
            that worker and only the loss and accuracy (or error) come back; a network worker's registered \
            data (--data-tag) is used when it holds it, else the --data rows are sent there.

            Examples:
              syft eval --checkpoint runs/my-run --data Data/iris.csv
              syft eval --checkpoint runs/my-run --data digits.csv --worker grpc://10.0.0.7:7001 \\
                        --worker-token-file token
            """
    )

    @Option(help: "A checkpoint written by syft train (model.safetensors or its run folder).")
    var checkpoint: String
    @Option(help: "The data set (CSV with the training data's columns).")
    var data: String
    @Option(help: "The target column (default: the one the model was trained on).")
    var target: String?
    @Option(
        help:
            "Evaluate on a worker: a virtual worker (bob), or a network worker (grpc://host:port) with its registered data."
    )
    var worker: String?
    @OptionGroup var network: NetworkWorkerOptions
    @Option(help: "The run folder (default: a new folder under runs/).")
    var out: String?

    func run() throws {
        try runJob("eval") { env throws(JobError) in
            let spec = try worker.map { w throws(JobError) in try WorkerSpec.parse(w, field: "--worker") }
            let options = EvalOptions(
                checkpoint: checkpoint, data: data, target: target, worker: spec, dataTag: network.dataTag,
                workerTokenFile: network.workerTokenFile, workerCA: network.workerCa, out: out)
            _ = try EvalJob(options).run(in: env)
            return false
        }
    }
}

/// The options of a job on a network worker (`--worker grpc://host:port`).
struct NetworkWorkerOptions: ParsableArguments {
    @Option(
        help:
            "A network worker's data: its tag (default: '#' and the name of the --data file, '#digits' for digits.csv)."
    )
    var dataTag: String?
    @Option(help: "A network worker's token: a file whose first line is it (default: $SYFT_WORKER_TOKEN).")
    var workerTokenFile: String?
    @Option(help: "A network worker serving TLS: the CA certificates (PEM) to trust.")
    var workerCa: String?
}
