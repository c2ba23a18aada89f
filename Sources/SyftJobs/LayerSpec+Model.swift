import SyftCore
import SyftNN

// From a list of layers to a model (Note [The model as a list of layers]): `resolve` follows what each
// layer gives, inserts the flattens a linear layer needs after images and checks every layer against
// its input; `build` makes the modules; `completed` appends the output layer.

/// What one example carries between layers: flat features, or an image of C channels of H×W.
enum FeatureShape: Equatable, Sendable, CustomStringConvertible {
    case flat(Int)
    case image(channels: Int, height: Int, width: Int)

    /// The number of values.
    var count: Int {
        switch self {
        case .flat(let n): return n
        case .image(let c, let h, let w): return c * h * w
        }
    }

    /// `[8, 4, 4]` for an image, `[64]` for features.
    var description: String {
        switch self {
        case .flat(let n): return "[\(n)]"
        case .image(let c, let h, let w): return "[\(c), \(h), \(w)]"
        }
    }
}

/// A model's layers with the flattens it needs inserted, and what each layer gets and gives.
struct ResolvedModel: Equatable, Sendable {
    var layers: [LayerSpec]
    /// The input, then each layer's output (one more than `layers`).
    var shapes: [FeatureShape]
}

extension LayerSpec {
    /// The most parameters one layer may have (a bigger layer is a mistake, not a model).
    static let maximumParameters = 1 << 28

    /// Follows `layers` from `inputs` flat features: inserts a flatten before a linear layer that gets an
    /// image, and checks that each layer fits what it gets.
    /// - Throws: ``JobError/config(field:problem:file:)`` naming the layer (`model[3]`, its index in
    ///   `layers`) and the shapes: a convolution or pooling without an image, a kernel larger than its
    ///   input, an image whose size is not the number of features.
    static func resolve(
        _ layers: [LayerSpec], inputs: Int, field: String = "model"
    ) throws(JobError) -> ResolvedModel {
        var shape = FeatureShape.flat(inputs)
        var resolved = ResolvedModel(layers: [], shapes: [shape])
        func append(_ layer: LayerSpec, _ next: FeatureShape) {
            resolved.layers.append(layer)
            resolved.shapes.append(next)
            shape = next
        }
        for (i, layer) in layers.enumerated() {
            func fail(_ problem: String) -> JobError {
                .config(field: "\(field)[\(i)]", problem: "\(layer) \(problem)")
            }
            func needsImage() -> JobError {
                let n = shape.count
                let side = Int(Double(n).squareRoot().rounded())
                let hint = side * side == n ? " (such as image:1x\(side)x\(side) for \(n) features)" : ""
                return fail("needs an image, but gets \(n) flat features; put image:CxHxW before it\(hint)")
            }
            func checkParameters(_ count: (partialValue: Int, overflow: Bool)) throws(JobError) {
                guard !count.overflow && count.partialValue <= maximumParameters else {
                    throw fail("would have more than \(maximumParameters) parameters (it gets \(shape))")
                }
            }
            switch layer {
            case .linear(let out, _):
                if case .image = shape { append(.flatten, .flat(shape.count)) }
                try checkParameters(shape.count.multipliedReportingOverflow(by: out))
                append(layer, .flat(out))
            case .relu, .tanh, .sigmoid, .dropout:
                append(layer, shape)
            case .flatten:
                append(layer, .flat(shape.count))
            case .image(let c, let h, let w):
                guard case .flat(let n) = shape else {
                    throw fail("needs flat features, but gets an image \(shape); put flatten before it")
                }
                guard c * h * w == n else {
                    throw fail("holds \(c * h * w) values per example, but gets \(n) features")
                }
                append(layer, .image(channels: c, height: h, width: w))
            case .conv2d(let out, let k, let s, let p, _):
                guard case .image(let c, let h, let w) = shape else { throw needsImage() }
                let (paddedH, paddedW) = (h + 2 * p, w + 2 * p)
                guard paddedH >= k && paddedW >= k else {
                    let padded = p == 0 ? "" : " (\(paddedH)×\(paddedW) with its padding)"
                    throw fail(
                        "does not fit: its kernel \(k)×\(k) is larger than its input \(shape)\(padded)")
                }
                try checkParameters((out * c).multipliedReportingOverflow(by: k * k))
                append(
                    layer, .image(channels: out, height: (paddedH - k) / s + 1, width: (paddedW - k) / s + 1))
            case .maxPool(let k, let s), .avgPool(let k, let s):
                guard case .image(let c, let h, let w) = shape else { throw needsImage() }
                guard h >= k && w >= k else {
                    throw fail("does not fit: its window \(k)×\(k) is larger than its input \(shape)")
                }
                append(layer, .image(channels: c, height: (h - k) / s + 1, width: (w - k) / s + 1))
            }
        }
        return resolved
    }

    /// The model the layers describe, for `inputs` features, initialized from `generator` (layer by
    /// layer, as PyTorch's defaults); a linear layer after an image gets a `Flatten` before it.
    ///
    /// ```swift
    /// let mlp = try LayerSpec.build([.linear(out: 64), .relu, .linear(out: 10)], inputs: 64, generator: Generator(seed: 0))
    /// let cnn = try LayerSpec.build(LayerSpec.parseList("image:1x8x8,conv8k3p1,relu,maxpool2,10"),
    ///                               inputs: 64, generator: Generator(seed: 0))
    /// // Sequential(Unflatten, Conv2d(1, 8), ReLU, MaxPool2d, Flatten, Linear(128, 10))
    /// ```
    /// - Throws: ``JobError/config(field:problem:file:)`` when a layer does not fit what it gets
    ///   (a convolution or pooling without an image, a kernel larger than its input, an image whose
    ///   size is not the number of features).
    public static func build(
        _ layers: [LayerSpec], inputs: Int, generator: Generator
    ) throws(JobError) -> Sequential {
        let resolved = try resolve(layers, inputs: inputs)
        var modules: [any Layer] = []
        for (layer, shape) in zip(resolved.layers, resolved.shapes) {
            switch layer {
            case .linear(let out, let bias):
                modules.append(Linear(shape.count, out, bias: bias, generator: generator))
            case .relu: modules.append(ReLU())
            case .tanh: modules.append(Tanh())
            case .sigmoid: modules.append(Sigmoid())
            case .dropout(let p): modules.append(Dropout(p: p))
            case .flatten: modules.append(Flatten())
            case .image(let c, let h, let w): modules.append(Unflatten([c, h, w]))
            case .conv2d(let out, let k, let s, let p, let bias):
                guard case .image(let channels, _, _) = shape else {
                    preconditionFailure("resolve checks that a convolution gets an image")
                }
                modules.append(
                    Conv2d(
                        channels, out, kernelSize: k, stride: s, padding: p, bias: bias, generator: generator)
                )
            case .maxPool(let k, let s): modules.append(MaxPool2d(kernelSize: k, stride: s))
            case .avgPool(let k, let s): modules.append(AvgPool2d(kernelSize: k, stride: s))
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

    /// `64 → image:1x8x8 [1, 8, 8] → conv8k3p1 [8, 8, 8] → relu → maxpool2 [8, 4, 4] → flatten [128] → 10`:
    /// the model in one line, with the shape after each layer that changes it (a linear layer's is its
    /// number).
    static func summary(_ model: ResolvedModel) -> String {
        var parts = ["\(model.shapes[0].count)"]
        for (layer, shape) in zip(model.layers, model.shapes.dropFirst()) {
            switch layer {
            case .image, .conv2d, .maxPool, .avgPool, .flatten: parts.append("\(layer) \(shape)")
            case .linear, .relu, .tanh, .sigmoid, .dropout: parts.append(layer.description)
            }
        }
        return parts.joined(separator: " → ")
    }
}
