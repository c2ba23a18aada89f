import Foundation
import SyftCore
import XCTest

@testable import SyftRemote

/// The wire codec round-trips every message, and decoding never trusts its input: random and mutated
/// messages get error replies and the worker stays correct.
final class WireCodecTests: XCTestCase {
    func testRequestsRoundTrip() throws {
        let t = Tensor([[1.5, 2], [3, 4]], dtype: .float64)
        let requests: [Request] = [
            .object(
                id: 7, value: .tensor(TensorPayload(tensor: t, requiresGrad: true, grad: t * 2)),
                tags: ["#a"], description: "d"),
            .command(
                op: .sum(axes: [0, 1], keepDims: true),
                operands: [.object(7), .value(Tensor(wrapping: 2.5))], results: [9], inPlace: false,
                gradEnabled: true),
            .command(
                op: .clamp(min: nil, max: 0.5), operands: [.object(7)], results: [10], inPlace: false,
                gradEnabled: false),
            .command(
                op: .slice([SliceRange(start: 0, end: 2, step: 2)]), operands: [.object(7)], results: [11],
                inPlace: false, gradEnabled: true),
            .get(id: 7), .delete(ids: [1, 2]), .backward(id: 9, gradient: nil, retainGraph: true, wait: true),
            .gradients(ids: [7], results: [12]), .search(query: ["#a"]), .synchronize, .remoteGet(id: 3),
        ]
        let decoded = try WireCodec.decodeRequests(WireCodec.encode(requests), limits: .unlimited)
        XCTAssertEqual(decoded.count, requests.count)
        guard case .object(7, .tensor(let p), ["#a"], "d") = decoded[0] else { return XCTFail("object") }
        XCTAssertTrue(p.tensor.isEqual(to: t))
        XCTAssertTrue(p.requiresGrad)
        XCTAssertTrue(p.grad!.isEqual(to: t * 2))
        guard case .command(let op, let operands, [9], false, true) = decoded[1] else {
            return XCTFail("command")
        }
        XCTAssertEqual(op, .sum(axes: [0, 1], keepDims: true))
        guard case .value(let scalar) = operands[1] else { return XCTFail("operand") }
        XCTAssertEqual(scalar.item(), 2.5)
        guard case .command(.clamp(nil, 0.5), _, _, _, _) = decoded[2] else { return XCTFail("clamp") }
        guard case .command(.slice([SliceRange(start: 0, end: 2, step: 2)]), _, _, _, _) = decoded[3] else {
            return XCTFail("slice")
        }
    }

    /// Attributes: a name given twice keeps its last value (protobuf map semantics), removal, lookup, and
    /// the name order every encoding uses.
    func testWireAttributes() throws {
        var a: WireAttrs = ["keepdim": .bool(false), "dim": .ints([1])]
        XCTAssertEqual(a["dim"], .ints([1]))
        XCTAssertNil(a["shape"])
        a["keepdim"] = .bool(true)
        a["p"] = .float(0.5)
        XCTAssertEqual(a.count, 3)
        XCTAssertEqual(a.sorted.map(\.0), ["dim", "keepdim", "p"])
        a["p"] = nil
        XCTAssertEqual(a.sorted.map(\.0), ["dim", "keepdim"])
        XCTAssertEqual(try Op(wireName: "sum", attrs: a), .sum(axes: [1], keepDims: true))
        XCTAssertEqual(
            Op.maxPool2d(
                kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false
            )
            .attributes.map(\.0), ["ceil_mode", "dilation", "kernel_size", "padding", "stride"])
        XCTAssertThrowsError(try Op(wireName: "sum", attrs: ["dim": .ints([0])])) {
            XCTAssertTrue("\($0)".contains("missing attribute 'keepdim'"), "\($0)")
        }
        for op in [
            Op.linear, .nllLoss(reduction: .none, ignoreIndex: -100),
            .nllLoss(reduction: .sum, ignoreIndex: 3),
            .nllLoss(reduction: .mean, ignoreIndex: -1),
        ] {
            XCTAssertEqual(try Op(wireName: op.name, attrs: op.wireAttributes), op)
        }
        XCTAssertThrowsError(
            try Op(wireName: "nll_loss", attrs: ["reduction": .string("avg"), "ignore_index": .int(-100)])
        ) {
            XCTAssertTrue("\($0)".contains("nll_loss: unknown reduction 'avg'"), "\($0)")
        }
    }

    /// Every operation of the closed set, with attributes of every kind, decodes from its wire name and
    /// attributes to itself, and the decoding table names exactly these operations.
    func testEveryOperationRoundTripsByName() throws {
        let r = [SliceRange(start: 1, end: 7, step: 2), SliceRange(start: 0, end: 3, step: 1)]
        let ops: [Op] = [
            .neg, .abs, .exp, .log, .sqrt, .sin, .cos, .tanh, .sigmoid, .relu,
            .clamp(min: -1.5, max: nil), .clamp(min: nil, max: 2), .cast(.int64),
            .add, .sub, .mul, .div, .pow, .maximum, .minimum, .eq, .ne, .lt, .le, .gt, .ge, .where,
            .sum(axes: [0, 2], keepDims: true), .prod(axes: [], keepDims: false),
            .max(axes: [1], keepDims: false), .min(axes: [-1], keepDims: true),
            .argmax(axis: nil, keepDims: false), .argmin(axis: 1, keepDims: true),
            .reshape([2, -1]), .permute([1, 0, 2]), .expand([3, 4]), .slice(r), .sliceScatter(r),
            .cat(axis: 1), .matmul, .linear, .softmax(axis: -1), .logSoftmax(axis: 1), .bernoulli(p: 0.25),
            .gather(axis: 0), .nllLoss(reduction: .sum, ignoreIndex: 4),
            .linalgInv, .linalgSolve, .linalgDet, .linalgSlogdet, .linalgCholesky, .linalgQr, .linalgSvd,
            .linalgEigh, .linalgLstsq,
            .conv2d(stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 3),
            .maxPool2d(kernel: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], ceilMode: true),
            .avgPool2d(
                kernel: [2, 2], stride: [1, 2], padding: [0, 1], ceilMode: false, countIncludePad: true),
            .unfold(kernel: [2, 3], stride: [1, 1], padding: [0, 0], dilation: [2, 1]),
        ]
        for op in ops {
            XCTAssertEqual(try Op(wireName: op.name, attrs: op.wireAttributes), op, op.name)
        }
        XCTAssertEqual(Set(ops.map(\.name)), Set(Op.wireDecoders.keys))
        XCTAssertThrowsError(try Op(wireName: "Add", attrs: [:])) {
            XCTAssertTrue("\($0)".contains("unknown operation 'Add'"), "\($0)")
        }
    }

    /// A packed field's length is counted before its values are written: the count matches the bytes at
    /// every varint size boundary (1 to 10 bytes).
    func testPackedFieldsCountTheirLength() throws {
        var values: [UInt64] = [0, 1, UInt64.max, 1 << 63]
        for k in 1...9 { values += [(1 << (7 * k)) - 1, 1 << (7 * k)] }
        for v in values {
            var w = ProtoWriter(capacity: 16)
            w.varint(v)
            XCTAssertEqual(ProtoWriter.varintSize(v), w.bytes.count, "\(v)")
        }
        var w = ProtoWriter()
        w.packed(4, values) { $0 }
        let decoded: [UInt64] = try w.bytes.withUnsafeBytes { raw in
            var r = ProtoReader(raw)
            var out: [UInt64] = []
            let (field, type) = try r.field()!
            XCTAssertEqual(field, 4)
            try r.repeatedVarint(type, into: &out, limit: 100)
            XCTAssertNil(try r.field())
            return out
        }
        XCTAssertEqual(decoded, values)
    }

    /// String fields: ASCII and other valid UTF-8 decode as they are; invalid UTF-8 is an error.
    func testStringFields() throws {
        func read(_ text: [UInt8]) throws -> String {
            let message: [UInt8] = [0x0a, UInt8(text.count)] + text
            return try message.withUnsafeBytes { raw in
                var r = ProtoReader(raw)
                _ = try r.field()
                return try r.string()
            }
        }
        XCTAssertEqual(try read(Array("log_softmax".utf8)), "log_softmax")
        XCTAssertEqual(try read(Array("poids-é".utf8)), "poids-é")
        XCTAssertEqual(try read([]), "")
        XCTAssertThrowsError(try read([0x61, 0xff, 0xfe])) {
            XCTAssertTrue("\($0)".contains("not valid UTF-8"), "\($0)")
        }
        XCTAssertThrowsError(try read([0xc3])) {
            XCTAssertTrue("\($0)".contains("not valid UTF-8"), "\($0)")
        }
    }

    func testMalformedMessagesAreErrors() {
        let limits = WorkerLimits(maxTensorBytes: 1 << 20, memoryBudget: 1 << 24, maxMessageBytes: 1 << 22)
        func decodeError(_ m: Syft_V1_Request) -> SyftError? {
            let bytes = (try? Syft_V1_RequestBatch.with { $0.requests = [m] }.serializedBytes()) ?? []
            do {
                _ = try WireCodec.decodeRequests(bytes, limits: limits)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertNotNil(decodeError(.with { $0.command = .with { $0.op = "os.system" } }))
        XCTAssertNotNil(
            decodeError(
                .with {
                    $0.command = .with {
                        $0.op = "sum"; $0.attrs = ["dim": .with { $0.string = "x" }]
                    }
                }))
        XCTAssertNotNil(
            decodeError(
                .with {
                    $0.object = .with {
                        $0.tensor = .with {
                            $0.shape = [3]; $0.dtype = .float32; $0.data = Data(count: 5)
                        }
                    }
                }))
        XCTAssertNotNil(
            decodeError(
                .with {
                    $0.object = .with {
                        $0.tensor = .with {
                            $0.shape = [-1]; $0.dtype = .float32
                        }
                    }
                }))
        XCTAssertNotNil(
            decodeError(
                .with {
                    $0.object = .with {
                        $0.tensor = .with {
                            $0.shape = [1 << 39, 1 << 39]; $0.dtype = .float32
                        }
                    }
                }))
        XCTAssertNotNil(
            decodeError(
                .with {
                    $0.object = .with {
                        $0.tensor = .with {
                            $0.shape = [1 << 20]; $0.dtype = .float64
                        }
                    }
                }))
        XCTAssertNotNil(
            decodeError(
                .with {
                    $0.object = .with {
                        $0.tensor = .with {
                            $0.shape = [1]; $0.dtype = .unspecified
                        }
                    }
                }))
        XCTAssertNotNil(decodeError(.init()))
        XCTAssertNotNil(decodeError(.with { $0.update = .with { $0.rule = "rmsprop_step" } }))
        XCTAssertNotNil(
            decodeError(
                .with {
                    $0.update = .with {
                        $0.rule = "sgd_step"; $0.attrs = ["lr": .with { $0.float = 0.1 }]
                    }
                }))
        XCTAssertThrowsError(try WireCodec.decodeRequests([0xFF, 0xFF, 0xFF], limits: limits))
    }

    /// Random and mutated messages for a bounded time: every one gets an answer (an error or a result),
    /// the worker never stops, and what a well-behaved client stored stays correct.
    func testFuzzedMessagesLeaveTheWorkerCorrect() throws {
        let runtime = WorkerRuntime(
            id: "fuzz",
            limits: WorkerLimits(maxTensorBytes: 1 << 20, memoryBudget: 1 << 26, maxMessageBytes: 1 << 22)
        ) { p throws(SyftError) in throw .unknownWorker(id: p.location) }
        let good = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let goodID: ObjectID = 42
        _ = runtime.handle(
            [
                .object(
                    id: goodID, value: .tensor(TensorPayload(tensor: good, requiresGrad: true)),
                    tags: ["#good"], description: "")
            ], client: "honest")
        let seeds: [[Request]] = [
            [
                .object(
                    id: 5,
                    value: .tensor(TensorPayload(tensor: Tensor([[1.0, 2], [3, 4]]), requiresGrad: false)),
                    tags: [], description: "")
            ],
            [
                .command(
                    op: .matmul, operands: [.object(5), .object(5)], results: [6], inPlace: false,
                    gradEnabled: true)
            ],
            [
                .command(
                    op: .sum(axes: [0], keepDims: false), operands: [.object(5)], results: [7],
                    inPlace: false, gradEnabled: true)
            ],
            [
                .command(
                    op: .slice([SliceRange(start: 0, end: 1), SliceRange(start: 0, end: 2, step: 1)]),
                    operands: [.object(5)], results: [8], inPlace: false, gradEnabled: true)
            ],
            [
                .command(
                    op: .reshape([4]), operands: [.object(5)], results: [9], inPlace: true, gradEnabled: true)
            ],
            [
                .command(
                    op: .linalgInv, operands: [.object(5)], results: [10], inPlace: false, gradEnabled: true)
            ],
            [
                .command(
                    op: .gather(axis: 1), operands: [.object(5), .value(Tensor([[5], [0]]))], results: [11],
                    inPlace: false, gradEnabled: true)
            ],
            [
                .backward(
                    id: 6, gradient: .value(Tensor([[1.0, 1], [1, 1]])), retainGraph: false, wait: true),
                .get(id: 6),
            ],
            [
                .definePlan(
                    id: 20, inputs: [21], outputs: [22],
                    requests: [
                        .command(
                            op: .matmul, operands: [.object(21), .object(5)], results: [22], inPlace: false,
                            gradEnabled: true),
                        .command(
                            op: .sum(axes: [0], keepDims: false), operands: [.object(22)], results: [23],
                            inPlace: false, gradEnabled: true),
                        .delete(ids: [23]),
                    ]),
                .runPlan(id: 20, arguments: [5], results: [24], batchSize: 0),
                .runPlan(id: 20, arguments: [5], results: [25], batchSize: 1),
                .get(id: 25),
            ],
        ]
        var rng = SystemRandomNumberGenerator()
        let deadline = Date().addingTimeInterval(2.0)
        var messages = 0
        while Date() < deadline {
            var bytes = WireCodec.encode(seeds.randomElement(using: &rng)!)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in
                    UInt8.random(in: 0...255, using: &rng)
                }
            case 1:
                for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(
                        in: 0...255, using: &rng)
                }
            case 2: if !bytes.isEmpty { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng)) }
            default:
                bytes.insert(
                    UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
            }
            if let requests = try? WireCodec.decodeRequests(bytes, limits: runtime.limits) {
                _ = runtime.handle(requests, client: "fuzzer")
            }
            messages += 1
        }
        XCTAssertGreaterThan(messages, 100)
        // The honest client's object is intact and usable.
        let result = newObjectID()
        let replies = runtime.handle(
            [
                .command(
                    op: .mul, operands: [.object(goodID), .value(Tensor(wrapping: 2.0))], results: [result],
                    inPlace: false, gradEnabled: true),
                .get(id: result),
            ], client: "honest")
        guard case .object(.tensor(let p))? = replies.last else { return XCTFail("no result: \(replies)") }
        XCTAssertEqual(p.tensor.floats, [2, 4, 6])
    }
}
