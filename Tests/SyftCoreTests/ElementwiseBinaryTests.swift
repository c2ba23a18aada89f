import SyftCore
import XCTest
import _TestSupport

// Elementwise functions of two tensors, comparisons and `where`, in every dtype they apply to, with
// contiguous and non-contiguous (transposed, strided, expanded) operands; against PyTorch 2.13
// (Scripts/gen_core_cases.py elementwise).

final class ElementwiseBinaryTests: XCTestCase {
    func testBinaryFloat32() {
        let a = Tensor([[1.5, -2.0, 0.25], [3.0, 0.0, -0.5]])
        let b = Tensor([[0.5, 4.0, -0.25], [-3.0, 2.0, 8.0]])
        assertTensor(a + b, [2.0, 2.0, 0.0, 0.0, 2.0, 7.5], shape: [2, 3], dtype: .float32)
        assertTensor(add(a, b), [2.0, 2.0, 0.0, 0.0, 2.0, 7.5], shape: [2, 3], dtype: .float32)
        assertTensor(a - b, [1.0, -6.0, 0.5, 6.0, -2.0, -8.5], shape: [2, 3], dtype: .float32)
        assertTensor(sub(a, b), [1.0, -6.0, 0.5, 6.0, -2.0, -8.5], shape: [2, 3], dtype: .float32)
        assertTensor(a * b, [0.75, -8.0, -0.0625, -9.0, 0.0, -4.0], shape: [2, 3], dtype: .float32)
        assertTensor(mul(a, b), [0.75, -8.0, -0.0625, -9.0, 0.0, -4.0], shape: [2, 3], dtype: .float32)
        assertTensor(a / b, [3.0, -0.5, -1.0, -1.0, 0.0, -0.0625], shape: [2, 3], dtype: .float32)
        assertTensor(div(a, b), [3.0, -0.5, -1.0, -1.0, 0.0, -0.0625], shape: [2, 3], dtype: .float32)
        assertTensor(
            pow(abs(a), b),
            [
                1.2247449159622192, 16.0, 1.4142135381698608, 0.03703703731298447, 0.0,
                0.00390625,
            ], shape: [2, 3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            a.pow(2),
            [
                2.25, 4.0, 0.0625, 9.0, 0.0, 0.25,
            ], shape: [2, 3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            pow(a, 3),
            [
                3.375, -8.0, 0.015625, 27.0, 0.0, -0.125,
            ], shape: [2, 3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            a.pow(b),
            [
                1.2247449159622192, 16.0, 1.4142135381698608, 0.03703703731298447, 0.0,
                0.00390625,
            ], shape: [2, 3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(maximum(a, b), [1.5, 4.0, 0.25, 3.0, 2.0, 8.0], shape: [2, 3], dtype: .float32)
        assertTensor(minimum(a, b), [0.5, -2.0, -0.25, -3.0, 0.0, -0.5], shape: [2, 3], dtype: .float32)
        assertTensor(
            a + 0.1,
            [
                1.600000023841858, -1.899999976158142, 0.3499999940395355, 3.0999999046325684,
                0.10000000149011612, -0.4000000059604645,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(
            0.1 - a,
            [
                -1.399999976158142, 2.0999999046325684, -0.15000000596046448,
                -2.9000000953674316, 0.10000000149011612, 0.6000000238418579,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(
            a / 3,
            [
                0.5, -0.6666666865348816, 0.0833333358168602, 1.0, 0.0, -0.1666666716337204,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(3 / a, [2.0, -1.5, 12.0, 1.0, .infinity, -6.0], shape: [2, 3], dtype: .float32)
        assertTensor(a * -1.5, [-2.25, 3.0, -0.375, -4.5, -0.0, 0.75], shape: [2, 3], dtype: .float32)
    }

    func testBinaryFloat64() {
        let a = Tensor([[1.5, -2.0, 0.25], [3.0, 0.0, -0.5]], dtype: .float64)
        let b = Tensor([[0.5, 4.0, -0.25], [-3.0, 2.0, 8.0]], dtype: .float64)
        assertTensor(a + b, [2.0, 2.0, 0.0, 0.0, 2.0, 7.5], shape: [2, 3], dtype: .float64)
        assertTensor(add(a, b), [2.0, 2.0, 0.0, 0.0, 2.0, 7.5], shape: [2, 3], dtype: .float64)
        assertTensor(a - b, [1.0, -6.0, 0.5, 6.0, -2.0, -8.5], shape: [2, 3], dtype: .float64)
        assertTensor(sub(a, b), [1.0, -6.0, 0.5, 6.0, -2.0, -8.5], shape: [2, 3], dtype: .float64)
        assertTensor(a * b, [0.75, -8.0, -0.0625, -9.0, 0.0, -4.0], shape: [2, 3], dtype: .float64)
        assertTensor(mul(a, b), [0.75, -8.0, -0.0625, -9.0, 0.0, -4.0], shape: [2, 3], dtype: .float64)
        assertTensor(a / b, [3.0, -0.5, -1.0, -1.0, 0.0, -0.0625], shape: [2, 3], dtype: .float64)
        assertTensor(div(a, b), [3.0, -0.5, -1.0, -1.0, 0.0, -0.0625], shape: [2, 3], dtype: .float64)
        assertTensor(
            pow(abs(a), b),
            [
                1.224744871391589, 16.0, 1.4142135623730951, 0.037037037037037035, 0.0,
                0.00390625,
            ], shape: [2, 3], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            a.pow(2),
            [
                2.25, 4.0, 0.0625, 9.0, 0.0, 0.25,
            ], shape: [2, 3], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            pow(a, 3),
            [
                3.375, -8.0, 0.015625, 27.0, 0.0, -0.125,
            ], shape: [2, 3], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            a.pow(b),
            [
                1.224744871391589, 16.0, 1.4142135623730951, 0.037037037037037035, 0.0,
                0.00390625,
            ], shape: [2, 3], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(maximum(a, b), [1.5, 4.0, 0.25, 3.0, 2.0, 8.0], shape: [2, 3], dtype: .float64)
        assertTensor(minimum(a, b), [0.5, -2.0, -0.25, -3.0, 0.0, -0.5], shape: [2, 3], dtype: .float64)
        assertTensor(a + 0.1, [1.6, -1.9, 0.35, 3.1, 0.1, -0.4], shape: [2, 3], dtype: .float64)
        assertTensor(0.1 - a, [-1.4, 2.1, -0.15, -2.9, 0.1, 0.6], shape: [2, 3], dtype: .float64)
        assertTensor(
            a / 3,
            [
                0.5, -0.6666666666666666, 0.08333333333333333, 1.0, 0.0, -0.16666666666666666,
            ], shape: [2, 3], dtype: .float64)
        assertTensor(3 / a, [2.0, -1.5, 12.0, 1.0, .infinity, -6.0], shape: [2, 3], dtype: .float64)
        assertTensor(a * -1.5, [-2.25, 3.0, -0.375, -4.5, -0.0, 0.75], shape: [2, 3], dtype: .float64)
    }

    func testBinaryNaNAndInfinity() {
        let a = Tensor([1.0, .nan, 2.0, .nan, 0.0, -1.0, 0.0])
        let b = Tensor([.nan, 1.0, 3.0, .nan, 0.0, 0.0, -0.0])
        assertTensor(a + b, [.nan, .nan, 5.0, .nan, 0.0, -1.0, 0.0], shape: [7], dtype: .float32)
        assertTensor(
            a / b,
            [
                .nan, .nan, 0.6666666865348816, .nan, .nan, -.infinity, .nan,
            ], shape: [7], dtype: .float32)
        assertTensor(maximum(a, b), [.nan, .nan, 3.0, .nan, 0.0, 0.0, 0.0], shape: [7], dtype: .float32)
        assertTensor(minimum(a, b), [.nan, .nan, 2.0, .nan, 0.0, -1.0, 0.0], shape: [7], dtype: .float32)
        assertBools(a .== b, [false, false, false, false, true, false, true], shape: [7])
        assertBools(a .!= b, [true, true, true, true, false, true, false], shape: [7])
        assertBools(a .< b, [false, false, true, false, false, true, false], shape: [7])
        assertBools(a .<= b, [false, false, true, false, true, true, true], shape: [7])
        assertBools(a .> b, [false, false, false, false, false, false, false], shape: [7])
        assertBools(a .>= b, [false, false, false, false, true, false, true], shape: [7])
        assertTensor(
            Tensor([Double.infinity, -.infinity]) - Tensor([Double.infinity, -.infinity]),
            [
                .nan, .nan,
            ], shape: [2], dtype: .float32)
        assertTensor(Tensor([0.0, -2.0]).pow(0.5), [0.0, .nan], shape: [2], dtype: .float32)
        assertTensor(Tensor([.nan, 2.0]).pow(0), [1.0, 1.0], shape: [2], dtype: .float32)
    }

    func testBinaryInt64() {
        let a = Tensor([[7, -7, 0], [5, 3, -4]])
        let b = Tensor([[2, 2, 3], [-5, 0, 3]])
        assertInts(a + b, [9, -5, 3, 0, 3, -1], shape: [2, 3])
        assertInts(a - b, [5, -9, -3, 10, 3, -7], shape: [2, 3])
        assertInts(a * b, [14, -14, 0, -25, 0, -12], shape: [2, 3])
        assertTensor(
            a / b,
            [
                3.5, -3.5, 0.0, -1.0, .infinity, -1.3333333730697632,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(
            div(a, b),
            [
                3.5, -3.5, 0.0, -1.0, .infinity, -1.3333333730697632,
            ], shape: [2, 3], dtype: .float32)
        assertInts(pow(a, abs(b)), [49, 49, 0, 3125, 1, -64], shape: [2, 3])
        assertInts(maximum(a, b), [7, 2, 3, 5, 3, 3], shape: [2, 3])
        assertInts(minimum(a, b), [2, -7, 0, -5, 0, -4], shape: [2, 3])
        assertInts(a * 3, [21, -21, 0, 15, 9, -12], shape: [2, 3])
        assertInts(10 - a, [3, 17, 10, 5, 7, 14], shape: [2, 3])
        assertInts(
            Tensor([Int64.max, Int64.min]) + Tensor([1, -1]),
            [
                -9223372036854775808, 9223372036854775807,
            ], shape: [2])
        assertInts(Tensor([1 << 40]) * Tensor([1 << 30]), [0], shape: [1])
        assertInts(Tensor([3]).pow(40), [-6289078614652622815], shape: [1])
        assertInts(Tensor([9007199254740993]) + Tensor([0]), [9007199254740993], shape: [1])
    }

    func testBinaryBool() {
        let p = Tensor([true, true, false, false])
        let q = Tensor([true, false, true, false])
        assertBools(p + q, [true, true, true, false], shape: [4])
        assertBools(p * q, [true, false, false, false], shape: [4])
        assertBools(maximum(p, q), [true, true, true, false], shape: [4])
        assertBools(minimum(p, q), [true, false, false, false], shape: [4])
        assertBools(p .== q, [true, false, false, true], shape: [4])
        assertBools(p .!= q, [false, true, true, false], shape: [4])
        assertBools(p .< q, [false, false, true, false], shape: [4])
        assertBools(p .>= q, [true, true, false, true], shape: [4])
        assertTensor(p / q, [1.0, .infinity, 0.0, .nan], shape: [4], dtype: .float32)
    }

    func testComparisons() {
        let a = Tensor([[1, 5, 3], [4, 2, 6]])
        let b = Tensor([[3, 5, 1], [4, 4, 4]])
        assertBools(a .== b, [false, true, false, true, false, false], shape: [2, 3])
        assertBools(eq(a, b), [false, true, false, true, false, false], shape: [2, 3])
        assertBools(a .!= b, [true, false, true, false, true, true], shape: [2, 3])
        assertBools(ne(a, b), [true, false, true, false, true, true], shape: [2, 3])
        assertBools(a .< b, [true, false, false, false, true, false], shape: [2, 3])
        assertBools(lt(a, b), [true, false, false, false, true, false], shape: [2, 3])
        assertBools(a .<= b, [true, true, false, true, true, false], shape: [2, 3])
        assertBools(le(a, b), [true, true, false, true, true, false], shape: [2, 3])
        assertBools(a .> b, [false, false, true, false, false, true], shape: [2, 3])
        assertBools(gt(a, b), [false, false, true, false, false, true], shape: [2, 3])
        assertBools(a .>= b, [false, true, true, true, false, true], shape: [2, 3])
        assertBools(ge(a, b), [false, true, true, true, false, true], shape: [2, 3])
        assertBools(a .> 3, [false, true, false, true, false, true], shape: [2, 3])
        assertBools(a .<= 2.5, [true, false, false, false, true, false], shape: [2, 3])
        assertBools(a .== Tensor([4.0, 2.0, 6.0]), [false, false, false, true, true, true], shape: [2, 3])
        assertBools(Tensor([0.1], dtype: .float64) .== Tensor([0.1]), [false], shape: [1])
        assertBools(Tensor([0.1]) .== 0.1, [true], shape: [1])
        assertBools(Tensor([9007199254740993]) .> Tensor([9007199254740992]), [true], shape: [1])
    }

    func testWhere() {
        let c = Tensor([[true, false, true], [false, false, true]])
        let a = Tensor([[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]])
        let b = Tensor([[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]], dtype: .float64)
        let i = Tensor([[1, 2, 3], [4, 5, 6]])
        assertTensor(`where`(c, a, b), [1.5, -2.0, 3.5, -4.0, -5.0, 6.5], shape: [2, 3], dtype: .float64)
        assertTensor(`where`(c, a, 0.0), [1.5, 0.0, 3.5, 0.0, 0.0, 6.5], shape: [2, 3], dtype: .float32)
        assertInts(`where`(c, i, 0), [1, 0, 3, 0, 0, 6], shape: [2, 3])
        assertTensor(`where`(c, i, 0.5), [1.0, 0.5, 3.0, 0.5, 0.5, 6.0], shape: [2, 3], dtype: .float32)
        assertInts(`where`(c, -1, i), [-1, 2, -1, 4, 5, -1], shape: [2, 3])
        assertTensor(`where`(c, i, a), [1.0, 2.5, 3.0, 4.5, 5.5, 6.0], shape: [2, 3], dtype: .float32)
        assertBools(`where`(c, c, Tensor([false])), [true, false, true, false, false, true], shape: [2, 3])
        assertTensor(
            `where`(a .> 3, a, Tensor(0.0)),
            [
                0.0, 0.0, 3.5, 4.5, 5.5, 6.5,
            ], shape: [2, 3], dtype: .float32)
        assertInts(
            `where`(Tensor([true, false, true]), i, Tensor([[10], [20]])),
            [
                1, 10, 3, 4, 20, 6,
            ], shape: [2, 3])
    }

    func testNonContiguousInputs() {
        let m = Tensor.arange(12, dtype: .float32).reshaped(to: [3, 4]) * 0.5 - 2
        let t = m.transposed()
        let s = m[TensorIndex.all, stride(from: 0, to: 4, by: 2)]
        let e = Tensor([[1.0], [2.0], [3.0]]).expanded(to: [3, 4])
        assertTensor(
            exp(t),
            [
                0.1353352814912796, 1.0, 7.389056205749512, 0.22313016653060913,
                1.6487212181091309, 12.182494163513184, 0.3678794503211975, 2.7182817459106445,
                20.08553695678711, 0.6065306663513184, 4.481688976287842, 33.11545181274414,
            ], shape: [4, 3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            -t,
            [
                2.0, -0.0, -2.0, 1.5, -0.5, -2.5, 1.0, -1.0, -3.0, 0.5, -1.5, -3.5,
            ], shape: [4, 3], dtype: .float32)
        assertTensor(abs(s), [2.0, 1.0, 0.0, 1.0, 2.0, 3.0], shape: [3, 2], dtype: .float32)
        assertTensor(
            sqrt(e),
            [
                1.0, 1.0, 1.0, 1.0, 1.4142135381698608, 1.4142135381698608, 1.4142135381698608,
                1.4142135381698608, 1.7320507764816284, 1.7320507764816284, 1.7320507764816284,
                1.7320507764816284,
            ], shape: [3, 4], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            t + t,
            [
                -4.0, 0.0, 4.0, -3.0, 1.0, 5.0, -2.0, 2.0, 6.0, -1.0, 3.0, 7.0,
            ], shape: [4, 3], dtype: .float32)
        assertTensor(
            t + m.transposed(0, 1),
            [
                -4.0, 0.0, 4.0, -3.0, 1.0, 5.0, -2.0, 2.0, 6.0, -1.0, 3.0, 7.0,
            ], shape: [4, 3], dtype: .float32)
        assertTensor(
            m + e,
            [
                -1.0, -0.5, 0.0, 0.5, 2.0, 2.5, 3.0, 3.5, 5.0, 5.5, 6.0, 6.5,
            ], shape: [3, 4], dtype: .float32)
        assertTensor(
            e * m,
            [
                -2.0, -1.5, -1.0, -0.5, 0.0, 1.0, 2.0, 3.0, 6.0, 7.5, 9.0, 10.5,
            ], shape: [3, 4], dtype: .float32)
        assertTensor(
            s - m[TensorIndex.all, 1..<3],
            [
                -0.5, 0.0, -0.5, 0.0, -0.5, 0.0,
            ], shape: [3, 2], dtype: .float32)
        assertTensor(
            t * Tensor([1.0, 2.0, 3.0]),
            [
                -2.0, 0.0, 6.0, -1.5, 1.0, 7.5, -1.0, 2.0, 9.0, -0.5, 3.0, 10.5,
            ], shape: [4, 3], dtype: .float32)
        assertTensor(
            maximum(t, Tensor([[0.0], [0.5], [-1.0], [1.0]])),
            [
                0.0, 0.0, 2.0, 0.5, 0.5, 2.5, -1.0, 1.0, 3.0, 1.0, 1.5, 3.5,
            ], shape: [4, 3], dtype: .float32)
        assertBools(
            t .> 0,
            [
                false, false, true, false, true, true, false, true, true, false, true, true,
            ], shape: [4, 3])
        assertTensor(
            `where`(t .> 0, t, e.transposed()),
            [
                1.0, 2.0, 2.0, 1.0, 0.5, 2.5, 1.0, 1.0, 3.0, 1.0, 1.5, 3.5,
            ], shape: [4, 3], dtype: .float32)
        assertInts(m.transposed().to(.int64), [-2, 0, 2, -1, 0, 2, -1, 1, 3, 0, 1, 3], shape: [4, 3])
        assertTensor(s.to(.float64) * 2, [-4.0, -2.0, 0.0, 2.0, 4.0, 6.0], shape: [3, 2], dtype: .float64)
        assertInts(
            Tensor.arange(12).reshaped(to: [3, 4]).transposed() * 2,
            [
                0, 8, 16, 2, 10, 18, 4, 12, 20, 6, 14, 22,
            ], shape: [4, 3])
        assertTensor(
            relu(t),
            [
                0.0, 0.0, 2.0, 0.0, 0.5, 2.5, 0.0, 1.0, 3.0, 0.0, 1.5, 3.5,
            ], shape: [4, 3], dtype: .float32)
        assertTensor(
            clamp(s, min: -1, max: 1),
            [
                -1.0, -1.0, 0.0, 1.0, 1.0, 1.0,
            ], shape: [3, 2], dtype: .float32)
        assertTensor(
            sigmoid(t),
            [
                0.11920291930437088, 0.5, 0.8807970285415649, 0.18242552876472473,
                0.622459352016449, 0.9241418242454529, 0.2689414322376251, 0.7310585975646973,
                0.9525741338729858, 0.3775406777858734, 0.8175744414329529, 0.970687747001648,
            ], shape: [4, 3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            tanh(e),
            [
                0.7615941762924194, 0.7615941762924194, 0.7615941762924194, 0.7615941762924194,
                0.9640275835990906, 0.9640275835990906, 0.9640275835990906, 0.9640275835990906,
                0.9950547814369202, 0.9950547814369202, 0.9950547814369202, 0.9950547814369202,
            ], shape: [3, 4], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            log(abs(t) + 1),
            [
                1.0986123085021973, 0.0, 1.0986123085021973, 0.9162907600402832,
                0.40546512603759766, 1.252763032913208, 0.6931471824645996, 0.6931471824645996,
                1.3862943649291992, 0.40546512603759766, 0.9162907600402832, 1.504077434539795,
            ], shape: [4, 3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            sin(s),
            [
                -0.9092974066734314, -0.8414709568023682, 0.0, 0.8414709568023682,
                0.9092974066734314, 0.14112000167369843,
            ], shape: [3, 2], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            cos(t),
            [
                -0.416146844625473, 1.0, -0.416146844625473, 0.07073719799518585,
                0.8775825500488281, -0.8011435866355896, 0.5403023362159729, 0.5403023362159729,
                -0.9899924993515015, 0.8775825500488281, 0.07073719799518585,
                -0.9364566802978516,
            ], shape: [4, 3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            t / e.transposed(),
            [
                -2.0, 0.0, 0.6666666865348816, -1.5, 0.25, 0.8333333134651184, -1.0, 0.5, 1.0,
                -0.5, 0.75, 1.1666666269302368,
            ], shape: [4, 3], dtype: .float32)
        assertTensor(
            pow(abs(t), 0.5),
            [
                1.4142135381698608, 0.0, 1.4142135381698608, 1.2247449159622192,
                0.7071067690849304, 1.5811388492584229, 1.0, 1.0, 1.7320507764816284,
                0.7071067690849304, 1.2247449159622192, 1.8708287477493286,
            ], shape: [4, 3], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            pow(e, t.transposed()),
            [
                1.0, 1.0, 1.0, 1.0, 1.0, 1.4142135381698608, 2.0, 2.8284270763397217, 9.0,
                15.588457107543945, 27.0, 46.76537322998047,
            ], shape: [3, 4], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            minimum(s, e[TensorIndex.all, ..<2]),
            [
                -2.0, -1.0, 0.0, 1.0, 2.0, 3.0,
            ], shape: [3, 2], dtype: .float32)
        let it = Tensor.arange(12).reshaped(to: [3, 4]).transposed() - 5
        assertInts(abs(it), [5, 1, 3, 4, 0, 4, 3, 1, 5, 2, 2, 6], shape: [4, 3])
        assertInts(-it[stride(from: 0, to: 4, by: 3)], [5, 1, -3, 2, -2, -6], shape: [2, 3])
        assertBools(
            it .>= Tensor([0, 1, 2]),
            [
                false, false, true, false, false, true, false, true, true, false, true, true,
            ], shape: [4, 3])
        assertBools(
            (it .> 0).transposed(),
            [
                false, false, false, false, false, false, true, true, true, true, true, true,
            ], shape: [3, 4])
        assertInts((it .> 0).transposed().sum(squeezingAxes: 0), [1, 1, 2, 2], shape: [4])
        assertTensor(
            `where`((it .> 0).transposed(), m, s.to(.float64)[TensorIndex.all, ..<1]),
            [
                -2.0, -2.0, -2.0, -2.0, 0.0, 0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5,
            ], shape: [3, 4], dtype: .float64)
    }

    func testLargeBinaryOperandsSplitAcrossThreads() {
        // 393·500 elements, split into two chunks whose boundary falls inside a row.
        let n = 393 * 500
        let a = Tensor.arange(n, dtype: .float32).reshaped(to: [393, 500])
        let b = Tensor.arange(n, dtype: .float32).reshaped(to: [500, 393]).transposed()
        let sum = a + b
        for (r, c) in [(0, 0), (392, 499), (200, 100), (196, 304), (196, 305), (1, 257), (170, 3)] {
            XCTAssertEqual(sum[r, c].item(), Double(r * 500 + c) + Double(c * 393 + r), "\(r), \(c)")
        }
        let col = Tensor.arange(393, dtype: .float64).reshaped(to: [393, 1])
        let prod = b * col  // a strided and a broadcast operand, float32 * float64
        XCTAssertEqual(prod[392, 499].item(), Double(499 * 393 + 392) * 392)
        XCTAssertEqual(prod[196, 305].item(), Double(305 * 393 + 196) * 196)
        let cmp = a .> b
        XCTAssertEqual(cmp.dtype, .bool)
        XCTAssertEqual(cmp.to(.int64).sum().item(), ((a - b) .> 0).to(.int64).sum().item())
        let w = `where`(cmp, a, b)
        XCTAssertEqual((w .!= maximum(a, b)).to(.int64).sum().item(), 0)
        var acc = a
        acc += b
        XCTAssertEqual((acc .== sum).to(.int64).sum().item(), Double(n))
    }
}
