// Note [Gradient tapes]
// A plan's run knows its program before it starts, so it need not build a graph to differentiate it
// (SyftRemote, Note [A plan's backward on a tape]). Its forward runs with recording off, and each
// operation an input that requires grad reaches is written on a tape: the operation, its inputs, the
// outputs its derivative reads, and where each input's gradient goes (a leaf's gradient slot or an
// earlier entry's output). The backward walks the tape from the loss's entry down to the first,
// through the same derivatives (`Op.vjp`) and the same checks and sums as the graph's walk (Note [The
// backward walk]), in the same order (an entry is written after the entries of its inputs, as a node is
// created after its inputs' nodes), so it gives the graph's gradients to the bit. What it saves per
// operation is the graph's bookkeeping: no node, no metadata object per output, no reachability walk and
// sort, and no binding of the gradient mode per backward.

/// Where the gradient of a tape's value goes (Note [Gradient tapes]).
package enum GradientSource {
    /// The value does not require grad.
    case none
    /// A leaf that requires grad: its gradient slot.
    case leaf(AutogradMeta)
    /// Output `output` of the tape's entry `entry`.
    case entry(Int, output: Int)

    /// The source of `tensor` outside any tape: its leaf slot, or none; nil for a tensor produced by a
    /// recorded operation (a graph the tape cannot reach into).
    package init?(_ tensor: Tensor) {
        guard let meta = tensor.autograd else {
            self = .none
            return
        }
        guard meta.isLeaf else { return nil }
        self = .leaf(meta)
    }

    package var requiresGrad: Bool {
        if case .none = self { return false }
        return true
    }
}

/// Operations written for a backward without a graph (Note [Gradient tapes]).
package struct GradientTape {
    private struct Entry {
        let op: Op
        let inputs: [Tensor]
        let outputs: [Tensor]
        let sources: [GradientSource]
    }
    private var entries: [Entry] = []

    package init() {}

    /// Writes `op`, run on `inputs` (from `sources`) with `outputs`, when the graph would record it: it is
    /// differentiable, has a floating-point output, and an input requires grad. Returns the source of
    /// each output (none for outputs that are not floating-point, and for all when nothing is written).
    package mutating func write(
        _ op: Op, inputs: [Tensor], sources: [GradientSource], outputs: [Tensor]
    ) -> [GradientSource] {
        guard op.isDifferentiable, sources.contains(where: \.requiresGrad),
            outputs.contains(where: { $0.dtype.isFloatingPoint })
        else { return outputs.map { _ in .none } }
        let index = entries.count
        entries.append(
            Entry(
                op: op, inputs: inputs, outputs: op.derivativeReadsOutputs ? outputs : [], sources: sources))
        return outputs.indices.map { outputs[$0].dtype.isFloatingPoint ? .entry(index, output: $0) : .none }
    }

    /// Adds the gradient of `loss` (one element; its source is `source`) to the gradient slots of the
    /// leaves it reaches, then empties the tape (as a backward that does not retain the graph).
    ///
    /// - Throws: ``AutogradError`` as `Tensor.backward` does: the loss does not require grad, or has more
    ///   than one element.
    package mutating func backward(of loss: Tensor, from source: GradientSource) throws(AutogradError) {
        defer { entries.removeAll(keepingCapacity: true) }
        guard loss.count == 1 else { throw AutogradError.nonScalarNeedsGradient(shape: loss.shape) }
        let seed = implicitSeed(loss)
        switch source {
        case .none: throw AutogradError.doesNotRequireGrad(shape: loss.shape)
        case .leaf(let meta): meta.accumulate(seed)
        case .entry(let last, let output):
            withoutGradient { walk(from: last, output: output, seed: seed) }
        }
    }

    private func walk(from last: Int, output: Int, seed: Tensor) {
        var pending = [[Tensor?]?](repeating: nil, count: last + 1)
        var rootGrads = [Tensor?](repeating: nil, count: entries[last].op.outputCount)
        rootGrads[output] = seed
        pending[last] = rootGrads
        for position in stride(from: last, through: 0, by: -1) {
            guard let outGrads = pending[position], outGrads.contains(where: { $0 != nil }) else { continue }
            pending[position] = nil
            let entry = entries[position]
            let inputGrads = inputGradients(
                entry.op, grads: outGrads, inputs: entry.inputs, outputs: entry.outputs,
                needs: GradientMask(sources: entry.sources))
            for (i, source) in entry.sources.enumerated() {
                guard source.requiresGrad, let raw = inputGrads[i] else { continue }
                let g = checkedGradient(raw, for: entry.inputs[i], op: entry.op, index: i)
                switch source {
                case .none: break
                case .leaf(let meta): meta.accumulate(g)
                case .entry(let next, let k):
                    addPending(g, to: &pending, at: next, output: k, of: entries[next].op)
                }
            }
        }
    }
}
