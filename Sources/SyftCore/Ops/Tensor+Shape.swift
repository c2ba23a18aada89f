// Shape and movement: views where the layout allows (no copy), as PyTorch's view operations.

extension Tensor {
    /// The same elements with a new shape; one dimension may be -1 (inferred). A view when the layout
    /// allows, else a copy (`torch.reshape`).
    ///
    /// ```swift
    /// Tensor.arange(6).reshaped(to: [2, -1])   // shape [2, 3]
    /// ```
    public func reshaped(to newShape: [Int]) -> Tensor {
        var target = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        precondition(
            unknown.count <= 1, "reshape: only one dimension can be inferred in \(shapeString(newShape))")
        if let u = unknown.first {
            let known = newShape.enumerated().filter { $0.offset != u }.reduce(1) { $0 * $1.element }
            precondition(
                known != 0 && count % known == 0,
                "reshape: shape \(shapeString(newShape)) is invalid for input of size \(count) "
                    + "(shape \(shapeString(shape)))")
            target[u] = count / known
        }
        if target == shape { return self }
        return dispatch1(.reshape(target), self)
    }

    /// The elements as one axis (`torch.flatten`).
    public func flattened() -> Tensor { reshaped(to: [count]) }

    /// Axes `a` and `b` swapped (`torch.transpose`); a view.
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        guard let na = normalizeAxis(a, rank: rank), let nb = normalizeAxis(b, rank: rank), rank > 0 else {
            preconditionFailure("transpose: axes \(a), \(b) out of range for shape \(shapeString(shape))")
        }
        if na == nb { return self }
        var dims = Array(0..<rank)
        dims.swapAt(na, nb)
        return dispatch1(.permute(dims), self)
    }

    /// A matrix transposed (`x.t()`: rank 2 swaps its axes; rank 0 and 1 are returned as they are).
    public func transposed() -> Tensor {
        precondition(
            rank <= 2, "t: expects a tensor with at most 2 dimensions, got shape \(shapeString(shape))")
        return rank < 2 ? self : transposed(0, 1)
    }

    /// The last two axes swapped (`x.mT`), for batched matrices.
    public func matrixTransposed() -> Tensor {
        precondition(rank >= 2, "mT: expects at least 2 dimensions, got shape \(shapeString(shape))")
        return transposed(-2, -1)
    }

    /// The axes reordered: axis `i` of the result is axis `dims[i]` (`torch.permute`); a view.
    public func permuted(_ dims: [Int]) -> Tensor {
        let normalized = dims.map { d -> Int in
            guard let n = normalizeAxis(d, rank: rank) else {
                preconditionFailure("permute: axis \(d) out of range for shape \(shapeString(shape))")
            }
            return n
        }
        if normalized == Array(0..<rank) { return self }
        return dispatch1(.permute(normalized), self)
    }
    public func permuted(_ dims: Int...) -> Tensor { permuted(dims) }

    /// Size-1 axes removed (`torch.squeeze`).
    public func squeezed() -> Tensor { reshaped(to: shape.filter { $0 != 1 }) }

    /// Axis `axis` removed if it has size 1 (`torch.squeeze(x, dim)`).
    public func squeezed(at axis: Int) -> Tensor {
        guard let a = normalizeAxis(axis, rank: rank) else {
            preconditionFailure("squeeze: axis \(axis) out of range for shape \(shapeString(shape))")
        }
        if rank == 0 || shape[a] != 1 { return self }
        var s = shape
        s.remove(at: a)
        return reshaped(to: s)
    }

    /// A size-1 axis inserted at `axis` (`torch.unsqueeze`); `axis` may be negative (from the end).
    public func unsqueezed(at axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(
            a >= 0 && a <= rank, "unsqueeze: axis \(axis) out of range for shape \(shapeString(shape))")
        var s = shape
        s.insert(1, at: a)
        return reshaped(to: s)
    }

    /// The tensor broadcast to `shape` without copying (`torch.expand`); -1 keeps a dimension.
    public func expanded(to shape: [Int]) -> Tensor {
        let lead = shape.count - rank
        precondition(
            lead >= 0, "expand: cannot expand shape \(shapeString(self.shape)) to \(shapeString(shape))")
        let target = shape.enumerated().map { i, d in d == -1 && i >= lead ? self.shape[i - lead] : d }
        if target == self.shape { return self }
        return dispatch1(.expand(target), self)
    }

    /// `self` with the region `ranges` replaced by `value` (`torch.slice_scatter`, for all axes at once).
    public func sliceScattered(_ value: Tensor, ranges: [SliceRange]) -> Tensor {
        dispatch1(.sliceScatter(ranges), self, value)
    }

    /// Pieces of `size` along `axis` (the last may be smaller), as views (`torch.split`).
    public func split(_ size: Int, axis: Int = 0) -> [Tensor] {
        precondition(size > 0, "split: size must be positive")
        let a = normalizedAxis(axis, op: "split")
        if shape[a] == 0 { return [self] }  // one empty piece, as PyTorch
        return split(
            sizes: stride(from: 0, to: shape[a], by: size).map { Swift.min(size, shape[a] - $0) }, axis: a)
    }

    /// Pieces of the given sizes along `axis` (`torch.split` with a list).
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let a = normalizedAxis(axis, op: "split")
        precondition(
            sizes.reduce(0, +) == shape[a] && sizes.allSatisfy { $0 >= 0 },
            "split: sizes \(shapeString(sizes)) do not add up to \(shape[a]) (axis \(a) of shape \(shapeString(shape)))"
        )
        var start = 0
        return sizes.map { n in
            var ranges = shape.map { SliceRange(start: 0, end: $0) }
            ranges[a] = SliceRange(start: start, end: start + n)
            start += n
            return dispatch1(.slice(ranges), self)
        }
    }

    /// `chunks` pieces of (nearly) equal size along `axis` (`torch.chunk`).
    public func chunked(_ chunks: Int, axis: Int = 0) -> [Tensor] {
        precondition(chunks > 0, "chunk: number of chunks must be positive")
        let a = normalizedAxis(axis, op: "chunk")
        if shape[a] == 0 { return Array(repeating: self, count: chunks) }  // empty pieces, as PyTorch
        let size = Swift.max(1, (shape[a] + chunks - 1) / chunks)
        return split(size, axis: a)
    }

    func normalizedAxis(_ axis: Int, op: String) -> Int {
        guard rank > 0, let a = normalizeAxis(axis, rank: rank) else {
            preconditionFailure("\(op): axis \(axis) is out of range for shape \(shapeString(shape))")
        }
        return a
    }
}

/// The tensors joined along an existing axis (`torch.cat`).
///
/// ```swift
/// cat([Tensor([1, 2]), Tensor([3])])   // tensor([1, 2, 3])
/// ```
public func cat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "cat: expected a non-empty list of tensors")
    let a = tensors[0].normalizedAxis(axis, op: "cat")
    if tensors.count == 1 { return tensors[0] }
    return dispatch(.cat(axis: a), tensors)[0]
}

/// The tensors joined along a new axis (`torch.stack`); all must have one shape.
public func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "stack: expected a non-empty list of tensors")
    let shape = tensors[0].shape
    precondition(
        tensors.allSatisfy { $0.shape == shape },
        "stack: expects each tensor to be equal size, got \(tensors.map { shapeString($0.shape) }.joined(separator: ", "))"
    )
    let a = axis < 0 ? axis + shape.count + 1 : axis
    precondition(
        a >= 0 && a <= shape.count, "stack: axis \(axis) out of range for shape \(shapeString(shape))")
    return cat(tensors.map { $0.unsqueezed(at: a) }, axis: a)
}

/// Pieces of `size` along `axis` (`torch.split`).
public func split(_ x: Tensor, _ size: Int, axis: Int = 0) -> [Tensor] { x.split(size, axis: axis) }
/// The tensor with a new shape (`torch.reshape`).
public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor { x.reshaped(to: shape) }
/// Axes `a` and `b` swapped (`torch.transpose`).
public func transpose(_ x: Tensor, _ a: Int, _ b: Int) -> Tensor { x.transposed(a, b) }
/// The axes reordered (`torch.permute`).
public func permute(_ x: Tensor, _ dims: [Int]) -> Tensor { x.permuted(dims) }
/// Size-1 axes removed (`torch.squeeze`).
public func squeeze(_ x: Tensor) -> Tensor { x.squeezed() }
/// A size-1 axis inserted (`torch.unsqueeze`).
public func unsqueeze(_ x: Tensor, _ axis: Int) -> Tensor { x.unsqueezed(at: axis) }

/// The matrix product with PyTorch's rules (`torch.matmul`): vector·vector is a dot product, matrix and
/// vector operands are promoted and the added axis removed, leading (batch) axes broadcast.
///
/// ```swift
/// matmul(Tensor([[1.0, 2], [3, 4]]), Tensor([1.0, 1]))   // tensor([3., 7.])
/// ```
/// - Precondition: both operands have the same dtype and matching inner dimensions.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { dispatch1(.matmul, a, b) }

extension Tensor {
    /// The matrix product `self · other` (`torch.matmul`).
    public func matmul(_ other: Tensor) -> Tensor { SyftCore.matmul(self, other) }
}
