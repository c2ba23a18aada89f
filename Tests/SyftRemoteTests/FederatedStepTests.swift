import SyftCore
import SyftNN
import Synchronization
import XCTest
import _TestSupport

@testable import SyftRemote

/// The steps the federated loops are made of, for callers that drive their own loop (`syft train`).
final class FederatedStepTests: XCTestCase {
    /// `trainOnWorker` stops when `afterBatch` says so, brings back the loss sum of the batches run, and
    /// leaves the model where it was.
    func testTrainOnWorkerStopsWhenAsked() throws {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let x = Tensor.randn([10, 3], generator: Generator(seed: 1))
            let y = Tensor([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
            let data = FederatedDataset(features: try x.send(to: bob), targets: try y.send(to: bob))
            let model = Sequential(Linear(3, 2, generator: Generator(seed: 2)))
            try model.send(to: bob)
            var calls = 0
            let result = try trainOnWorker(
                model, data, optimizer: SGD(model.parameters(), lr: 0.1), task: .classify, epochs: 2,
                batchSize: 2
            ) {
                calls += 1
                return calls < 3
            }
            XCTAssertEqual(result.batches, 3)
            XCTAssertFalse(result.completed)
            XCTAssertGreaterThan(result.lossSum, 0)
            XCTAssertTrue(model.location === bob)
            let full = try trainOnWorker(
                model, data, optimizer: SGD(model.parameters(), lr: 0.1), task: .classify, epochs: 2,
                batchSize: 4)
            XCTAssertEqual(full.batches, 6)
            XCTAssertTrue(full.completed)
        }
    }

    /// The loop that calls back after every batch records the step as a plan at the first batch of each
    /// size and sends each later batch of that size as one run of it. It trains as the same batches do
    /// here.
    func testTheCalledBackLoopRunsThePlanForEachLaterFullBatch() throws {
        let x = Tensor.randn([11, 3], generator: Generator(seed: 3))
        let y = Tensor([0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1])
        func makeModel() -> Sequential { Sequential(Linear(3, 2, generator: Generator(seed: 4))) }
        let expected = makeModel()
        let optimizer = SGD(expected.parameters(), lr: 0.1)
        var expectedLoss = 0.0
        for _ in 0..<2 {
            for start in stride(from: 0, to: 11, by: 4) {
                let rows = start..<min(11, start + 4)
                optimizer.zeroGrad()
                let loss = crossEntropy(expected(x[rows]), y[rows])
                try loss.backward()
                try optimizer.step()
                expectedLoss += loss.item()
            }
        }
        let bob = VirtualWorker(id: "bob", useWireCodec: true)
        let data = FederatedDataset(features: try x.send(to: bob), targets: try y.send(to: bob))
        let model = makeModel()
        try model.send(to: bob)
        try bob.synchronize()
        var queued: [String] = []
        let result = try trainOnWorker(
            model, data, optimizer: SGD(model.parameters(), lr: 0.1), task: .classify, epochs: 2, batchSize: 4
        ) {
            queued = bob.channel.state.withLock { $0.queue.map(\.name) }
            return true
        }
        // Two full batches and one of 3 rows per epoch: the first of each size records, the other four run.
        XCTAssertEqual(queued.filter { $0 == "define_plan" }.count, 2)
        XCTAssertEqual(queued.filter { $0 == "run_plan" }.count, 4)
        XCTAssertEqual(result.batches, 6)
        XCTAssertEqual(result.lossSum, expectedLoss, accuracy: 1e-5)
        try model.get()
        for (p, e) in zip(model.parameters(), expected.parameters()) {
            assertClose(p.value, e.value, rtol: 1e-5, atol: 1e-6)
        }
    }

    /// The tutorial-2 loop (`trainFederated`) trains as the same visits do here, with an optimizer per
    /// worker whose state (momentum) stays on its worker between visits, and returns each epoch's mean
    /// batch loss; the model is here again at the end, with the gradients of the last batch. In all modes: the parameters go back to a worker
    /// under the ids they had at the first visit, and the plan recorded then runs at every later visit.
    func testTheTutorialTwoLoopTrainsAsTheSameVisitsHere() throws {
        let xs = [
            Tensor.randn([11, 3], generator: Generator(seed: 11)),
            Tensor.randn([7, 3], generator: Generator(seed: 12)),
        ]
        let ys = [Tensor([0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1]), Tensor([1, 1, 0, 1, 0, 0, 1])]
        func makeModel() -> Sequential {
            let g = Generator(seed: 13)
            return Sequential(Linear(3, 4, generator: g), ReLU(), Linear(4, 2, generator: g))
        }
        let expected = makeModel()
        let optimizers = xs.map { _ in SGD(expected.parameters(), lr: 0.1, momentum: 0.9) }
        var expectedLosses: [Double] = []
        for _ in 0..<3 {
            var total = 0.0
            var batches = 0
            for (k, (x, y)) in zip(xs, ys).enumerated() {
                for start in stride(from: 0, to: x.shape[0], by: 4) {
                    let rows = start..<min(x.shape[0], start + 4)
                    optimizers[k].zeroGrad()
                    let loss = crossEntropy(expected(x[rows]), y[rows])
                    try loss.backward()
                    try optimizers[k].step()
                    total += loss.item()
                    batches += 1
                }
            }
            expectedLosses.append(total / Double(batches))
        }
        forEachMode { mode, worker in
            let workers = [try worker("bob"), try worker("alice")]
            let datasets = try zip(zip(xs, ys), workers).map { (xy, w) in
                FederatedDataset(features: try xy.0.send(to: w), targets: try xy.1.send(to: w))
            }
            let model = makeModel()
            let losses = try trainFederated(model, on: datasets, task: .classify, epochs: 3, batchSize: 4) {
                SGD($0, lr: 0.1, momentum: 0.9)
            }
            XCTAssertEqual(losses.count, 3, "[\(mode)]")
            for (l, e) in zip(losses, expectedLosses) { XCTAssertEqual(l, e, accuracy: 1e-5, "[\(mode)]") }
            XCTAssertTrue(model.parameters().allSatisfy { $0.value.isLocal }, "[\(mode)]")
            for (p, e) in zip(model.parameters(), expected.parameters()) {
                assertClose(p.value, e.value, rtol: 1e-4, atol: 1e-5)
                // The gradients of the last batch come back with the model, as here.
                assertClose(try XCTUnwrap(p.value.grad), try XCTUnwrap(e.value.grad), rtol: 1e-4, atol: 1e-5)
            }
        }
    }

    /// The tutorial-2 loop records its training step once per worker and batch size, at the first visit,
    /// and every later visit runs those plans (a `run_plan` for the full batches and one for the smaller
    /// last batch, no `define_plan`): Note [A plan for every visit].
    func testTheTutorialTwoLoopRecordsItsStepOncePerWorker() throws {
        let workers = [CountingWorker(id: "bob"), CountingWorker(id: "alice")]
        let x = Tensor.randn([11, 3], generator: Generator(seed: 14))
        let y = Tensor([0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1])
        let datasets = try workers.map {
            FederatedDataset(features: try x.send(to: $0), targets: try y.send(to: $0))
        }
        let model = Sequential(Linear(3, 2, generator: Generator(seed: 15)))
        try trainFederated(model, on: datasets, task: .classify, epochs: 3, batchSize: 4) { SGD($0, lr: 0.1) }
        for w in workers {
            let names = w.transport.names.withLock { $0 }
            // At the first visit the first batch records the plan and the second runs it, and the smaller
            // last batch records its own; each later visit runs both.
            XCTAssertEqual(names.filter { $0 == "define_plan" }.count, 2, w.id)
            XCTAssertEqual(names.filter { $0 == "run_plan" }.count, 5, w.id)
        }
    }

    /// A `FederatedTrainer` keeps its plans across epochs, whichever loop an epoch runs (one request a
    /// visit, or one per batch with a callback), and a stopped epoch brings the model back; its epochs
    /// with a callback train as `trainFederated` does.
    func testAFederatedTrainerKeepsItsPlansAcrossEpochsAndStops() throws {
        let x = Tensor.randn([11, 3], generator: Generator(seed: 16))
        let y = Tensor([0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1])
        func makeModel() -> Sequential { Sequential(Linear(3, 2, generator: Generator(seed: 17))) }
        let workers = [CountingWorker(id: "bob"), CountingWorker(id: "alice")]
        let datasets = try workers.map {
            FederatedDataset(features: try x.send(to: $0), targets: try y.send(to: $0))
        }
        let model = makeModel()
        let trainer = FederatedTrainer(model, on: datasets, task: .classify, batchSize: 4) {
            SGD($0, lr: 0.1)
        }
        var calls = 0
        let first = try trainer.epoch {
            calls += 1
            return true
        }
        XCTAssertEqual(first.batches, 6)
        XCTAssertTrue(first.completed)
        try trainer.epoch()
        let expected = makeModel()
        let losses = try trainFederated(expected, on: datasets, task: .classify, epochs: 2, batchSize: 4) {
            SGD($0, lr: 0.1)
        }
        XCTAssertEqual(first.loss, losses[0], accuracy: 1e-6)
        for (p, e) in zip(model.parameters(), expected.parameters()) {
            assertClose(p.value, e.value, rtol: 1e-5, atol: 1e-6)
        }
        for w in workers { w.transport.names.withLock { $0.removeAll() } }
        // Stopped after the second batch at bob: alice is not visited, and the model is here.
        let third = try trainer.epoch {
            calls += 1
            return calls < 8
        }
        XCTAssertEqual(third.batches, 2)
        XCTAssertFalse(third.completed)
        XCTAssertTrue(model.parameters().allSatisfy { $0.value.isLocal })
        for (w, runs) in zip(workers, [2, 0]) {
            let names = w.transport.names.withLock { $0 }
            XCTAssertEqual(names.filter { $0 == "define_plan" }.count, 0, w.id)
            XCTAssertEqual(names.filter { $0 == "run_plan" }.count, runs, w.id)
        }
    }

    /// Data smaller than one batch (only a smaller batch, run without a plan) trains as the same batches
    /// train here, with either loop.
    func testDataSmallerThanABatchTrainsAsHere() throws {
        let x = Tensor.randn([3, 3], generator: Generator(seed: 7))
        let y = Tensor([1, 0, 1])
        func makeModel() -> Sequential { Sequential(Linear(3, 2, generator: Generator(seed: 8))) }
        let expected = makeModel()
        let optimizer = SGD(expected.parameters(), lr: 0.1)
        for _ in 0..<2 {
            optimizer.zeroGrad()
            try crossEntropy(expected(x), y).backward()
            try optimizer.step()
        }
        for calledBack in [false, true] {
            let bob = VirtualWorker(id: "bob", useWireCodec: true)
            let data = FederatedDataset(features: try x.send(to: bob), targets: try y.send(to: bob))
            let model = makeModel()
            try model.send(to: bob)
            let result = try trainTwoEpochs(model, data, calledBack: calledBack, bringingBack: true)
            XCTAssertEqual(result.batches, 2)
            XCTAssertTrue(model.parameters().allSatisfy { $0.value.isLocal })
            for (p, e) in zip(model.parameters(), expected.parameters()) {
                assertClose(p.value, e.value, rtol: 1e-5, atol: 1e-6)
            }
        }
    }

    /// `bringingBack: true` brings the trained model back with the loss: the same model and loss as a
    /// `model.get()` after the call, with either loop.
    func testBringingTheModelBackWithTheLoss() throws {
        let x = Tensor.randn([9, 3], generator: Generator(seed: 5))
        let y = Tensor([0, 1, 1, 0, 1, 0, 0, 1, 1])
        func makeModel() -> Sequential { Sequential(Linear(3, 2, generator: Generator(seed: 6))) }
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let data = FederatedDataset(features: try x.send(to: bob), targets: try y.send(to: bob))
            for calledBack in [false, true] {
                let (plain, brought) = (makeModel(), makeModel())
                var losses: [Double] = []
                for (model, bringingBack) in [(plain, false), (brought, true)] {
                    try model.send(to: bob)
                    let result = try trainTwoEpochs(
                        model, data, calledBack: calledBack, bringingBack: bringingBack)
                    losses.append(result.lossSum)
                    XCTAssertEqual(result.batches, 6, "[\(mode)]")
                }
                XCTAssertTrue(brought.parameters().allSatisfy { $0.value.isLocal }, "[\(mode)]")
                XCTAssertFalse(plain.parameters().contains { $0.value.isLocal }, "[\(mode)]")
                try plain.get()
                XCTAssertEqual(losses[0], losses[1], accuracy: 1e-6, "[\(mode)] called back: \(calledBack)")
                for (a, b) in zip(plain.parameters(), brought.parameters()) {
                    XCTAssertEqual(a.value.floats, b.value.floats, "[\(mode)] called back: \(calledBack)")
                }
            }
        }
    }

    /// Two epochs of `trainOnWorker` in batches of 4 with SGD (lr 0.1), with the loop that calls back
    /// after every batch or the one that does not.
    private func trainTwoEpochs(
        _ model: Sequential, _ data: FederatedDataset, calledBack: Bool, bringingBack: Bool
    ) throws -> (lossSum: Double, batches: Int, completed: Bool) {
        let optimizer = SGD(model.parameters(), lr: 0.1)
        guard calledBack else {
            return try trainOnWorker(
                model, data, optimizer: optimizer, task: .classify, epochs: 2, batchSize: 4,
                bringingBack: bringingBack)
        }
        return try trainOnWorker(
            model, data, optimizer: optimizer, task: .classify, epochs: 2, batchSize: 4,
            bringingBack: bringingBack
        ) { true }
    }

    /// `averageParameters` gives the weighted mean of the copies, computed on the aggregator.
    func testAverageParametersIsTheWeightedMean() throws {
        forEachMode { _, worker in
            let secure = try worker("secure")
            let a = Linear(2, 2, generator: Generator(seed: 3))
            let b = Linear(2, 2, generator: Generator(seed: 4))
            let expected = a.weight.detached() * 0.25 + b.weight.detached() * 0.75
            try a.send(to: secure)
            try b.send(to: secure)
            let model = Linear(2, 2, generator: Generator(seed: 5))
            try averageParameters(of: [a, b], weights: [0.25, 0.75], into: model)
            XCTAssertTrue(model.weight.isLocal && model.weight.requiresGrad)
            assertClose(model.weight, expected, rtol: 1e-6, atol: 1e-7)
        }
    }

    /// A round of federated averaging computes what training each owner's copy here and averaging here
    /// computes: the owners' runs overlap on the workers, and the result is the same.
    func testFederatedAveragingMatchesTheSameTrainingDoneHere() throws {
        let g = Generator(seed: 6)
        let xs = [Tensor.randn([6, 3], generator: g), Tensor.randn([4, 3], generator: g)]
        let ys = [Tensor([0, 1, 1, 0, 1, 0]), Tensor([1, 1, 0, 0])]
        func makeModel() -> Sequential { Sequential(Linear(3, 2, generator: Generator(seed: 7))) }
        // Here: each round, a copy per owner trained on its batches in order, then the weighted mean.
        let expected = makeModel()
        var expectedLosses: [Double] = []
        for _ in 0..<2 {
            expectedLosses.append(
                try averagingRoundHere(
                    expected, xs, ys, weights: [0.6, 0.4], epochs: 1, makeModel: makeModel))
        }
        forEachMode { mode, worker in
            let owners = [try worker("bob"), try worker("alice")]
            let secure = try worker("secure")
            let datasets = try send(xs, ys, to: owners)
            let model = makeModel()
            let losses = try federatedAveraging(
                model, on: datasets, aggregator: secure, task: .classify, rounds: 2, localEpochs: 1,
                batchSize: 4, makeModel: makeModel, makeOptimizer: { SGD($0, lr: 0.1) })
            XCTAssertEqual(losses.count, 2)
            for (l, e) in zip(losses, expectedLosses) { XCTAssertEqual(l, e, accuracy: 1e-5, "[\(mode)]") }
            for (p, e) in zip(model.parameters(), expected.parameters()) {
                XCTAssertTrue(p.value.isLocal)
                assertClose(p.value, e.value, rtol: 1e-5, atol: 1e-6)
            }
            // Only the data is left on the owners, nothing on the aggregator.
            try withExtendedLifetime(datasets) {
                XCTAssertEqual(try owners.map(objectCount), [2, 2], "[\(mode)]")
            }
            XCTAssertEqual(try objectCount(secure), 0, "[\(mode)]")
        }
    }

    /// A round that reports each batch computes what the same round computes here (two local epochs, two
    /// owners of different sizes), calls back once per batch of every owner, and leaves only the data.
    func testFederatedAveragingRoundMatchesTheSameRoundDoneHere() throws {
        let g = Generator(seed: 11)
        let xs = [Tensor.randn([6, 3], generator: g), Tensor.randn([4, 3], generator: g)]
        let ys = [Tensor([1, 0, 1, 1, 0, 0]), Tensor([0, 1, 0, 1])]
        func makeModel() -> Sequential { Sequential(Linear(3, 2, generator: Generator(seed: 12))) }
        let expected = makeModel()
        let expectedLoss = try averagingRoundHere(
            expected, xs, ys, weights: [0.6, 0.4], epochs: 2, makeModel: makeModel)
        forEachMode { mode, worker in
            let owners = [try worker("bob"), try worker("alice")]
            let secure = try worker("secure")
            let datasets = try send(xs, ys, to: owners)
            let model = makeModel()
            var calls = 0
            let loss = try federatedAveragingRound(
                model, on: datasets, aggregator: secure, task: .classify, localEpochs: 2, batchSize: 4,
                makeModel: makeModel, makeOptimizer: { SGD($0, lr: 0.1) }
            ) {
                calls += 1
                return true
            }
            XCTAssertEqual(calls, 6, "[\(mode)] (2 + 1 batches) × 2 epochs")
            XCTAssertEqual(try XCTUnwrap(loss), expectedLoss, accuracy: 1e-5, "[\(mode)]")
            for (p, e) in zip(model.parameters(), expected.parameters()) {
                XCTAssertTrue(p.value.isLocal && p.value.requiresGrad)
                assertClose(p.value, e.value, rtol: 1e-5, atol: 1e-6)
            }
            try withExtendedLifetime(datasets) {
                XCTAssertEqual(try owners.map(objectCount), [2, 2], "[\(mode)]")
            }
            XCTAssertEqual(try objectCount(secure), 0, "[\(mode)]")
        }
    }

    /// An owner without rows takes no part: the round's loss is the other owner's, and the average is the
    /// other owner's copy (its weight is zero), with either loop.
    func testAnOwnerWithoutRowsTakesNoPart() throws {
        let x = Tensor.randn([4, 3], generator: Generator(seed: 16))
        let y = Tensor([1, 0, 0, 1])
        func makeModel() -> Sequential { Sequential(Linear(3, 2, generator: Generator(seed: 17))) }
        let expected = makeModel()
        let expectedLoss = try trainEpoch(
            expected, DataLoader(features: x, targets: y, batchSize: 2, shuffle: false),
            optimizer: SGD(expected.parameters(), lr: 0.1), task: .classify)
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let alice = try worker("alice")
            let secure = try worker("secure")
            let datasets = [
                FederatedDataset(features: try x.send(to: bob), targets: try y.send(to: bob)),
                FederatedDataset(
                    features: try Tensor.zeros([0, 3]).send(to: alice),
                    targets: try Tensor(shape: [0], scalars: [Int64]()).send(to: alice)),
            ]
            let viaPlan = makeModel()
            let losses = try federatedAveraging(
                viaPlan, on: datasets, aggregator: secure, task: .classify, rounds: 1, localEpochs: 1,
                batchSize: 2, makeModel: makeModel, makeOptimizer: { SGD($0, lr: 0.1) })
            let streamed = makeModel()
            let loss = try federatedAveragingRound(
                streamed, on: datasets, aggregator: secure, task: .classify, localEpochs: 1, batchSize: 2,
                makeModel: makeModel, makeOptimizer: { SGD($0, lr: 0.1) }, afterBatch: { true })
            XCTAssertEqual(losses.first ?? .nan, expectedLoss, accuracy: 1e-5, "[\(mode)]")
            XCTAssertEqual(loss ?? .nan, expectedLoss, accuracy: 1e-5, "[\(mode)]")
            for (p, e) in zip(
                viaPlan.parameters() + streamed.parameters(), expected.parameters() + expected.parameters())
            {
                assertClose(p.value, e.value, rtol: 1e-5, atol: 1e-6)
            }
        }
    }

    /// A round stopped by its callback is discarded: it returns nil, the global model is as it was, and the
    /// owners keep only their data.
    func testAStoppedFederatedAveragingRoundLeavesTheModelAsItWas() throws {
        forEachMode { mode, worker in
            let owners = [try worker("bob"), try worker("alice")]
            let secure = try worker("secure")
            let x = Tensor.randn([8, 3], generator: Generator(seed: 13))
            let y = Tensor([0, 1, 0, 1, 1, 0, 1, 0])
            let datasets = try owners.map {
                FederatedDataset(features: try x.send(to: $0), targets: try y.send(to: $0))
            }
            let model = Sequential(Linear(3, 2, generator: Generator(seed: 14)))
            let before = model.parameters().map { $0.value.detached() }
            var calls = 0
            let loss = try federatedAveragingRound(
                model, on: datasets, aggregator: secure, task: .classify, localEpochs: 1, batchSize: 2,
                makeModel: { Sequential(Linear(3, 2, generator: Generator(seed: 15))) },
                makeOptimizer: { SGD($0, lr: 0.1) }
            ) {
                calls += 1
                return calls < 3
            }
            XCTAssertNil(loss, "[\(mode)]")
            XCTAssertEqual(calls, 3, "[\(mode)]")
            for (p, b) in zip(model.parameters(), before) {
                XCTAssertTrue(p.value.isLocal)
                assertClose(p.value, b, rtol: 0, atol: 0)
            }
            try withExtendedLifetime(datasets) {
                XCTAssertEqual(
                    try owners.map(objectCount), [2, 2], "[\(mode)] the owners keep only their data")
            }
            XCTAssertEqual(try objectCount(secure), 0, "[\(mode)]")
        }
    }

    /// When the second owner's data cannot be used, after the first owner's training was sent, federated
    /// averaging reports it and leaves the global model as it was and nothing of the copies on a worker,
    /// with plans and with a streamed round alike.
    func testFederatedAveragingFailingAtTheSecondOwnerLeavesNothingBehind() throws {
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let alice = try worker("alice")
            let secure = try worker("secure")
            let x = Tensor.randn([4, 3], generator: Generator(seed: 8))
            let y = Tensor([0, 1, 0, 1])
            let aliceTargets = try y.send(to: alice)
            let datasets = [
                FederatedDataset(features: try x.send(to: bob), targets: try y.send(to: bob)),
                FederatedDataset(features: try x.send(to: alice), targets: aliceTargets),
            ]
            _ = try aliceTargets.get()  // alice's targets are fetched: her data set cannot be trained on
            let model = Sequential(Linear(3, 2, generator: Generator(seed: 9)))
            let before = model.parameters().map { $0.value.detached() }
            func makeModel() -> Sequential { Sequential(Linear(3, 2, generator: Generator(seed: 10))) }
            // The loop with plans, then the round that streams its batches with a callback.
            let loops: [(String, () throws -> Void)] = [
                (
                    "federatedAveraging",
                    {
                        try federatedAveraging(
                            model, on: datasets, aggregator: secure, task: .classify, rounds: 1,
                            localEpochs: 1,
                            batchSize: 2, makeModel: makeModel, makeOptimizer: { SGD($0, lr: 0.1) })
                    }
                ),
                (
                    "federatedAveragingRound",
                    {
                        _ = try federatedAveragingRound(
                            model, on: datasets, aggregator: secure, task: .classify, localEpochs: 1,
                            batchSize: 2, makeModel: makeModel, makeOptimizer: { SGD($0, lr: 0.1) },
                            afterBatch: { true })
                    }
                ),
            ]
            for (name, loop) in loops {
                assertSyftError(try loop(), "[\(mode)] \(name)") {
                    if case .alreadyFetched = $0 { return true }
                    return false
                }
                for (p, b) in zip(model.parameters(), before) {
                    XCTAssertTrue(p.value.isLocal)
                    assertClose(p.value, b, rtol: 0, atol: 0)
                }
                try withExtendedLifetime(datasets) {
                    XCTAssertEqual(try objectCount(bob), 2, "[\(mode)] \(name): bob keeps only its data")
                    XCTAssertEqual(
                        try objectCount(alice), 1, "[\(mode)] \(name): alice keeps only her features")
                }
                XCTAssertEqual(try objectCount(secure), 0, "[\(mode)] \(name)")
            }
        }
    }

    /// An optimizer step naming one object twice (as two parameters, or as a parameter and a state) is
    /// refused before anything changes.
    func testAStepWithRepeatedIDsIsRefused() throws {
        let runtime = isolatedRuntime("bob")
        var w = Tensor([1.0, 2.0])
        w.requiresGrad = true
        w.grad = Tensor([1.0, 1.0])
        _ = runtime.handle([
            .object(
                id: 1, value: .tensor(TensorPayload(tensor: w, requiresGrad: true, grad: w.grad)), tags: [],
                description: "")
        ])
        let sgd = ParameterUpdate.sgd(lr: 0.5, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false)
        for (params, state) in [([1, 1], [2, 3]), ([1], [1]), ([1, 4], [2, 2])] as [([ObjectID], [ObjectID])]
        {
            let replies = runtime.handle([.update(rule: sgd, params: params, state: state), .synchronize])
            guard case .failure(_, .invalidCommand(_, let reason))? = replies.first else {
                return XCTFail("\(params) \(state): \(replies)")
            }
            XCTAssertTrue(reason.contains("repeated"), reason)
        }
        let after = runtime.handle([.get(id: 1)])
        guard case .object(.tensor(let p))? = after.first else { return XCTFail("\(after)") }
        XCTAssertEqual(p.tensor.scalars(as: Double.self), [1, 2], "the parameter is unchanged")
    }
}

/// Each owner's data set: `xs[i]` and `ys[i]` sent to `owners[i]`.
private func send(_ xs: [Tensor], _ ys: [Tensor], to owners: [any Worker]) throws -> [FederatedDataset] {
    try owners.indices.map { i in
        FederatedDataset(features: try xs[i].send(to: owners[i]), targets: try ys[i].send(to: owners[i]))
    }
}

/// One round of federated averaging computed here: per owner, a copy of `model` trained `epochs` epochs
/// on its rows in order (batches of 4, SGD with learning rate 0.1), then the copies' weighted average into
/// `model`. Returns the mean over the owners of each copy's mean batch loss.
private func averagingRoundHere(
    _ model: Sequential, _ xs: [Tensor], _ ys: [Tensor], weights: [Double], epochs: Int,
    makeModel: () -> Sequential
) throws -> Double {
    var copies: [Sequential] = []
    var loss = 0.0
    for (x, y) in zip(xs, ys) {
        let copy = makeModel()
        copy.loadParameters(from: model)
        let optimizer = SGD(copy.parameters(), lr: 0.1)
        let loader = DataLoader(features: x, targets: y, batchSize: 4, shuffle: false)
        for _ in 0..<epochs {
            loss += try trainEpoch(copy, loader, optimizer: optimizer, task: .classify) / Double(epochs)
        }
        copies.append(copy)
    }
    average(copies, weights: weights, into: model)
    return loss / Double(xs.count)
}

/// Sets `model`'s parameters to the weighted sum of the copies' (computed here), as leaves that require
/// grad.
private func average(_ copies: [Sequential], weights: [Double], into model: Sequential) {
    for (k, p) in model.parameters().enumerated() {
        var v = withoutGradient {
            zip(copies, weights).map { $0.parameters()[k].value.detached() * $1 }.reduce(
                Tensor.zeros(p.value.shape), +)
        }
        v.requiresGrad = true
        p.value = v
    }
}

/// A worker in this process whose transport keeps the names of the requests it delivers.
private final class CountingWorker: Worker, @unchecked Sendable {
    final class Transport: WorkerTransport {
        let inner: VirtualTransport
        let names = Mutex<[String]>([])
        init(_ inner: VirtualTransport) { self.inner = inner }
        func deliver(_ requests: [Request], wait: Bool) -> [Reply] {
            names.withLock { $0 += requests.map(\.name) }
            return inner.deliver(requests, wait: wait)
        }
    }
    let id: String
    let channel: Channel
    let transport: Transport
    private var token: RegistryToken?
    var registryToken: RegistryToken { token! }
    var description: String { "<CountingWorker id:\(id)>" }

    init(id: String) {
        self.id = id
        let runtime = WorkerRuntime(id: id, limits: .unlimited) { p throws(SyftError) in
            throw .unknownWorker(id: p.location)
        }
        transport = Transport(VirtualTransport(runtime: runtime, useWireCodec: true, limits: .unlimited))
        channel = Channel(transport: transport)
        token = RegistryToken(self)
        me.register(self)
    }
}
