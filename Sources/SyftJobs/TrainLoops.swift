import SyftCore
import SyftNN
import SyftRemote

// The three ways a training job runs one step (an epoch or a round), each checking the stop flag
// between batches and advancing the progress bar: local minibatch SGD, federated SGD (the model visits
// each worker in turn, PySyft's tutorial 2), and federated averaging (tutorial 4). The federated ones
// use the library's steps (`FederatedTrainer`, `federatedAveragingRound`), so they train exactly as
// `trainFederated` and `federatedAveraging` do, on virtual and network workers alike (the aggregator of
// federated averaging is a virtual worker of the job's own in either case).

/// How a step ended: its mean training loss, and whether it ran to the end or was stopped.
struct StepOutcome {
    var trainLoss: Double
    /// The share of the step's batches that ran (1 when complete).
    var fractionDone: Double
    var completed: Bool { fractionDone >= 1 }
}

/// The training state that lives across steps: the model, its optimizers, and the workers' data.
final class Trainer {
    let plan: TrainPlan
    let model: Sequential
    /// Local training's optimizer; federated averaging makes a new one per copy.
    private var optimizer: (any Optimizer)?
    /// Federated SGD's epochs: an optimizer per worker (state lives where the parameters are) and the
    /// training step's plan on each.
    private lazy var federatedTrainer = FederatedTrainer(
        model, on: datasets, task: plan.task, batchSize: plan.batchSize
    ) { [plan] in plan.optimizer.make($0) }
    let datasets: [FederatedDataset]
    let aggregator: (any Worker)?
    /// Local training's batches (nil when the data is on workers).
    private let loader: DataLoader?
    let stop: StopFlag

    init(plan: TrainPlan, datasets: [FederatedDataset], aggregator: (any Worker)?, stop: StopFlag) throws {
        self.plan = plan
        self.model = try plan.makeModel()
        self.datasets = datasets
        self.aggregator = aggregator
        self.stop = stop
        if plan.federated == nil, let x = plan.trainFeatures, let y = plan.trainTargets {
            loader = DataLoader(
                features: x, targets: y, batchSize: plan.batchSize, shuffle: true,
                generator: Generator(seed: plan.seed &+ 1))
        } else {
            loader = nil
        }
    }

    /// The batches one step runs (what the progress bar counts).
    var batchesPerStep: Int {
        let perWorker = datasets.reduce(0) { $0 + ($1.count + plan.batchSize - 1) / plan.batchSize }
        switch plan.federated?.mode {
        case nil: return loader?.count ?? 0
        case .sgd?: return perWorker
        case .averaging?: return perWorker * (plan.federated?.localEpochs ?? 1)
        }
    }

    /// Runs step `index` (from 1); `advance` is called after every batch with the running mean loss.
    func runStep(_ index: Int, advance: (Double) -> Void) throws -> StepOutcome {
        switch plan.federated?.mode {
        case nil: return try localEpoch(advance: advance)
        case .sgd?: return try federatedSGDEpoch(advance: advance)
        case .averaging?: return try averagingRound(advance: advance)
        }
    }

    private func localEpoch(advance: (Double) -> Void) throws -> StepOutcome {
        guard let loader else { preconditionFailure("local training without local data") }
        let optimizer = self.optimizer ?? plan.optimizer.make(model.parameters())
        self.optimizer = optimizer
        model.train()
        var total = 0.0
        var batches = 0
        for (x, y) in loader {
            optimizer.zeroGrad()
            let loss = plan.task.loss(model(x), y)
            try loss.backward()
            try optimizer.step()
            total += loss.item()
            batches += 1
            advance(total / Double(batches))
            if stop.isSet { break }
        }
        return StepOutcome(
            trainLoss: total / Double(Swift.max(batches, 1)),
            fractionDone: Double(batches) / Double(loader.count))
    }

    private func federatedSGDEpoch(advance: (Double) -> Void) throws -> StepOutcome {
        var done = 0
        // The model comes back with the loss from each worker, in one round trip.
        let epoch = try federatedTrainer.epoch {
            done += 1
            advance(.nan)
            return !stop.isSet
        }
        return StepOutcome(trainLoss: epoch.loss, fractionDone: Double(done) / Double(batchesPerStep))
    }

    private func averagingRound(advance: (Double) -> Void) throws -> StepOutcome {
        guard let aggregator else { preconditionFailure("federated averaging without an aggregator") }
        // The owners' batches go out in turn, so workers in other processes train at the same time.
        let roundLoss = try federatedAveragingRound(
            model, on: datasets, aggregator: aggregator, task: plan.task,
            localEpochs: plan.federated?.localEpochs ?? 1, batchSize: plan.batchSize,
            makeModel: { try plan.makeModel() },
            makeOptimizer: { plan.optimizer.make($0) }
        ) {
            advance(.nan)
            return !stop.isSet
        }
        // A stopped round is discarded: the global model stays as the last complete round left it.
        guard let roundLoss else { return StepOutcome(trainLoss: .nan, fractionDone: 0) }
        return StepOutcome(trainLoss: roundLoss, fractionDone: 1)
    }

    /// Test loss and accuracy (classification) or mean squared error in the target's units
    /// (regression), on the held-back split; nil without one.
    func testMetrics() -> (loss: Double, metric: Double)? {
        guard let x = plan.testFeatures, let y = plan.testTargets else { return nil }
        let (loss, accuracy) = evaluate(model, features: x, targets: y, task: plan.task)
        return (loss, accuracy ?? plan.preprocessing.meanSquaredErrorInTargetUnits(loss))
    }
}

/// The training split's rows in `parts` contiguous shards (sizes differ by at most one), sent to the
/// workers: each worker's data set.
func shardAndSend(features: Tensor, targets: Tensor, to workers: [any Worker]) throws -> [FederatedDataset] {
    let n = features.shape[0]
    var out: [FederatedDataset] = []
    for (k, worker) in workers.enumerated() {
        let lo = n * k / workers.count
        let hi = n * (k + 1) / workers.count
        let x = try features[lo..<hi].send(to: worker, tags: ["#train", "#features"])
        let y = try targets[lo..<hi].send(to: worker, tags: ["#train", "#targets"])
        out.append(FederatedDataset(features: x, targets: y))
    }
    return out
}
