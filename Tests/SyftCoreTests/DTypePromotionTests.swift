import SyftCore
import XCTest
import _TestSupport

// Dtype promotion: tensors with dimensions decide the result type; 0-d tensors and wrapped Swift numbers
// only raise its category (bool < integer < floating point), as PyTorch's `result_type`. Expected values
// from PyTorch 2.13 (Scripts/gen_core_cases.py promotion).

final class DTypePromotionTests: XCTestCase {
    func testResultTypeRule() {
        func meta(_ dtype: DType, _ shape: [Int] = [2], wrapped: Bool = false) -> TensorMeta {
            TensorMeta(shape: shape, dtype: dtype, isWrappedNumber: wrapped)
        }
        XCTAssertEqual(resultType([meta(.int64), meta(.float64, [], wrapped: true)]), .float32)
        XCTAssertEqual(resultType([meta(.float64), meta(.float64, [], wrapped: true)]), .float64)
        XCTAssertEqual(resultType([meta(.bool), meta(.int64, [], wrapped: true)]), .int64)
        XCTAssertEqual(resultType([meta(.bool), meta(.bool, [], wrapped: true)]), .bool)
        XCTAssertEqual(resultType([meta(.int64), meta(.float64, [])]), .float64)
        XCTAssertEqual(resultType([meta(.float32), meta(.float64, [])]), .float32)
        XCTAssertEqual(resultType([meta(.int64, []), meta(.float64, [], wrapped: true)]), .float32)
        XCTAssertEqual(resultType([meta(.float32), meta(.int64)]), .float32)
        XCTAssertEqual(resultType([meta(.float32), meta(.float64)]), .float64)
        XCTAssertEqual(resultType([meta(.bool), meta(.int64)]), .int64)
        XCTAssertEqual(DType.promote(.bool, .float32), .float32)
        XCTAssertEqual(DType.promote(.float64, .int64), .float64)
    }

    func testInPlaceKeepsTheDType() {
        var f = Tensor([1.5, 2.5])
        f += Tensor([0.1, 0.2], dtype: .float64)
        assertTensor(f, [Double(Float(1.6)), Double(Float(2.7))], shape: [2], dtype: .float32)
        var d = Tensor([1.5, 2.5], dtype: .float64)
        d *= 0.1
        assertTensor(d, [0.15000000000000002, 0.25], shape: [2], dtype: .float64)
        var i = Tensor([1, 2, 3])
        i += 2
        i -= Tensor([1, 1, 1])
        i *= Tensor([true, false, true])
        assertInts(i, [2, 0, 4], shape: [3])
        var g = Tensor([1.0, 2.0])
        g /= 4
        g -= 1
        assertTensor(g, [-0.75, -0.5], shape: [2], dtype: .float32)
        var h = Tensor([3.0, 6.0])
        h /= Tensor([2, 4])
        assertTensor(h, [1.5, 1.5], shape: [2], dtype: .float32)
        var b = Tensor([true, false])
        b += Tensor([false, false])
        assertBools(b, [true, false], shape: [2])
        var s = Tensor(2.0, dtype: .float64)
        s += Tensor([5.0]).sum()
        assertTensor(s, [7], shape: [], dtype: .float64)
    }
    func testWrappedNumbers() {
        let i = Tensor([1, -2, 3])
        let f = Tensor([0.5, -1.25, 2.0])
        let d = Tensor([0.1, -1.25, 2.0], dtype: .float64)
        let b = Tensor([true, false, true])
        assertTensor(i * 2.5, [2.5, -5.0, 7.5], shape: [3], dtype: .float32)
        assertTensor(2.5 * i, [2.5, -5.0, 7.5], shape: [3], dtype: .float32)
        assertInts(i + 1, [2, -1, 4], shape: [3])
        assertTensor(i - 1.5, [-0.5, -3.5, 1.5], shape: [3], dtype: .float32)
        assertTensor(d + 1.0, [1.1, -0.25, 3.0], shape: [3], dtype: .float64)
        assertTensor(d * 0.1, [0.010000000000000002, -0.125, 0.2], shape: [3], dtype: .float64)
        assertTensor(f + 1, [1.5, -0.25, 3.0], shape: [3], dtype: .float32)
        assertTensor(
            f * 0.1, [0.05000000074505806, -0.125, 0.20000000298023224], shape: [3], dtype: .float32)
        assertInts(b + 1, [2, 1, 2], shape: [3])
        assertInts(b * 2, [2, 0, 2], shape: [3])
        assertTensor(b + 1.5, [2.5, 1.5, 2.5], shape: [3], dtype: .float32)
        assertBools(b + true, [true, true, true], shape: [3])
        assertInts(i + true, [2, -1, 4], shape: [3])
        assertTensor(i / 2, [0.5, -1.0, 1.5], shape: [3], dtype: .float32)
        assertTensor(3 / i, [3.0, -1.5, 1.0], shape: [3], dtype: .float32)
        assertTensor(1 - f, [0.5, 2.25, -1.0], shape: [3], dtype: .float32)
        assertBools(i .< 2.5, [true, true, false], shape: [3])
        assertBools(f .== 0.5, [true, false, false], shape: [3])
        assertBools(d .> 0.1, [false, false, true], shape: [3])
    }

    func testTensorTensorPromotion() {
        let i = Tensor([1, -2, 3])
        let f = Tensor([0.5, -1.25, 2.0])
        let d = Tensor([0.1, -1.25, 2.0], dtype: .float64)
        let b = Tensor([true, false, true])
        assertTensor(i + f, [1.5, -3.25, 5.0], shape: [3], dtype: .float32)
        assertTensor(f + d, [0.6, -2.5, 4.0], shape: [3], dtype: .float64)
        assertTensor(i * d, [0.1, 2.5, 6.0], shape: [3], dtype: .float64)
        assertInts(b + i, [2, -2, 4], shape: [3])
        assertTensor(b * f, [0.5, -0.0, 2.0], shape: [3], dtype: .float32)
        assertBools(b + b, [true, false, true], shape: [3])
        assertBools(b * b, [true, false, true], shape: [3])
        assertTensor(i / i, [1.0, 1.0, 1.0], shape: [3], dtype: .float32)
        assertTensor(i / Tensor([2, 0, -2]), [0.5, -.infinity, -1.5], shape: [3], dtype: .float32)
        assertTensor(maximum(i, f), [1.0, -1.25, 3.0], shape: [3], dtype: .float32)
        assertBools(i .== f, [false, false, false], shape: [3])
        assertBools(b .== i, [true, false, false], shape: [3])
    }

    func testZeroDimTensorsPromoteByCategory() {
        let i = Tensor([1, -2, 3])
        let f = Tensor([0.5, -1.25, 2.0])
        assertTensor(i + Tensor(2.5), [3.5, 0.5, 5.5], shape: [3], dtype: .float32)
        assertTensor(i + Tensor(0.1, dtype: .float64), [1.1, -1.9, 3.1], shape: [3], dtype: .float64)
        assertTensor(
            f + Tensor(0.1, dtype: .float64),
            [
                0.6000000238418579, -1.149999976158142, 2.0999999046325684,
            ], shape: [3], dtype: .float32)
        assertTensor(f + Tensor(2), [2.5, 0.75, 4.0], shape: [3], dtype: .float32)
        assertInts(Tensor([true, false]) + Tensor(3), [4, 3], shape: [2])
        assertTensor(Tensor(2) + Tensor(0.1, dtype: .float64), [2.1], shape: [], dtype: .float64)
        assertTensor(Tensor(1.5) * Tensor(2), [3.0], shape: [], dtype: .float32)
    }

    func testPowDTypes() {
        let i = Tensor([1, -2, 3])
        let f = Tensor([0.5, 1.25, 2.0])
        assertInts(i.pow(2), [1, 4, 9], shape: [3])
        assertInts(i.pow(3), [1, -8, 27], shape: [3])
        assertTensor(i.pow(0.5), [1.0, .nan, 1.7320507764816284], shape: [3], dtype: .float32)
        assertTensor(f.pow(2), [0.25, 1.5625, 4.0], shape: [3], dtype: .float32)
        assertTensor(pow(f, -1), [2.0, 0.800000011920929, 0.5], shape: [3], dtype: .float32)
        assertInts(Tensor([true, false]).pow(2), [1, 0], shape: [2])
        assertInts(pow(i, Tensor([2, 0, 1])), [1, 1, 3], shape: [3])
        assertTensor(pow(i, f), [1.0, .nan, 9.0], shape: [3], dtype: .float32)
    }

    func testUnaryFloatFunctionsOfIntegers() {
        let i = Tensor([1, 4, 9])
        assertTensor(sqrt(i), [1.0, 2.0, 3.0], shape: [3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            exp(Tensor([0, 1])),
            [
                1.0, 2.7182817459106445,
            ], shape: [2], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            log(i),
            [
                0.0, 1.3862943649291992, 2.1972246170043945,
            ], shape: [3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            sigmoid(Tensor([true, false])),
            [
                0.7310585975646973, 0.5,
            ], shape: [2], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertInts(i.clamp(min: 2, max: 5), [2, 4, 5], shape: [3])
        assertTensor(i.clamp(min: 2.5), [2.5, 4.0, 9.0], shape: [3], dtype: .float32)
        assertTensor(i.clamp(max: 3.5), [1.0, 3.5, 3.5], shape: [3], dtype: .float32)
    }

    func testCasts() {
        let f = Tensor([-2.7, -0.5, 0.0, 0.5, 2.7, .nan])
        assertInts(f.to(.int64), [-2, 0, 0, 0, 2, -9223372036854775808], shape: [6])
        assertBools(f.to(.bool), [true, true, false, true, true, true], shape: [6])
        assertTensor(
            f.to(.float64),
            [
                -2.700000047683716, -0.5, 0.0, 0.5, 2.700000047683716, .nan,
            ], shape: [6], dtype: .float64)
        assertTensor(
            Tensor([0.1, 1e300, -1e300], dtype: .float64).to(.float32),
            [
                0.10000000149011612, .infinity, -.infinity,
            ], shape: [3], dtype: .float32)
        assertTensor(Tensor([true, false]).to(.float64), [1.0, 0.0], shape: [2], dtype: .float64)
        assertInts(Tensor([true, false]).to(.int64), [1, 0], shape: [2])
        assertTensor(Tensor([16777217, -3]).to(.float32), [16777216.0, -3.0], shape: [2], dtype: .float32)
        assertBools(Tensor([2, 0, -1]).to(.bool), [true, false, true], shape: [3])
    }
}
