import SyftCore
import Synchronization

// Note [Plans]
// A plan is a computation recorded once and then run on a worker by id (PySyft's Plans): a training step
// costs the client one small request instead of one per operation, and a whole pass over a worker's
// data, run batch by batch there, costs one request. Recording runs the body once, for real, on pointers
// to the worker; every request the body posts to that worker is also kept. The recorded requests are
// those that need no answer (operations, backward, optimizer steps, sends); a call that waits (get,
// grad, search) cannot be recorded and throws, and a backward is recorded pipelined.
//
// The plan's ids: the objects the recording creates (command results, detaches, sends) and its inputs
// get fresh ids in the plan, so a run never touches what the recording run left, such as the outputs it
// returned. The objects the body reads but did not create (a model's parameters, an optimizer's state)
// keep their ids: a run reads and changes those same objects, so an optimizer step in a plan trains
// the one model. The objects a run creates live in the run's frame on the worker, not in its store
// (Note [Plan programs]); the intermediates the body dropped are released as the recording dropped them.
// Each run binds the arguments in place of the inputs (they stay where they are: a plan cannot write to
// its inputs) and stores the outputs under the result ids the client chose. A batched run slices every
// argument into blocks of rows on the worker and sums each output over the blocks.
//
// The client knows the shapes of a run's outputs without asking: it replays the recorded operations'
// shape rules on the arguments' shapes, so a shape that does not fit is an error before anything is sent.
//
// A run replays the operations as recorded, numbers included. A number the body derived from its inputs'
// shapes (the count a mean divides by, say) keeps the recording's value, as in any trace (PyTorch's
// `jit.trace` likewise): a plan whose body does that is right only for arguments of the recorded shapes.
// The library's own loops (`trainOnWorker`) therefore run a plan only on batches of the recorded shape,
// and record another for a last, smaller batch.

/// The recording in progress in this task, for the channels of other workers to notice (a plan runs on
/// one worker: its body may not use another).
enum PlanContext {
    /// The channel recording a plan in this task.
    @TaskLocal static var recording: Channel?
    /// How many recordings are in progress in the process (read first, so that a channel looks up the
    /// task-local only while some recording is).
    static let active = Atomic<Int>(0)

    /// Whether any plan is being recorded (one load).
    @inline(__always)
    static var isActive: Bool { active.load(ordering: .relaxed) > 0 }

    /// The channel recording in this task, when it is not `channel` (one load when nothing records).
    @inline(__always)
    static func otherRecording(than channel: Channel) -> Channel? {
        guard isActive else { return nil }
        return recordingOther(than: channel)
    }

    @inline(never)
    static func recordingOther(than channel: Channel) -> Channel? {
        guard let r = recording, r !== channel else { return nil }
        return r
    }

    static let otherWorkerError = SyftError.invalidCommand(
        op: "plan", reason: "the body used another worker than the plan's; a plan runs on one worker")
}

/// What a channel records while a plan is recorded on its worker.
struct PlanRecording {
    /// The ids of the recording run's inputs.
    let inputs: [ObjectID]
    var requests: [Request] = []
    /// The ids the recorded requests create.
    var created: Set<ObjectID> = []
    /// The created objects the body dropped (deleted at the end of each run).
    var deleted: [ObjectID] = []
    /// The shape and dtype of every object the requests read that is neither an input nor created.
    var fixedMetas: [ObjectID: TensorMeta] = [:]
    /// A request a plan cannot hold.
    var error: SyftError?

    init(inputs: [ObjectID]) { self.inputs = inputs }

    mutating func append(_ request: Request, operandMetas: [TensorMeta]) {
        switch request {
        case .command(_, let operands, _, _, _):
            for (o, m) in zip(operands, operandMetas) { if case .object(let id) = o { noteRead(id, m) } }
        case .detach(let id, _):
            if let m = operandMetas.first { noteRead(id, m) }
        case .definePlan, .runPlan:
            if error == nil {
                error = .invalidCommand(op: "plan", reason: "a plan cannot define or run another plan")
            }
        default: break
        }
        // The objects it reads are noted first: a request's results are never among its operands.
        created.formUnion(request.createdIDs)
        requests.append(request)
    }

    mutating func noteRead(_ id: ObjectID, _ meta: TensorMeta) {
        guard !created.contains(id), !inputs.contains(id), fixedMetas[id] == nil else { return }
        fixedMetas[id] = meta
    }

    mutating func delete(_ id: ObjectID) {
        if created.contains(id) { deleted.append(id) }
    }
}

/// A computation recorded once on a worker and run there again by id (PySyft's Plans, Note [Plans]).
///
/// Recording runs the body once, on pointers to the worker, and keeps what it sends there; a run then
/// costs one request, whatever the body does. A training step as a plan, run over all the worker's
/// batches in one request:
/// ```swift
/// let (step, first) = try Plan.record([x[..<32], y[..<32]]) { args in
///     optimizer.zeroGrad()
///     let loss = crossEntropy(model(args[0]), args[1])
///     try loss.backward()
///     try optimizer.step()
///     return [loss.detached()]
/// }
/// let lossSum = try step.run(batchesOf: [x, y], batchSize: 32)[0]   // one request for every batch
/// let loss = try step(xb, yb)[0]                                    // one request for one batch
/// ```
public final class Plan: CustomStringConvertible, @unchecked Sendable {
    /// The worker the plan is on.
    public let location: any Worker
    /// The plan's id on its worker.
    public let id: ObjectID
    /// The shapes and dtypes of the recording run's inputs.
    public let inputMetas: [TensorMeta]
    /// The number of requests a run carries out (the recorded ones, and the deletes of intermediates).
    public var requestCount: Int { requests.count }

    let inputs: [ObjectID]
    let outputs: [ObjectID]
    let requests: [Request]
    let fixedMetas: [ObjectID: TensorMeta]

    init(
        location: any Worker, inputs: [ObjectID], inputMetas: [TensorMeta], outputs: [ObjectID],
        requests: [Request], fixedMetas: [ObjectID: TensorMeta]
    ) {
        self.location = location
        self.id = newObjectID()
        self.inputs = inputs
        self.inputMetas = inputMetas
        self.outputs = outputs
        self.requests = requests
        self.fixedMetas = fixedMetas
    }

    deinit { location.channel.postDelete(id, bytes: 0) }

    /// `[Plan | bob:<id> 2 inputs, 1 output, 12 requests]`.
    public var description: String {
        "[Plan | \(location.id):\(id) \(inputs.count) input\(inputs.count == 1 ? "" : "s"), "
            + "\(outputs.count) output\(outputs.count == 1 ? "" : "s"), \(requests.count) requests]"
    }

    /// Runs `body` once on `inputs` (pointers to one worker) and records it as a plan on that worker.
    ///
    /// ```swift
    /// let (double, firstResult) = try Plan.record([x]) { args in [args[0] * 2 + 1] }
    /// let y = try double(z)[0]    // a pointer, computed on the plan's worker
    /// ```
    /// - Parameters:
    ///   - inputs: pointers to objects on the worker; the body receives them, and a run takes others in
    ///     their place.
    ///   - body: the computation, on pointers to that worker; what it returns (pointers there) are the
    ///     plan's outputs. It may not wait for the worker (`get`, `grad`, `search`).
    /// - Returns: the plan, and the outputs of the recording run.
    /// - Throws: `SyftError` when an input or output is not a pointer to the worker, when the body waits
    ///   or runs another plan, or what the body throws. Failures on the worker surface at the next call
    ///   that waits, as for any operation.
    public static func record(
        _ inputs: [Tensor], _ body: ([Tensor]) throws -> [Tensor]
    ) throws -> (plan: Plan, outputs: [Tensor]) {
        guard let first = inputs.first else {
            throw SyftError.invalidCommand(op: "plan", reason: "a plan needs at least one input pointer")
        }
        let (location, _) = try pointerTarget(first, for: "plan")
        var inputIDs: [ObjectID] = []
        for t in inputs { inputIDs.append(try pointerTarget(t, at: location, for: "plan")) }
        guard Set(inputIDs).count == inputIDs.count else {
            throw SyftError.invalidCommand(op: "plan", reason: "one object is given as two inputs")
        }
        try location.channel.startRecording(inputs: inputIDs)
        let results: [Tensor]
        PlanContext.active.add(1, ordering: .relaxed)
        defer { PlanContext.active.subtract(1, ordering: .relaxed) }
        do {
            results = try PlanContext.$recording.withValue(location.channel) { try body(inputs) }
        } catch {
            _ = location.channel.stopRecording()
            throw error
        }
        guard var recording = location.channel.stopRecording() else {
            throw SyftError.invalidCommand(op: "plan", reason: "the recording was stopped by another caller")
        }
        if let error = recording.error { throw error }
        var outputIDs: [ObjectID] = []
        for t in results {
            let id = try pointerTarget(t, at: location, for: "plan output")
            recording.noteRead(id, t.meta)
            outputIDs.append(id)
        }
        // Fresh ids for everything the plan creates and for its inputs (Note [Plans]).
        var renamed: [ObjectID: ObjectID] = [:]
        for id in recording.created.union(recording.inputs) { renamed[id] = newObjectID() }
        let rename = { (id: ObjectID) in renamed[id] ?? id }
        var requests = recording.requests.map { $0.renamingIDs(rename) }
        let dropped = recording.deleted.filter { !outputIDs.contains($0) }.map(rename)
        if !dropped.isEmpty { requests.append(.delete(ids: dropped)) }
        let plan = Plan(
            location: location, inputs: inputIDs.map(rename), inputMetas: inputs.map(\.meta),
            outputs: outputIDs.map(rename), requests: requests, fixedMetas: recording.fixedMetas)
        location.channel.post(
            .definePlan(id: plan.id, inputs: plan.inputs, outputs: plan.outputs, requests: requests))
        return (plan, results)
    }

    /// Runs the plan on `arguments` (pointers to the plan's worker, in place of its inputs): one request.
    ///
    /// ```swift
    /// let loss = try step(xb, yb)[0]
    /// ```
    /// - Returns: pointers to the outputs, whose shapes are known here already.
    /// - Throws: `SyftError` when an argument is not a pointer to the plan's worker, or the plan's shape
    ///   rules do not fit the arguments' shapes.
    public func callAsFunction(_ arguments: Tensor...) throws -> [Tensor] { try run(arguments) }

    /// Runs the plan on `arguments`; see ``callAsFunction(_:)``.
    public func run(_ arguments: [Tensor]) throws -> [Tensor] {
        let ids = try argumentIDs(arguments)
        let metas = try outputMetas(for: arguments.map(\.meta))
        return post(ids, metas: metas, batchSize: 0)
    }

    /// Runs the plan once per block of `batchSize` rows of `arguments` (all with the same number of rows),
    /// on the worker, in one request; each output is summed over the blocks (a training step's loss
    /// gives the sum of the batch losses).
    ///
    /// A body that derives a number from its inputs' shapes (a mean does) replays that number as
    /// recorded (Note [Plans]); for such a plan, record it on a block of `batchSize` rows and give rows
    /// that `batchSize` divides.
    ///
    /// ```swift
    /// let lossSum = try step.run(batchesOf: [x, y], batchSize: 32)[0]
    /// ```
    /// - Returns: pointers to the sums of the outputs.
    /// - Throws: `SyftError` for arguments that are not pointers to the plan's worker, have different
    ///   numbers of rows or none, or whose blocks do not fit the plan's shape rules, or for outputs whose
    ///   shapes differ between blocks (they could not be summed).
    public func run(batchesOf arguments: [Tensor], batchSize: Int) throws -> [Tensor] {
        guard batchSize > 0 else {
            throw SyftError.invalidCommand(
                op: "run_plan", reason: "batch size \(batchSize); it must be positive")
        }
        let ids = try argumentIDs(arguments)
        let rows = arguments.map { $0.shape.first ?? 0 }
        guard let n = rows.first, n > 0, rows.allSatisfy({ $0 == n }) else {
            throw SyftError.invalidCommand(
                op: "run_plan",
                reason: "batched arguments need the same positive number of rows, got \(rows)")
        }
        func metas(rows r: Int) throws -> [TensorMeta] {
            try outputMetas(
                for: arguments.map { TensorMeta(shape: [r] + $0.shape.dropFirst(), dtype: $0.dtype) })
        }
        let full = try metas(rows: Swift.min(batchSize, n))
        if n % batchSize != 0, n > batchSize, try metas(rows: n % batchSize) != full {
            throw SyftError.invalidCommand(
                op: "run_plan",
                reason:
                    "the outputs' shapes depend on the rows of a batch, so the last batch's (\(n % batchSize) rows) cannot be summed with the others'"
            )
        }
        return post(ids, metas: full, batchSize: batchSize)
    }

    private func post(_ arguments: [ObjectID], metas: [TensorMeta], batchSize: Int) -> [Tensor] {
        let results = metas.map { _ in newObjectID() }
        location.channel.post(.runPlan(id: id, arguments: arguments, results: results, batchSize: batchSize))
        return zip(results, metas).map { rid, meta in
            Tensor(
                remote: PointerHandle(location: location, idAtLocation: rid, meta: meta, requiresGrad: false),
                meta: meta)
        }
    }

    private func argumentIDs(_ arguments: [Tensor]) throws -> [ObjectID] {
        guard arguments.count == inputs.count else {
            throw SyftError.invalidCommand(
                op: "run_plan", reason: "the plan takes \(inputs.count) inputs, got \(arguments.count)")
        }
        return try arguments.map { try pointerTarget($0, at: location, for: "run_plan") }
    }

    /// The outputs' metadata of the argument metadata the plan ran on before (a training loop runs it on
    /// batches of one or two shapes), so that a run replays the shape rules once per shape.
    private let knownOutputMetas = Mutex<[[TensorMeta]: [TensorMeta]]>([:])

    /// The outputs' shapes and dtypes for inputs of `metas`, by the recorded operations' shape rules.
    func outputMetas(for metas: [TensorMeta]) throws -> [TensorMeta] {
        if let known = knownOutputMetas.withLock({ $0[metas] }) { return known }
        let outputs = try inferOutputMetas(for: metas)
        knownOutputMetas.withLock { known in
            if known.count >= 16 { known.removeAll() }  // arguments of ever new shapes: no unbounded growth
            known[metas] = outputs
        }
        return outputs
    }

    private func inferOutputMetas(for metas: [TensorMeta]) throws -> [TensorMeta] {
        var known = fixedMetas
        for (id, m) in zip(inputs, metas) { known[id] = m }
        func meta(_ o: Operand) throws(SyftError) -> TensorMeta {
            switch o {
            case .value(let t): return t.meta
            case .object(let id):
                guard let m = known[id] else {
                    throw .invalidCommand(
                        op: "run_plan", reason: "the plan reads object \(id), which it does not know")
                }
                return m
            }
        }
        for r in requests {
            switch r {
            case .command(let op, let operands, let results, false, _):
                var inputs: [TensorMeta] = []
                for o in operands { inputs.append(try meta(o)) }
                do {
                    for (id, m) in zip(results, try op.inferOutputs(inputs)) { known[id] = m }
                } catch {
                    throw SyftError.invalidCommand(op: op.name, reason: "in the plan: \(error.message)")
                }
            case .detach(let id, let result): known[result] = try meta(.object(id))
            case .object(let id, .tensor(let p), _, _): known[id] = p.tensor.meta
            case .object(let id, .pointer(let p), _, _): known[id] = p.meta
            default: break
            }
        }
        return try outputs.map { id throws(SyftError) in try meta(.object(id)) }
    }

}

extension Request {
    /// The request with every object id it names passed through `rename` (a plan's fresh ids).
    func renamingIDs(_ rename: (ObjectID) -> ObjectID) -> Request {
        func operand(_ o: Operand) -> Operand {
            if case .object(let id) = o { return .object(rename(id)) }
            return o
        }
        switch self {
        case .object(let id, let value, let tags, let description):
            return .object(id: rename(id), value: value, tags: tags, description: description)
        case .command(let op, let operands, let results, let inPlace, let gradEnabled):
            return .command(
                op: op, operands: operands.map(operand), results: results.map(rename), inPlace: inPlace,
                gradEnabled: gradEnabled)
        case .get(let id): return .get(id: rename(id))
        case .delete(let ids): return .delete(ids: ids.map(rename))
        case .backward(let id, let gradient, let retainGraph, let wait):
            return .backward(
                id: rename(id), gradient: gradient.map(operand), retainGraph: retainGraph, wait: wait)
        case .gradients(let ids, let results):
            return .gradients(ids: ids.map(rename), results: results.map(rename))
        case .setRequiresGrad(let id, let flag): return .setRequiresGrad(id: rename(id), flag: flag)
        case .zeroGrad(let ids): return .zeroGrad(ids: ids.map(rename))
        case .detach(let id, let result): return .detach(id: rename(id), result: rename(result))
        case .remoteGet(let id): return .remoteGet(id: rename(id))
        case .update(let rule, let params, let state):
            return .update(rule: rule, params: params.map(rename), state: state.map(rename))
        case .search, .listObjects, .synchronize, .definePlan, .runPlan: return self
        }
    }
}
