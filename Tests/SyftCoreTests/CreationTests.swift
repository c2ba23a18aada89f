import SyftCore
import XCTest
import _TestSupport

// Creating tensors: literals, shapes and dtypes, the factories, and random numbers. Expected values of
// linspace, arange and conversions come from PyTorch 2.13 (Scripts/gen_core_cases.py creation).

final class CreationTests: XCTestCase {
    func testLiterals() {
        assertInts(Tensor([1, 2, 3]), [1, 2, 3], shape: [3])
        assertTensor(Tensor([1.0, 2.5]), [1.0, 2.5], shape: [2], dtype: .float32)
        assertInts(Tensor([[1, 2], [3, 4], [5, 6]]), [1, 2, 3, 4, 5, 6], shape: [3, 2])
        assertTensor(Tensor([[[1.5], [2.5]]]), [1.5, 2.5], shape: [1, 2, 1], dtype: .float32)
        assertBools(Tensor([true, false]), [true, false], shape: [2])
        assertTensor(Tensor(3.5, dtype: .float64), [3.5], shape: [], dtype: .float64)
        assertInts(Tensor(7), [7], shape: [])
        assertInts(Tensor(Int64(-9)), [-9], shape: [])
        assertInts(Tensor([Int32(4), -5]), [4, -5], shape: [2])
        assertTensor(Tensor([Float(0.1)]), [Double(Float(0.1))], shape: [1], dtype: .float32)
        assertTensor(Tensor([0.1]), [Double(Float(0.1))], shape: [1], dtype: .float32)
        assertTensor(Tensor([0.1], dtype: .float64), [0.1], shape: [1], dtype: .float64)
        assertTensor(Tensor([1, 2], dtype: .float64), [1, 2], shape: [2], dtype: .float64)
        assertInts(
            Tensor([Int64.max, Int64.min, 9_007_199_254_740_993]),
            [Int.max, Int.min, 9_007_199_254_740_993], shape: [3])
        assertInts(Tensor([Int]()), [], shape: [0])
        assertTensor(Tensor([Double]()), [], shape: [0], dtype: .float32)
        XCTAssertEqual(Tensor([[Int]]()).shape, [0])
        assertInts(Tensor([[Int]]([[], [], []])), [], shape: [3, 0])
        assertTensor(
            Tensor([[[1.0], [2.0]], [[3.0], [4.0]]]), [1, 2, 3, 4], shape: [2, 2, 1], dtype: .float32)
        // (Ragged input such as [[1], [2, 3], []] stops the program, as PyTorch raises: "expected a sequence
        // of length 1 at dim 1 (got 2)"; it used to pass the element-count check and give [[1], [2], [3]].)
        XCTAssertEqual(Tensor([Double]()).description, "tensor([])")
        XCTAssertEqual(Tensor([Int]()).description, "tensor([], dtype=torch.int64)")
    }

    func testShapeAndScalars() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        assertInts(t, [1, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(t.rank, 2)
        XCTAssertEqual(t.count, 6)
        XCTAssertTrue(t.isContiguous)
        assertTensor(
            Tensor(shape: [3, 1], scalars: [0.5, 1.5, 2.5]), [0.5, 1.5, 2.5], shape: [3, 1], dtype: .float32)
        assertTensor(
            Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], dtype: .float64), [1, 2, 3, 4], shape: [2, 2],
            dtype: .float64)
        assertInts(Tensor(shape: [2], scalars: [1.9, -1.9], dtype: .int64), [1, -1], shape: [2])
        assertBools(Tensor(shape: [1, 2], scalars: [true, false]), [true, false], shape: [1, 2])
        assertTensor(Tensor(shape: [], scalars: [4.25]), [4.25], shape: [], dtype: .float32)
        assertTensor(Tensor(shape: [2, 0, 3], scalars: [Double]()), [], shape: [2, 0, 3], dtype: .float32)
        let g = Tensor(shape: [2], scalars: [1.0, 2.0], requiresGrad: true)
        XCTAssertEqual(g.description, "tensor([1., 2.], requires_grad=True)")
    }

    func testFactories() {
        assertTensor(Tensor.zeros([2, 3]), [0, 0, 0, 0, 0, 0], shape: [2, 3], dtype: .float32)
        assertInts(Tensor.zeros([2], dtype: .int64), [0, 0], shape: [2])
        assertBools(Tensor.zeros([2], dtype: .bool), [false, false], shape: [2])
        assertTensor(Tensor.ones([3]), [1, 1, 1], shape: [3], dtype: .float32)
        assertTensor(Tensor.ones([1, 2], dtype: .float64), [1, 1], shape: [1, 2], dtype: .float64)
        assertBools(Tensor.ones([2], dtype: .bool), [true, true], shape: [2])
        assertTensor(Tensor.full([2, 2], 7), [7, 7, 7, 7], shape: [2, 2], dtype: .float32)
        assertTensor(Tensor.full([2], 0.1, dtype: .float64), [0.1, 0.1], shape: [2], dtype: .float64)
        assertTensor(Tensor.full([], -2.5), [-2.5], shape: [], dtype: .float32)
        assertBools(Tensor.full([2], 0.5, dtype: .bool), [true, true], shape: [2])
        assertTensor(Tensor.zeros([0, 4]), [], shape: [0, 4], dtype: .float32)
        assertTensor(Tensor.zeros([]), [0], shape: [], dtype: .float32)
        let like = Tensor([[1, 2, 3]])
        assertInts(Tensor.zeros(like: like), [0, 0, 0], shape: [1, 3])
        assertInts(Tensor.ones(like: like), [1, 1, 1], shape: [1, 3])
        assertTensor(Tensor.eye(3), [1, 0, 0, 0, 1, 0, 0, 0, 1], shape: [3, 3], dtype: .float32)
        assertTensor(Tensor.eye(2, 3), [1, 0, 0, 0, 1, 0], shape: [2, 3], dtype: .float32)
        assertInts(Tensor.eye(3, 2, dtype: .int64), [1, 0, 0, 1, 0, 0], shape: [3, 2])
        assertTensor(Tensor.eye(0), [], shape: [0, 0], dtype: .float32)
        // The free functions forward to the same factories.
        assertTensor(zeros([2]), [0, 0], shape: [2], dtype: .float32)
        assertTensor(ones([2], dtype: .float64), [1, 1], shape: [2], dtype: .float64)
        assertInts(full([2], 3, dtype: .int64), [3, 3], shape: [2])
        assertBools(eye(2, dtype: .bool), [true, false, false, true], shape: [2, 2])
    }

    // MARK: - Ranges and conversions (PyTorch values)

    func testLinspace() {
        assertTensor(Tensor.linspace(0, 1, 5), [0.0, 0.25, 0.5, 0.75, 1.0], shape: [5], dtype: .float32)
        assertTensor(
            Tensor.linspace(-1, 1, 7),
            [
                -1.0, -0.6666666269302368, -0.3333333134651184, -2.9802322387695312e-08,
                0.3333333134651184, 0.6666666269302368, 1.0,
            ], shape: [7], dtype: .float32)
        assertTensor(
            Tensor.linspace(-1, 1, 7, dtype: .float64),
            [
                -1.0, -0.6666666666666667, -0.33333333333333337, 5.551115123125783e-17,
                0.33333333333333337, 0.6666666666666667, 1.0,
            ], shape: [7], dtype: .float64)
        assertTensor(
            Tensor.linspace(0, 1, 6),
            [
                0.0, 0.20000000298023224, 0.4000000059604645, 0.6000000238418579,
                0.800000011920929, 1.0,
            ], shape: [6], dtype: .float32)
        assertTensor(
            Tensor.linspace(0.1, 0.7, 7),
            [
                0.10000000149011612, 0.19999998807907104, 0.29999998211860657,
                0.4000000059604645, 0.5, 0.6000000238418579, 0.699999988079071,
            ], shape: [7], dtype: .float32)
        assertTensor(
            Tensor.linspace(3, -2, 4),
            [
                3.0, 1.3333333730697632, -0.3333333730697632, -2.0,
            ], shape: [4], dtype: .float32)
        assertTensor(Tensor.linspace(2, 5, 1), [2.0], shape: [1], dtype: .float32)
        assertTensor(Tensor.linspace(2, 5, 0), [], shape: [0], dtype: .float32)
        assertInts(Tensor.linspace(0, 10, 4, dtype: .int64), [0, 3, 6, 10], shape: [4])
        assertInts(Tensor.linspace(10, 0, 4, dtype: .int64), [10, 6, 3, 0], shape: [4])
        assertTensor(linspace(-5, 5, 3), [-5.0, 0.0, 5.0], shape: [3], dtype: .float32)
    }

    func testArange() {
        assertInts(Tensor.arange(5), [0, 1, 2, 3, 4], shape: [5])
        assertInts(Tensor.arange(1, 10, 3), [1, 4, 7], shape: [3])
        assertInts(Tensor.arange(10, 0, -3), [10, 7, 4, 1], shape: [4])
        assertInts(Tensor.arange(-2, 3), [-2, -1, 0, 1, 2], shape: [5])
        assertInts(Tensor.arange(5, 5), [], shape: [0])
        assertTensor(Tensor.arange(4, dtype: .float64), [0.0, 1.0, 2.0, 3.0], shape: [4], dtype: .float64)
        assertTensor(
            Tensor.arange(0.0, 1.0, 0.1),
            [
                0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896,
                0.4000000059604645, 0.5, 0.6000000238418579, 0.699999988079071,
                0.800000011920929, 0.8999999761581421,
            ], shape: [10], dtype: .float32)
        assertTensor(
            Tensor.arange(0.0, 1.0, 0.1, dtype: .float64),
            [
                0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001,
                0.7000000000000001, 0.8, 0.9,
            ], shape: [10], dtype: .float64)
        assertTensor(Tensor.arange(1.0, 2.5, 0.5), [1.0, 1.5, 2.0], shape: [3], dtype: .float32)
        assertTensor(
            Tensor.arange(0.0, 1.0, 0.3),
            [
                0.0, 0.30000001192092896, 0.6000000238418579, 0.8999999761581421,
            ], shape: [4], dtype: .float32)
        assertTensor(Tensor.arange(1.0, -1.0, -0.5), [1.0, 0.5, 0.0, -0.5], shape: [4], dtype: .float32)
        assertTensor(
            Tensor.arange(0.1, 0.65, 0.1, dtype: .float64),
            [
                0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001,
            ], shape: [6], dtype: .float64)
        assertTensor(
            Tensor.arange(0.2, 1.3, 0.2, dtype: .float64),
            [
                0.2, 0.4, 0.6000000000000001, 0.8, 1.0, 1.2000000000000002,
            ], shape: [6], dtype: .float64)
        assertTensor(
            Tensor.arange(-0.7, 1.0, 0.3, dtype: .float64),
            [
                -0.7, -0.39999999999999997, -0.09999999999999998, 0.2, 0.5, 0.8,
            ], shape: [6], dtype: .float64)
        assertTensor(
            Tensor.arange(0.35, 2.0, 0.15),
            [
                0.3499999940395355, 0.5, 0.6499999761581421, 0.800000011920929,
                0.949999988079071, 1.100000023841858, 1.25, 1.399999976158142,
                1.5499999523162842, 1.7000000476837158, 1.850000023841858,
            ], shape: [11], dtype: .float32)
        assertInts(arange(3), [0, 1, 2], shape: [3])
        assertTensor(arange(0.5, 2.0), [0.5, 1.5], shape: [2], dtype: .float32)
    }

    func testConversionsOnCreation() {
        assertInts(Tensor([-1.7, 2.9, -0.2], dtype: .int64), [-1, 2, 0], shape: [3])
        assertBools(Tensor([0.0, 0.5, -2.0], dtype: .bool), [false, true, true], shape: [3])
        assertTensor(Tensor([true, false], dtype: .float32), [1.0, 0.0], shape: [2], dtype: .float32)
        assertBools(Tensor([3, 0, -2], dtype: .bool), [true, false, true], shape: [3])
        assertTensor(
            Tensor([0.1, 1e-40], dtype: .float32),
            [
                0.10000000149011612, 9.99994610111476e-41,
            ], shape: [2], dtype: .float32)
        assertInts(Tensor.full([2], 7.9, dtype: .int64), [7, 7], shape: [2])
    }

    // MARK: - Random numbers

    func testRandomStreamsAreReproducible() {
        let a = Tensor.rand([3, 4], generator: Generator(seed: 42))
        XCTAssertEqual(a.shape, [3, 4])
        XCTAssertEqual(a.dtype, .float32)
        XCTAssertEqual(a.floats, Tensor.rand([3, 4], generator: Generator(seed: 42)).floats)
        XCTAssertNotEqual(a.floats, Tensor.rand([3, 4], generator: Generator(seed: 43)).floats)
        XCTAssertEqual(
            Tensor.randn([7], dtype: .float64, generator: Generator(seed: 1)).doubles,
            randn([7], dtype: .float64, generator: Generator(seed: 1)).doubles)
        XCTAssertEqual(
            Tensor.randint(0, 100, [9], generator: Generator(seed: 5)).ints,
            randint(0, 100, [9], generator: Generator(seed: 5)).ints)

        // A generator continues its stream: two draws of 6 are one draw of 12; reseeding restarts it.
        let g = Generator(seed: 7)
        let first = Tensor.rand([6], dtype: .float64, generator: g)
        let second = Tensor.rand([6], dtype: .float64, generator: g)
        let whole = rand([12], dtype: .float64, generator: Generator(seed: 7))
        XCTAssertEqual(first.doubles + second.doubles, whole.doubles)
        XCTAssertNotEqual(first.doubles, second.doubles)
        g.reseed(7)
        XCTAssertEqual(Tensor.rand([6], dtype: .float64, generator: g).doubles, first.doubles)

        // The default generator, reseeded with manualSeed (torch.manual_seed).
        manualSeed(3)
        let d1 = (Tensor.rand([5]), Tensor.randn([5]), Tensor.randint(-5, 5, [5]))
        manualSeed(3)
        let d2 = (rand([5]), randn([5]), randint(-5, 5, [5]))
        XCTAssertEqual(d1.0.floats, d2.0.floats)
        XCTAssertEqual(d1.1.floats, d2.1.floats)
        XCTAssertEqual(d1.2.ints, d2.2.ints)
    }

    func testRandomFloat32AndFloat64MatchInDistribution() {
        // float32 draws are the float64 draws rounded: the same stream, not a different one.
        let f = Tensor.rand([100], generator: Generator(seed: 11)).doubles
        let d = Tensor.rand([100], dtype: .float64, generator: Generator(seed: 11)).doubles
        for (x, y) in zip(f, d) { XCTAssertEqual(x, y, accuracy: 1e-7) }
        // randn of an odd count: every value is drawn (the last pair is cut, not left unset).
        let odd = Tensor.randn([5], dtype: .float64, generator: Generator(seed: 2)).doubles
        let even = Tensor.randn([6], dtype: .float64, generator: Generator(seed: 2)).doubles
        XCTAssertEqual(odd, Array(even.prefix(5)))
    }

    func testRandUniformStatistics() {
        for dtype in [DType.float32, .float64] {
            let x = Tensor.rand([20_000], dtype: dtype, generator: Generator(seed: 12345))
            XCTAssertEqual(x.dtype, dtype)
            let v = x.doubles
            XCTAssertTrue(v.allSatisfy { $0 >= 0 && $0 < 1 }, "rand values in [0, 1)")
            XCTAssertEqual(x.mean().item(), 0.5, accuracy: 0.01)
            XCTAssertEqual(x.variance().item(), 1.0 / 12, accuracy: 0.003)
            XCTAssertEqual(Double(v.filter { $0 < 0.25 }.count) / 20_000, 0.25, accuracy: 0.015)
        }
        XCTAssertEqual(Tensor.rand([0, 3]).shape, [0, 3])
        XCTAssertEqual(Tensor.rand([]).shape, [])
    }

    func testRandnNormalStatistics() {
        for dtype in [DType.float32, .float64] {
            let x = Tensor.randn([20_001], dtype: dtype, generator: Generator(seed: 99))
            XCTAssertEqual(x.dtype, dtype)
            XCTAssertEqual(x.shape, [20_001])
            XCTAssertEqual(x.mean().item(), 0, accuracy: 0.035)
            XCTAssertEqual(x.std().item(), 1, accuracy: 0.03)
            let v = x.doubles
            XCTAssertTrue(v.allSatisfy { $0.isFinite })
            XCTAssertEqual(Double(v.filter { Swift.abs($0) < 1 }.count) / 20_001, 0.6827, accuracy: 0.017)
            XCTAssertEqual(Double(v.filter { $0 > 0 }.count) / 20_001, 0.5, accuracy: 0.017)
        }
    }

    func testRandintRangeAndStatistics() {
        let x = Tensor.randint(-3, 4, [20_000], generator: Generator(seed: 8))
        XCTAssertEqual(x.dtype, .int64)
        let v = x.ints
        XCTAssertEqual(v.min(), -3)
        XCTAssertEqual(v.max(), 3)
        for k in -3...3 {
            let frequency = Double(v.filter { $0 == k }.count) / 20_000
            XCTAssertEqual(frequency, 1.0 / 7, accuracy: 0.012, "value \(k)")
        }
        assertInts(Tensor.randint(5, 6, [4]), [5, 5, 5, 5], shape: [4])
        let f = Tensor.randint(0, 10, [2, 50], dtype: .float32, generator: Generator(seed: 1))
        XCTAssertEqual(f.dtype, .float32)
        XCTAssertEqual(f.shape, [2, 50])
        XCTAssertTrue(f.doubles.allSatisfy { $0 >= 0 && $0 < 10 && $0 == $0.rounded() })
        let wide = Tensor.randint(-(1 << 62), 1 << 62, [1000], generator: Generator(seed: 4)).ints
        XCTAssertTrue(wide.allSatisfy { $0 >= -(1 << 62) && $0 < 1 << 62 })
        XCTAssertTrue(wide.contains { $0 < -(1 << 61) } && wide.contains { $0 > 1 << 61 })
    }
}
