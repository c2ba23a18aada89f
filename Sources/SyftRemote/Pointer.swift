import SyftCore
import Synchronization

// Note [Pointers]
// A pointer is a `Tensor` whose storage is a `PointerHandle`: the worker the object is on, its id there,
// and its shape, dtype and requires-grad flag, known here without asking (the shape rule computes them
// for every result). All copies of a pointer share the handle, so `get()` or `move(to:)` on one is seen by
// all, and the remote object is deleted when the last copy goes away (unless garbage collection is off).
// An operation that cannot run (operands on two workers, a shape error found here) gives a failed
// pointer: nothing is sent, and the error is thrown by the next call that waits on it.

/// The handle of a pointer (SyftCore's remote storage).
public final class PointerHandle: RemoteTensorHandle, @unchecked Sendable {
    enum Status: Sendable {
        case live
        case fetched
        case failed(SyftError)
    }
    struct State {
        var location: any Worker
        var idAtLocation: ObjectID
        var garbageCollect: Bool
        var status: Status
        var requiresGrad: Bool
    }

    /// The pointer's own id.
    public let id: ObjectID
    /// The id of the worker that owns the pointer (`me` for the user's pointers).
    public let ownerName: String
    /// Shape and dtype of the remote object.
    public let meta: TensorMeta
    let state: Mutex<State>

    init(
        id: ObjectID = newObjectID(), location: any Worker, idAtLocation: ObjectID, ownerName: String = "me",
        meta: TensorMeta, requiresGrad: Bool, garbageCollect: Bool = true
    ) {
        self.id = id
        self.ownerName = ownerName
        self.meta = TensorMeta(shape: meta.shape, dtype: meta.dtype)
        self.state = Mutex(
            State(
                location: location, idAtLocation: idAtLocation, garbageCollect: garbageCollect, status: .live,
                requiresGrad: requiresGrad))
    }

    /// A failed pointer: nothing exists remotely; `error` is thrown when it is used in a waiting call.
    init(failedAt location: any Worker, meta: TensorMeta, error: SyftError) {
        self.id = newObjectID()
        self.ownerName = "me"
        self.meta = meta
        self.state = Mutex(
            State(
                location: location, idAtLocation: 0, garbageCollect: false, status: .failed(error),
                requiresGrad: false))
    }

    deinit {
        let (gc, location, remoteID) = state.withLock { s -> (Bool, any Worker, ObjectID) in
            if case .live = s.status { return (s.garbageCollect, s.location, s.idAtLocation) }
            return (false, s.location, s.idAtLocation)
        }
        if gc { location.channel.postDelete(remoteID, bytes: meta.count * meta.dtype.byteSize) }
    }

    // MARK: - State

    public var location: any Worker { state.withLock { $0.location } }
    public var locationID: String { location.id }
    public var idAtLocation: ObjectID { state.withLock { $0.idAtLocation } }

    /// Whether dropping the last copy deletes the remote object (PySyft's `garbage_collect_data`).
    public var garbageCollect: Bool {
        get { state.withLock { $0.garbageCollect } }
        set { state.withLock { $0.garbageCollect = newValue } }
    }

    public var requiresGrad: Bool { state.withLock { $0.requiresGrad } }

    var payload: PointerPayload {
        let location = self.location
        return PointerPayload(
            location: location.id, idAtLocation: idAtLocation, meta: meta, requiresGrad: requiresGrad,
            address: location.address)
    }

    /// The live location and id, or the error that makes this pointer unusable (the error names the
    /// object and its worker, whatever the operation).
    func target() throws(SyftError) -> (any Worker, ObjectID) {
        let (worker, id, _) = try operandTarget()
        return (worker, id)
    }

    /// `target()` with whether the object requires grad, read under the same lock (every remote operand of
    /// every command takes this path).
    func operandTarget() throws(SyftError) -> (any Worker, ObjectID, requiresGrad: Bool) {
        let s = state.withLock { $0 }
        switch s.status {
        case .live: return (s.location, s.idAtLocation, s.requiresGrad)
        case .fetched: throw .alreadyFetched(id: s.idAtLocation, worker: s.location.id)
        case .failed(let e):
            s.location.channel.forgetFailure(e)
            throw e
        }
    }

    func markFetched() {
        state.withLock { s in
            s.status = .fetched
            s.garbageCollect = false
        }
    }

    func retarget(to worker: any Worker, id: ObjectID) {
        state.withLock { s in
            s.location = worker
            s.idAtLocation = id
        }
    }

    func setRequiresGradFlag(_ flag: Bool) { state.withLock { $0.requiresGrad = flag } }

    /// `[PointerTensor | me:<id> -> bob:<idAtLocation>]`, as PySyft prints a pointer.
    public var description: String {
        let s = state.withLock { $0 }
        let base = "[PointerTensor | \(ownerName):\(id) -> \(s.location.id):\(s.idAtLocation)]"
        switch s.status {
        case .live: return base
        case .fetched: return base + " (fetched: the object was brought back with get())"
        case .failed(let e): return base + " (failed: \(e))"
        }
    }
}
