import SyftCore
import SyftNN
import XCTest
import _TestSupport

@testable import SyftRemote

/// Relayed batches (Note [Relayed batches]): a batch made from the replies of a batch on another worker,
/// and the tutorial-2 visits that use them.
final class FederatedRelayTests: XCTestCase {
    /// A relayed batch goes out with what its `prepare` makes of the replies it waited for, in its place
    /// among the worker's batches: a call made after it sees what it did.
    func testARelayedBatchGoesOutWithTheRepliesItWaitedFor() {
        forEachMode { mode, worker in
            let (bob, alice) = (try worker("bob"), try worker("alice"))
            let x = try Tensor([1.5, -2, 4] as [Float]).send(to: bob)
            let standIn = try Tensor.zeros([3], dtype: .float32).send(to: alice)
            let (xID, standInID) = (try XCTUnwrap(x.idAtLocation), try XCTUnwrap(standIn.idAtLocation))
            let first = try bob.channel.startEach([.get(id: xID)])
            // The stand-in's value is sent again, with bob's answer in its place.
            let relayed = try alice.channel.startEach([], after: first.replies) { requests, replies in
                guard case .object(.tensor(let p))? = replies.last else { return nil }
                return requests + [.send(standInID, p.tensor)]
            }
            let seen = try standIn.get()  // waits behind the relayed batch
            XCTAssertEqual(seen.scalars(as: Float.self), [1.5, -2, 4], "[\(mode)]")
            let (replies, earlier) = try alice.channel.finishEach(relayed)
            XCTAssertNil(earlier, "[\(mode)]")
            XCTAssertEqual(replies.count, 0, "[\(mode)]")
            let (bobReplies, _) = try bob.channel.finishEach(first)
            guard case .success(.object(.tensor(let p)))? = bobReplies.first else {
                return XCTFail("[\(mode)] bob's get: \(bobReplies)")
            }
            XCTAssertEqual(p.tensor.scalars(as: Float.self), [1.5, -2, 4], "[\(mode)]")
        }
    }

    /// When `prepare` declines (the batch it waited for failed), nothing goes out: the relayed batch's
    /// replies are one failure, the worker ran none of it, and later calls there are not affected.
    func testARelayedBatchThatIsNotMadeSendsNothing() {
        forEachMode { mode, worker in
            let (bob, alice) = (try worker("bob"), try worker("alice"))
            let first = try bob.channel.startEach([.get(id: 987_654_321)])  // no such object
            let id = newObjectID()
            alice.channel.post(.send(id, Tensor([1, 2] as [Float])))
            let relayed = try alice.channel.startEach([.get(id: id)], after: first.replies) {
                requests, replies in
                replies.contains { if case .failure = $0 { true } else { false } } ? nil : requests
            }
            let (replies, _) = try alice.channel.finishEach(relayed)
            guard case .failure(let error)? = replies.first, error == relayCancelled else {
                return XCTFail("[\(mode)] the relayed get: \(replies)")
            }
            let (bobReplies, _) = try bob.channel.finishEach(first)
            guard case .failure(.objectNotFound)? = bobReplies.first else {
                return XCTFail("[\(mode)] bob's get: \(bobReplies)")
            }
            XCTAssertEqual(try objectCount(alice), 0, "[\(mode)]")
            try alice.synchronize()
            let y = try Tensor([3] as [Float]).send(to: alice)
            XCTAssertEqual(try y.get().scalars(as: Float.self), [3], "[\(mode)]")
        }
    }

    /// From the second epoch on, the tutorial-2 loop relays each visit after the one before: the next
    /// owner's batch is made from the previous owner's answer, and the client's thread does not wait
    /// between them. It trains as the visits do one after the other: the same losses and parameters, to
    /// the bit, as a trainer whose visits cannot be relayed (a callback after each batch).
    func testRelayedVisitsTrainAsVisitsOneAfterTheOther() {
        let xs = [
            Tensor.randn([13, 3], generator: Generator(seed: 31)),
            Tensor.randn([9, 3], generator: Generator(seed: 32)),
            Tensor.randn([6, 3], generator: Generator(seed: 33)),
        ]
        let ys = [
            Tensor([0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1]), Tensor([1, 1, 0, 1, 0, 0, 1, 0, 1]),
            Tensor([0, 0, 1, 1, 0, 1]),
        ]
        func makeModel() -> Sequential {
            let g = Generator(seed: 34)
            return Sequential(Linear(3, 5, generator: g), ReLU(), Linear(5, 2, generator: g))
        }
        forEachMode { mode, worker in
            var runs: [(losses: [Double], params: [Tensor])] = []
            for relayed in [true, false] {
                let workers = [try worker("bob"), try worker("alice"), try worker("carol")]
                let datasets = try zip(zip(xs, ys), workers).map { (xy, w) in
                    FederatedDataset(features: try xy.0.send(to: w), targets: try xy.1.send(to: w))
                }
                let model = makeModel()
                let trainer = FederatedTrainer(model, on: datasets, task: .classify, batchSize: 4) {
                    SGD($0, lr: 0.1, momentum: 0.9)
                }
                var losses: [Double] = []
                for _ in 0..<4 {
                    // With a callback, each batch is a request of its own: no visit is relayed.
                    losses.append(
                        relayed ? try trainer.epoch() : try trainer.epoch(afterBatch: { true }).loss)
                    XCTAssertTrue(model.parameters().allSatisfy { $0.value.isLocal }, "[\(mode)]")
                }
                runs.append((losses, model.parameters().map(\.value)))
                // Nothing is left behind on the workers but the data, the plans' and optimizers' state.
                for w in workers { XCTAssertFalse(w.channel.hasQueuedRequests, "[\(mode)] \(w.id)") }
            }
            XCTAssertEqual(runs[0].losses, runs[1].losses, "[\(mode)]")
            for (a, b) in zip(runs[0].params, runs[1].params) {
                XCTAssertEqual(a.scalars(as: Float.self), b.scalars(as: Float.self), "[\(mode)]")
            }
        }
    }

    /// `trainFederated` relays between epochs too (the model comes back only at the end): it trains as
    /// the same epochs run one at a time, each bringing the model back, to the bit, gradients included.
    func testEpochsAtOnceTrainAsEpochsOneByOne() {
        let xs = [
            Tensor.randn([10, 3], generator: Generator(seed: 37)),
            Tensor.randn([7, 3], generator: Generator(seed: 38)),
        ]
        let ys = [Tensor([0, 1, 0, 1, 1, 0, 1, 0, 0, 1]), Tensor([1, 1, 0, 1, 0, 0, 1])]
        forEachMode { mode, worker in
            var runs: [(losses: [Double], params: [Tensor])] = []
            for atOnce in [true, false] {
                let workers = [try worker("bob"), try worker("alice")]
                let datasets = try zip(zip(xs, ys), workers).map { (xy, w) in
                    FederatedDataset(features: try xy.0.send(to: w), targets: try xy.1.send(to: w))
                }
                let model = Sequential(Linear(3, 2, generator: Generator(seed: 39)))
                let makeOptimizer = { (p: [Parameter]) -> any Optimizer in SGD(p, lr: 0.1, momentum: 0.5) }
                let losses: [Double]
                if atOnce {
                    losses = try trainFederated(
                        model, on: datasets, task: .classify, epochs: 3, batchSize: 4,
                        makeOptimizer: makeOptimizer)
                } else {
                    let trainer = FederatedTrainer(
                        model, on: datasets, task: .classify, batchSize: 4, makeOptimizer: makeOptimizer)
                    losses = try (0..<3).map { _ in try trainer.epoch() }
                }
                XCTAssertTrue(
                    model.parameters().allSatisfy { $0.value.isLocal && $0.value.grad != nil }, "[\(mode)]")
                runs.append((losses, model.parameters().flatMap { [$0.value, $0.value.grad!] }))
            }
            XCTAssertEqual(runs[0].losses, runs[1].losses, "[\(mode)]")
            for (a, b) in zip(runs[0].params, runs[1].params) {
                XCTAssertEqual(a.scalars(as: Float.self), b.scalars(as: Float.self), "[\(mode)]")
            }
        }
        let model = Sequential(Linear(3, 2))
        assertSyftError(
            try trainFederated(model, on: [], task: .classify, epochs: -1, batchSize: 4) { SGD($0, lr: 0.1) }
        ) {
            if case .invalidCommand = $0 { true } else { false }
        }
    }

    /// A visit whose previous visit fails is not sent: the epoch throws that failure, the model is what the
    /// previous get brought back (here, the parameters as they went out, since the failing plan changed
    /// nothing), and the next owner received nothing.
    func testAVisitAfterAFailedVisitIsNotSent() throws {
        let x = Tensor.randn([8, 3], generator: Generator(seed: 35))
        let y = Tensor([0, 1, 0, 1, 1, 0, 1, 0])
        let bob = VirtualWorker(id: "bob")
        let alice = VirtualWorker(id: "alice")
        let datasets = try [bob, alice].map {
            FederatedDataset(features: try x.send(to: $0), targets: try y.send(to: $0))
        }
        let model = Sequential(Linear(3, 2, generator: Generator(seed: 36)))
        let trainer = FederatedTrainer(model, on: datasets, task: .classify, batchSize: 4) {
            SGD($0, lr: 0.1)
        }
        try trainer.epoch()
        try trainer.epoch()
        let before = model.parameters().map { $0.value.scalars(as: Float.self) }
        let aliceObjects = alice.objects.ids
        let aliceMessages = alice.messagesDelivered
        // Bob forgets everything: his visit fails at its first plan run.
        bob.clearObjects()
        assertSyftError(try trainer.epoch()) {
            if case .objectNotFound = $0 { true } else { false }
        }
        XCTAssertTrue(
            model.parameters().allSatisfy { $0.value.isLocal }, "\(model.parameters().map(\.value))")
        XCTAssertEqual(model.parameters().map { $0.value.scalars(as: Float.self) }, before)
        XCTAssertEqual(alice.messagesDelivered, aliceMessages)
        XCTAssertEqual(Set(alice.objects.ids), Set(aliceObjects))
        XCTAssertFalse(alice.channel.hasQueuedRequests)
    }
}
