import Foundation
import SyftNN

/// A training job as the user describes it: flags or a small JSON file, the same fields either way.
///
/// Every field may be left out; ``TrainPlan`` fills in the defaults and what the data says, and the
/// resolved job is saved as `config.json` in the run folder (running it again gives the same job).
/// ```json
/// {
///   "data": "Data/digits.csv", "target": "label", "task": "classify",
///   "model": [{"linear": 64}, {"relu": {}}, {"dropout": 0.1}, {"linear": 10}],
///   "optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9},
///   "epochs": 10, "batch_size": 32, "seed": 0, "test_fraction": 0.2,
///   "workers": ["bob", "alice"], "federated": {"mode": "averaging", "rounds": 5, "local_epochs": 1}
/// }
/// ```
/// With network workers the workers train on the data their owners registered (`syft worker --data F
/// --tag T`), and the local `data` file only tests (Note [Training on network workers]):
/// ```json
/// {
///   "data": "eval.csv", "workers": ["grpc://10.0.0.7:7001", "grpc://alice@10.0.0.8:7001"],
///   "data_tag": "#digits", "worker_token_file": "token", "worker_ca": "ca.pem"
/// }
/// ```
/// `model` may also be the compact string `"64,relu,dropout:0.1"`, `workers` the string `"bob,alice"`,
/// `optimizer` just `"adam"` and `federated` just `"sgd"`.
/// ```swift
/// let fromFile = try JobConfig.load(from: "job.json")
/// let job = JobConfig(epochs: 3).overriding(fromFile)   // flags win over the file
/// ```
public struct JobConfig: Codable, Sendable, Equatable {
    /// The CSV file (a header row, numeric fields).
    public var data: String?
    /// The target column (default: the last column).
    public var target: String?
    /// Classification or regression (default: guessed from the target column).
    public var task: Task?
    /// The layers (default: `64,relu`, plus the output layer).
    public var model: [LayerSpec]?
    public var optimizer: OptimizerSpec?
    public var epochs: Int?
    public var batchSize: Int?
    public var seed: UInt64?
    /// The share of rows held back for test metrics (default 0.2).
    public var testFraction: Double?
    /// The data owners; none means local training.
    public var workers: [WorkerSpec]?
    public var federated: FederatedSpec?
    /// Network workers: the tag their owners registered the training data under (default: `#` and the
    /// name of the `data` file without its extension, `#digits` for `eval/digits.csv`).
    public var dataTag: String?
    /// Network workers: a file whose first line is their token (default: `$SYFT_WORKER_TOKEN`).
    public var workerTokenFile: String?
    /// Network workers serving TLS: the CA certificates (PEM) to trust.
    public var workerCA: String?
    /// The run folder (default: a new folder under `runs/`); never saved in the resolved config.
    public var out: String?

    public init(
        data: String? = nil, target: String? = nil, task: Task? = nil, model: [LayerSpec]? = nil,
        optimizer: OptimizerSpec? = nil, epochs: Int? = nil, batchSize: Int? = nil, seed: UInt64? = nil,
        testFraction: Double? = nil, workers: [WorkerSpec]? = nil, federated: FederatedSpec? = nil,
        dataTag: String? = nil, workerTokenFile: String? = nil, workerCA: String? = nil, out: String? = nil
    ) {
        self.data = data
        self.target = target
        self.task = task
        self.model = model
        self.optimizer = optimizer
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.testFraction = testFraction
        self.workers = workers
        self.federated = federated
        self.dataTag = dataTag
        self.workerTokenFile = workerTokenFile
        self.workerCA = workerCA
        self.out = out
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case data, target, task, model, optimizer, epochs, seed, workers, federated, out
        case batchSize = "batch_size"
        case testFraction = "test_fraction"
        case dataTag = "data_tag"
        case workerTokenFile = "worker_token_file"
        case workerCA = "worker_ca"
    }

    /// This job with every field it leaves out taken from `base` (flags over a file).
    public func overriding(_ base: JobConfig) -> JobConfig {
        JobConfig(
            data: data ?? base.data, target: target ?? base.target, task: task ?? base.task,
            model: model ?? base.model,
            optimizer: OptimizerSpec.merge(optimizer, over: base.optimizer), epochs: epochs ?? base.epochs,
            batchSize: batchSize ?? base.batchSize, seed: seed ?? base.seed,
            testFraction: testFraction ?? base.testFraction,
            workers: workers ?? base.workers, federated: FederatedSpec.merge(federated, over: base.federated),
            dataTag: dataTag ?? base.dataTag, workerTokenFile: workerTokenFile ?? base.workerTokenFile,
            workerCA: workerCA ?? base.workerCA, out: out ?? base.out)
    }

    /// Reads a job from a JSON file.
    /// - Throws: ``JobError`` naming the file, the field and the problem (an unknown field, a wrong type,
    ///   a value out of range).
    public static func load(from path: String) throws(JobError) -> JobConfig {
        guard FileManager.default.fileExists(atPath: path) else { throw .data(.fileNotFound(path)) }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw .data(.unreadable(path, reason: "permission denied or not a file"))
        }
        do {
            return try decode(bytes)
        } catch {
            throw error.inFile(path)
        }
    }

    /// Reads a job from JSON bytes.
    public static func decode(_ json: Data) throws(JobError) -> JobConfig {
        do {
            return try JSONDecoder().decode(JobConfig.self, from: json)
        } catch let e as JobError {
            throw e
        } catch let e as DecodingError {
            if case .dataCorrupted(let context) = e, context.codingPath.isEmpty {
                throw .config(field: wholeFile, problem: "not valid JSON: \(jsonProblem(json))")
            }
            throw configError(from: e)
        } catch {
            throw .config(field: wholeFile, problem: "\(error)")
        }
    }

    /// The job as pretty-printed JSON with sorted keys (what `config.json` holds).
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    // MARK: - Codable, with a clear line for each mistake

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decodeIfPresent(String.self, forKey: .data)
        target = try c.decodeIfPresent(String.self, forKey: .target)
        task = try decodeChoice(c, .task, Task.self)
        if let text = try? c.decodeIfPresent(String.self, forKey: .model) {
            model = try LayerSpec.parseList(text)
        } else {
            model = try c.decodeIfPresent([LayerSpec].self, forKey: .model)
        }
        if let name = try? c.decodeIfPresent(String.self, forKey: .optimizer) {
            optimizer = OptimizerSpec(name: try choice(name, OptimizerSpec.Name.self, field: "optimizer"))
        } else {
            optimizer = try c.decodeIfPresent(OptimizerSpec.self, forKey: .optimizer)
        }
        epochs = try decodeWhole(c, .epochs, Int.self)
        batchSize = try decodeWhole(c, .batchSize, Int.self)
        seed = try decodeWhole(c, .seed, UInt64.self)
        testFraction = try c.decodeIfPresent(Double.self, forKey: .testFraction)
        if let text = try? c.decodeIfPresent(String.self, forKey: .workers) {
            workers = try WorkerSpec.parseList(text)
        } else {
            workers = try c.decodeIfPresent([WorkerSpec].self, forKey: .workers)
            try WorkerSpec.checkDistinct(workers ?? [], field: "workers")
        }
        if let mode = try? c.decodeIfPresent(String.self, forKey: .federated) {
            federated = FederatedSpec(mode: try choice(mode, FederatedSpec.Mode.self, field: "federated"))
        } else {
            federated = try c.decodeIfPresent(FederatedSpec.self, forKey: .federated)
        }
        dataTag = try c.decodeIfPresent(String.self, forKey: .dataTag)
        workerTokenFile = try c.decodeIfPresent(String.self, forKey: .workerTokenFile)
        workerCA = try c.decodeIfPresent(String.self, forKey: .workerCA)
        out = try c.decodeIfPresent(String.self, forKey: .out)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(data, forKey: .data)
        try c.encodeIfPresent(target, forKey: .target)
        try c.encodeIfPresent(task, forKey: .task)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encodeIfPresent(optimizer, forKey: .optimizer)
        try c.encodeIfPresent(epochs, forKey: .epochs)
        try c.encodeIfPresent(batchSize, forKey: .batchSize)
        try c.encodeIfPresent(seed, forKey: .seed)
        try c.encodeIfPresent(testFraction, forKey: .testFraction)
        try c.encodeIfPresent(workers, forKey: .workers)
        try c.encodeIfPresent(federated, forKey: .federated)
        try c.encodeIfPresent(dataTag, forKey: .dataTag)
        try c.encodeIfPresent(workerTokenFile, forKey: .workerTokenFile)
        try c.encodeIfPresent(workerCA, forKey: .workerCA)
        try c.encodeIfPresent(out, forKey: .out)
    }
}

// MARK: - Helpers

/// `text` with its first letter in lower case.
private func lowercasingFirst(_ text: String) -> String { text.prefix(1).lowercased() + text.dropFirst() }

/// Where and why `json` does not parse: `unexpected end of file`, or `invalid value at line 3, column 12`.
func jsonProblem(_ json: Data) -> String {
    do {
        _ = try JSONSerialization.jsonObject(with: json)
        return "not a JSON object"
    } catch {
        let reason = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
        guard let range = reason.range(of: "character "),
            let offset = Int(reason[range.upperBound...].prefix { $0.isNumber })
        else { return lowercasingFirst(reason.trimmingCharacters(in: CharacterSet(charactersIn: "."))) }
        let before = json.prefix(offset)
        let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
        let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
        let what = reason[..<range.lowerBound].replacingOccurrences(of: " around", with: "")
            .trimmingCharacters(in: .whitespaces)
        return "\(lowercasingFirst(what)) at line \(line), column \(column)"
    }
}

/// One of an enumeration's values, by its name; the error lists the choices.
func choice<E: RawRepresentable & CaseIterable>(
    _ text: String, _: E.Type, field: String
) throws(JobError) -> E
where E.RawValue == String {
    guard let value = E(rawValue: text.lowercased()) else {
        let names = E.allCases.map(\.rawValue).joined(separator: ", ")
        throw .config(field: field, problem: "'\(text)' is not one of \(names)")
    }
    return value
}

/// Decodes an enumeration written as its name.
func decodeChoice<K: CodingKey, E: RawRepresentable & CaseIterable>(
    _ c: KeyedDecodingContainer<K>, _ key: K, _ type: E.Type
) throws -> E? where E.RawValue == String {
    guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
    return try choice(text, type, field: fieldName(c.codingPath + [key]))
}

/// Decodes a whole number; a fraction, a string or a value out of range is a clear error naming the field
/// (Foundation's decoder reports `0.5` for an `Int` as invalid JSON, without the field).
func decodeWhole<K: CodingKey, T: FixedWidthInteger & Decodable>(
    _ c: KeyedDecodingContainer<K>, _ key: K, _: T.Type
) throws -> T? {
    guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
    if let value = try? c.decode(T.self, forKey: key) { return value }
    let field = fieldName(c.codingPath + [key])
    guard let number = try? c.decode(Double.self, forKey: key) else {
        throw JobError.config(field: field, problem: "expected a whole number")
    }
    throw JobError.config(
        field: field, problem: "expected a whole number in \(T.min)...\(T.max), got \(number)")
}

/// The known name within edit distance 2 of `word`, if any (a hint for a misspelt field).
func closest(_ word: String, in names: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var row = Array(0...b.count)
        for i in 1...Swift.max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...Swift.max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
    let w = Array(word.lowercased())
    return names.map { ($0, distance(w, Array($0))) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
}
