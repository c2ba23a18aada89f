import Foundation
import SyftCore

/// Errors reading data sets and checkpoints: each names the file and what is wrong.
public enum DataError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(String)
    case unreadable(String, reason: String)
    case empty(String)
    case noSuchColumn(String, column: String, available: [String])
    case notNumeric(String, line: Int, column: String, value: String)
    case wrongFieldCount(String, line: Int, expected: Int, found: Int)
    case invalidCheckpoint(String, reason: String)
    case mismatch(String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let f): return "\(f): no such file"
        case .unreadable(let f, let r): return "\(f): cannot read: \(r)"
        case .empty(let f): return "\(f): the file has no data rows"
        case .noSuchColumn(let f, let c, let a):
            return "\(f): no column named '\(c)' (columns: \(a.joined(separator: ", ")))"
        case .notNumeric(let f, let l, let c, let v):
            return "\(f), line \(l): value '\(v)' in column '\(c)' is not a number"
        case .wrongFieldCount(let f, let l, let e, let n):
            return "\(f), line \(l): expected \(e) fields, found \(n)"
        case .invalidCheckpoint(let f, let r): return "\(f): not a valid safetensors checkpoint: \(r)"
        case .mismatch(let f, let r): return "\(f): \(r)"
        }
    }
}

/// A numeric table read from CSV: feature columns and one target column.
///
/// ```swift
/// let data = try TabularData(csv: "Data/digits.csv", target: "label")
/// data.features.shape            // [1797, 64]
/// data.classLabels().dtype       // .int64
/// ```
public struct TabularData: Sendable {
    /// The feature columns, float32 [rows, features].
    public var features: Tensor
    /// The target column's values.
    public var targetValues: [Double]
    /// The feature columns' names, in order.
    public var featureNames: [String]
    /// The target column's name.
    public var targetName: String

    /// The number of rows.
    public var count: Int { targetValues.count }

    /// Whether every target value is a whole number (a classification target).
    public var targetIsIntegral: Bool {
        targetValues.allSatisfy { $0 == $0.rounded() && Swift.abs($0) < 1e15 }
    }

    /// The number of classes of an integral target (largest label + 1).
    public var classCount: Int { Int(targetValues.max() ?? -1) + 1 }

    /// Reads a CSV file with a header row; every field must be numeric.
    /// - Parameters:
    ///   - path: the CSV file.
    ///   - target: the target column's name; nil means the last column.
    /// - Throws: ``DataError`` naming the file, line and column of the problem.
    public init(csv path: String, target: String? = nil) throws(DataError) {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path, reason: "\(error.localizedDescription)")
        }
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        lines.removeAll { $0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let header = lines.first else { throw .empty(path) }
        let columns = splitFields(header)
        guard columns.count >= 2 else {
            throw .unreadable(path, reason: "the header needs at least two columns (features and a target)")
        }
        let targetName = target ?? columns[columns.count - 1]
        guard let targetIndex = columns.firstIndex(of: targetName) else {
            throw .noSuchColumn(path, column: targetName, available: columns)
        }
        guard lines.count > 1 else { throw .empty(path) }
        var features: [Double] = []
        features.reserveCapacity((lines.count - 1) * (columns.count - 1))
        var targets: [Double] = []
        for (i, line) in lines.dropFirst().enumerated() {
            let fields = splitFields(line)
            guard fields.count == columns.count else {
                throw .wrongFieldCount(path, line: i + 2, expected: columns.count, found: fields.count)
            }
            for (j, field) in fields.enumerated() {
                guard let v = Double(field.trimmingCharacters(in: .whitespaces)) else {
                    throw .notNumeric(path, line: i + 2, column: columns[j], value: field)
                }
                if j == targetIndex { targets.append(v) } else { features.append(v) }
            }
        }
        self.featureNames = columns.enumerated().filter { $0.offset != targetIndex }.map(\.element)
        self.targetName = targetName
        self.targetValues = targets
        self.features = Tensor(shape: [targets.count, columns.count - 1], scalars: features, dtype: .float32)
    }

    /// A table from values already in memory.
    public init(features: Tensor, targetValues: [Double], featureNames: [String], targetName: String) {
        precondition(
            features.rank == 2 && features.shape[0] == targetValues.count,
            "TabularData: \(features.shape) features for \(targetValues.count) targets")
        self.features = features
        self.targetValues = targetValues
        self.featureNames = featureNames
        self.targetName = targetName
    }

    /// The target as int64 class indices [rows].
    public func classLabels() -> Tensor { Tensor(shape: [count], scalars: targetValues.map { Int64($0) }) }

    /// The target as a float32 column [rows, 1] for regression.
    public func regressionTargets() -> Tensor {
        Tensor(shape: [count, 1], scalars: targetValues, dtype: .float32)
    }

    /// The rows at `indices`, in that order.
    public func rows(_ indices: [Int]) -> TabularData {
        let width = features.shape[1]
        let all = features.scalars(as: Float.self)
        var selected: [Float] = []
        selected.reserveCapacity(indices.count * width)
        for i in indices { selected.append(contentsOf: all[(i * width)..<((i + 1) * width)]) }
        return TabularData(
            features: Tensor(shape: [indices.count, width], scalars: selected, dtype: .float32),
            targetValues: indices.map { targetValues[$0] }, featureNames: featureNames, targetName: targetName
        )
    }

    /// A shuffled split into a training and a test part; `testFraction` of the rows (rounded) go to test.
    public func split(testFraction: Double, seed: UInt64) -> (train: TabularData, test: TabularData) {
        precondition(
            testFraction >= 0 && testFraction < 1,
            "split: testFraction must be in [0, 1), got \(testFraction)")
        let order = permutation(count, generator: Generator(seed: seed))
        let testCount = Int((Double(count) * testFraction).rounded())
        return (rows(Array(order[testCount...])), rows(Array(order[..<testCount])))
    }
}

/// A random permutation of `0..<n` (Fisher–Yates).
public func permutation(_ n: Int, generator: Generator) -> [Int] {
    var order = Array(0..<n)
    let r = Tensor.rand([Swift.max(n, 1)], dtype: .float64, generator: generator).doubles
    if n > 1 {
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(r[i] * Double(i + 1))
            order.swapAt(i, Swift.min(j, i))
        }
    }
    return order
}

private func splitFields(_ line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    for ch in line {
        if ch == "\"" {
            quoted.toggle()
        } else if ch == "," && !quoted {
            fields.append(current)
            current = ""
        } else {
            current.append(ch)
        }
    }
    fields.append(current)
    return fields.map { $0.trimmingCharacters(in: .whitespaces) }
}
