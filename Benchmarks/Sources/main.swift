import Syft
import Dispatch

func time(_ name: String, reps: Int, _ body: () -> Void) {
    var best = Double.infinity
    for _ in 0..<5 {
        let t = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<reps { body() }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t) / Double(reps))
    }
    print(name, best, "ns")
}
let which = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "all"
let x = Tensor([1.0, 2, 3, 4, 5])
let y = Tensor([1.0, 2, 3, 4, 5])
var sink = 0
if which == "all" || which == "add5" { time("add5", reps: 2000000) { sink &+= (x + y).count } }
let xg = Tensor([1.0, 2, 3, 4, 5], requiresGrad: true)
let yg = Tensor([1.0, 2, 3, 4, 5], requiresGrad: true)
if which == "all" || which == "bw" { time("backward5", reps: 200000) { try! (xg + yg).sum().backward() } }
if which == "all" {
let a = Tensor.rand([1 << 24]); let b = Tensor.rand([1 << 24])
time("add16M", reps: 10) { sink &+= (a + b).count }
time("exp16M", reps: 5) { sink &+= a.exp().count }
time("sum16M", reps: 10) { sink &+= a.sum().count }
let m = Tensor.rand([1024, 1024])
time("sgemm1024", reps: 5) { sink &+= matmul(m, m).count }
}
print(sink)
