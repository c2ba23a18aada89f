import Foundation
import SyftNN
import SyftRemote

/// Why a job cannot start or cannot go on, in one line a user can act on.
///
/// Every job validates its whole input (the job description, the data, the checkpoint, the workers)
/// before it writes anything, so a bad input leaves no half-written run folder behind; a failure later
/// leaves what was already written as it was.
/// ```swift
/// do {
///     try TrainJob(config: config).run(in: environment)
/// } catch let error as JobError {
///     print(error)   // epochs: must be at least 1, got 0
/// }
/// ```
public enum JobError: Error, CustomStringConvertible, Equatable {
    /// A field of the job description is wrong; `file` is the JSON file it came from, if any.
    case config(field: String, problem: String, file: String? = nil)
    /// A data set or checkpoint cannot be used (missing, unreadable, a wrong column, corrupt).
    case data(DataError)
    /// A worker failed or cannot be reached.
    case worker(String)
    /// The run folder already holds files, which a job never overwrites.
    case outputExists(String)
    /// A file could not be written.
    case cannotWrite(String, reason: String)
    /// A program the job runs is missing or failed.
    case tool(String)

    public var description: String {
        switch self {
        case .config(let field, let problem, let file):
            let place = field == wholeFile ? "" : "\(field): "
            return (file.map { "\($0): " } ?? "") + place + problem
        case .data(let e): return e.description
        case .worker(let message): return message
        case .outputExists(let path):
            return "\(path) already holds files; a job never overwrites a run folder (choose another --out)"
        case .cannotWrite(let path, let reason): return "\(path): cannot write: \(reason)"
        case .tool(let message): return message
        }
    }

    /// The same error with `file` named as the source of a configuration problem.
    func inFile(_ file: String) -> JobError {
        if case .config(let field, let problem, nil) = self {
            return .config(field: field, problem: problem, file: file)
        }
        return self
    }

    /// Wraps any error a job meets as a `JobError`, keeping its one-line message.
    static func wrap(_ error: any Error) -> JobError {
        switch error {
        case let e as JobError: return e
        case let e as DataError: return .data(e)
        case let e as SyftError:
            return .worker(e.description.split(whereSeparator: \.isNewline).joined(separator: " "))
        default: return .tool(String(describing: error))
        }
    }
}

// MARK: - Decoding errors as field and problem

/// The field name of a problem with the whole file (not valid JSON, not an object).
let wholeFile = "(the file)"

/// A coding key for any name: reads the keys a JSON object has, known or not.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

/// `model[2].linear` from a coding path.
func fieldName(_ path: [any CodingKey]) -> String {
    var out = ""
    for key in path {
        if let i = key.intValue {
            out += "[\(i)]"
        } else {
            out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return out.isEmpty ? wholeFile : out
}

/// What a Swift type is called in a problem statement.
private func kind(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is UInt64.Type, is Int64.Type: return "a whole number"
    case is Double.Type, is Float.Type: return "a number"
    case is String.Type: return "a string"
    case is Bool.Type: return "true or false"
    case is [Any].Type: return "a list"
    default: return "an object"
    }
}

/// A `DecodingError` as a configuration error naming the field.
func configError(from error: DecodingError) -> JobError {
    switch error {
    case .typeMismatch(let type, let context):
        return .config(field: fieldName(context.codingPath), problem: "expected \(kind(type))")
    case .valueNotFound(let type, let context):
        return .config(field: fieldName(context.codingPath), problem: "expected \(kind(type)), found null")
    case .keyNotFound(let key, let context):
        return .config(field: fieldName(context.codingPath + [key]), problem: "is required")
    case .dataCorrupted(let context):
        return .config(field: fieldName(context.codingPath), problem: context.debugDescription)
    @unknown default:
        return .config(field: wholeFile, problem: "\(error)")
    }
}
