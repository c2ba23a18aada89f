// Note [The closed set of operations]
// Every computation on a tensor, local or remote, is one case of `Op`, named as PyTorch names it.
// Each case is declared once, and each concern is one exhaustive `switch` (no `default:`), so a new
// case does not compile until it has all of them:
//   - Op+Infer.swift   its shape and dtype rule (used locally, by a client for remote results, and by a
//                      worker to validate a command before running it);
//   - Op+Kernel.swift  its local kernel;
//   - Op+VJP.swift     its derivative;
//   - SyftRemote's wire codec, its name and attributes on the wire.
// Everything else (mean, variance, cross entropy, ...) is an ordinary function built from these cases,
// so it gets autograd and remote execution with no extra code. A composite becomes a case, as in PyTorch,
// only when it pays as one: a kernel that fuses passes, one graph node, one command to a worker instead
// of several (`linear`, `nllLoss`: a classifier's training step sends 8 commands instead of 17).

/// A per-axis slice: elements `start, start + step, ...` below `end`. Normalized: `0 <= start <= end`,
/// `step >= 1`.
public struct SliceRange: Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int
    public var step: Int

    /// A slice of `start..<end` taking every `step`-th element.
    public init(start: Int, end: Int, step: Int = 1) {
        self.start = start
        self.end = end
        self.step = step
    }

    /// The number of elements the slice selects.
    public var count: Int { end > start ? (end - start + step - 1) / step : 0 }

    public var description: String { "\(start):\(end):\(step)" }
}

/// One operation of the closed set that every tensor computation goes through.
///
/// Attributes are normalized when the operation is built by the tensor API (axes non-negative and
/// sorted, shapes explicit), so an `Op` value fully describes the computation, locally and on the wire.
public enum Op: Hashable, Sendable {
    // MARK: Elementwise, one input
    case neg, abs, exp, log, sqrt, sin, cos, tanh, sigmoid, relu
    /// Clamps to `[min, max]`; a nil bound is absent.
    case clamp(min: Double?, max: Double?)
    /// Converts to another dtype.
    case cast(DType)

    // MARK: Elementwise, two inputs (broadcasting)
    case add, sub, mul, div, pow, maximum, minimum
    /// Comparisons, giving bool tensors.
    case eq, ne, lt, le, gt, ge
    /// `where(condition, a, b)`: three inputs.
    case `where`

    // MARK: Reductions (axes sorted, non-negative, not empty)
    case sum(axes: [Int], keepDims: Bool)
    case prod(axes: [Int], keepDims: Bool)
    case max(axes: [Int], keepDims: Bool)
    case min(axes: [Int], keepDims: Bool)
    /// The index of the maximum along `axis`, or of the flattened tensor when `axis` is nil.
    case argmax(axis: Int?, keepDims: Bool)
    case argmin(axis: Int?, keepDims: Bool)

    // MARK: Movement (views where the layout allows)
    case reshape([Int])
    case permute([Int])
    case expand([Int])
    case slice([SliceRange])
    /// `sliceScatter(ranges)(base, value)`: `base` with the region `ranges` replaced by `value`.
    case sliceScatter([SliceRange])
    /// Concatenation of all inputs along `axis`.
    case cat(axis: Int)

    // MARK: Linear algebra
    /// Matrix product with PyTorch's rules (vector, matrix, batched, broadcast batch).
    case matmul
    /// `linear(x, weight)` or `linear(x, weight, bias)`: `x·weightᵀ + bias` over the last axis of `x`
    /// [..., in], with `weight` [out, in] and `bias` [out] (PyTorch's `linear`). A primitive, as in
    /// PyTorch (`addmm`): one GEMM that reads the weight transposed and adds the bias as it writes, one
    /// node, and one command to a worker instead of three (transpose, matmul, add).
    case linear

    // MARK: Neural-network primitives
    /// Softmax along `axis` (a primitive for the numerically stable kernel).
    case softmax(axis: Int)
    /// Log-softmax along `axis` (a primitive for the numerically stable kernel).
    case logSoftmax(axis: Int)
    /// Samples 1 with probability `p`, else 0, in the input's shape and dtype (`torch.bernoulli(x, p)`);
    /// the random numbers come from where the data is (a worker's own generator for a remote tensor).
    case bernoulli(p: Double)
    /// `gather(axis)(x, index)`: `out[i][j] = x[i][index[i][j]]` along `axis` (`torch.gather`); index is
    /// int64 with x's rank (a primitive: losses pick class scores without building one-hot constants).
    case gather(axis: Int)
    /// `nllLoss(reduction, ignoreIndex)(logProbabilities, target)` or `(logProbabilities, target, weight)`:
    /// the negative log-likelihood of class indices (PyTorch's `nll_loss`), with classes along axis 1 of
    /// [N, C, d...] (target [N, d...]) or along the only axis of [C] (target []), each class's loss
    /// scaled by its `weight` [C] when given; targets equal to `ignoreIndex` count for nothing. A
    /// primitive, as in PyTorch: one pass, and one command to a worker instead of the five of its
    /// composition (reshape, gather, reshape, neg, mean).
    case nllLoss(reduction: Reduction, ignoreIndex: Int)
    // MARK: Linear algebra through LAPACK (batched over leading axes; Kernels/Linalg.swift)
    /// The inverse of square matrices.
    case linalgInv
    /// `solve(A, B)`: `X` with `A X = B`; `B` a matrix or, as PyTorch decides, a vector per matrix.
    case linalgSolve
    /// The determinant.
    case linalgDet
    /// Two outputs: the sign of the determinant and the logarithm of its absolute value.
    case linalgSlogdet
    /// The lower Cholesky factor `L` (`A = L Lᵀ`); only the lower triangle of `A` is read.
    case linalgCholesky
    /// The reduced QR decomposition; two outputs `Q` (m×k) and `R` (k×n), `k = min(m, n)`.
    case linalgQr
    /// The reduced SVD (`full_matrices=False`); three outputs `U` (m×k), `S` (k), `Vh` (k×n).
    case linalgSvd
    /// The eigendecomposition of symmetric matrices from their lower triangle; two outputs: the
    /// eigenvalues in ascending order and the eigenvectors as columns.
    case linalgEigh
    /// The least-squares solution `X` minimizing `‖A X - B‖` (minimum norm when `A` is rank-deficient).
    case linalgLstsq
    // MARK: Convolution and pooling (Op+Infer+Conv.swift, Kernels/Conv.swift, Kernels/Pool.swift)
    // Indirect: their four attribute arrays would make every `Op` (and every command that carries one)
    // 33 bytes instead of 25.
    /// 2-D convolution (PyTorch's `conv2d`): inputs `x` [N, C, H, W] (or unbatched [C, H, W]), `weight`
    /// [O, C / groups, kH, kW] and an optional third input `bias` [O]. Each attribute array has two
    /// entries (height, width).
    indirect case conv2d(stride: [Int], padding: [Int], dilation: [Int], groups: Int)
    /// 2-D max pooling over [N, C, H, W] or [C, H, W] (PyTorch's `max_pool2d`).
    indirect case maxPool2d(kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool)
    /// 2-D average pooling over [N, C, H, W] or [C, H, W] (PyTorch's `avg_pool2d`).
    indirect case avgPool2d(
        kernel: [Int], stride: [Int], padding: [Int], ceilMode: Bool, countIncludePad: Bool)
    /// The sliding windows of [N, C, H, W] (or [C, H, W]) as columns, [N, C·kH·kW, L] (PyTorch's
    /// `unfold`, the `im2col` kernel). A primitive because it is the im2col kernel itself: per-example
    /// gradients of a convolution are one batched matmul over it (Note [Per-example gradients in one
    /// pass]), and building it from slices would take kH·kW copies and a concatenation.
    indirect case unfold(kernel: [Int], stride: [Int], padding: [Int], dilation: [Int])

    /// The name PyTorch gives this operation (also its name on the wire).
    public var name: String {
        switch self {
        case .neg: return "neg"
        case .abs: return "abs"
        case .exp: return "exp"
        case .log: return "log"
        case .sqrt: return "sqrt"
        case .sin: return "sin"
        case .cos: return "cos"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .relu: return "relu"
        case .clamp: return "clamp"
        case .cast: return "to"
        case .add: return "add"
        case .sub: return "sub"
        case .mul: return "mul"
        case .div: return "div"
        case .pow: return "pow"
        case .maximum: return "maximum"
        case .minimum: return "minimum"
        case .eq: return "eq"
        case .ne: return "ne"
        case .lt: return "lt"
        case .le: return "le"
        case .gt: return "gt"
        case .ge: return "ge"
        case .where: return "where"
        case .sum: return "sum"
        case .prod: return "prod"
        case .max: return "amax"
        case .min: return "amin"
        case .argmax: return "argmax"
        case .argmin: return "argmin"
        case .reshape: return "reshape"
        case .permute: return "permute"
        case .expand: return "expand"
        case .slice: return "slice"
        case .sliceScatter: return "slice_scatter"
        case .cat: return "cat"
        case .matmul: return "matmul"
        case .linear: return "linear"
        case .softmax: return "softmax"
        case .logSoftmax: return "log_softmax"
        case .bernoulli: return "bernoulli"
        case .gather: return "gather"
        case .nllLoss: return "nll_loss"
        case .linalgInv: return "linalg_inv"
        case .linalgSolve: return "linalg_solve"
        case .linalgDet: return "linalg_det"
        case .linalgSlogdet: return "linalg_slogdet"
        case .linalgCholesky: return "linalg_cholesky"
        case .linalgQr: return "linalg_qr"
        case .linalgSvd: return "linalg_svd"
        case .linalgEigh: return "linalg_eigh"
        case .linalgLstsq: return "linalg_lstsq"
        case .conv2d: return "conv2d"
        case .maxPool2d: return "max_pool2d"
        case .avgPool2d: return "avg_pool2d"
        case .unfold: return "im2col"
        }
    }

    /// The number of tensor inputs the operation takes (nil: it varies, and the shape rule checks the count:
    /// `cat` takes one or more, `conv2d`, `linear` and `nllLoss` two or three).
    public var arity: Int? {
        switch self {
        case .neg, .abs, .exp, .log, .sqrt, .sin, .cos, .tanh, .sigmoid, .relu, .clamp, .cast:
            return 1
        case .add, .sub, .mul, .div, .pow, .maximum, .minimum, .eq, .ne, .lt, .le, .gt, .ge:
            return 2
        case .where: return 3
        case .sum, .prod, .max, .min, .argmax, .argmin: return 1
        case .reshape, .permute, .expand, .slice: return 1
        case .sliceScatter: return 2
        case .cat: return nil
        case .matmul: return 2
        case .softmax, .logSoftmax, .bernoulli: return 1
        case .gather: return 2
        case .nllLoss: return nil  // 2 or 3 (with class weights), checked by the shape rule
        case .linear: return nil  // 2 or 3 (with bias), checked by the shape rule
        case .linalgInv, .linalgDet, .linalgSlogdet, .linalgCholesky, .linalgQr, .linalgSvd, .linalgEigh:
            return 1
        case .linalgSolve, .linalgLstsq: return 2
        case .conv2d: return nil  // 2 or 3 (with bias), checked by the shape rule
        case .maxPool2d, .avgPool2d, .unfold: return 1
        }
    }

    /// The number of outputs.
    public var outputCount: Int {
        switch self {
        case .linalgSlogdet, .linalgQr, .linalgEigh: return 2
        case .linalgSvd: return 3
        case .neg, .abs, .exp, .log, .sqrt, .sin, .cos, .tanh, .sigmoid, .relu, .clamp, .cast, .add, .sub,
            .mul, .div, .pow, .maximum, .minimum, .eq, .ne, .lt, .le, .gt, .ge, .where, .sum, .prod, .max,
            .min, .argmax, .argmin, .reshape, .permute, .expand, .slice, .sliceScatter, .cat, .matmul,
            .softmax, .logSoftmax, .bernoulli, .gather, .nllLoss, .linear, .conv2d, .maxPool2d, .avgPool2d,
            .unfold, .linalgInv,
            .linalgSolve,
            .linalgDet, .linalgCholesky,
            .linalgLstsq:
            return 1
        }
    }
}

/// The shape and dtype of a tensor, without its data: what shape rules compute and what a remote tensor
/// knows about its object.
public struct TensorMeta: Hashable, Sendable, CustomStringConvertible {
    public var shape: [Int]
    public var dtype: DType
    /// Whether the tensor is a Swift number wrapped for an operation (`x + 1`): it takes part in dtype
    /// promotion only by category, as in PyTorch.
    public var isWrappedNumber: Bool

    public init(shape: [Int], dtype: DType, isWrappedNumber: Bool = false) {
        self.shape = shape
        self.dtype = dtype
        self.isWrappedNumber = isWrappedNumber
    }

    /// The number of elements.
    public var count: Int { shapeCount(shape) }

    public var description: String { "\(shapeString(shape)) \(dtype.rawValue)" }
}

/// Why an operation cannot run on the given inputs (a shape, dtype or attribute error).
public struct OpError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The operation's name.
    public var op: String
    /// What is wrong, naming the shapes involved.
    public var message: String

    public init(op: String, _ message: String) {
        self.op = op
        self.message = message
    }

    public var description: String { "\(op): \(message)" }
}
