import Foundation
import SyftGRPC
import SyftRemote

/// Where a federated job's data lives: a virtual worker in this process (`bob`) or a worker process on
/// the network (`grpc://host:port`, or `grpc://bob@host:port` to insist that the worker there is bob).
///
/// ```swift
/// let workers = try WorkerSpec.parseList("bob,alice")       // [.virtual(id: "bob"), .virtual(id: "alice")]
/// let remote = try WorkerSpec.parse("grpc://10.0.0.7:7000")  // .network(host: "10.0.0.7", port: 7000)
/// let named = try WorkerSpec.parse("grpc://bob@10.0.0.7:7000")
/// let bob = try named.connect(WorkerCredentials(token: token))  // refuses a worker there that is not bob
/// ```
public enum WorkerSpec: Codable, Sendable, Equatable, CustomStringConvertible {
    /// A `VirtualWorker` with this id, created in this process.
    case virtual(id: String)
    /// A worker process reached over gRPC. With an `id`, the worker must announce that id when it
    /// answers; without, the id it announces is taken.
    case network(id: String? = nil, host: String, port: Int)

    /// The spec as written: `bob`, `grpc://host:port` or `grpc://bob@host:port`.
    public var description: String {
        switch self {
        case .virtual(let id): return id
        case .network(let id, _, _): return "grpc://" + (id.map { "\($0)@" } ?? "") + address
        }
    }

    /// The worker's id as far as the spec knows it: the virtual worker's name, the network worker's
    /// name when the spec gives one, else `host:port` (the worker announces its id when it answers).
    public var id: String {
        switch self {
        case .virtual(let id): return id
        case .network(let id, _, _): return id ?? address
        }
    }

    /// Whether this is a worker process on the network.
    public var isNetwork: Bool {
        if case .network = self { return true }
        return false
    }

    /// `host:port` of a network worker (`[::1]:7000` for an IPv6 address); the id of a virtual one.
    var address: String {
        switch self {
        case .virtual(let id): return id
        case .network(_, let host, let port):
            return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// Parses one worker: a name of letters, digits, `-`, `_` and `.`, or `grpc://[name@]host:port`.
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
            var address = spec[schemeEnd.upperBound...]
            var id: String?
            if let at = address.firstIndex(of: "@") {
                let name = String(address[..<at])
                guard isWorkerName(name) else {
                    throw .config(
                        field: field,
                        problem: "'\(spec)': '\(name)' is not a worker id (letters, digits, '-', '_', '.')")
                }
                id = name
                address = address[address.index(after: at)...]
            }
            guard let colon = address.lastIndex(of: ":"),
                let port = Int(address[address.index(after: colon)...]),
                (1...65535).contains(port), colon > address.startIndex
            else {
                throw .config(
                    field: field,
                    problem: "'\(spec)': a network worker is grpc://host:port (or grpc://id@host:port) "
                        + "with a port in 1...65535")
            }
            var host = String(address[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return .network(id: id, host: host, port: port)
        }
        guard isWorkerName(spec) else {
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

    private static func isWorkerName(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
    }

    /// Parses a comma-separated list (`bob,alice` or `grpc://a:7000,grpc://b:7000`); names and
    /// addresses must differ.
    public static func parseList(_ text: String, field: String = "workers") throws(JobError) -> [WorkerSpec] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var specs: [WorkerSpec] = []
        for (i, part) in parts.enumerated() { specs.append(try parse(String(part), field: "\(field)[\(i)]")) }
        try checkDistinct(specs, field: field)
        return specs
    }

    static func checkDistinct(_ specs: [WorkerSpec], field: String) throws(JobError) {
        var names = Set<String>()
        var addresses = Set<String>()
        for s in specs {
            let named = names.insert(s.id).inserted
            let placed = !s.isNetwork || addresses.insert(s.address).inserted
            if !named || !placed { throw .config(field: field, problem: "'\(s)' is named twice") }
        }
    }

    /// The worker this spec names: a new `VirtualWorker`, or a connection to a network worker with
    /// `credentials` (which a network worker needs).
    ///
    /// ```swift
    /// let credentials = try WorkerCredentials.load(tokenFile: "token", ca: nil)
    /// let bob = try WorkerSpec.parse("grpc://127.0.0.1:7001").connect(credentials)
    /// print(bob.id)   // bob: the id the worker announced
    /// ```
    /// - Parameters:
    ///   - credentials: the token (and CA) for a network worker; unused for a virtual one.
    ///   - timeout: how long to wait for a network worker to answer.
    /// - Throws: ``JobError/worker(_:)`` in one line when the worker cannot be reached, refuses the
    ///   token, or is not the worker the spec names; ``JobError/config(field:problem:file:)`` when a
    ///   network worker has no credentials.
    public func connect(
        _ credentials: WorkerCredentials? = nil, timeout: Duration = .seconds(10)
    ) throws(JobError) -> any Worker {
        switch self {
        case .virtual(let id):
            return VirtualWorker(id: id)
        case .network(let id, let host, let port):
            guard let credentials else { throw WorkerCredentials.missingToken }
            do {
                return try NetworkWorker(
                    id: id, host: host, port: port, token: credentials.token, tls: credentials.tls,
                    connectTimeout: timeout)
            } catch {
                throw .worker("\(self): " + WorkerSpec.explain(error))
            }
        }
    }

    /// Why a connection failed, in words a user can act on (one line).
    static func explain(_ error: SyftError) -> String {
        let text: String
        switch error {
        case .unauthenticated:
            text =
                "the worker refused the token (give the worker's token with --worker-token-file or "
                + "\(workerTokenVariable))"
        case .workerUnreachable(_, let reason): text = "cannot reach the worker: \(reason)"
        default: text = error.description
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
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

/// How a job authenticates to network workers: the token every worker requires and, when the workers
/// serve TLS, the CA certificates to trust.
///
/// ```swift
/// let credentials = try WorkerCredentials.load(tokenFile: nil, ca: "ca.pem")   // token from $SYFT_WORKER_TOKEN
/// let bob = try WorkerSpec.parse("grpc://bob.example:7001").connect(credentials)
/// ```
/// The token is never written to a run folder; the job's `config.json` names only the token file.
public struct WorkerCredentials: Sendable {
    public var token: String
    /// What to trust when the workers serve TLS; nil connects in plaintext.
    public var tls: ClientTLS?

    public init(token: String, tls: ClientTLS? = nil) {
        self.token = token
        self.tls = tls
    }

    /// Reads the token from `tokenFile` (its first line) or else the environment variable
    /// `SYFT_WORKER_TOKEN`, and trusts the CA certificates (PEM) in `ca` for TLS.
    /// - Throws: ``JobError/config(field:problem:file:)`` naming `worker_token_file` or `worker_ca` when
    ///   there is no token, or a file is missing, unreadable or empty.
    public static func load(
        tokenFile: String?, ca: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(JobError) -> WorkerCredentials {
        if let tokenFile, !FileManager.default.fileExists(atPath: tokenFile) {
            throw .config(field: "worker_token_file", problem: "\(tokenFile): no such file")
        }
        let token: String?
        do {
            token = try readWorkerToken(file: tokenFile, environment: environment)
        } catch {
            let reason = (error as NSError).localizedDescription
            throw .config(field: "worker_token_file", problem: "\(tokenFile ?? ""): \(reason)")
        }
        guard let token else { throw missingToken }
        if let ca {
            guard FileManager.default.isReadableFile(atPath: ca) else {
                throw .config(field: "worker_ca", problem: "\(ca): no such file (CA certificates, PEM)")
            }
        }
        return WorkerCredentials(token: token, tls: ca.map { .trusting(.file($0)) })
    }

    static let missingToken = JobError.config(
        field: "worker_token_file",
        problem:
            "network workers need their token: --worker-token-file FILE or the environment variable \(workerTokenVariable)"
    )
}
