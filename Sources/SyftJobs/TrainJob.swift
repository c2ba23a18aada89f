import Foundation
import SyftCore
import SyftNN
import SyftRemote

/// What a training job did.
public struct TrainResult {
    /// Where the files are.
    public var run: RunFolder
    /// The files written in the run folder.
    public var files: [String]
    /// The metrics per epoch or round (the CSV's rows).
    public var metrics: MetricsTable
    /// Whether the job was stopped (Ctrl-C) before its last step; what was done is saved.
    public var stopped: Bool
    /// The trained model (local).
    public var model: Sequential
}

// Note [Saving a run]
// A training job rewrites its run folder's checkpoint, metrics and plot (each file atomically) after its
// first step, then after a step only when the last save is `saveInterval` (a second) old or more, and at
// the end. Rewriting them after every step cost more than the step itself on small data: a digits epoch
// trains in about 2 ms, and the plot and the metrics grow with every step. What a save writes is the
// parameters as the last finished step left them, kept after each step without a copy (the next step's
// in-place update gives a parameter a storage of its own, Note [Storage and copy-on-write]), so a stop,
// or a failure in the middle of a step (a federated step leaves the model on a worker), still saves
// every finished step before the job ends or the error is thrown; only a killed process loses the steps
// of its last second.

/// `syft train`: trains a model on a CSV data set, locally or federated over workers, and writes a run
/// folder with the resolved config, the metrics per epoch or round, the checkpoint and a plot.
///
/// ```swift
/// let job = try TrainJob(config: JobConfig(data: "Data/iris.csv", epochs: 5, out: "runs/iris"))
/// let result = try job.run(in: JobEnvironment())
/// result.metrics.last("test_accuracy")   // 0.93...
/// ```
/// The checkpoint, metrics and plot are rewritten (each file atomically) after the first step, then after
/// a step when the last save is ``saveInterval`` old, and at the end, so a job that is stopped or fails
/// keeps everything up to its last step; a stop (``StopFlag``) between batches also saves the model as it
/// is then (Note [Saving a run]).
///
/// With network workers (`grpc://host:port`) the workers train on the data their owners registered
/// (`syft worker --data F --tag T`), standardized there with statistics of all their rows of which only
/// sums come back, and the `data` file tests (Note [Training on network workers]):
/// ```swift
/// let config = JobConfig(
///     data: "eval/digits.csv", workers: try WorkerSpec.parseList("grpc://10.0.0.7:7001,grpc://10.0.0.8:7001"),
///     federated: FederatedSpec(mode: .averaging, rounds: 5), workerTokenFile: "token")
/// let result = try TrainJob(config: config).run(in: JobEnvironment())   // trains on '#digits' there
/// ```
/// Federated averaging averages where the job runs, on a virtual worker of its own: each worker's
/// trained copy moves there, the weighted average is computed there, and only the average becomes the
/// job's model (the workers never see each other's copies).
public struct TrainJob: Sendable {
    public let plan: TrainPlan
    /// The run folder asked for; nil for a new folder under `runs/`.
    public let out: String?
    /// The job as given (network workers: resolved again once their statistics are known).
    let source: JobConfig
    /// How to authenticate to network workers; nil without them.
    let credentials: WorkerCredentials?

    /// Resolves and checks the job (reads the data and, for network workers, the token); nothing is
    /// written and no worker is contacted yet.
    /// - Throws: ``JobError`` for the first problem of the job description or the data.
    public init(config: JobConfig) throws(JobError) {
        plan = try TrainPlan(config)
        out = config.out
        source = config
        credentials =
            plan.usesWorkersData
            ? try WorkerCredentials.load(tokenFile: config.workerTokenFile, ca: config.workerCA) : nil
    }

    /// The checkpoint file in a run folder.
    public static let checkpointName = "model.safetensors"
    /// The least time between two saves of a run's files during training, in seconds (Note [Saving a
    /// run]).
    public static let saveInterval = 1.0

    /// Runs the job: connects the workers and sends them their shards (network workers: finds their data
    /// and standardizes it there), then makes the run folder and trains.
    /// - Throws: ``JobError`` when a worker cannot be reached, refuses the token or lacks the data (before
    ///   anything is written), or fails.
    public func run(in env: JobEnvironment) throws(JobError) -> TrainResult {
        do {
            return try runThrowing(env)
        } catch {
            throw JobError.wrap(error)
        }
    }

    private func runThrowing(_ env: JobEnvironment) throws -> TrainResult {
        var plan = self.plan
        let workers = try connectWorkers()
        let datasets: [FederatedDataset]
        if let tag = plan.dataTag {
            (plan, datasets) = try prepareWorkersData(tag: tag, on: workers)
        } else if let x = plan.trainFeatures, let y = plan.trainTargets {
            datasets = try shardAndSend(features: x, targets: y, to: workers)
        } else {
            datasets = []
        }
        for w in workers { try w.synchronize() }
        var aggregator: (any Worker)?
        if plan.federated?.mode == .averaging {
            // The average is computed here, on a virtual worker of the job's own.
            var name = "secure_worker"
            while workers.contains(where: { $0.id == name }) { name += "_" }
            aggregator = VirtualWorker(id: name)
        }
        let run = try RunFolder.create(out: out, jobName: "train-\(fileStem(plan.config.data ?? "data"))")
        try run.write(plan.config.jsonData(), to: "config.json")

        manualSeed(plan.seed)  // dropout masks drawn here follow the job's seed
        let trainer = try Trainer(plan: plan, datasets: datasets, aggregator: aggregator, stop: env.stop)
        let (stepCount, stepName) = plan.steps
        var metrics = MetricsTable(columns: [
            stepName, "train_loss", "test_loss", plan.task == .classify ? "test_accuracy" : "test_mse",
            "seconds",
        ])
        for line in plan.summary { env.console.line(line) }
        env.console.line("run folder: \(run.path)")
        let progress = ProgressBar(
            console: env.console, total: stepCount * trainer.batchesPerStep, unit: "batches")
        var stopped = false
        // Note [Saving a run].
        var savedRows = 0
        var lastSave = -Double.infinity
        // The parameters as the last step left them (a federated step that fails leaves them on a worker).
        var done = trainer.model.namedParameters().map { ($0.0, $0.1.value.detached()) }
        func saveDone() throws {
            try save(done, plan: plan, metrics: metrics, to: run)
            savedRows = metrics.rows.count
            lastSave = progress.elapsed
        }
        do {
            for step in 1...stepCount {
                let status = "\(stepName) \(step)/\(stepCount)"
                let outcome = try trainer.runStep(step) { loss in
                    progress.advance(
                        status: loss.isNaN ? status : "\(status)  loss \(String(format: "%.4f", loss))")
                }
                if outcome.fractionDone > 0 {
                    let test = trainer.testMetrics()
                    let x =
                        outcome.completed
                        ? Double(step) : Double(step - 1) + (outcome.fractionDone * 100).rounded() / 100
                    metrics.append([x, outcome.trainLoss, test?.loss, test?.metric, progress.elapsed])
                    done = trainer.model.namedParameters().map { ($0.0, $0.1.value.detached()) }
                    if progress.elapsed - lastSave >= TrainJob.saveInterval { try saveDone() }
                    progress.log(describe(metrics.rows.last!, columns: metrics.columns, of: stepCount))
                }
                if !outcome.completed || (env.stop.isSet && step < stepCount) {
                    stopped = true
                    if outcome.completed {
                        progress.log("stopped after \(stepName) \(step) of \(stepCount); saved")
                    } else if outcome.fractionDone > 0 {
                        let percent = Int(outcome.fractionDone * 100)
                        progress.log(
                            "stopped during \(stepName) \(step) (\(percent)% done); saved the model as it is")
                    } else {
                        progress.log(
                            "stopped during \(stepName) \(step); saved the model as \(stepName) \(step - 1) left it"
                        )
                    }
                    break
                }
            }
        } catch {
            if metrics.rows.count > savedRows { try? saveDone() }
            throw error
        }
        progress.finish()
        if metrics.rows.isEmpty || metrics.rows.count > savedRows { try saveDone() }
        let files = ["config.json", "metrics.csv", TrainJob.checkpointName, "plot.svg"]
        env.console.line(finalLine(metrics, task: plan.task, stopped: stopped))
        env.console.line("wrote \(run.path)/: \(files.joined(separator: ", "))")
        return TrainResult(run: run, files: files, metrics: metrics, stopped: stopped, model: trainer.model)
    }

    /// Connects the plan's workers; network workers must announce distinct ids.
    private func connectWorkers() throws -> [any Worker] {
        var workers: [any Worker] = []
        for spec in plan.workers {
            let worker = try spec.connect(credentials)
            if let i = workers.firstIndex(where: { $0.id == worker.id }) {
                throw JobError.worker(
                    "\(plan.workers[i]) and \(spec) are both worker '\(worker.id)'; each data owner's worker "
                        + "needs its own id (syft worker --id)")
            }
            workers.append(worker)
        }
        return workers
    }

    /// Finds the network workers' data tagged `tag`, gathers its statistics (only sums come back), resolves
    /// the plan again with them, and standardizes the data on each worker (Note [Training on network
    /// workers]).
    private func prepareWorkersData(
        tag: String, on workers: [any Worker]
    ) throws -> (TrainPlan, [FederatedDataset]) {
        var found: [RegisteredData] = []
        for (spec, worker) in zip(plan.workers, workers) {
            guard let data = try RegisteredData.find(tag: tag, on: worker, spec: spec) else {
                throw JobError.worker(
                    "\(spec): worker '\(worker.id)' holds no data tagged '\(tag)' (its owner registers it with "
                        + "syft worker --data FILE --tag '\(tag)'; choose the tag with --data-tag)")
            }
            try data.check(
                columns: plan.preprocessing.featureNames.count, file: plan.config.data ?? "", task: plan.task)
            found.append(data)
        }
        let statistics = try WorkerStatistics.gather(found, task: plan.task)
        if let low = statistics.labelRange?.lowerBound, low < 0 {
            throw JobError.worker(
                "the workers' '\(tag)_labels' include \(Int(low)); classification needs class indices 0, 1, 2, ... "
                    + "(use --task regress for real values)")
        }
        let resolved = try TrainPlan(source, statistics: statistics)
        var datasets: [FederatedDataset] = []
        for data in found { datasets.append(try data.prepared(with: resolved.preprocessing)) }
        return (resolved, datasets)
    }

    /// Writes the checkpoint (with the job and preprocessing in its metadata), the metrics and the plot.
    private func save(
        _ parameters: [(String, Tensor)], plan: TrainPlan, metrics: MetricsTable, to run: RunFolder
    ) throws {
        try SafeTensors.save(
            parameters, to: run.file(TrainJob.checkpointName),
            metadata: CheckpointInfo.metadata(plan.config, plan.preprocessing))
        try run.write(metrics.csv, to: "metrics.csv")
        try run.write(plotMetrics(metrics), to: "plot.svg")
    }

    /// `epoch 3/10  train loss 0.2310  test loss 0.2511  test accuracy 0.9333  (1.2 s)`.
    private func describe(_ row: [Double?], columns: [String], of total: Int) -> String {
        var parts = ["\(columns[0]) \(formatNumber(row[0] ?? 0))/\(total)"]
        for (name, value) in zip(columns.dropFirst(), row.dropFirst()).dropLast() {
            guard let value else { continue }
            parts.append("\(name.replacingOccurrences(of: "_", with: " ")) \(String(format: "%.4f", value))")
        }
        parts.append("(\(String(format: "%.1f", (row.last ?? 0) ?? 0)) s)")
        return parts.joined(separator: "  ")
    }

    private func finalLine(_ metrics: MetricsTable, task: Task, stopped: Bool) -> String {
        let verb = stopped ? "stopped" : "done"
        guard let row = metrics.rows.last else { return "\(verb): no \(metrics.columns[0]) completed" }
        if let loss = row[2], let metric = row[3] {
            let name = task == .classify ? "test accuracy" : "test MSE"
            return
                "\(verb): \(name) \(String(format: "%.4f", metric)), test loss \(String(format: "%.4f", loss)) "
                + "after \(metrics.columns[0]) \(formatNumber(row[0] ?? 0))"
        }
        return
            "\(verb): train loss \(String(format: "%.4f", row[1] ?? .nan)) after \(metrics.columns[0]) \(formatNumber(row[0] ?? 0))"
    }
}

/// The loss and accuracy (or MSE) panels of a training run.
func plotMetrics(_ metrics: MetricsTable) -> String {
    let x = metrics.columns[0]
    var panels = [
        SVGPlot.Panel(
            title: "loss", xLabel: x,
            series: [
                .init(name: "train", points: metrics.series("train_loss")),
                .init(name: "test", points: metrics.series("test_loss")),
            ])
    ]
    if metrics.columns.contains("test_accuracy") {
        panels.append(
            .init(
                title: "test accuracy", xLabel: x,
                series: [.init(name: "test", points: metrics.series("test_accuracy"))]))
    } else if metrics.columns.contains("test_mse") {
        panels.append(
            .init(
                title: "test MSE (target units)", xLabel: x,
                series: [.init(name: "test", points: metrics.series("test_mse"))]))
    }
    return SVGPlot.render(panels)
}
