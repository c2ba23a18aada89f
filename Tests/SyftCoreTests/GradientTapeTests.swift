import XCTest

@testable import SyftCore

/// Note [Gradient tapes]: a tape's backward gives the graph's gradients, to the bit.
final class GradientTapeTests: XCTestCase {
    /// A small network's program: each step an operation on earlier values (by index).
    private let program: [(Op, [Int])] = [
        (.linear, [0, 1, 2]),  // 5: x·w1ᵀ + b1
        (.relu, [5]),  // 6
        (.matmul, [6, 3]),  // 7: [n, 3]
        (.mul, [7, 7]),  // 8: a value used twice by one operation
        (.logSoftmax(axis: 1), [7]),  // 9: and by another
        (.nllLoss(reduction: .mean, ignoreIndex: -100), [9, 4]),  // 10
        (.sum(axes: [0, 1], keepDims: false), [8]),  // 11
        (.argmax(axis: 1, keepDims: false), [7]),  // 12: not differentiable
        (.add, [10, 11]),  // 13: the loss
    ]

    private func leaves() -> [Tensor] {
        let g = Generator(seed: 11)
        func leaf(_ shape: [Int]) -> Tensor {
            var t = Tensor.randn(shape, generator: g)
            t.requiresGrad = true
            return t
        }
        return [
            Tensor.randn([6, 4], generator: g), leaf([5, 4]), leaf([5]), leaf([5, 3]),
            Tensor([0, 2, 1, 1, 0, 2] as [Int64]),
        ]
    }

    func testTapeGivesTheGraphsGradients() throws {
        // The graph: recorded as the operations run.
        let graphLeaves = leaves()
        var values = graphLeaves
        for (op, inputs) in program { values += apply(op, to: inputs.map { values[$0] }) }
        try values.last!.backward()

        // The tape: recording off, each operation written.
        let tapeLeaves = leaves()
        var tape = GradientTape()
        var taped = tapeLeaves
        var sources = try tapeLeaves.map { try XCTUnwrap(GradientSource($0)) }
        withoutGradient {
            for (op, inputs) in program {
                let outputs = apply(op, to: inputs.map { taped[$0] })
                XCTAssertTrue(outputs.allSatisfy { !$0.requiresGrad }, "\(op.name): nothing recorded")
                sources += tape.write(
                    op, inputs: inputs.map { taped[$0] }, sources: inputs.map { sources[$0] },
                    outputs: outputs)
                taped += outputs
            }
        }
        XCTAssertFalse(sources[12].requiresGrad, "argmax writes nothing")
        XCTAssertTrue(sources[13].requiresGrad)
        try tape.backward(of: taped.last!, from: sources.last!)

        XCTAssertEqual(taped.last!.scalars(as: Float.self), values.last!.scalars(as: Float.self))
        for i in 1...3 {
            let expected = try XCTUnwrap(graphLeaves[i].grad)
            let got = try XCTUnwrap(tapeLeaves[i].grad, "leaf \(i)")
            XCTAssertEqual(got.shape, expected.shape)
            XCTAssertEqual(got.scalars(as: Float.self), expected.scalars(as: Float.self), "leaf \(i)")
        }
        XCTAssertNil(tapeLeaves[0].grad)
        // A second backward accumulates, as the graph's does.
        let sum = withoutGradient { apply(.sum(axes: [0, 1], keepDims: false), to: [tapeLeaves[1]]) }
        let s = tape.write(
            .sum(axes: [0, 1], keepDims: false), inputs: [tapeLeaves[1]], sources: [sources[1]], outputs: sum)
        try tape.backward(of: sum[0], from: s[0])
        let expected = try XCTUnwrap(graphLeaves[1].grad) + 1
        XCTAssertEqual(tapeLeaves[1].grad?.scalars(as: Float.self), expected.scalars(as: Float.self))
    }

    func testTapeBackwardErrorsAreTheGraphs() throws {
        var tape = GradientTape()
        let w = Tensor([1.0, 2.0] as [Float], requiresGrad: true)
        let source = try XCTUnwrap(GradientSource(w))
        let doubled = withoutGradient { apply(.mul, to: [w, w]) }
        let s = tape.write(.mul, inputs: [w, w], sources: [source, source], outputs: doubled)
        XCTAssertThrowsError(try tape.backward(of: doubled[0], from: s[0])) {
            XCTAssertEqual($0 as? AutogradError, .nonScalarNeedsGradient(shape: [2]))
        }
        let constant = Tensor(3.0 as Float)
        XCTAssertThrowsError(try tape.backward(of: constant, from: .none)) {
            XCTAssertEqual($0 as? AutogradError, .doesNotRequireGrad(shape: []))
        }
        // A leaf loss gets the seed itself; a tensor of a graph has no source outside it.
        let leaf = Tensor(2.0 as Float, requiresGrad: true)
        try tape.backward(of: leaf, from: try XCTUnwrap(GradientSource(leaf)))
        XCTAssertEqual(leaf.grad?.scalars(as: Float.self), [1])
        XCTAssertNil(GradientSource(w * 2))
    }
}
