import Synchronization

// Note [Autograd graph ownership]
// A tensor that requires grad carries an `AutogradMeta`. A leaf's meta holds its gradient slot; copies of
// the tensor share the meta, so every copy of a leaf sees the same `grad` (DESIGN.md). A non-leaf's meta
// points to the `GradNode` that produced it. Nodes point to their inputs' nodes, or to the metas of leaf
// inputs. A node saves its inputs as they are (their metas point only to older nodes and leaf slots, so
// this adds no cycle, and saves copying them) and its outputs detached (no meta). Nothing points back
// from a node to its outputs except weakly (for `retainGrad`), so the graph has no reference cycles and
// is freed with its last output: a training loop's memory stays flat.

/// Autograd state of a tensor that requires grad.
public final class AutogradMeta: Sendable {
    struct State {
        var grad: Tensor?
        var retainsGrad = false
    }
    let state = Mutex(State())
    /// The node that produced this tensor; nil for a leaf.
    let gradFn: GradNode?
    /// Which output of `gradFn` this tensor is.
    let outputIndex: Int

    init(gradFn: GradNode? = nil, outputIndex: Int = 0) {
        self.gradFn = gradFn
        self.outputIndex = outputIndex
    }

    var isLeaf: Bool { gradFn == nil }

    var grad: Tensor? {
        get { state.withLock { $0.grad } }
        set { state.withLock { $0.grad = newValue } }
    }

    /// Adds `g` into the gradient slot (the first gradient is stored as is; later ones are added into the
    /// slot's buffer when nobody else holds it, as PyTorch accumulates in place).
    ///
    /// A gradient that arrives as a strided view (the gradient of a transposed weight, say) is stored
    /// contiguous, as PyTorch's gradient layout contract has it, so the optimizer's elementwise updates
    /// run on flat buffers.
    func accumulate(_ g: Tensor) {
        state.withLock { s in
            guard var current = s.grad.take() else {
                s.grad = g.isContiguous ? g : g.contiguous()
                return
            }
            // Both are gradients, outside the graph: nothing is recorded, and the sum goes into the slot's
            // buffer when nobody else holds it.
            current += g
            s.grad = current
        }
    }
}

/// One recorded operation in the backward graph.
final class GradNode: @unchecked Sendable {
    /// Where the gradient of one input goes: the node that produced it, or a leaf's gradient slot.
    enum Edge {
        case node(GradNode, outputIndex: Int)
        case leaf(AutogradMeta)
    }

    let op: Op
    /// Creation order; a node is always created after the nodes of its inputs, so sorting by decreasing
    /// sequence is a topological order (deterministic, no `Set` iteration).
    let sequence: Int
    /// One entry per input; nil where the input does not require grad.
    let edges: [Edge?]
    /// Which inputs need a gradient (`edges[i] != nil`), PyTorch's `grad_input_mask`.
    var needs: GradientMask { GradientMask(edges: edges) }
    /// The inputs (as given) and detached outputs the derivative may use; released after backward. The
    /// saved inputs also give the shapes and dtypes each returned gradient is checked against.
    private(set) var savedInputs: [Tensor]
    private(set) var savedOutputs: [Tensor]
    private(set) var isReleased = false
    /// Weak links to the metas of outputs that asked to keep their gradient (`retainGrad`).
    private var retained: [Int: WeakMeta] = [:]
    private let hasRetained = Atomic<Bool>(false)
    private let lock = Mutex(())
    /// The backward walk that last reached this node, and the node's position in that walk
    /// (Note [The backward walk]): set only by the walk, which owns the node while it runs.
    let visit = Atomic<Int>(0)
    var slot = 0

    private static let counter = Atomic<Int>(0)

    init(op: Op, edges: [Edge?], inputs: [Tensor], outputs: [Tensor]) {
        self.op = op
        self.sequence = GradNode.counter.add(1, ordering: .relaxed).newValue
        self.edges = edges
        self.savedInputs = inputs
        self.savedOutputs = outputs
    }

    /// Frees the saved tensors (PyTorch's `release_variables`).
    func release() {
        lock.withLock { _ in
            savedInputs = []
            savedOutputs = []
            isReleased = true
        }
    }

    func retainGrad(output: Int, meta: AutogradMeta) {
        lock.withLock { _ in retained[output] = WeakMeta(meta) }
        hasRetained.store(true, ordering: .releasing)
    }

    func retainedMeta(output: Int) -> AutogradMeta? {
        guard hasRetained.load(ordering: .acquiring) else { return nil }
        return lock.withLock { _ in retained[output]?.meta }
    }

    struct WeakMeta {
        weak var meta: AutogradMeta?
        init(_ meta: AutogradMeta) { self.meta = meta }
    }
}

/// Which inputs of a recorded operation need a gradient (PyTorch's `grad_input_mask`), read from the
/// node's edges (or a tape entry's sources, Note [Gradient tapes]) without building an array of flags.
struct GradientMask {
    private enum Inputs {
        case edges([GradNode.Edge?])
        case sources([GradientSource])
    }
    private let inputs: Inputs

    init(edges: [GradNode.Edge?]) { inputs = .edges(edges) }
    init(sources: [GradientSource]) { inputs = .sources(sources) }

    subscript(input: Int) -> Bool {
        switch inputs {
        case .edges(let e): return e[input] != nil
        case .sources(let s): return s[input].requiresGrad
        }
    }
}
