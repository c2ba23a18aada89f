// Indexing and slicing with subscripts, as PyTorch's `x[0]`, `x[1:3]`, `x[::2]`, `x[..., 0]`.

/// One item of a tensor subscript.
public enum TensorIndex: Sendable, Hashable {
    /// Selects one position and removes the axis (negative counts from the end).
    case index(Int)
    /// Selects `start..<end` by `step` and keeps the axis (nil bounds mean the whole axis; negative
    /// bounds count from the end; out-of-range bounds are clamped, as in Python).
    case range(start: Int?, end: Int?, step: Int)
    /// Every axis not named by the other items (`...`).
    case ellipsis
    /// A new axis of size 1 (`None` in PyTorch).
    case newAxis

    /// The whole axis (`:`).
    public static let all = TensorIndex.range(start: nil, end: nil, step: 1)
}

/// Values usable in a tensor subscript: `Int`, the range types, `StrideTo<Int>`, ``TensorIndex``.
public protocol TensorIndexConvertible {
    var tensorIndex: TensorIndex { get }
}
extension TensorIndex: TensorIndexConvertible { public var tensorIndex: TensorIndex { self } }
extension Int: TensorIndexConvertible { public var tensorIndex: TensorIndex { .index(self) } }
extension Range<Int>: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { .range(start: lowerBound, end: upperBound, step: 1) }
}
extension ClosedRange<Int>: TensorIndexConvertible {
    public var tensorIndex: TensorIndex {
        .range(start: lowerBound, end: upperBound == -1 ? nil : upperBound + 1, step: 1)
    }
}
extension PartialRangeFrom<Int>: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { .range(start: lowerBound, end: nil, step: 1) }
}
extension PartialRangeUpTo<Int>: TensorIndexConvertible {
    public var tensorIndex: TensorIndex { .range(start: nil, end: upperBound, step: 1) }
}
extension PartialRangeThrough<Int>: TensorIndexConvertible {
    public var tensorIndex: TensorIndex {
        .range(start: nil, end: upperBound == -1 ? nil : upperBound + 1, step: 1)
    }
}
extension StrideTo<Int>: TensorIndexConvertible {
    /// `stride(from: 0, to: 10, by: 2)` is PyTorch's `0:10:2`.
    public var tensorIndex: TensorIndex {
        // StrideTo's mirror names its bounds "from", "to" and "by".
        let m = Mirror(reflecting: self)
        let start = m.descendant("from") as? Int ?? 0
        let end = m.descendant("to") as? Int ?? 0
        let step = m.descendant("by") as? Int ?? 1
        return .range(start: start, end: end, step: step)
    }
}

extension Tensor {
    /// The view selected by `indices` (PyTorch indexing with ints, slices, `...` and new axes).
    ///
    /// ```swift
    /// let x = Tensor.arange(12).reshaped(to: [3, 4])
    /// x[0]                                   // tensor([0, 1, 2, 3])
    /// x[1..., stride(from: 0, to: 4, by: 2)] // tensor([[ 4,  6], [ 8, 10]])
    /// x[TensorIndex.ellipsis, 0]             // tensor([0, 4, 8])
    /// ```
    /// Assigning through the subscript writes into this tensor only (copy-on-write).
    public subscript(_ indices: any TensorIndexConvertible...) -> Tensor {
        get { self[indices.map(\.tensorIndex)] }
        set { self[indices.map(\.tensorIndex)] = newValue }
    }

    /// The view selected by a list of ``TensorIndex`` items.
    public subscript(indices: [TensorIndex]) -> Tensor {
        get {
            let plan = indexPlan(indices)
            var t = self
            if plan.ranges != shape.map({ SliceRange(start: 0, end: $0) }) {
                t = dispatch1(.slice(plan.ranges), t)
            }
            if plan.resultShape != t.shape { t = t.reshaped(to: plan.resultShape) }
            return t
        }
        set {
            let plan = indexPlan(indices)
            let regionShape = plan.ranges.map(\.count)
            var value = newValue
            if broadcastShapes(regionShape, value.shape) != regionShape {
                // PyTorch's rule: the value, without its leading size-1 axes, broadcasts to the shape of the
                // selection, which differs from the region's only in size-1 axes (an index removes one,
                // a new axis adds one).
                let ones = value.shape.prefix { $0 == 1 }.count
                if ones > 0 { value = value.reshaped(to: Array(value.shape.dropFirst(ones))) }
                precondition(
                    broadcastShapes(plan.resultShape, value.shape) == plan.resultShape,
                    "index: shape mismatch: value tensor of shape \(shapeString(newValue.shape)) cannot be "
                        + "broadcast to indexing result of shape \(shapeString(plan.resultShape))")
                value = value.expanded(to: plan.resultShape).reshaped(to: regionShape)
            }
            applyInPlace(.sliceScatter(plan.ranges), [value])
        }
    }

    private struct IndexPlan {
        var ranges: [SliceRange]
        var resultShape: [Int]
    }

    private func indexPlan(_ indices: [TensorIndex]) -> IndexPlan {
        let named = indices.filter {
            if case .index = $0 { return true }; if case .range = $0 { return true }; return false
        }.count
        precondition(
            named <= rank, "index: too many indices (\(named)) for a tensor of shape \(shapeString(shape))")
        precondition(
            indices.filter { $0 == .ellipsis }.count <= 1, "index: an index can only have one ellipsis")
        var expanded: [TensorIndex] = []
        for i in indices {
            if i == .ellipsis {
                expanded.append(contentsOf: Array(repeating: TensorIndex.all, count: rank - named))
            } else {
                expanded.append(i)
            }
        }
        var ranges: [SliceRange] = []
        var result: [Int] = []
        var axis = 0
        for i in expanded {
            switch i {
            case .newAxis:
                result.append(1)
            case .ellipsis:
                break
            case .index(let k):
                let d = shape[axis]
                let n = k < 0 ? k + d : k
                precondition(n >= 0 && n < d, "index \(k) is out of bounds for axis \(axis) with size \(d)")
                ranges.append(SliceRange(start: n, end: n + 1))
                axis += 1
            case .range(let s, let e, let step):
                precondition(step > 0, "slice: step must be positive, got \(step)")
                let d = shape[axis]
                func clampBound(_ b: Int?, _ fallback: Int) -> Int {
                    guard let b else { return fallback }
                    return Swift.min(Swift.max(b < 0 ? b + d : b, 0), d)
                }
                let lo = clampBound(s, 0)
                let hi = Swift.max(clampBound(e, d), lo)
                let r = SliceRange(start: lo, end: hi, step: step)
                ranges.append(r)
                result.append(r.count)
                axis += 1
            }
        }
        while axis < rank {
            ranges.append(SliceRange(start: 0, end: shape[axis]))
            result.append(shape[axis])
            axis += 1
        }
        return IndexPlan(ranges: ranges, resultShape: result)
    }
}
