import SyftCore
import SyftRemote
import XCTest

/// The seed (shared/seed/PART01.md), row by row, on a virtual worker.
final class SeedTests: XCTestCase {
    func testBasics() throws {
        let x = Tensor([1, 2, 3, 4, 5])
        XCTAssertEqual(x.description, "tensor([1, 2, 3, 4, 5])")
        let bob = VirtualWorker(id: "bob")
        XCTAssertEqual(bob.description, "<VirtualWorker id:bob #objects:0>")
        let xPtr = try x.send(to: bob)
        let yPtr = try Tensor([1, 1, 1, 1, 1]).send(to: bob)
        XCTAssertEqual(bob.objects.count, 2)
        XCTAssertEqual(bob.objects.description, "{\(xPtr.idAtLocation!): tensor([1, 2, 3, 4, 5]), \(yPtr.idAtLocation!): tensor([1, 1, 1, 1, 1])}")
        let z = xPtr + xPtr
        XCTAssertEqual(bob.description, "<VirtualWorker id:bob #objects:3>")
        XCTAssertTrue(xPtr.location === bob)
        XCTAssertTrue(xPtr.owner === me)
        XCTAssertEqual(try xPtr.get().description, "tensor([1, 2, 3, 4, 5])")
        XCTAssertEqual(try yPtr.get().description, "tensor([1, 1, 1, 1, 1])")
        XCTAssertEqual(try z.get().description, "tensor([ 2,  4,  6,  8, 10])")
        XCTAssertTrue(bob.objects.isEmpty)
    }
}
