import SyftCore
import SyftNN

/// One data owner's training data: pointers to features and targets on its worker.
public struct FederatedDataset: Sendable {
    public var features: Tensor
    public var targets: Tensor

    /// Data on a worker: `features` [rows, ...] and `targets` [rows] (pointers to the same worker).
    public init(features: Tensor, targets: Tensor) {
        precondition(
            features.shape.first == targets.shape.first,
            "FederatedDataset: \(features.shape) features for \(targets.shape) targets")
        self.features = features
        self.targets = targets
    }

    /// The worker holding the data.
    public var location: (any Worker)? { features.location }

    /// The number of rows.
    public var count: Int { features.shape.first ?? 0 }
}

/// Federated averaging (McMahan et al., 2017), as PySyft's tutorial 4: each round, every data owner trains
/// a copy of the global model on its own data, the copies move to `aggregator` (a third worker), their
/// parameters are averaged there weighted by data size, and only the average comes back into `model`.
/// The copies travel through the client on their way to `aggregator`, so the client sees each trained copy
/// (PySyft moves them from worker to worker); the data never leaves its owner.
///
/// The data owners train at the same time: each gets its copy and its batches (as a ``Plan``) before any
/// call waits, so workers in other processes run their rounds in parallel, and a round costs about the
/// slowest owner's training and one round trip each, not the sum of their trainings.
///
/// ```swift
/// try federatedAveraging(
///     model, on: [bobData, aliceData], aggregator: secureWorker, task: .classify, rounds: 10, localEpochs: 2,
///     batchSize: 32, makeModel: makeMLP, makeOptimizer: { SGD($0, lr: 0.1) })
/// ```
///
/// - Parameters:
///   - model: the global model, here; it holds the average after each round.
///   - datasets: each data owner's data, on its worker.
///   - aggregator: the worker that averages; neither data owner sees the other's model.
///   - task: what the model learns (its loss).
///   - rounds: rounds of local training and averaging.
///   - localEpochs: passes over its data each data owner makes in a round.
///   - batchSize: rows per training step.
///   - makeModel: a new model of the same architecture (the per-worker copies).
///   - makeOptimizer: builds each copy's optimizer for a round.
/// - Returns: the mean local training loss of each round.
@discardableResult
public func federatedAveraging<M: Layer>(
    _ model: M, on datasets: [FederatedDataset], aggregator: any Worker, task: Task, rounds: Int,
    localEpochs: Int, batchSize: Int, makeModel: () throws -> M,
    makeOptimizer: ([Parameter]) -> any Optimizer
) throws -> [Double] {
    var history: [Double] = []
    let workers = try dataWorkers(of: datasets, for: "federatedAveraging")
    for _ in 0..<rounds {
        // Every data owner gets its copy, its batches and the get of the trained copy before anything
        // waits, so the owners train at the same time (each runs its batch while the next one receives its
        // own).
        var runs: [OwnerRun<M>] = []
        for (data, worker) in zip(datasets, workers) {
            let local = try sendCopy(of: model, to: worker, makeModel: makeModel)
            let (lossSum, batches) = try runBatchesByPlan(
                local, data, optimizer: makeOptimizer(local.parameters()), task: task, epochs: localEpochs,
                batchSize: batchSize)
            runs.append(try OwnerRun(copy: local, lossSum: lossSum, batches: batches))
        }
        history.append(try averageRuns(runs, of: datasets, on: aggregator, into: model))
    }
    return history
}

/// One round of federated averaging that calls back after every batch, for callers that drive their own
/// loop (a progress bar, a stop button): ``federatedAveraging(_:on:aggregator:task:rounds:localEpochs:batchSize:makeModel:makeOptimizer:)``
/// with `rounds: 1`, each batch sent from here as a request of its own (a ``Plan`` recorded at the first
/// full batch, Note [Plans]) instead of each owner's batches in one.
///
/// The owners' batches go out in turn (the first batch of each owner, then the second of each, and so
/// on), so workers in other processes train at the same time here too.
///
/// ```swift
/// let loss = try federatedAveragingRound(
///     model, on: [bobData, aliceData], aggregator: secureWorker, task: .classify, localEpochs: 1,
///     batchSize: 32, makeModel: makeMLP, makeOptimizer: { SGD($0, lr: 0.1) }
/// ) { !stopRequested }
/// ```
/// - Parameters:
///   - afterBatch: called after each batch (of any owner) is sent; returning false stops the round.
///   - The others: as for `federatedAveraging`.
/// - Returns: the round's mean local training loss, or nil when `afterBatch` stopped the round; a stopped
///   round is discarded and leaves `model` as it was.
/// - Throws: a worker's error (`SyftError`); `model` is then unchanged.
public func federatedAveragingRound<M: Layer>(
    _ model: M, on datasets: [FederatedDataset], aggregator: any Worker, task: Task, localEpochs: Int,
    batchSize: Int, makeModel: () throws -> M, makeOptimizer: ([Parameter]) -> any Optimizer,
    afterBatch: () -> Bool
) throws -> Double? {
    precondition(batchSize > 0, "federatedAveragingRound: batch size \(batchSize)")
    let workers = try dataWorkers(of: datasets, for: "federatedAveragingRound")
    var copies: [M] = []
    var optimizers: [any Optimizer] = []
    for worker in workers {
        let local = try sendCopy(of: model, to: worker, makeModel: makeModel)
        copies.append(local)
        optimizers.append(makeOptimizer(local.parameters()))
    }
    var steps = zip(copies, optimizers).map {
        BatchSteps($0, optimizer: $1, task: task, batchSize: batchSize)
    }
    var batches = [Int](repeating: 0, count: datasets.count)
    let longest = datasets.map(\.count).max() ?? 0
    for _ in 0..<localEpochs {
        for start in stride(from: 0, to: longest, by: batchSize) {
            for (k, data) in datasets.enumerated() where start < data.count {
                try steps[k].run(data, rows: start..<Swift.min(data.count, start + batchSize))
                batches[k] += 1
                if !afterBatch() { return nil }
            }
        }
    }
    var runs: [OwnerRun<M>] = []
    for k in copies.indices {
        runs.append(try OwnerRun(copy: copies[k], lossSum: steps[k].lossSum, batches: batches[k]))
    }
    return try averageRuns(runs, of: datasets, on: aggregator, into: model)
}

/// The workers holding `datasets`, in order.
/// - Throws: `notAPointer` for a data set that is here.
/// - Precondition: the data sets hold at least one row between them.
private func dataWorkers(of datasets: [FederatedDataset], for use: String) throws(SyftError) -> [any Worker] {
    precondition(datasets.contains { $0.count > 0 }, "\(use): the data sets hold no rows")
    return try datasets.map { data throws(SyftError) -> any Worker in
        guard let worker = data.location else {
            throw .notAPointer(operation: "\(use): the data set is local")
        }
        return worker
    }
}

/// A new copy of `model` (made by `makeModel`, with `model`'s values), sent to `worker`.
private func sendCopy<M: Layer>(of model: M, to worker: any Worker, makeModel: () throws -> M) throws -> M {
    let local = try makeModel()
    local.loadParameters(from: model)
    try local.send(to: worker)
    return local
}

/// One data owner's part of a round of federated averaging: its trained copy, coming back with the sum of
/// its losses (the get is sent when the run is made, and waited for by ``averageRuns``).
private struct OwnerRun<M: Module> {
    let copy: M
    let fetch: PendingModuleGet
    let batches: Int

    init(copy: M, lossSum: Tensor?, batches: Int) throws(SyftError) {
        self.copy = copy
        self.fetch = try copy.startGet(with: lossSum.map { [$0] } ?? [])
        self.batches = batches
    }
}

/// The end of a round of federated averaging: each trained copy comes back with its loss and is queued for
/// `aggregator`; the copies go there with the averaging, in one message (sending each as it arrives costs
/// a message more and gains nothing measurable), weighted by the data sets' sizes, and the average comes
/// into `model`. Every copy is collected before a failure is thrown, and `model` changes only when the
/// round succeeded. Returns the round's mean local training loss.
private func averageRuns<M: Module>(
    _ runs: [OwnerRun<M>], of datasets: [FederatedDataset], on aggregator: any Worker, into model: M
) throws -> Double {
    var copies: [M] = []
    var roundLoss = 0.0
    var trained = 0  // owners that ran a batch (an owner without rows has no loss)
    var failure: (any Error)?
    for run in runs {
        do {
            let lossSum = try run.fetch.finish().first?.item() ?? 0
            if run.batches > 0 {
                roundLoss += lossSum / Double(run.batches)
                trained += 1
            }
            try run.copy.send(to: aggregator)
            copies.append(run.copy)
        } catch {
            failure = failure ?? error
        }
    }
    if let failure { throw failure }
    let total = Double(datasets.reduce(0) { $0 + $1.count })
    try averageParameters(of: copies, weights: datasets.map { Double($0.count) / total }, into: model)
    return roundLoss / Double(Swift.max(trained, 1))
}

/// Averages the parameters of `copies` (models of one architecture, all on one worker, the aggregator)
/// weighted by `weights`, on that worker, and brings only the average back into `model`'s parameters.
///
/// The averaging step of ``federatedAveraging(_:on:aggregator:task:rounds:localEpochs:batchSize:makeModel:makeOptimizer:)``:
/// ```swift
/// try averageParameters(of: [bobCopy, aliceCopy], weights: [0.5, 0.5], into: model)
/// ```
/// - Precondition: `copies` is not empty, has one weight each, and every copy has `model`'s parameter names.
/// - Throws: the aggregator's error (`SyftError`).
public func averageParameters<M: Module>(of copies: [M], weights: [Double], into model: M) throws {
    precondition(
        !copies.isEmpty && copies.count == weights.count,
        "averageParameters: \(copies.count) copies, \(weights.count) weights")
    let copyParams = copies.map { Dictionary($0.namedParameters(), uniquingKeysWith: { a, _ in a }) }
    let targets = model.namedParameters()
    let averages = withoutGradient {
        targets.map { (name, _) in
            var average: Tensor?
            for (i, params) in copyParams.enumerated() {
                // Recording is off here, so the product needs no detach of its operand (one request less).
                let weighted = params[name]!.value * weights[i]
                average = average.map { $0 + weighted } ?? weighted
            }
            return average!
        }
    }
    // All the averages in one round trip; the model changes only when every one arrived.
    let (results, earlier) = fetchAll(averages)
    if let earlier { throw earlier }
    var values: [Tensor] = []
    for r in results { values.append(try r.get()) }
    for ((_, p), var v) in zip(targets, values) {
        v.requiresGrad = true
        p.value = v
    }
}

/// Trains `model` (already on the data's worker) for `epochs` over the data's batches there; the losses
/// are summed on the worker and only the sum comes back. The batches stream to the worker without a
/// round trip each (backward is pipelined); the one waiting call is the `get` of the loss sum.
///
/// The step both federated loops share, for callers that drive their own loop (progress, stopping):
/// ```swift
/// try model.send(to: bob)
/// let (lossSum, batches, completed) = try trainOnWorker(
///     model, bobData, optimizer: SGD(model.parameters(), lr: 0.1), task: .classify, epochs: 1, batchSize: 32
/// ) { !stopRequested }
/// try model.get()
/// ```
/// - Parameters:
///   - model: the model, already sent to the data's worker.
///   - data: the data, on that worker.
///   - optimizer: the optimizer of the model's (remote) parameters.
///   - task: what the model learns (its loss).
///   - epochs: passes over the data.
///   - batchSize: rows per training step.
///   - bringingBack: whether the model comes back here with the loss sum, in the same round trip
///     (`model.get()` after the call costs one more).
///   - afterBatch: called after each batch; returning false stops before the next one. Each batch is
///     sent from here as a request of its own (the step is recorded as a ``Plan`` at the first batch of
///     each size); without `afterBatch`, one request runs all the full batches.
/// - Returns: the sum of the batch losses, the number of batches run, and whether every batch ran.
/// - Throws: the worker's error (`SyftError`).
public func trainOnWorker<M: Layer>(
    _ model: M, _ data: FederatedDataset, optimizer: any Optimizer, task: Task, epochs: Int, batchSize: Int,
    bringingBack: Bool = false, afterBatch: () -> Bool
) throws -> (lossSum: Double, batches: Int, completed: Bool) {
    var plans: [Int: Plan] = [:]
    let (lossSum, batches, completed) = try runBatches(
        model, data, optimizer: optimizer, task: task, epochs: epochs, batchSize: batchSize, plans: &plans,
        afterBatch: afterBatch)
    return (try fetch(lossSum, bringingBack: bringingBack ? model : nil), batches, completed)
}

/// `trainOnWorker` for every batch: the training step is recorded as a ``Plan`` at the first batch, and the
/// other batches of each epoch run it on the worker in one request (Note [Plans]).
///
/// ```swift
/// try model.send(to: bob)
/// let (lossSum, batches, _) = try trainOnWorker(
///     model, bobData, optimizer: SGD(model.parameters(), lr: 0.1), task: .classify, epochs: 1, batchSize: 32)
/// ```
/// - Parameter bringingBack: whether the model comes back here with the loss sum, in the same round trip.
/// - Returns: the sum of the batch losses, the number of batches run, and true (every batch ran).
/// - Throws: the worker's error (`SyftError`).
public func trainOnWorker<M: Layer>(
    _ model: M, _ data: FederatedDataset, optimizer: any Optimizer, task: Task, epochs: Int, batchSize: Int,
    bringingBack: Bool = false
) throws -> (lossSum: Double, batches: Int, completed: Bool) {
    let (lossSum, batches) = try runBatchesByPlan(
        model, data, optimizer: optimizer, task: task, epochs: epochs, batchSize: batchSize)
    return (try fetch(lossSum, bringingBack: bringingBack ? model : nil), batches, true)
}

/// The loss sum of a visit (0 when no batch ran), fetched alone or with `model`'s parameters (`parameters`,
/// when the caller has them at hand).
func fetch(
    _ lossSum: Tensor?, bringingBack model: (some Module)?, parameters: [Parameter]? = nil
) throws -> Double {
    guard let model else { return try lossSum?.get().item() ?? 0 }
    return try startVisitGet(model, parameters: parameters, lossSum: lossSum).finish()
}

/// The loop of `trainOnWorker` with plans: the first full batch records the training step (zero the
/// gradients, the loss, backward, the optimizer's step) as a ``Plan``, and the other full batches of each
/// epoch run it on the worker in one request. A last, smaller batch has a plan of its own (`BatchSteps`).
/// The sum of the losses stays on the worker (nil when no batch ran).
func runBatchesByPlan<M: Layer>(
    _ model: M, _ data: FederatedDataset, optimizer: any Optimizer, task: Task, epochs: Int, batchSize: Int
) throws -> (lossSum: Tensor?, batches: Int) {
    var plans: [Int: Plan] = [:]
    return try runBatchesByPlan(
        model, BatchParts(data, batchSize: batchSize), optimizer: optimizer, task: task, epochs: epochs,
        batchSize: batchSize, plans: &plans)
}

/// `runBatchesByPlan` on a data set cut into its parts, with the step's plans given (recorded by an
/// earlier call with the same model, optimizer, task and batch size, on the same worker, its parameters
/// under the same ids) or recorded into `plans`.
func runBatchesByPlan<M: Layer>(
    _ model: M, _ parts: BatchParts, optimizer: any Optimizer, task: Task, epochs: Int, batchSize: Int,
    plans: inout [Int: Plan]
) throws -> (lossSum: Tensor?, batches: Int) {
    var steps = BatchSteps(model, optimizer: optimizer, task: task, batchSize: batchSize, plans: plans)
    defer { plans = steps.plans }
    guard parts.batches > 0, epochs > 0 else { return (nil, 0) }
    for _ in 0..<epochs {
        if let full = parts.full { try steps.runFullBatches(full) }
        if let last = parts.last { try steps.run(last, rows: 0..<last.count) }
    }
    return (steps.lossSum, parts.batches * epochs)
}

/// A data set cut, on its worker, into its full batches and a smaller last batch (views of it, made once
/// for a loop's epochs).
struct BatchParts {
    /// The rows of the full batches (nil when there are none).
    let full: FederatedDataset?
    /// The last batch when it is smaller (nil when there is none).
    let last: FederatedDataset?
    /// The number of batches in an epoch.
    let batches: Int

    init(_ data: FederatedDataset, batchSize: Int) {
        let n = data.count
        let full = n - n % batchSize  // rows in full batches
        self.full = full == 0 ? nil : full == n ? data : data.rows(0..<full)
        last = full == n ? nil : full == 0 ? data : data.rows(full..<n)
        batches = (n + batchSize - 1) / batchSize
    }
}

extension FederatedDataset {
    /// The data set of `rows` (itself when they are all of its rows).
    func rows(_ rows: Range<Int>) -> FederatedDataset {
        rows == 0..<count ? self : FederatedDataset(features: features[rows], targets: targets[rows])
    }
}

/// The loop of `trainOnWorker`, leaving the sum of the losses on the worker (nil when no batch ran). The
/// step's plans are given (as for `runBatchesByPlan`) or recorded into `plans`.
func runBatches<M: Layer>(
    _ model: M, _ data: FederatedDataset, optimizer: any Optimizer, task: Task, epochs: Int, batchSize: Int,
    plans: inout [Int: Plan], afterBatch: () -> Bool
) throws -> (lossSum: Tensor?, batches: Int, completed: Bool) {
    var steps = BatchSteps(model, optimizer: optimizer, task: task, batchSize: batchSize, plans: plans)
    defer { plans = steps.plans }
    var batches = 0
    var completed = true
    epochs: for _ in 0..<epochs {
        for start in stride(from: 0, to: data.count, by: batchSize) {
            try steps.run(data, rows: start..<Swift.min(data.count, start + batchSize))
            batches += 1
            if !afterBatch() {
                completed = false
                break epochs
            }
        }
    }
    return (steps.lossSum, batches, completed)
}

/// Training steps on one model's worker, one batch at a time, for the loops that call back after every
/// batch. The first batch of a size records the step as a ``Plan`` (it runs, for real, while it records);
/// every later batch of that size runs the plan, one request instead of the step's dozen or more, with the
/// worker doing the same work (Note [Plans]). Each size has its plan: a plan replays the count a mean
/// divides by as recorded. The losses are summed on the worker.
struct BatchSteps<M: Layer> {
    let model: M
    let optimizer: any Optimizer
    let task: Task
    let batchSize: Int
    /// The step recorded as a plan for each number of rows (at the first batch of that size, unless
    /// given).
    private(set) var plans: [Int: Plan]
    /// The sum of the losses so far, on the worker (nil before the first batch).
    private(set) var lossSum: Tensor?

    init(_ model: M, optimizer: any Optimizer, task: Task, batchSize: Int, plans: [Int: Plan] = [:]) {
        precondition(batchSize > 0, "trainOnWorker: batch size \(batchSize)")
        self.model = model
        self.optimizer = optimizer
        self.task = task
        self.batchSize = batchSize
        self.plans = plans
    }

    /// A training step on `rows` of `data`, sent to the model's worker without waiting.
    mutating func run(_ data: FederatedDataset, rows: Range<Int>) throws {
        let batch = data.rows(rows)
        let (x, y) = (batch.features, batch.targets)
        let loss: Tensor
        if let plan = plans[rows.count] {
            loss = try plan(x, y)[0]
        } else {
            let (model, optimizer, task) = (self.model, self.optimizer, self.task)
            let (recorded, first) = try Plan.record([x, y]) {
                [try trainingStep(model, optimizer: optimizer, task: task, $0[0], $0[1]).detached()]
            }
            plans[rows.count] = recorded
            loss = first[0]
        }
        add(loss)
    }

    /// The batches of `data` (whole batches of `batchSize` rows): the first records the plan when none is
    /// recorded yet, and the others run it on the worker in one request.
    mutating func runFullBatches(_ data: FederatedDataset) throws {
        var start = 0
        if plans[batchSize] == nil && start < data.count {
            try run(data, rows: start..<start + batchSize)
            start += batchSize
        }
        guard let plan = plans[batchSize], start < data.count else { return }
        let rest = data.rows(start..<data.count)
        add(try plan.run(batchesOf: [rest.features, rest.targets], batchSize: batchSize)[0])
    }

    /// Adds a loss (or a sum of losses) to the sum, on the worker.
    private mutating func add(_ loss: Tensor) {
        // Summed with recording off: the sum is outside the graph without a detach of its own.
        lossSum = withoutGradient { lossSum.map { $0 + loss } ?? loss.detached() }
    }
}

/// One training step on a batch on the model's worker: zero the gradients, the loss, backward, the
/// optimizer's step; returns the loss. Pipelined: nothing waits for the worker, so a loop of steps streams
/// without a round trip per batch, and a failure surfaces at the next call that waits (the `get` of the
/// loss sum).
func trainingStep<M: Layer>(
    _ model: M, optimizer: any Optimizer, task: Task, _ x: Tensor, _ y: Tensor
) throws -> Tensor {
    optimizer.zeroGrad()
    let loss = task.loss(model(x), y)
    try loss.backward(wait: false)
    try optimizer.step()
    return loss
}
