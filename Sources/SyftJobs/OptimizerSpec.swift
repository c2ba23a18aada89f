import SyftNN

/// The optimizer of a job: its name and settings; what is left out takes the optimizer's default.
///
/// ```swift
/// let spec = OptimizerSpec(name: .sgd, lr: 0.05, momentum: 0.9)
/// let optimizer = spec.resolved().make(model.parameters())
/// ```
public struct OptimizerSpec: Codable, Sendable, Equatable {
    /// The optimizers a job can use.
    public enum Name: String, Codable, Sendable, CaseIterable {
        case sgd, adam, adamw
    }

    /// Default `sgd`.
    public var name: Name?
    /// Learning rate (default 0.1 for SGD, 0.001 for Adam and AdamW).
    public var lr: Double?
    /// SGD's momentum (default 0); only SGD has one.
    public var momentum: Double?
    /// L2 weight decay (SGD, Adam; default 0) or decoupled weight decay (AdamW; default 0.01).
    public var weightDecay: Double?

    public init(name: Name? = nil, lr: Double? = nil, momentum: Double? = nil, weightDecay: Double? = nil) {
        self.name = name
        self.lr = lr
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, lr, momentum
        case weightDecay = "weight_decay"
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try decodeChoice(c, .name, Name.self)
        lr = try c.decodeIfPresent(Double.self, forKey: .lr)
        momentum = try c.decodeIfPresent(Double.self, forKey: .momentum)
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay)
    }

    /// `top`'s settings, with those it leaves out from `base`.
    static func merge(_ top: OptimizerSpec?, over base: OptimizerSpec?) -> OptimizerSpec? {
        guard let top else { return base }
        guard let base else { return top }
        return OptimizerSpec(
            name: top.name ?? base.name, lr: top.lr ?? base.lr, momentum: top.momentum ?? base.momentum,
            weightDecay: top.weightDecay ?? base.weightDecay)
    }

    /// Every setting filled in, after checking the ranges.
    /// - Throws: ``JobError/config(field:problem:file:)`` naming the setting.
    public func resolved() throws(JobError) -> OptimizerSpec {
        let name = self.name ?? .sgd
        let lr = self.lr ?? (name == .sgd ? 0.1 : 1e-3)
        guard lr > 0, lr.isFinite else {
            throw .config(field: "optimizer.lr", problem: "must be a positive number, got \(lr)")
        }
        if name != .sgd, let m = momentum, m != 0 {
            throw .config(
                field: "optimizer.momentum", problem: "only sgd has a momentum (\(name.rawValue) has betas)")
        }
        let momentum = name == .sgd ? (self.momentum ?? 0) : nil
        if let m = momentum, !(m >= 0 && m < 1) {
            throw .config(field: "optimizer.momentum", problem: "must be in [0, 1), got \(m)")
        }
        let decay = weightDecay ?? (name == .adamw ? 0.01 : 0)
        guard decay >= 0, decay.isFinite else {
            throw .config(field: "optimizer.weight_decay", problem: "must be zero or positive, got \(decay)")
        }
        return OptimizerSpec(name: name, lr: lr, momentum: momentum, weightDecay: decay)
    }

    /// A new optimizer over `parameters` (call on a ``resolved()`` spec).
    public func make(_ parameters: [Parameter]) -> any Optimizer {
        let lr = self.lr ?? 0.1
        switch name ?? .sgd {
        case .sgd: return SGD(parameters, lr: lr, momentum: momentum ?? 0, weightDecay: weightDecay ?? 0)
        case .adam: return Adam(parameters, lr: lr, weightDecay: weightDecay ?? 0)
        case .adamw: return AdamW(parameters, lr: lr, weightDecay: weightDecay ?? 0.01)
        }
    }

    /// `sgd lr 0.1 momentum 0.9`.
    var summary: String {
        var parts = [(name ?? .sgd).rawValue, "lr \(lr ?? 0.1)"]
        if let m = momentum, m != 0 { parts.append("momentum \(m)") }
        if let d = weightDecay, d != 0 { parts.append("weight decay \(d)") }
        return parts.joined(separator: " ")
    }
}

/// How a job with workers trains: federated SGD (the model visits each worker in turn, every epoch) or
/// federated averaging (each round, every worker trains a copy for `localEpochs`, and the copies are
/// averaged on an aggregator).
///
/// ```swift
/// let spec = FederatedSpec(mode: .averaging, rounds: 5, localEpochs: 2)
/// ```
public struct FederatedSpec: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        case sgd, averaging
    }

    /// Default `sgd`.
    public var mode: Mode?
    /// Averaging rounds (default: the job's epochs); only for averaging.
    public var rounds: Int?
    /// Epochs each worker trains per round (default 1); only for averaging.
    public var localEpochs: Int?

    public init(mode: Mode? = nil, rounds: Int? = nil, localEpochs: Int? = nil) {
        self.mode = mode
        self.rounds = rounds
        self.localEpochs = localEpochs
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, rounds
        case localEpochs = "local_epochs"
    }

    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try decodeChoice(c, .mode, Mode.self)
        rounds = try decodeWhole(c, .rounds, Int.self)
        localEpochs = try decodeWhole(c, .localEpochs, Int.self)
    }

    static func merge(_ top: FederatedSpec?, over base: FederatedSpec?) -> FederatedSpec? {
        guard let top else { return base }
        guard let base else { return top }
        return FederatedSpec(
            mode: top.mode ?? base.mode, rounds: top.rounds ?? base.rounds,
            localEpochs: top.localEpochs ?? base.localEpochs)
    }

    /// Every setting filled in, after checking the ranges (`epochs` is the job's, the default rounds).
    public func resolved(epochs: Int) throws(JobError) -> FederatedSpec {
        let mode = self.mode ?? .sgd
        guard mode == .averaging else {
            if rounds != nil {
                throw .config(field: "federated.rounds", problem: "only federated averaging has rounds")
            }
            if localEpochs != nil {
                throw .config(
                    field: "federated.local_epochs", problem: "only federated averaging has local epochs")
            }
            return FederatedSpec(mode: .sgd)
        }
        let rounds = self.rounds ?? epochs
        let local = localEpochs ?? 1
        guard rounds >= 1 else {
            throw .config(field: "federated.rounds", problem: "must be at least 1, got \(rounds)")
        }
        guard local >= 1 else {
            throw .config(field: "federated.local_epochs", problem: "must be at least 1, got \(local)")
        }
        return FederatedSpec(mode: .averaging, rounds: rounds, localEpochs: local)
    }
}

/// Throws for a key `Keys` does not know, naming it and the known ones.
func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ decoder: any Decoder, _: Keys.Type) throws {
    let raw = try decoder.container(keyedBy: AnyKey.self)
    let known = Keys.allCases.map(\.stringValue)
    for key in raw.allKeys where !known.contains(key.stringValue) {
        let hint = closest(key.stringValue, in: known).map { " (did you mean '\($0)'?)" } ?? ""
        throw JobError.config(
            field: fieldName(decoder.codingPath + [key]),
            problem: "unknown field\(hint); known fields: \(known.sorted().joined(separator: ", "))")
    }
}
