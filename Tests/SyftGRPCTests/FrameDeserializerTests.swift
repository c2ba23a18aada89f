import Foundation
import GRPCCore
import SwiftProtobuf
import SyftCore
import XCTest

@testable import SyftGRPC
@testable import SyftRemote

/// Note [Chunks written where they go]: a chunk frame is written straight into the tensors its stream's
/// reader expects; anything else decodes as a protobuf message would.
final class FrameDeserializerTests: XCTestCase {
    /// A sink expecting two float tensors of 3 and 2 elements (20 bytes).
    private func sink() throws -> (ChunkedTensorSink, Tensor, Tensor) {
        let sink = ChunkedTensorSink(budget: 1 << 20)
        let a = try sink.allocate(shape: [3], dtype: .float32)
        let b = try sink.allocate(shape: [2], dtype: .float32)
        return (sink, a, b)
    }

    private func bytes(_ values: [Float]) -> Data { values.withUnsafeBytes { Data($0) } }

    private func serverChunk(_ data: Data) throws -> [UInt8] {
        try Syft_V1_ServerFrame.with { $0.chunk = .with { $0.data = data } }.serializedBytes()
    }

    func testChunksGoStraightIntoTheTensorsAcrossTheirBoundary() throws {
        let (sink, a, b) = try sink()
        let destination = ChunkDestination()
        destination.sink = sink
        let deserializer = FrameDeserializer<Syft_V1_ServerFrame>()
        try ChunkDestination.$current.withValue(destination) {
            // 12 bytes, then 8: the first chunk fills a, the second b.
            let first = try deserializer.deserialize(try serverChunk(bytes([1, 2, 3])))
            XCTAssertEqual(first.chunk.data, Data(), "delivered: the frame arrives empty")
            XCTAssertEqual(sink.remaining, 8)
            let second = try deserializer.deserialize(try serverChunk(bytes([4, 5])))
            XCTAssertEqual(second.chunk.data, Data())
        }
        XCTAssertTrue(sink.isComplete)
        XCTAssertEqual(a.scalars(as: Float.self), [1, 2, 3])
        XCTAssertEqual(b.scalars(as: Float.self), [4, 5])
    }

    func testEverythingElseDecodesAsProtobuf() throws {
        let (sink, _, _) = try sink()
        let destination = ChunkDestination()
        destination.sink = sink
        let deserializer = FrameDeserializer<Syft_V1_ServerFrame>()
        let tooLong = bytes([1, 2, 3, 4, 5, 6])
        let hello = Syft_V1_ServerFrame.with { $0.hello = .with { $0.workerID = "bob" } }
        // A chunk with a field after its data (an unknown field 9, varint 1).
        var extended = try serverChunk(bytes([7]))
        extended[1] += 2
        extended += [0x48, 0x01]
        try ChunkDestination.$current.withValue(destination) {
            XCTAssertEqual(try deserializer.deserialize(try serverChunk(tooLong)).chunk.data, tooLong)
            XCTAssertEqual(try deserializer.deserialize(try hello.serializedBytes() as [UInt8]), hello)
            XCTAssertEqual(try deserializer.deserialize(extended).chunk.data, bytes([7]))
            // A client frame's chunk field is 2; in a server frame, field 2 is the replies.
            let clientChunk: [UInt8] = try Syft_V1_ClientFrame.with {
                $0.chunk = .with { $0.data = bytes([1]) }
            }.serializedBytes()
            if case .chunk? = try? deserializer.deserialize(clientChunk).body {
                XCTFail("a server frame's field 2 is not a chunk")
            }
        }
        XCTAssertEqual(sink.written, 0, "nothing was written for frames that are not chunks that fit")
        // Without a destination (the reader is not receiving tensor data), a chunk is a message as any other.
        XCTAssertEqual(
            try deserializer.deserialize(try serverChunk(bytes([1, 2]))).chunk.data, bytes([1, 2]))
        XCTAssertEqual(sink.written, 0)
        // Client frames: chunks are field 2.
        let clientDeserializer = FrameDeserializer<Syft_V1_ClientFrame>()
        let chunk: [UInt8] = try Syft_V1_ClientFrame.with { $0.chunk = .with { $0.data = bytes([9, 8]) } }
            .serializedBytes()
        try ChunkDestination.$current.withValue(destination) {
            XCTAssertEqual(try clientDeserializer.deserialize(chunk).chunk.data, Data())
        }
        XCTAssertEqual(sink.written, 8)
    }

    /// Over a worker process: a tensor of many chunks goes there and back intact.
    func testManyChunkTensorsRoundTripOverTheNetwork() throws {
        let bob = try startWorker("bob")
        let worker = try bob.connect(maxMessageBytes: 64 << 10)
        let t = Tensor.randn([3, 50_000], generator: Generator(seed: 4))
        let back = try t.send(to: worker).get()
        XCTAssertTrue(back.isEqual(to: t))
        let sum = try (t.send(to: worker) * 2).get()
        XCTAssertTrue(sum.isEqual(to: t * 2))
    }
}
