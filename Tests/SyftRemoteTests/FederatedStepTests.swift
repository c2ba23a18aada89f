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
}
