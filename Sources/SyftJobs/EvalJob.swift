import Foundation
import SyftCore
import SyftNN
import SyftRemote

/// What `syft eval` measures.
public struct EvalOptions: Codable, Sendable, Equatable {
    /// A checkpoint written by `syft train`, or its run folder.
    public var checkpoint: String
    public var data: String
    /// The target column (default: the one the model was trained on).
    public var target: String?
    /// Where to evaluate: the model is sent to this worker and evaluated there, on the data its owner
    /// registered when it is a network worker holding data tagged ``dataTag``, else on the `data` file's
    /// rows, sent there. Only the loss and the accuracy (or error) come back.
    public var worker: WorkerSpec?
    /// A network worker's data: its tag (default: `#` and the stem of `data`).
    public var dataTag: String?
    /// A network worker's token file (default: `$SYFT_WORKER_TOKEN`) and CA certificates (TLS).
    public var workerTokenFile: String?
    public var workerCA: String?
    /// The run folder (default: a new folder under `runs/`).
    public var out: String?

    public init(
        checkpoint: String, data: String, target: String? = nil, worker: WorkerSpec? = nil,
        dataTag: String? = nil, workerTokenFile: String? = nil, workerCA: String? = nil, out: String? = nil
    ) {
        self.checkpoint = checkpoint
        self.data = data
        self.target = target
        self.worker = worker
        self.dataTag = dataTag
        self.workerTokenFile = workerTokenFile
        self.workerCA = workerCA
        self.out = out
    }

    enum CodingKeys: String, CodingKey {
        case checkpoint, data, target, worker
        case dataTag = "data_tag"
        case workerTokenFile = "worker_token_file"
        case workerCA = "worker_ca"
    }
}

/// `syft eval`: the loss and accuracy (classification) or mean squared error (regression, in the
/// target's units) of a checkpoint on a data set, prepared as in training (the checkpoint's metadata).
///
/// ```swift
/// let result = try EvalJob(EvalOptions(checkpoint: "runs/iris", data: "Data/iris.csv")).run(in: env)
/// result.accuracy   // 0.97...
/// ```
/// It writes `config.json` and `metrics.csv` (one row) to its run folder. On a network worker's
/// registered data, only the two numbers come back:
/// ```swift
/// let options = EvalOptions(checkpoint: "runs/digits", data: "digits.csv",
///                           worker: try WorkerSpec.parse("grpc://10.0.0.7:7001"), workerTokenFile: "token")
/// let result = try EvalJob(options).run(in: env)   // on '#digits' there
/// ```
public struct EvalJob {
    public let options: EvalOptions
    let info: CheckpointInfo
    let model: Sequential
    let features: Tensor
    let targets: Tensor
    let credentials: WorkerCredentials?

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
        credentials = try networkCredentials(
            options.worker, dataTag: options.dataTag, tokenFile: options.workerTokenFile, ca: options.workerCA
        )
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

    /// Evaluates (on the worker, when one is given) and writes the run folder.
    /// - Throws: ``JobError`` when the worker cannot be reached or fails (before anything is written).
    public func run(in env: JobEnvironment) throws(JobError) -> Result {
        do {
            return try runThrowing(env)
        } catch {
            throw JobError.wrap(error)
        }
    }

    private func runThrowing(_ env: JobEnvironment) throws -> Result {
        let task = info.preprocessing.task
        var source = "\(options.data) (\(features.shape[0]) rows)"
        let loss: Double
        let accuracy: Double?
        let rows: Int
        if let spec = options.worker {
            let worker = try spec.connect(credentials)
            let placed = try dataOnWorker(
                worker, spec: spec, tag: options.dataTag ?? defaultDataTag(for: options.data),
                tagGiven: options.dataTag != nil, local: (features, targets), prep: info.preprocessing,
                file: options.data)
            source = placed.what
            rows = placed.x.shape[0]
            try model.send(to: worker)
            (loss, accuracy) = try evaluateThere(model, features: placed.x, targets: placed.y, task: task)
        } else {
            rows = features.shape[0]
            (loss, accuracy) = evaluate(model, features: features, targets: targets, task: task)
        }
        let mse = task == .regress ? info.preprocessing.meanSquaredErrorInTargetUnits(loss) : nil
        let run = try RunFolder.create(out: options.out, jobName: "eval-\(fileStem(options.data))")
        var metrics = MetricsTable(columns: ["rows", "loss", task == .classify ? "accuracy" : "mse"])
        metrics.append([Double(rows), loss, accuracy ?? mse])
        try run.write(jsonData(options), to: "config.json")
        try run.write(metrics.csv, to: "metrics.csv")
        let what =
            accuracy.map { "accuracy \(String(format: "%.4f", $0))" }
            ?? "MSE \(String(format: "%.4f", mse ?? .nan))"
        env.console.line(
            "eval: \(CheckpointInfo.checkpointPath(options.checkpoint)) on \(source): "
                + "\(what), loss \(String(format: "%.4f", loss))")
        env.console.line("wrote \(run.path)/: config.json, metrics.csv")
        return Result(run: run, rows: rows, loss: loss, accuracy: accuracy, meanSquaredError: mse)
    }
}

/// The loss and accuracy of `model` on data at its worker (model and data pointers there), computed there
/// in evaluation mode; only the two numbers come back.
func evaluateThere(
    _ model: Sequential, features: Tensor, targets: Tensor, task: Task
) throws -> (loss: Double, accuracy: Double?) {
    model.eval()
    let (loss, correct) = withoutGradient {
        let out = model(features)
        let correct =
            task == .classify ? (out.argmax(squeezingAxis: 1) .== targets).to(.float64).mean() : nil
        return (task.loss(out, targets), correct)
    }
    return (try loss.get().item(), try correct?.get().item())
}
