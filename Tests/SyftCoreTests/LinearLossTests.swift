import XCTest
import _TestSupport

@testable import SyftCore

// The two primitives a classifier's step is made of besides matmul: `linear` (x·Wᵀ + b in one GEMM) and
// `nllLoss`. Expected values are PyTorch 2.13's (torch.nn.functional.linear and nll_loss, with their
// gradients); the other cases compare with the composition each primitive replaces.

extension Tensor {
    fileprivate func requiringGrad() -> Tensor {
        var t = self
        t.requiresGrad = true
        return t
    }

    /// The name printed as `grad_fn=<...>`.
    fileprivate var gradFunctionName: String? { autograd?.gradFn?.op.backwardName }
}

final class LinearLossTests: XCTestCase {
    /// A tensor of `shape` holding `f(i)` at flat index i.
    private func filled(_ shape: [Int], _ dtype: DType = .float32, _ f: (Double) -> Double) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shapeCount(shape)).map { f(Double($0)) }, dtype: dtype)
    }

    func testLinearMatchesPyTorchWithGradients() throws {
        let x = filled([2, 3, 4]) { $0 / 10 - 1 }.requiringGrad()
        let w = filled([5, 4]) { $0 / 7 - 1.3 }.requiringGrad()
        let b = Tensor([0.1, -0.2, 0.3, -0.4, 0.5], requiresGrad: true)
        let out = linear(x, weight: w, bias: b)
        XCTAssertEqual(out.gradFunctionName, "AddmmBackward0")
        assertClose(
            out,
            [
                3.862856864929199, 1.619999647140503, 0.1771426498889923, -2.465714454650879,
                -3.508571147918701,
                2.125714063644409, 0.797142744064331, 0.26857131719589233, -1.4600000381469727,
                -1.588571548461914,
                0.3885713815689087, -0.02571430802345276, 0.35999998450279236, -0.45428574085235596,
                0.33142852783203125, -1.3485713005065918, -0.8485713601112366, 0.4514286518096924,
                0.5514285564422607, 2.2514286041259766, -3.085714340209961, -1.6714284420013428,
                0.54285728931427,
                1.5571428537368774, 4.171428680419922, -4.822856903076172, -2.4942853450775146,
                0.6342859268188477,
                2.562857151031494, 6.091428756713867,
            ], shape: [2, 3, 5], rtol: 1e-5, atol: 1e-6)
        try (out * filled([2, 3, 5]) { $0 / 10 }).sum().backward()
        assertClose(
            x.grad!,
            [
                0.414285808801651, 0.5571429133415222, 0.7000000476837158, 0.8428571820259094,
                0.02142888307571411,
                0.521428644657135, 1.0214287042617798, 1.5214285850524902, -0.3714280128479004,
                0.48571455478668213,
                1.3428573608398438, 2.200000047683716, -0.7642849683761597, 0.4500004053115845,
                1.6642860174179077,
                2.8785715103149414, -1.1571416854858398, 0.41428637504577637, 1.9857151508331299,
                3.557143211364746,
                -1.5499982833862305, 0.3785722255706787, 2.3071441650390625, 4.235714912414551,
            ], shape: [2, 3, 4], rtol: 1e-5, atol: 1e-5)
        assertClose(
            w.grad!,
            [
                3.5, 4.25, 5.0, 5.75, 3.5, 4.309999465942383, 5.119999885559082, 5.929999351501465,
                3.500000238418579,
                4.369999885559082, 5.240000247955322, 6.109999656677246, 3.5, 4.429999351501465,
                5.359999656677246,
                6.289999961853027, 3.500000238418579, 4.489999771118164, 5.4800004959106445,
                6.470000267028809,
            ], shape: [5, 4], rtol: 1e-5, atol: 1e-5)
        assertClose(b.grad!, [7.5, 8.1, 8.7, 9.3, 9.9], shape: [5], rtol: 1e-5)
    }

    /// Layouts GEMM reads in place or needs copied (a transposed input, a transposed weight, a 1-D input),
    /// float64, no bias, and the empty cases, against `matmul` + `+`, gradients included.
    func testLinearAgreesWithItsComposition() throws {
        let g = Generator(seed: 5)
        let cases: [(x: Tensor, w: Tensor, b: Tensor?)] = [
            (
                Tensor.randn([6, 3], generator: g), Tensor.randn([4, 3], generator: g),
                Tensor.randn([4], generator: g)
            ),
            (
                Tensor.randn([3, 6], generator: g).transposed(),
                Tensor.randn([3, 4], generator: g).transposed(), nil
            ),
            (
                Tensor.randn([3], generator: g), Tensor.randn([2, 3], generator: g),
                Tensor.randn([2], generator: g)
            ),
            (
                Tensor.randn([2, 2, 5], dtype: .float64, generator: g),
                Tensor.randn([3, 5], dtype: .float64, generator: g),
                Tensor.randn([3], dtype: .float64, generator: g)
            ),
            (
                Tensor.randn([4, 3], generator: g)[0..., stride(from: 0, to: 3, by: 2)],
                Tensor.randn([3, 2], generator: g), nil
            ),
            (Tensor.zeros([0, 3]), Tensor.randn([2, 3], generator: g), Tensor.randn([2], generator: g)),
            (Tensor.zeros([4, 0]), Tensor.zeros([2, 0]), Tensor([1.5, -2])),
        ]
        for (i, c) in cases.enumerated() {
            let (x, w) = (c.x.detached().requiringGrad(), c.w.detached().requiringGrad())
            let b = c.b?.detached().requiringGrad()
            let (x2, w2) = (c.x.detached().requiringGrad(), c.w.detached().requiringGrad())
            let b2 = c.b?.detached().requiringGrad()
            let fused = linear(x, weight: w, bias: b)
            var composed = matmul(x2, w2.transposed())
            if let b2 { composed = composed + b2 }
            assertClose(fused, composed, rtol: 1e-6, atol: 1e-6, "case \(i) forward")
            let weights = Tensor.randn(fused.shape, dtype: fused.dtype, generator: g)
            try (fused * weights).sum().backward()
            try (composed * weights).sum().backward()
            assertClose(x.grad!, x2.grad!, rtol: 1e-6, atol: 1e-6, "case \(i) input gradient")
            assertClose(w.grad!, w2.grad!, rtol: 1e-6, atol: 1e-6, "case \(i) weight gradient")
            if let b, let b2 {
                assertClose(b.grad!, b2.grad!, rtol: 1e-6, atol: 1e-6, "case \(i) bias gradient")
            }
        }
        // The empty reduction axis: the result is the bias on every row.
        assertClose(
            linear(Tensor.zeros([2, 0]), weight: Tensor.zeros([2, 0]), bias: Tensor([1.5, -2])),
            [1.5, -2, 1.5, -2])
    }

    /// The derivatives against finite differences (float64): linear on a batch of sequences, with and
    /// without bias; nll on spatial input with an ignored target, each reduction.
    func testDerivativesAgreeWithFiniteDifferences() throws {
        let g = Generator(seed: 21)
        let x = Tensor.randn([2, 3, 4], dtype: .float64, generator: g)
        let w = Tensor.randn([5, 4], dtype: .float64, generator: g)
        let b = Tensor.randn([5], dtype: .float64, generator: g)
        XCTAssertTrue(try gradcheck({ linear($0[0], weight: $0[1], bias: $0[2]) }, inputs: [x, w, b]))
        XCTAssertTrue(try gradcheck({ linear($0[0], weight: $0[1]) }, inputs: [x[0], w]))
        let z = Tensor.randn([2, 3, 2], dtype: .float64, generator: g)
        let t = Tensor([[0, -100], [2, 1]])
        for reduction in Reduction.allCases {
            XCTAssertTrue(
                try gradcheck({ nllLoss(logSoftmax($0[0], axis: 1), t, reduction: reduction) }, inputs: [z]),
                "\(reduction)")
        }
    }

    /// Operands outside the primitive's case compose matmul and add as PyTorch does; the primitive's shape
    /// rule names what does not fit.
    func testLinearOtherOperandsAndErrors() {
        // A 1-D weight: the product over the last axis.
        assertClose(
            linear(Tensor([[1.0, 2], [3, 4]]), weight: Tensor([0.5, -1])), [-1.5, -2.5], shape: [2])
        // Integers, and a bias that broadcasts.
        assertInts(linear(Tensor([[1, 2]]), weight: Tensor([[3, 4], [5, 6]])), [11, 17], shape: [1, 2])
        assertClose(
            linear(Tensor([[1.0, 2]]), weight: Tensor([[1.0, 0], [0, 1]]), bias: Tensor([[10.0], [20]])),
            [11, 12, 21, 22], shape: [2, 2])
        assertClose(
            linear(Tensor([[1.0, 2]]), weight: Tensor([[1.0, 0], [0, 1]]), bias: Tensor([0.5])), [1.5, 2.5],
            shape: [1, 2])
        func error(_ inputs: [TensorMeta]) -> String {
            do {
                _ = try Op.linear.inferOutputs(inputs)
                return ""
            } catch { return error.description }
        }
        let f = DType.float32
        XCTAssertTrue(
            error([TensorMeta(shape: [2, 3], dtype: f), TensorMeta(shape: [4, 5], dtype: f)]).contains(
                "cannot be multiplied (3 != 5)"))
        XCTAssertTrue(
            error([
                TensorMeta(shape: [2, 3], dtype: f), TensorMeta(shape: [4, 3], dtype: f),
                TensorMeta(shape: [3], dtype: f),
            ]).contains("expected [4]"))
        XCTAssertTrue(
            error([TensorMeta(shape: [2, 3], dtype: f), TensorMeta(shape: [4, 3], dtype: .float64)]).contains(
                "of one dtype"))
        XCTAssertTrue(error([TensorMeta(shape: [2, 3], dtype: f)]).contains("expects 2 or 3 inputs"))
        XCTAssertTrue(
            error([TensorMeta(shape: [2, 3], dtype: .int64), TensorMeta(shape: [4, 3], dtype: .int64)])
                .contains(
                    "floating-point"))
    }

    func testNLLLossMatchesPyTorchOnSpatialInput() throws {
        let t = Tensor([[0, 2, 1, 1], [2, 0, 0, 1]])
        let expectations: [(Reduction, [Double], [Double])] = [
            (
                .mean, [1.9683944137865013],
                [
                    -0.1121971781157887, 0.026873306128435387, 0.05280888712190803, 0.08282782685632797,
                    0.09382462004574563, 0.08916182692364295, -0.05756024947536456, -0.08561222889465217,
                    0.018372558070043076, -0.11603513305207833, 0.004751362353456551, 0.0027844020383242106,
                    0.0027298963120002185, -0.12298777986195895, -0.1226875391800702, 0.00362953342192295,
                    0.009207499994077157, 0.01492962644016394, 0.02877562364506414, -0.07115049965299514,
                    -0.011937396306077375, 0.10805815342179502, 0.09391191553500605, 0.06752096623107219,
                ]
            ),
            (
                .sum, [15.74715531029201],
                [
                    -0.8975774249263097, 0.2149864490274831, 0.42247109697526425, 0.6626226148506238,
                    0.750596960365965, 0.7132946153891436, -0.4604819958029165, -0.6848978311572174,
                    0.1469804645603446, -0.9282810644166266, 0.038010898827652406, 0.022275216306593685,
                    0.021839170496001748, -0.9839022388956716, -0.9815003134405615, 0.0290362673753836,
                    0.07365999995261725, 0.11943701152131152, 0.23020498916051313, -0.5692039972239611,
                    -0.095499170448619, 0.8644652273743602, 0.7512953242800484, 0.5401677298485775,
                ]
            ),
            (
                .none,
                [
                    2.278648130970392, 2.6350004716356867, 0.6170791228350653, 1.1548583472125022,
                    0.10037205700914148, 4.129075078504675, 3.9900014897744445, 0.842120612350102,
                ],
                [
                    0, 0.2149864490274831, 0.8449421939505285, 1.9878678445518714, 0, 0.7132946153891436,
                    -0.920963991605833, -2.0546934934716523, 0, -0.9282810644166266, 0.07602179765530481,
                    0.06682564891978106, 0.08735668198400699, -4.919511194478359, -5.889001880643369,
                    0.2032538716276852, 0.294639999810469, 0.5971850576065576, 1.3812299349630788,
                    -3.9844279805677276, -0.381996681794476, 4.3223261368718005, 4.5077719456802905,
                    3.781174108940043,
                ]
            ),
        ]
        for (reduction, loss, gradient) in expectations {
            let z = filled([2, 3, 4], .float64) { sin($0 * 0.37) * 2 }.requiringGrad()
            let l = nllLoss(logSoftmax(z, axis: 1), t, reduction: reduction)
            XCTAssertEqual(l.gradFunctionName, "NllLossBackward0")
            assertClose(l, loss, shape: reduction == .none ? [2, 4] : [], rtol: 1e-12, "\(reduction)")
            let upstream =
                reduction == .none
                ? Tensor.arange(0, 8, dtype: .float64).reshaped(to: [2, 4]) : Tensor.ones([], dtype: .float64)
            try (l * upstream).sum().backward()
            assertClose(
                z.grad!, gradient, shape: [2, 3, 4], rtol: 1e-10, atol: 1e-14, "\(reduction) gradient")
        }
    }

    /// [N, C] and [C] inputs against the gather composition the primitive replaced, float32 and float64.
    func testNLLLossAgreesWithGather() throws {
        let g = Generator(seed: 8)
        for dtype in [DType.float32, .float64] {
            for reduction in Reduction.allCases {
                let x = Tensor.randn([5, 4], dtype: dtype, generator: g).requiringGrad()
                let x2 = x.detached().requiringGrad()
                let t = Tensor([3, 0, 1, 1, 2])
                let fused = nllLoss(x, t, reduction: reduction)
                let picked = -gather(x2, axis: 1, index: t.unsqueezed(at: 1)).squeezed(at: 1)
                let composed = reduction == .mean ? picked.mean() : reduction == .sum ? picked.sum() : picked
                assertClose(fused, composed, rtol: 1e-6, "\(dtype) \(reduction)")
                XCTAssertEqual(fused.dtype, dtype)
                try fused.sum().backward()
                try composed.sum().backward()
                assertClose(x.grad!, x2.grad!, rtol: 1e-6, "\(dtype) \(reduction) gradient")
            }
        }
        // One sample [C] with its class [].
        let v = Tensor([0.5, -1.0, 2.0], requiresGrad: true)
        let l = nllLoss(v, Tensor(2 as Int64))
        assertClose(l, [-2], shape: [])
        try l.backward()
        assertClose(v.grad!, [0, 0, -1], shape: [3])
    }

    /// Targets equal to the ignored index (PyTorch's -100 by default, or another) count for nothing: loss
    /// 0, no gradient, and the mean is over the rest; all ignored, the mean is NaN, as in PyTorch.
    func testNLLLossIgnoresItsIgnoredIndex() throws {
        let expected: [(Reduction, [Double], [Double])] = [
            (.mean, [1.229227427009198], [0.2897571882054668, -0.33573873448549946, 0.04598154628003269]),
            (.sum, [2.458454854018396], [0.5795143764109336, -0.6714774689709989, 0.09196309256006538]),
            (
                .none, [1.113149855802185, 0, 1.3453049982162109, 0],
                [0.5795143764109336, -0.6714774689709989, 0.09196309256006538]
            ),
        ]
        let mean: [Double] = [0.13547883682410916, 0.234291035260488, -0.3697698720845971]
        let sum: [Double] = [0.2709576736482183, 0.468582070520976, -0.7395397441691942]
        for (reduction, loss, firstRow) in expected {
            for (targets, ignored) in [([1, -100, 2, -100], -100), ([1, 0, 2, 0], 0)]
            where
                reduction == .mean || ignored == -100
            {
                let z = filled([4, 3], .float64) { cos($0 * 0.9) * 1.5 }.requiringGrad()
                let l = nllLoss(
                    logSoftmax(z, axis: 1), Tensor(targets), reduction: reduction, ignoreIndex: ignored)
                assertClose(l, loss, rtol: 1e-12, "\(reduction) ignoring \(ignored)")
                try l.sum().backward()
                let third = reduction == .mean ? mean : sum
                assertClose(
                    z.grad!, firstRow + [0, 0, 0] + third + [0, 0, 0], shape: [4, 3], rtol: 1e-10,
                    atol: 1e-15,
                    "\(reduction) gradient ignoring \(ignored)")
            }
        }
        let all = nllLoss(Tensor([[0.5, 0.5]], requiresGrad: true), Tensor([-100]))
        XCTAssertTrue(all.item(as: Double.self).isNaN)
    }

    /// Class weights: each target's loss scaled by its class's weight, the mean divided by the weights of
    /// the targets not ignored (PyTorch's `weight`); the shape rule checks one weight per class.
    func testNLLLossWithClassWeights() throws {
        let weight = Tensor([0.2, 1.0, 3.0], dtype: .float64)
        let expected: [(Reduction, [Double], [Double])] = [
            (
                .mean, [1.2525354631906123],
                [
                    0.13797961343117465, -0.15987558785023784, 0.021895974419063186, 0, 0, 0,
                    0.19354119546301307,
                    0.33470147894355423, -0.5282426744065672, -0.0203619931689122, 0.010013490204030796,
                    0.010348502964881406,
                ]
            ),
            (
                .sum, [5.260648945400572],
                [
                    0.5795143764109336, -0.6714774689709989, 0.09196309256006538, 0, 0, 0, 0.812873020944655,
                    1.405746211562928, -2.218619232507583, -0.08552037130943124, 0.042056658856929344,
                    0.04346371245250191,
                ]
            ),
            (
                .none, [1.113149855802185, 0, 4.035914994648633, 0.11158409494975408],
                [
                    0.5795143764109336, -0.6714774689709989, 0.09196309256006538, 0, 0, 0, 0.812873020944655,
                    1.405746211562928, -2.218619232507583, -0.08552037130943124, 0.042056658856929344,
                    0.04346371245250191,
                ]
            ),
        ]
        for (reduction, loss, gradient) in expected {
            let z = filled([4, 3], .float64) { cos($0 * 0.9) * 1.5 }.requiringGrad()
            let l = nllLoss(
                logSoftmax(z, axis: 1), Tensor([1, -100, 2, 0]), weight: weight, reduction: reduction)
            assertClose(l, loss, rtol: 1e-12, "\(reduction)")
            try l.sum().backward()
            assertClose(z.grad!, gradient, shape: [4, 3], rtol: 1e-10, atol: 1e-15, "\(reduction) gradient")
        }
        func error(_ weight: TensorMeta) -> String {
            do {
                _ = try Op.nllLoss(reduction: .mean, ignoreIndex: -100).inferOutputs([
                    TensorMeta(shape: [4, 3], dtype: .float32), TensorMeta(shape: [4], dtype: .int64), weight,
                ])
                return ""
            } catch { return "\(error)" }
        }
        XCTAssertEqual(error(TensorMeta(shape: [3], dtype: .float32)), "")
        XCTAssertTrue(error(TensorMeta(shape: [4], dtype: .float32)).contains("one float32 per class, [3]"))
        XCTAssertTrue(error(TensorMeta(shape: [3], dtype: .float64)).contains("got [3] of float64"))
    }

    /// A class index out of range gives a NaN loss and no gradient (the kernel does not stop on data);
    /// bad shapes and dtypes are the shape rule's errors.
    func testNLLLossOutOfRangeAndErrors() throws {
        let x = Tensor([[0.1, 0.2], [0.3, 0.4]], requiresGrad: true)
        let none = nllLoss(x, Tensor([1, 7]), reduction: .none)
        XCTAssertEqual(none.doubles[0], -0.2, accuracy: 1e-7)
        XCTAssertTrue(none.doubles[1].isNaN)
        XCTAssertTrue(nllLoss(x, Tensor([-1, 0])).item(as: Double.self).isNaN)
        try none.sum().backward()
        assertClose(x.grad!, [0, -1, 0, 0], shape: [2, 2])
        func error(_ x: [Int], _ t: [Int], _ dtype: DType = .int64) -> String {
            do {
                _ = try Op.nllLoss(reduction: .mean, ignoreIndex: -100).inferOutputs([
                    TensorMeta(shape: x, dtype: .float32), TensorMeta(shape: t, dtype: dtype),
                ])
                return ""
            } catch { return "\(error)" }
        }
        XCTAssertEqual(error([4, 3], [4]), "")
        XCTAssertTrue(error([4, 3], [5]).contains("expected input [N, C, d...] with target [N, d...]"))
        XCTAssertTrue(error([4, 3, 2], [4, 3]).contains("got [4, 3, 2] and [4, 3]"))
        XCTAssertTrue(error([], []).contains("expected input"))
        XCTAssertTrue(error([4, 3], [4], .float32).contains("int64 class indices"))
        XCTAssertEqual(
            try Op.nllLoss(reduction: .none, ignoreIndex: -100).inferOutputs([
                TensorMeta(shape: [4, 3, 2, 5], dtype: .float64),
                TensorMeta(shape: [4, 2, 5], dtype: .int64),
            ]), [TensorMeta(shape: [4, 2, 5], dtype: .float64)])
    }
}
