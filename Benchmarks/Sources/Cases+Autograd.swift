import Syft

// The autograd cases: the fixed cost of recording a tiny graph and walking it back, against PyTorch
// where it runs (SYFT_TORCH_PYTHON), with an absolute target that is decided either way.

/// `backward_5`: `(x + y).sum().backward()` on two 5-element float32 leaves that require grad.
func autogradCases() -> [BenchCase] {
    [
        BenchCase(
            name: "backward_5", unit: .microseconds,
            ours: Workload {
                var x = Tensor.rand([5])
                var y = Tensor.rand([5])
                x.requiresGrad = true
                y.requiresGrad = true
                // The gradients accumulate in the leaves' slots from call to call, as in PyTorch's loop.
                return { [x, y] in try! (x + y).sum().backward() }
            },
            anchor: .python(.torch, key: "backward_5"), target: .time(atMost: 3, .microseconds))
    ]
}
