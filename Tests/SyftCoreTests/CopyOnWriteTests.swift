import SyftCore
import XCTest
import _TestSupport

// Value semantics (Note [Storage and copy-on-write]): copies and views share storage until one of them is
// mutated; mutating a tensor through `+=` and friends or through subscript assignment never changes
// another copy, a view, or a tensor autograd saved.

final class CopyOnWriteTests: XCTestCase {
    func testCopiesAreIndependent() {
        let a = Tensor([1.0, 2.0, 3.0])
        var b = a
        XCTAssertTrue(b.sharesStorage(with: a))
        b += 1
        assertTensor(a, [1, 2, 3], shape: [3], dtype: .float32)
        assertTensor(b, [2, 3, 4], shape: [3], dtype: .float32)
        XCTAssertFalse(b.sharesStorage(with: a))
        var c = a
        c[1] = Tensor(-7.0)
        assertTensor(a, [1, 2, 3], shape: [3], dtype: .float32)
        assertTensor(c, [1, -7, 3], shape: [3], dtype: .float32)
        var d = a
        d -= Tensor([1.0, 1.0, 1.0])
        d *= 2
        d /= Tensor(4.0)
        assertTensor(d, [0, 0.5, 1], shape: [3], dtype: .float32)
        assertTensor(a, [1, 2, 3], shape: [3], dtype: .float32)
    }

    func testMutatingTheBaseLeavesViewsUnchanged() {
        var base = Tensor.arange(6).reshaped(to: [2, 3])
        let t = base.transposed()
        let row = base[0]
        let flat = base.reshaped(to: [6])
        let expanded = base[0..<1].expanded(to: [4, 3])
        let strided = base[TensorIndex.all, stride(from: 0, to: 3, by: 2)]
        XCTAssertTrue([t, row, flat, expanded, strided].allSatisfy { $0.sharesStorage(with: base) })
        base += 10
        base[1] = Tensor([-1, -2, -3])
        base *= 2
        base[TensorIndex.ellipsis, 0] = Tensor(0)
        assertInts(base, [0, 22, 24, 0, -4, -6], shape: [2, 3])
        assertInts(t, [0, 3, 1, 4, 2, 5], shape: [3, 2])
        assertInts(row, [0, 1, 2], shape: [3])
        assertInts(flat, [0, 1, 2, 3, 4, 5], shape: [6])
        assertInts(expanded, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], shape: [4, 3])
        assertInts(strided, [0, 2, 3, 5], shape: [2, 2])
    }

    func testMutatingAViewLeavesTheBaseUnchanged() {
        let base = Tensor.arange(6).reshaped(to: [2, 3])
        var t = base.transposed()
        t[0] = Tensor([100, 200])
        assertInts(t, [100, 200, 1, 4, 2, 5], shape: [3, 2])
        var r = base[1]
        r += 5
        assertInts(r, [8, 9, 10], shape: [3])
        var s = base[TensorIndex.all, stride(from: 0, to: 3, by: 2)]
        s[TensorIndex.all, 1] = Tensor([-1, -1])
        assertInts(s, [0, -1, 3, -1], shape: [2, 2])
        assertInts(base, [0, 1, 2, 3, 4, 5], shape: [2, 3])
        // An expanded view's rows share their elements in storage; assigning one row writes only that row.
        let source = Tensor([1, 2])
        var e = source.expanded(to: [3, 2])
        e[0] = Tensor([9, 9])
        assertInts(e, [9, 9, 1, 2, 1, 2], shape: [3, 2])
        assertInts(source, [1, 2], shape: [2])
        var e2 = source.expanded(to: [3, 2])
        e2 += Tensor([[0], [10], [20]])
        assertInts(e2, [1, 2, 11, 12, 21, 22], shape: [3, 2])
        assertInts(source, [1, 2], shape: [2])
    }

    func testRepeatedMutationOfAUniqueTensor() {
        var x = Tensor.zeros([4])
        let saved = x
        for i in 0..<4 {
            x[i] = Tensor(Double(i) * 1.5)
            x += 1
        }
        assertTensor(x, [4, 4.5, 5, 5.5], shape: [4], dtype: .float32)
        assertTensor(saved, [0, 0, 0, 0], shape: [4], dtype: .float32)
    }

    func testSelfAliasingAssignment() {
        // The value is read before the tensor is written: x[1...] = x[..<3] shifts by one.
        var x = Tensor([1, 2, 3, 4])
        x[1...] = x[..<3]
        assertInts(x, [1, 1, 2, 3], shape: [4])
        var y = Tensor([[1.0, 2.0], [3.0, 4.0]])
        y += y.transposed()
        assertTensor(y, [2, 5, 5, 8], shape: [2, 2], dtype: .float32)
        var z = Tensor.arange(4)
        z[TensorIndex.all] = z[stride(from: 0, to: 4, by: 1)] * 2
        assertInts(z, [0, 2, 4, 6], shape: [4])
    }

    func testInPlaceOnNonContiguousTensors() {
        var t = Tensor.arange(6, dtype: .float64).reshaped(to: [2, 3]).transposed()
        t += 1
        t *= Tensor([1.0, -1.0])
        assertTensor(t, [1, -4, 2, -5, 3, -6], shape: [3, 2], dtype: .float64)
        var s = Tensor.arange(8)[stride(from: 1, to: 8, by: 3)]
        s -= Tensor([1, 2, 3])
        assertInts(s, [0, 2, 4], shape: [3])
    }

    func testContiguousCopiesOnlyWhenNeeded() {
        let x = Tensor.arange(12).reshaped(to: [3, 4])
        XCTAssertTrue(x.contiguous().sharesStorage(with: x))
        XCTAssertTrue(x[1...].contiguous().sharesStorage(with: x))
        XCTAssertTrue(x[1].contiguous().sharesStorage(with: x))
        let t = x.transposed()
        let c = t.contiguous()
        XCTAssertFalse(c.sharesStorage(with: x))
        XCTAssertTrue(c.isContiguous)
        assertInts(c, [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], shape: [4, 3])
        let s = x[TensorIndex.all, 1..<3]
        XCTAssertFalse(s.contiguous().sharesStorage(with: x))
        assertInts(s.contiguous(), [1, 2, 5, 6, 9, 10], shape: [3, 2])
        XCTAssertFalse(Tensor([1, 2]).expanded(to: [2, 2]).contiguous().sharesStorage(with: x))
    }

    func testAutogradSavedTensorsAreNotChangedByLaterMutation() throws {
        let w = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        var y = w * 2
        let z = (y * y).sum()
        y += 100
        y[0] = Tensor(-1.0)
        try z.backward()
        // d/dw sum((2w)^2) = 8w, from the y that was saved, not the mutated one.
        assertTensor(w.grad!, [8, 16, 24], shape: [3], dtype: .float32)
        XCTAssertEqual(z.item(), 56)
    }
}
