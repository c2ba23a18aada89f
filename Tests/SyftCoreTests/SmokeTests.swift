import SyftCore
import XCTest
import _TestSupport

final class SmokeTests: XCTestCase {
    /// Grouping by place keeps the order of first appearance and leaves out what has no place.
    func testGroupPositions() {
        final class Place {}
        let (a, b) = (Place(), Place())
        let places: [Place?] = [b, nil, a, b, a, nil, b]
        XCTAssertEqual(
            groupPositions(places, by: { $0.map { ObjectIdentifier($0) } }), [[0, 3, 6], [2, 4]])
        XCTAssertEqual(groupPositions([Place?](), by: { $0.map { ObjectIdentifier($0) } }), [])
        XCTAssertEqual(groupPositions([nil, nil] as [Place?], by: { $0.map { ObjectIdentifier($0) } }), [])
    }

    func testSeed() {
        let x = Tensor([1, 2, 3, 4, 5])
        XCTAssertEqual(x.description, "tensor([1, 2, 3, 4, 5])")
        XCTAssertEqual((x + x).description, "tensor([ 2,  4,  6,  8, 10])")
        XCTAssertEqual(x.dtype, .int64)
        let w = Tensor([1, 2, 3, 4, 5.0], requiresGrad: true)
        XCTAssertEqual(w.description, "tensor([1., 2., 3., 4., 5.], requires_grad=True)")
        let y = Tensor([1, 1, 1, 1, 1.0], requiresGrad: true)
        let z = (w + y).sum()
        XCTAssertEqual(z.description, "tensor(20., grad_fn=<SumBackward1>)")
        try! z.backward()
        XCTAssertEqual(w.grad!.description, "tensor([1., 1., 1., 1., 1.])")
    }

    func testMatmul() {
        let a = Tensor([[1.0, 2], [3, 4]])
        let b = Tensor([1.0, 1])
        assertClose(matmul(a, b), [3, 7], shape: [2])
        assertClose(matmul(a, a.transposed()), [5, 11, 11, 25], shape: [2, 2])
    }
}
