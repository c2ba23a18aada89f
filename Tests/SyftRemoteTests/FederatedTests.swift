import Foundation
import SyftCore
import SyftNN
import SyftRemote
import XCTest
import _TestSupport

/// Models on workers, optimizers on remote parameters, and federated learning (tutorials 2 to 4).
final class FederatedTests: XCTestCase {
    func testModelSendAndGet() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let g = Generator(seed: 5)
            let model = Sequential(Linear(3, 4, generator: g), ReLU(), Linear(4, 2, generator: g))
            let before = model.parameters().map { $0.value.floats }
            let x = Tensor.randn([5, 3], generator: g)
            let expected = model(x)
            try model.send(to: bob)
            XCTAssertTrue(model.location === bob)
            XCTAssertTrue(model.parameters().allSatisfy { $0.value.isPointer })
            let out = model(try x.send(to: bob))
            XCTAssertTrue(out.isPointer)
            assertClose(try out.get(), expected, rtol: 1e-6)
            try model.get()
            XCTAssertEqual(model.parameters().map { $0.value.floats }, before)
            assertSyftError(try model.get()) {
                if case .notAPointer = $0 { return true }; return false
            }
        }
    }

    /// `model.get()` fetches every parameter in one round trip; after an earlier command failed, the
    /// parameters still come back and the failure is reported.
    func testModelGetIsOneRoundTripAndLosesNothing() {
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let g = Generator(seed: 6)
            let model = Sequential(Linear(3, 4, generator: g), ReLU(), Linear(4, 2, generator: g))
            let before = model.parameters().map { $0.value.floats }
            try model.send(to: bob)
            try bob.synchronize()
            let messages = (bob as? VirtualWorker)?.messagesDelivered
            try model.get()
            if let virtual = bob as? VirtualWorker {
                XCTAssertEqual(virtual.messagesDelivered, messages.map { $0 + 1 })
            }
            XCTAssertEqual(model.parameters().map { $0.value.floats }, before, "\(mode)")
            XCTAssertTrue(model.parameters().allSatisfy { $0.value.requiresGrad })

            // A failure the worker finds (backward from a non-scalar without a gradient): the parameters
            // come back all the same, and the failure is reported.
            try model.send(to: bob)
            try model(try Tensor.randn([2, 3]).send(to: bob)).backward(wait: false)
            assertSyftError(try model.get()) {
                if case .computationFailed(let op, _) = $0 { return op == "backward" }; return false
            }
            XCTAssertFalse(model.parameters().contains { $0.value.isPointer })
            XCTAssertEqual(model.parameters().map { $0.value.floats }, before)

            // A failure known before anything is sent ([2, 5] into Linear(3, 4)): nothing is fetched, the
            // parameters stay on bob, and the next get brings them.
            try model.send(to: bob)
            _ = model(try Tensor.randn([2, 5]).send(to: bob))
            assertSyftError(try model.get()) {
                if case .invalidCommand = $0 { return true }; return false
            }
            XCTAssertTrue(model.parameters().allSatisfy { $0.value.isPointer })
            try model.get()
            XCTAssertEqual(model.parameters().map { $0.value.floats }, before)
        }
    }

    /// A remote training step gives the same parameters as the same step run locally.
    func testRemoteStepsMatchLocalSteps() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            func make() -> Sequential {
                let g = Generator(seed: 9)
                return Sequential(Linear(4, 8, generator: g), Tanh(), Linear(8, 3, generator: g))
            }
            let local = make()
            let remote = make()
            let x = Tensor.randn([6, 4], generator: Generator(seed: 1))
            let y = Tensor([0, 1, 2, 0, 1, 2])
            let localOpt = SGD(local.parameters(), lr: 0.1, momentum: 0.9)
            try remote.send(to: bob)
            let remoteOpt = SGD(remote.parameters(), lr: 0.1, momentum: 0.9)
            let (xr, yr) = (try x.send(to: bob), try y.send(to: bob))
            for _ in 0..<3 {
                localOpt.zeroGrad()
                try crossEntropy(local(x), y).backward()
                try localOpt.step()
                remoteOpt.zeroGrad()
                try crossEntropy(remote(xr), yr).backward()
                try remoteOpt.step()
            }
            try remote.get()
            for (a, b) in zip(local.parameters(), remote.parameters()) {
                assertClose(b.value, a.value, rtol: 1e-5, atol: 1e-6)
            }
        }
    }

    /// An optimizer step on remote parameters costs the same number of messages whatever the number of
    /// parameters (PySyft sent one per parameter).
    func testOneMessagePerStepForAllParameters() throws {
        func messagesPerStep(layers: Int) throws -> Int {
            let bob = VirtualWorker(id: "bob", useWireCodec: true)
            let g = Generator(seed: 2)
            let model = Sequential((0..<layers).map { _ in Linear(4, 4, generator: g) as any Layer })
            try model.send(to: bob)
            let opt = Adam(model.parameters(), lr: 0.01)
            let x = try Tensor.randn([2, 4], generator: g).send(to: bob)
            func step() throws {
                opt.zeroGrad()
                try model(x).sum().backward()
                try opt.step()
            }
            try step()
            let before = bob.messagesDelivered
            for _ in 0..<5 { try step() }
            return (bob.messagesDelivered - before) / 5
        }
        let small = try messagesPerStep(layers: 1)
        let large = try messagesPerStep(layers: 6)
        XCTAssertEqual(small, large)
        XCTAssertLessThanOrEqual(large, 2)
    }

    /// Adam (with L2 and with decoupled weight decay) on a worker gives the local parameters.
    func testRemoteAdamMatchesLocalAdam() {
        forEachMode { mode, worker in
            let bob = try worker("bob")
            for decoupled in [false, true] {
                func make() -> Sequential {
                    let g = Generator(seed: 12)
                    return Sequential(Linear(5, 7, generator: g), ReLU(), Linear(7, 2, generator: g))
                }
                func adam(_ m: Module) -> Adam {
                    decoupled
                        ? AdamW(m.parameters(), lr: 0.05, weightDecay: 0.1)
                        : Adam(m.parameters(), lr: 0.05, weightDecay: 0.1)
                }
                let (local, remote) = (make(), make())
                let x = Tensor.randn([9, 5], generator: Generator(seed: 3))
                let y = Tensor.randn([9, 2], generator: Generator(seed: 4))
                let localOpt = adam(local)
                try remote.send(to: bob)
                let remoteOpt = adam(remote)
                let (xr, yr) = (try x.send(to: bob), try y.send(to: bob))
                for _ in 0..<4 {
                    localOpt.zeroGrad()
                    try mseLoss(local(x), y).backward()
                    try localOpt.step()
                    remoteOpt.zeroGrad()
                    try mseLoss(remote(xr), yr).backward()
                    try remoteOpt.step()
                }
                try remote.get()
                for (a, b) in zip(local.parameters(), remote.parameters()) {
                    assertClose(b.value, a.value, rtol: 1e-5, atol: 1e-6, "[\(mode)] decoupled \(decoupled)")
                }
            }
        }
    }

    /// A parameter without a gradient is left alone on a worker, as here; and an optimizer's state
    /// follows its parameters: momentum built on bob carries on here and then on alice, giving the same
    /// parameters as every step run here.
    func testOptimizerStateFollowsTheParameters() {
        forEachMode { mode, worker in
            let (bob, alice) = (try worker("bob"), try worker("alice"))
            func make() -> (Linear, Linear) {
                let g = Generator(seed: 21)
                return (Linear(3, 2, generator: g), Linear(2, 2, generator: g))
            }
            let (local, localUnused) = make()
            let (moved, movedUnused) = make()
            let unusedBefore = localUnused.weight.floats
            let x = Tensor.randn([4, 3], generator: Generator(seed: 5))
            let y = Tensor.randn([4, 2], generator: Generator(seed: 6))
            let localOpt = SGD(
                local.parameters() + localUnused.parameters(), lr: 0.1, momentum: 0.9, dampening: 0.3)
            let movedOpt = SGD(
                moved.parameters() + movedUnused.parameters(), lr: 0.1, momentum: 0.9, dampening: 0.3)
            func step(_ model: Linear, _ opt: SGD, _ x: Tensor, _ y: Tensor) throws {
                opt.zeroGrad()
                try mseLoss(model(x), y).backward()
                try opt.step()
            }
            for place in [bob, me, alice, alice] {
                try step(local, localOpt, x, y)
                if place === me {
                    try moved.get()
                    try movedUnused.get()
                    try step(moved, movedOpt, x, y)
                } else {
                    try moved.send(to: place)
                    try movedUnused.send(to: place)
                    try step(moved, movedOpt, try x.send(to: place), try y.send(to: place))
                }
            }
            try moved.get()
            try movedUnused.get()
            assertClose(moved.weight, local.weight, rtol: 1e-5, atol: 1e-6, "[\(mode)]")
            assertClose(moved.bias, local.bias, rtol: 1e-5, atol: 1e-6, "[\(mode)]")
            XCTAssertEqual(movedUnused.weight.floats, unusedBefore, "[\(mode)]")
            XCTAssertEqual(localUnused.weight.floats, unusedBefore)
        }
    }

    /// A step with a parameter that was fetched away is a clear error, and no parameter is updated.
    func testRemoteStepWithAFetchedParameterIsAnError() {
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let model = Linear(2, 2, generator: Generator(seed: 1))
            let before = model.bias.floats
            try model.send(to: bob)
            let opt = SGD(model.parameters(), lr: 0.1)
            try model(try Tensor.ones([1, 2]).send(to: bob)).sum().backward()
            _ = try model.weight.get()
            assertSyftError(try opt.step(), "[\(mode)]") {
                if case .alreadyFetched = $0 { return true }; return false
            }
            XCTAssertEqual(try model.bias.get().floats, before, "[\(mode)]")
        }
    }

    func testTutorialTwoLoopLearns() throws {
        let bob = VirtualWorker(id: "bob")
        let alice = VirtualWorker(id: "alice")
        // y = 2 x0 - x1 + 1, split between the two data owners.
        let x = Tensor.randn([40, 2], generator: Generator(seed: 3))
        let y = (x[TensorIndex.all, 0..<1] * 2 - x[TensorIndex.all, 1..<2] + 1)
        let datasets = [
            FederatedDataset(features: try x[0..<20].send(to: bob), targets: try y[0..<20].send(to: bob)),
            FederatedDataset(features: try x[20...].send(to: alice), targets: try y[20...].send(to: alice)),
        ]
        let model = Linear(2, 1, generator: Generator(seed: 4))
        let losses = try trainFederated(model, on: datasets, task: .regress, epochs: 30, batchSize: 10) {
            SGD($0, lr: 0.1)
        }
        XCTAssertLessThan(losses.last!, losses.first! / 50)
        XCTAssertTrue(model.weight.isLocal)
        assertClose(model.weight, [2, -1], rtol: 0.05, atol: 0.05)
        assertClose(model.bias, [1], rtol: 0.05, atol: 0.05)
    }

    /// Federated averaging on the digits: each data owner holds half the training set; the MLP reaches at
    /// least 0.93 test accuracy, and only the average comes back from the aggregator.
    func testFederatedDigitsMLP() throws {
        let data = try TabularData(csv: dataPath("digits.csv"), target: "label")
        let (train, test) = data.split(testFraction: 0.2, seed: 0)
        let scaler = Standardizer(fitting: train.features)
        let xs = scaler.transform(train.features)
        let ys = train.classLabels()
        let half = train.count / 2
        let bob = VirtualWorker(id: "bob", useWireCodec: true)
        let alice = VirtualWorker(id: "alice", useWireCodec: true)
        let secure = VirtualWorker(id: "secure_worker", useWireCodec: true)
        let datasets = [
            FederatedDataset(features: try xs[..<half].send(to: bob), targets: try ys[..<half].send(to: bob)),
            FederatedDataset(
                features: try xs[half...].send(to: alice), targets: try ys[half...].send(to: alice)),
        ]
        var seed: UInt64 = 20
        let makeModel = { () -> Sequential in
            seed += 1
            let g = Generator(seed: seed)
            return Sequential(Linear(64, 64, generator: g), ReLU(), Linear(64, 10, generator: g))
        }
        let model = makeModel()
        try federatedAveraging(
            model, on: datasets, aggregator: secure, task: .classify, rounds: 10, localEpochs: 2,
            batchSize: 32,
            makeModel: makeModel, makeOptimizer: { SGD($0, lr: 0.1) })
        XCTAssertTrue(model.parameters().allSatisfy { $0.value.isLocal })
        XCTAssertEqual(try objectCount(secure), 0)
        // Only its data is left (held here: an optimized build would release the pointers after their last
        // use, and the worker would rightly delete the data).
        try withExtendedLifetime(datasets) { XCTAssertEqual(try objectCount(bob), 2) }
        let result = evaluate(
            model, features: scaler.transform(test.features), targets: test.classLabels(), task: .classify)
        print("federated digits MLP test accuracy", result.accuracy!)
        XCTAssertGreaterThanOrEqual(result.accuracy!, 0.93)
    }
}

func dataPath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Data/\(name)").path
}
