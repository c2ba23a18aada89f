import SyftCore
import XCTest
import _TestSupport

// Matrix products in every PyTorch form: vector·vector, vector·matrix, matrix·vector, matrix·matrix,
// batched and broadcast batches, transposed/strided/expanded operands, float64 and int64, and empty
// inner or outer dimensions. Expected values from PyTorch 2.13 (Scripts/gen_core_cases.py matmul).

final class MatmulTests: XCTestCase {
    func testMatmulForms() {
        let v3 = Tensor.arange(3, dtype: .float32) - 1
        let w3 = Tensor.arange(2, 5, dtype: .float32) * 0.5
        let a23 = Tensor.arange(6, dtype: .float32).reshaped(to: [2, 3]) - 2
        let b34 = Tensor.arange(12, dtype: .float32).reshaped(to: [3, 4]) * 0.5 - 1
        let b3 = Tensor.arange(24, dtype: .float32).reshaped(to: [2, 3, 4]) * 0.25
        let c3 = Tensor.arange(40, dtype: .float32).reshaped(to: [2, 4, 5]) - 10
        let d4 = Tensor.arange(24, dtype: .float32).reshaped(to: [2, 1, 3, 4]) - 5
        let e3 = Tensor.arange(40, dtype: .float32).reshaped(to: [5, 4, 2]) * 0.5 - 4
        assertTensor(matmul(v3, w3), [1.0], shape: [], dtype: .float32)
        assertTensor(matmul(v3, b34), [4.0, 4.0, 4.0, 4.0], shape: [4], dtype: .float32)
        assertTensor(matmul(a23, v3), [2.0, 2.0], shape: [2], dtype: .float32)
        assertTensor(
            matmul(a23, b34),
            [
                1.0, -0.5, -2.0, -3.5, 10.0, 13.0, 16.0, 19.0,
            ], shape: [2, 4], dtype: .float32)
        assertTensor(
            a23.matmul(b34),
            [
                1.0, -0.5, -2.0, -3.5, 10.0, 13.0, 16.0, 19.0,
            ], shape: [2, 4], dtype: .float32)
        assertTensor(
            matmul(b3, c3),
            [
                2.5, 4.0, 5.5, 7.0, 8.5, -7.5, -2.0, 3.5, 9.0, 14.5, -17.5, -8.0, 1.5, 11.0,
                20.5, 242.5, 256.0, 269.5, 283.0, 296.5, 312.5, 330.0, 347.5, 365.0, 382.5,
                382.5, 404.0, 425.5, 447.0, 468.5,
            ], shape: [2, 3, 5], dtype: .float32)
        assertTensor(
            matmul(d4, e3),
            [
                40.0, 33.0, 0.0, 1.0, -40.0, -31.0, -16.0, -23.0, 8.0, 9.0, 32.0, 41.0, -72.0,
                -79.0, 16.0, 17.0, 104.0, 113.0, -128.0, -135.0, 24.0, 25.0, 176.0, 185.0,
                -184.0, -191.0, 32.0, 33.0, 248.0, 257.0, -80.0, -63.0, -120.0, -95.0, -160.0,
                -127.0, 56.0, 73.0, 80.0, 105.0, 104.0, 137.0, 192.0, 209.0, 280.0, 305.0, 368.0,
                401.0, 328.0, 345.0, 480.0, 505.0, 632.0, 665.0, 464.0, 481.0, 680.0, 705.0,
                896.0, 929.0,
            ], shape: [2, 5, 3, 2], dtype: .float32)
        assertTensor(
            matmul(b3, c3[0]),
            [
                2.5, 4.0, 5.5, 7.0, 8.5, -7.5, -2.0, 3.5, 9.0, 14.5, -17.5, -8.0, 1.5, 11.0,
                20.5, -27.5, -14.0, -0.5, 13.0, 26.5, -37.5, -20.0, -2.5, 15.0, 32.5, -47.5,
                -26.0, -4.5, 17.0, 38.5,
            ], shape: [2, 3, 5], dtype: .float32)
        assertTensor(
            matmul(a23, b3.matrixTransposed().matrixTransposed()),
            [
                -1.0, -1.75, -2.5, -3.25, 8.0, 9.5, 11.0, 12.5, -10.0, -10.75, -11.5, -12.25,
                26.0, 27.5, 29.0, 30.5,
            ], shape: [2, 2, 4], dtype: .float32)
        assertTensor(
            matmul(b3, Tensor([1.0, -1.0, 2.0, 0.5])),
            [
                1.125, 3.625, 6.125, 8.625, 11.125, 13.625,
            ], shape: [2, 3], dtype: .float32)
        assertTensor(
            matmul(Tensor([1.0, -1.0, 2.0, 0.5]), c3),
            [
                -2.5, 0.0, 2.5, 5.0, 7.5, 47.5, 50.0, 52.5, 55.0, 57.5,
            ], shape: [2, 5], dtype: .float32)
        assertTensor(matmul(v3, a23.transposed()), [2.0, 2.0], shape: [2], dtype: .float32)
    }

    func testMatmulNonContiguousOperands() {
        let a23 = Tensor.arange(6, dtype: .float32).reshaped(to: [2, 3]) - 2
        let b34 = Tensor.arange(12, dtype: .float32).reshaped(to: [3, 4]) * 0.5 - 1
        let b3 = Tensor.arange(24, dtype: .float32).reshaped(to: [2, 3, 4]) * 0.25
        let c3 = Tensor.arange(40, dtype: .float32).reshaped(to: [2, 4, 5]) - 10
        assertTensor(
            matmul(a23.transposed(), a23),
            [
                5.0, 4.0, 3.0, 4.0, 5.0, 6.0, 3.0, 6.0, 9.0,
            ], shape: [3, 3], dtype: .float32)
        assertTensor(matmul(a23, a23.transposed()), [5.0, -4.0, -4.0, 14.0], shape: [2, 2], dtype: .float32)
        assertTensor(
            matmul(b34.transposed(), a23.transposed()),
            [
                1.0, 10.0, -0.5, 13.0, -2.0, 16.0, -3.5, 19.0,
            ], shape: [4, 2], dtype: .float32)
        assertTensor(
            matmul(b34[TensorIndex.all, stride(from: 0, to: 4, by: 2)].transposed(), b34),
            [
                11.0, 12.5, 14.0, 15.5, 14.0, 17.0, 20.0, 23.0,
            ], shape: [2, 4], dtype: .float32)
        assertTensor(
            matmul(a23[TensorIndex.all, 1...], b34[1..., 1..<3]),
            [
                -1.5, -2.0, 13.5, 16.0,
            ], shape: [2, 2], dtype: .float32)
        assertTensor(
            matmul(b34[stride(from: 0, to: 3, by: 2)], c3[1]),
            [
                -5.0, -6.0, -7.0, -8.0, -9.0, 275.0, 290.0, 305.0, 320.0, 335.0,
            ], shape: [2, 5], dtype: .float32)
        assertTensor(
            matmul(Tensor([[1.0, 2.0, 3.0]]).expanded(to: [2, 3]), b34),
            [
                10.0, 13.0, 16.0, 19.0, 10.0, 13.0, 16.0, 19.0,
            ], shape: [2, 4], dtype: .float32)
        assertTensor(
            matmul(a23, Tensor([[1.0], [2.0], [3.0]]).expanded(to: [3, 4])),
            [
                -4.0, -4.0, -4.0, -4.0, 14.0, 14.0, 14.0, 14.0,
            ], shape: [2, 4], dtype: .float32)
        assertTensor(
            matmul(b3.matrixTransposed(), b3),
            [
                5.0, 5.75, 6.5, 7.25, 5.75, 6.6875, 7.625, 8.5625, 6.5, 7.625, 8.75, 9.875, 7.25,
                8.5625, 9.875, 11.1875, 50.0, 53.0, 56.0, 59.0, 53.0, 56.1875, 59.375, 62.5625,
                56.0, 59.375, 62.75, 66.125, 59.0, 62.5625, 66.125, 69.6875,
            ], shape: [2, 4, 4], dtype: .float32)
        assertTensor(
            matmul(c3.permuted(0, 2, 1), b3.permuted(0, 2, 1)),
            [
                2.5, -7.5, -17.5, 4.0, -2.0, -8.0, 5.5, 3.5, 1.5, 7.0, 9.0, 11.0, 8.5, 14.5,
                20.5, 242.5, 312.5, 382.5, 256.0, 330.0, 404.0, 269.5, 347.5, 425.5, 283.0,
                365.0, 447.0, 296.5, 382.5, 468.5,
            ], shape: [2, 5, 3], dtype: .float32)
        assertTensor(
            matmul(b3.permuted(1, 0, 2), c3[0]),
            [
                2.5, 4.0, 5.5, 7.0, 8.5, -27.5, -14.0, -0.5, 13.0, 26.5, -7.5, -2.0, 3.5, 9.0,
                14.5, -37.5, -20.0, -2.5, 15.0, 32.5, -17.5, -8.0, 1.5, 11.0, 20.5, -47.5, -26.0,
                -4.5, 17.0, 38.5,
            ], shape: [3, 2, 5], dtype: .float32)
        assertTensor(
            matmul(a23.expanded(to: [4, 2, 3]), b34),
            [
                1.0, -0.5, -2.0, -3.5, 10.0, 13.0, 16.0, 19.0, 1.0, -0.5, -2.0, -3.5, 10.0, 13.0,
                16.0, 19.0, 1.0, -0.5, -2.0, -3.5, 10.0, 13.0, 16.0, 19.0, 1.0, -0.5, -2.0, -3.5,
                10.0, 13.0, 16.0, 19.0,
            ], shape: [4, 2, 4], dtype: .float32)
        assertTensor(
            matmul(b3[TensorIndex.all, 1], c3),
            [
                -7.5, -2.0, 3.5, 9.0, 14.5, -37.5, -20.0, -2.5, 15.0, 32.5, 102.5, 108.0, 113.5,
                119.0, 124.5, 312.5, 330.0, 347.5, 365.0, 382.5,
            ], shape: [2, 2, 5], dtype: .float32)
        assertTensor(
            matmul(b3[TensorIndex.all, TensorIndex.all, 1], b34),
            [
                7.75, 9.625, 11.5, 13.375, 16.75, 23.125, 29.5, 35.875,
            ], shape: [2, 4], dtype: .float32)
        assertTensor(matmul(b34[1], b34.transposed()), [-0.5, 13.5, 27.5], shape: [3], dtype: .float32)
        assertTensor(
            matmul(b34.transposed(), b34[TensorIndex.all, 2]),
            [
                14.0, 17.0, 20.0, 23.0,
            ], shape: [4], dtype: .float32)
    }

    func testMatmulFloat64AndInt64() {
        let p = Tensor.arange(6, dtype: .float64).reshaped(to: [2, 3]) * 0.1 - 2
        let q = Tensor.arange(1, 7, dtype: .float64).reshaped(to: [3, 2]) * 0.3
        let i = Tensor([[1, -2, 3], [4, 5, -6]])
        let j = Tensor.arange(24).reshaped(to: [2, 3, 4]) - 7
        assertTensor(
            matmul(p, q),
            [
                -5.01, -6.719999999999999, -4.2, -5.64,
            ], shape: [2, 2], dtype: .float64, rtol: 1e-15)
        assertTensor(
            matmul(q.transposed(), p.transposed()),
            [
                -5.01, -4.2, -6.719999999999999, -5.64,
            ], shape: [2, 2], dtype: .float64, rtol: 1e-15)
        assertTensor(matmul(p[0], q), [-5.01, -6.719999999999999], shape: [2], dtype: .float64, rtol: 1e-15)
        assertInts(
            matmul(i, j),
            [
                2, 4, 6, 8, -49, -46, -43, -40, 26, 28, 30, 32, -13, -10, -7, -4,
            ], shape: [2, 2, 4])
        assertInts(matmul(i, i.transposed()), [14, -24, -24, 77], shape: [2, 2])
        assertInts(matmul(i[0], i[1]), [-24], shape: [])
        assertInts(matmul(j, Tensor([1, 0, -1, 2])), [-10, -2, 6, 14, 22, 30], shape: [2, 3])
        assertInts(matmul(Tensor([1, 2, 3]), j), [-10, -4, 2, 8, 62, 68, 74, 80], shape: [2, 4])
        assertInts(
            matmul(j.matrixTransposed(), i.transposed()),
            [
                2, -49, 4, -46, 6, -43, 8, -40, 26, -13, 28, -10, 30, -7, 32, -4,
            ], shape: [2, 4, 2])
        assertInts(matmul(Tensor([[1 << 32]]), Tensor([[1 << 31]])), [-9223372036854775808], shape: [1, 1])
    }

    func testMatmulEmpty() {
        assertTensor(
            matmul(Tensor.zeros([3, 0]), Tensor.zeros([0, 2])),
            [
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            ], shape: [3, 2], dtype: .float32)
        assertTensor(matmul(Tensor.zeros([0]), Tensor.zeros([0])), [0.0], shape: [], dtype: .float32)
        assertTensor(
            matmul(Tensor.zeros([2, 0, 3], dtype: .float64), Tensor.ones([3, 4], dtype: .float64)), [],
            shape: [2, 0, 4], dtype: .float64)
        assertTensor(matmul(Tensor.ones([2, 3]), Tensor.ones([3, 0])), [], shape: [2, 0], dtype: .float32)
        assertInts(
            matmul(Tensor.zeros([2, 3, 0], dtype: .int64), Tensor.zeros([0, 2], dtype: .int64)),
            [
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ], shape: [2, 3, 2])
        assertTensor(
            matmul(Tensor.zeros([0, 2, 3]), Tensor.ones([3, 2])), [], shape: [0, 2, 2], dtype: .float32)
    }

    /// The product of `a` [..., m, k] and `b` [..., k, n] (batch axes broadcast), by the definition.
    private func naiveMatmul(_ a: Tensor, _ b: Tensor) -> (values: [Double], shape: [Int]) {
        let (m, k, n) = (a.shape[a.rank - 2], a.shape[a.rank - 1], b.shape[b.rank - 1])
        let rank = Swift.max(a.rank, b.rank)
        let batchA = Array(repeating: 1, count: rank - a.rank) + a.shape.dropLast(2)
        let batchB = Array(repeating: 1, count: rank - b.rank) + b.shape.dropLast(2)
        let batch = zip(batchA, batchB).map { Swift.max($0, $1) }
        let (av, bv) = (a.doubles, b.doubles)
        var out: [Double] = []
        let batchCount = batch.reduce(1, *)
        for flat in 0..<batchCount {
            var rest = flat
            var ia = 0
            var ib = 0
            var strideA = 1
            var strideB = 1
            for d in stride(from: batch.count - 1, through: 0, by: -1) {
                let idx = rest % batch[d]
                rest /= batch[d]
                ia += (batchA[d] == 1 ? 0 : idx) * strideA
                ib += (batchB[d] == 1 ? 0 : idx) * strideB
                strideA *= batchA[d]
                strideB *= batchB[d]
            }
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for p in 0..<k { s += av[ia * m * k + i * k + p] * bv[ib * k * n + p * n + j] }
                    out.append(s)
                }
            }
        }
        return (out, batch + [m, n])
    }

    func testRandomOperandsAgainstTheDefinition() {
        let g = Generator(seed: 2024)
        let cases: [([Int], [Int])] = [
            ([5, 7], [7, 3]), ([4, 5, 7], [4, 7, 3]), ([2, 1, 5, 6], [3, 6, 4]), ([1, 3, 4], [2, 1, 4, 2]),
            ([3, 1, 1], [1, 1, 5]), ([33, 65], [65, 17]),
        ]
        for (sa, sb) in cases {
            for dtype in [DType.float32, .float64] {
                let a = Tensor.randn(sa, dtype: dtype, generator: g)
                let b = Tensor.randn(sb, dtype: dtype, generator: g)
                let expected = naiveMatmul(a, b)
                let tol = dtype == .float32 ? 1e-5 : 1e-12
                let r = matmul(a, b)
                XCTAssertEqual(r.dtype, dtype)
                XCTAssertTrue(r.isContiguous)
                let (values, shape) = expected
                assertClose(r, values, shape: shape, rtol: tol, atol: tol, "\(sa)·\(sb) \(dtype)")
                // The same product from transposed storage (GEMM's transpose flags).
                let at = a.matrixTransposed().contiguous().matrixTransposed()
                let bt = b.matrixTransposed().contiguous().matrixTransposed()
                assertClose(matmul(at, bt), values, shape: shape, rtol: tol, atol: tol, "transposed storage")
                assertClose(matmul(at, b), values, shape: shape, rtol: tol, atol: tol, "a transposed")
            }
        }
    }

    func testInt64MatchesFloat64OnSmallIntegers() {
        let g = Generator(seed: 5)
        let a = Tensor.randint(-50, 50, [3, 4, 6], generator: g)
        let b = Tensor.randint(-50, 50, [6, 5], generator: g)
        let exact = matmul(a.to(.float64), b.to(.float64))
        let r = matmul(a, b)
        XCTAssertEqual(r.dtype, .int64)
        XCTAssertEqual(r.doubles, exact.doubles)
        XCTAssertEqual(
            matmul(a.matrixTransposed(), a).doubles,
            matmul(a.to(.float64).matrixTransposed(), a.to(.float64)).doubles)
        let dot = (b[TensorIndex.all, 1] * b[TensorIndex.all, 2]).sum().item()
        XCTAssertEqual(matmul(b.transposed()[1], b.transposed()[2]).doubles, [dot])
    }
}
