// Elementwise kernels: unary, binary (with broadcasting) and where. Contiguous operands of the output's
// shape and single-element operands take flat loops the compiler vectorizes; other layouts are walked as
// strided runs (Iteration.swift). Large outputs are split across the cores.

/// How a kernel reads one operand for an output of a given shape.
enum OperandAccess<T> {
    case flat(UnsafeMutablePointer<T>)
    case scalar(T)
    case strided
}

extension Tensor {
    /// The element as `T` when the tensor has one element (any dtype, converted).

    func singleElement<T: TensorElement>(as _: T.Type) -> T {
        let p = localStorage.pointer
        switch dtype {
        case .float32: return T(converting: Double(p.assumingMemoryBound(to: Float.self)[offset]))
        case .float64: return T(converting: p.assumingMemoryBound(to: Double.self)[offset])
        case .int64:
            let v = p.assumingMemoryBound(to: Int64.self)[offset]
            if T.self == Int64.self { return unsafeBitCast(v, to: T.self) }
            return T(converting: Double(v))
        case .bool:
            let v = p.assumingMemoryBound(to: Bool.self)[offset]
            return T(converting: v ? 1 : 0)
        }
    }

    func access<T: TensorElement>(_: T.Type, for shape: [Int]) -> OperandAccess<T> {
        if count == 1 { return .scalar(singleElement(as: T.self)) }
        if isFlat(shape) && dtype == T.dtype { return .flat(elementPointer(T.self)) }
        return .strided
    }
}

/// `out[i] = f(x[i])`, with `x` converted to `F.A` first when its dtype differs.
func unaryKernel<F: UnaryFunctor>(_ x: Tensor, _ f: F, grain: Int = Grain.cheap) -> Tensor {
    typealias T = F.A
    typealias U = F.R
    let x = x.dtype == T.dtype ? x : x.converted(to: T.dtype)
    let out =
        x.isContiguous
        ? Tensor(uninitializedShape: x.shape, dtype: U.dtype, strides: x.strides)
        : Tensor(uninitializedShape: x.shape, dtype: U.dtype)
    let n = out.count
    if n == 0 { return out }
    let dst = UncheckedSendable(out.elementPointer(U.self))
    if x.isContiguous {
        let src = UncheckedSendable(x.elementPointer(T.self))
        parallelChunks(n, grain: grain) { r in
            let s = src.value
            let d = dst.value
            for i in r { d[i] = f(s[i]) }
        }
        return out
    }
    let layout = StridedLayout(shape: x.shape, strides: [x.strides])
    let src = UncheckedSendable(x.localStorage.pointer.assumingMemoryBound(to: T.self))
    let inner = layout.strides[0].last!
    parallelChunks(n, grain: grain) { r in
        layout.forEachRun(in: r, base: [x.offset]) { start, count, offsets in
            var p = src.value + offsets[0]
            let d = dst.value + start
            for i in 0..<count {
                d[i] = f(p.pointee)
                p += inner
            }
        }
    }
    return out
}

/// `out[i] = f(a[i], b[i])` over the broadcast shape `shape`; both operands are read as `F.A`.
func binaryKernel<F: BinaryFunctor>(
    _ a: Tensor, _ b: Tensor, shape: [Int], _ f: F, grain: Int = Grain.cheap
) -> Tensor {
    typealias T = F.A
    typealias U = F.R
    let out =
        a.isFlat(shape)
        ? Tensor(uninitializedShape: shape, dtype: U.dtype, strides: a.strides)
        : (b.isFlat(shape)
            ? Tensor(uninitializedShape: shape, dtype: U.dtype, strides: b.strides)
            : Tensor(uninitializedShape: shape, dtype: U.dtype))
    let n = out.count
    if n == 0 { return out }
    let dst = UncheckedSendable(out.elementPointer(U.self))
    switch (a.access(T.self, for: shape), b.access(T.self, for: shape)) {
    case (.flat(let pa), .flat(let pb)):
        let src = UncheckedSendable((pa, pb))
        parallelChunks(n, grain: grain) { r in
            let (pa, pb) = src.value
            let d = dst.value
            for i in r { d[i] = f(pa[i], pb[i]) }
        }
    case (.flat(let pa), .scalar(let vb)):
        let src = UncheckedSendable(pa)
        parallelChunks(n, grain: grain) { r in
            let pa = src.value
            let d = dst.value
            for i in r { d[i] = f(pa[i], vb) }
        }
    case (.scalar(let va), .flat(let pb)):
        let src = UncheckedSendable(pb)
        parallelChunks(n, grain: grain) { r in
            let pb = src.value
            let d = dst.value
            for i in r { d[i] = f(va, pb[i]) }
        }
    case (.scalar(let va), .scalar(let vb)):
        let v = f(va, vb)
        dst.value.update(repeating: v, count: n)
    default:
        let ca = a.dtype == T.dtype ? a : a.converted(to: T.dtype)
        let cb = b.dtype == T.dtype ? b : b.converted(to: T.dtype)
        let layout = StridedLayout(
            shape: shape, strides: [ca.strides(broadcastTo: shape), cb.strides(broadcastTo: shape)])
        let src = UncheckedSendable(
            (
                ca.localStorage.pointer.assumingMemoryBound(to: T.self),
                cb.localStorage.pointer.assumingMemoryBound(to: T.self)
            ))
        let sa = layout.strides[0].last!
        let sb = layout.strides[1].last!
        parallelChunks(n, grain: grain) { r in
            let (pa, pb) = src.value
            layout.forEachRun(in: r, base: [ca.offset, cb.offset]) { start, count, offsets in
                var p = pa + offsets[0]
                var q = pb + offsets[1]
                let d = dst.value + start
                if sa == 1 && sb == 0 {
                    let v = q.pointee
                    for i in 0..<count { d[i] = f(p[i], v) }
                } else if sa == 0 && sb == 1 {
                    let v = p.pointee
                    for i in 0..<count { d[i] = f(v, q[i]) }
                } else {
                    for i in 0..<count {
                        d[i] = f(p.pointee, q.pointee)
                        p += sa
                        q += sb
                    }
                }
            }
        }
    }
    return out
}

/// `out[i] = cond[i] ? a[i] : b[i]` over the broadcast shape, operands read as `T`.
func whereKernel<T: TensorElement>(
    _ cond: Tensor, _ a: Tensor, _ b: Tensor, shape: [Int], _: T.Type
) -> Tensor {
    let out = Tensor(uninitializedShape: shape, dtype: T.dtype)
    let n = out.count
    if n == 0 { return out }
    let ca = a.dtype == T.dtype ? a : a.converted(to: T.dtype)
    let cb = b.dtype == T.dtype ? b : b.converted(to: T.dtype)
    let layout = StridedLayout(
        shape: shape,
        strides: [
            cond.strides(broadcastTo: shape), ca.strides(broadcastTo: shape), cb.strides(broadcastTo: shape),
        ])
    let ptrs = UncheckedSendable(
        (
            cond.localStorage.pointer.assumingMemoryBound(to: Bool.self),
            ca.localStorage.pointer.assumingMemoryBound(to: T.self),
            cb.localStorage.pointer.assumingMemoryBound(to: T.self),
            out.elementPointer(T.self)
        ))
    let (sc, sa, sb) = (layout.strides[0].last!, layout.strides[1].last!, layout.strides[2].last!)
    parallelChunks(n, grain: Grain.cheap) { r in
        let (pc, pa, pb, d) = ptrs.value
        layout.forEachRun(in: r, base: [cond.offset, ca.offset, cb.offset]) { start, count, o in
            var c = pc + o[0]
            var p = pa + o[1]
            var q = pb + o[2]
            for i in 0..<count {
                d[start + i] = c.pointee ? p.pointee : q.pointee
                c += sc
                p += sa
                q += sb
            }
        }
    }
    return out
}
