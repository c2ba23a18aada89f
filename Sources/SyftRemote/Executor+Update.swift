import SyftCore
import SyftNN

extension Executor {
    /// Runs an optimizer step on this worker's parameters (Note [Optimizer steps where the parameters
    /// are]): validated first (ids usable, state ids free or this client's, shapes), then `rule` applied
    /// to each parameter that has a gradient, its state kept under the client's ids.
    mutating func update(
        _ rule: ParameterUpdate, params: [ObjectID], state: [ObjectID], _ store: inout ObjectStore
    ) throws(SyftError) {
        let per = rule.stateCount
        guard state.count == params.count * per else {
            throw .invalidCommand(
                op: rule.name, reason: "\(state.count) state ids for \(params.count) parameters (\(per) each)"
            )
        }
        // Parameters distinct, state ids distinct, and the two disjoint: all ids distinct (one set).
        guard Set(params + state).count == params.count + state.count else {
            throw .invalidCommand(op: rule.name, reason: "repeated object ids")
        }
        try validate(rule)
        var newBytes = 0
        var targets: [(index: Int, grad: Tensor, state: [Tensor?])] = []
        for (i, id) in params.enumerated() {
            let object = try usable(id, store)
            guard object.owner == client else {
                throw .permissionDenied(
                    id: id, worker: workerID, reason: "only the client that sent a parameter may update it")
            }
            let p = object.tensor
            guard p.isLocal, p.dtype.isFloatingPoint else {
                throw .invalidCommand(
                    op: rule.name, reason: "object \(id) is not a floating-point tensor here")
            }
            guard let g = p.grad else { continue }  // as the local optimizer: no gradient, no step
            var s: [Tensor?] = []
            for sid in state[(i * per)..<((i + 1) * per)] {
                try checkFree(sid, store)
                let existing = store[sid]?.tensor
                if let e = existing, e.shape != p.shape && e.rank != 0 {
                    throw .invalidCommand(
                        op: rule.name,
                        reason: "state object \(sid) has shape \(e.shape), the parameter \(p.shape)")
                }
                s.append(existing)
            }
            // Each new tensor within the size limit, all of them within the memory budget.
            try checkLimits(newBytes: p.count * p.dtype.byteSize, store)
            newBytes += p.count * p.dtype.byteSize * (per + 1)
            targets.append((i, g, s))
        }
        if store.bytes + frame.bytes + newBytes > runtime.limits.memoryBudget {
            throw .resourceExhausted(
                worker: workerID,
                reason:
                    "the step's \(newBytes) bytes would exceed the memory budget of \(runtime.limits.memoryBudget) bytes"
            )
        }
        // One scope without recording for all the parameters (each rule's own is then free).
        withoutGradient {
            for var target in targets {
                // In place in the store: the parameter's buffer is not copied.
                store.modifyTensor(params[target.index]) {
                    rule.apply(to: &$0, grad: target.grad, state: &target.state)
                }
                for (k, t) in target.state.enumerated() {
                    guard let t else { continue }
                    store.insert(
                        state[target.index * per + k],
                        clientObject(t))
                }
            }
        }
    }

    /// Rejects settings the rule's math cannot take (a worker never computes on nonsense).
    private func validate(_ rule: ParameterUpdate) throws(SyftError) {
        let values: [Double]
        switch rule {
        case .sgd(let lr, let momentum, let dampening, let weightDecay, _):
            values = [lr, momentum, dampening, weightDecay]
        case .adam(let lr, let b1, let b2, let eps, let wd, _):
            values = [lr, b1, b2, eps, wd]
            guard b1 >= 0, b1 < 1, b2 >= 0, b2 < 1, eps > 0 else {
                throw .invalidCommand(op: rule.name, reason: "betas must be in [0, 1) and eps positive")
            }
        }
        guard values.allSatisfy({ $0.isFinite }) else {
            throw .invalidCommand(op: rule.name, reason: "settings must be finite numbers")
        }
    }
}
