import XCTest
import _TestSupport

@testable import SyftCore

// Broadcasting: size-1 axes, 0-d tensors, leading axes, mismatched ranks, empty tensors, and broadcast
// (expanded) operands. Expected values from PyTorch 2.13 (Scripts/gen_core_cases.py broadcasting).

final class BroadcastingTests: XCTestCase {
    func testBroadcastShapeRule() {
        XCTAssertEqual(broadcastShapes([3, 1], [1, 4]), [3, 4])
        XCTAssertEqual(broadcastShapes([2, 3, 4], [4]), [2, 3, 4])
        XCTAssertEqual(broadcastShapes([4], [2, 3, 4]), [2, 3, 4])
        XCTAssertEqual(broadcastShapes([3, 1, 5], [4, 1]), [3, 4, 5])
        XCTAssertEqual(broadcastShapes([], [2, 3]), [2, 3])
        XCTAssertEqual(broadcastShapes([2, 3], []), [2, 3])
        XCTAssertEqual(broadcastShapes([0, 3], [3]), [0, 3])
        XCTAssertEqual(broadcastShapes([1, 0], [3, 1]), [3, 0])
        XCTAssertEqual(broadcastShapes([0], [1]), [0])
        XCTAssertNil(broadcastShapes([0], [2]))
        XCTAssertNil(broadcastShapes([2, 3], [3, 2]))
        XCTAssertNil(broadcastShapes([3], [4]))
        XCTAssertEqual(broadcastStrides(shape: [3, 1], strides: [1, 1], to: [2, 3, 4]), [0, 1, 0])
        XCTAssertEqual(broadcastStrides(shape: [2, 1], strides: [7, 5], to: [2, 3]), [7, 0])
    }
    func testBroadcastShapes() {
        let col = Tensor([[1.0], [2.0], [3.0]])
        let row = Tensor([[10.0, 20.0, 30.0, 40.0]])
        let m = Tensor.arange(12, dtype: .float32).reshaped(to: [3, 4])
        assertTensor(
            col + row,
            [
                11.0, 21.0, 31.0, 41.0, 12.0, 22.0, 32.0, 42.0, 13.0, 23.0, 33.0, 43.0,
            ], shape: [3, 4], dtype: .float32)
        assertTensor(
            row - col,
            [
                9.0, 19.0, 29.0, 39.0, 8.0, 18.0, 28.0, 38.0, 7.0, 17.0, 27.0, 37.0,
            ], shape: [3, 4], dtype: .float32)
        assertTensor(
            m * Tensor([1.0, -1.0, 2.0, 0.5]),
            [
                0.0, -1.0, 4.0, 1.5, 4.0, -5.0, 12.0, 3.5, 8.0, -9.0, 20.0, 5.5,
            ], shape: [3, 4], dtype: .float32)
        assertTensor(
            m / col,
            [
                0.0, 1.0, 2.0, 3.0, 2.0, 2.5, 3.0, 3.5, 2.6666667461395264, 3.0,
                3.3333332538604736, 3.6666667461395264,
            ], shape: [3, 4], dtype: .float32)
        assertTensor(
            Tensor(2.0) * m,
            [
                0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 22.0,
            ], shape: [3, 4], dtype: .float32)
        assertTensor(
            m - Tensor(1),
            [
                -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0,
            ], shape: [3, 4], dtype: .float32)
        assertInts(
            Tensor.arange(6).reshaped(to: [2, 1, 3]) * Tensor([[1], [10], [100], [1000]]),
            [
                0, 1, 2, 0, 10, 20, 0, 100, 200, 0, 1000, 2000, 3, 4, 5, 30, 40, 50, 300, 400,
                500, 3000, 4000, 5000,
            ], shape: [2, 4, 3])
        assertInts(
            Tensor.arange(5).reshaped(to: [5, 1, 1]) - Tensor.arange(6).reshaped(to: [2, 3]),
            [
                0, -1, -2, -3, -4, -5, 1, 0, -1, -2, -3, -4, 2, 1, 0, -1, -2, -3, 3, 2, 1, 0, -1,
                -2, 4, 3, 2, 1, 0, -1,
            ], shape: [5, 2, 3])
        assertTensor(Tensor([[[1.5]]]) + Tensor([1.0, 2.0]), [2.5, 3.5], shape: [1, 1, 2], dtype: .float32)
        assertTensor(Tensor([1.0]) + Tensor(2.0), [3.0], shape: [1], dtype: .float32)
        assertTensor(Tensor(1.0) + Tensor(2.0), [3.0], shape: [], dtype: .float32)
        assertBools(
            col .< row / 10,
            [
                false, true, true, true, false, false, true, true, false, false, false, true,
            ], shape: [3, 4])
        assertTensor(
            maximum(col, Tensor([0.0, 1.5, 2.5, 3.5])),
            [
                1.0, 1.5, 2.5, 3.5, 2.0, 2.0, 2.5, 3.5, 3.0, 3.0, 3.0, 3.5,
            ], shape: [3, 4], dtype: .float32)
        assertTensor(
            `where`(col .> 1.5, row, Tensor(0.0)),
            [
                0.0, 0.0, 0.0, 0.0, 10.0, 20.0, 30.0, 40.0, 10.0, 20.0, 30.0, 40.0,
            ], shape: [3, 4], dtype: .float32)
    }

    func testBroadcastWithEmptyTensors() {
        assertTensor(Tensor.zeros([0, 3]) + Tensor([1.0, 2.0, 3.0]), [], shape: [0, 3], dtype: .float32)
        assertTensor(Tensor.zeros([2, 0]) + Tensor.ones([2, 1]), [], shape: [2, 0], dtype: .float32)
        assertTensor(Tensor.zeros([1, 0]) * Tensor.ones([3, 1]), [], shape: [3, 0], dtype: .float32)
        assertTensor(Tensor.zeros([0]) + Tensor(5.0), [], shape: [0], dtype: .float32)
        assertBools(Tensor.zeros([0, 3], dtype: .int64) .== Tensor([1, 2, 3]), [], shape: [0, 3])
        assertTensor(
            (Tensor.zeros([0, 3]) + Tensor.ones([3])).sum(squeezingAxes: 0),
            [
                0.0, 0.0, 0.0,
            ], shape: [3], dtype: .float32)
        assertTensor(exp(Tensor.zeros([2, 0])), [], shape: [2, 0], dtype: .float32)
    }

    func testMismatchedRanksBothWays() {
        let x = Tensor.arange(24).reshaped(to: [2, 3, 4])
        let v = Tensor([100, 200, 300, 400])
        assertInts((x + v)[1, 2], [120, 221, 322, 423], shape: [4])
        assertInts((v + x)[1, 2], [120, 221, 322, 423], shape: [4])
        assertInts((v - x)[0, 0], [100, 199, 298, 397], shape: [4])
        let c = Tensor([[1], [2], [3]])
        assertInts((x * c)[1], [12, 13, 14, 15, 32, 34, 36, 38, 60, 63, 66, 69], shape: [3, 4])
        assertInts((Tensor([[[5]]]) + Tensor([1, 2])), [6, 7], shape: [1, 1, 2])
        assertInts(Tensor([[1]]) + Tensor([2]), [3], shape: [1, 1])
        let ones = Tensor.ones([1, 3, 1], dtype: .int64)
        assertInts(ones + Tensor.arange(2).reshaped(to: [2, 1, 1]), [1, 1, 1, 2, 2, 2], shape: [2, 3, 1])
    }

    func testInPlaceBroadcastsTheRightOperand() {
        var m = Tensor.zeros([2, 3])
        m += Tensor([1.0, 2.0, 3.0])
        m *= Tensor([[2.0], [-1.0]])
        m -= Tensor(0.5)
        assertTensor(m, [1.5, 3.5, 5.5, -1.5, -2.5, -3.5], shape: [2, 3], dtype: .float32)
        var e = Tensor.zeros([0, 3])
        e += Tensor([1.0, 2.0, 3.0])
        XCTAssertEqual(e.shape, [0, 3])
    }

    func testExpandedViews() {
        let base = Tensor([[1.5], [-2.5]])
        let e = base.expanded(to: [3, 2, 4])
        XCTAssertEqual(e.shape, [3, 2, 4])
        XCTAssertTrue(e.sharesStorage(with: base))
        XCTAssertFalse(e.isContiguous)
        XCTAssertEqual(e.strides, [0, 1, 0])
        assertTensor(e[2], [1.5, 1.5, 1.5, 1.5, -2.5, -2.5, -2.5, -2.5], shape: [2, 4], dtype: .float32)
        let c = e.contiguous()
        XCTAssertTrue(c.isContiguous)
        XCTAssertFalse(c.sharesStorage(with: base))
        XCTAssertTrue(c.isEqual(to: e))
        assertTensor(Tensor(7.0).expanded(to: [2, 2]), [7, 7, 7, 7], shape: [2, 2], dtype: .float32)
        assertInts(Tensor([1, 2]).expanded(to: [0, 2]), [], shape: [0, 2])
        // An expanded operand and its contiguous copy give the same results in every kernel.
        let x = Tensor.arange(24, dtype: .float64).reshaped(to: [3, 2, 4]) * 0.25
        XCTAssertTrue((x * e).isEqual(to: x * c))
        XCTAssertTrue((e - x).isEqual(to: c - x))
        XCTAssertTrue(exp(e).isEqual(to: exp(c)))
        XCTAssertTrue((e .> 0).isEqual(to: c .> 0))
        XCTAssertTrue(e.sum(squeezingAxes: 0, 2).isEqual(to: c.sum(squeezingAxes: 0, 2)))
    }

    /// One element expanded to a shape (a sum's gradient) copies out as a fill, in every dtype, from a
    /// view at an offset.
    func testExpandedSingleElementContiguous() {
        let f64 = Tensor([1.0, -3.25, 2.0], dtype: .float64)[1].expanded(to: [2, 3])
        assertTensor(f64.contiguous(), [Double](repeating: -3.25, count: 6), shape: [2, 3], dtype: .float64)
        assertInts(Tensor([4, -9])[1].expanded(to: [3]).contiguous(), [-9, -9, -9], shape: [3])
        let b = Tensor([false, true])[1].expanded(to: [2, 2]).contiguous()
        XCTAssertEqual(b.dtype, .bool)
        XCTAssertTrue(b.isEqual(to: Tensor(shape: [2, 2], scalars: [true, true, true, true])))
        assertTensor(
            Tensor([[2.5]]).expanded(to: [2, 1, 2]).contiguous(), [2.5, 2.5, 2.5, 2.5], shape: [2, 1, 2],
            dtype: .float32)
    }
}
