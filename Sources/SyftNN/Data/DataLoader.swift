import SyftCore

/// Per-column standardization `(x - mean) / std`, fitted on training data (scikit-learn's
/// `StandardScaler`); columns with zero spread are left centered.
public struct Standardizer: Sendable {
    public var mean: Tensor
    public var std: Tensor

    /// Fits the column means and (population) standard deviations of `x` [rows, columns].
    public init(fitting x: Tensor) {
        precondition(x.rank == 2, "Standardizer: expects [rows, columns], got \(x.shape)")
        let m = withoutGradient { x.mean(alongAxes: 0) }
        let s = withoutGradient { x.std(alongAxes: [0], correction: 0) }
        mean = m
        std = withoutGradient { `where`(s .> 1e-12, s, 1.0) }
    }

    /// The standardized values.
    public func transform(_ x: Tensor) -> Tensor { withoutGradient { (x - mean) / std } }
}

/// Batches of features and targets, optionally reshuffled each epoch (PyTorch's `DataLoader`).
///
/// ```swift
/// let loader = DataLoader(features: x, targets: y, batchSize: 32, shuffle: true, generator: Generator(seed: 0))
/// for (xb, yb) in loader { ... }
/// ```
public struct DataLoader: Sequence {
    public let features: Tensor
    public let targets: Tensor
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    let generator: SyftCore.Generator

    public init(
        features: Tensor, targets: Tensor, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
        generator: SyftCore.Generator = SyftCore.Generator(seed: 0)
    ) {
        precondition(batchSize > 0, "DataLoader: batch size must be positive")
        precondition(
            features.shape.first == targets.shape.first,
            "DataLoader: \(features.shape.first ?? 0) feature rows but \(targets.shape.first ?? 0) targets")
        self.features = features
        self.targets = targets
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.generator = generator
    }

    /// The number of batches per epoch.
    public var count: Int {
        let n = features.shape.first ?? 0
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize
    }

    public func makeIterator() -> AnyIterator<(Tensor, Tensor)> {
        let n = features.shape.first ?? 0
        let order = shuffle ? permutation(n, generator: generator) : Array(0..<n)
        let (x, y) = shuffle ? (selectRows(features, order), selectRows(targets, order)) : (features, targets)
        var start = 0
        let total = count
        var produced = 0
        return AnyIterator {
            guard produced < total else { return nil }
            let end = Swift.min(n, start + batchSize)
            defer {
                start = end
                produced += 1
            }
            return (x[start..<end], y[start..<end])
        }
    }
}

/// The rows of `x` at `indices` along axis 0 (a copy; `torch.index_select(x, 0, indices)`).
public func selectRows(_ x: Tensor, _ indices: [Int]) -> Tensor {
    let index = Tensor(
        shape: [indices.count] + Array(repeating: 1, count: Swift.max(x.rank - 1, 0)), scalars: indices)
    if x.rank == 1 { return gather(x, axis: 0, index: Tensor(indices)) }
    return gather(x, axis: 0, index: index.expanded(to: [indices.count] + Array(x.shape.dropFirst())))
}
