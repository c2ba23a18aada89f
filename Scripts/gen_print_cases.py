#!/usr/bin/env python3
"""Generates Tests/SyftCoreTests/TensorFormatterTests.swift from real PyTorch output.

Usage (from the package root):
    /work/torchenv/bin/python Scripts/gen_print_cases.py > Tests/SyftCoreTests/TensorFormatterTests.swift

Every expected string is `repr(tensor)` as printed by the installed PyTorch with its
default print options. Small tensors are emitted as explicit value literals; large ones
as a Swift closure over the flat index that computes exactly the same values as the
Python formula used to build the tensor (plain IEEE double arithmetic, then a cast to
the tensor's dtype).
"""
import math

import numpy as np
import torch

torch.manual_seed(0)
F32, F64, I64, BOOL = torch.float32, torch.float64, torch.int64, torch.bool
DTYPE_NAMES = {F32: "float32", F64: "float64", I64: "int64", BOOL: "bool"}
ARRAY_LABELS = {F32: "float32", F64: "float64", I64: "int64", BOOL: "bool"}

cases = []  # (name, swift call)


def swift_string(text):
    """A Swift string literal for `text` (multi-line literal when it spans lines)."""
    if "\\" in text or '"' in text:
        raise ValueError(f"unexpected characters in {text!r}")
    if "\n" not in text:
        return f'"{text}"'
    body = "\n".join(("            " + line) if line else "" for line in text.split("\n"))
    return '"""\n' + body + '\n            """'


def literal(value, dtype):
    """A Swift literal for one element of the given dtype."""
    if dtype == BOOL:
        return "true" if value else "false"
    if dtype == I64:
        return str(int(value))
    value = float(value)
    if math.isnan(value):
        return "-.nan" if math.copysign(1.0, value) < 0 else ".nan"
    if math.isinf(value):
        return "-.infinity" if value < 0 else ".infinity"
    if value != 0 and abs(value) < (1.1754943508222875e-38 if dtype == F32 else 2.2250738585072014e-308):
        # Subnormal: a decimal literal would trigger Swift's "loses precision" warning.
        if dtype == F32:
            return f"Float(bitPattern: {hex(int(np.float32(value).view(np.uint32)))})"
        return f"Double(bitPattern: {hex(int(np.float64(value).view(np.uint64)))})"
    # Shortest repr for the dtype: np.float32's repr round-trips through a Swift Float literal.
    text = str(np.float32(value)) if dtype == F32 else repr(value)
    return text if ("." in text or "e" in text or "n" in text) else text + ".0"


def repr_checked(t, suffixes):
    text = repr(t)
    for suffix in suffixes:
        assert suffix in text, (suffix, text)
    return text


def suffix_arg(suffixes):
    if not suffixes:
        return ""
    return ", suffixes: [" + ", ".join(f'"{s}"' for s in suffixes) + "]"


def values_case(name, t, suffixes=()):
    """A case whose values are written out as literals."""
    expected = repr_checked(t, suffixes)
    flat = t.detach().reshape(-1).tolist()
    label = ARRAY_LABELS[t.dtype]
    values = ", ".join(literal(v, t.dtype) for v in flat)
    call = (f"check(shape: {list(t.shape)}, {label}: [{values}]{suffix_arg(suffixes)},\n"
            f"            {swift_string(expected)})")
    cases.append((name, call))


def formula_case(name, shape, dtype, py, swift, suffixes=(), requires_grad=False):
    """A case whose element i is `py(i)` in double precision, cast to `dtype`.

    `py` is applied to a float64 tensor of flat indices; `swift` is the same formula as a
    Swift expression of `i` (an Int) producing a Double.
    """
    n = math.prod(shape)
    index = torch.arange(n, dtype=F64)
    t = py(index).to(dtype).reshape(shape)
    if requires_grad:
        t.requires_grad_(True)
    expected = repr_checked(t, suffixes)
    call = (f"check(shape: {list(shape)}, dtype: .{DTYPE_NAMES[dtype]}{suffix_arg(suffixes)},\n"
            f"            element: {{ i in {swift} }},\n"
            f"            {swift_string(expected)})")
    cases.append((name, call))


nan, inf = float("nan"), float("inf")
T = torch.tensor

# --- The seed's examples -------------------------------------------------------------
values_case("SeedInt", T([1, 2, 3, 4, 5]))
values_case("SeedDoubledInt", T([1, 2, 3, 4, 5]) * 2)
values_case("SeedOnes", torch.ones(5))
values_case("SeedRequiresGrad", T([1., 2., 3., 4., 5.], requires_grad=True), ["requires_grad=True"])

# --- 0-d tensors -----------------------------------------------------------------------
values_case("ScalarFloat32Fraction", T(1.5))
values_case("ScalarFloat32Integral", T(2.))
values_case("ScalarFloat32Zero", T(0.))
values_case("ScalarFloat64", T(3.14159265358979, dtype=F64))
values_case("ScalarFloat64Integral", T(-4., dtype=F64))
values_case("ScalarInt64", T(-7))
values_case("ScalarBoolTrue", T(True))
values_case("ScalarBoolFalse", T(False))
values_case("ScalarTiny", T(1e-5))
values_case("ScalarHuge", T(123456789.))
values_case("ScalarNaN", T(nan))
values_case("ScalarNegativeInfinity", T(-inf))
values_case("ScalarRequiresGrad", T(2.5, requires_grad=True), ["requires_grad=True"])
values_case("ScalarFloat64RequiresGrad", T(0.5, dtype=F64, requires_grad=True), ["requires_grad=True"])

# --- float64 suffix --------------------------------------------------------------------
values_case("Float64Fraction", T([1.5, 2.25, -0.125], dtype=F64))
values_case("Float64Integral", T([1., 2., 3.], dtype=F64))
values_case("Float64Precise", T([0.1, 0.2, 0.30000000000000004], dtype=F64))

# --- bool ------------------------------------------------------------------------------
values_case("BoolMixed", T([True, False]))
values_case("BoolAllTrue", T([True, True, True]))
values_case("BoolAllFalse", T([False, False]))
values_case("Bool2D", T([[True, False, True], [False, True, False]]))

# --- int64 -----------------------------------------------------------------------------
values_case("IntNegative", T([-1, 0, 1, -100]))
values_case("IntZeros", torch.zeros(4, dtype=I64))
values_case("IntLarge", T([2**53, -(2**53), 1]))
values_case("IntLargeMixed", T([1234567890123, 0, -42]))

# --- fixed-point floats --------------------------------------------------------------
values_case("Float32Fraction", T([0.1, 0.2, 0.3]))
values_case("Float32Negative", T([-1.5, 2.25, -3.125]))
values_case("Float32NegativeIntegral", T([-1., -2., 10.]))
values_case("Float32MixedIntegral", T([1., 2.5]))
values_case("Float32IntegralWidths", T([100., 1., -20.]))
values_case("Float32Rounding", T([1.00005, 2.00015, 0.12345, 9.99995]))
values_case("Float64RoundingTies", T([0.03125, 0.09375, 0.15625, 1.03125], dtype=F64))
values_case("Float32Third", T([1. / 3., 2. / 3., 1.]))
values_case("NegativeZeroIntegral", T([-0., 1.]))
values_case("NegativeZeroFraction", T([-0., 1.5]))
values_case("AllZeros", torch.zeros(3))
values_case("ZeroAndNegativeZero", T([0., -0.]))
values_case("Float32Randn", torch.randn(6))

# --- scientific notation ---------------------------------------------------------------
values_case("SciBigIntegral", T([1e10, 1.]))
values_case("SciTiny", T([1e-5, 1e-6]))
values_case("SciRatio", T([1e-3, 1e3, 1.5]))
values_case("SciRatioTies", T([1.03125, 1.09375, 12345.], dtype=F64))
values_case("SciFloat64Extremes", T([1e20, -1e-20], dtype=F64))
values_case("SciFloat64ThreeDigitExponent", T([1e300, 1e-300, -2.5e-150], dtype=F64))
values_case("SciSubnormal", T([5e-324, 1.], dtype=F64))
values_case("SciFloat32Max", T([3.4028234663852886e38, -1.]))
values_case("SciWithZero", T([0., 1e-5, 1.]))
values_case("SciRoundingCarry", T([9.99996e5, 1e-2]))
values_case("SciOneE8AndOne", T([1e8, 1.]))
values_case("NotSciAtOneE8", T([1e8, 1e6]))
values_case("SciAboveOneE8", T([100000008., 1e6]))
values_case("NotSciRatioExactly1000", T([0.5, 500.]))
values_case("SciRatioJustAbove1000", T([0.5, 500.5]))

# --- nan / inf -------------------------------------------------------------------------
values_case("OnlyNonFinite", T([nan, inf, -inf]))
values_case("NonFiniteWithFraction", T([1.5, nan, -inf, 2.25]))
values_case("NonFiniteWithIntegral", T([1., nan, inf]))
values_case("NonFiniteWithSci", T([1e-5, nan, 1e5, -inf]))
values_case("ZeroAndNaN", T([0., nan]))
values_case("NegativeNaN", T([-nan, 1.5]))
values_case("SciSubnormalFloat32", T([1e-45, 1.]))

# --- 2-D / 3-D / 4-D -------------------------------------------------------------------
values_case("Int2D", torch.arange(6).reshape(2, 3))
values_case("Float2D", T([[0.5, -1.25, 3.], [4.75, 5., -6.5]]))
values_case("Float64_2D", T([[1., 2.], [3., 4.5]], dtype=F64))
values_case("Randn2D", torch.randn(3, 4))
values_case("IntNegative2D", T([[-1, 10], [100, -1000]]))
values_case("OneByOne", T([[7.]]))
values_case("Column", T([[1], [2], [3]]))
values_case("Row", T([[1.5, 2.5, 3.5]]))
values_case("Int3D", torch.arange(24).reshape(2, 3, 4))
values_case("Float3D", (torch.arange(12, dtype=F32) / 4).reshape(2, 2, 3))
values_case("Float4D", torch.arange(16, dtype=F32).reshape(2, 2, 2, 2))
values_case("Singleton4D", T([[[[3]]]]))
values_case("Sci2D", T([[1e-5, 2.], [3e4, -4.]]))

# --- empty tensors ---------------------------------------------------------------------
values_case("EmptyFloat32", torch.zeros(0))
values_case("EmptyInt64", torch.zeros(0, dtype=I64))
values_case("EmptyBool", torch.zeros(0, dtype=BOOL))
values_case("EmptyFloat64", torch.zeros(0, dtype=F64))
values_case("Empty0x3", torch.zeros(0, 3))
values_case("Empty2x0x4Float64", torch.zeros(2, 0, 4, dtype=F64))
values_case("Empty2x0x4Int64", torch.zeros(2, 0, 4, dtype=I64))
values_case("EmptyRequiresGrad", torch.zeros(0, dtype=F64, requires_grad=True), ["requires_grad=True"])

# --- long rows wrap at linewidth 80 ----------------------------------------------------
values_case("WrapFloatArange30", torch.arange(30, dtype=F32))
values_case("WrapIntArange30", torch.arange(30))
values_case("WrapRandn20", torch.randn(20))
values_case("WrapBool30", torch.arange(30) % 3 == 0)
values_case("Wrap2D", torch.arange(60, dtype=F32).reshape(2, 30) / 7)
values_case("Wrap3D", torch.arange(120).reshape(2, 2, 30) * 1000)
formula_case("WrapExactly1000", [1000], I64, lambda i: i, "Double(i)")

# --- summarization (more than 1000 elements) -------------------------------------------
formula_case("Summarize1DInt", [2000], I64, lambda i: i, "Double(i)")
formula_case("Summarize1DFloat", [2000], F32, lambda i: i * 0.5, "Double(i) * 0.5")
formula_case("Summarize1DFloat1001", [1001], F32, lambda i: i / 1000, "Double(i) / 1000")
formula_case("Summarize1DFloat64", [1001], F64, lambda i: i - 500.25, "Double(i) - 500.25")
formula_case("Summarize1DBool", [2000], BOOL, lambda i: torch.remainder(i, 2), "Double(i % 2)")
formula_case("Summarize2DInt", [100, 100], I64, lambda i: i, "Double(i)")
formula_case("Summarize2DSci", [100, 100], F32, lambda i: (i + 1) * 0.001, "(Double(i) + 1) * 0.001")
formula_case("Summarize2DTallNarrow", [2000, 2], F32, lambda i: i, "Double(i)")
formula_case("Summarize2DShortWide", [2, 2000], I64, lambda i: i, "Double(i)")
formula_case("Summarize3D", [10, 10, 20], I64, lambda i: i, "Double(i)")
formula_case("Summarize3DMixed", [2, 3, 200], F32, lambda i: i / 4, "Double(i) / 4")
formula_case("Summarize4D", [8, 8, 8, 8], F32, lambda i: -i, "-Double(i)")
formula_case("Summarize16M", [4096, 4096], F32, lambda i: i, "Double(i)")
formula_case("Summarize2DRequiresGrad", [100, 100], F64, lambda i: i / 8, "Double(i) / 8",
             ["requires_grad=True"], requires_grad=True)

# --- autograd suffixes together with dtype=torch.float64 -------------------------------
values_case("Float64RequiresGrad", T([1., 2.], dtype=F64, requires_grad=True), ["requires_grad=True"])
_x64 = T([1., 2.], dtype=F64, requires_grad=True)
values_case("Float64GradFn", _x64 * 2, ["grad_fn=<MulBackward0>"])
values_case("Float32GradFn", T([1.5, 2.], requires_grad=True) + 1, ["grad_fn=<AddBackward0>"])
values_case("SumGradFn", T([1., 2.], dtype=F64, requires_grad=True).sum(), ["grad_fn=<SumBackward0>"])
values_case("Float64LongRowWraps", torch.randn(8, dtype=F64) * 10, [])
values_case("Float64SuffixFitsOnLine", torch.arange(6, dtype=F64) * 1.1)
values_case("Float64SuffixNewLine", torch.arange(7, dtype=F64) * 1.1)
values_case("RequiresGradNewLine", (torch.arange(4, dtype=F64) * 1.1).requires_grad_(), ["requires_grad=True"])
values_case("BothSuffixesNewLine", (torch.arange(7, dtype=F64) * 1.1).requires_grad_(), ["requires_grad=True"])
values_case("Float64GradFnWraps", torch.randn(7, dtype=F64, requires_grad=True) * 100,
            ["grad_fn=<MulBackward0>"])
values_case("Float64RequiresGrad2D", torch.arange(12, dtype=F64).reshape(3, 4).div(3).requires_grad_(),
            ["requires_grad=True"])


def main():
    seen = set()
    out = []
    out.append("// Generated by Scripts/gen_print_cases.py from PyTorch "
               f"{torch.__version__.split('+')[0]}; do not edit by hand.")
    out.append("// Regenerate: /work/torchenv/bin/python Scripts/gen_print_cases.py "
               "> Tests/SyftCoreTests/TensorFormatterTests.swift")
    out.append("")
    out.append("import XCTest")
    out.append("@testable import SyftCore")
    out.append("")
    out.append("final class TensorFormatterTests: XCTestCase {")
    for name, call in cases:
        assert name not in seen, name
        seen.add(name)
        out.append(f"    func test{name}() {{")
        out.append(f"        {call}")
        out.append("    }")
        out.append("")
    out.append(HELPERS)
    out.append("}")
    print("\n".join(out))


HELPERS = '''\
    // MARK: - Helpers

    /// Formats with `element` and checks the string and that only printed elements were read.
    private func check(
        shape: [Int], dtype: DType, suffixes: [String] = [],
        element: (Int) -> Double, _ expected: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let numel = shape.reduce(1, *)
        var reads = [Int: Int]()
        let text = formatTensor(shape: shape, dtype: dtype, suffixes: suffixes) { index in
            XCTAssert((0..<numel).contains(index), "index \\(index) out of range", file: file, line: line)
            reads[index, default: 0] += 1
            let value = element(index)
            switch dtype {
            case .float32: return Double(Float(value))
            case .float64, .int64: return value
            case .bool: return value != 0 ? 1 : 0
            }
        }
        XCTAssertEqual(text, expected, file: file, line: line)
        let printed = numel > 1000 ? shape.map { min($0, 6) }.reduce(1, *) : numel
        XCTAssertEqual(reads.count, printed, "elements read", file: file, line: line)
        XCTAssert(reads.values.allSatisfy { $0 == 1 }, "an element was read twice", file: file, line: line)
    }

    private func check(
        shape: [Int], float32 values: [Float], suffixes: [String] = [], _ expected: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        check(shape: shape, dtype: .float32, suffixes: suffixes, element: { Double(values[$0]) },
              expected, file: file, line: line)
    }

    private func check(
        shape: [Int], float64 values: [Double], suffixes: [String] = [], _ expected: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        check(shape: shape, dtype: .float64, suffixes: suffixes, element: { values[$0] },
              expected, file: file, line: line)
    }

    private func check(
        shape: [Int], int64 values: [Int64], suffixes: [String] = [], _ expected: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        check(shape: shape, dtype: .int64, suffixes: suffixes, element: { Double(values[$0]) },
              expected, file: file, line: line)
    }

    private func check(
        shape: [Int], bool values: [Bool], suffixes: [String] = [], _ expected: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        check(shape: shape, dtype: .bool, suffixes: suffixes, element: { values[$0] ? 1 : 0 },
              expected, file: file, line: line)
    }'''

if __name__ == "__main__":
    main()
