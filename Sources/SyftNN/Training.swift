import SyftCore

/// What a model learns to predict: class indices (cross entropy) or real values (mean squared error).
public enum Task: String, Sendable, CaseIterable, Codable {
    case classify, regress

    /// The loss of `output` against `target` for this task.
    public func loss(_ output: Tensor, _ target: Tensor) -> Tensor {
        switch self {
        case .classify: return crossEntropy(output, target)
        case .regress: return mseLoss(output, target)
        }
    }
}

/// One epoch of minibatch training; returns the mean loss over the batches.
///
/// ```swift
/// let opt = SGD(model.parameters(), lr: 0.1)
/// for epoch in 0..<20 {
///     let loss = try trainEpoch(model, loader, optimizer: opt, task: .classify)
/// }
/// ```
@discardableResult
public func trainEpoch(
    _ model: some Layer, _ loader: DataLoader, optimizer: some Optimizer, task: Task
) throws -> Double {
    model.train()
    var total = 0.0
    var batches = 0
    for (x, y) in loader {
        optimizer.zeroGrad()
        let loss = task.loss(model(x), y)
        try loss.backward()
        try optimizer.step()
        total += loss.item()
        batches += 1
    }
    return batches == 0 ? 0 : total / Double(batches)
}

/// The fraction of rows whose largest output is the target class.
public func accuracy(_ output: Tensor, _ target: Tensor) -> Double {
    let predicted = output.argmax(squeezingAxis: 1)
    return (predicted .== target).to(.float64).mean().item()
}

/// The model's loss and, for classification, accuracy on a whole data set, in evaluation mode.
public func evaluate(
    _ model: some Layer, features: Tensor, targets: Tensor, task: Task
) -> (loss: Double, accuracy: Double?) {
    model.eval()
    defer { model.train() }
    return withoutGradient {
        let out = model(features)
        let loss = task.loss(out, targets).item()
        return (loss, task == .classify ? accuracy(out, targets) : nil)
    }
}
