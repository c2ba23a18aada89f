import Synchronization
import XCTest
import _TestSupport

@testable import SyftCore

// White-box checks of the kernel building blocks (Sources/SyftCore/Kernels): how work is split across
// threads, how strided layouts are merged, and the blocked float32 sum.

final class KernelTests: XCTestCase {
    func testParallelChunksCoverTheRangeOnceAndUseTheThreads() {
        for (count, grain) in [(0, 1), (1, 1), (2, 1), (5, 1), (100, 1), (1000, 64), (200_000, 1 << 16)] {
            let seen = Mutex([Range<Int>]())
            parallelChunks(count, grain: grain) { r in seen.withLock { $0.append(r) } }
            let ranges = seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
            var next = 0
            for r in ranges {
                XCTAssertEqual(r.lowerBound, next, "count \(count): ranges \(ranges)")
                next = r.upperBound
            }
            XCTAssertEqual(next, count, "count \(count): ranges \(ranges)")
            // Every thread gets a piece when there is work enough for each (a reduction of one long row
            // hands each thread one partial result: count 2, grain 1).
            let threads = Swift.min(kernelThreadCount, count / grain)
            if threads > 1 {
                XCTAssertEqual(ranges.count, threads, "count \(count), grain \(grain): ranges \(ranges)")
            }
        }
    }

    func testStridedLayoutMergesAxes() {
        let contiguous = StridedLayout(shape: [2, 3, 4], strides: [[12, 4, 1]])
        XCTAssertEqual(contiguous.shape, [24])
        XCTAssertEqual(contiguous.strides, [[1]])
        let mixed = StridedLayout(shape: [2, 3, 4], strides: [[12, 4, 1], [1, 2, 6]])
        XCTAssertEqual(mixed.shape, [2, 3, 4])
        let broadcast = StridedLayout(shape: [2, 1, 3, 4], strides: [[12, 12, 4, 1], [0, 0, 0, 1]])
        XCTAssertEqual(broadcast.shape, [6, 4])
        XCTAssertEqual(broadcast.strides, [[4, 1], [0, 1]])
        let scalar = StridedLayout(shape: [1, 1], strides: [[5, 7]])
        XCTAssertEqual(scalar.shape, [1])
        // Runs of a range that starts and ends inside rows.
        var runs: [(Int, Int, Int)] = []
        mixed.forEachRun(in: 5..<14, base: [0, 100]) { start, n, offsets in
            runs.append((start, n, offsets[1]))
        }
        XCTAssertEqual(runs.map(\.0), [5, 8, 12])
        XCTAssertEqual(runs.map(\.1), [3, 4, 2])
        XCTAssertEqual(runs.map(\.2), [100 + 1 * 6 + 1 * 2, 100 + 2 * 2, 100 + 1 + 0 * 2])
    }

    func testBlockedSumAtBlockBoundaries() {
        for n in [0, 1, 15, 16, 17, 255, 256, 257, 271, 272, 1000, 4097] {
            let values = (0..<n).map { Float($0 % 7) * 0.5 - 1 }
            let exact = values.reduce(0.0) { $0 + Double($1) }
            let s = values.withUnsafeBufferPointer { blockedSum($0.baseAddress!, n) }
            XCTAssertEqual(s, exact, "n \(n)")
        }
    }
}
