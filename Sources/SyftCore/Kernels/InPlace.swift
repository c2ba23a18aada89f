// Note [Updating in place]
// Value semantics let an in-place operator (`+=`, ...) always compute a new buffer; when the tensor's
// storage has no other reference (no copy, view or saved tensor shares it), writing into it is
// indistinguishable from that, and halves the memory traffic of an optimizer step. This is the only
// place that writes into an existing storage, and only after `isKnownUniquelyReferenced`.

extension Tensor {
    /// Whether this local tensor's storage has no other reference (briefly takes it out of `storage`).
    mutating func hasUniqueStorage() -> Bool {
        guard case .local(var s) = storage else { return false }
        storage = .local(Tensor.placeholderStorage)
        let unique = isKnownUniquelyReferenced(&s)
        storage = .local(s)
        return unique
    }

    /// A storage that stands in while `hasUniqueStorage` checks the real one.
    nonisolated(unsafe) private static let placeholderStorage = Storage.allocate(byteCount: 0)

    /// Applies an elementwise `op` with `other` (same shape and dtype, flat, or a wrapped number of this
    /// dtype's category) directly into this tensor's buffer when it is contiguous and uniquely held.
    /// Returns false (changing nothing) when the fast case does not apply.
    mutating func updateInPlace(_ op: Op, _ other: Tensor) -> Bool {
        guard other.isLocal, dtype.isFloatingPoint, isContiguous, count >= 1 else { return false }
        let sameShape = other.shape == shape && other.dtype == dtype && other.isContiguous
        // One element read everywhere: a 0-d number, or one element expanded to this shape (the gradient
        // of a sum, which a leaf's gradient slot accumulates every step).
        let scalar =
            other.dtype != .bool
            && ((other.count == 1 && other.rank == 0)
                || (other.shape == shape && other.strides.allSatisfy { $0 == 0 }))
        guard sameShape || scalar else { return false }
        switch op {
        case .add, .sub, .mul, .div: break
        default: return false
        }
        guard hasUniqueStorage() else { return false }
        func run<T: FloatElement>(_: T.Type) {
            let d = UncheckedSendable(elementPointer(T.self))
            let n = count
            if scalar {
                let v = other.singleElement(as: T.self)
                parallelChunks(n, grain: Grain.cheap) { r in
                    let d = d.value
                    switch op {
                    case .add: for i in r { d[i] += v }
                    case .sub: for i in r { d[i] -= v }
                    case .mul: for i in r { d[i] *= v }
                    default: for i in r { d[i] /= v }
                    }
                }
            } else {
                let s = UncheckedSendable(other.elementPointer(T.self))
                parallelChunks(n, grain: Grain.cheap) { r in
                    let d = d.value
                    let s = s.value
                    switch op {
                    case .add: for i in r { d[i] += s[i] }
                    case .sub: for i in r { d[i] -= s[i] }
                    case .mul: for i in r { d[i] *= s[i] }
                    default: for i in r { d[i] /= s[i] }
                    }
                }
            }
        }
        if dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return true
    }

    /// `self += alpha * other` directly into this tensor's buffer (PyTorch's `add_(other, alpha:)`, the
    /// update of an optimizer step: one pass, no temporary), when this tensor is a contiguous floating-point
    /// buffer held by nobody else and `other` is contiguous of the same shape and dtype. Rounds as
    /// `self + (alpha * other)` does in the tensor's dtype. Returns false (changing nothing) otherwise.
    package mutating func addScaledInPlace(_ other: Tensor, alpha: Double) -> Bool {
        guard other.isLocal, dtype.isFloatingPoint, isContiguous, count >= 1, other.dtype == dtype,
            other.shape == shape, other.isContiguous, hasUniqueStorage()
        else { return false }
        func run<T: FloatElement>(_: T.Type) {
            let d = UncheckedSendable(elementPointer(T.self))
            let s = UncheckedSendable(other.elementPointer(T.self))
            let a = T(converting: alpha)
            parallelChunks(count, grain: Grain.cheap) { r in
                let d = d.value
                let s = s.value
                for i in r { d[i] += a * s[i] }
            }
        }
        if dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return true
    }
}
