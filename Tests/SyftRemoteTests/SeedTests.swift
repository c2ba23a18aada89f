import SyftCore
import SyftRemote
import XCTest

/// Every row of shared/seed/PART01.md's table, in both modes.
final class SeedTests: XCTestCase {
    func testEveryRowOfTheSeed() {
        // The seed prints the worker's objects (VirtualWorker's in-process view).
        forEachMode([.direct, .codec]) { mode, worker in
            // 1
            let x = Tensor([1, 2, 3, 4, 5])
            XCTAssertEqual(x.description, "tensor([1, 2, 3, 4, 5])")
            XCTAssertEqual(x.dtype, .int64)
            // 2
            XCTAssertEqual((x + x).description, "tensor([ 2,  4,  6,  8, 10])")
            // 3
            let bob = try worker("bob") as! VirtualWorker
            XCTAssertEqual(bob.description, "<VirtualWorker id:bob #objects:0>")
            // 4
            let xPtr = try x.send(to: bob)
            XCTAssertEqual(xPtr.description, "[PointerTensor | me:\(xPtr.id!) -> bob:\(xPtr.idAtLocation!)]")
            XCTAssertTrue(
                xPtr.description.range(
                    of: #"^\[PointerTensor \| me:\d+ -> bob:\d+\]$"#, options: .regularExpression) != nil)
            // 5
            let yPtr = try Tensor([1, 1, 1, 1, 1]).send(to: bob)
            XCTAssertEqual(
                bob.objects.description,
                "{\(xPtr.idAtLocation!): tensor([1, 2, 3, 4, 5]), \(yPtr.idAtLocation!): tensor([1, 1, 1, 1, 1])}"
            )
            // 6
            let z = xPtr + xPtr
            XCTAssertTrue(z.isPointer)
            XCTAssertEqual(bob.objects.count, 3)
            XCTAssertEqual(bob.description, "<VirtualWorker id:bob #objects:3>")
            // 7
            XCTAssertTrue(xPtr.location === bob)
            XCTAssertEqual(xPtr.location?.description, "<VirtualWorker id:bob #objects:3>")
            XCTAssertNotEqual(xPtr.id, xPtr.idAtLocation)
            XCTAssertEqual(xPtr.owner.description, "<VirtualWorker id:me #objects:0>")
            // 8
            XCTAssertTrue(me === xPtr.owner)
            // 9
            XCTAssertEqual(try xPtr.get().description, "tensor([1, 2, 3, 4, 5])")
            XCTAssertEqual(try yPtr.get().description, "tensor([1, 1, 1, 1, 1])")
            XCTAssertEqual(try z.get().description, "tensor([ 2,  4,  6,  8, 10])")
            XCTAssertTrue(bob.objects.isEmpty)
            // 10
            let a = try Tensor([1, 2, 3, 4, 5]).send(to: bob)
            let b = try Tensor([1, 1, 1, 1, 1]).send(to: bob)
            XCTAssertEqual(try (a + b).get().description, "tensor([2, 3, 4, 5, 6])")
            // 11
            let viaFunction = add(a, b)
            XCTAssertTrue(viaFunction.isPointer)
            XCTAssertEqual(try viaFunction.get().description, "tensor([2, 3, 4, 5, 6])")
            // 12
            let gx = try Tensor([1, 2, 3, 4, 5.0], requiresGrad: true).send(to: bob)
            let gy = try Tensor([1, 1, 1, 1, 1.0], requiresGrad: true).send(to: bob)
            let loss = (gx + gy).sum()
            try loss.backward()
            XCTAssertTrue(loss.isPointer, "nothing comes back until get [\(mode)]")
            // 13
            let back = try gx.get()
            XCTAssertEqual(back.description, "tensor([1., 2., 3., 4., 5.], requires_grad=True)")
            XCTAssertEqual(back.grad?.description, "tensor([1., 1., 1., 1., 1.])")
        }
    }

    func testTutorialWalkThrough() throws {
        let text = Tutorial.text(try Tutorial.run(useWireCodec: true))
        for expected in [
            "tensor([1, 2, 3, 4, 5])", "tensor([ 2,  4,  6,  8, 10])", "<VirtualWorker id:bob #objects:0>",
            "[PointerTensor | me:", "<VirtualWorker id:bob #objects:3>", "<VirtualWorker id:me #objects:0>",
            "tensor([2, 3, 4, 5, 6])", "tensor([1., 2., 3., 4., 5.], requires_grad=True)",
            "tensor([1., 1., 1., 1., 1.])",
        ] {
            XCTAssertTrue(text.contains(expected), "the walk-through lacks \(expected)")
        }
    }
}
