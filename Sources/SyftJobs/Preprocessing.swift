import Foundation
import SyftCore
import SyftNN

/// What a trained model expects of its input: the feature columns in order, their standardization
/// (fitted on the training split, or on all the network workers' rows: Note [Training on network
/// workers]), and the target's meaning. Saved in the checkpoint's metadata, so
/// `syft eval` and `syft grad` prepare a data set exactly as training did.
///
/// ```swift
/// let prep = Preprocessing(fitting: trainSplit, task: .classify, classes: 10)
/// let x = prep.features(of: testSplit)   // standardized with the training split's means and deviations
/// ```
public struct Preprocessing: Codable, Sendable, Equatable {
    public var featureNames: [String]
    public var featureMean: [Double]
    public var featureStd: [Double]
    public var targetName: String
    public var task: Task
    /// The number of classes (classification).
    public var classes: Int?
    /// The training targets' mean and standard deviation (regression trains on standardized targets).
    public var targetMean: Double?
    public var targetStd: Double?

    /// Fits the standardization on `train`.
    public init(fitting train: TabularData, task: Task, classes: Int?) {
        let standardizer = Standardizer(fitting: train.features)
        featureNames = train.featureNames
        featureMean = standardizer.mean.doubles
        featureStd = standardizer.std.doubles
        targetName = train.targetName
        self.task = task
        self.classes = task == .classify ? classes : nil
        if task == .regress {
            let values = train.targetValues
            let mean = values.reduce(0, +) / Double(Swift.max(values.count, 1))
            let variance =
                values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(values.count, 1))
            targetMean = mean
            targetStd = variance > 1e-24 ? variance.squareRoot() : 1
        }
    }

    /// The preprocessing of the workers' training data (Note [Training on network workers]): the
    /// columns and target of the local file, the statistics of the workers' rows, `classes` classes.
    init(columnsOf data: TabularData, statistics: WorkerStatistics, task: Task, classes: Int?) {
        featureNames = data.featureNames
        featureMean = statistics.featureMean
        featureStd = statistics.featureStd
        targetName = data.targetName
        self.task = task
        self.classes = task == .classify ? classes : nil
        targetMean = task == .regress ? statistics.targetMean : nil
        targetStd = task == .regress ? statistics.targetStd : nil
    }

    /// The number of values the model outputs.
    public var outputs: Int { task == .classify ? (classes ?? 1) : 1 }

    /// The standardized features of `data`, float32 [rows, features].
    public func features(of data: TabularData) -> Tensor {
        let mean = Tensor(shape: [1, featureMean.count], scalars: featureMean, dtype: .float32)
        let std = Tensor(shape: [1, featureStd.count], scalars: featureStd, dtype: .float32)
        return withoutGradient { (data.features - mean) / std }
    }

    /// The targets of `data` as the model learns them: int64 class indices [rows], or standardized
    /// float32 values [rows, 1].
    public func targets(of data: TabularData) -> Tensor {
        switch task {
        case .classify: return data.classLabels()
        case .regress:
            let mean = targetMean ?? 0
            let std = targetStd ?? 1
            return Tensor(
                shape: [data.count, 1], scalars: data.targetValues.map { ($0 - mean) / std }, dtype: .float32)
        }
    }

    /// Turns a mean squared error on standardized targets into one in the target's own units.
    public func meanSquaredErrorInTargetUnits(_ standardizedMSE: Double) -> Double {
        let std = targetStd ?? 1
        return standardizedMSE * std * std
    }

    /// Checks that `data` has the columns this model was trained on, in the same order, and valid targets.
    /// - Throws: ``JobError/data(_:)`` naming the file and the first difference.
    public func check(_ data: TabularData, file: String) throws(JobError) {
        guard data.featureNames == featureNames else {
            let firstDifference = Array(zip(data.featureNames, featureNames)).firstIndex { $0 != $1 }
            let detail =
                firstDifference.map {
                    "column \($0 + 1) is '\(data.featureNames[$0])', the model expects '\(featureNames[$0])'"
                }
                ?? "it has \(data.featureNames.count) feature columns, the model expects \(featureNames.count)"
            throw .data(.mismatch(file, reason: "the features differ from the training data: \(detail)"))
        }
        if task == .classify { try checkClassLabels(data, file: file, classes: classes) }
    }
}

/// Checks that the target holds class indices `0..<classes` (any count when nil).
func checkClassLabels(_ data: TabularData, file: String, classes: Int?) throws(JobError) {
    if let bad = data.targetValues.firstIndex(where: { $0 != $0.rounded() || $0 < 0 || !$0.isFinite }) {
        throw .data(
            .mismatch(
                file,
                reason: "column '\(data.targetName)' holds \(data.targetValues[bad]) (line \(bad + 2)); "
                    + "classification needs class indices 0, 1, 2, ... (use --task regress for real values)"))
    }
    if let classes, let bad = data.targetValues.firstIndex(where: { Int($0) >= classes }) {
        throw .data(
            .mismatch(
                file,
                reason:
                    "column '\(data.targetName)' holds class \(Int(data.targetValues[bad])) (line \(bad + 2)); "
                    + "the model knows classes 0...\(classes - 1)"))
    }
}

/// The task a target column suggests: whole numbers from 0 with at most 20 distinct values are classes.
public func guessTask(_ data: TabularData) -> Task {
    let values = data.targetValues
    let whole = values.allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 < 1e6 }
    return whole && Set(values).count <= 20 ? .classify : .regress
}
