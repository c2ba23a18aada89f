import Foundation
import SyftCore
import SyftNN
import SyftRemote

// Note [Training on network workers]
// A network worker trains on its owner's data, registered with `syft worker --data F --tag T` (the
// features [rows, columns] float32 tagged T, the target [rows] tagged T_labels, int64 when every value is
// whole), which the job finds with `search` and never sees. The job's own `--data` file does not train:
// it names the columns (the workers' data must have as many feature columns) and every one of its rows
// tests (holding part of it back would waste rows nobody trains on, so `test_fraction` does not apply).
//
// Standardization is fitted on all the workers' rows together without moving them. Each worker sums its
// columns (and, for regression, its targets) and only the sums come back; their total over the total
// row count is the global mean, which goes back to every worker, which sums its squared deviations from
// it; again only the sums come back, giving the global (population) deviation exactly as `Standardizer`
// computes it on pooled rows. (Two passes rather than one of sums and sums of squares: the difference
// of the sum of squares and the squared sum loses digits when a mean is large against its deviation.)
// For classification each worker also reports its smallest and largest label (the number of classes).
// Then each worker standardizes its own rows with the mean and deviation sent to it. Only these
// aggregates leave a worker: per-column sums over all its rows, its row count and its label range. The
// statistics go into the checkpoint's metadata as local training's do, so `syft eval` and `syft grad`
// prepare data the same way.

/// The data an owner registered on a network worker: pointers to its features and targets.
struct RegisteredData {
    let worker: any Worker
    /// The worker as messages name it: `bob (grpc://127.0.0.1:7001)`.
    let place: String
    let tag: String
    /// [rows, columns], float32.
    let features: Tensor
    /// [rows]: int64 class indices or float32 values.
    let labels: Tensor

    var rows: Int { features.shape.first ?? 0 }

    /// The data tagged `tag` (features) and `tag + "_labels"` (targets) on `worker`; nil when it holds
    /// neither.
    /// - Throws: ``JobError/worker(_:)`` when the search fails, or the tags do not name one tensor each
    ///   of fitting shapes.
    static func find(tag: String, on worker: any Worker, spec: WorkerSpec) throws(JobError) -> RegisteredData?
    {
        let place = spec.isNetwork && spec.id != worker.id ? "\(worker.id) (\(spec))" : "\(spec)"
        let xs: [Tensor]
        let ys: [Tensor]
        do {
            xs = try worker.search(tag)
            ys = try worker.search(tag + "_labels")
        } catch {
            throw .worker("\(place): \(WorkerSpec.explain(error))")
        }
        if xs.isEmpty && ys.isEmpty { return nil }
        guard xs.count == 1, ys.count == 1 else {
            throw .worker(
                "\(place): \(xs.count) objects are tagged '\(tag)' and \(ys.count) '\(tag)_labels'; expected "
                    + "one each (syft worker --data FILE --tag '\(tag)')")
        }
        let (x, y) = (xs[0], ys[0])
        guard x.rank == 2, x.dtype.isFloatingPoint, y.rank == 1, y.shape[0] == x.shape[0], x.shape[0] > 0
        else {
            throw .worker(
                "\(place): '\(tag)' is \(x.shape) \(x.dtype.rawValue) and '\(tag)_labels' \(y.shape) "
                    + "\(y.dtype.rawValue); expected features [rows, columns] and one target per row")
        }
        return RegisteredData(worker: worker, place: place, tag: tag, features: x, labels: y)
    }

    /// Checks the data against the local file's `columns` feature columns and the task.
    func check(columns: Int, file: String, task: Task) throws(JobError) {
        guard features.shape[1] == columns else {
            throw .data(
                .mismatch(
                    file,
                    reason: "it has \(columns) feature columns, the data tagged '\(tag)' on \(place) has "
                        + "\(features.shape[1])"))
        }
        if task == .classify && labels.dtype.isFloatingPoint {
            throw .worker(
                "\(place): '\(tag)_labels' holds real values (\(labels.dtype.rawValue)); classification needs "
                    + "class indices 0, 1, 2, ... (use --task regress for real values)")
        }
    }

    /// The smallest and largest label (only the two numbers come back).
    func labelRange() throws(SyftError) -> ClosedRange<Double> {
        let (low, high) = withoutGradient { (labels.min().to(.float64), labels.max().to(.float64)) }
        return try low.get().item()...high.get().item()
    }

    /// The data standardized on its worker with `prep`'s statistics (sent there): features as the model
    /// reads them, and targets as it learns them (class indices, or standardized values [rows, 1]).
    func prepared(with prep: Preprocessing) throws(SyftError) -> FederatedDataset {
        let columns = prep.featureMean.count
        let mean = try Tensor(shape: [1, columns], scalars: prep.featureMean, dtype: .float32).send(
            to: worker)
        let std = try Tensor(shape: [1, columns], scalars: prep.featureStd, dtype: .float32).send(to: worker)
        return withoutGradient {
            let x = (features.to(.float32) - mean) / std
            switch prep.task {
            case .classify:
                return FederatedDataset(features: x, targets: labels.to(.int64))
            case .regress:
                let y = (labels.to(.float32) - Float(prep.targetMean ?? 0)) / Float(prep.targetStd ?? 1)
                return FederatedDataset(features: x, targets: y.reshaped(to: [rows, 1]))
            }
        }
    }
}

/// The statistics of all the workers' training data, combined from the sums each worker reports
/// (Note [Training on network workers]).
struct WorkerStatistics: Sendable, Equatable {
    /// Each worker's id and row count.
    var workerIDs: [String]
    var rows: [Int]
    var featureMean: [Double]
    var featureStd: [Double]
    /// Classification: the smallest and largest label over all workers.
    var labelRange: ClosedRange<Double>?
    /// Regression: the targets' mean and (population) deviation.
    var targetMean: Double?
    var targetStd: Double?

    var totalRows: Int { rows.reduce(0, +) }

    /// Gathers the statistics of `data` (one entry per worker) for `task`, in two passes.
    static func gather(_ data: [RegisteredData], task: Task) throws(SyftError) -> WorkerStatistics {
        let total = Double(data.reduce(0) { $0 + $1.rows })
        // Pass 1: column sums (and target sums), queued on every worker before any is awaited.
        let firstPass: [(Tensor, Tensor?)] = withoutGradient {
            data.map { d in
                (
                    d.features.to(.float64).sum(squeezingAxes: 0),
                    task == .regress ? d.labels.to(.float64).sum() : nil
                )
            }
        }
        var columnSum = [Double](repeating: 0, count: data.first?.features.shape[1] ?? 0)
        var targetSum = 0.0
        for (sums, target) in firstPass {
            for (j, v) in try sums.get().doubles.enumerated() { columnSum[j] += v }
            if let target { targetSum += try target.get().item() }
        }
        let mean = columnSum.map { $0 / total }
        let targetMean = targetSum / total
        // Pass 2: squared deviations from the global mean, summed on each worker.
        var secondPass: [(Tensor, Tensor?)] = []
        for d in data {
            let m = try Tensor(shape: [mean.count], scalars: mean, dtype: .float64).send(to: d.worker)
            secondPass.append(
                withoutGradient {
                    let dx = d.features.to(.float64) - m
                    let dy = task == .regress ? d.labels.to(.float64) - targetMean : nil
                    return ((dx * dx).sum(squeezingAxes: 0), dy.map { ($0 * $0).sum() })
                })
        }
        var squares = [Double](repeating: 0, count: mean.count)
        var targetSquares = 0.0
        for (sums, target) in secondPass {
            for (j, v) in try sums.get().doubles.enumerated() { squares[j] += v }
            if let target { targetSquares += try target.get().item() }
        }
        var range: ClosedRange<Double>?
        if task == .classify {
            for d in data {
                let r = try d.labelRange()
                range =
                    range.map {
                        Swift.min($0.lowerBound, r.lowerBound)...Swift.max($0.upperBound, r.upperBound)
                    } ?? r
            }
        }
        let targetVariance = targetSquares / total
        return WorkerStatistics(
            workerIDs: data.map(\.worker.id), rows: data.map(\.rows), featureMean: mean,
            featureStd: squares.map { s in
                let std = (s / total).squareRoot()
                return std > 1e-12 ? std : 1
            },
            labelRange: range,
            targetMean: task == .regress ? targetMean : nil,
            targetStd: task == .regress ? (targetVariance > 1e-24 ? targetVariance.squareRoot() : 1) : nil)
    }

    /// `'#digits' on bob (719 rows), alice (718 rows)`.
    func describe(tag: String) -> String {
        "'\(tag)' on " + zip(workerIDs, rows).map { "\($0) (\($1) rows)" }.joined(separator: ", ")
    }
}

/// The data a grad or eval job computes on at a worker: at a network worker holding data tagged `tag`,
/// that data, checked against the checkpoint and prepared there with its statistics (nothing of it comes
/// here); else the local rows (already prepared), sent to the worker. An explicitly given tag that the
/// worker does not hold is an error rather than a reason to send the local rows.
/// - Returns: the features and targets (pointers) and a description of where they came from.
func dataOnWorker(
    _ worker: any Worker, spec: WorkerSpec, tag: String, tagGiven: Bool, local: (x: Tensor, y: Tensor),
    prep: Preprocessing, file: String
) throws -> (x: Tensor, y: Tensor, what: String) {
    if spec.isNetwork, let found = try RegisteredData.find(tag: tag, on: worker, spec: spec) {
        try found.check(columns: prep.featureNames.count, file: file, task: prep.task)
        if prep.task == .classify {
            let range = try found.labelRange()
            if range.lowerBound < 0 || Int(range.upperBound) >= prep.outputs {
                throw JobError.worker(
                    "\(found.place): '\(tag)_labels' holds classes \(Int(range.lowerBound))...\(Int(range.upperBound)); "
                        + "the model knows classes 0...\(prep.outputs - 1)")
            }
        }
        let data = try found.prepared(with: prep)
        return (data.features, data.targets, "data '\(tag)' registered on \(found.place), \(found.rows) rows")
    }
    if spec.isNetwork && tagGiven {
        throw JobError.worker(
            "\(spec): no data tagged '\(tag)' (its owner registers it with syft worker --data FILE --tag '\(tag)')"
        )
    }
    let x = try local.x.send(to: worker)
    let y = try local.y.send(to: worker)
    return (x, y, "the \(local.x.shape[0]) rows of \(file), sent to \(spec)")
}

/// The credentials a job with `worker` needs: loaded for a network worker; nil otherwise, where the
/// network-only fields must not be given.
func networkCredentials(
    _ worker: WorkerSpec?, dataTag: String?, tokenFile: String?, ca: String?
) throws(JobError) -> WorkerCredentials? {
    if worker?.isNetwork == true {
        if dataTag?.isEmpty == true { throw .config(field: "data_tag", problem: "must not be empty") }
        return try WorkerCredentials.load(tokenFile: tokenFile, ca: ca)
    }
    for (field, given) in [
        ("data_tag", dataTag != nil), ("worker_token_file", tokenFile != nil), ("worker_ca", ca != nil),
    ]
    where given {
        throw .config(field: field, problem: "applies to a network worker only (--worker grpc://host:port)")
    }
    return nil
}

/// The name of a file without its folder and extension (`digits` for `Data/digits.csv`).
func fileStem(_ path: String) -> String {
    ((path as NSString).lastPathComponent as NSString).deletingPathExtension
}

/// The tag a network worker's data has by default: `#` and the stem of the job's data file.
func defaultDataTag(for path: String) -> String { "#" + fileStem(path) }
