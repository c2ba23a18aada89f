import SyftCore
import SyftNN
import SyftRemote
import XCTest
import _TestSupport

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

    /// An optimizer step naming one object twice (as two parameters, or as a parameter and a state) is
    /// refused before anything changes.
    func testAStepWithRepeatedIDsIsRefused() throws {
        let runtime = WorkerRuntime(id: "bob") { p throws(SyftError) in throw .unknownWorker(id: p.location) }
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
