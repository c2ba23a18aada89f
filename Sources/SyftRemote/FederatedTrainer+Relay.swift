import SyftCore
import SyftNN
import Synchronization

// Tutorial 2's visits relayed (Note [Relayed batches] in Channel.swift): a `FederatedTrainer` prepares a
// worker's visit while the visit before it is under way, and the visit goes out, with the parameters the
// previous worker trained, where that worker's answer arrives.

/// A visit's get, started: the trained parameters and the loss on their way back.
struct StartedVisitGet {
    let get: PendingModuleGet

    /// Waits; puts the parameters into the model and returns the loss (0 when no batch ran).
    /// - Throws: the visit's first failure.
    func finish() throws -> Double { try get.finish().first?.item() ?? 0 }
}

/// The get of a visit's parameters (`parameters`, when the caller has them at hand) and loss sum
/// (`model.get(with: [lossSum])`), started.
func startVisitGet(
    _ model: some Module, parameters: [Parameter]?, lossSum: Tensor?
) throws(SyftError) -> StartedVisitGet {
    StartedVisitGet(
        get: try model.startGet(with: lossSum.map { [$0] } ?? [], parameters: parameters))
}

/// Whether a relayed batch went out: set where the replies it waited for arrived, read once the caller
/// has those replies too.
final class RelayDecision: Sendable {
    private let sent = Mutex(false)

    /// Notes whether `batch` goes out, and passes it on.
    func note(_ batch: [Request]?) -> [Request]? {
        sent.withLock { $0 = batch != nil }
        return batch
    }

    var wasSent: Bool { sent.withLock { $0 } }
}

/// A visit started relayed after the previous visit's get (Note [Relayed batches]).
struct RelayedVisit {
    /// This visit's get.
    let get: StartedVisitGet
    /// The batches this visit runs.
    let batches: Int
    /// The previous visit's get, whose parameters come on to this visit.
    let previous: StartedVisitGet
    /// The parameters' values before this visit was prepared (pointers to the previous worker).
    let previousValues: [Tensor]
    /// The pointers to the parameters sent with stand-ins.
    let standIns: [Tensor]
    let decision: RelayDecision

    /// Waits for the previous visit's answer: its loss, and whether this visit went out. When it did not,
    /// this visit is forgotten and the model is as the previous get leaves it (its parameters here, or
    /// pointers to the previous worker where they failed).
    /// - Throws: the previous visit's first failure.
    func finishPrevious(_ params: [Parameter]) throws -> (loss: Double, sent: Bool) {
        let (results, earlier) = previous.get.fetch.finish()
        // The loss, after the parameters (a relayed visit went out only when nothing failed).
        let loss = { () throws(SyftError) -> Double in
            results.count > params.count ? try results[params.count].get().item() : 0
        }
        if decision.wasSent { return (try loss(), true) }
        // Nothing of this visit ran: its replies (one failure) are taken, its stand-ins deleted nowhere
        // (their ids name the parameters at the next visit), and the parameters are the previous get's.
        _ = try? get.finish()
        for t in standIns { (t.remoteHandle as? PointerHandle)?.markFetched() }
        var failure = earlier
        for (i, (p, value)) in zip(params, previousValues).enumerated() {
            switch results[i] {
            case .success(let t): p.value = t
            case .failure(let e):
                p.value = value
                failure = failure ?? e
            }
        }
        if let failure { throw failure }
        return (try loss(), false)
    }
}

extension WorkerVisits {
    /// Starts this worker's visit relayed after `previous` (Note [Relayed batches]): the parameters' sends
    /// with stand-ins under the ids of the first visit, the plans' runs, the gradients' clearing when
    /// `clearingGradients`, and the get go out where the previous visit's answer arrives, with its
    /// parameters in place of the stand-ins. Nil, having done nothing, when the visit cannot be relayed:
    /// the first visit here records the plans and learns the ids, and the previous get must be one
    /// worker's, of these parameters.
    func startRelayed<M: Layer>(
        _ model: M, _ params: [Parameter], on worker: any Worker, parts: BatchParts, task: Task,
        batchSize: Int, clearingGradients: Bool, after previous: StartedVisitGet
    ) throws -> RelayedVisit? {
        guard let ids = parameterIDs, ids.count == params.count, previous.get.params.count == params.count,
            previous.get.fetch.groups.count == 1,
            params.allSatisfy({ $0.value.isPointer && !($0.value.location === worker) }),
            parts.full.map({ _ in plans[batchSize] != nil }) ?? true,
            parts.last.map({ plans[$0.count] != nil }) ?? true,
            [parts.full, parts.last].allSatisfy({ $0.map { $0.lives(on: worker) } ?? true }),
            worker.channel.queuedCount + params.count + 32 < worker.channel.batchLimit
        else { return nil }
        let channel = worker.channel
        let mark = channel.queuedCount
        let previousValues = params.map(\.value)
        var standIns: [Tensor] = []
        do {
            for (p, id) in zip(params, ids) {
                var standIn = Tensor.zeros(p.value.shape, dtype: p.value.dtype)
                standIn.requiresGrad = p.value.requiresGrad
                p.value = try standIn.send(to: worker, id: id)
                standIns.append(p.value)
            }
            var plans = self.plans
            let (lossSum, batches) = try runBatchesByPlan(
                model, parts, optimizer: optimizer, task: task, epochs: 1, batchSize: batchSize, plans: &plans
            )
            if clearingGradients, let h = params.first?.value.remoteHandle as? PointerHandle {
                h.zeroGrad(params.map(\.value))
            }
            let decision = RelayDecision()
            let get = try startRelayedGet(
                params, lossSum: lossSum, on: channel, after: previous, standIns: ids, decision: decision)
            return RelayedVisit(
                get: get, batches: batches, previous: previous, previousValues: previousValues,
                standIns: standIns, decision: decision)
        } catch {
            // Nothing went out: the visit's requests are dropped and the parameters are as they were.
            channel.dropQueued(from: mark)
            for t in standIns { (t.remoteHandle as? PointerHandle)?.markFetched() }
            for (p, value) in zip(params, previousValues) { p.value = value }
            throw error
        }
    }
}

/// The get of `params` and `lossSum` (on the worker of `channel`), relayed after `previous`: the batch goes
/// out when the previous visit's parameters are here, in place of the stand-ins sent under `ids`.
private func startRelayedGet(
    _ params: [Parameter], lossSum: Tensor?, on channel: Channel, after previous: StartedVisitGet,
    standIns ids: [ObjectID], decision: RelayDecision
) throws(SyftError) -> StartedVisitGet {
    let tensors = params.map(\.value) + (lossSum.map { [$0] } ?? [])
    var items: [(index: Int, handle: PointerHandle, id: ObjectID)] = []
    for (i, t) in tensors.enumerated() {
        guard let handle = t.remoteHandle as? PointerHandle else {
            throw .notAPointer(operation: "FederatedTrainer: a visit's get")
        }
        items.append((i, handle, try handle.target().1))
    }
    let previousGroup = previous.get.fetch.groups[0]
    let previousCount = previousGroup.items.count
    let pending = try channel.startEach(
        items.map { .get(id: $0.id) }, after: previousGroup.pending.replies
    ) { requests, replies in
        decision.note(relayedBatch(requests, replies, gets: previousCount, standIns: ids))
    }
    var fetch = PendingFetch(
        results: [Result<Tensor, SyftError>](
            repeating: .failure(.notAPointer(operation: "get")), count: tensors.count))
    fetch.groups = [.init(items: items, channel: channel, pending: pending)]
    return StartedVisitGet(get: PendingModuleGet(params: params, fetch: fetch))
}

/// `requests` with the parameters the previous visit's `replies` hold (its last `gets` replies are its
/// gets, the parameters' first, in the order of `ids`) in place of the stand-ins sent under `ids`; nil
/// when a reply is a failure or a stand-in is missing or does not match.
private func relayedBatch(
    _ requests: [Request], _ replies: [Reply], gets: Int, standIns ids: [ObjectID]
) -> [Request]? {
    guard gets >= ids.count, replies.count >= gets,
        !replies.contains(where: { if case .failure = $0 { true } else { false } })
    else { return nil }
    var values: [ObjectID: Tensor] = [:]
    for (id, reply) in zip(ids, replies.suffix(gets)) {
        guard case .object(.tensor(let payload)) = reply else { return nil }
        values[id] = payload.tensor
    }
    var batch = requests
    var replaced = 0
    for (i, request) in batch.enumerated() {
        guard case .object(let id, .tensor(let standIn), let tags, let description) = request,
            let value = values[id]
        else { continue }
        guard value.shape == standIn.tensor.shape, value.dtype == standIn.tensor.dtype else { return nil }
        let payload = TensorPayload(
            tensor: value.detached().contiguous(), requiresGrad: standIn.requiresGrad, grad: nil)
        batch[i] = .object(id: id, value: .tensor(payload), tags: tags, description: description)
        replaced += 1
    }
    return replaced == ids.count ? batch : nil
}

extension FederatedDataset {
    /// Whether the features and targets are live pointers to `worker`.
    func lives(on worker: any Worker) -> Bool {
        [features, targets].allSatisfy { t in
            guard let h = t.remoteHandle as? PointerHandle, let (location, _) = try? h.target() else {
                return false
            }
            return location === worker
        }
    }
}
