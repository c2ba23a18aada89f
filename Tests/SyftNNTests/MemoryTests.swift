import Foundation
import SyftCore
import SyftNN
import XCTest

/// A training loop's memory stays flat: no reference cycles between tensors, nodes and closures.
final class MemoryTests: XCTestCase {
    /// Resident set size in bytes, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testTrainingLoopMemoryIsFlat() throws {
        let g = Generator(seed: 3)
        let model = Sequential(Linear(16, 32, generator: g), Tanh(), Linear(32, 4, generator: g))
        let opt = Adam(model.parameters(), lr: 1e-3)
        let x = Tensor.randn([32, 16], generator: g)
        let y = Tensor.randint(0, 4, [32], generator: g)
        var at500 = 0
        for step in 1...10_000 {
            opt.zeroGrad()
            let loss = crossEntropy(model(x), y)
            try loss.backward()
            try opt.step()
            if step == 500 { at500 = Self.residentBytes() }
        }
        let at10000 = Self.residentBytes()
        XCTAssertGreaterThan(at500, 0)
        let growth = Double(at10000 - at500) / Double(at500)
        XCTAssertLessThanOrEqual(growth, 0.05, "resident memory grew from \(at500) to \(at10000) bytes")
    }
}
