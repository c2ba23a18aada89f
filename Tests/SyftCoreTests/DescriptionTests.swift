import SyftCore
import XCTest
import _TestSupport

// The printed form of operation results, against PyTorch 2.13's `repr` (Scripts/gen_core_cases.py
// description). TensorFormatterTests covers the formatter itself; these check that results carry the
// dtype, shape and values PyTorch's would.

final class DescriptionTests: XCTestCase {
    func testPrintedResults() {
        XCTAssertEqual((Tensor([1, 2, 3]) * 2.5).description, "tensor([2.5000, 5.0000, 7.5000])")
        XCTAssertEqual(
            (Tensor([1, 2, 3]) / Tensor([2, 2, 2])).description,
            "tensor([0.5000, 1.0000, 1.5000])")
        XCTAssertEqual(
            (Tensor([1.0, 2.0], dtype: .float64) + 1.0).description,
            "tensor([2., 3.], dtype=torch.float64)")
        XCTAssertEqual((Tensor([true, false]) + 1).description, "tensor([2, 1])")
        XCTAssertEqual((Tensor([1, 5, 3]) .> 2).description, "tensor([False,  True,  True])")
        XCTAssertEqual((-Tensor([0.0, 1.5])).description, "tensor([-0.0000, -1.5000])")
        XCTAssertEqual(abs(Tensor([-0.0, -2.0])).description, "tensor([0., 2.])")
        XCTAssertEqual(
            Tensor.arange(6).reshaped(to: [2, 3]).transposed().description,
            """
            tensor([[0, 3],
                    [1, 4],
                    [2, 5]])
            """)
        XCTAssertEqual(
            matmul(Tensor([[1.0, 2.0], [3.0, 4.0]]), Tensor([[0.5], [0.25]])).description,
            """
            tensor([[1.0000],
                    [2.5000]])
            """)
        XCTAssertEqual(
            Tensor([[1.0, 2.0], [3.0, 4.0]], dtype: .float64).sum(squeezingAxes: 0).description,
            "tensor([4., 6.], dtype=torch.float64)")
        XCTAssertEqual(Tensor.arange(6).reshaped(to: [2, 3]).sum().description, "tensor(15)")
        XCTAssertEqual(Tensor([1.0, 2.0, 4.0]).std().description, "tensor(1.5275)")
        XCTAssertEqual(
            Tensor.linspace(0, 1, 5).description,
            "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])")
        XCTAssertEqual(Tensor.zeros([2, 0]).description, "tensor([], size=(2, 0))")
        XCTAssertEqual(Tensor([[1, 2], [3, 4]]).argmax(squeezingAxis: 1).description, "tensor([1, 1])")
        XCTAssertEqual(
            exp(Tensor([0.0, 1.0, 10.0])).description,
            "tensor([1.0000e+00, 2.7183e+00, 2.2026e+04])")
        XCTAssertEqual(sqrt(Tensor([-1.0, 4.0])).description, "tensor([nan, 2.])")
        XCTAssertEqual(
            Tensor.eye(3, dtype: .int64).description,
            """
            tensor([[1, 0, 0],
                    [0, 1, 0],
                    [0, 0, 1]])
            """)
        XCTAssertEqual(Tensor.arange(3).to(.bool).description, "tensor([False,  True,  True])")
    }

    // PyTorch 2.13 names the backward nodes of these operations as Syft's primitives do. Not here: composites
    // (mean, std, stack, unsqueeze, x[0], t()) print the primitive they end in, and sum() of all elements
    // prints SumBackward1 where PyTorch 2.13 prints SumBackward0.
    func testGradFnNamesOfPrimitives() {
        let w = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let m = Tensor([[1.0, 2.0], [3.0, 4.0]], requiresGrad: true)
        XCTAssertEqual((w * 2).description, "tensor([2., 4., 6.], grad_fn=<MulBackward0>)")
        XCTAssertEqual((w - 1).description, "tensor([0., 1., 2.], grad_fn=<SubBackward0>)")
        XCTAssertEqual((w / 2).description, "tensor([0.5000, 1.0000, 1.5000], grad_fn=<DivBackward0>)")
        XCTAssertEqual((-w).description, "tensor([-1., -2., -3.], grad_fn=<NegBackward0>)")
        XCTAssertEqual(relu(w).description, "tensor([1., 2., 3.], grad_fn=<ReluBackward0>)")
        XCTAssertEqual(maximum(w, w).description, "tensor([1., 2., 3.], grad_fn=<MaximumBackward0>)")
        XCTAssertEqual(`where`(w .> 1, w, 0.0).description, "tensor([0., 2., 3.], grad_fn=<WhereBackward0>)")
        XCTAssertEqual(cat([w, w]).description, "tensor([1., 2., 3., 1., 2., 3.], grad_fn=<CatBackward0>)")
        XCTAssertEqual(w.sum(squeezingAxes: 0).description, "tensor(6., grad_fn=<SumBackward1>)")
        XCTAssertEqual(w.max(squeezingAxes: 0).description, "tensor(3., grad_fn=<AmaxBackward0>)")
        XCTAssertEqual(w.pow(w).description, "tensor([ 1.,  4., 27.], grad_fn=<PowBackward1>)")
        XCTAssertEqual(w.clamp(min: 1, max: 2).description, "tensor([1., 2., 2.], grad_fn=<ClampBackward1>)")
        XCTAssertEqual(
            w.to(.float64).description,
            "tensor([1., 2., 3.], dtype=torch.float64, grad_fn=<ToCopyBackward0>)")
        XCTAssertEqual(
            w.expanded(to: [2, 3]).description,
            """
            tensor([[1., 2., 3.],
                    [1., 2., 3.]], grad_fn=<ExpandBackward0>)
            """)
        XCTAssertEqual(
            matmul(m, m).description,
            """
            tensor([[ 7., 10.],
                    [15., 22.]], grad_fn=<MmBackward0>)
            """)
        XCTAssertEqual(
            m.permuted(1, 0).description,
            """
            tensor([[1., 3.],
                    [2., 4.]], grad_fn=<PermuteBackward0>)
            """)
        XCTAssertEqual(m.reshaped(to: [4]).description, "tensor([1., 2., 3., 4.], grad_fn=<ViewBackward0>)")
        XCTAssertEqual(
            m[TensorIndex.all, 0..<1].description,
            """
            tensor([[1.],
                    [3.]], grad_fn=<SliceBackward0>)
            """)
        XCTAssertEqual(
            exp(Tensor([0.0], requiresGrad: true)).description,
            "tensor([1.], grad_fn=<ExpBackward0>)")
    }
}
