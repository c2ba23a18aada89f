import SyftCore
import XCTest

/// Asserts that `actual` has `expected`'s shape and that every element is within
/// `atol + rtol * |expected|` (NaN matches NaN).
public func assertClose(
    _ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.shape, expected.shape, "shape \(message)", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    assertClose(actual.doubles, expected.doubles, rtol: rtol, atol: atol, message, file: file, line: line)
}

/// Asserts that `actual`'s elements are within `atol + rtol * |expected|` of `expected` (NaN matches NaN).
public func assertClose(
    _ actual: Tensor, _ expected: [Double], shape: [Int]? = nil, rtol: Double = 1e-5, atol: Double = 1e-8,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    if let shape { XCTAssertEqual(actual.shape, shape, "shape \(message)", file: file, line: line) }
    assertClose(actual.doubles, expected, rtol: rtol, atol: atol, message, file: file, line: line)
}

/// Asserts elementwise closeness of two arrays.
public func assertClose(
    _ actual: [Double], _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-8,
    _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        if a.isNaN && e.isNaN { continue }
        if a == e { continue }
        if !(Swift.abs(a - e) <= atol + rtol * Swift.abs(e)) {
            XCTFail(
                "element \(i): \(a) vs expected \(e) (rtol \(rtol), atol \(atol)) \(message)", file: file,
                line: line)
            return
        }
    }
}
