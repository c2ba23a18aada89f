import SyftCore
import XCTest

@testable import SyftRemote

/// The client's queue (Note [Pipelining]) and its collected deletes (Note [Collected deletes]).
final class ChannelTests: XCTestCase {
    private func queued(_ worker: VirtualWorker) -> (requests: [Request], deletes: [ObjectID]) {
        worker.channel.state.withLock { ($0.queue, $0.deletes) }
    }

    /// Dropped results of small operations are collected, not queued one delete each; the waiting call
    /// that follows sends them as one request before itself, so it sees them applied.
    func testSmallDeletesGoOutAsOneRequestBeforeTheWaitingCall() throws {
        let bob = VirtualWorker(id: "bob", useWireCodec: true)
        let x = try Tensor([1.0, 2, 3]).send(to: bob)
        try bob.synchronize()
        for _ in 0..<5 { _ = x + 1 }
        let (requests, deletes) = queued(bob)
        XCTAssertEqual(requests.count, 5)
        XCTAssertTrue(requests.allSatisfy { if case .command = $0 { true } else { false } })
        XCTAssertEqual(deletes.count, 5)
        XCTAssertEqual(try bob.objectInfos().count, 1)
        XCTAssertEqual(queued(bob).deletes, [])
        // A rebinding loop longer than a batch still leaves one object.
        var y = x
        for _ in 0..<3 * bob.channel.batchLimit { y = y + 1 }
        XCTAssertEqual(try bob.objectInfos().count, 2)
        XCTAssertEqual(try y.get().doubles, [1537, 1538, 1539])
    }

    /// Past `heldDeleteBytes`, the collected deletes join the queue where they are: a large object is
    /// deleted as soon as the next batch runs, not held back.
    func testLargeDeletesAreQueuedAtOnce() throws {
        let bob = VirtualWorker(id: "bob")
        let small = try Tensor([1.0]).send(to: bob)
        let large = try Tensor.zeros([Channel.heldDeleteBytes / 4 + 1]).send(to: bob)
        try bob.synchronize()
        do {
            _ = small + 1
            _ = large + 1
        }
        let (requests, deletes) = queued(bob)
        XCTAssertEqual(deletes, [])
        guard case .delete(let ids)? = requests.last else {
            return XCTFail("expected a delete, got \(requests)")
        }
        XCTAssertEqual(ids.count, 2)
        bob.channel.flush()
        XCTAssertEqual(bob.runtime.objectCount, 2)
    }
}
