import Syft

// The cases of the tensor engine: elementwise operations and a reduction on float32 vectors, timed
// against NumPy doing the same work (result allocation included on both sides). The sizes must match
// Benchmarks/numpy_bench.py and Benchmarks/torch_bench.py, which time the same case names.

/// Vector lengths of the elementwise cases, by the suffix of their names: 1m = 2^20, 16m = 2^24 floats.
let elementwiseSizes: [(label: String, count: Int)] = [("1m", 1 << 20), ("16m", 1 << 24)]

/// An elementwise operation or reduction on float32 vectors, as the library's public API spells it.
private struct VectorOp: Sendable {
    var name: String
    var isBinary: Bool
    var apply: @Sendable (Tensor, Tensor) -> Tensor

    static let all: [VectorOp] = [
        VectorOp(name: "add", isBinary: true) { a, b in a + b },
        VectorOp(name: "mul", isBinary: true) { a, b in a * b },
        VectorOp(name: "exp", isBinary: false) { a, _ in a.exp() },
        VectorOp(name: "tanh", isBinary: false) { a, _ in a.tanh() },
        VectorOp(name: "sum", isBinary: false) { a, _ in a.sum() },
    ]
}

/// `add_5`, then `add`, `mul`, `exp`, `tanh`, `sum` on 1M and 16M floats (`add_1m` ... `sum_16m`).
func coreCases() -> [BenchCase] {
    var cases = smallCases()
    for size in elementwiseSizes {
        for op in VectorOp.all {
            cases.append(vectorCase(op, count: size.count, label: size.label))
        }
    }
    return cases
}

/// `add_5`: the fixed cost of one operation (dispatch, allocation of the result), against an absolute
/// target; NumPy for scale, and PyTorch in a second row where it runs.
private func smallCases() -> [BenchCase] {
    let add5 = Workload {
        let a = Tensor.rand([5])
        let b = Tensor.rand([5])
        return { blackHole(a + b) }
    }
    return [
        BenchCase(
            name: "add_5", unit: .nanoseconds, ours: add5,
            anchor: .python(.numpy, key: "add_5"), target: .time(atMost: 150, .nanoseconds)),
        BenchCase(
            name: "add_5_torch", unit: .nanoseconds, ours: add5, oursKey: "add_5",
            anchor: .python(.torch, key: "add_5"), target: .none, needsAnchor: true),
    ]
}

/// `<op>_<label>`: the operation on float32 vectors of `count` uniform [0, 1) values, against NumPy.
private func vectorCase(_ op: VectorOp, count: Int, label: String) -> BenchCase {
    let name = "\(op.name)_\(label)"
    return BenchCase(
        name: name, unit: .microseconds,
        ours: Workload {
            let a = Tensor.rand([count])
            let b = op.isBinary ? Tensor.rand([count]) : a
            let apply = op.apply
            return { blackHole(apply(a, b)) }
        },
        anchor: .python(.numpy, key: name),
        target: .timeRatio(atMost: 1.0, of: PythonAnchor.numpy.name))
}
