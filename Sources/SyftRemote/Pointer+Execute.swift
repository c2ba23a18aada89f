import SyftCore
import SyftNN

extension PointerHandle {
    /// Sends `op` to this pointer's worker (SyftCore's dispatch calls this for any remote operand).
    public func execute(_ op: Op, _ operands: [Tensor]) -> [Tensor] {
        let location = self.location
        let metas: [TensorMeta]
        let wire: [Operand]
        let operandsRequireGrad: Bool
        do {
            (wire, operandsRequireGrad) = try wireOperands(operands, op: op, at: location)
            metas = try inferRemote(op, operands)
        } catch {
            location.channel.recordFailure(error)
            let meta =
                (try? op.inferOutputs(operands.map(\.meta)))
                ?? Array(repeating: operands[0].meta, count: op.outputCount)
            return meta.map {
                Tensor(remote: PointerHandle(failedAt: location, meta: $0, error: error), meta: $0)
            }
        }
        let gradEnabled = GradientMode.isEnabled
        let recordsGrad = gradEnabled && op.isDifferentiable && operandsRequireGrad
        let results = metas.map { _ in newObjectID() }
        location.channel.post(
            .command(op: op, operands: wire, results: results, inPlace: false, gradEnabled: gradEnabled),
            operandMetas: PlanContext.isActive ? operands.map(\.meta) : [])
        return zip(metas, results).map { meta, rid in
            Tensor(
                remote: PointerHandle(
                    location: location, idAtLocation: rid, ownerName: ownerName, meta: meta,
                    requiresGrad: recordsGrad && meta.dtype.isFloatingPoint),
                meta: meta)
        }
    }

    /// Runs `op` in place on this pointer's object: the pointer keeps pointing at the same object.
    public func executeInPlace(_ op: Op, _ operands: [Tensor]) -> Tensor {
        let target = operands[0]
        guard target.remoteHandle === self else {
            preconditionFailure(
                "\(op.name)_: cannot update a local tensor in place with a remote operand on \(locationID); "
                    + "get() the operand first")
        }
        let location = self.location
        do throws(SyftError) {
            let (wire, operandsRequireGrad) = try wireOperands(operands, op: op, at: location)
            _ = try inferRemote(op, operands)
            if let failure = target.inPlaceErrorIgnoringLeaf(op, Array(operands.dropFirst())) {
                throw SyftError.invalidCommand(op: op.name, reason: failure.message)
            }
            let recordsGrad = GradientMode.isEnabled && op.isDifferentiable && operandsRequireGrad
            if recordsGrad { setRequiresGradFlag(true) }
            location.channel.post(
                .command(
                    op: op, operands: wire, results: [idAtLocation], inPlace: true,
                    gradEnabled: GradientMode.isEnabled),
                operandMetas: PlanContext.isActive ? operands.map(\.meta) : [])
        } catch {
            location.channel.recordFailure(error)
        }
        return target
    }

    public func settingRequiresGrad(_ flag: Bool, on tensor: Tensor) -> Tensor {
        guard let (location, id) = try? target() else { return tensor }
        setRequiresGradFlag(flag)
        location.channel.post(.setRequiresGrad(id: id, flag: flag))
        return tensor
    }

    public func backward(gradient: Tensor?, retainGraph: Bool, wait: Bool) throws {
        let (location, id) = try target()
        var g: Operand?
        if let gradient {
            g = try wireOperands([gradient], op: .add, at: location, allowLocal: true).operands.first
        }
        let request = Request.backward(id: id, gradient: g, retainGraph: retainGraph, wait: wait)
        if wait {
            _ = try location.channel.call(request)
        } else {
            location.channel.post(request)
        }
    }

    public func gradient() throws -> Tensor? {
        let (location, id) = try target()
        let result = newObjectID()
        guard
            case .present(let present) = try location.channel.call(.gradients(ids: [id], results: [result])),
            present.first == true
        else { return nil }
        return Tensor(
            remote: PointerHandle(
                location: location, idAtLocation: result, ownerName: ownerName, meta: meta,
                requiresGrad: false),
            meta: meta)
    }

    public var placement: AnyObject { location }

    public func zeroGrad() {
        guard let (location, id) = try? target() else { return }
        location.channel.post(.zeroGrad(ids: [id]))
    }

    public func gradients(of tensors: [Tensor]) throws -> [Tensor?] {
        let location = self.location
        var ids: [ObjectID] = []
        var handles: [PointerHandle] = []
        for t in tensors {
            guard let h = t.remoteHandle as? PointerHandle else {
                throw SyftError.notAPointer(operation: "grad")
            }
            let (w, id) = try h.target()
            guard w === location else {
                throw SyftError.notCollocated(
                    first: describePlace(location), second: describePlace(w), op: "grad")
            }
            ids.append(id)
            handles.append(h)
        }
        let results = ids.map { _ in newObjectID() }
        guard case .present(let present) = try location.channel.call(.gradients(ids: ids, results: results)),
            present.count == ids.count
        else {
            throw SyftError.invalidMessage(reason: "grad: the worker's answer does not match the request")
        }
        return zip(zip(present, results), handles).map { pr, h in
            guard pr.0 else { return nil }
            return Tensor(
                remote: PointerHandle(
                    location: location, idAtLocation: pr.1, ownerName: h.ownerName, meta: h.meta,
                    requiresGrad: false),
                meta: h.meta)
        }
    }

    public func detached(_ tensor: Tensor) -> Tensor {
        guard let (location, id) = try? target() else { return tensor }
        let result = newObjectID()
        location.channel.post(.detach(id: id, result: result), operandMetas: [meta])
        return Tensor(
            remote: PointerHandle(
                location: location, idAtLocation: result, ownerName: ownerName, meta: meta,
                requiresGrad: false),
            meta: meta)
    }

    // MARK: - Helpers

    /// The operands as they go on the wire, and whether any of them requires grad (read with its target);
    /// every remote operand must be a live pointer to `location`, and local ones must be Swift numbers (or
    /// anything local when `allowLocal`).
    func wireOperands(
        _ operands: [Tensor], op: Op, at location: any Worker, allowLocal: Bool = false
    ) throws(SyftError) -> (operands: [Operand], requiresGrad: Bool) {
        var out: [Operand] = []
        out.reserveCapacity(operands.count)
        var requiresGrad = false
        for t in operands {
            if let h = t.remoteHandle {
                guard let p = h as? PointerHandle else {
                    throw .invalidCommand(
                        op: op.name, reason: "an operand is a remote tensor of an unknown kind")
                }
                let (where_, id, grad) = try p.operandTarget()
                guard where_ === location else {
                    throw .notCollocated(
                        first: describePlace(location), second: describePlace(where_), op: op.name)
                }
                out.append(.object(id))
                requiresGrad = requiresGrad || grad
            } else if t.isWrappedNumber || allowLocal {
                requiresGrad = requiresGrad || t.requiresGrad
                out.append(.value(t.contiguous()))
            } else {
                throw .notCollocated(
                    first: describePlace(location),
                    second: "the local worker me (a local tensor of shape \(t.shape))", op: op.name)
            }
        }
        return (out, requiresGrad)
    }

    /// The outputs' metadata, or the shape rule's error as a `SyftError`.
    func inferRemote(_ op: Op, _ operands: [Tensor]) throws(SyftError) -> [TensorMeta] {
        do {
            return try op.inferOutputs(operands.map(\.meta))
        } catch {
            throw .invalidCommand(op: op.name, reason: error.message)
        }
    }
}

func describePlace(_ worker: any Worker) -> String { "worker '\(worker.id)'" }

/// The worker and id `tensor` points to.
/// - Throws: `notAPointer` for a local tensor, or the pointer's own error (fetched, failed).
func pointerTarget(_ tensor: Tensor, for use: String) throws -> (any Worker, ObjectID) {
    guard let h = tensor.remoteHandle as? PointerHandle else { throw SyftError.notAPointer(operation: use) }
    return try h.target()
}

/// The id `tensor` points to, which must be on `location`.
/// - Throws: as ``pointerTarget(_:for:)``, and `notCollocated` for a pointer to another worker.
func pointerTarget(_ tensor: Tensor, at location: any Worker, for use: String) throws -> ObjectID {
    let (w, id) = try pointerTarget(tensor, for: use)
    guard w === location else {
        throw SyftError.notCollocated(first: describePlace(location), second: describePlace(w), op: use)
    }
    return id
}

extension Tensor {
    /// In-place validity as the worker will check it, except the leaf rule (the worker knows the leaf).
    func inPlaceErrorIgnoringLeaf(_ op: Op, _ others: [Tensor]) -> OpError? {
        withoutGradient { inPlaceError(op, others) }
    }
}

extension PointerHandle: RemoteParameterUpdating {
    /// Sends one optimizer step for `parameters` (pointers to this handle's worker) without waiting
    /// (Note [Optimizer steps where the parameters are]). State ids are made here at the first step;
    /// state from where a parameter was before is sent here first.
    public func applyUpdate(
        _ update: ParameterUpdate, parameters: [Tensor], state: [[Tensor?]]
    ) throws -> [[Tensor]] {
        let location = self.location
        let ids = try parameters.map { try pointerTarget($0, at: location, for: update.name) }
        var kept: [[Tensor]] = []
        var stateIDs: [ObjectID] = []
        for (p, s) in zip(parameters, state) {
            var row: [Tensor] = []
            for (k, entry) in s.enumerated() {
                var t = entry
                if let e = entry, let h = e.remoteHandle as? PointerHandle, !(h.location === location) {
                    t = try fetchState(e)
                }
                if let local = t, !local.isPointer { t = try local.send(to: location) }
                // Adam's step count is a number; every other state tensor has the parameter's shape.
                let meta =
                    (update.stateCount == 3 && k == 2) ? TensorMeta(shape: [], dtype: .float64) : p.meta
                let pointer =
                    t
                    ?? Tensor(
                        remote: PointerHandle(
                            location: location, idAtLocation: newObjectID(), ownerName: ownerName, meta: meta,
                            requiresGrad: false),
                        meta: meta)
                guard let h = pointer.remoteHandle as? PointerHandle else {
                    throw SyftError.notAPointer(operation: update.name)
                }
                stateIDs.append(h.idAtLocation)
                row.append(pointer)
            }
            kept.append(row)
        }
        location.channel.post(.update(rule: update, params: ids, state: stateIDs))
        return kept
    }

    public func zeroGrad(_ parameters: [Tensor]) {
        let location = self.location
        var ids: [ObjectID] = []
        for p in parameters {
            guard let h = p.remoteHandle as? PointerHandle, let (w, id) = try? h.target(),
                w === location
            else { continue }
            ids.append(id)
        }
        if !ids.isEmpty { location.channel.post(.zeroGrad(ids: ids)) }
    }

    /// Gets the state object `pointer` points to; nil when the worker never made it.
    public func fetchState(_ pointer: Tensor) throws -> Tensor? {
        do {
            return try pointer.get()
        } catch .objectNotFound {
            return nil
        }
    }
}
