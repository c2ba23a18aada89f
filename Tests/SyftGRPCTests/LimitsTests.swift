import Foundation
import SyftCore
import SyftGRPC
import SyftRemote
import XCTest
import _WorkerProcessSupport

/// Message size, tensor size and memory budget: refused with an error before anything is allocated;
/// large tensors move in chunks within the message size.
final class LimitsTests: XCTestCase {
    func testLimits() throws {
        let bob = try startWorker(
            "bob", ["--max-message-bytes", "65536", "--max-tensor-bytes", "1MiB", "--memory-budget", "3MiB"])
        let client = try bob.connect()
        // Within the tensor limit but over the message size: chunked, and exact.
        let medium = Tensor.arange(200_000, dtype: .float32)
        let p = try medium.send(to: client)
        XCTAssertTrue(try (p + 1).get().isEqual(to: medium + 1))
        XCTAssertEqual(try client.status().bytesHeld, 800_000)
        // Over the tensor limit: refused, nothing held.
        let big = Tensor.zeros([300_000])
        let refused = try big.send(to: client)
        assertSyftError(try client.synchronize()) { e in
            guard case .resourceExhausted(let w, let reason) = e else { return false }
            return w == "bob" && reason.contains("1048576")
        }
        XCTAssertEqual(try client.status().bytesHeld, 800_000)
        _ = refused
        // A command whose result is over the limit is refused before it runs.
        let wide = (p.reshaped(to: [200_000, 1]) * p.reshaped(to: [1, 200_000]))
        assertSyftError(try wide.get()) {
            if case .resourceExhausted = $0 { return true }; return false
        }
        // The memory budget: 3 MiB in all.
        let a = try Tensor.zeros([250_000]).send(to: client)
        let b = try Tensor.zeros([250_000]).send(to: client)
        try client.synchronize()
        let c = try Tensor.zeros([250_000]).send(to: client)
        assertSyftError(try client.synchronize()) { e in
            if case .resourceExhausted(_, let reason) = e {
                return reason.contains("budget") || reason.contains("available")
            }
            return false
        }
        XCTAssertEqual(try client.status().bytesHeld, 2_800_000)
        _ = (a, b, c)
        // A request larger than any message is refused by the client before it is sent.
        let tags = [String(repeating: "t", count: 40_000)]
        let tagged = try Tensor([1]).send(to: client, tags: tags)
        assertSyftError(try client.synchronize()) {
            if case .resourceExhausted = $0 { return true }; return false
        }
        _ = tagged
        XCTAssertEqual(try p.sum().get().item(), 19_999_900_000, accuracy: 1e6, "the worker still serves")
    }

    /// Chunks share the sent tensor's buffer: a strided view (copied once to row-major order), float64 and
    /// bool data arrive exact, and the sender's tensor is untouched after its chunks have gone.
    func testChunksOfViewsAndDTypes() throws {
        let bob = try startWorker("bob", ["--max-message-bytes", "65536"])
        let client = try bob.connect()
        let view = Tensor.arange(60_000, dtype: .float64).reshaped(to: [200, 300]).transposed()
        let p = try view.send(to: client)
        let total = p.sum()
        XCTAssertTrue(try p.get().isEqual(to: view))
        var flags = Tensor.arange(100_000, dtype: .float32).sin() .> 0.5
        let q = try flags.send(to: client)
        flags = flags .== false
        XCTAssertTrue(try q.get().isEqual(to: flags .== false))
        XCTAssertEqual(try total.get().item(), 1_799_970_000, accuracy: 1)
    }

    /// A tensor much larger than the message size moves both ways without a large message, and the
    /// worker's peak memory grows by the tensor and a bounded allowance, not twice the tensor.
    func testLargeTensorMovesInChunksWithoutDoublingMemory() throws {
        let bob = try startWorker("bob", ["--max-message-bytes", "1MiB"])
        let client = try bob.connect(maxMessageBytes: 1 << 20)
        let n = 24 << 20  // 96 MiB of float32
        let t = Tensor(shape: [n], dtype: .float32) { bytes in
            bytes.initializeMemory(as: UInt8.self, repeating: 0x3f)
            bytes.storeBytes(of: Float(7), toByteOffset: bytes.count - 4, as: Float.self)
        }
        let before = bob.peakResidentBytes
        let p = try t.send(to: client)
        try client.synchronize()
        let peak = bob.peakResidentBytes
        // "Without doubling memory": the tensor, plus an allowance that does not grow with it: the
        // transport's windows (8 MiB), the chunks in flight and what the allocator keeps of them. Measured:
        // 3 to 29 MiB over the tensor for tensors of 48 to 192 MiB (release build, busy machine); twice the
        // tensor would be 96 MiB over.
        XCTAssertLessThan(peak - before, n * 4 + (40 << 20), "peak \(peak) from \(before)")
        let back = try p.get()
        XCTAssertEqual(back.shape, [n])
        let same = back.withUnsafeRawBytes { a in
            t.withUnsafeRawBytes { b in
                a.count == b.count && memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
            }
        }
        XCTAssertTrue(same)
    }
}
