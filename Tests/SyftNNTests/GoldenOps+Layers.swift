import SyftCore
import SyftNN

extension GoldenOps {
    /// Convolution, pooling and linear-algebra cases.
    static func evaluateLayers(_ op: String, _ attrs: [String: JSONValue], _ x: [Tensor]) throws -> Tensor? {
        switch op {
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
