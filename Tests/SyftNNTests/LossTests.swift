import SyftCore
import SyftNN
import XCTest
import _TestSupport

// Cross entropy's two kinds of target, checked against PyTorch 2.13 (torch.nn.functional.cross_entropy):
// class probabilities, and class indices with PyTorch's ignored index (-100); with class weights and
// label smoothing.
final class LossTests: XCTestCase {
    private func logits() -> Tensor {
        var z = Tensor(shape: [2, 3], scalars: (0..<6).map { sin(Double($0) * 1.3) * 2 }, dtype: .float32)
        z.requiresGrad = true
        return z
    }

    func testCrossEntropyWithClassProbabilities() throws {
        let p = Tensor([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0]])
        let z = logits()
        let mean = crossEntropy(z, p)
        assertClose(mean, [1.5719969272613525], shape: [], rtol: 1e-6)
        try mean.backward()
        assertClose(
            z.grad!,
            [
                -0.05315522104501724, 0.07180824875831604, -0.01865305006504059, -0.4355735778808594,
                0.04356030374765396, 0.3920133113861084,
            ], shape: [2, 3], rtol: 1e-5, atol: 1e-7)
        let perSample = crossEntropy(logits(), p, reduction: .none)
        assertClose(perSample, [1.0949095487594604, 2.049084424972534], shape: [2], rtol: 1e-6)
        // One-hot probabilities give the loss of the class indices.
        assertClose(
            crossEntropy(logits(), Tensor([[0.0, 0, 1], [0, 1, 0]])), crossEntropy(logits(), Tensor([2, 1])),
            rtol: 1e-6)
    }

    func testCrossEntropyIgnoresPaddingTargets() throws {
        let z = logits()
        let loss = crossEntropy(z, Tensor([2, -100]))
        assertClose(loss, [1.3367657661437988], shape: [], rtol: 1e-6)
        try loss.backward()
        assertClose(
            z.grad!, [0.09368956089019775, 0.6436164975166321, -0.7373061180114746, 0, 0, 0], shape: [2, 3],
            rtol: 1e-5, atol: 1e-7)
        // Another ignored index: here class 0.
        assertClose(crossEntropy(logits(), Tensor([2, 0]), ignoreIndex: 0), [1.3367657661437988], rtol: 1e-6)
    }

    private func logits4() -> Tensor {
        var z = Tensor(shape: [4, 3], scalars: (0..<12).map { cos(Double($0) * 0.9) * 1.5 }, dtype: .float64)
        z.requiresGrad = true
        return z
    }

    private let classWeight = Tensor([0.2, 1.0, 3.0], dtype: .float64)
    private let targets = Tensor([1, -100, 2, 0])

    func testCrossEntropyWithClassWeightsAndLabelSmoothing() throws {
        let expected: [(Reduction, [Double], [Double])] = [
            (
                .mean, [1.2835243046546203],
                [
                    0.14191149638112005, -0.14087378596742195, -0.0010377104136980971, 0, 0, 0,
                    0.1816316967843508,
                    0.3089142254633901, -0.49054592224774085, -0.0008331573242277726, 0.008085076389941338,
                    -0.007251919065713554,
                ]
            ),
            (
                .sum, [5.390802079549405],
                [
                    0.5960282848007044, -0.5916699010631722, -0.004358383737532008, 0, 0, 0,
                    0.7628531264942735,
                    1.2974397469462386, -2.060292873440512, -0.003499260761756659, 0.033957320837753616,
                    -0.030458060075996943,
                ]
            ),
            (
                .none, [1.2812137591615418, 0, 3.800827413227377, 0.30876090716048626],
                [
                    0.5960282848007044, -0.5916699010631722, -0.004358383737532008, 0, 0, 0,
                    0.7628531264942735,
                    1.2974397469462386, -2.060292873440512, -0.003499260761756659, 0.033957320837753616,
                    -0.030458060075996943,
                ]
            ),
        ]
        for (reduction, loss, gradient) in expected {
            let z = logits4()
            let l = crossEntropy(z, targets, weight: classWeight, reduction: reduction, labelSmoothing: 0.1)
            assertClose(l, loss, rtol: 1e-12, "\(reduction)")
            try l.sum().backward()
            assertClose(z.grad!, gradient, shape: [4, 3], rtol: 1e-10, atol: 1e-15, "\(reduction) gradient")
        }
        // Smoothing without weights.
        let z = logits4()
        let l = crossEntropy(z, targets, labelSmoothing: 0.25)
        assertClose(l, [1.0623670368811942], rtol: 1e-12)
        try l.backward()
        assertClose(
            z.grad!,
            [
                0.1653936810258668, -0.1682702674347774, 0.002876586408910687, 0, 0, 0, 0.06254144677162835,
                0.12841624572921423, -0.19095769250084255, -0.08697839662682984, 0.0423166536504378,
                0.04466174297639208,
            ], shape: [4, 3], rtol: 1e-10, atol: 1e-15)
    }

    func testCrossEntropyWeightsOnSpatialAndProbabilityTargets() throws {
        var z = Tensor(shape: [2, 3, 2], scalars: (0..<12).map { sin(Double($0) * 0.7) }, dtype: .float64)
        z.requiresGrad = true
        let l = crossEntropy(z, Tensor([[0, 2], [-100, 1]]), weight: classWeight, labelSmoothing: 0.2)
        assertClose(l, [1.678371190098919], shape: [], rtol: 1e-12)
        try l.backward()
        assertClose(
            z.grad!,
            [
                -0.02063499050506628, 0.24088142798287035, 0.03940808871902471, 0.2879330371202701,
                -0.018773098213958422, -0.5288144651031405, 0, 0.020435072392526125, 0, -0.14221851055943077,
                0,
                0.1217834381669046,
            ], shape: [2, 3, 2], rtol: 1e-10, atol: 1e-15)
        let p = softmax(
            Tensor(shape: [4, 3], scalars: (0..<12).map { Double($0) * 0.3 }, dtype: .float64), axis: 1)
        let q = logits4()
        let soft = crossEntropy(q, p, weight: classWeight, labelSmoothing: 0.3)
        assertClose(soft, [2.224598911174053], shape: [], rtol: 1e-12)
        try soft.backward()
        assertClose(
            q.grad!,
            [
                0.21801420798058938, 0.0495590896440654, -0.2675732976246547, 0.06911180919543702,
                0.0017892864510504936, -0.07090109564648749, 0.09480569335834818, 0.10548569135121379,
                -0.20029138470956195, 0.2151726541118136, 0.0023454637565004134, -0.217518117868314,
            ], shape: [4, 3], rtol: 1e-10, atol: 1e-15)
    }
}
