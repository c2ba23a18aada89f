import XCTest
import _TestSupport

@testable import SyftCore

// Shape and movement: reshape, transpose, permute, squeeze, unsqueeze, expand; which results are views
// (sharing storage) and which are copies; strides and contiguity. Expected values from PyTorch 2.13
// (Scripts/gen_core_cases.py shape).

final class ShapeTests: XCTestCase {
    func testShapeOperations() {
        let x = Tensor.arange(24).reshaped(to: [2, 3, 4])
        assertInts(
            x.reshaped(to: [4, -1]),
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23,
            ], shape: [4, 6])
        assertInts(
            reshape(x, [-1]),
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23,
            ], shape: [24])
        assertInts(
            x.flattened(),
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23,
            ], shape: [24])
        assertInts(
            x.transposed(0, 2),
            [
                0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11,
                23,
            ], shape: [4, 3, 2])
        assertInts(
            transpose(x, -1, 1),
            [
                0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19,
                23,
            ], shape: [2, 4, 3])
        assertInts(
            x.matrixTransposed(),
            [
                0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19,
                23,
            ], shape: [2, 4, 3])
        assertInts(
            x.permuted(2, 0, 1),
            [
                0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19,
                23,
            ], shape: [4, 2, 3])
        assertInts(
            permute(x, [1, -1, 0]),
            [
                0, 12, 1, 13, 2, 14, 3, 15, 4, 16, 5, 17, 6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11,
                23,
            ], shape: [3, 4, 2])
        assertInts(
            x.permuted(2, 0, 1).reshaped(to: [4, 6]),
            [
                0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19,
                23,
            ], shape: [4, 6])
        assertInts(
            x.transposed(0, 1).reshaped(to: [-1]),
            [
                0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22,
                23,
            ], shape: [24])
        assertInts(
            x.transposed(1, 2).contiguous(),
            [
                0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19,
                23,
            ], shape: [2, 4, 3])
        assertInts(x[TensorIndex.all, 1].reshaped(to: [8]), [4, 5, 6, 7, 16, 17, 18, 19], shape: [8])
        assertInts(
            x.unsqueezed(at: 1),
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23,
            ], shape: [2, 1, 3, 4])
        assertInts(
            unsqueeze(x, -1),
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23,
            ], shape: [2, 3, 4, 1])
        assertInts(
            x.unsqueezed(at: 0).unsqueezed(at: 3).squeezed(),
            [
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23,
            ], shape: [2, 3, 4])
        assertInts(squeeze(Tensor([[[5]]])), [5], shape: [])
        assertInts(Tensor([[1, 2, 3]]).squeezed(at: 0), [1, 2, 3], shape: [3])
        assertInts(Tensor([[1, 2, 3]]).squeezed(at: 1), [1, 2, 3], shape: [1, 3])
        assertInts(Tensor([[1], [2]]).squeezed(at: -1), [1, 2], shape: [2])
        assertInts(Tensor([1, 2, 3]).expanded(to: [2, 3]), [1, 2, 3, 1, 2, 3], shape: [2, 3])
        assertInts(
            Tensor([[1], [2]]).expanded(to: [2, -1, 3]),
            [
                1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
            ], shape: [2, 2, 3])
        assertInts(
            Tensor([[1], [2]]).expanded(to: [2, 3]).transposed(), [1, 2, 1, 2, 1, 2], shape: [3, 2])
        assertInts(
            Tensor([[1], [2]]).expanded(to: [2, 3]).reshaped(to: [3, 2]),
            [
                1, 1, 1, 2, 2, 2,
            ], shape: [3, 2])
        assertInts(Tensor([1, 2, 3]).transposed(), [1, 2, 3], shape: [3])
        assertTensor(Tensor.zeros([0, 3]).reshaped(to: [3, 0, 5]), [], shape: [3, 0, 5], dtype: .float32)
    }

    func testViewsShareStorage() {
        let x = Tensor.arange(24).reshaped(to: [2, 3, 4])
        let views: [(String, Tensor)] = [
            ("reshape", x.reshaped(to: [6, 4])), ("flatten", x.flattened()),
            ("transpose", x.transposed(0, 2)), ("mT", x.matrixTransposed()), ("permute", x.permuted(1, 2, 0)),
            ("unsqueeze", x.unsqueezed(at: 1)),
            ("squeeze", x.unsqueezed(at: 0).squeezed()), ("expand", x[0, 0].expanded(to: [5, 4])),
            ("slice", x[1..., 1..<3]), ("strided slice", x[TensorIndex.all, stride(from: 0, to: 3, by: 2)]),
            ("index", x[1]), ("ellipsis", x[TensorIndex.ellipsis, 2]), ("new axis", x[TensorIndex.newAxis]),
            ("split", x.split(1, axis: 1)[2]), ("chunk", x.chunked(2, axis: -1)[1]),
            ("contiguous of contiguous", x.contiguous()), ("to same dtype", x.to(.int64)),
            (
                "reshape of a transposed view, splitting an axis",
                x.transposed(0, 1).reshaped(to: [3, 2, 2, 2])
            ),
            ("reshape of a row slice", x[1].reshaped(to: [12])),
        ]
        for (name, v) in views {
            XCTAssertTrue(v.sharesStorage(with: x), name)
        }
        // Layouts a view cannot express are copied, as PyTorch's reshape does.
        XCTAssertFalse(x.transposed(0, 2).reshaped(to: [24]).sharesStorage(with: x))
        XCTAssertFalse(x[TensorIndex.all, 1].reshaped(to: [8]).sharesStorage(with: x))
        XCTAssertFalse(x.transposed(1, 2).contiguous().sharesStorage(with: x))
        XCTAssertFalse(x.to(.float32).sharesStorage(with: x))
    }

    func testStridesAndContiguity() {
        let x = Tensor.arange(24).reshaped(to: [2, 3, 4])
        XCTAssertEqual(x.strides, [12, 4, 1])
        XCTAssertTrue(x.isContiguous)
        let t = x.transposed(0, 2)
        XCTAssertEqual(t.strides, [1, 4, 12])
        XCTAssertFalse(t.isContiguous)
        XCTAssertTrue(t.contiguous().isContiguous)
        XCTAssertEqual(t.contiguous().strides, [6, 2, 1])
        let rows = x[TensorIndex.all, 1..<3]
        XCTAssertEqual(rows.strides, [12, 4, 1])
        XCTAssertEqual(rows.offset, 4)
        XCTAssertFalse(rows.isContiguous)
        XCTAssertTrue(x[1].isContiguous)
        XCTAssertEqual(x[1].offset, 12)
        XCTAssertTrue(x[1, 1..<3].isContiguous)
        let s = x[TensorIndex.ellipsis, stride(from: 1, to: 4, by: 2)]
        XCTAssertEqual(s.strides, [12, 4, 2])
        XCTAssertEqual(s.offset, 1)
        XCTAssertFalse(s.isContiguous)
        XCTAssertTrue(x.unsqueezed(at: 1).isContiguous)
        XCTAssertTrue(x[TensorIndex.all, 0..<1].squeezed().isContiguous == false)
        XCTAssertTrue(Tensor([[1, 2, 3]]).transposed().isContiguous)
        XCTAssertTrue(Tensor.zeros([0, 3]).isContiguous)
        XCTAssertEqual(Tensor(5).strides, [])
    }

    func testReshapeInfersOneAxis() {
        let x = Tensor.arange(12)
        XCTAssertEqual(x.reshaped(to: [-1, 3]).shape, [4, 3])
        XCTAssertEqual(x.reshaped(to: [2, -1, 2]).shape, [2, 3, 2])
        XCTAssertEqual(x.reshaped(to: [12, -1]).shape, [12, 1])
        XCTAssertEqual(Tensor(5).reshaped(to: [-1]).shape, [1])
        XCTAssertEqual(Tensor([5]).reshaped(to: []).shape, [])
        XCTAssertEqual(Tensor.zeros([0, 4]).reshaped(to: [2, 0]).shape, [2, 0])
    }

    func testSqueezeAndUnsqueezeEdgeCases() {
        let s = Tensor(3.5)
        XCTAssertEqual(s.unsqueezed(at: 0).shape, [1])
        XCTAssertEqual(s.unsqueezed(at: -1).shape, [1])
        XCTAssertEqual(s.squeezed().shape, [])
        XCTAssertEqual(s.squeezed(at: 0).shape, [])
        XCTAssertEqual(s.transposed().shape, [])
        let x = Tensor.zeros([1, 3, 1, 2])
        XCTAssertEqual(x.squeezed().shape, [3, 2])
        XCTAssertEqual(x.squeezed(at: 0).shape, [3, 1, 2])
        XCTAssertEqual(x.squeezed(at: -2).shape, [1, 3, 2])
        XCTAssertEqual(x.squeezed(at: 1).shape, [1, 3, 1, 2])
        XCTAssertEqual(x.unsqueezed(at: 4).shape, [1, 3, 1, 2, 1])
        XCTAssertEqual(x.unsqueezed(at: -5).shape, [1, 1, 3, 1, 2])
        XCTAssertEqual(Tensor.zeros([1, 0, 1]).squeezed().shape, [0])
    }
}
