import Foundation
import SwiftProtobuf
import SyftCore
import XCTest

@testable import SyftRemote

/// The hand-written codec and the code protoc generates from Protos/syft/v1 agree, both ways, on every
/// message (Note [A hand-written protobuf codec]).
final class WireConformanceTests: XCTestCase {
    let t = Tensor([[1.5, -2], [3, 4]], dtype: .float64)

    var requests: [Request] {
        [
            .object(
                id: 7, value: .tensor(TensorPayload(tensor: t, requiresGrad: true, grad: t * 2)),
                tags: ["#a", ""], description: "d"),
            .object(
                id: 8, value: .tensor(TensorPayload(tensor: Tensor([true, false]), requiresGrad: false)),
                tags: [], description: ""),
            .object(
                id: 9,
                value: .pointer(
                    PointerPayload(
                        location: "bob", idAtLocation: 3, meta: TensorMeta(shape: [2, 0], dtype: .int64),
                        requiresGrad: false)), tags: [], description: ""),
            .command(
                op: .sum(axes: [0, 1], keepDims: true),
                operands: [.object(7), .value(Tensor(wrapping: -2.5))], results: [9], inPlace: false,
                gradEnabled: true),
            .command(
                op: .clamp(min: nil, max: 0.5), operands: [.object(7)], results: [10], inPlace: true,
                gradEnabled: false),
            .command(
                op: .cast(.int64), operands: [.object(0)], results: [1 << 52], inPlace: false,
                gradEnabled: true),
            .command(
                op: .argmax(axis: nil, keepDims: false), operands: [.object(7)], results: [11],
                inPlace: false, gradEnabled: true),
            .command(
                op: .slice([SliceRange(start: 0, end: 2, step: 2), SliceRange(start: 1, end: 1)]),
                operands: [.object(7)], results: [12], inPlace: false, gradEnabled: true),
            .command(
                op: .reshape([-1, 0]), operands: [.object(7)], results: [13], inPlace: false,
                gradEnabled: true),
            .command(
                op: .bernoulli(p: 0), operands: [.object(7)], results: [14], inPlace: false, gradEnabled: true
            ),
            .command(
                op: .linalgSvd, operands: [.object(7)], results: [15, 16, 17], inPlace: false,
                gradEnabled: true),
            .get(id: 7), .delete(ids: [1, 2, 1 << 50]),
            .backward(id: 9, gradient: .value(t), retainGraph: true, wait: true),
            .backward(id: 9, gradient: nil, retainGraph: false, wait: true),
            .backward(id: 9, gradient: nil, retainGraph: true, wait: false),
            .gradients(ids: [7, 8], results: [12, 13]),
            .setRequiresGrad(id: 4, flag: true), .zeroGrad(ids: [4]), .detach(id: 4, result: 5),
            .search(query: ["#a", "#b"]), .listObjects, .synchronize, .remoteGet(id: 3),
            .definePlan(
                id: 30, inputs: [31, 32], outputs: [33],
                requests: [
                    .command(
                        op: .add, operands: [.object(31), .value(Tensor(wrapping: 1.0))], results: [33],
                        inPlace: false, gradEnabled: true),
                    .backward(id: 33, gradient: nil, retainGraph: false, wait: false), .delete(ids: [34]),
                ]),
            .runPlan(id: 30, arguments: [40, 41], results: [42], batchSize: 32),
            .update(
                rule: .adam(
                    lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true),
                params: [4, 5], state: [20, 21, 22, 23, 24, 25]),
            .update(
                rule: .sgd(lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false), params: [4],
                state: []),
        ]
    }

    var replies: [Reply] {
        [
            .ok, .object(.tensor(TensorPayload(tensor: t, requiresGrad: true, grad: t))),
            .object(
                .pointer(
                    PointerPayload(
                        location: "alice", idAtLocation: 1, meta: TensorMeta(shape: [3], dtype: .float32),
                        requiresGrad: true))),
            .present([true, false, true]),
            .objects([
                ObjectInfo(
                    id: 3, meta: TensorMeta(shape: [4, 64], dtype: .float32), requiresGrad: false,
                    pointsTo: "bob", tags: ["#digits"], description: "x")
            ]),
            .failure(sequence: 3, error: .objectNotFound(id: 12, worker: "bob")),
            .failure(
                sequence: 0, error: .invalidCommand(op: "add", reason: "shapes [3] and [2] do not broadcast")),
        ]
    }

    func testRequestsThroughGeneratedCode() throws {
        let ours = WireCodec.encode(requests)
        let generated = try Syft_V1_RequestBatch(serializedBytes: ours)
        XCTAssertEqual(generated.requests.count, requests.count)
        XCTAssertEqual(generated.requests[0].object.tensor.shape, [2, 2])
        XCTAssertEqual(generated.requests[0].object.tensor.data.count, 32)
        XCTAssertEqual(generated.requests[0].object.tags, ["#a", ""])
        XCTAssertTrue(generated.requests[0].object.tensor.hasGrad)
        XCTAssertEqual(generated.requests[3].command.op, "sum")
        XCTAssertEqual(generated.requests[3].command.attrs["dim"]?.ints.values, [0, 1])
        XCTAssertEqual(generated.requests[3].command.operands[1].value.wrappedNumber, true)
        XCTAssertEqual(generated.requests[4].command.attrs["min"]?.none, true)
        XCTAssertEqual(generated.requests[8].command.attrs["shape"]?.ints.values, [-1, 0])
        XCTAssertEqual(generated.requests[12].delete.ids, [1, 2, 1 << 50])
        let update = generated.requests[requests.count - 2].update
        XCTAssertEqual(update.rule, "adam_step")
        XCTAssertEqual(update.params, [4, 5])
        XCTAssertEqual(update.state, [20, 21, 22, 23, 24, 25])
        XCTAssertEqual(update.attrs["beta2"]?.float, 0.999)
        XCTAssertEqual(update.attrs["decoupled"]?.bool, true)
        let plans = generated.requests.compactMap { r -> Syft_V1_DefinePlanMessage? in
            if case .definePlan(let p)? = r.body { return p } else { return nil }
        }
        XCTAssertEqual(plans.map(\.inputs), [[31, 32]])
        XCTAssertEqual(plans.first?.outputs, [33])
        XCTAssertEqual(plans.first?.requests.map { $0.command.op }, ["add", "", ""])
        XCTAssertEqual(plans.first?.requests.last?.delete.ids, [34])
        let runs = generated.requests.compactMap { r -> Syft_V1_RunPlanMessage? in
            if case .runPlan(let p)? = r.body { return p } else { return nil }
        }
        XCTAssertEqual(runs.map(\.batchSize), [32])
        XCTAssertEqual(runs.first?.arguments, [40, 41])
        XCTAssertEqual(runs.first?.results, [42])
        let backwards = (generated.requests + plans.flatMap(\.requests)).compactMap {
            r -> Syft_V1_BackwardMessage? in
            if case .backward(let b)? = r.body { return b } else { return nil }
        }
        XCTAssertEqual(backwards.map(\.pipelined), [false, false, true, true])
        XCTAssertEqual(backwards.map(\.retainGraph), [true, false, true, false])
        // Back through SwiftProtobuf's encoder into ours: the same requests.
        let again = try WireCodec.decodeRequests(
            try generated.serializedBytes() as [UInt8], limits: .unlimited)
        XCTAssertEqual(WireCodec.encode(again), ours)
    }

    func testRepliesThroughGeneratedCode() throws {
        let ours = WireCodec.encode(replies)
        let generated = try Syft_V1_ReplyBatch(serializedBytes: ours)
        XCTAssertEqual(generated.replies.count, replies.count)
        XCTAssertTrue(generated.replies[0].ok)
        XCTAssertEqual(generated.replies[3].present.present, [true, false, true])
        XCTAssertEqual(generated.replies[4].objects.objects[0].pointsTo, "bob")
        XCTAssertEqual(generated.replies[5].failure.code, 1)
        XCTAssertEqual(generated.replies[5].failure.id, 12)
        let again = try WireCodec.decodeReplies(
            try generated.serializedBytes() as [UInt8], limits: .unlimited)
        XCTAssertEqual(WireCodec.encode(again), ours)
        guard case .failure(3, .objectNotFound(12, "bob")) = again[5] else { return XCTFail("error reply") }
    }

    /// Fields written by another implementation in another order, unpacked, or unknown to us decode too.
    /// A plan may not hold a plan: rejected as it is read, however deep the nesting, so decoding never
    /// recurses without bound; a negative batch size is an error too.
    func testPlansInsidePlansAreErrors() throws {
        var nested = Syft_V1_Request.with { $0.synchronize = .init() }
        for depth in 0..<300 {
            nested = .with { r in
                r.definePlan = .with {
                    $0.id = UInt64(depth + 1); $0.requests = [nested]
                }
            }
        }
        let bytes: [UInt8] = try Syft_V1_RequestBatch.with { $0.requests = [nested] }.serializedBytes()
        XCTAssertThrowsError(try WireCodec.decodeRequests(bytes, limits: .unlimited)) { error in
            XCTAssertTrue("\(error)".contains("a plan inside a plan"), "\(error)")
        }
        let negative: [UInt8] = try Syft_V1_RequestBatch.with {
            $0.requests = [
                .with {
                    $0.runPlan = .with {
                        $0.id = 1; $0.batchSize = -1
                    }
                }
            ]
        }.serializedBytes()
        XCTAssertThrowsError(try WireCodec.decodeRequests(negative, limits: .unlimited))
    }

    func testUnpackedAndUnknownFields() throws {
        var command = Syft_V1_CommandMessage()
        command.op = "add"
        command.operands = [.with { $0.objectID = 1 }, .with { $0.objectID = 2 }]
        command.results = [3]
        var request = Syft_V1_Request()
        request.command = command
        var bytes: [UInt8] = try Syft_V1_RequestBatch.with { $0.requests = [request] }.serializedBytes()
        // An unknown field (number 99, varint) at the end of the batch.
        bytes += [0x98, 0x06, 0x05]
        let decoded = try WireCodec.decodeRequests(bytes, limits: .unlimited)
        guard case .command(.add, let operands, [3], false, false)? = decoded.first, operands.count == 2
        else {
            return XCTFail("\(decoded)")
        }
        // Unpacked repeated results (field 4 as separate varints).
        let unpacked: [UInt8] = [
            0x0A, 0x0B, 0x12, 0x09, 0x0A, 0x03, 0x61, 0x64, 0x64, 0x20, 0x05, 0x20, 0x06,
        ]
        guard
            case .command(.add, let none, [5, 6], _, _)? = try WireCodec.decodeRequests(
                unpacked, limits: .unlimited
            ).first, none.isEmpty
        else {
            return XCTFail("unpacked results")
        }
    }
}
