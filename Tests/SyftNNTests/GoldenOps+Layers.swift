import SyftCore
import SyftNN

extension GoldenOps {
    /// Convolution, pooling and linear-algebra cases.
    static func evaluateLayers(_ op: String, _ attrs: [String: JSONValue], _ x: [Tensor]) throws -> Tensor? {
        switch op {
        case "conv2d", "conv2d_stride2", "conv2d_padding", "conv2d_dilation", "conv2d_groups":
            return conv2d(
                x[0], x[1], bias: x.count > 2 ? x[2] : nil, stride: attrs["stride"]?.ints ?? [1],
                padding: attrs["padding"]?.ints ?? [0], dilation: attrs["dilation"]?.ints ?? [1],
                groups: attrs["groups"]?.int ?? 1)
        case "max_pool2d":
            let kernel = attrs["kernel_size"]?.ints ?? [2]
            return maxPool2d(
                x[0], kernelSize: kernel, stride: attrs["stride"]?.ints ?? kernel,
                padding: attrs["padding"]?.ints ?? [0],
                dilation: attrs["dilation"]?.ints ?? [1], ceilMode: attrs["ceil_mode"]?.bool ?? false)
        case "avg_pool2d":
            let kernel = attrs["kernel_size"]?.ints ?? [2]
            return avgPool2d(
                x[0], kernelSize: kernel, stride: attrs["stride"]?.ints ?? kernel,
                padding: attrs["padding"]?.ints ?? [0],
                ceilMode: attrs["ceil_mode"]?.bool ?? false,
                countIncludePad: attrs["count_include_pad"]?.bool ?? true)
        case "linalg_inv", "inv": return try inv(x[0])
        case "linalg_solve", "solve": return try solve(x[0], x[1])
        case "linalg_det", "det": return det(x[0])
        case "linalg_slogdet": return slogdet(x[0]).logabsdet
        case "linalg_cholesky", "cholesky": return try cholesky(x[0])
        case "linalg_lstsq": return try lstsq(x[0], x[1])
        default: return nil
        }
    }
}
