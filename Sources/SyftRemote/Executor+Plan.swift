import SyftCore

extension Executor {
    /// The most requests one plan may hold.
    static let maxPlanRequests = 1 << 16

    /// Checks and stores a plan (Note [Plans]): requests that need no answer and define or run no plan,
    /// distinct inputs that no request writes to, and outputs it can name.
    mutating func definePlan(
        _ id: ObjectID, inputs: [ObjectID], outputs: [ObjectID], requests: [Request],
        _ store: inout ObjectStore
    ) throws(SyftError) {
        func invalid(_ reason: String) -> SyftError { .invalidCommand(op: "define_plan", reason: reason) }
        if let existing = store.plans[id], existing.owner != client {
            throw .permissionDenied(
                id: id, worker: workerID, reason: "the id is taken by another client's plan")
        }
        guard requests.count <= Self.maxPlanRequests else {
            throw invalid("\(requests.count) requests; a plan holds at most \(Self.maxPlanRequests)")
        }
        let inputSet = Set(inputs)
        guard inputSet.count == inputs.count else { throw invalid("repeated input ids") }
        var created = Set<ObjectID>()
        var bytes = 0
        for (i, r) in requests.enumerated() {
            bytes += r.carriedBytes
            switch r {
            case .definePlan, .runPlan: throw invalid("request \(i) (\(r.name)) defines or runs a plan")
            default: if r.isWaiting { throw invalid("request \(i) (\(r.name)) waits for an answer") }
            }
            let written = r.writtenIDs
            if !inputSet.isDisjoint(with: written) {
                throw invalid("request \(i) (\(r.name)) writes to an input of the plan")
            }
            created.formUnion(r.createdIDs)
        }
        try checkLimits(newBytes: bytes - (store.plans[id]?.bytes ?? 0), store)
        store.insertPlan(
            id,
            StoredPlan(
                owner: client, inputs: inputs, outputs: outputs, requests: requests, created: created,
                bytes: bytes))
    }

    /// Runs a plan with `arguments` bound to its inputs, once or once per block of `batchSize` rows
    /// (outputs summed), and stores the outputs under `results` (Note [Plans]).
    mutating func runPlan(
        _ id: ObjectID, arguments: [ObjectID], results: [ObjectID], batchSize: Int, _ store: inout ObjectStore
    ) throws(SyftError) {
        func invalid(_ reason: String) -> SyftError { .invalidCommand(op: "run_plan", reason: reason) }
        guard let plan = store.plans[id] else { throw .objectNotFound(id: id, worker: workerID) }
        guard plan.owner == client else {
            throw .permissionDenied(id: id, worker: workerID, reason: "the plan belongs to another client")
        }
        guard arguments.count == plan.inputs.count else {
            throw invalid("the plan takes \(plan.inputs.count) inputs, got \(arguments.count)")
        }
        guard results.count == plan.outputs.count, Set(results).count == results.count else {
            throw invalid(
                "the plan has \(plan.outputs.count) outputs; \(results.count) distinct result ids are needed")
        }
        for r in results { try checkFree(r, store) }
        var args: [StoredObject] = []
        for a in arguments { args.append(try usable(a, store)) }
        defer { bindings = [:] }
        var values: [Tensor] = []
        if batchSize <= 0 {
            try runOnce(plan, args, &store)
            for o in plan.outputs { values.append(try takeOutput(o, of: plan, &store)) }
        } else {
            let rows = args.map { $0.tensor.shape.first ?? 0 }
            guard let n = rows.first, n > 0, rows.allSatisfy({ $0 == n }) else {
                throw invalid("batched arguments need the same positive number of rows, got \(rows)")
            }
            var sums: [Tensor] = []
            for start in stride(from: 0, to: n, by: batchSize) {
                let end = Swift.min(n, start + batchSize)
                try runOnce(plan, args.map { $0.holding($0.tensor[start..<end]) }, &store)
                for (i, o) in plan.outputs.enumerated() {
                    let t = try takeOutput(o, of: plan, &store).detached()
                    if i == sums.count {
                        sums.append(t)
                    } else if sums[i].shape == t.shape && sums[i].dtype == t.dtype {
                        sums[i] = withoutGradient { sums[i] + t }
                    } else {
                        throw invalid(
                            "output \(i) has shape \(t.shape) in the batch at row \(start) but \(sums[i].shape) before; outputs of different shapes cannot be summed"
                        )
                    }
                }
            }
            values = sums
        }
        var newBytes = 0
        for v in values { newBytes += v.byteCountIfLocal }
        try checkLimits(newBytes: newBytes, store)
        for (r, v) in zip(results, values) {
            if let old = store.insert(r, clientObject(v)) { released.append(old) }
        }
    }

    /// One run of `plan`'s requests with its inputs bound to `args`.
    private mutating func runOnce(
        _ plan: StoredPlan, _ args: [StoredObject], _ store: inout ObjectStore
    )
        throws(SyftError)
    {
        bindings = Dictionary(uniqueKeysWithValues: zip(plan.inputs, args))
        for r in plan.requests { _ = try run(r, &store) }
    }

    /// The tensor of output `id` after a run; an object the run created leaves the store (it moves to the
    /// run's result).
    private mutating func takeOutput(
        _ id: ObjectID, of plan: StoredPlan, _ store: inout ObjectStore
    )
        throws(SyftError) -> Tensor
    {
        let tensor = try usable(id, store).tensor
        if plan.created.contains(id), let removed = store.remove(id) { released.append(removed) }
        return tensor
    }
}

extension Request {
    /// The bytes of the tensors the request carries (sent objects, values among a command's operands).
    var carriedBytes: Int {
        func bytes(_ o: Operand?) -> Int {
            if case .value(let t)? = o { return t.byteCountIfLocal }
            return 0
        }
        switch self {
        case .object(_, .tensor(let p), _, _):
            return p.tensor.byteCountIfLocal + (p.grad?.byteCountIfLocal ?? 0)
        case .command(_, let operands, _, _, _): return operands.reduce(0) { $0 + bytes($1) }
        case .backward(_, let gradient, _, _): return bytes(gradient)
        default: return 0
        }
    }

    /// The ids of the objects this request creates anew (a plan's intermediates).
    var createdIDs: [ObjectID] {
        switch self {
        case .object(let id, _, _, _): return [id]
        case .command(_, _, let results, false, _): return results
        case .detach(_, let result): return [result]
        case .gradients(_, let results): return results
        default: return []
        }
    }

    /// The ids of the objects this request stores, replaces or changes.
    var writtenIDs: [ObjectID] {
        switch self {
        case .command(_, _, let results, _, _): return results
        case .setRequiresGrad(let id, _), .remoteGet(let id): return [id]
        case .update(_, let params, let state): return params + state
        case .zeroGrad(let ids): return ids
        default: return createdIDs
        }
    }
}
