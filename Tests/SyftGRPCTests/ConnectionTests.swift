import Foundation
import SyftCore
import SyftGRPC
import SyftRemote
import Synchronization
import XCTest
import _WorkerProcessSupport

/// Disconnecting frees a client's objects (unless it asked to keep them); a lost connection is a typed
/// error; SIGTERM lets what was sent finish and exits 0.
final class ConnectionTests: XCTestCase {
    func testDisconnectFreesTheClientsObjects() throws {
        let bob = try startWorker("bob")
        let observer = try bob.connect()
        do {
            let client = try bob.connect()
            let kept = try Tensor.zeros([1000]).send(to: client)
            let also = kept + 1
            try client.synchronize()
            XCTAssertEqual(try observer.status().objectCount, 2)
            XCTAssertEqual(try observer.status().bytesHeld, 8000)
            _ = also
            client.disconnect()
        }
        XCTAssertTrue(try eventually { try observer.status().objectCount == 0 })
        XCTAssertEqual(try observer.status().bytesHeld, 0)
        XCTAssertTrue(bob.logText.contains("freed 2 object(s)"), bob.logText)
    }

    func testKeptObjectsSurviveAndAreFoundAgainWithTheSameIdentity() throws {
        let bob = try startWorker("bob")
        let identity = "researcher-\(UInt32.random(in: 0..<UInt32.max))"
        var id: ObjectID = 0
        do {
            let first = try bob.connect(clientID: identity, keepObjects: true)
            let x = try Tensor([4.0, 5.0]).send(to: first, garbageCollect: false, tags: ["#kept"])
            id = x.idAtLocation!
            try first.synchronize()
            first.disconnect()
        }
        let observer = try bob.connect()
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(try observer.status().objectCount, 1)
        let again = try bob.connect(clientID: identity)
        let found = try again.search("#kept")
        XCTAssertEqual(found.map(\.idAtLocation), [id])
        XCTAssertEqual(try found[0].get().floats, [4, 5])
        XCTAssertEqual(try again.search("#kept").count, 0, "get took it")
        // Another identity does not see them.
        XCTAssertEqual(try observer.search("#kept").count, 0)
    }

    func testALostConnectionIsWorkerUnreachable() throws {
        let bob = try startWorker("bob")
        let client = try bob.connect()
        let x = try Tensor([1.0]).send(to: client)
        try client.synchronize()
        bob.stop(signal: SIGKILL)
        let y = x + 1
        assertSyftError(try y.get()) {
            if case .workerUnreachable(let w, _) = $0 { return w == "bob" }; return false
        }
        assertSyftError(try client.synchronize()) {
            if case .workerUnreachable = $0 { return true }; return false
        }
        XCTAssertFalse(client.isConnected)
        assertSyftError(
            try NetworkWorker(id: "bob", port: bob.port, token: bob.token, connectTimeout: .seconds(3))
        ) {
            if case .workerUnreachable = $0 { return true }; return false
        }
    }

    func testConnectingToAnotherWorkersAddressIsRefused() throws {
        let bob = try startWorker("bob")
        assertSyftError(try NetworkWorker(id: "alice", port: bob.port, token: bob.token)) { e in
            if case .workerUnreachable(_, let reason) = e { return reason.contains("'bob'") }
            return false
        }
        // Without an id, the client takes the one the worker announces.
        let any = try NetworkWorker(id: nil, port: bob.port, token: bob.token)
        XCTAssertEqual(any.id, "bob")
        XCTAssertEqual(try (Tensor([1.0, 2.0]).send(to: any) * 2).get().doubles, [2, 4])
    }

    func testSIGTERMFinishesWhatWasSentAndExitsZero() throws {
        let bob = try startWorker("bob")
        let client = try bob.connect()
        XCTAssertTrue(bob.logText.contains("listening on 127.0.0.1:\(bob.port)"))
        XCTAssertTrue(
            eventually { bob.logText.contains("client \(client.clientID.prefix(8)) connected") }, bob.logText)
        let a = try Tensor.randn([400, 400]).send(to: client)
        var x = a
        for _ in 0..<30 { x = matmul(x, a) / 400 }
        let result = Locked<Result<Tensor, SyftError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let final = x
        Thread {
            do throws(SyftError) {
                let v = try final.sum().get()
                result.withLock { $0 = .success(v) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.05)
        let status = bob.stop(signal: SIGTERM)
        XCTAssertEqual(status, 0, bob.logText)
        done.wait()
        switch result.withLock({ $0 })! {
        case .success(let v): XCTAssertEqual(v.shape, [])
        case .failure(let e): XCTFail("the in-flight call failed: \(e)")
        }
        assertSyftError(try client.synchronize()) {
            if case .workerUnreachable = $0 { return true }; return false
        }
        XCTAssertTrue(bob.logText.contains("stopped"), bob.logText)
        // Nothing is scheduled on an event loop that was shut down while the server let go of its transport.
        XCTAssertFalse(bob.logText.contains("ERROR"), bob.logText)
    }
}
