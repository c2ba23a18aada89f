import SyftCore
import SyftNN

// Tutorial 2's training (`trainFederated`, `FederatedTrainer`): the model visits each data owner in turn.
// The batch loops a visit runs are in Federated.swift, with federated averaging.

/// Federated training as in PySyft's tutorial 2: the model travels to each data owner in turn, trains on
/// its batches there, and comes back; the data never leaves its worker.
///
/// At the first visit to a worker, the first batch records the training step as a ``Plan`` there; every
/// later batch that worker's visits run, in one request a visit, is a run of that plan (Note [A plan for
/// every visit]). A visit costs one round trip (the model and the loss coming back); from the second
/// epoch on, each visit goes out where the previous owner's answer arrives, with the parameters in it,
/// between two epochs too, and the model comes back at the end (Note [Relayed batches]).
///
/// ```swift
/// let datasets = [FederatedDataset(features: xBob, targets: yBob), FederatedDataset(features: xAlice, targets: yAlice)]
/// try trainFederated(model, on: datasets, task: .classify, epochs: 5, batchSize: 32) { SGD($0, lr: 0.1) }
/// ```
/// - Parameters:
///   - model: the model; it is here again (trained) when the call returns.
///   - datasets: each data owner's data, on its worker.
///   - task: what the model learns (its loss).
///   - epochs: passes over all the data sets.
///   - batchSize: rows per training step.
///   - makeOptimizer: builds the optimizer for one worker's visits (one per worker, so optimizer state
///     lives where the parameters are).
/// - Returns: the mean training loss of each epoch (computed on the workers; only the number comes back).
@discardableResult
public func trainFederated<M: Layer>(
    _ model: M, on datasets: [FederatedDataset], task: Task, epochs: Int, batchSize: Int,
    makeOptimizer: ([Parameter]) -> any Optimizer
) throws -> [Double] {
    try withoutActuallyEscaping(makeOptimizer) { makeOptimizer in
        let trainer = FederatedTrainer(
            model, on: datasets, task: task, batchSize: batchSize, makeOptimizer: makeOptimizer)
        return try trainer.epochs(epochs)
    }
}

/// The training of ``trainFederated(_:on:task:epochs:batchSize:makeOptimizer:)`` one epoch at a time, for
/// callers that drive their own loop (progress, stopping, evaluating between epochs). It keeps, for each
/// worker, the optimizer of the model's visits there and the training step recorded as a plan at the
/// first, so every later epoch runs that plan (Note [A plan for every visit]). Like an optimizer, it holds
/// the model's parameters as they are when it is made.
///
/// ```swift
/// let trainer = FederatedTrainer(model, on: [bobData, aliceData], task: .classify, batchSize: 32) {
///     SGD($0, lr: 0.1)
/// }
/// for epoch in 1...5 {
///     let loss = try trainer.epoch()       // the model is here again after each epoch
///     print(epoch, loss, accuracy(model(xTest), yTest))
/// }
/// ```
public final class FederatedTrainer<M: Layer> {
    /// The model; it is here between epochs.
    public let model: M
    /// Each data owner's data, on its worker.
    public let datasets: [FederatedDataset]
    public let task: Task
    public let batchSize: Int
    private let makeOptimizer: ([Parameter]) -> any Optimizer
    private var visits: [ObjectIdentifier: WorkerVisits] = [:]
    /// The model's parameters, found once (by reflection), as an optimizer holds them.
    private let params: [Parameter]
    /// Each data set cut into its full batches and a smaller last one, on its worker.
    private lazy var parts = datasets.map { BatchParts($0, batchSize: batchSize) }

    /// A trainer of `model` on `datasets`; `makeOptimizer` builds the optimizer of one worker's visits (one
    /// per worker, so optimizer state lives where the parameters are).
    /// - Precondition: `batchSize` is positive.
    public init(
        _ model: M, on datasets: [FederatedDataset], task: Task, batchSize: Int,
        makeOptimizer: @escaping ([Parameter]) -> any Optimizer
    ) {
        precondition(batchSize > 0, "FederatedTrainer: batch size \(batchSize)")
        self.model = model
        self.datasets = datasets
        self.task = task
        self.batchSize = batchSize
        self.makeOptimizer = makeOptimizer
        params = model.parameters()
    }

    /// One epoch: the model visits each data set's worker in turn, trains on all its batches there and
    /// comes back with the loss.
    /// - Returns: the epoch's mean batch loss (computed on the workers).
    /// - Throws: `notAPointer` for a data set that is here; a worker's error (`SyftError`).
    @discardableResult
    public func epoch() throws -> Double {
        try train(epochs: 1, afterBatch: nil)[0].loss
    }

    /// One epoch that calls `afterBatch` after every batch is sent; returning false stops the epoch after
    /// that batch (the model still comes back). Each batch is then a request of its own.
    /// - Returns: the mean loss of the batches run, their number, and whether every batch ran.
    /// - Throws: `notAPointer` for a data set that is here; a worker's error (`SyftError`).
    public func epoch(afterBatch: () -> Bool) throws -> (loss: Double, batches: Int, completed: Bool) {
        try withoutActuallyEscaping(afterBatch) { try train(epochs: 1, afterBatch: .some($0))[0] }
    }

    /// `epochs` epochs, the model here again at the end; between two epochs it goes from the last owner to
    /// the first as between two owners (Note [Relayed batches]).
    /// - Returns: each epoch's mean batch loss.
    func epochs(_ epochs: Int) throws -> [Double] {
        try train(epochs: epochs, afterBatch: nil).map(\.loss)
    }

    /// The visits of `epochs` epochs: each epoch's mean batch loss, its batches, and whether every batch ran
    /// (with `afterBatch`, which stops an epoch when it returns false, only one epoch).
    private func train(
        epochs: Int, afterBatch: (() -> Bool)?
    ) throws -> [(loss: Double, batches: Int, completed: Bool)] {
        guard epochs >= 0 else {
            throw SyftError.invalidCommand(op: "trainFederated", reason: "\(epochs) epochs; none or more")
        }
        var totals = [Double](repeating: 0, count: epochs)
        var batches = [Int](repeating: 0, count: epochs)
        // The last visit's get, started and not yet waited for (visits without `afterBatch`), and its epoch.
        var pending: (get: StartedVisitGet, epoch: Int)?
        for e in 0..<epochs {
            for (k, data) in datasets.enumerated() {
                guard let worker = data.location else {
                    if let previous = pending { totals[previous.epoch] += try previous.get.finish() }
                    throw SyftError.notAPointer(operation: "trainFederated: the data set is local")
                }
                let key = ObjectIdentifier(worker)
                var visit = visits[key] ?? WorkerVisits(optimizer: makeOptimizer(params))
                // The gradients come back only from the last visit: the next visit's first step would clear
                // them (Note [A plan for every visit]).
                let clearingGradients = e < epochs - 1 || k < datasets.count - 1
                if let previous = pending {
                    pending = nil
                    // Note [Relayed batches]: the visit goes out where the previous one's answer arrives.
                    let relayed: RelayedVisit?
                    do {
                        relayed = try visit.startRelayed(
                            model, params, on: worker, parts: parts[k], task: task, batchSize: batchSize,
                            clearingGradients: clearingGradients, after: previous.get)
                    } catch {
                        _ = try previous.get.finish()
                        throw error
                    }
                    if let relayed {
                        let (loss, sent) = try relayed.finishPrevious(params)
                        totals[previous.epoch] += loss
                        if sent {
                            pending = (relayed.get, e)
                            batches[e] += relayed.batches
                            continue
                        }
                    } else {
                        totals[previous.epoch] += try previous.get.finish()
                    }
                }
                try visit.send(model, params, to: worker)
                let lossSum: Tensor?
                let n: Int
                var completed = true
                if let afterBatch {
                    (lossSum, n, completed) = try runBatches(
                        model, data, optimizer: visit.optimizer, task: task, epochs: 1, batchSize: batchSize,
                        plans: &visit.plans, afterBatch: afterBatch)
                } else {
                    (lossSum, n) = try runBatchesByPlan(
                        model, parts[k], optimizer: visit.optimizer, task: task, epochs: 1,
                        batchSize: batchSize, plans: &visit.plans)
                }
                visits[key] = visit
                if clearingGradients && completed, let h = params.first?.value.remoteHandle as? PointerHandle
                {
                    h.zeroGrad(params.map(\.value))  // one request for them all
                }
                batches[e] += n
                // The loss and the trained parameters come back in one round trip: waited for here when
                // each batch is a request of its own, else at the next visit (which may go out before,
                // relayed).
                if afterBatch == nil {
                    pending = (try startVisitGet(model, parameters: params, lossSum: lossSum), e)
                    continue
                }
                totals[e] += try fetch(lossSum, bringingBack: model, parameters: params)
                if !completed {
                    return [(totals[e] / Double(Swift.max(batches[e], 1)), batches[e], false)]
                }
            }
        }
        if let last = pending { totals[last.epoch] += try last.get.finish() }
        return zip(totals, batches).map { ($1 == 0 ? 0 : $0 / Double($1), $1, true) }
    }
}

/// What a ``FederatedTrainer`` keeps of its visits to one worker (Note [A plan for every visit]).
struct WorkerVisits {
    /// The optimizer of the visits (its state stays on the worker).
    let optimizer: any Optimizer
    /// The ids the model's parameters had on the worker at the first visit.
    var parameterIDs: [ObjectID]?
    /// The training step for each batch size, recorded at the first visit.
    var plans: [Int: Plan] = [:]

    init(optimizer: any Optimizer) { self.optimizer = optimizer }

    /// Sends `model` (its parameters `params`) to `worker`: under the ids of the first visit when they are
    /// all here, so that the plans recorded then name them again.
    mutating func send(_ model: some Module, _ params: [Parameter], to worker: any Worker) throws(SyftError) {
        if let ids = parameterIDs, ids.count == params.count, params.allSatisfy({ !$0.value.isPointer }) {
            for (p, id) in zip(params, ids) {
                // Without its gradient: the visit's first step clears it.
                p.value.zeroGrad()
                p.value = try p.value.send(to: worker, id: id)
            }
            return
        }
        try model.send(to: worker)
        plans = [:]
        let ids = params.compactMap { p -> ObjectID? in
            guard let h = p.value.remoteHandle as? PointerHandle, h.location === worker else { return nil }
            return h.idAtLocation
        }
        parameterIDs = ids.count == params.count ? ids : nil
    }
}

// Note [A plan for every visit]
// In tutorial 2's training (`FederatedTrainer`, `trainFederated`) the model visits each worker once an
// epoch, and its training step there is the same each time: the same model, optimizer, task and batch
// size. Only the parameters' ids would change, since each visit sends them anew, and a plan names the
// parameters it reads by id. So the parameters go to a worker under the ids they had at the first visit
// there (the get at the end of a visit removed them from the worker, and the client's pointers were
// fetched, so nothing else names those ids), and the plans recorded at the first visit (one for the full
// batches, one for a smaller last batch) run every later one as they are: the client records nothing, no
// plan is sent, and a visit is the model, two runs of plans and the get. The optimizer's state, where it
// has any, stays on the worker between visits under its own ids (one optimizer per worker). The
// gradients do not travel but from a call's last visit (an epoch's, for `epoch()`): the first step of a
// visit clears them, so the model goes without them and comes back without them, except at the end of
// the call, where it has the last batch's, as after local training.
