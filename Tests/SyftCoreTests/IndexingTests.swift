import SyftCore
import XCTest
import _TestSupport

// Subscripts (integers, ranges, strides, `...`, new axes, negative and out-of-range bounds), subscript
// assignment, and the element readers. Expected values from PyTorch 2.13
// (Scripts/gen_core_cases.py indexing).

final class IndexingTests: XCTestCase {
    func testGetters() {
        let x = Tensor.arange(12).reshaped(to: [3, 4])
        assertInts(x[0], [0, 1, 2, 3], shape: [4])
        assertInts(x[-1], [8, 9, 10, 11], shape: [4])
        assertInts(x[1, 2], [6], shape: [])
        assertInts(x[-1, -4], [8], shape: [])
        assertInts(x[1..<3], [4, 5, 6, 7, 8, 9, 10, 11], shape: [2, 4])
        assertInts(x[1...], [4, 5, 6, 7, 8, 9, 10, 11], shape: [2, 4])
        assertInts(x[..<2], [0, 1, 2, 3, 4, 5, 6, 7], shape: [2, 4])
        assertInts(x[...1], [0, 1, 2, 3, 4, 5, 6, 7], shape: [2, 4])
        assertInts(x[...(-2)], [0, 1, 2, 3, 4, 5, 6, 7], shape: [2, 4])
        assertInts(x[1...5], [4, 5, 6, 7, 8, 9, 10, 11], shape: [2, 4])
        assertInts(x[(-2)...(-1)], [4, 5, 6, 7, 8, 9, 10, 11], shape: [2, 4])
        assertInts(x[(-2)...], [4, 5, 6, 7, 8, 9, 10, 11], shape: [2, 4])
        assertInts(x[(-3)...(-2)], [0, 1, 2, 3, 4, 5, 6, 7], shape: [2, 4])
        assertInts(x[2..<10], [8, 9, 10, 11], shape: [1, 4])
        assertInts(x[TensorIndex.range(start: 2, end: 1, step: 1)], [], shape: [0, 4])
        assertInts(x[TensorIndex.range(start: nil, end: -1, step: 2)], [0, 1, 2, 3], shape: [1, 4])
        assertInts(
            x[TensorIndex.all, TensorIndex.range(start: -3, end: nil, step: 2)],
            [
                1, 3, 5, 7, 9, 11,
            ], shape: [3, 2])
        assertInts(x[TensorIndex.all, 1], [1, 5, 9], shape: [3])
        assertInts(x[TensorIndex.all, 1..<3], [1, 2, 5, 6, 9, 10], shape: [3, 2])
        assertInts(x[TensorIndex.all, stride(from: 0, to: 4, by: 2)], [0, 2, 4, 6, 8, 10], shape: [3, 2])
        assertInts(
            x[stride(from: 0, to: 3, by: 2), stride(from: 1, to: 4, by: 2)],
            [
                1, 3, 9, 11,
            ], shape: [2, 2])
        assertInts(x[1..., stride(from: 0, to: 4, by: 2)], [4, 6, 8, 10], shape: [2, 2])
        assertInts(x[stride(from: -3, to: 10, by: 2)], [0, 1, 2, 3, 8, 9, 10, 11], shape: [2, 4])
        assertInts(x[TensorIndex.ellipsis, 0], [0, 4, 8], shape: [3])
        assertInts(x[TensorIndex.ellipsis, -1], [3, 7, 11], shape: [3])
        assertInts(x[TensorIndex.newAxis], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], shape: [1, 3, 4])
        assertInts(x[TensorIndex.all, TensorIndex.newAxis, 2], [2, 6, 10], shape: [3, 1])
        assertInts(
            x[TensorIndex.ellipsis, TensorIndex.newAxis],
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
            ], shape: [3, 4, 1])
        assertInts(x[1][2], [6], shape: [])
        assertInts(x.transposed()[1], [1, 5, 9], shape: [3])
        assertInts(x.transposed()[1..., 1], [5, 6, 7], shape: [3])
        assertInts(x[1...][TensorIndex.all, stride(from: 1, to: 4, by: 2)][1], [9, 11], shape: [2])
        let y = Tensor.arange(24).reshaped(to: [2, 3, 4])
        assertInts(y[1, TensorIndex.ellipsis, 2], [14, 18, 22], shape: [3])
        assertInts(y[TensorIndex.ellipsis, 1, 2], [6, 18], shape: [2])
        assertInts(y[0, 1..., TensorIndex.ellipsis], [4, 5, 6, 7, 8, 9, 10, 11], shape: [2, 4])
        assertInts(
            y[TensorIndex.ellipsis],
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23,
            ], shape: [2, 3, 4])
        assertInts(y[TensorIndex.all, TensorIndex.all, 3], [3, 7, 11, 15, 19, 23], shape: [2, 3])
        assertInts(
            y[-1, TensorIndex.newAxis, TensorIndex.ellipsis, stride(from: 0, to: 4, by: 3)],
            [
                12, 15, 16, 19, 20, 23,
            ], shape: [1, 3, 2])
    }

    func testSetters() {
        var x = Tensor.arange(12).reshaped(to: [3, 4])
        x[0] = Tensor([10, 11, 12, 13])
        assertInts(x, [10, 11, 12, 13, 4, 5, 6, 7, 8, 9, 10, 11], shape: [3, 4])
        x[TensorIndex.all, 1] = Tensor([-1, -2, -3])
        assertInts(x, [10, -1, 12, 13, 4, -2, 6, 7, 8, -3, 10, 11], shape: [3, 4])
        x[1..., 2...] = Tensor(0)
        assertInts(x, [10, -1, 12, 13, 4, -2, 0, 0, 8, -3, 0, 0], shape: [3, 4])
        x[TensorIndex.ellipsis, 0] = Tensor([100, 200, 300])
        assertInts(x, [100, -1, 12, 13, 200, -2, 0, 0, 300, -3, 0, 0], shape: [3, 4])
        x[stride(from: 0, to: 3, by: 2), stride(from: 1, to: 4, by: 2)] = Tensor([[7, 8], [9, 10]])
        assertInts(x, [100, 7, 12, 8, 200, -2, 0, 0, 300, 9, 0, 10], shape: [3, 4])
        x[2] = Tensor([1.9, -1.9, 2.5, 0.0])
        assertInts(x, [100, 7, 12, 8, 200, -2, 0, 0, 1, -1, 2, 0], shape: [3, 4])
        x[1, 3] = Tensor(-5)
        assertInts(x, [100, 7, 12, 8, 200, -2, 0, -5, 1, -1, 2, 0], shape: [3, 4])
        x[TensorIndex.all, 0..<1] = Tensor([[1], [2], [3]])
        assertInts(x, [1, 7, 12, 8, 2, -2, 0, -5, 3, -1, 2, 0], shape: [3, 4])
        x[1..<2] = Tensor([4, 4, 4, 4])
        assertInts(x, [1, 7, 12, 8, 4, 4, 4, 4, 3, -1, 2, 0], shape: [3, 4])
        var f = Tensor.zeros([2, 3])
        f[TensorIndex.all, 1...] = Tensor([1.5, 2.5])
        assertTensor(f, [0.0, 1.5, 2.5, 0.0, 1.5, 2.5], shape: [2, 3], dtype: .float32)
        f[0] = Tensor([1, 2, 3])
        assertTensor(f, [1.0, 2.0, 3.0, 0.0, 1.5, 2.5], shape: [2, 3], dtype: .float32)
        f[TensorIndex.ellipsis, 0] = Tensor(true)
        assertTensor(f, [1.0, 2.0, 3.0, 1.0, 1.5, 2.5], shape: [2, 3], dtype: .float32)
    }

    func testSettersThroughEllipsisNewAxesAndLeadingOnes() {
        var y = Tensor.arange(24).reshaped(to: [2, 3, 4])
        y[1, TensorIndex.ellipsis, 2] = Tensor([-1, -2, -3])
        assertInts(
            y,
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, -1, 15, 16, 17, -2, 19, 20, 21, -3,
                23,
            ], shape: [2, 3, 4])
        y[TensorIndex.all, 1] = Tensor([[10, 11, 12, 13], [20, 21, 22, 23]])
        assertInts(
            y,
            [
                0, 1, 2, 3, 10, 11, 12, 13, 8, 9, 10, 11, 12, 13, -1, 15, 20, 21, 22, 23, 20, 21,
                -3, 23,
            ], shape: [2, 3, 4])
        y[TensorIndex.all, TensorIndex.all, 0] = Tensor([7, 8, 9])
        assertInts(
            y,
            [
                7, 1, 2, 3, 8, 11, 12, 13, 9, 9, 10, 11, 7, 13, -1, 15, 8, 21, 22, 23, 9, 21, -3,
                23,
            ], shape: [2, 3, 4])
        y[0, TensorIndex.all, 3] = Tensor([[100, 200, 300]])
        assertInts(
            y,
            [
                7, 1, 2, 100, 8, 11, 12, 200, 9, 9, 10, 300, 7, 13, -1, 15, 8, 21, 22, 23, 9, 21,
                -3, 23,
            ], shape: [2, 3, 4])
        y[1, 0] = Tensor([[[1]]])
        assertInts(
            y,
            [
                7, 1, 2, 100, 8, 11, 12, 200, 9, 9, 10, 300, 1, 1, 1, 1, 8, 21, 22, 23, 9, 21,
                -3, 23,
            ], shape: [2, 3, 4])
        var x = Tensor.zeros([3, 4])
        x[0] = Tensor.ones([1, 1, 4])
        assertTensor(
            x,
            [
                1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            ], shape: [3, 4], dtype: .float32)
        x[1..., TensorIndex.newAxis, 2] = Tensor([[5.0], [6.0]])
        assertTensor(
            x,
            [
                1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 6.0, 0.0,
            ], shape: [3, 4], dtype: .float32)
        x[TensorIndex.newAxis, 2] = Tensor([[-1.0, -2.0, -3.0, -4.0]])
        assertTensor(
            x,
            [
                1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 5.0, 0.0, -1.0, -2.0, -3.0, -4.0,
            ], shape: [3, 4], dtype: .float32)
        x[TensorIndex.newAxis] = Tensor.arange(12, dtype: .float32).reshaped(to: [1, 3, 4]) / 4
        assertTensor(
            x,
            [
                0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75,
            ], shape: [3, 4], dtype: .float32)
        x[1..., TensorIndex.newAxis, 2..<3] = Tensor([[[8.0]], [[9.0]]])
        assertTensor(
            x,
            [
                0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 8.0, 1.75, 2.0, 2.25, 9.0, 2.75,
            ], shape: [3, 4], dtype: .float32)
    }

    func testSettersOnViewsAndBroadcastValues() {
        // Assigning into a transposed tensor writes its elements, in its own (logical) order.
        var t = Tensor.arange(6).reshaped(to: [2, 3]).transposed()
        t[0] = Tensor([-1, -2])
        assertInts(t, [-1, -2, 1, 4, 2, 5], shape: [3, 2])
        t[TensorIndex.all, 1] = Tensor(9)
        assertInts(t, [-1, 9, 1, 9, 2, 9], shape: [3, 2])
        assertInts(t.transposed(), [-1, 1, 2, 9, 9, 9], shape: [2, 3])
        // A value with leading size-1 axes, a row broadcast down a region, a float64 value into float32.
        var x = Tensor.zeros([3, 4])
        x[0] = Tensor([[1.0, 2.0, 3.0, 4.0]])
        x[1...] = Tensor([0.5, 0.25, 0.125, 0.0625], dtype: .float64)
        x[TensorIndex.all, stride(from: 1, to: 4, by: 2)] = Tensor([[10.0], [20.0], [30.0]])
        assertTensor(
            x, [1, 10, 3, 10, 0.5, 20, 0.125, 20, 0.5, 30, 0.125, 30], shape: [3, 4], dtype: .float32)
        // An empty region takes any broadcastable value and changes nothing.
        let before = x
        x[TensorIndex.range(start: 3, end: 3, step: 1)] = Tensor(7.0)
        XCTAssertTrue(x.isEqual(to: before))
        // A 0-d tensor through an index of every axis.
        var s = Tensor.zeros([2, 2], dtype: .int64)
        s[1, 0] = Tensor(42)
        s[-1, -1] = Tensor(true)
        assertInts(s, [0, 0, 42, 1], shape: [2, 2])
        var b = Tensor.zeros([3], dtype: .bool)
        b[1] = Tensor(2.5)
        assertBools(b, [false, true, false], shape: [3])
    }

    func testElementReaders() {
        let x = Tensor([[1.5, -2.25], [3.0, 0.0]])
        XCTAssertEqual(x.doubles, [1.5, -2.25, 3.0, 0.0])
        XCTAssertEqual(x.floats, [1.5, -2.25, 3.0, 0.0])
        XCTAssertEqual(x.ints, [1, -2, 3, 0])
        XCTAssertEqual(x.bools, [true, true, true, false])
        XCTAssertEqual(x.scalars(as: Float.self), [1.5, -2.25, 3.0, 0.0])
        XCTAssertEqual(x.scalars(as: Int64.self), [1, -2, 3, 0])
        // Readers follow the logical (row-major) order of views.
        XCTAssertEqual(x.transposed().doubles, [1.5, 3.0, -2.25, 0.0])
        XCTAssertEqual(x[TensorIndex.all, 1].floats, [-2.25, 0.0])
        XCTAssertEqual(Tensor([7, 8]).expanded(to: [2, 2]).ints, [7, 8, 7, 8])
        XCTAssertEqual(Tensor.arange(10)[stride(from: 1, to: 10, by: 3)].ints, [1, 4, 7])
        XCTAssertEqual(Tensor([true, false]).doubles, [1, 0])
        XCTAssertEqual(Tensor([Int64.max]).ints, [Int.max])
        XCTAssertEqual(Tensor([0.1], dtype: .float64).floats, [Float(0.1)])
        // item: a one-element tensor of any rank.
        XCTAssertEqual(Tensor(2.5).item(), 2.5)
        XCTAssertEqual(Tensor([[7]]).item(), 7)
        XCTAssertEqual(Tensor([[7]]).item(as: Int64.self), 7)
        XCTAssertEqual(Tensor(true).item(as: Bool.self), true)
        XCTAssertEqual(Tensor(-2.7).item(as: Int64.self), -2)
        XCTAssertEqual(x[1, 0].item(), 3.0)
        XCTAssertEqual(x.transposed()[0, 1].item(as: Float.self), 3.0)
        XCTAssertEqual(Tensor([0.1]).item(), Double(Float(0.1)))
        XCTAssertTrue(Tensor(Double.nan).item().isNaN)
    }

    func testIsEqual() {
        let a = Tensor([1.0, 2.0])
        XCTAssertTrue(a.isEqual(to: Tensor([1.0, 2.0])))
        XCTAssertFalse(a.isEqual(to: Tensor([1.0, 2.0], dtype: .float64)))
        XCTAssertFalse(a.isEqual(to: Tensor([[1.0, 2.0]])))
        XCTAssertFalse(a.isEqual(to: Tensor([1.0, 3.0])))
        XCTAssertFalse(Tensor([Double.nan]).isEqual(to: Tensor([Double.nan])))
        let t = Tensor.arange(6).reshaped(to: [2, 3]).transposed()
        XCTAssertTrue(t.isEqual(to: Tensor([[0, 3], [1, 4], [2, 5]])))
    }
}
