import SyftCore
import SyftNN

/// What each golden case name computes, in this library's API (see shared/golden/README.md). Names beyond
/// the shipped file's (sin, prod, var, ...) are accepted too, so other PyTorch-computed files can be run.
enum GoldenOps {
    static func evaluate(_ op: String, _ attrs: [String: JSONValue], _ x: [Tensor]) throws -> Tensor? {
        let dims = attrs["dim"]?.ints
        let keep = attrs["keepdim"]?.bool ?? false
        let reduction = attrs["reduction"]?.string.flatMap(Reduction.init(rawValue:)) ?? .mean
        func reduce(
            _ t: Tensor, all: (Tensor) -> Tensor, squeezing: (Tensor, [Int]) -> Tensor,
            along: (Tensor, [Int]) -> Tensor
        ) -> Tensor {
            guard let dims else { return all(t) }
            return keep ? along(t, dims) : squeezing(t, dims)
        }
        switch op {
        case "add", "add_broadcast": return x[0] + x[1]
        case "sub", "sub_broadcast": return x[0] - x[1]
        case "mul", "mul_broadcast": return x[0] * x[1]
        case "div", "div_broadcast": return x[0] / x[1]
        case "pow": return x[0].pow(x[1])
        case "pow_scalar": return x[0].pow(attrs["exponent"]?.double ?? 2)
        case "maximum": return maximum(x[0], x[1])
        case "minimum": return minimum(x[0], x[1])
        case "neg": return -x[0]
        case "exp": return x[0].exp()
        case "log": return x[0].log()
        case "sqrt": return x[0].sqrt()
        case "sin": return x[0].sin()
        case "cos": return x[0].cos()
        case "tanh": return x[0].tanh()
        case "sigmoid": return x[0].sigmoid()
        case "relu": return x[0].relu()
        case "abs": return x[0].abs()
        case "clamp": return x[0].clamp(min: attrs["min"]?.double, max: attrs["max"]?.double)
        case "sum", "sum_all", "sum_dim", "sum_dim_keepdim":
            return reduce(
                x[0], all: { $0.sum() }, squeezing: { $0.sum(squeezingAxes: $1) },
                along: { $0.sum(alongAxes: $1) })
        case "mean", "mean_all", "mean_dim", "mean_dim_keepdim":
            return reduce(
                x[0], all: { $0.mean() }, squeezing: { $0.mean(squeezingAxes: $1) },
                along: { $0.mean(alongAxes: $1) })
        case "prod", "prod_all", "prod_dim", "prod_dim_keepdim":
            return reduce(
                x[0], all: { $0.prod() }, squeezing: { $0.prod(squeezingAxes: $1) },
                along: { $0.prod(alongAxes: $1) })
        case "max", "max_all", "max_dim", "max_dim_keepdim", "amax":
            return reduce(
                x[0], all: { $0.max() }, squeezing: { $0.max(squeezingAxes: $1) },
                along: { $0.max(alongAxes: $1) })
        case "min", "min_all", "min_dim", "min_dim_keepdim", "amin":
            return reduce(
                x[0], all: { $0.min() }, squeezing: { $0.min(squeezingAxes: $1) },
                along: { $0.min(alongAxes: $1) })
        case "var", "var_dim", "std", "std_dim":
            let correction = attrs["correction"]?.int ?? ((attrs["unbiased"]?.bool ?? true) ? 1 : 0)
            let v: Tensor
            if let dims {
                v =
                    keep
                    ? x[0].variance(alongAxes: dims, correction: correction)
                    : x[0].variance(squeezingAxes: dims, correction: correction)
            } else {
                v = x[0].variance(correction: correction)
            }
            return op.hasPrefix("std") ? v.sqrt() : v
        case "matmul", "matmul_2d", "matmul_vec", "matmul_batched", "matmul_broadcast_batch", "mm", "bmm",
            "mv", "dot":
            return matmul(x[0], x[1])
        case "transpose": return x[0].transposed(attrs["dim0"]?.int ?? 0, attrs["dim1"]?.int ?? 1)
        case "permute": return x[0].permuted(attrs["dims"]?.ints ?? [])
        case "reshape", "view": return x[0].reshaped(to: attrs["shape"]?.ints ?? [])
        case "expand": return x[0].expanded(to: attrs["shape"]?.ints ?? [])
        case "slice":
            guard case .array(let ranges)? = attrs["ranges"] else { return nil }
            let items = ranges.map { r -> TensorIndex in
                let v = r.ints ?? [0, 0, 1]
                return .range(start: v[0], end: v[1], step: v.count > 2 ? v[2] : 1)
            }
            return x[0][items]
        case "cat": return cat(x, axis: attrs["dim"]?.int ?? 0)
        case "stack": return stack(x, axis: attrs["dim"]?.int ?? 0)
        case "softmax": return softmax(x[0], axis: attrs["dim"]?.int ?? -1)
        case "log_softmax": return logSoftmax(x[0], axis: attrs["dim"]?.int ?? -1)
        case "cross_entropy":
            return crossEntropy(x[0], Tensor(attrs["target"]?.ints ?? []), reduction: reduction)
        case "nll_loss":
            return nllLoss(
                logSoftmax(x[0], axis: 1), Tensor(attrs["target"]?.ints ?? []), reduction: reduction)
        case "mse_loss": return mseLoss(x[0], x[1], reduction: reduction)
        case "binary_cross_entropy_with_logits":
            return binaryCrossEntropyWithLogits(x[0], x[1], reduction: reduction)
        case "linear": return linear(x[0], weight: x[1], bias: x.count > 2 ? x[2] : nil)
        default: return try GoldenOps.evaluateLayers(op, attrs, x)
        }
    }
}
