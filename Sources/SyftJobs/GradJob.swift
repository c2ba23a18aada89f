import Foundation
import SyftCore
import SyftNN
import SyftRemote

/// What `syft grad` computes for a checkpoint and a data set.
///
/// ```swift
/// let options = GradOptions(checkpoint: "runs/digits", data: "Data/digits.csv", batchSize: 64,
///                           maxGradNorm: 1.0, noiseMultiplier: 1.1)
/// ```
public struct GradOptions: Codable, Sendable, Equatable {
    /// A checkpoint written by `syft train`, or its run folder.
    public var checkpoint: String
    public var data: String
    /// The target column (default: the one the model was trained on).
    public var target: String?
    /// Rows per batch; nil takes the whole set as one batch.
    public var batchSize: Int?
    /// Per-example gradients (one per row) instead of one per batch.
    public var perExample: Bool
    /// The DP-SGD step: clip each example's gradient to this norm (implies per-example computation).
    public var maxGradNorm: Double?
    /// The DP-SGD step: Gaussian noise of standard deviation `noiseMultiplier · maxGradNorm` (default 0).
    public var noiseMultiplier: Double?
    /// The noise's seed.
    public var seed: UInt64
    /// Where to compute: the model is sent to this worker and the gradients computed there, on the data
    /// its owner registered when it is a network worker that holds data tagged ``dataTag``, else on the
    /// `data` file's rows, sent there.
    public var worker: WorkerSpec?
    /// A network worker's data: its tag (default: `#` and the stem of `data`, `#digits`); the `data` file
    /// then only gives the columns to check.
    public var dataTag: String?
    /// A network worker's token file (default: `$SYFT_WORKER_TOKEN`) and CA certificates (TLS).
    public var workerTokenFile: String?
    public var workerCA: String?
    /// The run folder (default: a new folder under `runs/`).
    public var out: String?

    public init(
        checkpoint: String, data: String, target: String? = nil, batchSize: Int? = nil,
        perExample: Bool = false,
        maxGradNorm: Double? = nil, noiseMultiplier: Double? = nil, seed: UInt64 = 0,
        worker: WorkerSpec? = nil, dataTag: String? = nil, workerTokenFile: String? = nil,
        workerCA: String? = nil,
        out: String? = nil
    ) {
        self.checkpoint = checkpoint
        self.data = data
        self.target = target
        self.batchSize = batchSize
        self.perExample = perExample
        self.maxGradNorm = maxGradNorm
        self.noiseMultiplier = noiseMultiplier
        self.seed = seed
        self.worker = worker
        self.dataTag = dataTag
        self.workerTokenFile = workerTokenFile
        self.workerCA = workerCA
        self.out = out
    }

    enum CodingKeys: String, CodingKey {
        case checkpoint, data, target, seed, worker
        case dataTag = "data_tag"
        case workerTokenFile = "worker_token_file"
        case workerCA = "worker_ca"
        case batchSize = "batch_size"
        case perExample = "per_example"
        case maxGradNorm = "max_grad_norm"
        case noiseMultiplier = "noise_multiplier"
    }

    /// What the job writes.
    public enum Mode: String, Sendable {
        /// The gradient of the mean loss of each batch.
        case batch
        /// Every example's gradient of its own loss.
        case perExample = "per-example"
        /// The DP-SGD step of each batch: clipped per-example gradients, summed, noised, averaged.
        case dpsgd = "dp-sgd"
    }

    public var mode: Mode { maxGradNorm != nil ? .dpsgd : perExample ? .perExample : .batch }
}

/// `syft grad`: the gradients of a checkpoint's loss on a data set, written as safetensors.
///
/// - batch mode: the gradient of the mean loss, of the whole set (tensors in the parameters' shapes) or
///   of each batch with `batchSize` (stacked: [batches, ...]);
/// - per-example mode: each row's gradient (stacked: [rows, ...]), from one batched pass per batch
///   (Note [Per-example gradients in one pass]);
/// - DP-SGD mode (`maxGradNorm`): each batch's privatized step, as Opacus computes it.
///
/// Gradients are taken in evaluation mode (dropout off), so they are deterministic. The names are the
/// parameters' `state_dict` names, so `safetensors.torch.load_file` reads them next to the checkpoint.
/// ```swift
/// let result = try GradJob(GradOptions(checkpoint: "runs/iris", data: "Data/iris.csv", perExample: true)).run(in: env)
/// result.gradients["0.weight"]!.shape   // [150, 64, 4]
/// ```
/// With a `worker`, the model goes to that worker and the gradients are computed there, on the data its
/// owner registered (a network worker holding data tagged ``GradOptions/dataTag``, prepared there with
/// the checkpoint's statistics) or else on the local rows sent there; only the results come back:
/// ```swift
/// let options = GradOptions(checkpoint: "runs/digits", data: "digits.csv", batchSize: 64, maxGradNorm: 1,
///                           worker: try WorkerSpec.parse("grpc://10.0.0.7:7001"), workerTokenFile: "token")
/// let result = try GradJob(options).run(in: env)   // DP-SGD steps of '#digits' on that worker
/// ```
/// The DP-SGD noise is drawn here, after the clipped sum comes back (workers
/// cannot draw Gaussian noise yet), so it protects what the job writes, not the sum from the job.
public struct GradJob {
    public let options: GradOptions
    let info: CheckpointInfo
    let model: Sequential
    let features: Tensor
    let targets: Tensor
    let credentials: WorkerCredentials?

    /// Checks the options and reads the checkpoint, the data and a network worker's token; nothing is
    /// written and no worker is contacted yet.
    public init(_ options: GradOptions) throws(JobError) {
        if let b = options.batchSize, b < 1 {
            throw .config(field: "batch_size", problem: "must be at least 1, got \(b)")
        }
        if let c = options.maxGradNorm, !(c > 0 && c.isFinite) {
            throw .config(field: "max_grad_norm", problem: "must be a positive number, got \(c)")
        }
        if let s = options.noiseMultiplier {
            guard options.maxGradNorm != nil else {
                throw .config(
                    field: "noise_multiplier",
                    problem: "needs max_grad_norm (noise is scaled by the clipping norm)")
            }
            guard s >= 0 && s.isFinite else {
                throw .config(field: "noise_multiplier", problem: "must be zero or positive, got \(s)")
            }
        }
        (info, model) = try CheckpointInfo.load(options.checkpoint)
        let prep = info.preprocessing
        let data: TabularData
        do {
            data = try TabularData(csv: options.data, target: options.target ?? prep.targetName)
        } catch {
            throw .data(error)
        }
        try prep.check(data, file: options.data)
        features = prep.features(of: data)
        targets = prep.targets(of: data)
        credentials = try networkCredentials(
            options.worker, dataTag: options.dataTag, tokenFile: options.workerTokenFile, ca: options.workerCA
        )
        self.options = options
    }

    /// What a gradient job wrote.
    public struct Result {
        public var run: RunFolder
        public var files: [String]
        /// The tensors written, by name.
        public var gradients: [String: Tensor]
        public var metrics: MetricsTable
        public var stopped: Bool
    }

    /// Computes the gradients, batch by batch, and writes `gradients.safetensors`, `metrics.csv`,
    /// `config.json` and `plot.svg`. A stop between batches writes the batches done.
    public func run(in env: JobEnvironment) throws(JobError) -> Result {
        do {
            return try runThrowing(env)
        } catch {
            throw JobError.wrap(error)
        }
    }

    private func runThrowing(_ env: JobEnvironment) throws -> Result {
        var x = features
        var y = targets
        var source = "\(options.data) (\(features.shape[0]) rows)"
        if let spec = options.worker {
            let worker = try spec.connect(credentials)
            let placed = try dataOnWorker(
                worker, spec: spec, tag: options.dataTag ?? defaultDataTag(for: options.data),
                tagGiven: options.dataTag != nil, local: (features, targets), prep: info.preprocessing,
                file: options.data)
            (x, y, source) = placed
            try model.send(to: worker)
            try worker.synchronize()
        }
        let n = x.shape[0]
        let batchSize = options.batchSize ?? n
        let run = try RunFolder.create(out: options.out, jobName: "grad-\(fileStem(options.data))")
        try run.write(jsonData(options), to: "config.json")
        env.console.line(
            "grad: \(options.mode.rawValue) gradients of \(CheckpointInfo.checkpointPath(options.checkpoint)) on \(source), "
                + "batches of \(batchSize)")
        env.console.line("run folder: \(run.path)")

        let mode = options.mode
        let perRow = mode == .perExample
        var metrics = MetricsTable(
            columns: perRow
                ? ["example", "loss", "grad_norm"]
                : mode == .dpsgd
                    ? ["batch", "rows", "loss", "grad_norm", "clipped"]
                    : ["batch", "rows", "loss", "grad_norm"])
        var collected: [[Tensor]] = []
        let names = model.namedParameters().map(\.0)
        let generator = Generator(seed: options.seed)
        let batches = (n + batchSize - 1) / batchSize
        let progress = ProgressBar(console: env.console, total: batches, unit: "batches")
        var stopped = false
        for b in 0..<batches {
            let lo = b * batchSize
            let hi = Swift.min(n, lo + batchSize)
            let (xb, yb) = (x[lo..<hi], y[lo..<hi])
            switch mode {
            case .batch:
                model.zeroGrad()
                let loss = info.preprocessing.task.loss(model(xb), yb)
                try loss.backward()
                let grads = try gradients(of: model.parameters().map(\.value)).enumerated().map { i, g in
                    try g?.localValue() ?? Tensor.zeros(model.parameters()[i].value.shape)
                }
                collected.append(grads)
                metrics.append([Double(b), Double(hi - lo), try loss.localValue().item(), globalNorm(grads)])
            case .perExample:
                let pe = try PerExampleGradients(
                    model, features: xb, targets: yb, task: info.preprocessing.task)
                // The norms first: fetching a remote gradient with get() takes it off the worker.
                let (losses, norms) = (try pe.losses.localValue().doubles, try pe.norms.localValue().doubles)
                collected.append(try pe.gradients.map { try $0.localValue() })
                for i in 0..<losses.count { metrics.append([Double(lo + i), losses[i], norms[i]]) }
            case .dpsgd:
                let pe = try PerExampleGradients(
                    model, features: xb, targets: yb, task: info.preprocessing.task)
                let step = try pe.privatized(
                    maxGradNorm: options.maxGradNorm!, noiseMultiplier: options.noiseMultiplier ?? 0,
                    generator: generator)
                collected.append(step.gradients)
                let loss = try pe.losses.localValue().doubles.reduce(0, +) / Double(hi - lo)
                metrics.append([
                    Double(b), Double(hi - lo), loss, globalNorm(step.gradients), Double(step.clipped),
                ])
            }
            progress.advance(status: "batch \(b + 1)/\(batches)")
            if env.stop.isSet && b + 1 < batches {
                stopped = true
                progress.log(
                    "stopped after batch \(b + 1) of \(batches); writing the gradients computed so far")
                break
            }
        }
        progress.finish()

        var tensors: [String: Tensor] = [:]
        for (i, name) in names.enumerated() {
            let parts = collected.map { $0[i] }
            if perRow {
                tensors[name] = cat(parts, axis: 0)
            } else {
                tensors[name] = options.batchSize == nil ? parts[0] : stack(parts, axis: 0)
            }
        }
        let metadata = [
            "syft.grad": String(decoding: jsonData(options), as: UTF8.self), "syft.mode": mode.rawValue,
        ]
        try SafeTensors.save(
            names.map { ($0, tensors[$0]!) }, to: run.file("gradients.safetensors"), metadata: metadata)
        try run.write(metrics.csv, to: "metrics.csv")
        try run.write(plotGradients(metrics), to: "plot.svg")
        let files = ["config.json", "metrics.csv", "gradients.safetensors", "plot.svg"]
        let shapes = names.map { "\($0) \(tensors[$0]!.shape)" }.joined(separator: ", ")
        env.console.line("\(stopped ? "stopped" : "done"): \(shapes)")
        env.console.line("wrote \(run.path)/: \(files.joined(separator: ", "))")
        return Result(run: run, files: files, gradients: tensors, metrics: metrics, stopped: stopped)
    }
}

/// The norm of all tensors together.
func globalNorm(_ tensors: [Tensor]) -> Double {
    var total = 0.0
    for t in tensors { total += withoutGradient { (t * t).sum().to(.float64).item() } }
    return total.squareRoot()
}

/// Pretty-printed JSON with sorted keys.
func jsonData<T: Encodable>(_ value: T) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(value)) ?? Data("{}".utf8)
}

/// Loss and gradient norm per batch (or per example).
func plotGradients(_ metrics: MetricsTable) -> String {
    let x = metrics.columns[0]
    return SVGPlot.render([
        .init(title: "loss", xLabel: x, series: [.init(name: "loss", points: metrics.series("loss"))]),
        .init(
            title: "gradient norm", xLabel: x,
            series: [.init(name: "norm", points: metrics.series("grad_norm"))]),
    ])
}
