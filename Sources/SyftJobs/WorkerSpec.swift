import Foundation
import SyftRemote

/// Where a federated job's data lives: a virtual worker in this process (`bob`) or a worker process on
/// the network (`grpc://host:port`).
///
/// ```swift
/// let workers = try WorkerSpec.parseList("bob,alice")       // [.virtual(id: "bob"), .virtual(id: "alice")]
/// let remote = try WorkerSpec.parse("grpc://10.0.0.7:7000")  // .network(host: "10.0.0.7", port: 7000)
/// ```
public enum WorkerSpec: Codable, Sendable, Equatable, CustomStringConvertible {
    /// A `VirtualWorker` with this id, created in this process.
    case virtual(id: String)
    /// A worker process reached over gRPC.
    case network(host: String, port: Int)

    /// The spec as written: `bob` or `grpc://host:port`.
    public var description: String {
        switch self {
        case .virtual(let id): return id
        case .network(let host, let port): return "grpc://\(host):\(port)"
        }
    }

    /// The worker's id: the virtual worker's name, or `host:port`.
    public var id: String {
        switch self {
        case .virtual(let id): return id
        case .network(let host, let port): return "\(host):\(port)"
        }
    }

    /// Parses one worker: a name of letters, digits, `-`, `_` and `.`, or `grpc://host:port`.
    /// - Throws: ``JobError/config(field:problem:file:)`` naming `field` and what is wrong.
    public static func parse(_ text: String, field: String = "workers") throws(JobError) -> WorkerSpec {
        let spec = text.trimmingCharacters(in: .whitespaces)
        if let schemeEnd = spec.range(of: "://") {
            let scheme = spec[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "grpc" else {
                throw .config(
                    field: field,
                    problem: "'\(spec)': unknown scheme '\(scheme)://' (network workers are grpc://host:port)"
                )
            }
            let address = spec[schemeEnd.upperBound...]
            guard let colon = address.lastIndex(of: ":"),
                let port = Int(address[address.index(after: colon)...]),
                (1...65535).contains(port), colon > address.startIndex
            else {
                throw .config(
                    field: field,
                    problem: "'\(spec)': a network worker is grpc://host:port with a port in 1...65535")
            }
            var host = String(address[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return .network(host: host, port: port)
        }
        let allowed = spec.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        guard !spec.isEmpty, allowed else {
            throw .config(
                field: field,
                problem: "'\(spec)' is not a worker name (letters, digits, '-', '_', '.') or grpc://host:port"
            )
        }
        guard spec != "me" else {
            throw .config(
                field: field, problem: "'me' is the local worker; name the data owners (bob, alice)")
        }
        return .virtual(id: spec)
    }

    /// Parses a comma-separated list (`bob,alice` or `grpc://a:7000,grpc://b:7000`); names must differ.
    public static func parseList(_ text: String, field: String = "workers") throws(JobError) -> [WorkerSpec] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var specs: [WorkerSpec] = []
        for (i, part) in parts.enumerated() { specs.append(try parse(String(part), field: "\(field)[\(i)]")) }
        try checkDistinct(specs, field: field)
        return specs
    }

    static func checkDistinct(_ specs: [WorkerSpec], field: String) throws(JobError) {
        var seen = Set<String>()
        for s in specs where !seen.insert(s.id).inserted {
            throw .config(field: field, problem: "'\(s)' is named twice")
        }
    }

    /// The worker this spec names: a new `VirtualWorker`, or a connection to a network worker.
    ///
    /// Note [Adding network workers]: when SyftGRPC is merged, add it to the `SyftJobs` target's
    /// dependencies and replace the `.network` case below with the connection, e.g.
    /// `return try NetworkWorker(host: host, port: port)` (mapping its error with `JobError.wrap`).
    /// Nothing else changes: every job talks to workers through the `Worker` protocol only.
    /// - Throws: ``JobError/worker(_:)`` when the worker cannot be reached.
    public func connect() throws(JobError) -> any Worker {
        switch self {
        case .virtual(let id):
            return VirtualWorker(id: id)
        case .network:
            throw .worker(
                "\(self): network workers need the SyftGRPC module, which this build of syft does not include yet; "
                    + "use virtual workers in this process (--workers bob,alice)")
        }
    }

    // MARK: - JSON: a worker is its spec string

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try WorkerSpec.parse(text, field: fieldName(decoder.codingPath))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
