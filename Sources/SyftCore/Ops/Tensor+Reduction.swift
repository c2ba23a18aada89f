// Reductions. Following Swift's API guidelines (STYLE.md pattern 8), argument labels say what happens
// to the reduced axes: `sum(squeezingAxes:)` drops them, `sum(alongAxes:)` keeps them with size 1
// (PyTorch's `keepdim=True`). Axes may be negative, counting from the end.

extension Tensor {
    /// Normalized, sorted, unique axes for a reduction; stops with a message naming `op` and the shape.
    func reductionAxes(_ axes: [Int], op: String) -> [Int] {
        // An empty list reduces over every axis, as PyTorch's `dim=[]`.
        if axes.isEmpty { return rank == 0 ? [0] : Array(0..<rank) }
        let normalized = axes.map { a -> Int in
            guard let n = normalizeAxis(a, rank: rank) else {
                preconditionFailure(
                    "\(op): axis \(a) is out of range for a tensor of shape \(shapeString(shape)) (rank \(rank))"
                )
            }
            return rank == 0 ? 0 : n
        }
        precondition(
            Set(normalized).count == normalized.count, "\(op): repeated axis in \(shapeString(axes))")
        return normalized.sorted()
    }

    private var allAxes: [Int] { rank == 0 ? [0] : Array(0..<rank) }

    // MARK: sum

    /// The sum of all elements, a 0-d tensor (`torch.sum`). Integers sum as int64.
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).sum()                    // tensor(10)
    /// Tensor([[1, 2], [3, 4]]).sum(squeezingAxes: 0)   // tensor([4, 6])
    /// Tensor([[1, 2], [3, 4]]).sum(alongAxes: 1)       // tensor([[3], [7]])
    /// ```
    public func sum() -> Tensor { dispatch1(.sum(axes: allAxes, keepDims: false), self) }
    /// The sum over `axes`, which are removed.
    public func sum(squeezingAxes axes: [Int]) -> Tensor {
        dispatch1(.sum(axes: reductionAxes(axes, op: "sum"), keepDims: false), self)
    }
    public func sum(squeezingAxes axes: Int...) -> Tensor { sum(squeezingAxes: axes) }
    /// The sum over `axes`, which are kept with size 1.
    public func sum(alongAxes axes: [Int]) -> Tensor {
        dispatch1(.sum(axes: reductionAxes(axes, op: "sum"), keepDims: true), self)
    }
    public func sum(alongAxes axes: Int...) -> Tensor { sum(alongAxes: axes) }

    // MARK: mean

    /// The mean of all elements (`torch.mean`).
    /// - Precondition: a floating-point dtype (as PyTorch).
    public func mean() -> Tensor { mean(axes: allAxes, keepDims: false) }
    /// The mean over `axes`, which are removed.
    public func mean(squeezingAxes axes: [Int]) -> Tensor {
        mean(axes: reductionAxes(axes, op: "mean"), keepDims: false)
    }
    public func mean(squeezingAxes axes: Int...) -> Tensor { mean(squeezingAxes: axes) }
    /// The mean over `axes`, which are kept with size 1.
    public func mean(alongAxes axes: [Int]) -> Tensor {
        mean(axes: reductionAxes(axes, op: "mean"), keepDims: true)
    }
    public func mean(alongAxes axes: Int...) -> Tensor { mean(alongAxes: axes) }

    private func mean(axes: [Int], keepDims: Bool) -> Tensor {
        precondition(
            dtype.isFloatingPoint,
            "mean: could not infer output dtype; input dtype must be floating point, got \(dtype.rawValue)")
        let n = rank == 0 ? 1 : axes.reduce(1) { $0 * shape[$1] }
        return dispatch1(.sum(axes: rank == 0 ? [0] : axes, keepDims: keepDims), self) / Double(n)
    }

    // MARK: prod

    /// The product of all elements (`torch.prod`).
    public func prod() -> Tensor { dispatch1(.prod(axes: allAxes, keepDims: false), self) }
    /// The product over `axes`, which are removed.
    public func prod(squeezingAxes axes: [Int]) -> Tensor {
        dispatch1(.prod(axes: reductionAxes(axes, op: "prod"), keepDims: false), self)
    }
    public func prod(squeezingAxes axes: Int...) -> Tensor { prod(squeezingAxes: axes) }
    /// The product over `axes`, which are kept with size 1.
    public func prod(alongAxes axes: [Int]) -> Tensor {
        dispatch1(.prod(axes: reductionAxes(axes, op: "prod"), keepDims: true), self)
    }
    public func prod(alongAxes axes: Int...) -> Tensor { prod(alongAxes: axes) }

    // MARK: max and min

    /// The largest element (`torch.max`); NaN if any element is NaN. The gradient is shared evenly among
    /// tied maxima.
    public func max() -> Tensor { dispatch1(.max(axes: allAxes, keepDims: false), self) }
    /// The largest elements over `axes`, which are removed (`torch.amax`).
    public func max(squeezingAxes axes: [Int]) -> Tensor {
        dispatch1(.max(axes: reductionAxes(axes, op: "max"), keepDims: false), self)
    }
    public func max(squeezingAxes axes: Int...) -> Tensor { max(squeezingAxes: axes) }
    /// The largest elements over `axes`, which are kept with size 1.
    public func max(alongAxes axes: [Int]) -> Tensor {
        dispatch1(.max(axes: reductionAxes(axes, op: "max"), keepDims: true), self)
    }
    public func max(alongAxes axes: Int...) -> Tensor { max(alongAxes: axes) }

    /// The smallest element (`torch.min`).
    public func min() -> Tensor { dispatch1(.min(axes: allAxes, keepDims: false), self) }
    /// The smallest elements over `axes`, which are removed (`torch.amin`).
    public func min(squeezingAxes axes: [Int]) -> Tensor {
        dispatch1(.min(axes: reductionAxes(axes, op: "min"), keepDims: false), self)
    }
    public func min(squeezingAxes axes: Int...) -> Tensor { min(squeezingAxes: axes) }
    /// The smallest elements over `axes`, which are kept with size 1.
    public func min(alongAxes axes: [Int]) -> Tensor {
        dispatch1(.min(axes: reductionAxes(axes, op: "min"), keepDims: true), self)
    }
    public func min(alongAxes axes: Int...) -> Tensor { min(alongAxes: axes) }

    // MARK: argmax and argmin

    /// The flat index of the first largest element, int64 (`torch.argmax`).
    public func argmax() -> Tensor { dispatch1(.argmax(axis: nil, keepDims: false), self) }
    /// The index of the first largest element along `axis`, which is removed.
    public func argmax(squeezingAxis axis: Int) -> Tensor {
        dispatch1(.argmax(axis: reductionAxes([axis], op: "argmax")[0], keepDims: false), self)
    }
    /// The index of the first largest element along `axis`, which is kept with size 1.
    public func argmax(alongAxis axis: Int) -> Tensor {
        dispatch1(.argmax(axis: reductionAxes([axis], op: "argmax")[0], keepDims: true), self)
    }
    /// The flat index of the first smallest element (`torch.argmin`).
    public func argmin() -> Tensor { dispatch1(.argmin(axis: nil, keepDims: false), self) }
    /// The index of the first smallest element along `axis`, which is removed.
    public func argmin(squeezingAxis axis: Int) -> Tensor {
        dispatch1(.argmin(axis: reductionAxes([axis], op: "argmin")[0], keepDims: false), self)
    }
    /// The index of the first smallest element along `axis`, which is kept with size 1.
    public func argmin(alongAxis axis: Int) -> Tensor {
        dispatch1(.argmin(axis: reductionAxes([axis], op: "argmin")[0], keepDims: true), self)
    }

    // MARK: variance and standard deviation

    /// The variance of all elements with Bessel's correction by default (`torch.var`).
    ///
    /// `correction` is subtracted from the element count in the denominator (1: sample variance,
    /// 0: population variance).
    public func variance(correction: Int = 1) -> Tensor {
        variance(axes: allAxes, keepDims: false, correction: correction)
    }
    /// The variance over `axes`, which are removed.
    public func variance(squeezingAxes axes: [Int], correction: Int = 1) -> Tensor {
        variance(axes: reductionAxes(axes, op: "var"), keepDims: false, correction: correction)
    }
    /// The variance over `axes`, which are kept with size 1.
    public func variance(alongAxes axes: [Int], correction: Int = 1) -> Tensor {
        variance(axes: reductionAxes(axes, op: "var"), keepDims: true, correction: correction)
    }

    /// The standard deviation of all elements (`torch.std`), with Bessel's correction by default.
    public func std(correction: Int = 1) -> Tensor { variance(correction: correction).sqrt() }
    /// The standard deviation over `axes`, which are removed.
    public func std(squeezingAxes axes: [Int], correction: Int = 1) -> Tensor {
        variance(squeezingAxes: axes, correction: correction).sqrt()
    }
    /// The standard deviation over `axes`, which are kept with size 1.
    public func std(alongAxes axes: [Int], correction: Int = 1) -> Tensor {
        variance(alongAxes: axes, correction: correction).sqrt()
    }

    private func variance(axes: [Int], keepDims: Bool, correction: Int) -> Tensor {
        precondition(dtype.isFloatingPoint, "var: needs a floating-point dtype, got \(dtype.rawValue)")
        let axes = rank == 0 ? [0] : axes
        let n = rank == 0 ? 1 : axes.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(axes: axes, keepDims: true)
        let squares = dispatch1(.sum(axes: axes, keepDims: keepDims), centered * centered)
        return squares / Double(Swift.max(n - correction, 0))
    }

    /// `self`'s gradient-shaped sum back to `target` (sums the leading axes and the axes where `target`
    /// has size 1): the reverse of broadcasting.
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        precondition(
            lead >= 0, "sumToShape: cannot sum shape \(shapeString(shape)) to \(shapeString(target))")
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        var r = axes.isEmpty ? self : dispatch1(.sum(axes: axes, keepDims: true), self)
        if lead > 0 || r.shape != target { r = r.reshaped(to: target) }
        return r
    }
}

// MARK: - Free functions

/// The sum of all elements (`torch.sum`).
public func sum(_ x: Tensor) -> Tensor { x.sum() }
/// The sum over `axes`, removed (`torch.sum(x, dim)`).
public func sum(_ x: Tensor, squeezingAxes axes: [Int]) -> Tensor { x.sum(squeezingAxes: axes) }
/// The sum over `axes`, kept (`torch.sum(x, dim, keepdim=True)`).
public func sum(_ x: Tensor, alongAxes axes: [Int]) -> Tensor { x.sum(alongAxes: axes) }
/// The mean of all elements (`torch.mean`).
public func mean(_ x: Tensor) -> Tensor { x.mean() }
/// The mean over `axes`, removed.
public func mean(_ x: Tensor, squeezingAxes axes: [Int]) -> Tensor { x.mean(squeezingAxes: axes) }
/// The mean over `axes`, kept.
public func mean(_ x: Tensor, alongAxes axes: [Int]) -> Tensor { x.mean(alongAxes: axes) }
/// The product of all elements (`torch.prod`).
public func prod(_ x: Tensor) -> Tensor { x.prod() }
/// The largest element (`torch.max`).
public func max(_ x: Tensor) -> Tensor { x.max() }
/// The smallest element (`torch.min`).
public func min(_ x: Tensor) -> Tensor { x.min() }
/// The flat index of the largest element (`torch.argmax`).
public func argmax(_ x: Tensor) -> Tensor { x.argmax() }
/// The index of the largest element along `axis`, removed (`torch.argmax(x, dim)`).
public func argmax(_ x: Tensor, squeezingAxis axis: Int) -> Tensor { x.argmax(squeezingAxis: axis) }
/// The flat index of the smallest element (`torch.argmin`).
public func argmin(_ x: Tensor) -> Tensor { x.argmin() }
/// The index of the smallest element along `axis`, removed (`torch.argmin(x, dim)`).
public func argmin(_ x: Tensor, squeezingAxis axis: Int) -> Tensor { x.argmin(squeezingAxis: axis) }
/// The variance, with Bessel's correction by default (`torch.var`).
public func variance(_ x: Tensor, correction: Int = 1) -> Tensor { x.variance(correction: correction) }
/// The standard deviation, with Bessel's correction by default (`torch.std`).
public func std(_ x: Tensor, correction: Int = 1) -> Tensor { x.std(correction: correction) }
