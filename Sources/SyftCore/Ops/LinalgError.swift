// Note [Linear-algebra errors]
// Shape and dtype errors are programmer errors: the shape rule rejects them before any kernel runs,
// local dispatch stops with the rule's message (DESIGN.md, "Errors"), and a worker answers a command
// that fails the rule with an error reply. A linear-algebra kernel can also fail on the *values* of
// valid inputs: a singular matrix has no inverse, a matrix that is not positive-definite has no Cholesky
// factor, an iterative algorithm may not converge. That is not a programmer error (no shape check can
// rule it out), and the same kernel runs on a worker over a client's data, where it must never stop the
// process. So:
//   - the kernel reports it: `Op.forward` is `throws(LinalgError)`; the LAPACK `info` code becomes a
//     `LinalgError` naming the operation, the batch element and the reason. Nothing returns a silent NaN
//     in place of an error. (NaN *inputs* give NaN results where PyTorch does so, in inv, solve, det,
//     slogdet and qr; cholesky reports a NaN pivot as not positive-definite, as LAPACK and PyTorch do;
//     svd, eigh and lstsq, whose iterative LAPACK routines are not defined on NaN or infinity, reject
//     them with `.nonFinite`.)
//   - `tryDispatch` (package access, Dispatch.swift) hands the error back; SyftRemote's worker runs a
//     command through it and turns the error into an error reply. `dispatch`, used by every other
//     operation, stops with the error's message: only the linear-algebra kernels can throw, and they are
//     reached through the throwing functions of Tensor+Linalg.swift.
//   - The public functions that can fail on data are `throws(LinalgError)`: `inv`, `solve`, `cholesky`,
//     `svd`, `eigh`, `lstsq`. Those that cannot are not: `det` and `slogdet` of a singular matrix are 0
//     and (0, -inf), as in PyTorch, and `qr` is defined for every matrix.
//   - On a remote tensor the call returns a pointer at once (commands are pipelined); a failure
//     surfaces as a thrown error at the next call that waits for the worker (`get`, `backward`, ...).
//   - Derivatives run where the graph is, on values the forward pass has already factored. They never
//     stop on data either: where the derivative is mathematically infinite or undefined (slogdet of a
//     singular matrix, svd or eigh with repeated values, qr of a rank-deficient matrix) they give
//     non-finite gradients, as PyTorch does (Op+VJP+Linalg.swift).

/// Why a linear-algebra operation could not compute its result from the values of valid inputs: the
/// matrix is singular, not positive-definite, or an iterative algorithm did not converge (Note
/// [Linear-algebra errors]).
///
/// ```swift
/// do {
///     let inverse = try inv(Tensor([[1.0, 2], [2, 4]]))
/// } catch {
///     print(error)   // linalg_inv: the matrix is singular (U[1, 1] = 0 in its LU factorization)
/// }
/// ```
public struct LinalgError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong in the factorization.
    public enum Reason: Hashable, Sendable {
        /// The LU factorization has an exact zero pivot, `U[index, index] == 0` (0-based): the matrix is
        /// singular.
        case singular(index: Int)
        /// The leading minor of this order (1-based, as LAPACK counts) is not positive-definite, so
        /// the matrix is not.
        case notPositiveDefinite(order: Int)
        /// The iterative algorithm did not converge; `code` is LAPACK's `info`.
        case noConvergence(code: Int)
        /// The input holds NaN or infinity, on which the algorithm is not defined.
        case nonFinite
    }

    /// The operation's name (its name on the wire, e.g. `linalg_inv`).
    public var op: String
    /// The flat row-major index of the failing matrix among the leading (batch) axes; nil for a single
    /// matrix.
    public var batchIndex: Int?
    /// What went wrong.
    public var reason: Reason

    public init(op: String, batchIndex: Int?, reason: Reason) {
        self.op = op
        self.batchIndex = batchIndex
        self.reason = reason
    }

    public var description: String {
        let place = batchIndex.map { " (batch element \($0))" } ?? ""
        switch reason {
        case .singular(let i):
            return "\(op):\(place) the matrix is singular (U[\(i), \(i)] = 0 in its LU factorization)"
        case .notPositiveDefinite(let order):
            return "\(op):\(place) the matrix is not positive-definite (the leading minor of order \(order) "
                + "is not positive-definite)"
        case .noConvergence(let code):
            return "\(op):\(place) the algorithm did not converge (LAPACK info \(code)); the matrix may be "
                + "ill-conditioned or have too many repeated values"
        case .nonFinite:
            return "\(op):\(place) the input contains NaN or infinity"
        }
    }
}
