import Syft

// Remote cases on virtual workers with every message through the wire codec, against PySyft 0.2.9's
// figures (PERFORMANCE.md) as absolute targets, and the remote MLP step against the same step run locally
// in this process.

func remoteCases() -> [BenchCase] {
    [
        BenchCase(
            name: "remote_add_5", unit: .microseconds,
            ours: Workload {
                let bob = VirtualWorker(id: "bench-bob", useWireCodec: true)
                let x = try! Tensor.rand([5]).send(to: bob)
                let y = try! Tensor.rand([5]).send(to: bob)
                // Pipelined: the command is queued and goes out with the others in one message; the result
                // pointer is dropped, so a delete follows it (what a loop of remote adds costs).
                return { _ = x + y }
            },
            anchor: .none, target: .time(atMost: 2, .microseconds)),
        BenchCase(
            name: "send_get_1m", unit: .gigabytes, work: 2 * 4 * 1_048_576,
            ours: Workload {
                let bob = VirtualWorker(id: "bench-bob", useWireCodec: true)
                let x = Tensor.rand([1 << 20])
                return { _ = try! x.send(to: bob).get() }
            },
            anchor: .none, target: .rate(atLeast: 4, .gigabytes)),
        BenchCase(
            name: "remote_backward_5", unit: .microseconds,
            ours: Workload {
                let bob = VirtualWorker(id: "bench-bob", useWireCodec: true)
                let x = try! Tensor.rand([5], generator: Generator(seed: 1)).send(to: bob)
                let y = try! Tensor.rand([5], generator: Generator(seed: 2)).send(to: bob)
                var xs = x
                var ys = y
                xs.requiresGrad = true
                ys.requiresGrad = true
                return { [xs, ys] in try! (xs + ys).sum().backward() }
            },
            anchor: .none, target: .none),
        BenchCase(
            name: "remote_mlp_step", unit: .microseconds,
            ours: Workload {
                let bob = VirtualWorker(id: "bench-bob", useWireCodec: true)
                let (model, opt, x, y) = mlpFixture()
                try! model.send(to: bob)
                let (xr, yr) = (try! x.send(to: bob), try! y.send(to: bob))
                return {
                    opt.zeroGrad()
                    try! crossEntropy(model(xr), yr).backward()
                    try! opt.step()
                }
            },
            anchor: .inProcess(
                name: "local_step",
                Workload {
                    let (model, opt, x, y) = mlpFixture()
                    return {
                        opt.zeroGrad()
                        try! crossEntropy(model(x), y).backward()
                        try! opt.step()
                    }
                }),
            target: .timeRatio(atMost: 1.1, of: "local_step")),
    ]
}
