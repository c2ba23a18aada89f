import SyftCore
import XCTest
import _TestSupport

// Reductions over single, multiple and negative axes, kept and squeezed, in every dtype they apply to;
// NaN propagation, first-occurrence argmax, variance and std with a correction, empty and 0-d inputs,
// non-contiguous inputs. Expected values from PyTorch 2.13 (Scripts/gen_core_cases.py reduction).

final class ReductionTests: XCTestCase {
    func testSumFloat32() {
        let x = Tensor.arange(24, dtype: .float32).reshaped(to: [2, 3, 4]) * 0.5 - 3
        assertTensor(x.sum(), [66.0], shape: [], dtype: .float32)
        assertTensor(sum(x), [66.0], shape: [], dtype: .float32)
        assertTensor(
            x.sum(squeezingAxes: 0),
            [
                0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0,
            ], shape: [3, 4], dtype: .float32)
        assertTensor(
            x.sum(squeezingAxes: 1),
            [
                -3.0, -1.5, 0.0, 1.5, 15.0, 16.5, 18.0, 19.5,
            ], shape: [2, 4], dtype: .float32)
        assertTensor(
            x.sum(squeezingAxes: 2),
            [
                -9.0, -1.0, 7.0, 15.0, 23.0, 31.0,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(
            x.sum(squeezingAxes: -1),
            [
                -9.0, -1.0, 7.0, 15.0, 23.0, 31.0,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(x.sum(squeezingAxes: 0, 2), [6.0, 22.0, 38.0], shape: [3], dtype: .float32)
        assertTensor(x.sum(squeezingAxes: [2, -3]), [6.0, 22.0, 38.0], shape: [3], dtype: .float32)
        assertTensor(x.sum(squeezingAxes: 0, 1), [12.0, 15.0, 18.0, 21.0], shape: [4], dtype: .float32)
        assertTensor(x.sum(squeezingAxes: 0, 1, 2), [66.0], shape: [], dtype: .float32)
        assertTensor(
            x.sum(alongAxes: 1),
            [
                -3.0, -1.5, 0.0, 1.5, 15.0, 16.5, 18.0, 19.5,
            ], shape: [2, 1, 4], dtype: .float32)
        assertTensor(x.sum(alongAxes: 0, 2), [6.0, 22.0, 38.0], shape: [1, 3, 1], dtype: .float32)
        assertTensor(
            sum(x, alongAxes: [-1]),
            [
                -9.0, -1.0, 7.0, 15.0, 23.0, 31.0,
            ], shape: [2, 3, 1], dtype: .float32)
        assertTensor(
            sum(x, squeezingAxes: [1]),
            [
                -3.0, -1.5, 0.0, 1.5, 15.0, 16.5, 18.0, 19.5,
            ], shape: [2, 4], dtype: .float32)
    }

    func testSumOtherDTypes() {
        let d = Tensor([[0.1, 0.2, 0.3], [1e16, 1.0, -1e16]], dtype: .float64)
        let i = Tensor([[1, -2, 3], [4, 5, -6]])
        let b = Tensor([[true, false, true], [true, true, true]])
        assertTensor(
            d.sum(squeezingAxes: 1),
            [
                0.6000000000000001, 0.0,
            ], shape: [2], dtype: .float64, rtol: 1e-15)
        assertTensor(d.sum(squeezingAxes: 0), [1e+16, 1.2, -1e+16], shape: [3], dtype: .float64)
        assertInts(i.sum(), [5], shape: [])
        assertInts(i.sum(squeezingAxes: 0), [5, 3, -3], shape: [3])
        assertInts(i.sum(alongAxes: 1), [2, 3], shape: [2, 1])
        assertInts(b.sum(), [5], shape: [])
        assertInts(b.sum(squeezingAxes: 0), [2, 1, 2], shape: [3])
        assertInts(b.sum(squeezingAxes: 1), [2, 3], shape: [2])
        assertInts(Tensor([Int64.max, 1]).sum(), [-9223372036854775808], shape: [])
    }

    func testMean() {
        let x = Tensor.arange(24, dtype: .float32).reshaped(to: [2, 3, 4]) * 0.5 - 3
        let d = Tensor([[0.1, 0.2, 0.3], [1.5, 2.5, -4.0]], dtype: .float64)
        assertTensor(x.mean(), [2.75], shape: [], dtype: .float32)
        assertTensor(mean(x), [2.75], shape: [], dtype: .float32)
        assertTensor(
            x.mean(squeezingAxes: 1),
            [
                -1.0, -0.5, 0.0, 0.5, 5.0, 5.5, 6.0, 6.5,
            ], shape: [2, 4], dtype: .float32)
        assertTensor(x.mean(squeezingAxes: 0, 2), [0.75, 2.75, 4.75], shape: [3], dtype: .float32)
        assertTensor(
            x.mean(alongAxes: -1),
            [
                -2.25, -0.25, 1.75, 3.75, 5.75, 7.75,
            ], shape: [2, 3, 1], dtype: .float32)
        assertTensor(mean(x, alongAxes: [0, 1]), [2.0, 2.5, 3.0, 3.5], shape: [1, 1, 4], dtype: .float32)
        assertTensor(
            mean(x, squeezingAxes: [2]),
            [
                -2.25, -0.25, 1.75, 3.75, 5.75, 7.75,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(
            d.mean(squeezingAxes: 1),
            [
                0.20000000000000004, 0.0,
            ], shape: [2], dtype: .float64, rtol: 1e-15)
        assertTensor(d.mean(), [0.10000000000000002], shape: [], dtype: .float64, rtol: 1e-15)
        assertTensor(Tensor(2.5).mean(), [2.5], shape: [], dtype: .float32)
    }

    func testProd() {
        let f = Tensor([[1.5, -2.0, 0.5], [3.0, 4.0, -0.25]])
        let i = Tensor([[1, -2, 3], [4, 5, -6]])
        assertTensor(f.prod(), [4.5], shape: [], dtype: .float32)
        assertTensor(prod(f), [4.5], shape: [], dtype: .float32)
        assertTensor(f.prod(squeezingAxes: 0), [4.5, -8.0, -0.125], shape: [3], dtype: .float32)
        assertTensor(f.prod(alongAxes: 1), [-1.5, -3.0], shape: [2, 1], dtype: .float32)
        assertTensor(f.to(.float64).prod(squeezingAxes: -1), [-1.5, -3.0], shape: [2], dtype: .float64)
        assertInts(i.prod(), [720], shape: [])
        assertInts(i.prod(squeezingAxes: 1), [-6, -120], shape: [2])
        assertInts(Tensor([[true, true], [false, true]]).prod(squeezingAxes: 1), [1, 0], shape: [2])
        assertInts(Tensor([true, true]).prod(), [1], shape: [])
    }

    func testMaxMin() {
        let f = Tensor([[1.5, -2.0, 7.0], [3.0, 7.0, -0.25]])
        let i = Tensor([[1, -2, 3], [4, 5, -6]])
        let b = Tensor([[true, false], [false, false]])
        assertTensor(f.max(), [7.0], shape: [], dtype: .float32)
        assertTensor(max(f), [7.0], shape: [], dtype: .float32)
        assertTensor(f.min(), [-2.0], shape: [], dtype: .float32)
        assertTensor(min(f), [-2.0], shape: [], dtype: .float32)
        assertTensor(f.max(squeezingAxes: 0), [3.0, 7.0, 7.0], shape: [3], dtype: .float32)
        assertTensor(f.max(squeezingAxes: 1), [7.0, 7.0], shape: [2], dtype: .float32)
        assertTensor(f.min(squeezingAxes: -1), [-2.0, -0.25], shape: [2], dtype: .float32)
        assertTensor(f.max(alongAxes: 1), [7.0, 7.0], shape: [2, 1], dtype: .float32)
        assertTensor(f.min(alongAxes: 0), [1.5, -2.0, -0.25], shape: [1, 3], dtype: .float32)
        assertTensor(f.max(squeezingAxes: 0, 1), [7.0], shape: [], dtype: .float32)
        assertInts(i.max(), [5], shape: [])
        assertInts(i.min(squeezingAxes: 0), [1, -2, -6], shape: [3])
        assertInts(i.max(alongAxes: 1), [3, 5], shape: [2, 1])
        assertBools(b.max(squeezingAxes: 1), [true, false], shape: [2])
        assertBools(b.min(squeezingAxes: 0), [false, false], shape: [2])
        assertBools(b.max(), [true], shape: [])
        assertTensor(Tensor([-Double.infinity, -.infinity]).max(), [-.infinity], shape: [], dtype: .float32)
    }

    func testMaxMinPropagateNaN() {
        let n = Tensor([[1.0, .nan, 3.0], [4.0, 5.0, 6.0], [.nan, -1.0, .nan]])
        assertTensor(n.max(), [.nan], shape: [], dtype: .float32)
        assertTensor(n.min(), [.nan], shape: [], dtype: .float32)
        assertTensor(n.max(squeezingAxes: 0), [.nan, .nan, .nan], shape: [3], dtype: .float32)
        assertTensor(n.max(squeezingAxes: 1), [.nan, 6.0, .nan], shape: [3], dtype: .float32)
        assertTensor(n.min(squeezingAxes: 0), [.nan, .nan, .nan], shape: [3], dtype: .float32)
        assertTensor(n.min(squeezingAxes: 1), [.nan, 4.0, .nan], shape: [3], dtype: .float32)
        assertTensor(n.to(.float64).max(alongAxes: 1), [.nan, 6.0, .nan], shape: [3, 1], dtype: .float64)
        assertTensor(n.transposed().min(squeezingAxes: 1), [.nan, .nan, .nan], shape: [3], dtype: .float32)
        assertTensor(n.sum(squeezingAxes: 1), [.nan, 15.0, .nan], shape: [3], dtype: .float32)
        assertTensor(n.prod(squeezingAxes: 0), [.nan, .nan, .nan], shape: [3], dtype: .float32)
    }

    func testArgmaxArgmin() {
        let f = Tensor([[1.5, 7.0, 7.0, -2.0], [3.0, -5.0, 3.0, -5.0], [0.0, 0.0, 0.0, 0.0]])
        let i = Tensor([[4, 9, 9], [-1, -7, -7]])
        assertInts(f.argmax(), [1], shape: [])
        assertInts(argmax(f), [1], shape: [])
        assertInts(f.argmin(), [5], shape: [])
        assertInts(argmin(f), [5], shape: [])
        assertInts(f.argmax(squeezingAxis: 1), [1, 0, 0], shape: [3])
        assertInts(f.argmin(squeezingAxis: 1), [3, 1, 0], shape: [3])
        assertInts(f.argmax(squeezingAxis: 0), [1, 0, 0, 2], shape: [4])
        assertInts(f.argmin(squeezingAxis: -2), [2, 1, 2, 1], shape: [4])
        assertInts(f.argmax(alongAxis: 1), [1, 0, 0], shape: [3, 1])
        assertInts(f.argmin(alongAxis: 0), [2, 1, 2, 1], shape: [1, 4])
        assertInts(argmax(f, squeezingAxis: -1), [1, 0, 0], shape: [3])
        assertInts(argmin(f, squeezingAxis: 0), [2, 1, 2, 1], shape: [4])
        assertInts(i.argmax(squeezingAxis: 1), [1, 0], shape: [2])
        assertInts(i.argmin(squeezingAxis: 1), [0, 1], shape: [2])
        assertInts(i.argmax(), [1], shape: [])
        assertInts(i.argmin(), [4], shape: [])
        assertInts(f.transposed().argmax(squeezingAxis: 0), [1, 0, 0], shape: [3])
        assertInts(f.transposed().argmax(), [3], shape: [])
        assertInts(f.to(.float64).argmin(squeezingAxis: 1), [3, 1, 0], shape: [3])
        assertInts(Tensor([1.0, .nan, 5.0, .nan]).argmax(), [1], shape: [])
        assertInts(Tensor([1.0, .nan, -5.0]).argmin(), [1], shape: [])
        assertInts(Tensor([[2.0, .nan], [.nan, 1.0]]).argmax(squeezingAxis: 1), [1, 0], shape: [2])
        assertInts(Tensor(3.0).argmax(), [0], shape: [])
    }

    func testVarianceAndStd() {
        let x = Tensor([[1.0, 2.0, 4.0, 8.0], [-1.0, 0.5, 0.25, 3.0], [2.0, 2.0, 2.0, 2.0]])
        assertTensor(x.variance(), [5.0961174964904785], shape: [], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(variance(x), [5.0961174964904785], shape: [], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            x.variance(correction: 0),
            [
                4.671441078186035
            ], shape: [], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(x.std(), [2.257458209991455], shape: [], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            std(x, correction: 0),
            [
                2.1613516807556152
            ], shape: [], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            x.variance(squeezingAxes: [1]),
            [
                9.583333015441895, 2.8072917461395264, 0.0,
            ], shape: [3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            x.variance(squeezingAxes: [1], correction: 0),
            [
                7.1875, 2.10546875, 0.0,
            ], shape: [3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            x.variance(alongAxes: [0]),
            [
                2.3333332538604736, 0.75, 3.5208332538604736, 10.333333015441895,
            ], shape: [1, 4], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            x.variance(squeezingAxes: [-1, 0], correction: 0),
            [
                4.671441078186035
            ], shape: [], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            x.std(squeezingAxes: [0]),
            [
                1.5275251865386963, 0.8660253882408142, 1.876388430595398, 3.214550256729126,
            ], shape: [4], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            x.std(alongAxes: [1], correction: 0),
            [
                2.6809513568878174, 1.4510233402252197, 0.0,
            ], shape: [3, 1], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            x.to(.float64).variance(squeezingAxes: [1]),
            [
                9.583333333333334, 2.8072916666666665, 0.0,
            ], shape: [3], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            x.to(.float64).std(correction: 0),
            [
                2.161351653993913
            ], shape: [], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            x.variance(correction: 2),
            [
                5.605729103088379
            ], shape: [], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(Tensor([3.0]).variance(), [.nan], shape: [], dtype: .float32)
        assertTensor(Tensor([3.0]).variance(correction: 0), [0.0], shape: [], dtype: .float32)
    }

    func testReductionsOfEmptyAndZeroDim() {
        assertTensor(
            Tensor.zeros([0, 3]).sum(squeezingAxes: 0), [0.0, 0.0, 0.0], shape: [3], dtype: .float32)
        assertTensor(Tensor.zeros([0, 3]).sum(squeezingAxes: 1), [], shape: [0], dtype: .float32)
        assertTensor(Tensor.zeros([0]).sum(), [0.0], shape: [], dtype: .float32)
        assertInts(Tensor.zeros([0], dtype: .int64).sum(), [0], shape: [])
        assertTensor(Tensor.zeros([2, 0]).prod(squeezingAxes: 1), [1.0, 1.0], shape: [2], dtype: .float32)
        assertTensor(Tensor.zeros([0]).mean(), [.nan], shape: [], dtype: .float32)
        assertTensor(Tensor.zeros([2, 0]).max(squeezingAxes: 0), [], shape: [0], dtype: .float32)
        assertTensor(Tensor(2.5).sum(), [2.5], shape: [], dtype: .float32)
        assertTensor(Tensor(2.5).sum(squeezingAxes: 0), [2.5], shape: [], dtype: .float32)
        assertTensor(Tensor(2.5).sum(alongAxes: -1), [2.5], shape: [], dtype: .float32)
        // Left out: Tensor(4).max() (PyTorch: tensor(4)) traps, "Index out of range" in the shape rule of
        // max/min (Op+Infer.swift, `x.shape[a]` for axis 0 of a 0-d tensor). Reported to the Ops owner.
        assertInts(Tensor(true).sum(), [1], shape: [])
    }

    func testReductionsOfNonContiguousInputs() {
        let x = Tensor.arange(24, dtype: .float32).reshaped(to: [2, 3, 4]) * 0.5 - 3
        let p = x.permuted(2, 0, 1)
        let s = x[TensorIndex.ellipsis, stride(from: 1, to: 4, by: 2)]
        let e = Tensor([1.0, -2.0, 3.0]).expanded(to: [4, 3])
        assertTensor(
            p.sum(squeezingAxes: 0),
            [
                -9.0, -1.0, 7.0, 15.0, 23.0, 31.0,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(
            p.sum(squeezingAxes: 2),
            [
                -3.0, 15.0, -1.5, 16.5, 0.0, 18.0, 1.5, 19.5,
            ], shape: [4, 2], dtype: .float32)
        assertTensor(
            p.sum(alongAxes: 1),
            [
                0.0, 4.0, 8.0, 1.0, 5.0, 9.0, 2.0, 6.0, 10.0, 3.0, 7.0, 11.0,
            ], shape: [4, 1, 3], dtype: .float32)
        assertTensor(p.max(squeezingAxes: 0, 1), [4.5, 6.5, 8.5], shape: [3], dtype: .float32)
        assertInts(p.argmax(squeezingAxis: 0), [3, 3, 3, 3, 3, 3], shape: [2, 3])
        assertInts(p.argmin(squeezingAxis: 2), [0, 0, 0, 0, 0, 0, 0, 0], shape: [4, 2])
        assertTensor(s.sum(squeezingAxes: 1), [-1.5, 1.5, 16.5, 19.5], shape: [2, 2], dtype: .float32)
        assertTensor(s.min(), [-2.5], shape: [], dtype: .float32)
        assertTensor(
            s.mean(squeezingAxes: 2),
            [
                -2.0, 0.0, 2.0, 4.0, 6.0, 8.0,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(e.sum(squeezingAxes: 0), [4.0, -8.0, 12.0], shape: [3], dtype: .float32)
        assertTensor(e.sum(), [8.0], shape: [], dtype: .float32)
        assertTensor(e.max(squeezingAxes: 1), [3.0, 3.0, 3.0, 3.0], shape: [4], dtype: .float32)
        assertTensor(e.prod(squeezingAxes: 0), [1.0, 16.0, 81.0], shape: [3], dtype: .float32)
        assertTensor(e.variance(squeezingAxes: [0]), [0.0, 0.0, 0.0], shape: [3], dtype: .float32)
        assertInts(e.argmax(squeezingAxis: 1), [2, 2, 2, 2], shape: [4])
    }

    func testLargeReductionsSplitAcrossThreads() {
        // 2^18 float32 elements: a long row is split across the cores, partial results combined.
        let n = 1 << 18
        let x = Tensor.arange(n, dtype: .float32)
        XCTAssertEqual(x.sum().item(), Double(n) * Double(n - 1) / 2)
        XCTAssertEqual(x.max().item(), Double(n - 1))
        XCTAssertEqual(x.min().item(), 0)
        XCTAssertEqual(x.argmax().item(), Double(n - 1))
        XCTAssertEqual(x.mean().item(), Double(n - 1) / 2, accuracy: 1e-3)
        // Summing Float(0.1) 2^18 times: exactly 26214.400390625. PyTorch's float32 sum gives
        // 26214.404296875; a naive float32 loop drifts to 26149.6.
        let tenths = Tensor.full([n], 0.1)
        XCTAssertEqual(tenths.sum().item(), 26214.400390625, accuracy: 0.005)
        let halves = tenths.reshaped(to: [2, n / 2]).sum(squeezingAxes: 1).doubles
        XCTAssertEqual(halves[1], 13107.2001953125, accuracy: 0.005)
        // Columns (the leading-axis path) and rows of a [512, 512] matrix, and a NaN in one chunk.
        let m = x.reshaped(to: [512, 512])
        let cols = m.sum(squeezingAxes: 0).doubles
        XCTAssertEqual(cols[0], 512 * 511 / 2 * 512)
        XCTAssertEqual(cols[511], Double(512 * 511 / 2 * 512 + 511 * 512))
        let rows = m.transposed().sum(squeezingAxes: 0).doubles
        XCTAssertEqual(rows[3], Double(3 * 512 * 512 + 511 * 512 / 2))
        var withNaN = x
        withNaN[200_000] = Tensor(Float.nan)
        XCTAssertTrue(withNaN.max().item().isNaN)
        XCTAssertTrue(withNaN.min().item().isNaN)
        XCTAssertTrue(withNaN.sum().item().isNaN)
        XCTAssertEqual(withNaN.argmax().item(), 200_000)
        XCTAssertEqual(withNaN.argmin().item(), 200_000)
    }

    func testMeanOfConvertedIntegers() {
        // mean of int64 stops the program, as PyTorch raises; converting first works.
        let mean = Tensor([1, 2, 4]).to(.float32).mean()
        assertTensor(mean, [Double(Float(7.0 / 3))], shape: [], dtype: .float32)
    }
}

/// Cases the core-test pass found in Ops/ and the fixes made there.
final class OpsEdgeCaseTests: XCTestCase {
    func testZeroDimensionalMaxMin() {
        XCTAssertEqual(Tensor(4).max().description, "tensor(4)")
        XCTAssertEqual(Tensor(-2.5).min().description, "tensor(-2.5000)")
    }

    func testEmptyAxisListReducesEverything() {
        XCTAssertEqual(Tensor([[1, 2], [3, 4]]).sum(squeezingAxes: []).description, "tensor(10)")
    }

    func testSplitAndChunkOfAnEmptyAxis() {
        XCTAssertEqual(Tensor.zeros([2, 0]).split(1, axis: 1).map(\.shape), [[2, 0]])
        XCTAssertEqual(Tensor.zeros([0, 2]).chunked(2).map(\.shape), [[0, 2], [0, 2]])
    }

    func testBoolSubtractionIsRejected() {
        XCTAssertThrowsError(
            try Op.sub.inferOutputs([
                TensorMeta(shape: [2], dtype: .bool),
                TensorMeta(shape: [], dtype: .int64, isWrappedNumber: true),
            ]))
    }
}
