import Foundation

/// The folder a job writes its results to: `config.json`, `metrics.csv`, a checkpoint or gradients
/// (safetensors) and `plot.svg`.
///
/// A job never overwrites a run: `--out` must name a new or empty folder, and the default is a new
/// folder under `runs/` named by the date and the job (`runs/2025-03-14-153000-train-digits`). Every
/// file is written whole to a temporary name and then renamed, so a file in the folder is always
/// complete, even when the job is stopped or fails halfway.
/// ```swift
/// let run = try RunFolder.create(out: nil, jobName: "train-digits")
/// try run.write("epoch,train_loss\n1,0.5\n", to: "metrics.csv")
/// print(run.path)   // runs/2025-03-14-153000-train-digits
/// ```
public struct RunFolder: Sendable {
    /// The folder's path, as given or made.
    public let path: String

    /// Creates the run folder: `out` when given (new, or an existing empty folder), else a new folder
    /// under `root` named by the date and `jobName`.
    /// - Throws: ``JobError/outputExists(_:)`` when `out` holds files; ``JobError/cannotWrite(_:reason:)``.
    public static func create(
        out: String?, jobName: String, now: Date = Date(), root: String = "runs"
    ) throws(JobError) -> RunFolder {
        let fm = FileManager.default
        let path: String
        if let out {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: out, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw .cannotWrite(out, reason: "it is a file, not a folder")
                }
                let contents = (try? fm.contentsOfDirectory(atPath: out)) ?? []
                guard contents.isEmpty else { throw .outputExists(out) }
            }
            path = out
        } else {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "yyyy-MM-dd-HHmmss"
            let base = "\(root)/\(formatter.string(from: now))-\(jobName)"
            var candidate = base
            var n = 2
            while fm.fileExists(atPath: candidate) {
                candidate = "\(base)-\(n)"
                n += 1
            }
            path = candidate
        }
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .cannotWrite(path, reason: error.localizedDescription)
        }
        return RunFolder(path: path)
    }

    /// The path of `name` in the folder.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes `data` to `name` atomically (a temporary file renamed into place).
    public func write(_ data: Data, to name: String) throws(JobError) {
        let target = file(name)
        do {
            try data.write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
            throw .cannotWrite(target, reason: error.localizedDescription)
        }
    }

    /// Writes `text` (UTF-8) to `name` atomically.
    public func write(_ text: String, to name: String) throws(JobError) {
        try write(Data(text.utf8), to: name)
    }
}

/// A table of numbers per step (epoch, round or batch), written as CSV and plotted.
///
/// ```swift
/// var metrics = MetricsTable(columns: ["epoch", "train_loss", "test_loss"])
/// metrics.append([1, 0.52, 0.48])
/// metrics.csv   // "epoch,train_loss,test_loss\n1,0.52,0.48\n"
/// ```
public struct MetricsTable: Sendable, Equatable {
    /// The column names; the first is the step.
    public var columns: [String]
    /// The rows; nil is an empty cell (a metric not measured at that step).
    public var rows: [[Double?]] = []

    public init(columns: [String]) { self.columns = columns }

    /// Appends a row (one value per column).
    public mutating func append(_ row: [Double?]) {
        precondition(
            row.count == columns.count, "MetricsTable: \(row.count) values for \(columns.count) columns")
        rows.append(row)
    }

    /// The values of `column`, by step (nil where empty); empty when there is no such column.
    public func series(_ column: String) -> [(x: Double, y: Double)] {
        guard let j = columns.firstIndex(of: column) else { return [] }
        return rows.compactMap { row in
            guard let x = row[0], let y = row[j], y.isFinite else { return nil }
            return (x, y)
        }
    }

    /// The last value of `column`, if any.
    public func last(_ column: String) -> Double? { series(column).last?.y }

    /// The table as CSV with a header row.
    public var csv: String {
        var out = columns.joined(separator: ",") + "\n"
        for row in rows { out += row.map { $0.map(formatNumber) ?? "" }.joined(separator: ",") + "\n" }
        return out
    }
}

/// A number as a CSV or plot label shows it: whole numbers without a point, others with 6 significant digits.
func formatNumber(_ v: Double) -> String {
    if v == v.rounded() && Swift.abs(v) < 1e15 { return String(Int64(v)) }
    return String(format: "%.6g", v)
}
