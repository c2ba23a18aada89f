import Foundation
import SyftCore
import SyftRemote
import Synchronization
import XCTest
import _WorkerProcessSupport

@testable import SyftGRPC

/// A relayed batch on a network connection (Note [Relayed batches], SyftRemote): it waits on the
/// connection's writer for the replies it is made from, and a lost connection ends the wait.
final class RelayTests: XCTestCase {
    /// A relayed batch whose replies never come does not hold its caller when the connection is lost: the
    /// wait ends with the connection's failure, and nothing later is sent.
    func testARelayedBatchWaitingWhenTheConnectionIsLostFails() throws {
        let bob = try startWorker("bob")
        let client = try bob.connect()
        let x = try Tensor([1.0, 2.0]).send(to: client)
        try client.synchronize()
        let never = PendingReplies({ [] }, whenReady: { _ in })
        let relayed = client.connection.start([.get(id: x.idAtLocation!)], after: never) { requests, _ in
            requests
        }
        bob.stop(signal: SIGKILL)
        let replies = relayed.wait()
        guard case .failure(_, let error)? = replies.last else { return XCTFail("\(replies)") }
        XCTAssertTrue(
            { if case .workerUnreachable = error { true } else { error == relayCancelled } }(), "\(error)")
        XCTAssertFalse(client.isConnected)
    }

    /// A relayed batch goes out after the batches delivered before it and before those delivered after it,
    /// however late its replies come: a later call that waits sees what it did.
    func testARelayedBatchKeepsItsPlaceAmongTheConnectionsBatches() throws {
        let bob = try startWorker("bob")
        let client = try bob.connect()
        let x = try Tensor([1.0, 2.0]).send(to: client)
        let id = x.idAtLocation!
        let ready = Mutex<(@Sendable ([Reply]) -> Void)?>(nil)
        let later = PendingReplies({ [] }, whenReady: { handler in ready.withLock { $0 = handler } })
        // Made from the replies it waits for: x is replaced by [7, 8].
        let relayed = client.connection.start([], after: later) { _, _ in
            [
                .object(
                    id: id, value: .tensor(TensorPayload(tensor: Tensor([7.0, 8.0]), requiresGrad: false)),
                    tags: [],
                    description: "")
            ]
        }
        let fetched = client.connection.start([.get(id: id)])  // delivered after the relayed batch
        Thread.sleep(forTimeInterval: 0.05)
        ready.withLock { $0 }?([])
        guard case .object(.tensor(let p))? = fetched.wait().last else { return XCTFail("get") }
        XCTAssertEqual(p.tensor.scalars(as: Double.self), [7, 8])
        XCTAssertEqual(relayed.wait().count, 0)
    }
}
