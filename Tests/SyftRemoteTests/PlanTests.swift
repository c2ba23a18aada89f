import SyftCore
import SyftNN
import SyftRemote
import XCTest
import _TestSupport

/// Plans: a computation recorded once on a worker and run there again by id (Note [Plans]).
final class PlanTests: XCTestCase {
    /// A plan runs again on other arguments, of another shape, with the output's shape known here; what
    /// the recording run returned stays as it was, and a run leaves no intermediate behind.
    func testPlanRunsAgainOnOtherArguments() throws {
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let x = try Tensor([1.0, 2, 3] as [Float]).send(to: bob)
            let (plan, first) = try Plan.record([x]) { a in [(a[0] * 2 + 1).relu()] }
            XCTAssertEqual(first.count, 1)
            let z = try Tensor([[-4.0, 5], [6, -7]] as [[Float]]).send(to: bob)
            let y = try plan(z)[0]
            XCTAssertEqual(y.shape, [2, 2], "[\(mode)]")
            let w = try plan(x)[0]
            XCTAssertEqual(try y.get().scalars(as: Float.self), [0, 11, 13, 0], "[\(mode)]")
            XCTAssertEqual(try w.get().scalars(as: Float.self), [3, 5, 7], "[\(mode)]")
            XCTAssertEqual(try first[0].get().scalars(as: Float.self), [3, 5, 7], "[\(mode)]")
            // x and z remain: the runs' intermediates (x * 2, + 1) were deleted at the end of each run.
            XCTAssertEqual(try objectCount(bob), 2, "[\(mode)]")
            XCTAssertTrue(plan.description.hasPrefix("[Plan | bob:"), plan.description)
        }
    }

    /// A run keeps what it creates out of the store (Note [Plan programs]): an in-place change of an
    /// intermediate, a tensor the body sent, a detach and a backward all run on the run's own objects; the
    /// intermediates count in the memory budget while the run lasts; and a run that fails leaves nothing.
    func testARunKeepsWhatItCreatesToItself() throws {
        for codec in [false, true] {
            let bob = VirtualWorker(
                id: "bob", useWireCodec: codec,
                limits: WorkerLimits(maxTensorBytes: 1 << 20, memoryBudget: 20_000, maxMessageBytes: 1 << 22))
            let w = try Tensor([1.0, -2, 3], requiresGrad: true).send(to: bob)
            let x = try Tensor([[1.0, 2, 3], [4, 5, 6]] as [[Float]]).send(to: bob)
            let (plan, _) = try Plan.record([x]) { a in
                var t = a[0] * 2
                t += try Tensor([1.0, 1, 1] as [Float]).send(to: bob)
                let loss = (t * w).sum()
                try loss.backward(wait: false)
                return [loss.detached(), t.detached()]
            }
            try bob.synchronize()
            let before = try objectCount(bob)
            let wide = try Tensor.ones([4, 3]).send(to: bob)
            let out = try plan(wide)
            // t = 2 x + 1 = 3 everywhere; loss = sum over rows of 3 (1 - 2 + 3) = 4 rows * 6.
            XCTAssertEqual(try out[0].get().scalars(as: Float.self), [24], "codec \(codec)")
            XCTAssertEqual(try out[1].get().shape, [4, 3], "codec \(codec)")
            // The backward reached the parameter read from the store, after the recording run's: the
            // column sums of t, [12, 16, 20] then [12, 12, 12].
            XCTAssertEqual(try w.grad?.get().floats, [24, 28, 32], "codec \(codec)")
            XCTAssertEqual(try objectCount(bob), before + 1, "codec \(codec): only the argument was added")
            // 600 rows: the argument and the run's intermediates (7200 bytes each) go beyond the budget.
            let tall = try Tensor.ones([600, 3]).send(to: bob)
            try bob.synchronize()
            let held = bob.runtime.bytesHeld
            _ = try plan(tall)
            assertSyftError(try bob.synchronize(), "codec \(codec)") {
                if case .resourceExhausted = $0 { return true }
                return false
            }
            XCTAssertEqual(bob.runtime.bytesHeld, held, "codec \(codec): the failed run left nothing")
        }
    }

    /// A batched run slices the arguments into blocks of rows on the worker and sums each output.
    func testBatchedRunSumsTheOutputsOverTheBlocks() throws {
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let data = Tensor.randn([7, 3], generator: Generator(seed: 3))
            let labels = Tensor([1, 2, 3, 4, 5, 6, 7] as [Int64])
            let x = try data.send(to: bob)
            let y = try labels.send(to: bob)
            let (plan, _) = try Plan.record([x[..<2], y[..<2]]) { a in
                [(a[0] * a[0]).sum(), a[1].sum()]
            }
            let sums = try plan.run(batchesOf: [x, y], batchSize: 3)
            XCTAssertEqual(sums.map(\.shape), [[], []])
            assertClose(try sums[0].get(), (data * data).sum(), atol: 1e-5)
            XCTAssertEqual(try sums[1].get().scalars(as: Int64.self), [28], "[\(mode)]")
        }
    }

    /// A training step recorded as a plan and run over the batches trains the model exactly as the same
    /// loop run here: the optimizer steps the model's parameters on the worker, and keeps its state there
    /// (momentum, Adam's moments and step count), run after run.
    func testTrainingStepPlanTrainsAsTheLocalLoop() throws {
        let optimizers: [(String, ([Parameter]) -> any Optimizer)] = [
            ("sgd", { SGD($0, lr: 0.1, momentum: 0.9) }), ("adam", { Adam($0, lr: 0.01) }),
        ]
        for (name, makeOptimizer) in optimizers {
            forEachMode { mode, worker in
                let bob = try worker("bob")
                let x = Tensor.randn([10, 4], generator: Generator(seed: 5))
                let y = Tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0] as [Int64])
                func makeModel() -> Sequential {
                    let g = Generator(seed: 9)
                    return Sequential(Linear(4, 5, generator: g), ReLU(), Linear(5, 3, generator: g))
                }
                let local = makeModel()
                let localOptimizer = makeOptimizer(local.parameters())
                var localLoss = 0.0
                for _ in 0..<2 {
                    for start in stride(from: 0, to: 10, by: 4) {
                        let end = min(10, start + 4)
                        localOptimizer.zeroGrad()
                        let loss = crossEntropy(local(x[start..<end]), y[start..<end])
                        try loss.backward()
                        try localOptimizer.step()
                        localLoss += loss.item()
                    }
                }
                let remote = makeModel()
                try remote.send(to: bob)
                let data = FederatedDataset(features: try x.send(to: bob), targets: try y.send(to: bob))
                let result = try trainOnWorker(
                    remote, data, optimizer: makeOptimizer(remote.parameters()), task: .classify, epochs: 2,
                    batchSize: 4)
                XCTAssertEqual(result.batches, 6, "[\(mode)] \(name)")
                XCTAssertEqual(result.lossSum, localLoss, accuracy: 1e-4, "[\(mode)] \(name)")
                try remote.get()
                for (a, b) in zip(remote.parameters(), local.parameters()) {
                    assertClose(a.value, b.value, atol: 1e-5, "[\(mode)] \(name)")
                }
            }
        }
    }

    /// `trainOnWorker` by plan trains exactly as the local loop for every layout of batches (one batch
    /// smaller than the batch size, batches that divide the rows, a smaller last batch, several epochs),
    /// for both tasks (the mean squared error divides by the batch's size, which the plan must not replay
    /// for a batch of another size), and leaves nothing behind on the worker.
    func testTrainOnWorkerMatchesTheLocalLoopForEveryBatchLayout() throws {
        for (rows, bs, epochs) in [(5, 8, 1), (8, 8, 2), (9, 4, 3), (1, 1, 2), (7, 3, 1)] {
            for task in [Task.regress, Task.classify] {
                forEachMode { mode, worker in
                    let bob = try worker("bob")
                    let x = Tensor.randn([rows, 3], generator: Generator(seed: 5))
                    let y: Tensor =
                        task == .regress
                        ? Tensor.randn([rows, 2], generator: Generator(seed: 6))
                        : Tensor((0..<rows).map { Int64($0 % 2) })
                    func makeModel() -> Sequential { Sequential(Linear(3, 2, generator: Generator(seed: 9))) }
                    let local = makeModel()
                    let localOptimizer = Adam(local.parameters(), lr: 0.05)
                    var localLoss = 0.0
                    for _ in 0..<epochs {
                        for s in stride(from: 0, to: rows, by: bs) {
                            localOptimizer.zeroGrad();
                            let l = task.loss(local(x[s..<min(rows, s + bs)]), y[s..<min(rows, s + bs)]);
                            try l.backward(); try localOptimizer.step(); localLoss += l.item()
                        }
                    }
                    let remote = makeModel()
                    try remote.send(to: bob)
                    let data = FederatedDataset(features: try x.send(to: bob), targets: try y.send(to: bob))
                    let r = try trainOnWorker(
                        remote, data, optimizer: Adam(remote.parameters(), lr: 0.05), task: task,
                        epochs: epochs, batchSize: bs)
                    XCTAssertEqual(
                        r.lossSum, localLoss, accuracy: 1e-4, "\(mode) \(rows) \(bs) \(epochs) \(task)")
                    XCTAssertEqual(r.batches, ((rows + bs - 1) / bs) * epochs)
                    try remote.get()
                    for (a, b) in zip(remote.parameters(), local.parameters()) {
                        assertClose(a.value, b.value, atol: 1e-5, "\(mode) \(rows) \(bs)")
                    }
                    XCTAssertEqual(try objectCount(bob), 2, "\(mode) leftover objects")
                }
            }
        }
    }

    /// What cannot be in a plan, or run with it, is a clear error.
    func testPlanErrorsAreClear() throws {
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let alice = try worker("alice")
            let x = try Tensor([1.0, 2, 3] as [Float]).send(to: bob)
            // A call that waits cannot be recorded.
            assertSyftError(try Plan.record([x]) { a in [try (a[0] + 1).get()] }) {
                if case .invalidCommand("get", let reason) = $0 { return reason.contains("plan") }
                return false
            }
            // The recording is over: the worker answers again.
            XCTAssertEqual(try (x + 1).get().scalars(as: Float.self), [2, 3, 4], "[\(mode)]")
            assertSyftError(try Plan.record([x, x]) { a in [a[0] + a[1]] }) {
                if case .invalidCommand("plan", let reason) = $0 { return reason.contains("two inputs") }
                return false
            }
            // A plan runs on one worker: its body may not use another.
            let other = try Tensor([1.0] as [Float]).send(to: alice)
            assertSyftError(try Plan.record([x]) { a in [a[0] * 2, other + 1] }) {
                if case .invalidCommand("plan", let reason) = $0 { return reason.contains("one worker") }
                return false
            }
            assertSyftError(try Plan.record([x]) { a in [a[0] * (try other.get().item())] }) {
                if case .invalidCommand("plan", let reason) = $0 { return reason.contains("one worker") }
                return false
            }
            let weight = try Tensor.ones([3, 2]).send(to: bob)
            let (plan, _) = try Plan.record([x.reshaped(to: [1, 3])]) { a in [a[0].matmul(weight)] }
            // Arguments: their number, their place, and their shapes, all checked before anything is sent.
            assertSyftError(try plan.run([x, x])) {
                if case .invalidCommand("run_plan", let r) = $0 { return r.contains("takes 1 inputs") }
                return false
            }
            let elsewhere = try Tensor.ones([1, 3]).send(to: alice)
            assertSyftError(try plan(elsewhere)) {
                if case .notCollocated = $0 { return true }
                return false
            }
            let wrong = try Tensor.ones([2, 4]).send(to: bob)
            assertSyftError(try plan(wrong)) {
                if case .invalidCommand("matmul", let r) = $0 { return r.contains("in the plan") }
                return false
            }
            XCTAssertEqual(try plan(try Tensor.ones([4, 3]).send(to: bob))[0].shape, [4, 2])
            // Outputs that depend on the rows of a batch cannot be summed over blocks of unequal rows.
            let rows = try Tensor.ones([5, 3]).send(to: bob)
            assertSyftError(try plan.run(batchesOf: [rows], batchSize: 2)) {
                if case .invalidCommand("run_plan", let r) = $0 { return r.contains("last batch") }
                return false
            }
            XCTAssertEqual(try plan.run(batchesOf: [rows], batchSize: 5)[0].get().shape, [5, 2])
            // A plan may not write to its inputs: the worker refuses it, at the next call that waits.
            let (_, _) = try Plan.record([x]) { a in
                var t = a[0]
                t += 1
                return [t * 2]
            }
            assertSyftError(try bob.synchronize()) {
                if case .invalidCommand("define_plan", let r) = $0 { return r.contains("writes to an input") }
                return false
            }
        }
    }

    /// The tensors a plan carries count in its worker's memory budget, checked before the plan is kept.
    func testPlanConstantsCountInTheMemoryBudget() throws {
        for codec in [false, true] {
            for (budget, fits) in [(3000, false), (8000, true)] {
                let bob = VirtualWorker(
                    id: "bob", useWireCodec: codec,
                    limits: WorkerLimits(
                        maxTensorBytes: 1 << 20, memoryBudget: budget, maxMessageBytes: 1 << 22))
                let x = try Tensor.zeros([10]).send(to: bob)
                // 2000 bytes, stored by the recording run and held by the plan.
                let constant = Tensor.ones([500])
                let (plan, _) = try Plan.record([x]) { a in [a[0] + (try constant.send(to: bob)).sum()] }
                if fits {
                    XCTAssertNoThrow(try bob.synchronize())
                    XCTAssertEqual(
                        try plan(x)[0].get().scalars(as: Float.self), [Float](repeating: 500, count: 10))
                } else {
                    assertSyftError(try bob.synchronize(), "codec \(codec)") {
                        if case .resourceExhausted = $0 { return true }
                        return false
                    }
                }
            }
        }
    }

    /// Dropping a plan removes it from the worker: running a plan that is gone names it.
    func testPlansAreRemovedWhenDropped() throws {
        for codec in [false, true] {
            let bob = VirtualWorker(id: "bob", useWireCodec: codec)
            let x = try Tensor([1.0, 2] as [Float]).send(to: bob)
            try bob.synchronize()
            let before = bob.runtime.bytesHeld
            // A plan holding a constant of 1000 bytes (the recording run's own copy is deleted with it).
            let constant = Tensor.ones([250])
            var plan: Plan? = try Plan.record([x]) { a in [a[0] + (try constant.send(to: bob)).sum()] }.plan
            XCTAssertEqual(try plan!(x)[0].get().scalars(as: Float.self), [251, 252], "codec \(codec)")
            try bob.synchronize()
            XCTAssertEqual(bob.runtime.bytesHeld, before + 1000, "codec \(codec): the plan is held")
            plan = nil
            try bob.synchronize()
            XCTAssertEqual(bob.runtime.bytesHeld, before, "codec \(codec): the plan is gone")
            XCTAssertEqual(try objectCount(bob), 1, "codec \(codec)")
        }
    }
}
