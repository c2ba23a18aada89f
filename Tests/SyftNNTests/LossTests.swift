import SyftCore
import SyftNN
import XCTest
import _TestSupport

// Cross entropy's two kinds of target, checked against PyTorch 2.13 (torch.nn.functional.cross_entropy):
// class probabilities, and class indices with PyTorch's ignored index (-100).
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
}
