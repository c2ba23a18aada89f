import SyftCore
import Synchronization

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
        }
        try checkLimits(newBytes: bytes - (store.plans[id]?.bytes ?? 0), store)
        store.insertPlan(
            id,
            StoredPlan(
                owner: client, inputs: inputs, outputs: outputs, bytes: bytes,
                program: PlanProgram(inputs: inputs, requests: requests)))
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
        defer { frame = PlanFrame() }
        let started = ContinuousClock.now
        let values: [Tensor]
        if plan.program.takesTape(args, outputs: plan.outputs, store) {
            frame.taped = true
            values = try withoutRecording { () throws(SyftError) in
                try runBlocks(plan, args, batchSize: batchSize, &store)
            }
        } else {
            values = try runBlocks(plan, args, batchSize: batchSize, &store)
        }
        plan.program.timing.observe(
            ContinuousClock.now - started, elements: args.reduce(0) { $0 + $1.tensor.count })
        var newBytes = 0
        for v in values { newBytes += v.byteCountIfLocal }
        try checkLimits(newBytes: newBytes, store)
        for (r, v) in zip(results, values) {
            if let old = store.insert(r, clientObject(v)) { released.append(old) }
        }
    }

    /// The outputs of `plan` run on `args`, once or once per block of `batchSize` rows (summed).
    private mutating func runBlocks(
        _ plan: StoredPlan, _ args: [StoredObject], batchSize: Int, _ store: inout ObjectStore
    ) throws(SyftError) -> [Tensor] {
        func invalid(_ reason: String) -> SyftError { .invalidCommand(op: "run_plan", reason: reason) }
        var values: [Tensor] = []
        if batchSize <= 0 {
            try runOnce(plan, args, args.map(\.tensor), &store)
            for o in plan.outputs { values.append(try takeOutput(o, of: plan, store)) }
        } else {
            let rows = args.map { $0.tensor.shape.first ?? 0 }
            guard let n = rows.first, n > 0, rows.allSatisfy({ $0 == n }) else {
                throw invalid("batched arguments need the same positive number of rows, got \(rows)")
            }
            var sums: [Tensor] = []
            for start in stride(from: 0, to: n, by: batchSize) {
                let end = Swift.min(n, start + batchSize)
                try runOnce(plan, args, args.map { Self.rows(start..<end, of: $0.tensor) }, &store)
                for (i, o) in plan.outputs.enumerated() {
                    let t = try takeOutput(o, of: plan, store).detached()
                    if i == sums.count {
                        sums.append(t)
                    } else if sums[i].shape == t.shape && sums[i].dtype == t.dtype {
                        sums[i] += t  // detached: records nothing; into the sum's buffer once it owns it
                    } else {
                        throw invalid(
                            "output \(i) has shape \(t.shape) in the batch at row \(start) but \(sums[i].shape) before; outputs of different shapes cannot be summed"
                        )
                    }
                }
            }
            values = sums
        }
        return values
    }

    /// Rows `range` of `tensor` (a view): the slice a batched run's block reads, without the subscript's
    /// parsing of general indices.
    private static func rows(_ range: Range<Int>, of tensor: Tensor) -> Tensor {
        var ranges = tensor.shape.map { SliceRange(start: 0, end: $0) }
        ranges[0] = SliceRange(start: range.lowerBound, end: range.upperBound)
        return apply(.slice(ranges), to: [tensor])[0]
    }

    /// One run of `plan`'s program with its inputs bound to `inputs` (the tensors of `args`, or blocks of
    /// their rows): what the run creates lives in the run's frame, never in the store (Note [Plan
    /// programs]).
    private mutating func runOnce(
        _ plan: StoredPlan, _ args: [StoredObject], _ inputs: [Tensor], _ store: inout ObjectStore
    )
        throws(SyftError)
    {
        let program = plan.program
        frame.start(program, args: args, inputs: inputs)
        for (index, step) in program.steps.enumerated() {
            switch step {
            case .command(let op, let operands, let results, let gradEnabled):
                var tensors: [Tensor] = []
                tensors.reserveCapacity(operands.count)
                for o in operands { tensors.append(try value(o, store)) }
                let outputs = try compute(
                    op, tensors, gradEnabled: gradEnabled && !frame.taped, store,
                    metas: try program.outputMetas(of: index, op, tensors.map(\.meta)))
                if frame.taped && gradEnabled {
                    var sources: [GradientSource] = []
                    sources.reserveCapacity(operands.count)
                    for (o, t) in zip(operands, tensors) { sources.append(try frame.source(o, of: t)) }
                    let written = frame.tape.write(op, inputs: tensors, sources: sources, outputs: outputs)
                    for (i, slot) in results.enumerated() { frame.set(slot, outputs[i], source: written[i]) }
                } else {
                    for (slot, t) in zip(results, outputs) { frame.set(slot, t) }
                }
            case .inPlace(let op, let operands, let gradEnabled):
                // Operand 0 is the target, a slot of the frame.
                var tensors: [Tensor] = []
                for o in operands { tensors.append(try value(o, store)) }
                guard case .slot(let target) = operands[0] else { preconditionFailure("in-place on a slot") }
                let others = try checkInPlace(op, &tensors, gradEnabled: gradEnabled, store)
                var t = frame.take(target)!
                let failed = Self.applyInPlace(op, to: &t, others, gradEnabled: gradEnabled)
                frame.set(target, t)
                if let failed { throw .computationFailed(op: op.name, reason: failed.description) }
            case .backward(let loss, let gradient, let retainGraph):
                let t = try value(loss, store)
                if frame.taped {
                    // Note [A plan's backward on a tape]: the loss is a slot, the gradient implicit.
                    let source = try frame.source(loss, of: t)
                    do { try frame.tape.backward(of: t, from: source) } catch {
                        throw .computationFailed(op: "backward", reason: "\(error)")
                    }
                    continue
                }
                try Self.backward(
                    t, gradient: gradient.map { g throws(SyftError) in try value(g, store) }, retainGraph)
            case .detach(let source, let result):
                frame.set(result, try value(source, store).detached())
            case .release(let slots):
                for slot in slots { frame.set(slot, nil) }
            case .request(let request, let named):
                try runSpilling(request, named, program, &store)
            }
        }
    }

    /// A request the program runs as it is: the frame's objects it names go into the store for it, and
    /// come back (or leave, if it deleted them) after.
    private mutating func runSpilling(
        _ request: Request, _ named: [Int], _ program: PlanProgram, _ store: inout ObjectStore
    ) throws(SyftError) {
        for slot in named {
            if let object = frame.object(slot, owner: { clientObject($0) }) {
                if let old = store.insert(program.ids[slot], object) { released.append(old) }
            }
        }
        var failure: SyftError?
        do { _ = try run(request, &store) } catch { failure = error }
        for slot in named {
            frame.set(slot, store.remove(program.ids[slot])?.tensor)
        }
        if let failure { throw failure }
    }

    /// The tensor an operand of a program names.
    private func value(_ operand: PlanOperand, _ store: ObjectStore) throws(SyftError) -> Tensor {
        switch operand {
        case .slot(let slot):
            guard let t = frame.values[slot] else {
                throw .objectNotFound(id: frame.ids[slot], worker: workerID)
            }
            return t
        case .stored(let id): return try usable(id, store).tensor
        case .value(let t): return t
        }
    }

    /// The tensor of output `id` after a run: from the run's frame, or (an object the plan reads but did
    /// not create) from the store.
    private func takeOutput(
        _ id: ObjectID, of plan: StoredPlan, _ store: ObjectStore
    ) throws(SyftError) -> Tensor {
        if let slot = plan.program.slots[id] {
            guard let t = frame.values[slot] else { throw .objectNotFound(id: id, worker: workerID) }
            return t
        }
        return try usable(id, store).tensor
    }
}

// Note [Plan programs]
// A plan is prepared when it is defined: each object its run creates, and each input, gets a slot in the
// run's frame, and each request becomes a step on slots. A run then keeps its intermediates in the frame,
// an array, instead of the store: no lookup by id, no stored object made and removed, no check that a
// fresh id is free (no other client can name a slot). The commands, the backward, detaches and the deletes
// of intermediates run on the frame; anything else (a send in the body, an optimizer step, zeroing the
// gradients) runs as the request it is, with the frame's objects it names moved into the store for it and
// back after. The checks are those of the requests: shape rules, in-place rules and the limits, with the
// frame's bytes counted in the memory budget. A command's shape rule runs once per input shape: each step
// keeps the metadata of its last inputs and outputs, and a loop's batches all have one shape. A failed run
// leaves nothing of its frame behind.

/// A plan's requests as steps on the slots of a run's frame (Note [Plan programs]).
struct PlanProgram {
    /// The slot of each input (the first slots, in order) and each object the plan creates.
    let slots: [ObjectID: Int]
    /// The id of each slot.
    let ids: [ObjectID]
    let steps: [PlanStep]
    /// Each command step's last input and output metadata: a loop runs a plan on batches of one shape, so
    /// its shape rules are applied once, not at every run.
    private let knownMetas: MetaMemo
    /// How long its runs take here (Note [Quick batches]).
    let timing = PlanTiming()
    /// Whether a step sends a pointer (which may connect to another worker).
    let sendsPointers: Bool
    /// The step of the one backward of a program whose runs may take a tape (Note [A plan's backward on
    /// a tape]).
    let tapedBackward: Int?

    /// The output metadata of command step `index` of `op` on inputs of `metas`, by its shape rule (once
    /// per input shape).
    func outputMetas(of index: Int, _ op: Op, _ metas: [TensorMeta]) throws(SyftError) -> [TensorMeta] {
        if let known = knownMetas.outputs(of: index, for: metas) { return known }
        let outputs: [TensorMeta]
        do {
            outputs = try op.inferOutputs(metas)
        } catch {
            throw .invalidCommand(op: op.name, reason: error.message)
        }
        knownMetas.keep(outputs, of: index, for: metas)
        return outputs
    }

    init(inputs: [ObjectID], requests: [Request]) {
        var slots: [ObjectID: Int] = [:]
        var ids: [ObjectID] = []
        for id in inputs + requests.flatMap(\.createdIDs) where slots[id] == nil {
            slots[id] = ids.count
            ids.append(id)
        }
        self.slots = slots
        self.ids = ids
        steps = requests.map { Self.step($0, slots) }
        knownMetas = MetaMemo(count: steps.count)
        tapedBackward = Self.tapedBackward(steps)
        sendsPointers = requests.contains { if case .object(_, .pointer, _, _) = $0 { true } else { false } }
    }

    /// The step that runs `request`; a request the frame cannot run (or a malformed one, whose error the
    /// request's own checks give) runs as it is.
    private static func step(_ request: Request, _ slots: [ObjectID: Int]) -> PlanStep {
        func operand(_ o: Operand) -> PlanOperand {
            switch o {
            case .object(let id): return slots[id].map { .slot($0) } ?? .stored(id)
            case .value(let t): return .value(t)
            }
        }
        let asItIs = PlanStep.request(request, named: request.namedIDs.compactMap { slots[$0] })
        switch request {
        case .command(let op, let operands, let results, let inPlace, let gradEnabled):
            guard (try? Executor.checkOperands(op, count: operands.count)) != nil else { return asItIs }
            if !inPlace {
                guard (try? Executor.checkResults(op, results)) != nil else { return asItIs }
                return .command(op, operands.map(operand), results: results.map { slots[$0]! }, gradEnabled)
            }
            // In place on an intermediate; in place on a stored object runs as it is.
            guard case .object(let target) = operands[0], slots[target] != nil, results == [target] else {
                return asItIs
            }
            return .inPlace(op, operands.map(operand), gradEnabled)
        case .backward(let id, let gradient, let retainGraph, false):
            return .backward(operand(.object(id)), gradient: gradient.map(operand), retainGraph: retainGraph)
        case .detach(let id, let result):
            return .detach(operand(.object(id)), result: slots[result]!)
        case .delete(let deleted) where deleted.allSatisfy({ slots[$0] != nil }):
            return .release(deleted.map { slots[$0]! })
        default:
            return asItIs
        }
    }
}

/// The last input and output metadata of each step of a program (shared by its runs).
final class MetaMemo: Sendable {
    private let entries: Mutex<[(inputs: [TensorMeta], outputs: [TensorMeta])?]>

    init(count: Int) { entries = Mutex(Array(repeating: nil, count: count)) }

    func outputs(of index: Int, for inputs: [TensorMeta]) -> [TensorMeta]? {
        entries.withLock { e in e[index].flatMap { $0.inputs == inputs ? $0.outputs : nil } }
    }

    func keep(_ outputs: [TensorMeta], of index: Int, for inputs: [TensorMeta]) {
        entries.withLock { $0[index] = (inputs, outputs) }
    }
}

/// A step of a ``PlanProgram``.
enum PlanStep {
    /// A command whose results are new slots.
    case command(Op, [PlanOperand], results: [Int], Bool)
    /// An in-place command on a slot (operand 0).
    case inPlace(Op, [PlanOperand], Bool)
    /// A pipelined backward.
    case backward(PlanOperand, gradient: PlanOperand?, retainGraph: Bool)
    case detach(PlanOperand, result: Int)
    /// Deletes of intermediates.
    case release([Int])
    /// A request run as it is, with the slots it names.
    case request(Request, named: [Int])
}

/// An operand of a step: a slot of the run's frame, an object of the store, or a value.
enum PlanOperand {
    case slot(Int)
    case stored(ObjectID)
    case value(Tensor)
}

/// The objects of one run of a plan, by slot (Note [Plan programs]), and the bytes of those it created.
struct PlanFrame {
    private(set) var values: [Tensor?] = []
    /// Where each slot's gradient goes, in a run on a tape (Note [A plan's backward on a tape]).
    private(set) var sources: [GradientSource] = []
    /// Whether the run writes a tape instead of building a graph.
    var taped = false
    var tape = GradientTape()
    private(set) var ids: [ObjectID] = []
    /// The arguments, for the inputs' slots (their owner, should a request need them in the store).
    private var args: [StoredObject] = []
    private(set) var bytes = 0

    init() {}

    /// Starts a run of `program` with `inputs` (the tensors of `args`, or blocks of their rows), reusing
    /// the storage of the slots of the run before (the blocks of a batched run).
    mutating func start(_ program: PlanProgram, args: [StoredObject], inputs: [Tensor]) {
        Self.reset(&values, count: program.ids.count, to: nil)
        for (i, t) in inputs.enumerated() { values[i] = t }
        if taped {
            Self.reset(&sources, count: program.ids.count, to: .none)
            // Local leaves or tensors that do not require grad (checked before the run).
            for (i, t) in inputs.enumerated() { sources[i] = GradientSource(t) ?? .none }
        }
        ids = program.ids
        self.args = args
        bytes = 0
    }

    /// Sets `array` to `count` copies of `value`, in its own storage when it has that count already.
    private static func reset<T>(_ array: inout [T], count: Int, to value: T) {
        if array.count == count {
            for i in array.indices { array[i] = value }
        } else {
            array = [T](repeating: value, count: count)
        }
    }

    /// Puts `tensor` in `slot` (nil empties it), its gradient going to `source` in a run on a tape; the
    /// bytes of created objects are counted.
    mutating func set(_ slot: Int, _ tensor: Tensor?, source: GradientSource = .none) {
        if slot >= args.count {
            bytes += (tensor?.byteCountIfLocal ?? 0) - (values[slot]?.byteCountIfLocal ?? 0)
        }
        values[slot] = tensor
        if taped { sources[slot] = source }
    }

    /// Empties `slot` and returns what it held.
    mutating func take(_ slot: Int) -> Tensor? {
        defer { set(slot, nil) }
        return values[slot]
    }

    /// What `slot` holds as a stored object: an argument keeps its owner; a created object is the
    /// client's (`owner` makes it). Nil for an empty slot.
    func object(_ slot: Int, owner: (Tensor) -> StoredObject) -> StoredObject? {
        guard let t = values[slot] else { return nil }
        return slot < args.count ? args[slot].holding(t) : owner(t)
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

    /// Every object id the request names (reads, writes or creates).
    var namedIDs: [ObjectID] {
        func ids(_ o: Operand?) -> [ObjectID] {
            if case .object(let id)? = o { return [id] }
            return []
        }
        switch self {
        case .object(let id, _, _, _), .get(let id), .setRequiresGrad(let id, _), .remoteGet(let id):
            return [id]
        case .command(_, let operands, let results, _, _): return operands.flatMap { ids($0) } + results
        case .delete(let ids), .zeroGrad(let ids): return ids
        case .backward(let id, let gradient, _, _): return [id] + ids(gradient)
        case .gradients(let ids, let results): return ids + results
        case .detach(let id, let result): return [id, result]
        case .update(_, let params, let state): return params + state
        case .search, .listObjects, .synchronize, .definePlan, .runPlan: return []
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
