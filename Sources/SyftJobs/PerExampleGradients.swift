import SyftCore
import SyftNN
import SyftRemote

// Note [Per-example gradients in one pass]
// The gradient of example i's loss with respect to a linear layer's weight is the outer product of the
// gradient at the layer's output, g_i = ∂ℓ_i/∂z_i, and the layer's input a_i: ∂ℓ_i/∂W = g_iᵀ a_i
// (summed over any positions between the batch and feature axes), and ∂ℓ_i/∂b = g_i. So one forward and
// one backward pass over the batch give every example's gradient, if the pass keeps each linear layer's
// input and the gradient at its output (Goodfellow, 2015; Opacus's grad samplers do the same with
// hooks). The input is kept from the forward pass; the output gradient is caught by adding a zero
// "probe" leaf to the layer's output (z = x·Wᵀ + b + probe, so ∂L/∂probe = ∂L/∂z) and backpropagating
// the *sum* of the per-example losses, which makes row i of ∂L/∂z example i's own gradient. The
// products are then one batched matmul per layer: [N, out, T] × [N, T, in] → [N, out, in]. Parameters
// enter the pass detached, so nothing accumulates in the model's own gradients. The same code runs
// where the data is: on a remote batch the probes are sent next to it and every step runs on the worker.
//
// A convolution is the same product over patches: out[n, o, l] = Σ_j w[o, j] · U[n, j, l] + b[o], where
// U = unfold(x) [N, C·kH·kW, L] holds the input window of output position l (im2col), so
// ∂ℓ_n/∂w = g_n [O, L] · U_nᵀ [L, C·kH·kW] and ∂ℓ_n/∂b = Σ_l g_n[·, l]. With groups, channel group k's
// output rows meet only its own rows of U: one matmul [N, G, O/G, L] × [N, G, L, C/G·kH·kW]. The weight
// gradient is then reshaped to [N, O, C/G, kH, kW]. Layers without parameters (activations, dropout,
// flatten, pooling, unflatten) are applied as they are; another layer kind with parameters needs its own
// rule here.

/// Every example's gradient of its own loss, for each parameter of a model, from one batched pass.
///
/// ```swift
/// let pe = try PerExampleGradients(model, features: x, targets: y, task: .classify)
/// pe.names           // ["0.weight", "0.bias", "2.weight", "2.bias"]
/// pe.gradients[0]    // [N, 64, 64]: example i's ∂ℓᵢ/∂W of the first layer
///
/// let cnn = try LayerSpec.build(LayerSpec.parseList("image:1x8x8,conv8k3p1,relu,maxpool2,10"),
///                               inputs: 64, generator: Generator(seed: 0))
/// try PerExampleGradients(cnn, features: x, targets: y, task: .classify).gradients[0].shape
/// // [N, 8, 1, 3, 3]: example i's gradient of the convolution's filters
/// ```
/// The mean over examples is the gradient of the mean loss (what `backward` gives for the batch).
public struct PerExampleGradients {
    /// The parameters' `state_dict` names, in the model's order.
    public var names: [String]
    /// One tensor per parameter: [N, parameter shape...].
    public var gradients: [Tensor]
    /// Each example's loss [N].
    public var losses: Tensor

    /// Computes the per-example gradients of `model` (a `Sequential` of layers with rules: `Linear`,
    /// `Conv2d`, and layers without parameters) on a batch.
    /// - Throws: ``JobError/config(field:problem:file:)`` for a layer with parameters and no per-example
    ///   rule; the worker's error for remote data.
    public init(_ model: Sequential, features x: Tensor, targets y: Tensor, task: Task) throws {
        let names = Dictionary(
            model.namedParameters().map { (ObjectIdentifier($0.1), $0.0) }, uniquingKeysWith: { a, _ in a })
        var records: [(layer: LayerWithRule, input: Tensor, probe: Tensor)] = []
        var h = x
        for layer in model.layers {
            let rule: LayerWithRule
            let z: Tensor
            if let linear = layer as? Linear {
                rule = .linear(linear)
                z = SyftCore.linear(
                    h, weight: linear.weight.detached(), bias: linear.hasBias ? linear.bias.detached() : nil)
            } else if let conv = layer as? Conv2d {
                rule = .conv2d(conv)
                z = conv2d(
                    h, conv.weight.detached(), bias: conv.hasBias ? conv.bias.detached() : nil,
                    stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups)
            } else if layer.parameters().isEmpty {
                h = layer(h)
                continue
            } else {
                throw JobError.config(
                    field: "model",
                    problem:
                        "per-example gradients have no rule for \(type(of: layer)) yet (Linear, Conv2d and layers without parameters have)"
                )
            }
            var probe = Tensor.zeros(z.shape, dtype: z.dtype)
            probe.requiresGrad = true
            if let worker = x.location { probe = try probe.send(to: worker) }
            records.append((rule, h.detached(), probe))
            h = z + probe
        }
        let losses = perExampleLosses(h, y, task: task)
        try losses.sum().backward()
        var byName: [String: Tensor] = [:]
        for (rule, input, probe) in records {
            guard let g = probe.grad else { continue }
            let (weight, bias) = withoutGradient { rule.gradients(input: input, outputGradient: g) }
            let (weightParameter, biasParameter) = rule.parameters
            byName[names[ObjectIdentifier(weightParameter)]!] = weight
            if let biasParameter, let bias { byName[names[ObjectIdentifier(biasParameter)]!] = bias }
        }
        self.names = model.namedParameters().map(\.0)
        self.gradients = self.names.map { byName[$0]! }
        self.losses = losses.detached()
    }

    /// Each example's gradient norm over all parameters together [N] (what DP-SGD clips).
    public var norms: Tensor {
        withoutGradient {
            var total: Tensor?
            for g in gradients {
                let squares = (g * g).reshaped(to: [g.shape[0], -1]).sum(squeezingAxes: 1)
                total = total.map { $0 + squares } ?? squares
            }
            return total!.sqrt()
        }
    }

    /// The DP-SGD step as Opacus computes it: each example's gradient scaled to norm at most
    /// `maxGradNorm` (factor `min(1, C / (‖gᵢ‖ + 1e-6))`), summed, plus Gaussian noise of standard
    /// deviation `noiseMultiplier · maxGradNorm` drawn from `generator` (one draw per parameter, in
    /// order), divided by the batch size.
    ///
    /// ```swift
    /// let step = pe.privatized(maxGradNorm: 1.0, noiseMultiplier: 1.1, generator: Generator(seed: 0))
    /// ```
    /// - Returns: the gradients (parameter shapes, local) and how many examples were clipped.
    public func privatized(
        maxGradNorm: Double, noiseMultiplier: Double, generator: Generator
    ) throws -> (
        gradients: [Tensor], clipped: Int
    ) {
        let norms = self.norms
        let n = losses.shape[0]
        return try withoutGradient {
            let factor = (maxGradNorm / (norms + 1e-6)).clamp(max: 1)
            let clipped = try (factor .< 1).to(.int64).sum().localValue().item()
            var out: [Tensor] = []
            for g in gradients {
                let scale = factor.reshaped(to: [n] + Array(repeating: 1, count: g.rank - 1))
                let sum = try (g * scale).sum(squeezingAxes: 0).localValue()
                let noise =
                    Tensor.randn(sum.shape, dtype: sum.dtype, generator: generator)
                    * (noiseMultiplier * maxGradNorm)
                out.append((sum + noise) / Double(n))
            }
            return (out, Int(clipped))
        }
    }
}

/// A layer with a per-example rule (Note [Per-example gradients in one pass]).
private enum LayerWithRule {
    case linear(Linear)
    case conv2d(Conv2d)

    /// The weight and (if any) bias parameters.
    var parameters: (weight: Parameter, bias: Parameter?) {
        switch self {
        case .linear(let l): return (l.$weight, l.hasBias ? l.$bias : nil)
        case .conv2d(let c): return (c.$weight, c.hasBias ? c.$bias : nil)
        }
    }

    /// Every example's weight and bias gradients from the layer's input and output gradient:
    /// - linear, input [N, ..., in] and gradient [N, ..., out]: [N, out, in] and [N, out];
    /// - conv2d, input [N, C, H, W] and gradient [N, O, OH, OW]: [N, O, C/groups, kH, kW] and [N, O],
    ///   through the unfolded input.
    func gradients(input: Tensor, outputGradient g: Tensor) -> (weight: Tensor, bias: Tensor?) {
        let n = input.shape[0]
        switch self {
        case .linear(let l):
            let a3 = input.reshaped(to: [n, -1, input.shape[input.rank - 1]])
            let g3 = g.reshaped(to: [n, -1, g.shape[g.rank - 1]])
            return (matmul(g3.transposed(1, 2), a3), l.hasBias ? g3.sum(squeezingAxes: 1) : nil)
        case .conv2d(let c):
            let patches = unfold(
                input, kernelSize: c.kernelSize, stride: c.stride, padding: c.padding, dilation: c.dilation)
            let positions = patches.shape[2]
            let g4 = g.reshaped(to: [n, c.groups, c.outChannels / c.groups, positions])
            let u4 = patches.reshaped(to: [n, c.groups, -1, positions])
            let weight = matmul(g4, u4.transposed(2, 3)).reshaped(to: [n] + c.weight.shape)
            let g3 = g.reshaped(to: [n, c.outChannels, positions])
            return (weight, c.hasBias ? g3.sum(squeezingAxes: 2) : nil)
        }
    }
}

/// Each example's loss [N]: cross entropy, or the squared error averaged over the example's outputs.
func perExampleLosses(_ output: Tensor, _ target: Tensor, task: Task) -> Tensor {
    switch task {
    case .classify: return crossEntropy(output, target, reduction: .none)
    case .regress:
        let squares = mseLoss(output, target, reduction: .none)
        return squares.reshaped(to: [squares.shape[0], -1]).mean(squeezingAxes: 1)
    }
}

extension Tensor {
    /// The tensor here: itself when local, its data fetched when a pointer.
    func localValue() throws -> Tensor { isPointer ? try get() : self }
}
