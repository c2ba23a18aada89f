import Foundation
import SyftCore
import SyftNN

// Note [The model as a list of layers]
// A job's model is a list of layers applied in order (a `Sequential`). In JSON each layer is an object
// with one key, its kind, whose value holds its settings: `{"linear": 64}` (or
// `{"linear": {"out": 64, "bias": false}}`), `{"relu": {}}`, `{"tanh": {}}`, `{"sigmoid": {}}`,
// `{"dropout": 0.1}`, `{"flatten": {}}`, `{"image": [1, 8, 8]}`,
// `{"conv2d": {"out": 8, "kernel": 3, "stride": 1, "padding": 1}}`, `{"maxpool": 2}` (or
// `{"maxpool": {"kernel": 3, "stride": 2}}`) and `{"avgpool": 2}`; a bare string `"relu"` is the same
// layer. The compact form of `--model` is the same list separated by commas, each layer in its compact
// form: `64,relu,dropout:0.1,32,tanh` (a number is a linear layer of that many outputs), and for images
// `image:1x8x8,conv8k3p1,relu,maxpool2,flatten,10`, where `conv<out>k<kernel>[s<stride>][p<padding>]` is
// a convolution (`conv8k3p1:nobias` without bias) and `maxpool<kernel>[s<stride>]` (likewise `avgpool`)
// a pooling whose stride defaults to its kernel.
//
// Sizes of inputs are never written: each layer takes what the layer before it gives, starting from the
// data set's features, flat. `image:CxHxW` views each row's features as an image of C channels of H×W
// (`Unflatten`; C·H·W must be the number of features); convolutions and poolings need an image and give
// one (their output sizes follow PyTorch's formulas), and a linear layer after them takes the image
// flattened: a `flatten` is inserted before it if the list lacks one, and the resolved model (the run's
// `config.json` and the checkpoint) lists it. If the list does not end with a linear layer, one sized
// for the task (the classes, or one value) is appended, so `64,relu` is an MLP with one hidden layer for
// any data set; a list that ends with a linear layer must give what the task needs. A layer that does
// not fit what it gets (a kernel larger than its input, an image of the wrong size) is one error naming
// the layer and the shapes (LayerSpec+Model.swift). New layer kinds are a case here, in the compact
// parser, in LayerSpec+JSON.swift, in `resolve` and `build` (LayerSpec+Model.swift) and, if they have
// parameters, in `PerExampleGradients.swift`.

/// One layer of a job's model (Note [The model as a list of layers]).
///
/// ```swift
/// let mlp = try LayerSpec.parseList("64,relu,dropout:0.1")
/// // [.linear(out: 64, bias: true), .relu, .dropout(p: 0.1)]
/// let cnn = try LayerSpec.parseList("image:1x8x8,conv8k3p1,relu,maxpool2,flatten,10")
/// // [.image(channels: 1, height: 8, width: 8), .conv2d(out: 8, kernel: 3, stride: 1, padding: 1),
/// //  .relu, .maxPool(kernel: 2, stride: 2), .flatten, .linear(out: 10)]
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
    /// `Unflatten(1, [C, H, W])`: each example's features as an image of `channels` planes of
    /// `height` × `width` (channel-major, row by row, as PyTorch's `view`).
    case image(channels: Int, height: Int, width: Int)
    /// `Conv2d(in, out, kernelSize: kernel, stride: stride, padding: padding)`, square; `in` is the
    /// channels of the image the layer before gives.
    case conv2d(out: Int, kernel: Int, stride: Int = 1, padding: Int = 0, bias: Bool = true)
    /// `MaxPool2d(kernelSize: kernel, stride: stride)`, square windows.
    case maxPool(kernel: Int, stride: Int)
    /// `AvgPool2d(kernelSize: kernel, stride: stride)`, square windows.
    case avgPool(kernel: Int, stride: Int)

    /// The kinds a job's model can use, as written in JSON.
    public static let kinds = [
        "linear", "relu", "tanh", "sigmoid", "dropout", "flatten", "image", "conv2d", "maxpool", "avgpool",
    ]

    /// The largest kernel, stride, padding, channel count or image side a layer may have.
    static let maximumSize = 1 << 20

    /// The layer in the compact form (`64`, `relu`, `dropout:0.1`, `64:nobias`, `image:1x8x8`,
    /// `conv8k3p1`, `maxpool2`, `avgpool3s2`).
    public var description: String {
        switch self {
        case .linear(let out, let bias): return bias ? "\(out)" : "\(out):nobias"
        case .relu: return "relu"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .dropout(let p): return "dropout:\(p)"
        case .flatten: return "flatten"
        case .image(let c, let h, let w): return "image:\(c)x\(h)x\(w)"
        case .conv2d(let out, let kernel, let stride, let padding, let bias):
            return "conv\(out)k\(kernel)" + (stride == 1 ? "" : "s\(stride)")
                + (padding == 0 ? "" : "p\(padding)") + (bias ? "" : ":nobias")
        case .maxPool(let kernel, let stride):
            return "maxpool\(kernel)" + (stride == kernel ? "" : "s\(stride)")
        case .avgPool(let kernel, let stride):
            return "avgpool\(kernel)" + (stride == kernel ? "" : "s\(stride)")
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
        if name.hasPrefix("conv") || name.hasPrefix("maxpool") || name.hasPrefix("avgpool") {
            return try checked(
                try parseWindowed(name, argument: argument, token: token, field: field), field: field)
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
        case ("image", let size?):
            guard let layer = image(size) else {
                throw .config(field: field, problem: "'\(token)': expected image:CxHxW, such as image:1x8x8")
            }
            return try checked(layer, field: field)
        case ("image", nil):
            throw .config(field: field, problem: "'image' needs its size: image:CxHxW, such as image:1x8x8")
        case ("relu", _), ("tanh", _), ("sigmoid", _), ("flatten", _):
            throw .config(field: field, problem: "'\(token)': \(name) takes no setting")
        default:
            throw .config(
                field: field,
                problem:
                    "unknown layer '\(token)' (use a number for a linear layer, or relu, tanh, sigmoid, dropout[:p], "
                    + "flatten, image:CxHxW, conv<out>k<kernel>[s<stride>][p<padding>], maxpool<k>[s<stride>], "
                    + "avgpool<k>[s<stride>])")
        }
    }

    /// `image:CxHxW`'s size, `1x8x8`.
    static func image(_ size: String) -> LayerSpec? {
        let sides = size.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard sides.count == 3, let c = sides[0], let h = sides[1], let w = sides[2] else { return nil }
        return .image(channels: c, height: h, width: w)
    }

    /// `conv8k3s2p1[:nobias]`, `maxpool3s2`, `avgpool2`: a name, a leading number and letter-number pairs.
    private static func parseWindowed(
        _ name: String, argument: String?, token: String, field: String
    ) throws(JobError) -> LayerSpec {
        let isConv = name.hasPrefix("conv")
        let kind = isConv ? "conv" : String(name.prefix(7))
        let form =
            isConv
            ? "conv<out>k<kernel>[s<stride>][p<padding>], such as conv8k3p1"
            : "\(kind)<kernel>[s<stride>], such as \(kind)2 or \(kind)3s2"
        guard let parsed = numberAndPairs(name.dropFirst(kind.count)),
            Set(parsed.pairs.keys).isSubset(of: isConv ? ["k", "s", "p"] : ["s"])
        else {
            throw .config(field: field, problem: "'\(token)': expected \(form)")
        }
        let (lead, pairs) = parsed
        switch (isConv, argument) {
        case (true, nil), (true, "nobias"):
            guard let kernel = pairs["k"] else {
                throw .config(field: field, problem: "'\(token)': a convolution needs its kernel: \(form)")
            }
            return .conv2d(
                out: lead, kernel: kernel, stride: pairs["s"] ?? 1, padding: pairs["p"] ?? 0,
                bias: argument == nil)
        case (true, _):
            throw .config(field: field, problem: "'\(token)': a convolution takes only ':nobias'")
        case (false, nil):
            let stride = pairs["s"] ?? lead
            return kind == "maxpool"
                ? .maxPool(kernel: lead, stride: stride) : .avgPool(kernel: lead, stride: stride)
        case (false, _):
            throw .config(field: field, problem: "'\(token)': \(kind) takes no ':' setting; write \(form)")
        }
    }

    /// `8k3s2p1` → (8, [k: 3, s: 2, p: 1]); nil unless the text is a number and then distinct letters
    /// each followed by a number.
    private static func numberAndPairs(_ text: Substring) -> (lead: Int, pairs: [Character: Int])? {
        var rest = text
        func number() -> Int? {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(digits.count)
            return Int(digits)
        }
        guard let lead = number() else { return nil }
        var pairs: [Character: Int] = [:]
        while let letter = rest.first {
            rest = rest.dropFirst()
            guard pairs[letter] == nil, let value = number() else { return nil }
            pairs[letter] = value
        }
        return (lead, pairs)
    }

    /// The layer after checking its settings.
    static func checked(_ layer: LayerSpec, field: String) throws(JobError) -> LayerSpec {
        func check(_ value: Int, _ what: String, atLeast minimum: Int) throws(JobError) {
            guard value >= minimum else {
                throw .config(
                    field: field,
                    problem: "\(layer.kindName) \(what) must be at least \(minimum), got \(value)")
            }
            guard value <= maximumSize else {
                throw .config(
                    field: field,
                    problem: "\(layer.kindName) \(what) must be at most \(maximumSize), got \(value)")
            }
        }
        switch layer {
        case .linear(let out, _) where out < 1:
            throw .config(field: field, problem: "a linear layer needs at least 1 output, got \(out)")
        case .dropout(let p) where !(p >= 0 && p < 1):
            throw .config(field: field, problem: "dropout probability must be in [0, 1), got \(p)")
        case .image(let c, let h, let w):
            try check(c, "channels", atLeast: 1)
            try check(h, "height", atLeast: 1)
            try check(w, "width", atLeast: 1)
        case .conv2d(let out, let kernel, let stride, let padding, _):
            try check(out, "output channels", atLeast: 1)
            try check(kernel, "kernel", atLeast: 1)
            try check(stride, "stride", atLeast: 1)
            try check(padding, "padding", atLeast: 0)
        case .maxPool(let kernel, let stride), .avgPool(let kernel, let stride):
            try check(kernel, "kernel", atLeast: 1)
            try check(stride, "stride", atLeast: 1)
        default: break
        }
        return layer
    }

    /// The layer's kind as written in JSON (`linear`, `conv2d`, `maxpool`, ...).
    var kindName: String {
        switch self {
        case .linear: return "linear"
        case .relu: return "relu"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .dropout: return "dropout"
        case .flatten: return "flatten"
        case .image: return "image"
        case .conv2d: return "conv2d"
        case .maxPool: return "maxpool"
        case .avgPool: return "avgpool"
        }
    }
}
