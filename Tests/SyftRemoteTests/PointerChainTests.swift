import SyftCore
import SyftRemote
import XCTest

/// Pointers to pointers, move, remoteGet and tag search (behaviour catalog a17, f).
final class PointerChainTests: XCTestCase {
    func testPointerToPointer() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let alice = try worker("alice")
            let onBob = try Tensor([1, 2, 3, 4, 5]).send(to: bob)
            let chain = try onBob.send(to: alice)
            XCTAssertTrue(chain.location === alice)
            XCTAssertEqual(try objectCount(alice), 1)
            XCTAssertEqual(try objectCount(bob), 1)
            // Operations run at alice, which forwards them to bob.
            let doubled = chain + chain
            XCTAssertEqual(try objectCount(alice), 2)
            XCTAssertEqual(try objectCount(bob), 2)
            let inner = try doubled.get()
            XCTAssertTrue(inner.location === bob)
            XCTAssertEqual(try inner.get().ints, [2, 4, 6, 8, 10])
            let firstInner = try chain.get()
            XCTAssertEqual(try objectCount(alice), 0)
            XCTAssertEqual(try firstInner.get().ints, [1, 2, 3, 4, 5])
            XCTAssertEqual(try objectCount(bob), 0)
        }
    }

    func testDroppingAChainCascades() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let alice = try worker("alice")
            do {
                let chain = try Tensor([1.0]).send(to: bob).send(to: alice)
                XCTAssertEqual(try objectCount(bob), 1)
                _ = chain
            }
            XCTAssertEqual(try objectCount(alice), 0)
            XCTAssertEqual(try objectCount(bob), 0)
        }
    }

    func testMoveRetargetsTheSamePointer() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let alice = try worker("alice")
            var p = try Tensor([1.0, 2.0], requiresGrad: true).send(to: bob)
            let copy = p
            let id = p.id
            try p.move(to: alice)
            XCTAssertTrue(p.location === alice)
            XCTAssertTrue(copy.location === alice)
            XCTAssertEqual(p.id, id)
            XCTAssertEqual(try objectCount(bob), 0)
            XCTAssertEqual(try objectCount(alice), 1)
            XCTAssertTrue(p.requiresGrad)
            try p.move(to: alice)  // already there: nothing happens
            let back = try p.get()
            XCTAssertEqual(back.floats, [1, 2])
            XCTAssertTrue(back.requiresGrad)
        }
    }

    func testRemoteGet() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let alice = try worker("alice")
            let chain = try Tensor([3, 1, 4]).send(to: bob).send(to: alice)
            try chain.remoteGet()
            XCTAssertEqual(try objectCount(bob), 0)
            XCTAssertEqual(try objectCount(alice), 1)
            XCTAssertEqual(try chain.get().ints, [3, 1, 4])
            let single = try Tensor([1]).send(to: bob)
            assertSyftError(try single.remoteGet()) {
                if case .invalidCommand(let op, _) = $0 { return op == "remote_get" }; return false
            }
        }
    }

    func testTagsAndSearch() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let digits = try Tensor.randn([4, 64]).send(
                to: bob, tags: ["#digits", "#train"], description: "handwritten digits")
            // The sender's pointers keep the objects alive (dropping one deletes its object).
            let labels = try Tensor([1, 2, 3, 0]).send(to: bob, tags: ["#labels", "#train"])
            let found = try bob.search("#digits")
            XCTAssertEqual(found.count, 1)
            XCTAssertEqual(found[0].shape, [4, 64])
            XCTAssertEqual(found[0].idAtLocation, digits.idAtLocation)
            XCTAssertEqual(try bob.search("#train").count, 2)
            XCTAssertEqual(try bob.search("#train", "#labels").count, 1)
            XCTAssertEqual(try bob.search("#nothing").count, 0)
            // Search results do not delete the data when dropped.
            do { _ = try bob.search("#labels") }
            XCTAssertEqual(try objectCount(bob), 2)
            let infos = try bob.objectInfos()
            XCTAssertEqual(infos.first { $0.id == digits.idAtLocation }?.description, "handwritten digits")
            XCTAssertEqual(infos.first { $0.id == labels.idAtLocation }?.tags, ["#labels", "#train"])
        }
    }

    func testDataOwnerRegisteredData() {
        let bob = VirtualWorker(id: "bob")
        bob.register(Tensor([1.0, 2.0, 3.0]), tags: ["#private"], allowGet: false)
        let found = try! bob.search("#private")
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(try (found[0] * 2).sum().get().item(), 12)
        assertSyftError(try found[0].get()) {
            if case .permissionDenied = $0 { return true }; return false
        }
        XCTAssertEqual(bob.objects.count, 1)
    }
}
