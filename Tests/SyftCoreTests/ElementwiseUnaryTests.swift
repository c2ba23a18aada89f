import Foundation
import SyftCore
import XCTest
import _TestSupport

// Elementwise functions of one tensor, in float32, float64 and int64, against PyTorch 2.13
// (Scripts/gen_core_cases.py elementwise). Transcendental functions are compared within a few ulps
// (PyTorch uses vectorized SLEEF routines, Syft the C library).

final class ElementwiseUnaryTests: XCTestCase {
    func testUnaryFloat32() {
        let x = Tensor([-2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5])
        let p = Tensor([0.0, 0.25, 1.0, 2.0, 10.0])
        assertTensor(-x, [2.5, 1.0, 0.5, -0.0, -0.5, -1.0, -2.5], shape: [7], dtype: .float32)
        assertTensor(neg(x), [2.5, 1.0, 0.5, -0.0, -0.5, -1.0, -2.5], shape: [7], dtype: .float32)
        assertTensor(abs(x), [2.5, 1.0, 0.5, 0.0, 0.5, 1.0, 2.5], shape: [7], dtype: .float32)
        assertTensor(x.abs(), [2.5, 1.0, 0.5, 0.0, 0.5, 1.0, 2.5], shape: [7], dtype: .float32)
        assertTensor(relu(x), [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.5], shape: [7], dtype: .float32)
        assertTensor(
            exp(x),
            [
                0.08208499848842621, 0.3678794503211975, 0.6065306663513184, 1.0,
                1.6487212181091309, 2.7182817459106445, 12.182494163513184,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            log(p),
            [
                -.infinity, -1.3862943649291992, 0.0, 0.6931471824645996, 2.3025851249694824,
            ], shape: [5], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            log(x),
            [
                .nan, .nan, .nan, -.infinity, -0.6931471824645996, 0.0, 0.9162907600402832,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            sqrt(p),
            [
                0.0, 0.5, 1.0, 1.4142135381698608, 3.1622776985168457,
            ], shape: [5], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            sqrt(x),
            [
                .nan, .nan, .nan, 0.0, 0.7071067690849304, 1.0, 1.5811388492584229,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            sin(x),
            [
                -0.5984721183776855, -0.8414709568023682, -0.4794255495071411, 0.0,
                0.4794255495071411, 0.8414709568023682, 0.5984721183776855,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            cos(x),
            [
                -0.8011435866355896, 0.5403023362159729, 0.8775825500488281, 1.0,
                0.8775825500488281, 0.5403023362159729, -0.8011435866355896,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            tanh(x),
            [
                -0.9866142868995667, -0.7615941762924194, -0.46211716532707214, 0.0,
                0.46211716532707214, 0.7615941762924194, 0.9866142868995667,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            sigmoid(x),
            [
                0.07585817575454712, 0.2689414322376251, 0.3775406777858734, 0.5,
                0.622459352016449, 0.7310585975646973, 0.9241418242454529,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            x.exp().log(),
            [
                -2.5, -1.0, -0.5, 0.0, 0.4999999701976776, 1.0, 2.5,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            clamp(x, min: -1, max: 1),
            [
                -1.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.0,
            ], shape: [7], dtype: .float32)
        assertTensor(
            x.clamp(min: 0.25), [0.25, 0.25, 0.25, 0.25, 0.5, 1.0, 2.5], shape: [7], dtype: .float32)
        assertTensor(
            x.clamp(max: -0.75),
            [
                -2.5, -1.0, -0.75, -0.75, -0.75, -0.75, -0.75,
            ], shape: [7], dtype: .float32)
        assertTensor(
            x.clamp(min: 1, max: -1),
            [
                -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0,
            ], shape: [7], dtype: .float32)
    }

    func testUnaryFloat64() {
        let x = Tensor([-2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5], dtype: .float64)
        let p = Tensor([0.0, 0.25, 1.0, 2.0, 10.0], dtype: .float64)
        assertTensor(-x, [2.5, 1.0, 0.5, -0.0, -0.5, -1.0, -2.5], shape: [7], dtype: .float64)
        assertTensor(neg(x), [2.5, 1.0, 0.5, -0.0, -0.5, -1.0, -2.5], shape: [7], dtype: .float64)
        assertTensor(abs(x), [2.5, 1.0, 0.5, 0.0, 0.5, 1.0, 2.5], shape: [7], dtype: .float64)
        assertTensor(x.abs(), [2.5, 1.0, 0.5, 0.0, 0.5, 1.0, 2.5], shape: [7], dtype: .float64)
        assertTensor(relu(x), [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.5], shape: [7], dtype: .float64)
        assertTensor(
            exp(x),
            [
                0.0820849986238988, 0.36787944117144233, 0.6065306597126334, 1.0,
                1.6487212707001282, 2.718281828459045, 12.182493960703473,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            log(p),
            [
                -.infinity, -1.3862943611198906, 0.0, 0.6931471805599453, 2.302585092994046,
            ], shape: [5], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            log(x),
            [
                .nan, .nan, .nan, -.infinity, -0.6931471805599453, 0.0, 0.9162907318741551,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            sqrt(p),
            [
                0.0, 0.5, 1.0, 1.4142135623730951, 3.1622776601683795,
            ], shape: [5], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            sqrt(x),
            [
                .nan, .nan, .nan, 0.0, 0.7071067811865476, 1.0, 1.5811388300841898,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            sin(x),
            [
                -0.5984721441039565, -0.8414709848078965, -0.479425538604203, 0.0,
                0.479425538604203, 0.8414709848078965, 0.5984721441039565,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            cos(x),
            [
                -0.8011436155469337, 0.5403023058681398, 0.8775825618903728, 1.0,
                0.8775825618903728, 0.5403023058681398, -0.8011436155469337,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            tanh(x),
            [
                -0.9866142981514303, -0.7615941559557649, -0.46211715726000974, 0.0,
                0.46211715726000974, 0.7615941559557649, 0.9866142981514303,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            sigmoid(x),
            [
                0.07585818002124355, 0.2689414213699951, 0.3775406687981454, 0.5,
                0.6224593312018546, 0.7310585786300049, 0.9241418199787566,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            x.exp().log(),
            [
                -2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            clamp(x, min: -1, max: 1),
            [
                -1.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.0,
            ], shape: [7], dtype: .float64)
        assertTensor(
            x.clamp(min: 0.25), [0.25, 0.25, 0.25, 0.25, 0.5, 1.0, 2.5], shape: [7], dtype: .float64)
        assertTensor(
            x.clamp(max: -0.75),
            [
                -2.5, -1.0, -0.75, -0.75, -0.75, -0.75, -0.75,
            ], shape: [7], dtype: .float64)
        assertTensor(
            x.clamp(min: 1, max: -1),
            [
                -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0,
            ], shape: [7], dtype: .float64)
    }

    func testUnarySpecialValues() {
        let s = Tensor([.nan, .infinity, -.infinity, -0.0, 100.0, -100.0, -88.0])
        let s64 = Tensor([.nan, .infinity, -.infinity, -0.0, 100.0, -100.0, -88.0], dtype: .float64)
        assertTensor(relu(s), [.nan, .infinity, 0.0, -0.0, 100.0, 0.0, 0.0], shape: [7], dtype: .float32)
        assertTensor(
            abs(s),
            [
                .nan, .infinity, .infinity, 0.0, 100.0, 100.0, 88.0,
            ], shape: [7], dtype: .float32)
        assertTensor(
            clamp(s, min: -1, max: 1),
            [
                .nan, 1.0, -1.0, -0.0, 1.0, -1.0, -1.0,
            ], shape: [7], dtype: .float32)
        assertTensor(
            clamp(s, min: 1, max: -1),
            [
                .nan, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0,
            ], shape: [7], dtype: .float32)
        assertTensor(
            exp(s),
            [
                .nan, .infinity, 0.0, 1.0, .infinity, 3.783505853677006e-44,
                6.054601485195952e-39,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            tanh(s),
            [
                .nan, 1.0, -1.0, -0.0, 1.0, -1.0, -1.0,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            sigmoid(s),
            [
                .nan, 1.0, 0.0, 0.5, 1.0, 0.0, 6.054601485195952e-39,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            sqrt(s),
            [
                .nan, .infinity, .nan, -0.0, 10.0, .nan, .nan,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(
            log(s),
            [
                .nan, .infinity, .nan, -.infinity, 4.605170249938965, .nan, .nan,
            ], shape: [7], dtype: .float32, rtol: 1e-06, atol: 1e-07)
        assertTensor(relu(s64), [.nan, .infinity, 0.0, -0.0, 100.0, 0.0, 0.0], shape: [7], dtype: .float64)
        assertTensor(
            abs(s64),
            [
                .nan, .infinity, .infinity, 0.0, 100.0, 100.0, 88.0,
            ], shape: [7], dtype: .float64)
        assertTensor(
            clamp(s64, min: -1, max: 1),
            [
                .nan, 1.0, -1.0, -0.0, 1.0, -1.0, -1.0,
            ], shape: [7], dtype: .float64)
        assertTensor(
            clamp(s64, min: 1, max: -1),
            [
                .nan, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0,
            ], shape: [7], dtype: .float64)
        assertTensor(
            exp(s64),
            [
                .nan, .infinity, 0.0, 1.0, 2.6881171418161356e+43, 3.720075976020836e-44,
                6.054601895401186e-39,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            tanh(s64),
            [
                .nan, 1.0, -1.0, -0.0, 1.0, -1.0, -1.0,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            sigmoid(s64),
            [
                .nan, 1.0, 0.0, 0.5, 1.0, 3.7200759760208356e-44, 6.054601895401186e-39,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            sqrt(s64),
            [
                .nan, .infinity, .nan, -0.0, 10.0, .nan, .nan,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
        assertTensor(
            log(s64),
            [
                .nan, .infinity, .nan, -.infinity, 4.605170185988092, .nan, .nan,
            ], shape: [7], dtype: .float64, rtol: 1e-13, atol: 1e-15)
    }

    func testUnaryInt64() {
        let i = Tensor([-3, -1, 0, 2, 5])
        assertInts(-i, [3, 1, 0, -2, -5], shape: [5])
        assertInts(abs(i), [3, 1, 0, 2, 5], shape: [5])
        assertInts(relu(i), [0, 0, 0, 2, 5], shape: [5])
        assertInts(clamp(i, min: -1, max: 2), [-1, -1, 0, 2, 2], shape: [5])
        assertInts(clamp(i, min: 2, max: -1), [-1, -1, -1, -1, -1], shape: [5])
        assertInts(
            -Tensor([Int64.min, Int64.max]), [-9223372036854775808, -9223372036854775807], shape: [2])
        assertInts(abs(Tensor([Int64.min])), [-9223372036854775808], shape: [1])
    }

    func testSignOfZero() {
        // PyTorch: -tensor([0., 1.]) is tensor([-0., -1.]); abs(tensor([-0.])) is tensor([0.]).
        for dtype in [DType.float32, .float64] {
            let z = Tensor([0.0, -0.0, 1.0], dtype: dtype)
            assertSigns(-z, negative: [true, false, true])
            assertSigns(neg(z), negative: [true, false, true])
            assertSigns(abs(z), negative: [false, false, false])
            assertSigns(z.transposed().abs(), negative: [false, false, false])
            assertSigns(relu(z), negative: [false, true, false])
        }
        XCTAssertEqual((-Tensor([0.0, 1.5])).description, "tensor([-0.0000, -1.5000])")
        XCTAssertEqual(abs(Tensor([-0.0, -2.0])).description, "tensor([0., 2.])")
    }

    func testFreeFunctionsAndMethodsAgree() {
        let x = Tensor([[0.5, -1.5], [2.0, 3.5]], dtype: .float64)
        let pairs: [(Tensor, Tensor)] = [
            (exp(x), x.exp()), (log(abs(x)), x.abs().log()), (sqrt(abs(x)), x.abs().sqrt()),
            (sin(x), x.sin()), (cos(x), x.cos()), (tanh(x), x.tanh()), (sigmoid(x), x.sigmoid()),
            (relu(x), x.relu()),
            (clamp(x, min: 0, max: 2), x.clamp(min: 0, max: 2)), (neg(x), -x), (pow(x, 2), x.pow(2)),
        ]
        for (i, (a, b)) in pairs.enumerated() {
            XCTAssertTrue(a.isEqual(to: b), "pair \(i)")
        }
    }

    func testLargeTensorsSplitAcrossThreads() {
        // 393·500 elements: enough for the kernels to split the work into two chunks, whose boundary
        // (element 98304) falls inside a row of the transposed and strided views below.
        let n = 393 * 500
        let x = Tensor.arange(n, dtype: .float64).reshaped(to: [393, 500]) / Double(n)
        let t = x.transposed()
        let e = exp(t)
        XCTAssertEqual(e.shape, [500, 393])
        for (r, c) in [(0, 0), (499, 392), (100, 200), (250, 53), (250, 54), (257, 1), (3, 170)] {
            XCTAssertEqual(e[r, c].item(), Foundation.exp(Double(c * 500 + r) / Double(n)), accuracy: 1e-12)
        }
        let neg = -t
        XCTAssertEqual(neg.sum().item(), -x.sum().item(), accuracy: 1e-6)
        XCTAssertEqual(neg[499, 392].item(), -Double(392 * 500 + 499) / Double(n))
        XCTAssertEqual(neg[250, 54].item(), -Double(54 * 500 + 250) / Double(n))
        let s = sin(x.to(.float32)[TensorIndex.all, stride(from: 0, to: 500, by: 2)])
        XCTAssertEqual(s.shape, [393, 250])
        for (r, c) in [(392, 249), (196, 152), (0, 1)] {
            let v = Double(Float(Double(r * 500 + 2 * c) / Double(n)))
            XCTAssertEqual(s[r, c].item(), Foundation.sin(v), accuracy: 1e-6)
        }
        let copy = t.contiguous()
        XCTAssertEqual(copy[250, 54].item(), Double(54 * 500 + 250) / Double(n))
        XCTAssertEqual(copy[499, 392].item(), Double(392 * 500 + 499) / Double(n))
        let c = x.clamp(min: 0.25, max: 0.5)
        XCTAssertEqual(c.min().item(), 0.25)
        XCTAssertEqual(c.max().item(), 0.5)
        XCTAssertEqual(c[100, 0].item(), Double(100 * 500) / Double(n))
    }
}
