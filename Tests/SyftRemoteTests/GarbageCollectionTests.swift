import SyftCore
import SyftRemote
import XCTest

/// When the last copy of a pointer goes away the worker deletes the object (behaviour catalog e).
final class GarbageCollectionTests: XCTestCase {
    func testDroppingThePointerDeletesTheObject() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            do {
                let p = try Tensor([1, 2, 3]).send(to: bob)
                let copy = p
                try withExtendedLifetime(copy) { XCTAssertEqual(try objectCount(bob), 1) }
            }
            XCTAssertEqual(try objectCount(bob), 0)
        }
    }

    /// An optimized build may release a pointer right after its last use (Swift's rule, not the end of
    /// the scope); held, it keeps its object in any build (the example of the RemoteExecution article).
    func testAHeldPointerKeepsItsObjectInAnyBuild() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let x = try Tensor([1, 2, 3]).send(to: bob)
            let y = x * 2
            try withExtendedLifetime((x, y)) { XCTAssertEqual(try objectCount(bob), 2) }
        }
    }

    func testGarbageCollectionCanBeTurnedOff() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            var kept: ObjectID = 0
            do {
                let p = try Tensor([1, 2, 3]).send(to: bob, garbageCollect: false)
                kept = p.idAtLocation!
                let q = try Tensor([4]).send(to: bob)
                q.garbageCollect = false
            }
            let infos = try bob.objectInfos()
            XCTAssertEqual(infos.count, 2)
            XCTAssertTrue(infos.contains { $0.id == kept })
        }
    }

    func testRebindingLoopLeavesOneObject() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            var x = try Tensor([0.0]).send(to: bob)
            for _ in 0..<10_000 { x = x + 1 }
            XCTAssertEqual(try objectCount(bob), 1)
            XCTAssertEqual(try x.get().floats, [10_000])
            XCTAssertEqual(try objectCount(bob), 0)
        }
    }

    func testGetTurnsGarbageCollectionOff() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let keep = try Tensor([7]).send(to: bob)
            do {
                let p = try Tensor([1]).send(to: bob)
                _ = try p.get()
            }
            XCTAssertEqual(try objectCount(bob), 1)
            _ = keep
        }
    }
}
