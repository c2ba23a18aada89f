import Foundation
import SyftCore
import SyftGRPC
import XCTest
import _WorkerProcessSupport

@testable import SyftRemote

/// Each connection is a client with its own objects; the data owner's data is shared for computing, and
/// fetched only when the owner allows it.
final class OwnershipTests: XCTestCase {
    /// A pointer, on `worker`, to an object this client did not send (as a hostile client would forge).
    func forged(_ id: ObjectID, on worker: any Worker, shape: [Int]) -> Tensor {
        let meta = TensorMeta(shape: shape, dtype: .float32)
        return Tensor(
            remote: PointerHandle(
                location: worker, idAtLocation: id, meta: meta, requiresGrad: false, garbageCollect: true),
            meta: meta)
    }

    func testAnotherClientsObjectIsPermissionDeniedAndUntouched() throws {
        let bob = try startWorker("bob")
        let alice = try bob.connect()
        let eve = try bob.connect()
        let x = try Tensor([1.0, 2.0, 3.0]).send(to: alice, tags: ["#mine"])
        try alice.synchronize()
        XCTAssertEqual(try eve.search("#mine").count, 0, "another client's objects are not found")
        XCTAssertEqual(try eve.objectInfos().count, 0)
        let stolen = forged(x.idAtLocation!, on: eve, shape: [3])
        assertSyftError(try stolen.get()) {
            if case .permissionDenied(let id, "bob", _) = $0 { return id == x.idAtLocation }; return false
        }
        assertSyftError(try (stolen * 2).get()) {
            if case .permissionDenied = $0 { return true }; return false
        }
        var target = forged(x.idAtLocation!, on: eve, shape: [3])
        target += 10
        assertSyftError(try eve.synchronize()) {
            if case .permissionDenied = $0 { return true }; return false
        }
        // Sending an object under the taken id is refused too; dropping the forged pointers deletes nothing.
        _ = (stolen, target)
        try eve.synchronize()
        XCTAssertEqual(try x.get().floats, [1, 2, 3], "the object is untouched")
    }

    /// A plan belongs to the client that defined it: another client can neither run it nor replace it.
    func testAnotherClientsPlanIsPermissionDenied() throws {
        let bob = try startWorker("bob")
        let alice = try bob.connect()
        let eve = try bob.connect()
        let x = try Tensor([1.0, 2.0] as [Float]).send(to: alice)
        let (plan, _) = try Plan.record([x]) { a in [a[0] * 10] }
        try alice.synchronize()
        let y = try Tensor([5.0] as [Float]).send(to: eve)
        eve.channel.post(
            .runPlan(id: plan.id, arguments: [y.idAtLocation!], results: [newObjectID()], batchSize: 0))
        assertSyftError(try eve.synchronize()) {
            if case .permissionDenied(let id, "bob", _) = $0 { return id == plan.id }; return false
        }
        eve.channel.post(.definePlan(id: plan.id, inputs: [1], outputs: [], requests: []))
        assertSyftError(try eve.synchronize()) {
            if case .permissionDenied(let id, "bob", _) = $0 { return id == plan.id }; return false
        }
        XCTAssertEqual(try plan(x)[0].get().scalars(as: Float.self), [10, 20], "the plan is untouched")
    }

    func testRegisteredDataIsSearchableAndComputableButNotFetchable() throws {
        let dir = try temporaryDirectory()
        let csv = dir.appendingPathComponent("toy.csv")
        try "a,b,label\n1,2,0\n3,4,1\n5,6,1\n".write(to: csv, atomically: true, encoding: .utf8)
        let bob = try startWorker("bob", ["--data", csv.path, "--tag", "#toy"])
        XCTAssertTrue(bob.logText.contains("registered toy.csv"), bob.logText)
        let client = try bob.connect()
        let features = try client.search("#toy")
        let labels = try client.search("#toy_labels")
        XCTAssertEqual(features.count, 1)
        XCTAssertEqual(labels.count, 1)
        XCTAssertEqual(features[0].shape, [3, 2])
        XCTAssertEqual(features[0].dtype, .float32)
        XCTAssertEqual(labels[0].dtype, .int64)
        XCTAssertEqual(try features[0].sum().get().item(), 21)
        XCTAssertEqual(try labels[0].sum().get().item(), 2)
        assertSyftError(try features[0].get()) {
            if case .permissionDenied = $0 { return true }; return false
        }
        assertSyftError(try labels[0].get()) {
            if case .permissionDenied = $0 { return true }; return false
        }
        XCTAssertEqual(try client.search("#toy").count, 1, "a refused get leaves the data there")

        let open = try startWorker(
            "carol", ["--data", csv.path, "--tag", "#toy", "--allow-get", "--target", "a"])
        let c = try open.connect()
        let found = try c.search("#toy")[0]
        XCTAssertEqual(found.shape, [3, 2])
        XCTAssertEqual(try c.search("#toy_labels")[0].get().ints, [1, 3, 5])
        // The registered data is not deleted by a client dropping its search results, nor on disconnect.
        XCTAssertEqual(try c.status().objectCount, 2, "a client's get does not take the owner's data away")
    }
}
