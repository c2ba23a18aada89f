import Synchronization

// Note [The backward walk]
// PyTorch's engine in a few dozen lines: collect the nodes reachable from the root with an explicit
// stack (no recursion, so a 100 000-node chain cannot overflow the stack), run them in decreasing
// creation order (a topological order, and deterministic), sum the gradients reaching each node's
// outputs, check every gradient a derivative returns against its input's shape and dtype (summing a
// broadcast gradient back to the input's shape), deposit leaf gradients in their slots, and release each
// node's saved tensors unless the graph is retained.

extension Tensor {
    /// Whether operations on this tensor are recorded for autograd.
    ///
    /// Setting it on a local leaf turns recording on or off (as PyTorch's `requires_grad_()`); only
    /// floating-point tensors can require grad.
    public var requiresGrad: Bool {
        get {
            if case .remote(let h) = storage { return h.requiresGrad }
            return autograd != nil
        }
        set {
            if case .remote(let h) = storage {
                self = h.settingRequiresGrad(newValue, on: self)
                return
            }
            if newValue {
                precondition(
                    dtype.isFloatingPoint,
                    "requiresGrad: only floating-point tensors can require gradients, got \(dtype.rawValue)")
                if autograd == nil { autograd = AutogradMeta() }
            } else {
                precondition(
                    autograd?.isLeaf ?? true,
                    "requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()")
                autograd = nil
            }
        }
    }

    /// Whether the tensor is a leaf of the autograd graph: it was not produced by a recorded operation.
    public var isLeaf: Bool { autograd?.isLeaf ?? true }

    /// The gradient accumulated by ``backward(gradient:retainGraph:)``, or nil.
    ///
    /// Only leaves that require grad (and non-leaves after ``retainGrad()``) keep a gradient, as in
    /// PyTorch. For a remote tensor this asks the worker and returns a pointer to the gradient (nil when
    /// there is none); the gradient stays on the worker.
    public var grad: Tensor? {
        get {
            if case .remote(let h) = storage { return try? h.gradient() }
            return autograd?.grad
        }
        nonmutating set {
            precondition(isLocal, "grad: cannot assign the gradient of a remote tensor")
            if let newValue {
                precondition(
                    newValue.shape == shape && newValue.dtype == dtype,
                    "grad: assigned gradient of shape \(shapeString(newValue.shape)) \(newValue.dtype.rawValue) "
                        + "does not match tensor of shape \(shapeString(shape)) \(dtype.rawValue)")
            }
            guard let meta = autograd else {
                precondition(newValue == nil, "grad: the tensor does not require grad")
                return
            }
            meta.grad = newValue.map { $0.detached() }
        }
    }

    /// Clears the gradient (sets it to nil, as PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        if case .remote(let h) = storage {
            h.zeroGrad()
        } else {
            autograd?.grad = nil
        }
    }

    /// Keeps the gradient of this non-leaf tensor after backward (PyTorch's `retain_grad()`).
    public func retainGrad() {
        guard let meta = autograd else {
            preconditionFailure("retainGrad: the tensor does not require grad")
        }
        if let fn = meta.gradFn { fn.retainGrad(output: meta.outputIndex, meta: meta) }
    }

    /// A tensor with the same data that does not take part in autograd (shares storage).
    public func detached() -> Tensor {
        if case .remote(let h) = storage { return h.detached(self) }
        var t = self
        t.autograd = nil
        return t
    }

    /// Computes the gradient of this tensor with respect to the leaves that require grad, and adds it to
    /// their ``grad``.
    ///
    /// ```swift
    /// let x = Tensor([1.0, 2.0], requiresGrad: true)
    /// try (x * x).sum().backward()
    /// x.grad   // tensor([2., 4.])
    /// ```
    /// - Parameters:
    ///   - gradient: the gradient of some scalar with respect to this tensor; may be omitted only when
    ///     this tensor has one element (it defaults to 1).
    ///   - retainGraph: keep the graph so backward can run through it again.
    /// - Throws: ``AutogradError`` when the tensor does not require grad, the gradient is missing or of the
    ///   wrong shape, or the graph was already freed by an earlier backward (as PyTorch raises); for a
    ///   remote tensor, the worker's error (`SyftError`).
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) throws {
        try backward(gradient: gradient, retainGraph: retainGraph, wait: true)
    }

    /// Computes gradients as ``backward(gradient:retainGraph:)``; for a remote tensor with `wait` false,
    /// the backward is queued with the commands before it and runs on the worker without a round trip,
    /// as a training loop wants: a failure surfaces at the next call that waits (`get`, `grad`,
    /// `synchronize`, a waiting backward). A local tensor's backward always runs at once.
    ///
    /// ```swift
    /// for batch in batches {                          // on bob: no round trip per batch
    ///     opt.zeroGrad()
    ///     try crossEntropy(model(batch.x), batch.y).backward(wait: false)
    ///     try opt.step()
    /// }
    /// try bob.synchronize()                           // any failure is reported here
    /// ```
    /// - Throws: as ``backward(gradient:retainGraph:)``; for a remote tensor without waiting, only what the
    ///   client can tell without the worker (a pointer already fetched, say).
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false, wait: Bool) throws {
        if case .remote(let h) = storage {
            try h.backward(gradient: gradient, retainGraph: retainGraph, wait: wait)
            return
        }
        guard let meta = autograd else { throw AutogradError.doesNotRequireGrad(shape: shape) }
        let seed: Tensor
        if let gradient {
            guard gradient.isLocal else { throw AutogradError.gradientNotLocal }
            guard gradient.shape == shape else {
                throw AutogradError.gradientShapeMismatch(gradient: gradient.shape, tensor: shape)
            }
            seed = gradient.detached().converted(to: dtype)
        } else {
            guard count == 1 else { throw AutogradError.nonScalarNeedsGradient(shape: shape) }
            seed = implicitSeed(self)
        }
        try withoutGradient { try runBackward(from: meta, seed: seed, retainGraph: retainGraph) }
    }
}

/// The gradients of `tensors` (nil where there is none), with one round trip per worker for remote
/// tensors instead of one per tensor: what optimizers use.
///
/// ```swift
/// let grads = try gradients(of: model.parameters().map(\.value))
/// ```
public func gradients(of tensors: [Tensor]) throws -> [Tensor?] {
    var out = tensors.map { $0.isLocal ? $0.grad : nil }
    for group in groupPositions(tensors, by: { $0.remoteHandle.map { ObjectIdentifier($0.placement) } }) {
        let grads = try tensors[group[0]].remoteHandle!.gradients(of: group.map { tensors[$0] })
        for (i, g) in zip(group, grads) { out[i] = g }
    }
    return out
}

/// Why backward cannot run (PyTorch raises a RuntimeError for each).
public enum AutogradError: Error, Equatable, CustomStringConvertible {
    case doesNotRequireGrad(shape: [Int])
    case nonScalarNeedsGradient(shape: [Int])
    case gradientShapeMismatch(gradient: [Int], tensor: [Int])
    case gradientNotLocal
    case graphFreed(op: String)

    public var description: String {
        switch self {
        case .doesNotRequireGrad(let s):
            return "backward: the tensor of shape \(shapeString(s)) does not require grad and has no grad_fn"
        case .nonScalarNeedsGradient(let s):
            return
                "backward: grad can be implicitly created only for scalar outputs, got shape \(shapeString(s)); "
                + "pass gradient:"
        case .gradientShapeMismatch(let g, let t):
            return
                "backward: gradient of shape \(shapeString(g)) does not match the tensor's shape \(shapeString(t))"
        case .gradientNotLocal:
            return "backward: the gradient of a local tensor must be local"
        case .graphFreed(let op):
            return "backward: trying to backward through the graph a second time (through \(op)); the saved "
                + "tensors were freed after the first backward; pass retainGraph: true to it"
        }
    }
}

private let backwardWalks = Atomic<Int>(0)

/// The implicit gradient of a scalar loss, 1, made once per dtype: tensors are values, so every backward
/// can share it (a slot that stores it copies it before adding into it, as for any shared buffer).
private let unitSeed32 = Tensor.full([], 1, dtype: .float32)
private let unitSeed64 = Tensor.full([], 1, dtype: .float64)

/// The gradient a one-element `loss` starts its backward with when none is given: 1, of its shape and dtype.
func implicitSeed(_ loss: Tensor) -> Tensor {
    guard loss.shape.isEmpty else { return Tensor.full(loss.shape, 1, dtype: loss.dtype) }
    switch loss.dtype {
    case .float32: return unitSeed32
    case .float64: return unitSeed64
    default: return Tensor.full([], 1, dtype: loss.dtype)
    }
}

private func runBackward(from root: AutogradMeta, seed: Tensor, retainGraph: Bool) throws(AutogradError) {
    guard let rootNode = root.gradFn else {
        root.accumulate(seed)
        return
    }
    // Collect the reachable nodes without recursion, marking each with this walk's number (no Set).
    let walk = backwardWalks.add(1, ordering: .relaxed).newValue
    var nodes: [GradNode] = []
    var stack = [rootNode]
    rootNode.visit.store(walk, ordering: .relaxed)
    while let node = stack.popLast() {
        nodes.append(node)
        for case .node(let next, _)? in node.edges where next.visit.exchange(walk, ordering: .relaxed) != walk
        {
            stack.append(next)
        }
    }
    if nodes.count > 1 { nodes.sort { $0.sequence > $1.sequence } }
    for (i, node) in nodes.enumerated() { node.slot = i }

    // The gradients reaching each node's outputs, by the node's position in the walk.
    var pending = [[Tensor?]?](repeating: nil, count: nodes.count)
    var rootGrads = [Tensor?](repeating: nil, count: rootNode.op.outputCount)
    rootGrads[root.outputIndex] = seed
    pending[0] = rootGrads

    for (position, node) in nodes.enumerated() {
        guard let outGrads = pending[position], outGrads.contains(where: { $0 != nil }) else { continue }
        pending[position] = nil
        if node.isReleased { throw AutogradError.graphFreed(op: node.op.name) }
        for (i, g) in outGrads.enumerated() {
            if let g, let meta = node.retainedMeta(output: i) { meta.accumulate(g) }
        }
        let inputs = node.savedInputs
        let inputGrads = inputGradients(
            node.op, grads: outGrads, inputs: inputs, outputs: node.savedOutputs, needs: node.needs)
        for (i, edge) in node.edges.enumerated() {
            guard let edge, let raw = inputGrads[i] else { continue }
            let g = checkedGradient(raw, for: inputs[i], op: node.op, index: i)
            switch edge {
            case .leaf(let meta):
                meta.accumulate(g)
            case .node(let next, let k):
                addPending(g, to: &pending, at: next.slot, output: k, of: next.op)
            }
        }
        if !retainGraph { node.release() }
    }
}

/// The gradients `op`'s derivative gives its inputs, one per input (checked), for the gradients `grads`
/// of its outputs. Shared by the graph's walk and a tape's (Note [Gradient tapes]).
func inputGradients(
    _ op: Op, grads: [Tensor?], inputs: [Tensor], outputs: [Tensor], needs: GradientMask
) -> [Tensor?] {
    let inputGrads = op.vjp(grads: grads, inputs: inputs, outputs: outputs, needs: needs)
    precondition(
        inputGrads.count == inputs.count,
        "backward: the derivative of \(op.name) returned \(inputGrads.count) gradients for \(inputs.count) inputs"
    )
    return inputGrads
}

/// Adds `g` to the gradient pending for output `k` of the node (or tape entry) at `position` of a
/// backward walk, whose operation is `op`: updated where it is, so a second gradient to the same output
/// does not copy the slot.
func addPending(_ g: Tensor, to pending: inout [[Tensor?]?], at position: Int, output k: Int, of op: Op) {
    if pending[position] == nil { pending[position] = [Tensor?](repeating: nil, count: op.outputCount) }
    if let earlier = pending[position]![k] {
        pending[position]![k] = earlier + g
    } else {
        pending[position]![k] = g
    }
}

/// Checks a gradient returned by a derivative against its input (PyTorch's `validate_outputs`): sums a
/// broadcast gradient back to the input's shape and converts its dtype; stops, naming the operation and
/// the input, when the shapes cannot match.
func checkedGradient(_ g: Tensor, for input: Tensor, op: Op, index: Int) -> Tensor {
    var g = g
    if g.shape != input.shape {
        precondition(
            broadcastShapes(input.shape, g.shape) == g.shape,
            "backward: the derivative of \(op.name) returned a gradient of shape \(shapeString(g.shape)) for "
                + "input \(index) of shape \(shapeString(input.shape))")
        g = g.sumToShape(input.shape)
    }
    if g.dtype != input.dtype { g = g.to(input.dtype) }
    return g
}
