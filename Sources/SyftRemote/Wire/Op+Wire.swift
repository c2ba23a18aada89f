import SyftCore
import SyftNN

// Every operation's name and attributes on the wire: an exhaustive switch to encode, a table of the
// closed set by name to decode. Decoding accepts only the closed set: an unknown name or an attribute
// of the wrong type is an error reply, never a call into anything (STYLE.md anti-pattern 2, string
// dispatch).

/// An operation's attribute as it travels (messages.proto's `AttrValue`).
enum AttrValue: Equatable, Sendable {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    case ints([Int])
    /// Present but null (an absent optional bound, such as clamp's max).
    case none

    static func optionalFloat(_ v: Double?) -> AttrValue { v.map { .float($0) } ?? .none }
}

/// An operation's or an optimizer rule's attributes: a handful of named values, kept in a small array
/// (found by a linear search, which for at most a few entries beats hashing their names), written in
/// the order of their names so that the encoding is deterministic. A name given twice keeps its last
/// value, as a protobuf map does.
struct WireAttrs: ExpressibleByDictionaryLiteral {
    private(set) var entries: [(String, AttrValue)]

    init(dictionaryLiteral elements: (String, AttrValue)...) { entries = elements }

    var count: Int { entries.count }

    subscript(key: String) -> AttrValue? {
        get { entries.first { $0.0 == key }?.1 }
        set {
            let i = entries.firstIndex { $0.0 == key }
            switch (i, newValue) {
            case (let i?, let v?): entries[i].1 = v
            case (let i?, nil): entries.remove(at: i)
            case (nil, let v?): entries.append((key, v))
            case (nil, nil): break
            }
        }
    }

    /// The entries in the order of their names.
    var sorted: [(String, AttrValue)] {
        entries.count < 2 ? entries : entries.sorted { $0.0 < $1.0 }
    }
}

extension Op {
    /// The operation's attributes as wire values, in a fixed order.
    var attributes: [(String, AttrValue)] { wireAttributes.sorted }

    /// The operation's attributes as wire values.
    var wireAttributes: WireAttrs {
        switch self {
        case .neg, .abs, .exp, .log, .sqrt, .sin, .cos, .tanh, .sigmoid, .relu: return [:]
        case .clamp(let lo, let hi): return ["min": .optionalFloat(lo), "max": .optionalFloat(hi)]
        case .cast(let dtype): return ["dtype": .string(dtype.rawValue)]
        case .add, .sub, .mul, .div, .pow, .maximum, .minimum, .eq, .ne, .lt, .le, .gt, .ge, .where, .matmul,
            .linear:
            return [:]
        case .sum(let axes, let keep), .prod(let axes, let keep), .max(let axes, let keep),
            .min(let axes, let keep):
            return ["dim": .ints(axes), "keepdim": .bool(keep)]
        case .argmax(let axis, let keep), .argmin(let axis, let keep):
            return ["dim": axis.map { .int($0) } ?? .none, "keepdim": .bool(keep)]
        case .reshape(let shape): return ["shape": .ints(shape)]
        case .permute(let dims): return ["dims": .ints(dims)]
        case .expand(let shape): return ["shape": .ints(shape)]
        case .slice(let ranges), .sliceScatter(let ranges):
            return [
                "starts": .ints(ranges.map(\.start)), "ends": .ints(ranges.map(\.end)),
                "steps": .ints(ranges.map(\.step)),
            ]
        case .cat(let axis): return ["dim": .int(axis)]
        case .softmax(let axis), .logSoftmax(let axis): return ["dim": .int(axis)]
        case .bernoulli(let p): return ["p": .float(p)]
        case .gather(let axis): return ["dim": .int(axis)]
        case .nllLoss(let reduction, let ignoreIndex):
            return ["reduction": .string(reduction.rawValue), "ignore_index": .int(ignoreIndex)]
        case .conv2d(let stride, let padding, let dilation, let groups):
            return [
                "stride": .ints(stride), "padding": .ints(padding), "dilation": .ints(dilation),
                "groups": .int(groups),
            ]
        case .maxPool2d(let kernel, let stride, let padding, let dilation, let ceilMode):
            return [
                "kernel_size": .ints(kernel), "stride": .ints(stride), "padding": .ints(padding),
                "dilation": .ints(dilation), "ceil_mode": .bool(ceilMode),
            ]
        case .avgPool2d(let kernel, let stride, let padding, let ceilMode, let countIncludePad):
            return [
                "kernel_size": .ints(kernel), "stride": .ints(stride), "padding": .ints(padding),
                "ceil_mode": .bool(ceilMode), "count_include_pad": .bool(countIncludePad),
            ]
        case .unfold(let kernel, let stride, let padding, let dilation):
            return [
                "kernel_size": .ints(kernel), "stride": .ints(stride), "padding": .ints(padding),
                "dilation": .ints(dilation),
            ]
        case .linalgInv, .linalgSolve, .linalgDet, .linalgSlogdet, .linalgCholesky, .linalgQr, .linalgSvd,
            .linalgEigh, .linalgLstsq:
            return [:]
        }
    }

    /// The operation named `name` with `attrs`, or an error naming what is unknown or malformed.
    init(wireName name: String, attrs: WireAttrs) throws(SyftError) {
        guard let decode = Op.wireDecoders[name] else {
            throw .invalidMessage(reason: "unknown operation '\(name.prefix(64))'")
        }
        self = try decode(AttrReader(op: name, attrs: attrs))
    }

    /// Each wire name's decoder: found by one hash lookup rather than by comparing the name with every
    /// operation's name in turn, so decoding an operation costs the same wherever it sits in the list.
    static let wireDecoders: [String: @Sendable (AttrReader) throws(SyftError) -> Op] = [
        "neg": { _ throws(SyftError) in .neg },
        "abs": { _ throws(SyftError) in .abs },
        "exp": { _ throws(SyftError) in .exp },
        "log": { _ throws(SyftError) in .log },
        "sqrt": { _ throws(SyftError) in .sqrt },
        "sin": { _ throws(SyftError) in .sin },
        "cos": { _ throws(SyftError) in .cos },
        "tanh": { _ throws(SyftError) in .tanh },
        "sigmoid": { _ throws(SyftError) in .sigmoid },
        "relu": { _ throws(SyftError) in .relu },
        "clamp": { a throws(SyftError) in
            .clamp(min: try a.optionalFloat("min"), max: try a.optionalFloat("max"))
        },
        "to": { a throws(SyftError) in
            let s = try a.string("dtype")
            guard let d = DType(rawValue: s) else {
                throw .invalidMessage(reason: "to: unknown dtype '\(s)'")
            }
            return .cast(d)
        },
        "add": { _ throws(SyftError) in .add },
        "sub": { _ throws(SyftError) in .sub },
        "mul": { _ throws(SyftError) in .mul },
        "div": { _ throws(SyftError) in .div },
        "pow": { _ throws(SyftError) in .pow },
        "maximum": { _ throws(SyftError) in .maximum },
        "minimum": { _ throws(SyftError) in .minimum },
        "eq": { _ throws(SyftError) in .eq },
        "ne": { _ throws(SyftError) in .ne },
        "lt": { _ throws(SyftError) in .lt },
        "le": { _ throws(SyftError) in .le },
        "gt": { _ throws(SyftError) in .gt },
        "ge": { _ throws(SyftError) in .ge },
        "where": { _ throws(SyftError) in .where },
        "sum": { a throws(SyftError) in .sum(axes: try a.ints("dim"), keepDims: try a.bool("keepdim")) },
        "prod": { a throws(SyftError) in .prod(axes: try a.ints("dim"), keepDims: try a.bool("keepdim")) },
        "amax": { a throws(SyftError) in .max(axes: try a.ints("dim"), keepDims: try a.bool("keepdim")) },
        "amin": { a throws(SyftError) in .min(axes: try a.ints("dim"), keepDims: try a.bool("keepdim")) },
        "argmax": { a throws(SyftError) in
            .argmax(axis: try a.optionalInt("dim"), keepDims: try a.bool("keepdim"))
        },
        "argmin": { a throws(SyftError) in
            .argmin(axis: try a.optionalInt("dim"), keepDims: try a.bool("keepdim"))
        },
        "reshape": { a throws(SyftError) in .reshape(try a.ints("shape")) },
        "permute": { a throws(SyftError) in .permute(try a.ints("dims")) },
        "expand": { a throws(SyftError) in .expand(try a.ints("shape")) },
        "slice": { a throws(SyftError) in .slice(try a.ranges()) },
        "slice_scatter": { a throws(SyftError) in .sliceScatter(try a.ranges()) },
        "cat": { a throws(SyftError) in .cat(axis: try a.int("dim")) },
        "matmul": { _ throws(SyftError) in .matmul },
        "softmax": { a throws(SyftError) in .softmax(axis: try a.int("dim")) },
        "log_softmax": { a throws(SyftError) in .logSoftmax(axis: try a.int("dim")) },
        "bernoulli": { a throws(SyftError) in .bernoulli(p: try a.float("p")) },
        "gather": { a throws(SyftError) in .gather(axis: try a.int("dim")) },
        "nll_loss": { a throws(SyftError) in
            let s = try a.string("reduction")
            guard let r = Reduction(rawValue: s) else {
                throw .invalidMessage(reason: "nll_loss: unknown reduction '\(s.prefix(64))'")
            }
            return .nllLoss(reduction: r, ignoreIndex: try a.int("ignore_index"))
        },
        "linear": { _ throws(SyftError) in .linear },
        "conv2d": { a throws(SyftError) in
            .conv2d(
                stride: try a.ints("stride"), padding: try a.ints("padding"),
                dilation: try a.ints("dilation"),
                groups: try a.int("groups"))
        },
        "max_pool2d": { a throws(SyftError) in
            .maxPool2d(
                kernel: try a.ints("kernel_size"), stride: try a.ints("stride"),
                padding: try a.ints("padding"),
                dilation: try a.ints("dilation"), ceilMode: try a.bool("ceil_mode"))
        },
        "avg_pool2d": { a throws(SyftError) in
            .avgPool2d(
                kernel: try a.ints("kernel_size"), stride: try a.ints("stride"),
                padding: try a.ints("padding"),
                ceilMode: try a.bool("ceil_mode"), countIncludePad: try a.bool("count_include_pad"))
        },
        "im2col": { a throws(SyftError) in
            .unfold(
                kernel: try a.ints("kernel_size"), stride: try a.ints("stride"),
                padding: try a.ints("padding"),
                dilation: try a.ints("dilation"))
        },
        "linalg_inv": { _ throws(SyftError) in .linalgInv },
        "linalg_solve": { _ throws(SyftError) in .linalgSolve },
        "linalg_det": { _ throws(SyftError) in .linalgDet },
        "linalg_slogdet": { _ throws(SyftError) in .linalgSlogdet },
        "linalg_cholesky": { _ throws(SyftError) in .linalgCholesky },
        "linalg_qr": { _ throws(SyftError) in .linalgQr },
        "linalg_svd": { _ throws(SyftError) in .linalgSvd },
        "linalg_eigh": { _ throws(SyftError) in .linalgEigh },
        "linalg_lstsq": { _ throws(SyftError) in .linalgLstsq },
    ]
}

/// Reads typed attributes, naming the operation and attribute in every error.
struct AttrReader {
    let op: String
    let attrs: WireAttrs

    private func value(_ key: String) throws(SyftError) -> AttrValue {
        guard let v = attrs[key] else { throw .invalidMessage(reason: "\(op): missing attribute '\(key)'") }
        return v
    }
    private func wrong(_ key: String, _ kind: String) -> SyftError {
        .invalidMessage(reason: "\(op): attribute '\(key)' must be \(kind)")
    }

    func int(_ key: String) throws(SyftError) -> Int {
        guard case .int(let i) = try value(key), Swift.abs(i) < (1 << 40) else {
            throw wrong(key, "an integer of sane size")
        }
        return i
    }
    func optionalInt(_ key: String) throws(SyftError) -> Int? {
        if case .none = try value(key) { return nil }
        return try int(key)
    }
    func float(_ key: String) throws(SyftError) -> Double {
        switch try value(key) {
        case .float(let v): return v
        case .int(let v): return Double(v)
        default: throw wrong(key, "a number")
        }
    }
    func optionalFloat(_ key: String) throws(SyftError) -> Double? {
        if case .none = try value(key) { return nil }
        return try float(key)
    }
    func bool(_ key: String) throws(SyftError) -> Bool {
        guard case .bool(let v) = try value(key) else { throw wrong(key, "a boolean") }
        return v
    }
    func string(_ key: String) throws(SyftError) -> String {
        guard case .string(let v) = try value(key) else { throw wrong(key, "a string") }
        return v
    }
    func ints(_ key: String) throws(SyftError) -> [Int] {
        guard case .ints(let list) = try value(key) else { throw wrong(key, "a list of integers") }
        guard list.count <= 64 else { throw wrong(key, "a list of at most 64 integers") }
        for i in list where Swift.abs(i) >= (1 << 40) { throw wrong(key, "a list of integers of sane size") }
        return list
    }
    func ranges() throws(SyftError) -> [SliceRange] {
        let s = try ints("starts")
        let e = try ints("ends")
        let st = try ints("steps")
        guard s.count == e.count, e.count == st.count else {
            throw .invalidMessage(reason: "\(op): starts, ends and steps must have one entry per axis")
        }
        return (0..<s.count).map { SliceRange(start: s[$0], end: e[$0], step: st[$0]) }
    }
}

extension ParameterUpdate {
    /// The rule's settings as wire attributes.
    var attributes: [(String, AttrValue)] {
        switch self {
        case .sgd(let lr, let momentum, let dampening, let weightDecay, let nesterov):
            return [
                ("dampening", .float(dampening)), ("lr", .float(lr)), ("momentum", .float(momentum)),
                ("nesterov", .bool(nesterov)), ("weight_decay", .float(weightDecay)),
            ]
        case .adam(let lr, let beta1, let beta2, let eps, let weightDecay, let decoupled):
            return [
                ("beta1", .float(beta1)), ("beta2", .float(beta2)), ("decoupled", .bool(decoupled)),
                ("eps", .float(eps)),
                ("lr", .float(lr)), ("weight_decay", .float(weightDecay)),
            ]
        }
    }

    /// The rule named `name` with `attrs`, or an error naming what is unknown or malformed.
    init(wireName name: String, attrs: WireAttrs) throws(SyftError) {
        let a = AttrReader(op: name, attrs: attrs)
        switch name {
        case "sgd_step":
            self = .sgd(
                lr: try a.float("lr"), momentum: try a.float("momentum"), dampening: try a.float("dampening"),
                weightDecay: try a.float("weight_decay"), nesterov: try a.bool("nesterov"))
        case "adam_step":
            self = .adam(
                lr: try a.float("lr"), beta1: try a.float("beta1"), beta2: try a.float("beta2"),
                eps: try a.float("eps"),
                weightDecay: try a.float("weight_decay"), decoupled: try a.bool("decoupled"))
        default: throw .invalidMessage(reason: "unknown optimizer rule '\(name.prefix(64))'")
        }
    }
}
