import Foundation

// A layer in JSON (Note [The model as a list of layers]): an object with one key, its kind, or the
// compact form as a string. Each mistake is one line naming the layer's field (`model[1].conv2d.kernel:
// expected a whole number`).

extension LayerSpec {
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
        case "image":
            if let sides = try? object.decode([Int].self, forKey: key), sides.count == 3 {
                return .image(channels: sides[0], height: sides[1], width: sides[2])
            }
            if let text = try? object.decode(String.self, forKey: key), let layer = image(text) {
                return layer
            }
            throw JobError.config(
                field: field + ".image",
                problem: "expected [channels, height, width] or \"CxHxW\", such as [1, 8, 8]")
        case "conv2d":
            let form = "{\"out\": 8, \"kernel\": 3} (and optionally \"stride\", \"padding\", \"bias\")"
            guard let settings = try? object.nestedContainer(keyedBy: AnyKey.self, forKey: key) else {
                throw JobError.config(field: field + ".conv2d", problem: "expected settings such as \(form)")
            }
            let values = try wholeNumbers(
                settings, required: ["out", "kernel"], optional: ["stride", "padding"], flags: ["bias"],
                field: field + ".conv2d", form: form)
            return .conv2d(
                out: values["out"]!, kernel: values["kernel"]!, stride: values["stride"] ?? 1,
                padding: values["padding"] ?? 0,
                bias: (try settings.decodeIfPresent(Bool.self, forKey: AnyKey(stringValue: "bias"))) ?? true)
        case "maxpool", "avgpool":
            let form = "a kernel size or {\"kernel\": 3, \"stride\": 2}"
            var kernel: Int
            var stride: Int?
            if let size = try? object.decode(Int.self, forKey: key) {
                kernel = size
            } else if let settings = try? object.nestedContainer(keyedBy: AnyKey.self, forKey: key) {
                let values = try wholeNumbers(
                    settings, required: ["kernel"], optional: ["stride"], flags: [],
                    field: field + "." + name,
                    form: form)
                (kernel, stride) = (values["kernel"]!, values["stride"])
            } else {
                throw JobError.config(field: field + "." + name, problem: "expected \(form)")
            }
            return name == "maxpool"
                ? .maxPool(kernel: kernel, stride: stride ?? kernel)
                : .avgPool(kernel: kernel, stride: stride ?? kernel)
        default:
            throw JobError.config(
                field: field,
                problem: "unknown layer kind '\(name)' (known: \(kinds.joined(separator: ", ")))")
        }
    }

    /// The whole-number settings of a layer object, checking that `required` are present and that no
    /// key is unknown (`flags` are booleans the caller reads).
    private static func wholeNumbers(
        _ settings: KeyedDecodingContainer<AnyKey>, required: [String], optional: [String], flags: [String],
        field: String, form: String
    ) throws -> [String: Int] {
        let known = required + optional + flags
        for key in settings.allKeys where !known.contains(key.stringValue) {
            let hint = closest(key.stringValue, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw JobError.config(
                field: field + "." + key.stringValue,
                problem: "unknown setting\(hint); known settings: \(known.joined(separator: ", "))")
        }
        for name in flags where settings.contains(AnyKey(stringValue: name)) {
            guard (try? settings.decode(Bool.self, forKey: AnyKey(stringValue: name))) != nil else {
                throw JobError.config(field: field + "." + name, problem: "expected true or false")
            }
        }
        var values: [String: Int] = [:]
        for name in required + optional {
            if let value = try decodeWhole(settings, AnyKey(stringValue: name), Int.self) {
                values[name] = value
            } else if required.contains(name) {
                throw JobError.config(field: field, problem: "'\(name)' is required: \(form)")
            }
        }
        return values
    }

    public func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: AnyKey.self)
        struct Empty: Encodable {}
        struct LinearSettings: Encodable {
            var out: Int
            var bias: Bool
        }
        struct ConvSettings: Encodable {
            var out: Int, kernel: Int, stride: Int, padding: Int
            var bias: Bool?
        }
        struct PoolSettings: Encodable { var kernel: Int, stride: Int }
        let key = AnyKey(stringValue: kindName)
        switch self {
        case .linear(let out, true): try object.encode(out, forKey: key)
        case .linear(let out, false): try object.encode(LinearSettings(out: out, bias: false), forKey: key)
        case .dropout(let p): try object.encode(p, forKey: key)
        case .relu, .tanh, .sigmoid, .flatten: try object.encode(Empty(), forKey: key)
        case .image(let c, let h, let w): try object.encode([c, h, w], forKey: key)
        case .conv2d(let out, let kernel, let stride, let padding, let bias):
            let settings = ConvSettings(
                out: out, kernel: kernel, stride: stride, padding: padding, bias: bias ? nil : false)
            try object.encode(settings, forKey: key)
        case .maxPool(let kernel, let stride), .avgPool(let kernel, let stride):
            if stride == kernel {
                try object.encode(kernel, forKey: key)
            } else {
                try object.encode(PoolSettings(kernel: kernel, stride: stride), forKey: key)
            }
        }
    }
}
