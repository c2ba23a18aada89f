import Foundation
import GRPCCore
import GRPCProtobuf
import SwiftProtobuf
import SyftRemote

// Note [Chunks written where they go]
// A large tensor arrives as chunk frames after its batch (Note [Chunked tensor data]). Decoded as a
// protobuf message, each chunk's data would be copied once out of the transport's buffer into the
// frame's `Data`, and once more into the tensor. The reader of a stream knows, between frames, which
// tensors the next chunk fills (its `ChunkedTensorSink`); it says so in `ChunkDestination.current`, a
// task-local set around its loop. grpc-swift deserializes each message in the task that asks for it,
// so `FrameDeserializer` sees that value: a chunk frame that fits what the tensors still need is
// written from the transport's buffer straight into them, and the reader gets the frame with its data
// already delivered (empty). Anything else (other frames, a chunk that does not fit, no destination
// because the reader is dropping data, or a transport that deserializes elsewhere) decodes as usual,
// and the reader handles it as before, errors included. The copy a chunk saves is the one the bare
// engine does not make either.

/// Where the chunk frames of one stream go while a batch's tensor data is arriving (Note [Chunks written
/// where they go]). Used by one task at a time: the stream's reader, and the deserializer it drives.
final class ChunkDestination: @unchecked Sendable {
    /// The tensors the next chunk fills; nil when no tensor data is expected.
    var sink: ChunkedTensorSink?

    /// The destination of the stream being read by the current task.
    @TaskLocal static var current: ChunkDestination?
}

/// A transport frame that can carry a chunk of tensor data (`ClientFrame`, `ServerFrame`).
protocol ChunkCarryingFrame: SwiftProtobuf.Message {
    /// The number of the frame's `ChunkFrame` field.
    static var chunkField: Int { get }
    /// A chunk frame whose data was written into its tensors already.
    static var deliveredChunk: Self { get }
}

extension Syft_V1_ClientFrame: ChunkCarryingFrame {
    static var chunkField: Int { 2 }
    static var deliveredChunk: Self { .with { $0.chunk = .init() } }
}

extension Syft_V1_ServerFrame: ChunkCarryingFrame {
    static var chunkField: Int { 3 }
    static var deliveredChunk: Self { .with { $0.chunk = .init() } }
}

/// Deserializes frames as grpc-swift's protobuf deserializer does, except that a chunk's data goes
/// straight into the tensors being received (Note [Chunks written where they go]).
struct FrameDeserializer<Frame: ChunkCarryingFrame>: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Frame {
        if let sink = ChunkDestination.current?.sink {
            let delivered = serializedMessageBytes.withUnsafeBytes { raw -> Bool in
                guard let data = chunkFrameData(raw, field: Frame.chunkField), data.count <= sink.remaining
                else { return false }
                // Fits what the tensors still need, so the write cannot fail.
                return (try? sink.write(data)) != nil
            }
            if delivered { return Frame.deliveredChunk }
        }
        return try ProtobufDeserializer<Frame>().deserialize(serializedMessageBytes)
    }
}
