import Foundation
import SyftCore
import SyftNN
import XCTest

/// Every case of the golden file (PyTorch 2.13's values in float64): the output and each input's
/// gradient of `sum(output * upstream)` within 1e-8 relative (absolute floor 1e-10).
///
/// The file is `Resources/autograd.json`, a copy of `shared/golden/autograd.json`; the environment
/// variable `SYFT_GOLDEN_FILE` names another file of the same format to run instead.
final class GoldenAutogradTests: XCTestCase {
    struct GoldenFile: Decodable {
        var rule: String
        var cases: [Case]
    }
    struct Case: Decodable {
        var op: String
        var attrs: [String: JSONValue]
        var inputs: [Array]
        var output: Array
        var upstream: Array
        var grads: [Array?]
    }
    struct Array: Decodable {
        var shape: [Int]
        var data: [Double]
        var tensor: Tensor { Tensor(shape: shape, scalars: data, dtype: .float64) }
    }

    func testGoldenCases() throws {
        let url: URL
        if let path = ProcessInfo.processInfo.environment["SYFT_GOLDEN_FILE"], !path.isEmpty {
            url = URL(fileURLWithPath: path)
        } else {
            url = try XCTUnwrap(
                Bundle.module.url(forResource: "autograd", withExtension: "json", subdirectory: "Resources"))
        }
        let file = try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: url))
        XCTAssertEqual(file.rule, "grads[i] = d/d inputs[i] of sum(output * upstream)")
        XCTAssertFalse(file.cases.isEmpty)
        for (n, c) in file.cases.enumerated() {
            let label = "case \(n) '\(c.op)' \(c.attrs)"
            let inputs = c.inputs.map {
                Tensor(shape: $0.shape, scalars: $0.data, dtype: .float64, requiresGrad: true)
            }
            guard let output = try GoldenOps.evaluate(c.op, c.attrs, inputs) else {
                XCTFail("\(label): unknown operation name")
                continue
            }
            XCTAssertEqual(output.shape, c.output.shape, "\(label): output shape")
            guard output.shape == c.output.shape else { continue }
            assertGolden(output.doubles, c.output.data, "\(label): output")
            try (output * c.upstream.tensor).sum().backward()
            for (i, expected) in c.grads.enumerated() {
                guard let expected else { continue }
                guard let g = inputs[i].grad else {
                    XCTFail("\(label): input \(i) got no gradient")
                    continue
                }
                XCTAssertEqual(g.shape, expected.shape, "\(label): gradient \(i) shape")
                assertGolden(g.doubles, expected.data, "\(label): gradient of input \(i)")
            }
        }
    }

    func assertGolden(
        _ actual: [Double], _ expected: [Double], _ message: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertEqual(actual.count, expected.count, message, file: file, line: line)
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let tolerance = Swift.max(1e-8 * Swift.abs(e), 1e-10)
            if !(Swift.abs(a - e) <= tolerance) {
                XCTFail("\(message), element \(i): \(a) vs PyTorch \(e)", file: file, line: line)
                return
            }
        }
    }
}

/// A JSON attribute value.
enum JSONValue: Decodable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSONValue])
    case null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else {
            self = .array(try c.decode([JSONValue].self))
        }
    }

    var int: Int? { if case .number(let d) = self { return Int(d) }; return nil }
    var double: Double? { if case .number(let d) = self { return d }; return nil }
    var ints: [Int]? {
        switch self {
        case .array(let a): return a.compactMap(\.int)
        case .number(let d): return [Int(d)]
        default: return nil
        }
    }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var description: String {
        switch self {
        case .number(let d): return "\(d)"
        case .string(let s): return s
        case .bool(let b): return "\(b)"
        case .array(let a): return "\(a)"
        case .null: return "null"
        }
    }
}
