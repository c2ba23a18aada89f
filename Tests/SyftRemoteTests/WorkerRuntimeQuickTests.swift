import SyftCore
import XCTest

@testable import SyftRemote

/// Note [Quick batches]: which batches a worker may run without handing them to its execution thread.
final class WorkerRuntimeQuickTests: XCTestCase {
    private func command(_ op: Op, _ operands: [Operand], _ result: ObjectID) -> Request {
        .command(op: op, operands: operands, results: [result], inPlace: false, gradEnabled: true)
    }

    private func cost(_ requests: [Request], _ runtime: WorkerRuntime) -> Duration? {
        runtime.state.withLock { WorkerRuntime.quickCost(of: requests, $0) }
    }

    /// `handleIfQuick` runs a batch exactly as `handle` does (ownership, the failure state of its session),
    /// and does nothing while another batch holds the store or when the batch is not quick.
    func testHandleIfQuickRunsLikeHandleOrNotAtAll() throws {
        let runtime = isolatedRuntime("quick")
        let budget = Duration.milliseconds(5)
        let sent = try XCTUnwrap(
            runtime.handleIfQuick(
                [.send(5, Tensor([1.0, 2.0])), .synchronize], client: "a", session: "a#1", within: budget))
        guard case .ok? = sent.last else { return XCTFail("\(sent)") }
        // Another client may not take it.
        let denied = try XCTUnwrap(
            runtime.handleIfQuick([.get(id: 5)], client: "b", session: "b#1", within: budget))
        guard case .failure(_, .permissionDenied)? = denied.first else { return XCTFail("\(denied)") }
        // A failed pipelined command: the session's next waiting request is skipped and reports it.
        _ = runtime.handle(
            [.delete(ids: [5]), command(.neg, [.object(5)], 6)], client: "a", session: "a#1")
        let skipped = try XCTUnwrap(
            runtime.handleIfQuick([.synchronize], client: "a", session: "a#1", within: budget))
        XCTAssertTrue(skipped.isEmpty)
        // While a batch holds the store (here: the store's own lock, held by this thread), nothing runs.
        let busy = runtime.state.withLock { _ in
            runtime.handleIfQuick([.send(7, Tensor([1.0]))], client: "a", session: "a#1", within: budget)
        }
        XCTAssertNil(busy)
        // A batch that is not quick does not run either.
        _ = runtime.handle([.send(8, Tensor([1.0, 2.0]), requiresGrad: true)], client: "a", session: "a#1")
        let slow = runtime.handleIfQuick(
            [
                command(.sum(axes: [], keepDims: false), [.object(8)], 9),
                .backward(id: 9, gradient: nil, retainGraph: false, wait: false),
            ],
            client: "a", session: "a#1", within: budget)
        XCTAssertNil(slow)
        XCTAssertEqual(runtime.storedObjects().map(\.0), [8])
        XCTAssertNil(runtime.storedObjects()[0].1.grad)
    }

    /// Moves and bookkeeping cost nothing; small commands and optimizer steps are quick, large ones, a
    /// backward, a send of a pointer and a plan's definition are not.
    func testWhatIsQuick() {
        let runtime = isolatedRuntime("quick")
        _ = runtime.handle(
            [
                .send(1, Tensor([1.0, 2.0, 3.0]), requiresGrad: true),
                .send(2, Tensor.zeros([200, 100])),
            ], client: "a")
        XCTAssertEqual(
            cost(
                [.send(3, Tensor([1.0])), .get(id: 1), .delete(ids: [3]), .zeroGrad(ids: [1]), .synchronize],
                runtime),
            .zero)
        XCTAssertEqual(cost([command(.mul, [.object(1), .value(Tensor(wrapping: 2.0))], 4)], runtime), .zero)
        // Too many elements in the operands, or in the outputs of a small operand.
        XCTAssertNil(cost([command(.neg, [.object(2)], 4)], runtime))
        XCTAssertNil(cost([command(.expand([1000, 1000]), [.value(Tensor(wrapping: 1.0))], 4)], runtime))
        // Too many commands in one batch.
        let many = (0..<(WorkerRuntime.maxQuickCommands + 1)).map {
            command(.neg, [.object(1)], ObjectID(100 + $0))
        }
        XCTAssertNil(cost(many, runtime))
        XCTAssertEqual(cost(Array(many.dropLast()), runtime), .zero)
        XCTAssertEqual(
            cost(
                [
                    .update(
                        rule: .sgd(lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false),
                        params: [1], state: [])
                ], runtime), .zero)
        XCTAssertNil(cost([.backward(id: 1, gradient: nil, retainGraph: false, wait: false)], runtime))
        let pointer = PointerPayload(
            location: "bob", idAtLocation: 1, meta: TensorMeta(shape: [1], dtype: .float32),
            requiresGrad: false)
        XCTAssertNil(cost([.object(id: 5, value: .pointer(pointer), tags: [], description: "")], runtime))
        XCTAssertNil(cost([.definePlan(id: 50, inputs: [60], outputs: [61], requests: [])], runtime))
    }

    /// A plan run is quick once the plan ran here: its cost is the last run's time, scaled by the elements
    /// of the arguments. A plan that sends a pointer never is.
    func testAPlanRunCostsWhatItsLastRunCost() throws {
        let runtime = isolatedRuntime("quick")
        _ = runtime.handle(
            [
                .send(1, Tensor((0..<64).map(Double.init))),
                .send(2, Tensor((0..<128).map(Double.init))),
                .definePlan(
                    id: 50, inputs: [60], outputs: [61],
                    requests: [command(.mul, [.object(60), .value(Tensor(wrapping: 2.0))], 61)]),
            ], client: "a")
        let run = Request.runPlan(id: 50, arguments: [1], results: [3], batchSize: 0)
        XCTAssertNil(cost([run], runtime), "never ran here")
        let replies = runtime.handle([run, .get(id: 3)], client: "a")
        guard case .object(.tensor(let p))? = replies.last else { return XCTFail("\(replies)") }
        XCTAssertEqual(p.tensor.scalars(as: Double.self), (0..<64).map { 2 * Double($0) })
        let once = try XCTUnwrap(cost([run], runtime))
        XCTAssertGreaterThan(once, .zero)
        XCTAssertEqual(cost([run, run], runtime), once * 2)
        // Twice the elements, twice the estimate (to the nanosecond's rounding).
        let twice = try XCTUnwrap(
            cost([.runPlan(id: 50, arguments: [2], results: [4], batchSize: 0)], runtime))
        XCTAssertLessThanOrEqual(abs((twice - once * 2) / .nanoseconds(1)), 2)
        XCTAssertNil(runtime.handleIfQuick([run], client: "a", session: "a", within: once / 2))
        // An estimate for arguments far larger than the last run's saturates instead of overflowing.
        let timing = PlanTiming()
        timing.observe(.seconds(100), elements: 1)
        XCTAssertEqual(timing.estimate(forElements: .max), .nanoseconds(Int64(1e18)))

        let pointer = PointerPayload(
            location: "bob", idAtLocation: 1, meta: TensorMeta(shape: [1], dtype: .float32),
            requiresGrad: false)
        _ = runtime.handle(
            [
                .definePlan(
                    id: 51, inputs: [60], outputs: [61],
                    requests: [
                        .object(id: 62, value: .pointer(pointer), tags: [], description: ""),
                        command(.neg, [.object(60)], 61),
                    ])
            ], client: "a")
        let plan = try XCTUnwrap(runtime.state.withLock { $0.plans[51] })
        XCTAssertTrue(plan.program.sendsPointers)
        plan.program.timing.observe(.microseconds(1), elements: 64)
        XCTAssertNil(cost([.runPlan(id: 51, arguments: [1], results: [5], batchSize: 0)], runtime))
    }
}
