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
        for o in operands { inputs.append(try resolve(o, store)) }
        let metas: [TensorMeta]
        do {
            metas = try op.inferOutputs(inputs.map(\.meta))
        } catch {
            throw .invalidCommand(op: op.name, reason: error.message)
        }
        let newBytes = metas.reduce(0) { $0 + $1.count * $1.dtype.byteSize }
        if inPlace {
            guard case .object(let target)? = operands.first, results == [target] else {
                throw .invalidCommand(op: op.name, reason: "an in-place command must name its first operand as its result")
            }
            var t = inputs[0]
            let failure: OpError? = GradientMode.$isEnabled.withValue(gradEnabled) { t.inPlaceError(op, Array(inputs.dropFirst())) }
            if let failure { throw .invalidCommand(op: op.name, reason: failure.message) }
            try checkLimits(newBytes: newBytes, store)
            let failed: LinalgError? = GradientMode.$isEnabled.withValue(gradEnabled) {
                do throws(LinalgError) {
                    try t.tryApplyInPlace(op, Array(inputs.dropFirst()))
                    return nil
                } catch {
                    return error
                }
            }
            if let failed { throw .computationFailed(op: op.name, reason: failed.description) }
            store.update(target, tensor: t)
            return
        }
        guard results.count == op.outputCount else {
            throw .invalidCommand(op: op.name, reason: "has \(op.outputCount) outputs but \(results.count) result ids were given")
        }
        guard Set(results).count == results.count else {
            throw .invalidCommand(op: op.name, reason: "repeated result id")
        }
        for r in results { try checkFree(r, store) }
        try checkLimits(newBytes: newBytes, store)
        let run: Result<[Tensor], LinalgError> = GradientMode.$isEnabled.withValue(gradEnabled) {
            do throws(LinalgError) { return .success(try tryDispatch(op, inputs)) } catch { return .failure(error) }
        }
        let outputs: [Tensor]
        switch run {
        case .success(let o): outputs = o
        case .failure(let e): throw .computationFailed(op: op.name, reason: e.description)
        }
        for (r, t) in zip(results, outputs) {
            if let old = store[r] { released.append(old) }
            store.insert(r, StoredObject(tensor: t, tags: [], description: "", owner: client, shared: false, allowGet: true, sequence: 0))
        }
    }
}
