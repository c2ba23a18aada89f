import Syft

// Neural-network cases: a whole training step of an MLP, against PyTorch CPU where it runs
// (SYFT_TORCH_PYTHON).

/// `mlp_step`: MLP 784-256-10, batch 64: zero grad, forward, cross entropy, backward, SGD step.
/// `conv2d_step`: conv2d forward + backward, batch 64, 1 -> 8 channels, 28x28, 3x3, padding 1.
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
        BenchCase(
            name: "conv2d_step", unit: .microseconds,
            ours: Workload {
                let g = Generator(seed: 0)
                let x = Tensor.randn([64, 1, 28, 28], generator: g)
                var w = Tensor.randn([8, 1, 3, 3], generator: g)
                var b = Tensor.randn([8], generator: g)
                w.requiresGrad = true
                b.requiresGrad = true
                // The gradients accumulate in the leaves' slots from call to call, as in PyTorch's loop.
                return { [x, w, b] in try! conv2d(x, w, bias: b, padding: 1).sum().backward() }
            },
            anchor: .python(.torch, key: "conv2d_step"), target: .timeRatio(atMost: 1.0, of: "torch")),
    ]
}

/// The MLP of `mlp_step` with its optimizer and one batch.
func mlpFixture() -> (Sequential, SGD, Tensor, Tensor) {
    let g = Generator(seed: 0)
    let model = Sequential(Linear(784, 256, generator: g), ReLU(), Linear(256, 10, generator: g))
    let opt = SGD(model.parameters(), lr: 0.01)
    return (model, opt, Tensor.randn([64, 784], generator: g), Tensor.randint(0, 10, [64], generator: g))
}
