import Foundation
import SyftCore
import SyftNN

/// What a checkpoint written by `syft train` says about itself, in its safetensors `__metadata__`: the
/// resolved job (so the model can be rebuilt) and the preprocessing (so data is prepared as in training).
///
/// ```swift
/// let (info, model) = try CheckpointInfo.load("runs/2025-03-14-153000-train-digits")
/// info.config.model       // [.linear(out: 64), .relu, .linear(out: 10)]
/// let x = info.preprocessing.features(of: try TabularData(csv: "Data/digits.csv"))
/// ```
public struct CheckpointInfo: Sendable {
    /// The metadata key of the job (JSON, as `config.json`).
    public static let jobKey = "syft.job"
    /// The metadata key of the preprocessing (JSON).
    public static let preprocessingKey = "syft.preprocessing"

    public var config: JobConfig
    public var preprocessing: Preprocessing

    /// The metadata a checkpoint carries for `config` and `preprocessing`.
    public static func metadata(_ config: JobConfig, _ preprocessing: Preprocessing) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let prep = (try? encoder.encode(preprocessing)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return [
            jobKey: String(decoding: config.jsonData(), as: UTF8.self), preprocessingKey: prep,
            "format": "pt",
        ]
    }

    /// The checkpoint file `path` names: the file itself, or `model.safetensors` in a run folder.
    public static func checkpointPath(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return (path as NSString).appendingPathComponent(TrainJob.checkpointName)
        }
        return path
    }

    /// Reads a checkpoint written by `syft train` (a file or a run folder) and rebuilds its model.
    /// - Throws: ``JobError/data(_:)`` when the file is missing or corrupt, was not written by a job, or
    ///   its tensors do not fit the model its job describes.
    public static func load(_ path: String) throws(JobError) -> (info: CheckpointInfo, model: Sequential) {
        let file = checkpointPath(path)
        let metadata: [String: String]
        do {
            metadata = try SafeTensors.loadWithMetadata(from: file).metadata
        } catch {
            throw .data(error)
        }
        guard let job = metadata[jobKey], let prep = metadata[preprocessingKey] else {
            throw .data(
                .invalidCheckpoint(
                    file,
                    reason:
                        "it has no '\(jobKey)' metadata, so its model cannot be rebuilt (it was not written by syft train)"
                ))
        }
        let config: JobConfig
        let preprocessing: Preprocessing
        do {
            config = try JobConfig.decode(Data(job.utf8))
            preprocessing = try JSONDecoder().decode(Preprocessing.self, from: Data(prep.utf8))
        } catch {
            throw .data(.invalidCheckpoint(file, reason: "its job metadata is damaged: \(error)"))
        }
        guard let layers = config.model, preprocessing.featureMean.count == preprocessing.featureNames.count,
            preprocessing.featureStd.count == preprocessing.featureNames.count
        else {
            throw .data(
                .invalidCheckpoint(file, reason: "its job metadata lacks the model or the feature statistics")
            )
        }
        let model: Sequential
        do {
            model = try LayerSpec.build(
                layers, inputs: preprocessing.featureNames.count, generator: Generator(seed: 0))
        } catch {
            throw .data(.invalidCheckpoint(file, reason: "its model does not fit its features: \(error)"))
        }
        do {
            try model.load(from: file)
        } catch {
            throw .data(error)
        }
        model.eval()
        return (CheckpointInfo(config: config, preprocessing: preprocessing), model)
    }
}
