import Synchronization
import XCTest

@testable import SyftGRPC

/// The gate that keeps a session's writers apart: one holder at a time across suspension points, waiters
/// served in order, and a free gate taken without suspending.
final class WriteGateTests: XCTestCase {
    func testOneHolderAtATimeAcrossSuspensions() async {
        final class Record: Sendable {
            let log = Mutex<[String]>([])
            let inside = Atomic<Int>(0)
            let most = Atomic<Int>(0)
        }
        let gate = WriteGate()
        let record = Record()
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for part in 0..<20 {
                        await gate.withGate {
                            let now = record.inside.add(1, ordering: .relaxed).newValue
                            _ = record.most.max(now, ordering: .relaxed)
                            // A frame and its chunks: nobody else writes between them.
                            record.log.withLock { $0.append("\(writer).\(part).a") }
                            await Task.yield()
                            record.log.withLock { $0.append("\(writer).\(part).b") }
                            record.inside.subtract(1, ordering: .relaxed)
                        }
                    }
                }
            }
        }
        XCTAssertEqual(record.most.load(ordering: .relaxed), 1)
        let entries = record.log.withLock { $0 }
        XCTAssertEqual(entries.count, 8 * 20 * 2)
        for pair in stride(from: 0, to: entries.count, by: 2) {
            XCTAssertEqual(entries[pair].dropLast(), entries[pair + 1].dropLast(), "interleaved at \(pair)")
        }
    }

    func testReleasedOnThrowAndReusable() async throws {
        struct Failed: Error {}
        let gate = WriteGate()
        do {
            try await gate.withGate { throw Failed() }
            XCTFail("the body's error should come out")
        } catch is Failed {}
        let value = await gate.withGate { 42 }
        XCTAssertEqual(value, 42)
    }
}
