import SyftCore
import SyftNN

extension Module {
    /// Sends every parameter to `worker`; the module then computes there (PySyft's `model.send(bob)`).
    ///
    /// ```swift
    /// model.send(to: bob)
    /// let loss = crossEntropy(model(xPtr), yPtr)   // runs on bob
    /// try loss.backward()
    /// try optimizer.step()                          // updates the parameters on bob
    /// try model.get()
    /// ```
    /// - Throws: `SyftError` when a parameter is a pointer that cannot be sent on.
    @discardableResult
    public func send(to worker: any Worker) throws(SyftError) -> Self {
        for p in parameters() where !(p.value.location === worker) {
            p.value = try p.value.send(to: worker)
        }
        return self
    }

    /// Brings every parameter back (with its gradient) and deletes it on its worker (`model.get()`), in one
    /// round trip per worker.
    /// - Throws: `SyftError.notAPointer` when the module was never sent, and any worker error: a parameter
    ///   that could not be fetched stays a pointer; the others come back all the same.
    @discardableResult
    public func get() throws(SyftError) -> Self {
        _ = try get(with: [])
        return self
    }

    /// `get()`, with `others` (pointers) fetched in the same round trip; returns them, now local.
    /// `parameters`, when given, are the module's (`parameters()`, which a caller may have at hand).
    func get(with others: [Tensor], parameters: [Parameter]? = nil) throws(SyftError) -> [Tensor] {
        try startGet(with: others, parameters: parameters).finish()
    }

    /// `get(with:)`, started: the gets went out; ``PendingModuleGet/finish()`` waits for them, so a caller can
    /// start gets on several workers and wait for them together.
    func startGet(with others: [Tensor], parameters: [Parameter]? = nil) throws(SyftError) -> PendingModuleGet
    {
        let params = (parameters ?? self.parameters()).filter { $0.value.isPointer }
        guard !params.isEmpty else {
            throw .notAPointer(
                operation: "\(type(of: self)).get(): the module's parameters are here; send(to:) it first")
        }
        return PendingModuleGet(params: params, fetch: startFetchAll(params.map(\.value) + others))
    }

    /// Moves every parameter to `worker` (PySyft's `model.move(w)`).
    public func move(to worker: any Worker) throws(SyftError) {
        for p in parameters() {
            if p.value.isPointer {
                try p.value.move(to: worker)
            } else {
                p.value = try p.value.send(to: worker)
            }
        }
    }

    /// The worker holding the module's parameters; nil when they are here.
    public var location: (any Worker)? { parameters().first?.value.location }

    /// Copies the values of `other`'s parameters into this module's (same architecture), as local leaves.
    /// - Precondition: both modules have the same parameter names and shapes.
    public func loadParameters(from other: Module) {
        let mine = namedParameters()
        let theirs = Dictionary(other.namedParameters(), uniquingKeysWith: { a, _ in a })
        for (name, p) in mine {
            guard let q = theirs[name], q.value.shape == p.value.shape else {
                preconditionFailure(
                    "loadParameters: '\(name)' is missing or has another shape in the source module")
            }
            var v = q.value.detached()
            v.requiresGrad = p.value.dtype.isFloatingPoint
            p.value = v
        }
    }
}

/// A module's parameters (and other pointers) on their way back (`Module.startGet(with:)`).
struct PendingModuleGet {
    let params: [Parameter]
    let fetch: PendingFetch

    /// Waits for the values, puts the parameters' into the module, and returns the others'.
    /// - Throws: the first failure; a parameter that could not be fetched stays a pointer.
    func finish() throws(SyftError) -> [Tensor] {
        let (results, earlier) = fetch.finish()
        var failure = earlier
        var fetched: [Tensor] = []
        for (i, r) in results.enumerated() {
            switch r {
            case .success(let t): if i < params.count { params[i].value = t } else { fetched.append(t) }
            case .failure(let e): failure = failure ?? e
            }
        }
        if let failure { throw failure }
        return fetched
    }
}
