import Syft

// Neural-network cases: a whole training step of an MLP, against PyTorch CPU where it runs
// (SYFT_TORCH_PYTHON).

/// `mlp_step`: MLP 784-256-10, batch 64: zero grad, forward, cross entropy, backward, SGD step.
func nnCases() -> [BenchCase] {
    [
        BenchCase(
            name: "mlp_step", unit: .microseconds,
            ours: Workload {
                let (model, opt, x, y) = mlpFixture()
                return {
                    opt.zeroGrad()
                    try! crossEntropy(model(x), y).backward()
                    try! opt.step()
                }
            },
            anchor: .python(.torch, key: "mlp_step"), target: .timeRatio(atMost: 0.9, of: "torch")),
    ]
}

/// The MLP of `mlp_step` with its optimizer and one batch.
func mlpFixture() -> (Sequential, SGD, Tensor, Tensor) {
    let g = Generator(seed: 0)
    let model = Sequential(Linear(784, 256, generator: g), ReLU(), Linear(256, 10, generator: g))
    let opt = SGD(model.parameters(), lr: 0.01)
    return (model, opt, Tensor.randn([64, 784], generator: g), Tensor.randint(0, 10, [64], generator: g))
}
