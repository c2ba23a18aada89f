import Foundation
import SyftCore
import SyftNN

/// What `syft eval` measures.
public struct EvalOptions: Codable, Sendable, Equatable {
    /// A checkpoint written by `syft train`, or its run folder.
    public var checkpoint: String
    public var data: String
    /// The target column (default: the one the model was trained on).
    public var target: String?
    /// The run folder (default: a new folder under `runs/`).
    public var out: String?

    public init(checkpoint: String, data: String, target: String? = nil, out: String? = nil) {
        self.checkpoint = checkpoint
        self.data = data
        self.target = target
        self.out = out
    }

    enum CodingKeys: String, CodingKey { case checkpoint, data, target }
}

/// `syft eval`: the loss and accuracy (classification) or mean squared error (regression, in the
/// target's units) of a checkpoint on a data set, prepared as in training (the checkpoint's metadata).
///
/// ```swift
/// let result = try EvalJob(EvalOptions(checkpoint: "runs/iris", data: "Data/iris.csv")).run(in: env)
/// result.accuracy   // 0.97...
/// ```
/// It writes `config.json` and `metrics.csv` (one row) to its run folder.
public struct EvalJob {
    public let options: EvalOptions
    let info: CheckpointInfo
    let model: Sequential
    let features: Tensor
    let targets: Tensor

    /// Reads and checks the checkpoint and the data; nothing is written yet.
    /// - Throws: ``JobError`` for a missing or corrupt checkpoint, a missing file or column, or data whose
    ///   columns differ from the training data's.
    public init(_ options: EvalOptions) throws(JobError) {
        (info, model) = try CheckpointInfo.load(options.checkpoint)
        let data: TabularData
        do {
            data = try TabularData(csv: options.data, target: options.target ?? info.preprocessing.targetName)
        } catch {
            throw .data(error)
        }
        try info.preprocessing.check(data, file: options.data)
        features = info.preprocessing.features(of: data)
        targets = info.preprocessing.targets(of: data)
        self.options = options
    }

    /// What an evaluation measured.
    public struct Result {
        public var run: RunFolder
        public var rows: Int
        /// The loss the model was trained on (cross entropy, or the MSE of standardized targets).
        public var loss: Double
        /// Classification: the share of rows whose predicted class is right.
        public var accuracy: Double?
        /// Regression: the mean squared error in the target's units.
        public var meanSquaredError: Double?
    }

    /// Evaluates and writes the run folder.
    public func run(in env: JobEnvironment) throws(JobError) -> Result {
        let task = info.preprocessing.task
        let (loss, accuracy) = evaluate(model, features: features, targets: targets, task: task)
        let mse = task == .regress ? info.preprocessing.meanSquaredErrorInTargetUnits(loss) : nil
        let stem = (options.data as NSString).lastPathComponent.replacingOccurrences(of: ".csv", with: "")
        let run = try RunFolder.create(out: options.out, jobName: "eval-\(stem)")
        var metrics = MetricsTable(columns: ["rows", "loss", task == .classify ? "accuracy" : "mse"])
        let rows = features.shape[0]
        metrics.append([Double(rows), loss, accuracy ?? mse])
        try run.write(jsonData(options), to: "config.json")
        try run.write(metrics.csv, to: "metrics.csv")
        let what =
            accuracy.map { "accuracy \(String(format: "%.4f", $0))" }
            ?? "MSE \(String(format: "%.4f", mse ?? .nan))"
        env.console.line(
            "eval: \(CheckpointInfo.checkpointPath(options.checkpoint)) on \(options.data) (\(rows) rows): "
                + "\(what), loss \(String(format: "%.4f", loss))")
        env.console.line("wrote \(run.path)/: config.json, metrics.csv")
        return Result(run: run, rows: rows, loss: loss, accuracy: accuracy, meanSquaredError: mse)
    }
}
