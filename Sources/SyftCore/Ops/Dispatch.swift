// Note [The one dispatch point]
// Every operation on tensors, from every free function, operator and method, ends in `dispatch`:
//   - an operand is remote: the first remote operand's handle runs the command where its data is (and
//     reports operands on another worker, or local ones, as an error naming both places);
//   - all operands local: the shape rule checks the inputs (stopping with its message on a programmer
//     error), the kernel runs, and, when an operand requires grad and recording is on, one node is
//     recorded for autograd.
// Only the linear-algebra kernels can fail on the values of valid inputs; `tryDispatch` returns that
// error and `dispatch` stops with it (Note [Linear-algebra errors]).

/// Runs `op` on `inputs`, wherever they are, and returns its outputs.
func dispatch(_ op: Op, _ inputs: [Tensor]) -> [Tensor] {
    do {
        return try tryDispatch(op, inputs)
    } catch {
        preconditionFailure(error.description)
    }
}

/// Runs `op` on `inputs` as `dispatch` does, but hands a kernel's error on data (a singular matrix, see
/// Note [Linear-algebra errors]) back to the caller instead of stopping. Shape and dtype errors still
/// stop: they are programmer errors, and a worker checks a command with `inferOutputs` before running it.
package func tryDispatch(
    _ op: Op, _ inputs: [Tensor], outputs known: [TensorMeta]? = nil
) throws(LinalgError) -> [Tensor] {
    for t in inputs {
        if case .remote(let handle) = t.storage { return handle.execute(op, inputs) }
    }
    if inputs.count == 2, let fast = op.fastBinary(inputs[0], inputs[1]) {
        return [recordingFast(op, fast, inputs)]
    }
    let metas: [TensorMeta]
    if let known {
        metas = known
    } else {
        do {
            metas = try op.inferOutputs(inputs.map(\.meta))
        } catch {
            preconditionFailure(error.description)
        }
    }
    var outputs = try op.forward(inputs, outputs: metas)
    if inputs.contains(where: { $0.autograd != nil }) && GradientMode.isEnabled {
        record(op, inputs: inputs, outputs: &outputs)
    }
    return outputs
}

/// Runs a one-output operation.
func dispatch1(_ op: Op, _ inputs: Tensor...) -> Tensor { dispatch(op, inputs)[0] }

/// Records the autograd node of `op` and marks the floating-point outputs as requiring grad.
///
/// Runs for every recorded operation, so it copies as little as it can: the node keeps the inputs array
/// as it is (Note [Autograd graph ownership]), saves the outputs only for a derivative that reads them,
/// and builds its other arrays at their final size.
func record(_ op: Op, inputs: [Tensor], outputs: inout [Tensor]) {
    guard op.isDifferentiable, outputs.contains(where: { $0.dtype.isFloatingPoint }) else { return }
    var edges: [GradNode.Edge?] = []
    edges.reserveCapacity(inputs.count)
    for t in inputs {
        if let meta = t.autograd {
            edges.append(meta.gradFn.map { .node($0, outputIndex: meta.outputIndex) } ?? .leaf(meta))
        } else {
            edges.append(nil)
        }
    }
    var savedOutputs: [Tensor] = []
    if op.derivativeReadsOutputs {
        savedOutputs.reserveCapacity(outputs.count)
        for t in outputs { savedOutputs.append(t.detached()) }
    }
    let node = GradNode(op: op, edges: edges, inputs: inputs, outputs: savedOutputs)
    for i in outputs.indices where outputs[i].dtype.isFloatingPoint {
        outputs[i].autograd = AutogradMeta(gradFn: node, outputIndex: i)
    }
}

extension Tensor {
    /// Applies `op` to `self` and `others` and stores the result in `self`, keeping its identity: the
    /// same remote object for a pointer, the same gradient slot for a leaf updated without recording
    /// (an optimizer step). Used by the compound assignment operators (`+=`, ...).
    ///
    /// - Precondition: the result has `self`'s shape and can be stored in `self`'s dtype; `self` is not a
    ///   leaf that requires grad while recording is on (as PyTorch).
    mutating func applyInPlace(_ op: Op, _ others: [Tensor]) {
        do {
            try tryApplyInPlace(op, others)
        } catch {
            preconditionFailure(error.description)
        }
    }

    /// `applyInPlace`, handing a kernel's error on data back (see `tryDispatch`).
    package mutating func tryApplyInPlace(_ op: Op, _ others: [Tensor]) throws(LinalgError) {
        if case .remote(let handle) = storage {
            self = handle.executeInPlace(op, [self] + others)
            return
        }
        for t in others {
            if case .remote(let handle) = t.storage {
                self = handle.executeInPlace(op, [self] + others)
                return
            }
        }
        let recording = GradientMode.isEnabled
        if let meta = autograd, meta.isLeaf, recording {
            preconditionFailure(
                "\(op.name)_: a leaf tensor that requires grad is being used in an in-place operation; "
                    + "use withoutGradient { } or an out-of-place operation")
        }
        // Nothing to record and the buffer is this tensor's alone: update it where it is.
        if others.count == 1, !recording || (autograd == nil && others[0].autograd == nil),
            updateInPlace(op, others[0])
        {
            return
        }
        var result = try tryDispatch(op, [self] + others)[0]
        precondition(
            result.shape == shape,
            "\(op.name)_: output with shape \(shapeString(shape)) doesn't match the broadcast shape "
                + "\(shapeString(result.shape))")
        if result.dtype != dtype {
            precondition(
                result.dtype.rank <= dtype.rank || dtype.isFloatingPoint,
                "\(op.name)_: result type \(result.dtype.rawValue) can't be cast to the desired output type "
                    + "\(dtype.rawValue)")
            let meta = result.autograd
            result = result.converted(to: dtype)
            result.autograd = meta
        }
        if result.autograd == nil { result.autograd = autograd }
        self = result
    }
}

/// Runs `op` on `inputs` through the one dispatch point.
///
/// ```swift
/// apply(.add, to: [Tensor([1, 2]), Tensor([3, 4])])   // [tensor([4, 6])]
/// ```
/// - Precondition: the inputs satisfy the operation's shape rule (``Op/inferOutputs(_:)``).
public func apply(_ op: Op, to inputs: [Tensor]) -> [Tensor] { dispatch(op, inputs) }

extension Tensor {
    /// Applies `op` in place (see the compound assignment operators).
    /// - Precondition: ``inPlaceError(_:_:)`` is nil for these operands.
    public mutating func apply(inPlace op: Op, _ others: [Tensor]) { applyInPlace(op, others) }

    /// Why `op` cannot run in place on `self` with `others` (nil when it can), without running it.
    public func inPlaceError(_ op: Op, _ others: [Tensor]) -> OpError? {
        let outputs: [TensorMeta]
        do {
            outputs = try op.inferOutputs([meta] + others.map(\.meta))
        } catch {
            return error
        }
        guard op.outputCount == 1, let out = outputs.first else {
            return OpError(op: op.name, "has several outputs and cannot run in place")
        }
        if out.shape != shape {
            return OpError(
                op: op.name,
                "output with shape \(shapeString(shape)) doesn't match the broadcast shape "
                    + "\(shapeString(out.shape))")
        }
        if out.dtype != dtype && !(out.dtype.rank <= dtype.rank || dtype.isFloatingPoint) {
            return OpError(
                op: op.name, "result type \(out.dtype.rawValue) can't be cast to \(dtype.rawValue) in place")
        }
        if isLocal, let meta = autograd, meta.isLeaf, GradientMode.isEnabled {
            return OpError(
                op: op.name, "a leaf tensor that requires grad is being used in an in-place operation")
        }
        return nil
    }
}
