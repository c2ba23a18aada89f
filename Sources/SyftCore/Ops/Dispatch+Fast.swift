// Note [The elementwise fast path]
// The common case of an elementwise operation (local operands, the same dtype, one contiguous shape or a
// tensor and a wrapped number) runs here without building operand arrays or calling the shape rule: its
// shape rule is trivially "the input's shape and dtype", and the kernel is the same functor loop the
// general path uses. When an operand requires grad, the node is recorded as on the general path.
// Everything else falls through to `dispatch`.

extension Op {
    /// The binary elementwise op on two local contiguous operands of one shape and dtype, or on a local
    /// contiguous tensor and a wrapped number of its category; nil when the fast path does not apply.
    func fastBinary(_ a: Tensor, _ b: Tensor) -> Tensor? {
        guard case .local = a.storage, case .local = b.storage else {
            return nil
        }
        let sameShape = a.dtype == b.dtype && a.shape == b.shape
        // One element read everywhere: a wrapped number of a's category, or a same-dtype tensor broadcast
        // from one element (all strides 0, as the gradient of a sum).
        let broadcastB = sameShape && b.strides.allSatisfy { $0 == 0 }
        let scalarB =
            broadcastB
            || (b.isWrappedNumber && !a.isWrappedNumber && a.rank > 0
                && (b.dtype == a.dtype || (a.dtype == .float32 && b.dtype != .bool)
                    || (a.dtype == .float64 && b.dtype != .bool)))
        guard sameShape || scalarB, a.isContiguous, sameShape && !broadcastB ? b.isContiguous : true else {
            return nil
        }
        switch a.dtype {
        case .float32: return fastFloat(Float.self, a, b, scalarB)
        case .float64: return fastFloat(Double.self, a, b, scalarB)
        default: return nil
        }
    }

    private func fastFloat<T: FloatElement>(_: T.Type, _ a: Tensor, _ b: Tensor, _ scalarB: Bool) -> Tensor? {
        switch self {
        case .add: return fastRun(a, b, scalarB, AddF<T>())
        case .sub: return fastRun(a, b, scalarB, SubF<T>())
        case .mul: return fastRun(a, b, scalarB, MulF<T>())
        case .div: return fastRun(a, b, scalarB, DivF<T>())
        case .maximum: return fastRun(a, b, scalarB, MaximumF<T>())
        case .minimum: return fastRun(a, b, scalarB, MinimumF<T>())
        default: return nil
        }
    }

    @inline(__always)
    private func fastRun<F: BinaryFunctor>(_ a: Tensor, _ b: Tensor, _ scalarB: Bool, _ f: F) -> Tensor
    where F.A == F.R {
        let n = a.count
        if n >= Grain.cheap { return binaryKernel(a, b, shape: a.shape, f) }
        let storage = Storage.allocate(byteCount: n * MemoryLayout<F.R>.stride)
        let d = storage.pointer.assumingMemoryBound(to: F.R.self)
        let pa = a.elementPointer(F.A.self)
        if scalarB {
            let v = b.singleElement(as: F.A.self)
            for i in 0..<n { d[i] = f(pa[i], v) }
        } else {
            let pb = b.elementPointer(F.A.self)
            for i in 0..<n { d[i] = f(pa[i], pb[i]) }
        }
        // A contiguous input's strides are the output's: share the array instead of allocating one.
        let strides = a.strides
        return Tensor(storage: storage, shape: a.shape, strides: strides, dtype: a.dtype)
    }
}

/// Runs a binary elementwise operation: the fast path when it applies (recording its node when an operand
/// requires grad), else the one dispatch point.
func dispatchBinary(_ op: Op, _ a: Tensor, _ b: Tensor) -> Tensor {
    guard let fast = op.fastBinary(a, b) else { return dispatch(op, [a, b])[0] }
    guard a.autograd != nil || b.autograd != nil else { return fast }
    return recordingFast(op, fast, [a, b])
}

/// The fast path's `result` of `op` on `inputs`, with its node recorded when an operand requires grad
/// and recording is on (as `dispatch` records it).
func recordingFast(_ op: Op, _ result: Tensor, _ inputs: [Tensor]) -> Tensor {
    guard inputs.contains(where: { $0.autograd != nil }), GradientMode.isEnabled else { return result }
    var outputs = [result]
    record(op, inputs: inputs, outputs: &outputs)
    return outputs[0]
}
