import Foundation
import SyftCore
import SyftNN

// Note [The model as a list of layers]
// A job's model is a list of layers applied in order (a `Sequential`). In JSON each layer is an object
// with one key, its kind, whose value holds its settings: `{"linear": 64}` (or
// `{"linear": {"out": 64, "bias": false}}`), `{"relu": {}}`, `{"tanh": {}}`, `{"sigmoid": {}}`,
// `{"dropout": 0.1}`, `{"flatten": {}}`; a bare string `"relu"` is the same layer. The compact form of
// `--model` is the same list separated by commas: `64,relu,dropout:0.1,32,tanh` (a number is a linear
// layer of that many outputs). Sizes of inputs are never written: a linear layer takes what the layer
// before it gives (the data set's features for the first). If the list does not end with a linear
// layer, one sized for the task (the classes, or one value) is appended, so `64,relu` is an MLP with
// one hidden layer for any data set; a list that ends with a linear layer must give what the task
// needs. New layer kinds (a `conv2d`, pooling) are a case here, in `decodeLayer`, in `build` and, for
// per-example gradients, in `PerExampleGradients.swift`.

/// One layer of a job's model (Note [The model as a list of layers]).
///
/// ```swift
/// let layers = try LayerSpec.parseList("64,relu,dropout:0.1")
/// // [.linear(out: 64, bias: true), .relu, .dropout(p: 0.1)]
/// ```
public enum LayerSpec: Codable, Sendable, Equatable, CustomStringConvertible {
    /// `Linear(in, out)`; `in` is what the layer before gives.
    case linear(out: Int, bias: Bool = true)
    case relu
    case tanh
    case sigmoid
    /// `Dropout(p)`: active in training, the identity when evaluating.
    case dropout(p: Double)
    /// `Flatten()`: every axis after the first into one.
    case flatten

    /// The kinds a job's model can use, as written in JSON.
    public static let kinds = ["linear", "relu", "tanh", "sigmoid", "dropout", "flatten"]

    /// The layer in the compact form (`64`, `relu`, `dropout:0.1`, `64:nobias`).
    public var description: String {
        switch self {
        case .linear(let out, let bias): return bias ? "\(out)" : "\(out):nobias"
        case .relu: return "relu"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .dropout(let p): return "dropout:\(p)"
        case .flatten: return "flatten"
        }
    }

    /// Parses the compact form `64,relu,dropout:0.1,32,tanh`; the empty string is no layer.
    /// - Throws: ``JobError/config(field:problem:file:)`` naming the token that is wrong.
    public static func parseList(_ text: String, field: String = "model") throws(JobError) -> [LayerSpec] {
        let tokens = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if tokens == [""] { return [] }
        var layers: [LayerSpec] = []
        for (i, token) in tokens.enumerated() {
            layers.append(try parse(token, field: "\(field)[\(i)]"))
        }
        return layers
    }

    private static func parse(_ token: String, field: String) throws(JobError) -> LayerSpec {
        let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first?.lowercased() ?? ""
        let argument = parts.count > 1 ? parts[1] : nil
        if let out = Int(name) {
            switch argument {
            case nil: return try checked(.linear(out: out), field: field)
            case "nobias": return try checked(.linear(out: out, bias: false), field: field)
            default: throw .config(field: field, problem: "'\(token)': a linear layer takes only ':nobias'")
            }
        }
        switch (name, argument) {
        case ("relu", nil): return .relu
        case ("tanh", nil): return .tanh
        case ("sigmoid", nil): return .sigmoid
        case ("flatten", nil): return .flatten
        case ("dropout", nil): return .dropout(p: 0.5)
        case ("dropout", let p?):
            guard let value = Double(p) else {
                throw .config(field: field, problem: "'\(token)': '\(p)' is not a probability")
            }
            return try checked(.dropout(p: value), field: field)
        case ("relu", _), ("tanh", _), ("sigmoid", _), ("flatten", _):
            throw .config(field: field, problem: "'\(token)': \(name) takes no setting")
        default:
            throw .config(
                field: field,
                problem:
                    "unknown layer '\(token)' (use a number for a linear layer, or relu, tanh, sigmoid, dropout[:p], flatten)"
            )
        }
    }

    /// The layer after checking its settings.
    static func checked(_ layer: LayerSpec, field: String) throws(JobError) -> LayerSpec {
        switch layer {
        case .linear(let out, _) where out < 1:
            throw .config(field: field, problem: "a linear layer needs at least 1 output, got \(out)")
        case .dropout(let p) where !(p >= 0 && p < 1):
            throw .config(field: field, problem: "dropout probability must be in [0, 1), got \(p)")
        default: return layer
        }
    }

    // MARK: - JSON

    public init(from decoder: any Decoder) throws {
        let field = fieldName(decoder.codingPath)
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            let parsed = try LayerSpec.parseList(name, field: field)
            guard parsed.count == 1 else {
                throw JobError.config(field: field, problem: "'\(name)' is not one layer")
            }
            self = parsed[0]
            return
        }
        guard let object = try? decoder.container(keyedBy: AnyKey.self) else {
            throw JobError.config(
                field: field,
                problem: "a layer is an object with one key, such as {\"linear\": 64} or {\"relu\": {}}")
        }
        guard object.allKeys.count == 1, let key = object.allKeys.first else {
            throw JobError.config(
                field: field,
                problem: "a layer has exactly one key (its kind), found \(object.allKeys.map(\.stringValue))")
        }
        self = try LayerSpec.checked(try LayerSpec.decodeLayer(key, in: object, field: field), field: field)
    }

    private static func decodeLayer(
        _ key: AnyKey, in object: KeyedDecodingContainer<AnyKey>, field: String
    ) throws -> LayerSpec {
        struct LinearSettings: Decodable {
            var out: Int
            var bias: Bool?
        }
        struct DropoutSettings: Decodable { var p: Double }
        let name = key.stringValue
        func settingsAreEmpty() throws -> Bool {
            if (try? object.decodeNil(forKey: key)) == true { return true }
            guard let inner = try? object.nestedContainer(keyedBy: AnyKey.self, forKey: key) else {
                return false
            }
            return inner.allKeys.isEmpty
        }
        switch name {
        case "linear":
            if let out = try? object.decode(Int.self, forKey: key) { return .linear(out: out) }
            guard let settings = try? object.decode(LinearSettings.self, forKey: key) else {
                throw JobError.config(
                    field: field + ".linear",
                    problem: "expected a number of outputs or {\"out\": N, \"bias\": true}")
            }
            return .linear(out: settings.out, bias: settings.bias ?? true)
        case "dropout":
            if let p = try? object.decode(Double.self, forKey: key) { return .dropout(p: p) }
            if let settings = try? object.decode(DropoutSettings.self, forKey: key) {
                return .dropout(p: settings.p)
            }
            if try settingsAreEmpty() { return .dropout(p: 0.5) }
            throw JobError.config(
                field: field + ".dropout", problem: "expected a probability or {\"p\": 0.1}")
        case "relu", "tanh", "sigmoid", "flatten":
            guard try settingsAreEmpty() else {
                throw JobError.config(
                    field: field + "." + name, problem: "\(name) takes no settings; write {\"\(name)\": {}}")
            }
            return name == "relu" ? .relu : name == "tanh" ? .tanh : name == "sigmoid" ? .sigmoid : .flatten
        default:
            throw JobError.config(
                field: field,
                problem: "unknown layer kind '\(name)' (known: \(kinds.joined(separator: ", ")))")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: AnyKey.self)
        struct Empty: Encodable {}
        struct LinearSettings: Encodable {
            var out: Int
            var bias: Bool
        }
        switch self {
        case .linear(let out, true): try object.encode(out, forKey: AnyKey(stringValue: "linear"))
        case .linear(let out, false):
            try object.encode(LinearSettings(out: out, bias: false), forKey: AnyKey(stringValue: "linear"))
        case .dropout(let p): try object.encode(p, forKey: AnyKey(stringValue: "dropout"))
        case .relu, .tanh, .sigmoid, .flatten:
            try object.encode(Empty(), forKey: AnyKey(stringValue: description))
        }
    }
}

// MARK: - Building the model

extension LayerSpec {
    /// The model the layers describe, for `inputs` features, initialized from `generator`.
    ///
    /// ```swift
    /// let model = LayerSpec.build([.linear(out: 64), .relu, .linear(out: 10)], inputs: 64, generator: Generator(seed: 0))
    /// ```
    public static func build(_ layers: [LayerSpec], inputs: Int, generator: Generator) -> Sequential {
        var width = inputs
        var modules: [any Layer] = []
        for layer in layers {
            switch layer {
            case .linear(let out, let bias):
                modules.append(Linear(width, out, bias: bias, generator: generator))
                width = out
            case .relu: modules.append(ReLU())
            case .tanh: modules.append(Tanh())
            case .sigmoid: modules.append(Sigmoid())
            case .dropout(let p): modules.append(Dropout(p: p))
            case .flatten: modules.append(Flatten())
            }
        }
        return Sequential(modules)
    }

    /// The layers with the output layer appended when the list does not end with a linear layer, checked
    /// against the `outputs` the task needs (Note [The model as a list of layers]).
    static func completed(_ layers: [LayerSpec], outputs: Int, needs: String) throws(JobError) -> [LayerSpec]
    {
        if case .linear(let out, _)? = layers.last {
            guard out == outputs else {
                throw .config(
                    field: "model",
                    problem: "the last layer gives \(out) outputs but the task needs \(outputs) (\(needs)); "
                        + "end with a linear layer of \(outputs), or with an activation to have it added")
            }
            return layers
        }
        return layers + [.linear(out: outputs)]
    }

    /// `64 → 64 → relu → 10`: the model in one line, from `inputs` features.
    static func summary(_ layers: [LayerSpec], inputs: Int) -> String {
        (["\(inputs)"] + layers.map(\.description)).joined(separator: " → ")
    }
}
