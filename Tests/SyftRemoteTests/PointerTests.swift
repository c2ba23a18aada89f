import SyftCore
import SyftRemote
import XCTest
import _TestSupport

/// send, get, pointer metadata, printed forms and the errors around them (behaviour catalog b, i).
final class PointerTests: XCTestCase {
    func testSendGetRoundTrip() {
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let x = Tensor([[1.5, -2], [3, 4]], dtype: .float64)
            let p = try x.send(to: bob)
            XCTAssertTrue(p.isPointer)
            XCTAssertEqual(p.shape, [2, 2])
            XCTAssertEqual(p.dtype, .float64)
            XCTAssertEqual(try objectCount(bob), 1)
            let back = try p.get()
            XCTAssertTrue(back.isLocal)
            XCTAssertTrue(back.isEqual(to: x), "\(mode)")
            XCTAssertEqual(try objectCount(bob), 0)
        }
    }

    func testEveryDtypeAndShapeTravels() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            for t in [
                Tensor([1, 2, 3]), Tensor([true, false]), Tensor(2.5), Tensor.zeros([0, 3]),
                Tensor.arange(24).reshaped(to: [2, 3, 4]).transposed(0, 2),
            ] {
                XCTAssertTrue(try t.send(to: bob).get().isEqual(to: t.contiguous()), "\(t.shape) \(t.dtype)")
            }
        }
    }

    func testMetadataWithoutRoundTrip() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let p = try Tensor([1, 2, 3, 4, 5]).send(to: bob)
            let q = (p * 2.5).reshaped(to: [5, 1])
            XCTAssertEqual(q.shape, [5, 1])
            XCTAssertEqual(q.dtype, .float32)
            XCTAssertTrue(p.location === bob)
            XCTAssertNotNil(p.id)
            XCTAssertNotEqual(p.id, p.idAtLocation)
            XCTAssertTrue(p.owner === me)
            XCTAssertEqual(me.description, "<VirtualWorker id:me #objects:0>")
        }
    }

    func testPrintedForms() {
        let bob = VirtualWorker(id: "bob")
        let p = try! Tensor([1, 2]).send(to: bob)
        XCTAssertEqual(p.description, "[PointerTensor | me:\(p.id!) -> bob:\(p.idAtLocation!)]")
        XCTAssertEqual(bob.description, "<VirtualWorker id:bob #objects:1>")
        _ = try! p.get()
        XCTAssertTrue(p.description.hasPrefix("[PointerTensor | me:\(p.id!) -> bob:\(p.idAtLocation!)]"))
        XCTAssertTrue(p.description.contains("fetched"))
    }

    func testSecondGetSaysAlreadyFetched() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let p = try Tensor([1.0]).send(to: bob)
            let copy = p
            _ = try p.get()
            assertSyftError(try copy.get()) {
                if case .alreadyFetched(_, "bob") = $0 { return true }; return false
            }
            assertSyftError(try (copy + 1).get()) {
                if case .alreadyFetched = $0 { return true }; return false
            }
        }
    }

    func testObjectGoneNamesIdAndWorker() {
        let bob = VirtualWorker(id: "bob")
        let p = try! Tensor([1.0, 2]).send(to: bob)
        bob.clearObjects()
        assertSyftError(try p.get()) { e in
            guard case .objectNotFound(let id, let w) = e else { return false }
            return id == p.idAtLocation && w == "bob" && e.description.contains("\(id)")
                && e.description.contains("bob")
        }
    }

    func testOperandsOnTwoWorkersNameBoth() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let alice = try worker("alice")
            let a = try Tensor([1, 2]).send(to: bob)
            let b = try Tensor([3, 4]).send(to: alice)
            for result in [a + b, add(a, b), matmul(a, b)] {
                assertSyftError(try result.get()) { e in
                    guard case .notCollocated = e else { return false }
                    return e.description.contains("bob") && e.description.contains("alice")
                }
            }
            // The failure is also reported at the next call that waits for the worker; that call does not
            // run (nothing is lost), and a retry does.
            let c = a + b
            _ = c
            assertSyftError(try a.get()) {
                if case .notCollocated = $0 { return true }; return false
            }
            XCTAssertEqual(try a.get().ints, [1, 2])
        }
    }

    /// A command that fails on the worker in a batch sent without waiting is reported at the next call
    /// that waits (which does not run, nor what was sent between); what comes after runs normally.
    func testFailureOfAPipelinedBatchIsReportedAtTheNextWait() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let p = try Tensor([1.0, 2.0]).send(to: bob, tags: ["#x"])
            let q = try bob.search("#x")[0]  // a second pointer to the same object
            _ = try p.get()  // the object is gone; q does not know
            let failed = q + 1
            bob.channel.flush()  // sent without waiting
            let skipped = try Tensor([5.0]).send(to: bob)
            assertSyftError(try skipped.get()) { e in
                if case .objectNotFound(let id, "bob") = e { return id == q.idAtLocation }
                return false
            }
            let t = try Tensor([7.0]).send(to: bob)
            XCTAssertEqual(try t.get().floats, [7])
            _ = failed
        }
    }

    func testLocalAndRemoteMixedIsAnError() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let a = try Tensor([1, 2]).send(to: bob)
            let local = Tensor([3, 4])
            assertSyftError(try (a + local).get()) { e in
                guard case .notCollocated = e else { return false }
                return e.description.contains("bob") && e.description.contains("me")
            }
            assertSyftError(try (local * a).get()) {
                if case .notCollocated = $0 { return true }; return false
            }
        }
    }

    func testGetOnLocalTensor() {
        assertSyftError(try Tensor([1]).get()) {
            if case .notAPointer = $0 { return true }; return false
        }
    }

    func testShapeErrorIsReportedNotCrashing() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let a = try Tensor([1.0, 2, 3]).send(to: bob)
            let b = try Tensor([1.0, 2]).send(to: bob)
            assertSyftError(try (a + b).get()) { e in
                guard case .invalidCommand(let op, let reason) = e else { return false }
                return op == "add" && reason.contains("[3]") && reason.contains("[2]")
            }
            XCTAssertEqual(try a.get().floats, [1, 2, 3])
            XCTAssertEqual(try b.get().floats, [1, 2])
        }
    }

    func testSendToSeveralWorkers() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let alice = try worker("alice")
            let ptrs = try Tensor([1, 2, 3]).send(to: [bob, alice])
            XCTAssertTrue(ptrs[0].location === bob)
            XCTAssertTrue(ptrs[1].location === alice)
            XCTAssertEqual(try (ptrs[0] + 1).get().ints, [2, 3, 4])
            XCTAssertEqual(try ptrs[1].get().ints, [1, 2, 3])
        }
    }
}
