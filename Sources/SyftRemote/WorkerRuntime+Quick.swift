import SyftCore
import Synchronization

// Note [Quick batches]
// A network worker runs a client's batch on its execution thread, not on the connection's event loop, for
// two reasons (Note [The execution thread], SyftGRPC): a request may wait on another worker, and a long
// computation would hold up every other connection's reading and writing. The hand-off costs two thread
// wake-ups a batch, each tens of microseconds on a virtual machine whose other core sleeps: about 5 % of
// a batch of a millisecond, such as a visit of federated training. So a batch that can wait on nothing
// and is known to be short runs where it was decoded. `quickCost` says what it costs, or nil when the
// batch is not known to be short:
// - moves and bookkeeping (sends of tensors, gets, deletes, synchronize, zeroing gradients, requires-grad,
//   detaches, searches) cost nothing worth counting (a send of a pointer is not quick: it may connect to
//   another worker);
// - a command is quick when its operands and outputs are local and hold at most `quickElements` elements
//   together (a few microseconds of work; a batch of more than `maxQuickCommands` commands is not quick);
// - an optimizer step is quick when its parameters hold at most `quickParameterElements` elements;
// - a plan run costs what its last run on this worker cost, scaled by the elements of its arguments (a
//   plan records how long each run took, Note [Plan programs]); a plan that never ran here, or whose
//   program sends pointers, is not quick;
// - anything else (a backward, a gradient fetch, defining a plan, a get through a pointer) is not quick.
// The caller runs the batch there when the cost is within its budget and the store is free at that moment
// (it never waits for the lock); otherwise the batch goes to the execution thread as before.

extension WorkerRuntime {
    /// At most this many elements in a quick command's operands and outputs together.
    static let quickElements = 1 << 14
    /// At most this many commands in a quick batch.
    static let maxQuickCommands = 64
    /// At most this many elements in a quick optimizer step's parameters.
    static let quickParameterElements = 1 << 16

    /// Runs `requests` as ``handle(_:client:session:)`` does when the batch is quick (Note [Quick batches])
    /// within `budget` and no other batch is running; nil, having done nothing, otherwise. For callers that
    /// must neither wait for the lock nor run long (SyftGRPC's connection tasks).
    ///
    /// ```swift
    /// let replies = runtime.handleIfQuick(batch, client: id, session: key, within: .milliseconds(5))
    ///     ?? runtime.handle(batch, client: id, session: key)   // on a thread that may wait
    /// ```
    public func handleIfQuick(
        _ requests: [Request], client: ClientID, session: String, within budget: Duration
    ) -> [Reply]? {
        guard
            let ran = state.withLockIfAvailable({ store -> (replies: [Reply], released: [StoredObject])? in
                guard let cost = Self.quickCost(of: requests, store), cost <= budget else { return nil }
                return run(requests, client: client, session: session, &store)
            }),
            var result = ran
        else { return nil }
        result.released.removeAll()
        return result.replies
    }

    /// What `requests` would cost to run against `store`, or nil when the batch is not known to be short
    /// (Note [Quick batches]).
    static func quickCost(of requests: [Request], _ store: ObjectStore) -> Duration? {
        // A long stream of commands (a pipelined loop) is not quick: counted before any is looked at.
        var commands = 0
        for case .command in requests {
            commands += 1
            if commands > maxQuickCommands { return nil }
        }
        var cost = Duration.zero
        for request in requests {
            switch request {
            case .object(_, .tensor, _, _), .get, .delete, .synchronize, .search, .listObjects:
                continue
            case .zeroGrad(let ids):
                guard ids.allSatisfy({ isLocal($0, store) }) else { return nil }
            case .setRequiresGrad(let id, _), .detach(let id, _):
                guard isLocal(id, store) else { return nil }
            case .command(let op, let operands, _, _, _):
                guard isSmall(op, operands, store) else { return nil }
            case .update(_, let params, _):
                guard let elements = localElements(params, store), elements <= quickParameterElements else {
                    return nil
                }
            case .runPlan(let id, let arguments, _, _):
                guard let plan = store.plans[id], !plan.program.sendsPointers,
                    let elements = localElements(arguments, store),
                    let estimate = plan.program.timing.estimate(forElements: elements)
                else { return nil }
                cost += estimate
            case .object(_, .pointer, _, _), .backward, .gradients, .remoteGet, .definePlan:
                return nil
            }
        }
        return cost
    }

    /// The elements of the stored objects `ids`; nil when one is missing or not local.
    private static func localElements(_ ids: [ObjectID], _ store: ObjectStore) -> Int? {
        var elements = 0
        for id in ids {
            guard let t = store[id]?.tensor, t.isLocal else { return nil }
            elements += t.count
        }
        return elements
    }

    private static func isLocal(_ id: ObjectID, _ store: ObjectStore) -> Bool {
        store[id].map { $0.tensor.isLocal } ?? true  // an unknown id fails at once
    }

    /// Whether a command's operands and outputs are local and hold at most `quickElements` elements.
    private static func isSmall(_ op: Op, _ operands: [Operand], _ store: ObjectStore) -> Bool {
        var metas: [TensorMeta] = []
        var elements = 0
        for o in operands {
            let t: Tensor
            switch o {
            case .object(let id):
                guard let stored = store[id]?.tensor else { return true }  // fails at once
                t = stored
            case .value(let v): t = v
            }
            guard t.isLocal else { return false }
            elements += t.count
            metas.append(t.meta)
        }
        // An operation that creates its output from its attributes alone (a fill, a random tensor) may be of
        // any size: its outputs count too. A shape rule that fails makes the command fail at once.
        guard let outputs = try? op.inferOutputs(metas) else { return elements <= quickElements }
        for m in outputs { elements += m.shape.reduce(1, *) }
        return elements <= quickElements
    }
}

/// How long a plan's runs take on this worker: its last run's time and the elements of its arguments
/// (Note [Quick batches]).
final class PlanTiming: Sendable {
    private let last = Mutex<(nanoseconds: Int64, elements: Int)?>(nil)

    init() {}

    /// Notes a run over arguments of `elements` elements that took `elapsed`.
    func observe(_ elapsed: Duration, elements: Int) {
        let (seconds, attoseconds) = elapsed.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        last.withLock { $0 = (nanoseconds, elements) }
    }

    /// The time a run over arguments of `elements` elements should take, from the last run; nil before
    /// the first.
    func estimate(forElements elements: Int) -> Duration? {
        guard let (nanoseconds, then) = last.withLock({ $0 }) else { return nil }
        let scale = Double(Swift.max(elements, 1)) / Double(Swift.max(then, 1))
        // Clamped: arguments far larger than the last run's must not overflow the estimate.
        return .nanoseconds(Int64(Swift.min(Double(nanoseconds) * scale, 1e18)))
    }
}
