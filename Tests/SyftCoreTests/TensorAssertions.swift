import SyftCore
import XCTest
import _TestSupport

// Assertions the core tests share. Expected values come from PyTorch (Scripts/gen_core_cases.py) and are
// written out exactly: a float32 result is given as the double its float32 value is, so the default
// tolerance is zero (exact); transcendental functions pass a tolerance.

/// Asserts the dtype and shape of `actual`, and that its elements are `expected` within
/// `atol + rtol * |expected|` (exact by default; NaN matches NaN).
func assertTensor(
    _ actual: Tensor, _ expected: [Double], shape: [Int], dtype: DType, rtol: Double = 0, atol: Double = 0,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.dtype, dtype, "dtype", file: file, line: line)
    XCTAssertEqual(actual.shape, shape, "shape", file: file, line: line)
    guard actual.shape == shape else { return }
    assertClose(actual.doubles, expected, rtol: rtol, atol: atol, file: file, line: line)
}

/// Asserts that `actual` is an int64 tensor of `shape` holding exactly `expected`.
func assertInts(
    _ actual: Tensor, _ expected: [Int], shape: [Int], file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.dtype, .int64, "dtype", file: file, line: line)
    XCTAssertEqual(actual.shape, shape, "shape", file: file, line: line)
    guard actual.shape == shape else { return }
    XCTAssertEqual(actual.ints, expected, file: file, line: line)
}

/// Asserts that `actual` is a bool tensor of `shape` holding exactly `expected`.
func assertBools(
    _ actual: Tensor, _ expected: [Bool], shape: [Int], file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.dtype, .bool, "dtype", file: file, line: line)
    XCTAssertEqual(actual.shape, shape, "shape", file: file, line: line)
    guard actual.shape == shape else { return }
    XCTAssertEqual(actual.bools, expected, file: file, line: line)
}

/// Asserts that every element's sign bit is as given (to tell -0.0 from 0.0, which compare equal).
func assertSigns(
    _ actual: Tensor, negative expected: [Bool], file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.doubles.map { $0.sign == .minus }, expected, "sign bits", file: file, line: line)
}
