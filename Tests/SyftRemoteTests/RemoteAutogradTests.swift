import SyftCore
import SyftRemote
import XCTest
import _TestSupport

/// Remote autograd: requires-grad travels with send, backward runs on the worker, gradients stay there
/// until fetched (behaviour catalog d, with faults D3-D5 and I7-I8 fixed).
final class RemoteAutogradTests: XCTestCase {
    func testBackwardRunsOnTheWorker() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let x = try Tensor([1, 2, 3, 4, 5.0], requiresGrad: true).send(to: bob)
            let y = try Tensor([1, 1, 1, 1, 1.0], requiresGrad: true).send(to: bob)
            XCTAssertTrue(x.requiresGrad)
            let z = (x + y).sum()
            XCTAssertTrue(z.requiresGrad)
            XCTAssertEqual(z.shape, [])
            try z.backward()
            let local = try x.get()
            XCTAssertEqual(local.description, "tensor([1., 2., 3., 4., 5.], requires_grad=True)")
            XCTAssertEqual(local.grad?.description, "tensor([1., 1., 1., 1., 1.])")
        }
    }

    func testGradIsAPointerAndNilWhenAbsent() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let w = try Tensor([2.0, 3.0], requiresGrad: true).send(to: bob)
            XCTAssertNil(w.grad)
            let loss = (w * w).sum()
            try loss.backward()
            let g = try XCTUnwrap(w.grad)
            XCTAssertTrue(g.isPointer)
            XCTAssertTrue(g.location === bob)
            XCTAssertEqual(try g.get().floats, [4, 6])
            // Getting the gradient removes only the gradient's alias: the parameter is still there.
            XCTAssertEqual(try w.grad?.get().floats, [4, 6])
            let back = try w.get()
            XCTAssertEqual(back.floats, [2, 3])
            XCTAssertEqual(back.grad?.floats, [4, 6])
        }
    }

    func testBackwardWithGradientAndAccumulation() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let x = try Tensor([1.0, 2.0, 3.0], requiresGrad: true).send(to: bob)
            let y = x * x
            try y.backward(gradient: Tensor([1.0, 0.5, 0.0]), retainGraph: true)
            try y.backward(gradient: try Tensor([1.0, 1.0, 1.0]).send(to: bob))
            XCTAssertEqual(try x.get().grad?.floats, [4, 6, 6])
        }
    }

    func testBackwardErrorsComeBackTyped() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            let x = try Tensor([1.0, 2.0]).send(to: bob)
            assertSyftError(try (x * 2).sum().backward()) { e in
                if case .computationFailed(let op, let reason) = e {
                    return op == "backward" && reason.contains("does not require grad")
                }
                return false
            }
            let w = try Tensor([1.0, 2.0], requiresGrad: true).send(to: bob)
            let v = w * 3
            assertSyftError(try v.backward()) { e in
                if case .computationFailed(_, let reason) = e { return reason.contains("scalar") }
                return false
            }
            let s = v.sum()
            try s.backward()
            assertSyftError(try s.backward()) { e in
                if case .computationFailed(_, let reason) = e { return reason.contains("second time") }
                return false
            }
        }
    }

    func testPipelinedBackwardNeedsNoRoundTripAndReportsLater() {
        forEachMode { mode, worker in
            let bob = try worker("bob")
            let w = try Tensor([2.0, 3.0], requiresGrad: true).send(to: bob)
            try bob.synchronize()
            let messages = (bob as? VirtualWorker)?.messagesDelivered
            for _ in 0..<3 { try (w * w).sum().backward(wait: false) }
            // Nothing went to the worker yet: the backward calls queued with the commands.
            if let virtual = bob as? VirtualWorker { XCTAssertEqual(virtual.messagesDelivered, messages) }
            XCTAssertEqual(try w.grad?.get().floats, [12, 18], "\(mode)")  // accumulated over the three
            // A failed pipelined backward (non-scalar, no gradient given) surfaces at the next waiting
            // call, and what came after it did not run.
            w.zeroGrad()
            try (w * 3).backward(wait: false)
            let after = w * 10
            assertSyftError(try after.get()) { e in
                if case .computationFailed(let op, let reason) = e {
                    return op == "backward" && reason.contains("scalar")
                }
                return false
            }
            XCTAssertNil(w.grad)
            // The pointer still works afterwards.
            XCTAssertEqual(try (w + 1).get().floats, [3, 4])
        }
    }

    func testRequiresGradAndDetachOnPointers() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            var x = try Tensor([1.0, 2.0]).send(to: bob)
            x.requiresGrad = true
            XCTAssertTrue(x.requiresGrad)
            let y = (x * x).sum()
            let d = (x * 2).detached()
            XCTAssertFalse(d.requiresGrad)
            try y.backward()
            XCTAssertEqual(try x.grad?.get().floats, [2, 4])
            x.zeroGrad()
            XCTAssertNil(x.grad)
        }
    }

    func testWithoutGradientTravelsWithTheCommand() {
        forEachMode { _, worker in
            let bob = try worker("bob")
            var w = try Tensor([1.0, 2.0], requiresGrad: true).send(to: bob)
            try (w * w).sum().backward()
            let g = try XCTUnwrap(w.grad)
            withoutGradient { w -= 0.5 * g }
            XCTAssertTrue(w.requiresGrad)
            let back = try w.get()
            XCTAssertEqual(back.floats, [0, 0])
            XCTAssertTrue(back.isLeaf)
        }
    }
}
