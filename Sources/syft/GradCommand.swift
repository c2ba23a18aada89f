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

            Examples:
              syft grad --checkpoint runs/my-run --data Data/digits.csv
              syft grad --checkpoint runs/my-run --data Data/digits.csv --batch-size 64 \\
                        --max-grad-norm 1 --noise-multiplier 1.1
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
    @Option(help: "Compute where the data is sent: a virtual worker (bob) or grpc://host:port.")
    var worker: String?
    @Option(help: "The run folder (default: a new folder under runs/).")
    var out: String?

    func run() throws {
        try runJob("grad") { env throws(JobError) in
            let spec = try worker.map { w throws(JobError) in try WorkerSpec.parse(w, field: "--worker") }
            let options = GradOptions(
                checkpoint: checkpoint, data: data, target: target, batchSize: batchSize,
                perExample: perExample,
                maxGradNorm: maxGradNorm, noiseMultiplier: noiseMultiplier, seed: seed, worker: spec, out: out
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
            Writes config.json and metrics.csv to a run folder.

            Example:
              syft eval --checkpoint runs/my-run --data Data/iris.csv
            """
    )

    @Option(help: "A checkpoint written by syft train (model.safetensors or its run folder).")
    var checkpoint: String
    @Option(help: "The data set (CSV with the training data's columns).")
    var data: String
    @Option(help: "The target column (default: the one the model was trained on).")
    var target: String?
    @Option(help: "The run folder (default: a new folder under runs/).")
    var out: String?

    func run() throws {
        try runJob("eval") { env throws(JobError) in
            _ = try EvalJob(EvalOptions(checkpoint: checkpoint, data: data, target: target, out: out)).run(
                in: env)
            return false
        }
    }
}
