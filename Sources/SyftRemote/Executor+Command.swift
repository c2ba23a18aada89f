import SyftCore

extension Executor {
    /// Validates and runs a command: operands usable, result ids free, the shape rule, in-place rules and
    /// limits checked before the kernel runs, under the client's gradient mode.
    mutating func command(
        _ op: Op, _ operands: [Operand], results: [ObjectID], inPlace: Bool, gradEnabled: Bool,
        _ store: inout ObjectStore
    ) throws(SyftError) {
        try Self.checkOperands(op, count: operands.count)
        var inputs: [Tensor] = []
        inputs.reserveCapacity(operands.count)
        for o in operands { inputs.append(try resolve(o, store)) }
        if inPlace {
            guard case .object(let target)? = operands.first, results == [target] else {
                throw .invalidCommand(
                    op: op.name, reason: "an in-place command must name its first operand as its result")
            }
            let others = try checkInPlace(op, &inputs, gradEnabled: gradEnabled, store)
            // The store's copy is then the only one, so the kernel writes into the buffer without copying it.
            let failed: LinalgError?? = store.modifyTensor(target) { t in
                Self.applyInPlace(op, to: &t, others, gradEnabled: gradEnabled)
            }
            if case .some(.some(let failed)) = failed {
                throw .computationFailed(op: op.name, reason: failed.description)
            }
            return
        }
        try Self.checkResults(op, results)
        for r in results { try checkFree(r, store) }
        let outputs = try compute(op, inputs, gradEnabled: gradEnabled, store)
        for (r, t) in zip(results, outputs) {
            if let old = store.insert(r, clientObject(t)) { released.append(old) }
        }
    }

    /// The operand count `op` takes.
    static func checkOperands(_ op: Op, count: Int) throws(SyftError) {
        if let n = op.arity, count != n {
            throw .invalidCommand(op: op.name, reason: "expects \(n) operands, got \(count)")
        }
        if count == 0 { throw .invalidCommand(op: op.name, reason: "expects at least one operand") }
    }

    /// One distinct result id per output of `op`.
    static func checkResults(_ op: Op, _ results: [ObjectID]) throws(SyftError) {
        guard results.count == op.outputCount else {
            throw .invalidCommand(
                op: op.name,
                reason: "has \(op.outputCount) outputs but \(results.count) result ids were given")
        }
        if results.count > 1 && Set(results).count != results.count {
            throw .invalidCommand(op: op.name, reason: "repeated result id")
        }
    }

    /// The outputs of `op` on `inputs`: its shape rule (or its outputs' `metas`, known already) and the
    /// limits checked before the kernel runs.
    func compute(
        _ op: Op, _ inputs: [Tensor], gradEnabled: Bool, _ store: ObjectStore,
        metas known: [TensorMeta]? = nil
    ) throws(SyftError) -> [Tensor] {
        let metas: [TensorMeta]
        if let known { metas = known } else { metas = try outputMetas(op, inputs) }
        var newBytes = 0
        for m in metas { newBytes += m.count * m.dtype.byteSize }
        try checkLimits(newBytes: newBytes, store)
        let run: Result<[Tensor], LinalgError> = withGradientMode(gradEnabled) {
            do throws(LinalgError) { return .success(try tryDispatch(op, inputs, outputs: metas)) } catch {
                return .failure(error)
            }
        }
        switch run {
        case .success(let outputs): return outputs
        case .failure(let e): throw .computationFailed(op: op.name, reason: e.description)
        }
    }

    /// Checks that `op` may run in place on `inputs[0]` with the others (the shape rule, the in-place
    /// rules, the limits) and returns the others; `inputs` is emptied, so that the target's holder has the
    /// only copy of it and the kernel writes into its buffer.
    func checkInPlace(
        _ op: Op, _ inputs: inout [Tensor], gradEnabled: Bool, _ store: ObjectStore
    )
        throws(SyftError) -> [Tensor]
    {
        let metas = try outputMetas(op, inputs)
        var newBytes = 0
        for m in metas { newBytes += m.count * m.dtype.byteSize }
        let others = Array(inputs.dropFirst())
        if let failure = withGradientMode(gradEnabled, { inputs[0].inPlaceError(op, others) }) {
            throw .invalidCommand(op: op.name, reason: failure.message)
        }
        try checkLimits(newBytes: newBytes, store)
        inputs.removeAll()
        return others
    }

    /// Runs `op` in place on `target` (checked by ``checkInPlace(_:_:gradEnabled:_:)``); the kernel's
    /// failure, if any.
    static func applyInPlace(
        _ op: Op, to target: inout Tensor, _ others: [Tensor], gradEnabled: Bool
    )
        -> LinalgError?
    {
        withGradientMode(gradEnabled) {
            do throws(LinalgError) {
                try target.tryApplyInPlace(op, others)
                return nil
            } catch {
                return error
            }
        }
    }

    private func outputMetas(_ op: Op, _ inputs: [Tensor]) throws(SyftError) -> [TensorMeta] {
        do {
            return try op.inferOutputs(inputs.map(\.meta))
        } catch {
            throw .invalidCommand(op: op.name, reason: error.message)
        }
    }
}

/// Runs `body` with autograd recording on or off, changing the task-local mode only when it differs.
func withGradientMode<R>(_ enabled: Bool, _ body: () -> R) -> R {
    if GradientMode.isEnabled == enabled { return body() }
    return GradientMode.$isEnabled.withValue(enabled, operation: body)
}
