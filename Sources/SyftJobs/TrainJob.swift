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

/// `syft train`: trains a model on a CSV data set, locally or federated over workers, and writes a run
/// folder with the resolved config, the metrics per epoch or round, the checkpoint and a plot.
///
/// ```swift
/// let job = try TrainJob(config: JobConfig(data: "Data/iris.csv", epochs: 5, out: "runs/iris"))
/// let result = try job.run(in: JobEnvironment())
/// result.metrics.last("test_accuracy")   // 0.93...
/// ```
/// After every step the checkpoint, metrics and plot are rewritten (each file atomically), so a job
/// that is stopped or fails keeps everything up to its last step; a stop (``StopFlag``) between batches
/// also saves the model as it is then.
public struct TrainJob: Sendable {
    public let plan: TrainPlan
    /// The run folder asked for; nil for a new folder under `runs/`.
    public let out: String?

    /// Resolves and checks the job (reads the data); nothing is written yet.
    /// - Throws: ``JobError`` for the first problem of the job description or the data.
    public init(config: JobConfig) throws(JobError) {
        plan = try TrainPlan(config)
        out = config.out
    }

    /// The checkpoint file in a run folder.
    public static let checkpointName = "model.safetensors"

    /// Runs the job: connects the workers and sends them their shards, then makes the run folder and trains.
    /// - Throws: ``JobError`` when a worker cannot be reached (before anything is written) or fails.
    public func run(in env: JobEnvironment) throws(JobError) -> TrainResult {
        do {
            return try runThrowing(env)
        } catch {
            throw JobError.wrap(error)
        }
    }

    private func runThrowing(_ env: JobEnvironment) throws -> TrainResult {
        var workers: [any Worker] = []
        for spec in plan.workers { workers.append(try spec.connect()) }
        let datasets = try shardAndSend(features: plan.trainFeatures, targets: plan.trainTargets, to: workers)
        for w in workers { try w.synchronize() }
        var aggregator: (any Worker)?
        if plan.federated?.mode == .averaging {
            var name = "secure_worker"
            while plan.workers.contains(where: { $0.id == name }) { name += "_" }
            aggregator = VirtualWorker(id: name)
        }
        let stem = ((plan.config.data ?? "data") as NSString).lastPathComponent.replacingOccurrences(
            of: ".csv", with: "")
        let run = try RunFolder.create(out: out, jobName: "train-\(stem)")
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
                try save(trainer.model, metrics: metrics, to: run)
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
        progress.finish()
        if metrics.rows.isEmpty { try save(trainer.model, metrics: metrics, to: run) }
        let files = ["config.json", "metrics.csv", TrainJob.checkpointName, "plot.svg"]
        env.console.line(finalLine(metrics, stopped: stopped))
        env.console.line("wrote \(run.path)/: \(files.joined(separator: ", "))")
        return TrainResult(run: run, files: files, metrics: metrics, stopped: stopped, model: trainer.model)
    }

    /// Writes the checkpoint (with the job and preprocessing in its metadata), the metrics and the plot.
    private func save(_ model: Sequential, metrics: MetricsTable, to run: RunFolder) throws {
        try model.save(
            to: run.file(TrainJob.checkpointName),
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

    private func finalLine(_ metrics: MetricsTable, stopped: Bool) -> String {
        let verb = stopped ? "stopped" : "done"
        guard let row = metrics.rows.last else { return "\(verb): no \(metrics.columns[0]) completed" }
        if let loss = row[2], let metric = row[3] {
            let name = plan.task == .classify ? "test accuracy" : "test MSE"
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
