import SyftCore

/// The seed's walk-through (PySyft's "Part 1: The Basic Tools of Private Deep Learning"), step by step on
/// virtual workers, with real results: what `syft tutorial` prints.
public enum Tutorial {
    /// One step: what the seed does, the Swift for it, and what it printed here.
    public struct Step: Sendable {
        public var number: Int
        public var title: String
        public var swift: String
        public var output: String
    }

    /// Runs every step of the seed and returns them with their results.
    /// - Parameter useWireCodec: send every message through the wire codec, as over the network.
    public static func run(useWireCodec: Bool = false) throws -> [Step] {
        var steps: [Step] = []
        func step(_ title: String, _ swift: String, _ output: String) {
            steps.append(Step(number: steps.count + 1, title: title, swift: swift, output: output))
        }
        let x = Tensor([1, 2, 3, 4, 5])
        step("A tensor", "let x = Tensor([1, 2, 3, 4, 5])", "\(x)")
        let y = x + x
        step("Arithmetic", "let y = x + x", "\(y)")
        let bob = VirtualWorker(id: "bob", useWireCodec: useWireCodec)
        step("A worker", "let bob = VirtualWorker(id: \"bob\")", "\(bob)")
        let xPtr = try x.send(to: bob)
        let yPtr = try Tensor([1, 1, 1, 1, 1]).send(to: bob)
        step(
            "Send a tensor to bob",
            "let xPtr = try x.send(to: bob)\nlet yPtr = try Tensor([1, 1, 1, 1, 1]).send(to: bob)",
            "\(xPtr)\n\(yPtr)")
        step("What bob holds", "bob.objects", "\(bob.objects)")
        let z = xPtr + xPtr
        step("Compute on the pointer: it runs on bob", "let z = xPtr + xPtr", "\(z)\n\(bob)")
        step(
            "Pointer metadata", "xPtr.location, xPtr.idAtLocation, xPtr.id, xPtr.owner",
            "\(xPtr.location!)\n\(xPtr.idAtLocation!)\n\(xPtr.id!)\n\(xPtr.owner)")
        step("The local worker", "Syft.me", "\(me)\nSyft.me === xPtr.owner: \(me === xPtr.owner)")
        let gotX = try xPtr.get()
        let gotY = try yPtr.get()
        let gotZ = try z.get()
        step(
            "Bring the data back", "try xPtr.get(); try yPtr.get(); try z.get()",
            "\(gotX)\n\(gotY)\n\(gotZ)\n\(bob.objects)")
        let a = try Tensor([1, 2, 3, 4, 5]).send(to: bob)
        let b = try Tensor([1, 1, 1, 1, 1]).send(to: bob)
        let sum = a + b
        step("Two pointers", "let z = x + y  // both on bob\ntry z.get()", "\(try sum.get())")
        let viaFunction = add(a, b)
        step("Every function accepts pointers", "add(x, y)", "\(viaFunction)\n\(try viaFunction.get())")
        let gx = try Tensor([1, 2, 3, 4, 5.0], requiresGrad: true).send(to: bob)
        let gy = try Tensor([1, 1, 1, 1, 1.0], requiresGrad: true).send(to: bob)
        let loss = (gx + gy).sum()
        try loss.backward()
        step(
            "Autograd on bob", "let z = (x + y).sum()\ntry z.backward()",
            "\(loss)  (backward ran on bob; nothing came back)")
        let back = try gx.get()
        step(
            "The gradient comes back with the tensor", "let x = try xPtr.get(); x; x.grad",
            "\(back)\n\(back.grad!)")
        return steps
    }

    /// The walk-through as text, step by step.
    public static func text(_ steps: [Step]) -> String {
        steps.map { s in
            let code = s.swift.split(separator: "\n").map { "  > \($0)" }.joined(separator: "\n")
            let out = s.output.split(separator: "\n", omittingEmptySubsequences: false).map { "    \($0)" }
                .joined(separator: "\n")
            return "Step \(s.number): \(s.title)\n\(code)\n\(out)"
        }.joined(separator: "\n\n")
    }
}
