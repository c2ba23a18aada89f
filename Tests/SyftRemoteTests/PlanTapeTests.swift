import SyftCore
import SyftNN
import XCTest

@testable import SyftRemote

/// Note [A plan's backward on a tape]: which runs take a tape, and that they train as the graph does.
final class PlanTapeTests: XCTestCase {
    private struct SetupFailed: Error {
        let replies: [Reply]
    }

    private func command(
        _ op: Op, _ operands: [ObjectID], _ result: ObjectID, inPlace: Bool = false
    ) -> Request {
        .command(
            op: op, operands: operands.map { .object($0) }, results: [result], inPlace: inPlace,
            gradEnabled: true)
    }

    /// The tensor `id` as stored (left there).
    private func stored(_ id: ObjectID, _ runtime: WorkerRuntime) -> Tensor? {
        runtime.state.withLock { $0[id]?.tensor }
    }

    /// The tensor `id`, fetched (a `get`: it leaves the worker); nil when it is missing.
    private func fetch(_ id: ObjectID, _ runtime: WorkerRuntime) -> TensorPayload? {
        guard case .object(.tensor(let p))? = runtime.handle([.get(id: id)], client: "a").first else {
            return nil
        }
        return p
    }

    /// A training step on a linear model's inputs 60 (rows) and 61 (labels), with parameters 1 and 2, a
    /// momentum SGD step, and the loss detached as the output 67.
    private func trainingStep(retainGraph: Bool = false) -> [Request] {
        [
            .zeroGrad(ids: [1, 2]),
            command(.linear, [60, 1, 2], 62),
            command(.relu, [62], 63),
            command(.mul, [63, 63], 64),
            command(.logSoftmax(axis: 1), [64], 65),
            command(.nllLoss(reduction: .mean, ignoreIndex: -100), [65, 61], 66),
            .backward(id: 66, gradient: nil, retainGraph: retainGraph, wait: false),
            .update(
                rule: .sgd(lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false),
                params: [1, 2],
                state: [70, 71]),
            .detach(id: 66, result: 67),
            .delete(ids: [62, 63, 64, 65]),
        ]
    }

    private func train(retainGraph: Bool) throws -> (WorkerRuntime, [TensorPayload]) {
        let runtime = isolatedRuntime("tape")
        let g = Generator(seed: 4)
        let replies = runtime.handle(
            [
                .send(1, Tensor.randn([3, 5], generator: g), requiresGrad: true),
                .send(2, Tensor.randn([3], generator: g), requiresGrad: true),
                .send(3, Tensor.randn([10, 5], generator: g)),
                .send(4, Tensor([0, 1, 2, 2, 1, 0, 0, 1, 2, 2] as [Int64])),
                .definePlan(
                    id: 50, inputs: [60, 61], outputs: [67], requests: trainingStep(retainGraph: retainGraph)),
                .runPlan(id: 50, arguments: [3, 4], results: [80], batchSize: 4),
                .runPlan(id: 50, arguments: [3, 4], results: [81], batchSize: 3),
                .synchronize,
            ], client: "a")
        guard case .ok? = replies.last else { throw SetupFailed(replies: replies) }
        // Whether a run takes the tape, while the parameters are there (the gets below take them).
        let takesTape = try runtime.state.withLock { store in
            let plan = try XCTUnwrap(store.plans[50])
            return plan.program.takesTape([3, 4].compactMap { store[$0] }, outputs: plan.outputs, store)
        }
        XCTAssertEqual(takesTape, !retainGraph)
        return (runtime, [1, 2, 80, 81, 70].compactMap { fetch($0, runtime) })
    }

    /// A training step's runs take the tape and train exactly as the graph does (the same plan with the
    /// graph retained, which runs without a tape): losses, parameters, momentum buffers, to the bit.
    func testATrainingStepTrainsOnATapeAsOnTheGraph() throws {
        let (taped, onTape) = try train(retainGraph: false)
        let (graph, onGraph) = try train(retainGraph: true)
        let tapedPlan = try XCTUnwrap(taped.state.withLock { $0.plans[50] })
        XCTAssertEqual(tapedPlan.program.tapedBackward, 6)
        XCTAssertNil(try XCTUnwrap(graph.state.withLock { $0.plans[50] }).program.tapedBackward)
        XCTAssertEqual(onTape.count, 5)
        XCTAssertEqual(onGraph.count, 5)
        for (a, b) in zip(onTape, onGraph) {
            XCTAssertEqual(a.tensor.shape, b.tensor.shape)
            XCTAssertEqual(a.tensor.scalars(as: Float.self), b.tensor.scalars(as: Float.self))
            XCTAssertEqual(a.grad?.scalars(as: Float.self), b.grad?.scalars(as: Float.self))
            XCTAssertEqual(a.requiresGrad, b.requiresGrad)
        }
        XCTAssertNotNil(onTape[0].grad, "the last block's gradient stays, as after the graph's backward")
    }

    /// What could see the difference keeps the graph: an output that requires grad, a request on such a
    /// value, an in-place change of one, a backward of a stored loss, a program without a backward.
    func testRunsThatCouldSeeTheGraphKeepIt() throws {
        let runtime = isolatedRuntime("tape")
        _ = runtime.handle(
            [
                .send(1, Tensor([1.0, -2, 3] as [Float]), requiresGrad: true),
                .send(3, Tensor([[1.0, 2, 3], [4, 5, 6]] as [[Float]])),
            ], client: "a")
        let loss: [Request] = [
            command(.mul, [60, 1], 62), command(.sum(axes: [0, 1], keepDims: false), [62], 63),
        ]
        let programs: [(ObjectID, [Request], [ObjectID], Int?, Bool)] = [
            // The loss is the output: it would come out without its graph.
            (50, loss + [.backward(id: 63, gradient: nil, retainGraph: false, wait: false)], [63], 2, false),
            (
                51,
                loss + [
                    .backward(id: 63, gradient: nil, retainGraph: false, wait: false),
                    .detach(id: 63, result: 64),
                ],
                [64], 2, true
            ),
            // No backward: the output's graph is for the client's own backward.
            (52, loss, [63], nil, false),
            // An in-place change of a value that requires grad.
            (
                53,
                [command(.mul, [60, 1], 62), command(.add, [62, 60], 62, inPlace: true)]
                    + [command(.sum(axes: [0, 1], keepDims: false), [62], 63)]
                    + [
                        .backward(id: 63, gradient: nil, retainGraph: false, wait: false),
                        .detach(id: 63, result: 64),
                    ],
                [64], 3, false
            ),
            // A request that turns gradients on: never a tape.
            (54, [.setRequiresGrad(id: 1, flag: true)] + loss, [63], nil, false),
        ]
        for (id, requests, outputs, backward, takes) in programs {
            let replies = runtime.handle(
                [.definePlan(id: id, inputs: [60], outputs: outputs, requests: requests), .synchronize],
                client: "a")
            guard case .ok? = replies.last else { return XCTFail("plan \(id): \(replies)") }
            try runtime.state.withLock { store in
                let plan = try XCTUnwrap(store.plans[id])
                XCTAssertEqual(plan.program.tapedBackward, backward, "plan \(id)")
                let args = [try XCTUnwrap(store[3])]
                XCTAssertEqual(
                    plan.program.takesTape(args, outputs: plan.outputs, store), takes, "plan \(id)")
            }
        }
        // The forward-only plan's output keeps its graph: the client's backward reaches the parameter.
        let replies = runtime.handle(
            [
                .zeroGrad(ids: [1]),
                .runPlan(id: 52, arguments: [3], results: [90], batchSize: 0),
                .backward(id: 90, gradient: nil, retainGraph: false, wait: true),
            ], client: "a")
        guard case .ok? = replies.last else { return XCTFail("\(replies)") }
        XCTAssertEqual(stored(1, runtime)?.grad?.scalars(as: Float.self), [5, 7, 9])
        // The plan whose loss is its output: its output requires grad, as the graph's run gives it.
        _ = runtime.handle([.runPlan(id: 50, arguments: [3], results: [91], batchSize: 0)], client: "a")
        XCTAssertEqual(stored(91, runtime)?.requiresGrad, true)
        // The in-place plan, through the graph: sum(x·w + x) = 39, and its gradient the column sums of x.
        _ = runtime.handle(
            [.zeroGrad(ids: [1]), .runPlan(id: 53, arguments: [3], results: [92], batchSize: 0)], client: "a")
        XCTAssertEqual(stored(92, runtime)?.scalars(as: Float.self), [39])
        XCTAssertEqual(stored(1, runtime)?.grad?.scalars(as: Float.self), [5, 7, 9])
    }
}
