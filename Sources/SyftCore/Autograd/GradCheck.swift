/// Why ``gradcheck(_:inputs:eps:atol:rtol:)`` failed: the input and element where the analytic and
/// the finite-difference derivatives disagree.
public struct GradcheckError: Error, CustomStringConvertible {
    public var inputIndex: Int
    public var outputIndex: Int
    public var elementIndex: Int
    public var analytic: Double
    public var numeric: Double

    public var description: String {
        "gradcheck: Jacobian mismatch for output \(outputIndex) with respect to input \(inputIndex), element "
            + "\(elementIndex): analytic \(analytic), numeric \(numeric)"
    }
}

/// Compares the gradients autograd computes for `f` with central finite differences, in float64
/// (PyTorch's `torch.autograd.gradcheck`).
///
/// Floating-point inputs are converted to float64 leaves that require grad; integer and bool inputs are
/// passed as they are. Every element of the Jacobian is compared: `|analytic - numeric| <= atol + rtol *
/// |numeric|`.
///
/// ```swift
/// let x = Tensor.randn([3, 4], dtype: .float64)
/// try gradcheck({ $0[0].tanh().sum(squeezingAxes: 1) }, inputs: [x])
/// ```
/// - Returns: true when every element agrees.
/// - Throws: ``GradcheckError`` naming the first disagreement.
@discardableResult
public func gradcheck(
    _ f: ([Tensor]) -> Tensor, inputs: [Tensor], eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3
) throws(GradcheckError) -> Bool {
    let leaves = inputs.map { t -> Tensor in
        guard t.dtype.isFloatingPoint else { return t }
        return Tensor(shape: t.shape, scalars: t.doubles, dtype: .float64, requiresGrad: true)
    }
    let output = f(leaves)
    let outCount = output.count
    // Analytic Jacobian, one backward per output element.
    var analytic: [[Double]] = leaves.map { [Double](repeating: 0, count: $0.count * outCount) }
    for j in 0..<outCount {
        for leaf in leaves where leaf.requiresGrad { leaf.zeroGrad() }
        var seed = [Double](repeating: 0, count: outCount)
        seed[j] = 1
        try! output.backward(
            gradient: Tensor(shape: output.shape, scalars: seed, dtype: output.dtype), retainGraph: true)
        for (i, leaf) in leaves.enumerated() where leaf.requiresGrad {
            let g = leaf.grad?.doubles ?? [Double](repeating: 0, count: leaf.count)
            for k in 0..<leaf.count { analytic[i][k * outCount + j] = g[k] }
        }
    }
    // Numeric Jacobian by central differences.
    for (i, leaf) in leaves.enumerated() where leaf.requiresGrad {
        var values = leaf.doubles
        for k in 0..<leaf.count {
            let original = values[k]
            func evaluate(_ v: Double) -> [Double] {
                values[k] = v
                var shifted = leaves
                shifted[i] = Tensor(shape: leaf.shape, scalars: values, dtype: .float64)
                return withoutGradient { f(shifted).doubles }
            }
            let plus = evaluate(original + eps)
            let minus = evaluate(original - eps)
            values[k] = original
            for j in 0..<outCount {
                let numeric = (plus[j] - minus[j]) / (2 * eps)
                let a = analytic[i][k * outCount + j]
                if !(Swift.abs(a - numeric) <= atol + rtol * Swift.abs(numeric)) {
                    throw GradcheckError(
                        inputIndex: i, outputIndex: j, elementIndex: k, analytic: a, numeric: numeric)
                }
            }
        }
    }
    return true
}
