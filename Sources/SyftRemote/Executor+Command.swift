import SyftCore

extension Executor {
    /// Validates and runs a command: operands usable, result ids free, the shape rule, in-place rules and
    /// limits checked before the kernel runs, under the client's gradient mode.
    mutating func command(
        _ op: Op, _ operands: [Operand], results: [ObjectID], inPlace: Bool, gradEnabled: Bool,
        _ store: inout ObjectStore
    ) throws(SyftError) {
        if let n = op.arity, operands.count != n {
            throw .invalidCommand(op: op.name, reason: "expects \(n) operands, got \(operands.count)")
        }
        if operands.isEmpty { throw .invalidCommand(op: op.name, reason: "expects at least one operand") }
        var inputs: [Tensor] = []
        inputs.reserveCapacity(operands.count)
        for o in operands { inputs.append(try resolve(o, store)) }
        let metas: [TensorMeta]
        do {
            metas = try op.inferOutputs(inputs.map(\.meta))
        } catch {
            throw .invalidCommand(op: op.name, reason: error.message)
        }
        var newBytes = 0
        for m in metas { newBytes += m.count * m.dtype.byteSize }
        if inPlace {
            guard case .object(let target)? = operands.first, results == [target] else {
                throw .invalidCommand(
                    op: op.name, reason: "an in-place command must name its first operand as its result")
            }
            let others = Array(inputs.dropFirst())
            if let failure = withGradientMode(gradEnabled, { inputs[0].inPlaceError(op, others) }) {
                throw .invalidCommand(op: op.name, reason: failure.message)
            }
            try checkLimits(newBytes: newBytes, store)
            // The store's copy is then the only one, so the kernel writes into the buffer without copying it.
            inputs.removeAll()
            let failed: LinalgError?? = store.modifyTensor(target) { t in
                withGradientMode(gradEnabled) {
                    do throws(LinalgError) {
                        try t.tryApplyInPlace(op, others)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            if case .some(.some(let failed)) = failed {
                throw .computationFailed(op: op.name, reason: failed.description)
            }
            return
        }
        guard results.count == op.outputCount else {
            throw .invalidCommand(
                op: op.name,
                reason: "has \(op.outputCount) outputs but \(results.count) result ids were given")
        }
        if results.count > 1 && Set(results).count != results.count {
            throw .invalidCommand(op: op.name, reason: "repeated result id")
        }
        for r in results { try checkFree(r, store) }
        try checkLimits(newBytes: newBytes, store)
        let run: Result<[Tensor], LinalgError> = withGradientMode(gradEnabled) {
            do throws(LinalgError) { return .success(try tryDispatch(op, inputs, outputs: metas)) } catch {
                return .failure(error)
            }
        }
        switch run {
        case .success(let outputs):
            for (r, t) in zip(results, outputs) {
                if let old = store.insert(r, clientObject(t)) { released.append(old) }
            }
        case .failure(let e):
            throw .computationFailed(op: op.name, reason: e.description)
        }
    }
}

/// Runs `body` with autograd recording on or off, changing the task-local mode only when it differs.
func withGradientMode<R>(_ enabled: Bool, _ body: () -> R) -> R {
    if GradientMode.isEnabled == enabled { return body() }
    return GradientMode.$isEnabled.withValue(enabled, operation: body)
}
