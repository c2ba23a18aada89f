import SyftCore
import SyftNN

extension GoldenOps {
    /// Convolution, pooling and linear algebra cases.
    static func evaluateLayers(_ op: String, _ attrs: [String: JSONValue], _ x: [Tensor]) -> Tensor? {
        switch op {
        default: return nil
        }
    }
}
