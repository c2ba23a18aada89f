// SyftCore knows only this abstraction of remote data; SyftRemote implements it (DESIGN.md, "One tensor
// type, local or remote").

/// The handle of a tensor whose data is on a worker. Implemented by SyftRemote's pointers.
///
/// The one dispatch point hands every operation with a remote operand to the handle of its first remote
/// operand, which checks that all operands are on its worker and sends one command there.
public protocol RemoteTensorHandle: AnyObject, Sendable, CustomStringConvertible {
    /// Runs `op` on `operands` (at least one of them remote) where the data is, returning one remote tensor
    /// per output. Never blocks on the worker; a failure surfaces at the next call that waits.
    func execute(_ op: Op, _ operands: [Tensor]) -> [Tensor]

    /// Runs `op` on `operands` and stores the result in place of `operands[0]`'s remote object, which must
    /// be this handle's. Returns the updated tensor (same handle).
    func executeInPlace(_ op: Op, _ operands: [Tensor]) -> Tensor

    /// The place this handle's object is (its worker): handles with the same placement can be batched.
    var placement: AnyObject { get }

    /// Whether the remote object requires grad.
    var requiresGrad: Bool { get }

    /// Sets whether the remote object requires grad; returns the updated tensor.
    func settingRequiresGrad(_ flag: Bool, on tensor: Tensor) -> Tensor

    /// Runs backward on the worker from this tensor; with `wait` false, queues it with the commands (no
    /// round trip), its failure reported at the next call that waits.
    func backward(gradient: Tensor?, retainGraph: Bool, wait: Bool) throws

    /// A pointer to the remote object's gradient, or nil when it has none.
    func gradient() throws -> Tensor?

    /// The gradients of several remote tensors on this handle's worker, asked for in one round trip.
    func gradients(of tensors: [Tensor]) throws -> [Tensor?]

    /// Clears the remote object's gradient.
    func zeroGrad()

    /// Detaches the remote object from its graph; returns the new remote tensor.
    func detached(_ tensor: Tensor) -> Tensor
}

/// The positions of `items` grouped by `key` (items without a key left out), the groups in the order
/// their first items appear: how work on remote tensors becomes one message per worker.
///
/// ```swift
/// groupPositions(["a", "b", "a"], by: { ObjectIdentifier(placeOf[$0]) })   // [[0, 2], [1]]
/// ```
package func groupPositions<T>(_ items: [T], by key: (T) -> ObjectIdentifier?) -> [[Int]] {
    var groups: [[Int]] = []
    var slot: [ObjectIdentifier: Int] = [:]
    for (i, item) in items.enumerated() {
        guard let k = key(item) else { continue }
        if let s = slot[k] {
            groups[s].append(i)
        } else {
            slot[k] = groups.count
            groups.append([i])
        }
    }
    return groups
}
