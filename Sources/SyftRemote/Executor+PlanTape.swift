import SyftCore

// Note [A plan's backward on a tape]
// A training step recorded as a plan runs its forward, a backward and an optimizer step on each batch. Run
// as its requests, the forward builds an autograd graph (a node per operation, a metadata object per
// output) that the backward walks once and frees. A plan's run knows its program, so when the graph
// could only ever be walked by that one backward, the run writes a tape instead (SyftCore, Note [Gradient
// tapes]): the forward runs with recording off, each operation that an input requiring grad reaches is
// written on the run's tape, and the backward step walks the tape with the same derivatives, giving the
// same gradients to the bit. The whole run binds the gradient mode once, not once per backward and
// optimizer step.
//
// A run takes the tape when nothing could see the difference:
//   - the program (checked once, when it is defined) has one backward, of a loss it computes, with the
//     implicit gradient and without retaining the graph; its other requests are optimizer steps, zeroing
//     of gradients, deletes and commands without recording; no value it carries requires grad;
//   - at each run (checked once for all its blocks): the arguments and the stored objects it reads are
//     local and are leaves or do not require grad (a graph outside the plan could not be reached from a
//     tape); no in-place step touches a value that requires grad; no command after the backward records;
//     no request and no output of the plan is a value that requires grad (it would come out without its
//     graph).
// Anything else runs as before, building the graph.

extension PlanProgram {
    /// The step of the program's one backward, when its structure allows a tape (Note [A plan's backward
    /// on a tape]); nil otherwise.
    static func tapedBackward(_ steps: [PlanStep]) -> Int? {
        var backward: Int?
        func constant(_ o: PlanOperand) -> Bool {
            if case .value(let t) = o { return !t.requiresGrad }
            return true
        }
        for (index, step) in steps.enumerated() {
            switch step {
            case .command(_, let operands, _, _), .inPlace(_, let operands, _):
                guard operands.allSatisfy(constant) else { return nil }
            case .backward(let loss, let gradient, let retainGraph):
                guard backward == nil, gradient == nil, !retainGraph, case .slot = loss else { return nil }
                backward = index
            case .detach, .release: break
            case .request(let request, _):
                switch request {
                case .update, .zeroGrad, .delete, .command(_, _, _, _, false): break
                default: return nil
                }
            }
        }
        return backward
    }

    /// Whether a run with `args` on `store` takes the tape (Note [A plan's backward on a tape]), for a
    /// plan whose outputs are `outputs`.
    func takesTape(_ args: [StoredObject], outputs: [ObjectID], _ store: ObjectStore) -> Bool {
        guard let backwardStep = tapedBackward else { return false }
        var requires = [Bool](repeating: false, count: ids.count)
        for (i, a) in args.enumerated() {
            guard a.tensor.isLocal, let source = GradientSource(a.tensor) else { return false }
            requires[i] = source.requiresGrad
        }
        /// Whether `o` requires grad; nil when it is part of a graph or not local.
        func requiresGrad(_ o: PlanOperand) -> Bool? {
            switch o {
            case .slot(let s): return requires[s]
            case .stored(let id):
                guard let t = store[id]?.tensor else { return false }  // the run reports it missing
                guard t.isLocal else { return nil }
                return GradientSource(t)?.requiresGrad
            case .value: return false
            }
        }
        for (index, step) in steps.enumerated() {
            switch step {
            case .command(let op, let operands, let results, let gradEnabled):
                var records = false
                for o in operands {
                    guard let r = requiresGrad(o) else { return false }
                    records = records || r
                }
                records = records && gradEnabled && op.isDifferentiable
                if records && index > backwardStep { return false }
                for s in results { requires[s] = records }
            case .inPlace(_, let operands, _):
                for o in operands {
                    guard let r = requiresGrad(o), !r else { return false }
                }
            case .backward(let loss, _, _):
                guard case .slot(let s) = loss, requires[s] else { return false }
            case .detach(let source, let result):
                guard requiresGrad(source) != nil else { return false }
                requires[result] = false
            case .release(let released):
                for s in released { requires[s] = false }
            case .request(_, let named):
                for s in named where requires[s] { return false }
            }
        }
        return !outputs.contains { slots[$0].map { requires[$0] } ?? false }
    }
}

extension PlanFrame {
    /// Where the gradient of `operand`, whose value is `tensor`, goes on the run's tape.
    func source(_ operand: PlanOperand, of tensor: Tensor) throws(SyftError) -> GradientSource {
        switch operand {
        case .slot(let s): return sources[s]
        case .stored(let id):
            guard let source = GradientSource(tensor) else {
                throw .invalidCommand(
                    op: "run_plan", reason: "object \(id) became part of an autograd graph during the run")
            }
            return source
        case .value: return .none
        }
    }
}

/// Runs `body` with autograd recording off, keeping its typed error.
func withoutRecording<R>(_ body: () throws(SyftError) -> R) throws(SyftError) -> R {
    try withGradientMode(false) { () -> Result<R, SyftError> in
        do throws(SyftError) { return .success(try body()) } catch { return .failure(error) }
    }.get()
}
