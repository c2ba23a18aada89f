import XCTest
import _TestSupport

@testable import SyftCore

// Autograd semantics on the paths a training loop takes most: the elementwise fast path records its node,
// leaf gradients accumulate over backward calls (in place only when nobody else holds the slot's
// buffer), and full reductions (every axis, kept or squeezed) record and differentiate as PyTorch does.

final class AutogradTests: XCTestCase {
    func testFastPathRecordsTheNode() throws {
        let x = Tensor([1.0, 2, 3], requiresGrad: true)
        let y = Tensor([4.0, 5, 6], requiresGrad: true)
        let z = x * y
        XCTAssertTrue(z.requiresGrad)
        XCTAssertFalse(z.isLeaf)
        try z.sum().backward()
        assertTensor(x.grad!, [4, 5, 6], shape: [3], dtype: .float32)
        assertTensor(y.grad!, [1, 2, 3], shape: [3], dtype: .float32)
        // Only one operand requires grad; a wrapped number on the other side.
        let w = Tensor([1.0, -2], dtype: .float64, requiresGrad: true)
        try (w * 3 + w).sum().backward()
        assertTensor(w.grad!, [4, 4], shape: [2], dtype: .float64)
        // Recording off: the fast path gives a tensor outside the graph.
        let free = withoutGradient { x + y }
        XCTAssertFalse(free.requiresGrad)
    }

    func testGradientsAccumulateWithoutTouchingAHeldGradient() throws {
        let x = Tensor([1.0, 2, 3, 4, 5], requiresGrad: true)
        let y = Tensor([1.0, 2, 3, 4, 5], requiresGrad: true)
        try (x + y).sum().backward()
        let first = x.grad!
        try (x + y).sum().backward()
        // The slot's buffer was shared with `first`: the sum went into a new buffer.
        assertTensor(first, [1, 1, 1, 1, 1], shape: [5], dtype: .float32)
        assertTensor(x.grad!, [2, 2, 2, 2, 2], shape: [5], dtype: .float32)
        // Nobody holds the slot now: it is updated where it is, by an expanded (stride 0) gradient.
        try (3 * x).sum().backward()
        try (x * y).sum().backward()
        assertTensor(x.grad!, [6, 7, 8, 9, 10], shape: [5], dtype: .float32)
        assertTensor(y.grad!, [3, 4, 5, 6, 7], shape: [5], dtype: .float32)
        XCTAssertTrue(x.grad!.isContiguous)
    }

    func testFullReductions() throws {
        let x = Tensor([[1.0, 2, 3], [4, 5, 6]], dtype: .float64, requiresGrad: true)
        let kept = x.sum(alongAxes: 0, 1)
        assertTensor(kept, [21], shape: [1, 1], dtype: .float64)
        try (kept * kept).sum().backward()
        assertTensor(x.grad!, [Double](repeating: 42, count: 6), shape: [2, 3], dtype: .float64)
        x.zeroGrad()
        try x.max().backward()
        assertTensor(x.grad!, [0, 0, 0, 0, 0, 1], shape: [2, 3], dtype: .float64)
        // Integer and boolean sums widen to int64; a strided view reduces through the general path.
        assertInts(Tensor([[1, 2], [3, 4]]).sum(), [10], shape: [])
        assertInts(Tensor([true, false, true]).sum(), [2], shape: [])
        assertTensor(x.detached().transposed().sum(squeezingAxes: 1, 0), [21], shape: [], dtype: .float64)
    }

    /// The shape rule of a reduction over every axis, and its errors (a repeated or out-of-range axis).
    func testReductionShapeRule() throws {
        let m = TensorMeta(shape: [2, 3], dtype: .float32)
        XCTAssertEqual(try Op.sum(axes: [1, 0], keepDims: true).inferOutputs([m])[0].shape, [1, 1])
        XCTAssertEqual(try Op.sum(axes: [0, 1], keepDims: false).inferOutputs([m])[0].shape, [])
        XCTAssertEqual(try Op.max(axes: [1], keepDims: false).inferOutputs([m])[0].shape, [2])
        XCTAssertThrowsError(try Op.sum(axes: [1, 1], keepDims: false).inferOutputs([m])) {
            XCTAssertTrue("\($0)".contains("repeated axis"), "\($0)")
        }
        XCTAssertThrowsError(try Op.sum(axes: [0, 2], keepDims: false).inferOutputs([m])) {
            XCTAssertTrue("\($0)".contains("out of range"), "\($0)")
        }
    }

    /// Nodes save their inputs with their autograd records (Note [Autograd graph ownership]): the graph
    /// still has no cycle, and goes with its last output, used or not, retained or not.
    func testGraphIsFreedWithItsOutput() throws {
        weak var unused: GradNode?
        weak var walked: GradNode?
        weak var first: GradNode?
        let x = Tensor([1.0, 2, 3], requiresGrad: true)
        do {
            let a = (x * 2).exp()
            let b = (a * a).sum()
            unused = b.autograd?.gradFn
            first = a.autograd?.gradFn
            XCTAssertNotNil(unused)
        }
        XCTAssertNil(unused)
        XCTAssertNil(first)
        do {
            let a = x * x
            a.retainGrad()
            let b = (a * a).sum()
            walked = b.autograd?.gradFn
            try b.backward(retainGraph: true)
            assertTensor(a.grad!, [2, 8, 18], shape: [3], dtype: .float32)
        }
        XCTAssertNil(walked)
        assertTensor(x.grad!, [4, 32, 108], shape: [3], dtype: .float32)
    }

    /// The implicit gradient of a scalar is shared between backward calls; accumulating into a slot that
    /// holds it never changes it.
    func testScalarSeedIsNeverWrittenInto() throws {
        var s = Tensor(2.0, dtype: .float64)
        s.requiresGrad = true
        try s.backward()
        try s.backward()
        try s.backward()
        XCTAssertEqual(s.grad!.item(), 3)
        var t = Tensor(5.0, dtype: .float64)
        t.requiresGrad = true
        try t.backward()
        XCTAssertEqual(t.grad!.item(), 1)
        let u = Tensor([1.0, 2], requiresGrad: true)
        let total = u.sum()
        total.retainGrad()
        try total.backward(retainGraph: true)
        try total.backward()
        XCTAssertEqual(total.grad!.item(), 2)
        assertTensor(u.grad!, [2, 2], shape: [2], dtype: .float32)
        var w = Tensor(7.0)
        w.requiresGrad = true
        try w.backward()
        XCTAssertEqual(w.grad!.item(), 1)
    }

    /// The optimizer's fused update: in place when the buffer is this tensor's alone (rounding as
    /// `p + (alpha * g)`), and nothing changed when it is shared or the operands do not match.
    func testAddScaledInPlace() {
        var p = Tensor([1.0, 2, 3], dtype: .float32)
        let g = Tensor([0.5, -1, 0.25], dtype: .float32)
        let expected = p + (-0.1) * g
        XCTAssertTrue(p.addScaledInPlace(g, alpha: -0.1))
        XCTAssertTrue(p.isEqual(to: expected))
        let shared = p
        XCTAssertFalse(p.addScaledInPlace(g, alpha: 1))
        XCTAssertTrue(shared.isEqual(to: expected))
        var d = Tensor([1.0, 2], dtype: .float64)
        XCTAssertFalse(d.addScaledInPlace(Tensor([1.0, 2], dtype: .float32), alpha: 1))
        XCTAssertFalse(d.addScaledInPlace(Tensor([1.0, 2, 3], dtype: .float64), alpha: 1))
        XCTAssertTrue(d.addScaledInPlace(Tensor([1.0, 2], dtype: .float64), alpha: 2))
        assertTensor(d, [3, 6], shape: [2], dtype: .float64)
    }
}
