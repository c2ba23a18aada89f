#!/usr/bin/env python3
"""Prints the PyTorch reference values hard-coded in Tests/SyftCoreTests/*Tests.swift.

Usage (from the package root):
    /work/torchenv/bin/python Scripts/gen_core_cases.py [section ...]
    /work/torchenv/bin/python Scripts/gen_core_cases.py --update

Sections: creation, promotion, elementwise, broadcasting, reduction, shape, indexing, matmul,
concat, description. Without arguments every section is printed. With --update, every generated
test function replaces the function of the same name in Tests/SyftCoreTests/*.swift (the
hand-written tests around them are left as they are).

Each case pairs a Swift expression with the same computation in PyTorch and prints a Swift
assertion (`assertTensor`, `assertInts`, `assertBools`, or a `description` comparison) whose
expected values are the PyTorch result, written out exactly: float32 results as the double
that the float32 value is, so arithmetic that PyTorch does exactly is asserted exactly. The
printed lines were pasted into the test files, inside hand-written test functions; the Swift
fixtures (`let a = Tensor(...)`) are printed too, so that both sides start from the same data.
Tests never call Python.
"""
import math
import sys

import torch

T = torch.tensor
F32, F64, I64, BOOL = torch.float32, torch.float64, torch.int64, torch.bool
DTYPE = {F32: "float32", F64: "float64", I64: "int64", BOOL: "bool"}
nan, inf = float("nan"), float("inf")

# Tolerances for transcendental functions: PyTorch uses SLEEF/vectorized libm, Syft glibc.
TF32 = dict(rtol=1e-6, atol=1e-7)
TF64 = dict(rtol=1e-13, atol=1e-15)

V = {}  # fixture name -> torch value


def lit(v, dtype):
    if dtype == BOOL:
        return "true" if v else "false"
    if dtype == I64:
        return str(int(v))
    v = float(v)
    if math.isnan(v):
        return ".nan"
    if math.isinf(v):
        return "-.infinity" if v < 0 else ".infinity"
    return repr(v)


def array(t, width=92, indent=12, force_lines=False):
    """A Swift array literal of the values, wrapped to lines of about `width` characters."""
    items = [lit(v, t.dtype) for v in t.detach().reshape(-1).tolist()]
    if not items or (len(", ".join(items)) < 60 and not force_lines):
        return "[" + ", ".join(items) + "]"
    lines, line = [], ""
    for item in items:
        if line and len(line) + len(item) + 2 > width - indent:
            lines.append(line)
            line = ""
        line = item if not line else line + ", " + item
    lines.append(line)
    pad = " " * indent
    return "[\n" + ",\n".join(pad + x for x in lines) + ",\n" + " " * (indent - 4) + "]"


def fixture(name, swift, value):
    """`let name = swift` in Swift, `value` in PyTorch."""
    V[name] = value
    print(f"        let {name} = {swift}")


def chk(swift, t, rtol=0, atol=0):
    """An assertion that the Swift expression equals the PyTorch tensor `t` (lines of at most 110
    characters where the expression allows)."""
    t = t.detach()
    shape = list(t.shape)
    if t.dtype == BOOL:
        head, tail = "assertBools", f"shape: {shape})"
    elif t.dtype == I64:
        head, tail = "assertInts", f"shape: {shape})"
    else:
        tol = ""
        if rtol:
            tol += f", rtol: {rtol}"
        if atol:
            tol += f", atol: {atol}"
        head, tail = "assertTensor", f"shape: {shape}, dtype: .{DTYPE[t.dtype]}{tol})"
    line = f"        {head}({swift}, {array(t)}, {tail}"
    if "\n" in line or len(line) <= 110 or t.numel() == 0:
        print(line)
    else:
        print(f"        {head}({swift}, {array(t, force_lines=True)}, {tail}")


def note(text):
    """A comment in the generated Swift."""
    print(f"        // {text}")


def desc(swift, t):
    text = repr(t)
    if "\n" in text:
        body = "\n".join("            " + line for line in text.split("\n"))
        print(f'        XCTAssertEqual({swift}.description, """\n{body}\n            """)')
    elif len(f'        XCTAssertEqual({swift}.description, "{text}")') <= 110:
        print(f'        XCTAssertEqual({swift}.description, "{text}")')
    else:
        print(f'        XCTAssertEqual(\n            {swift}.description,\n            "{text}")')


def test(name):
    print(f"\n    func {name}() {{")


def end():
    print("    }")


def section(name):
    print(f"\n// ===== {name} =====")


# ------------------------------------------------------------------------------------------
def creation():
    section("creation")
    test("testLinspace")
    chk("Tensor.linspace(0, 1, 5)", torch.linspace(0, 1, 5))
    chk("Tensor.linspace(-1, 1, 7)", torch.linspace(-1, 1, 7))
    chk("Tensor.linspace(-1, 1, 7, dtype: .float64)", torch.linspace(-1, 1, 7, dtype=F64))
    chk("Tensor.linspace(0, 1, 6)", torch.linspace(0, 1, 6))
    chk("Tensor.linspace(0.1, 0.7, 7)", torch.linspace(0.1, 0.7, 7))
    chk("Tensor.linspace(3, -2, 4)", torch.linspace(3, -2, 4))
    chk("Tensor.linspace(2, 5, 1)", torch.linspace(2, 5, 1))
    chk("Tensor.linspace(2, 5, 0)", torch.linspace(2, 5, 0))
    chk("Tensor.linspace(0, 10, 4, dtype: .int64)", torch.linspace(0, 10, 4, dtype=I64))
    chk("Tensor.linspace(10, 0, 4, dtype: .int64)", torch.linspace(10, 0, 4, dtype=I64))
    chk("linspace(-5, 5, 3)", torch.linspace(-5, 5, 3))
    end()

    test("testArange")
    chk("Tensor.arange(5)", torch.arange(5))
    chk("Tensor.arange(1, 10, 3)", torch.arange(1, 10, 3))
    chk("Tensor.arange(10, 0, -3)", torch.arange(10, 0, -3))
    chk("Tensor.arange(-2, 3)", torch.arange(-2, 3))
    chk("Tensor.arange(5, 5)", torch.arange(5, 5))
    chk("Tensor.arange(4, dtype: .float64)", torch.arange(4, dtype=F64))
    chk("Tensor.arange(0.0, 1.0, 0.1)", torch.arange(0.0, 1.0, 0.1))
    chk("Tensor.arange(0.0, 1.0, 0.1, dtype: .float64)", torch.arange(0.0, 1.0, 0.1, dtype=F64))
    chk("Tensor.arange(1.0, 2.5, 0.5)", torch.arange(1.0, 2.5, 0.5))
    chk("Tensor.arange(0.0, 1.0, 0.3)", torch.arange(0.0, 1.0, 0.3))
    chk("Tensor.arange(1.0, -1.0, -0.5)", torch.arange(1.0, -1.0, -0.5))
    # Fewer than 8 float64 (16 float32) values: PyTorch's scalar loop, start + step * i fused.
    chk("Tensor.arange(0.1, 0.65, 0.1, dtype: .float64)", torch.arange(0.1, 0.65, 0.1, dtype=F64))
    chk("Tensor.arange(0.2, 1.3, 0.2, dtype: .float64)", torch.arange(0.2, 1.3, 0.2, dtype=F64))
    chk("Tensor.arange(-0.7, 1.0, 0.3, dtype: .float64)", torch.arange(-0.7, 1.0, 0.3, dtype=F64))
    chk("Tensor.arange(0.35, 2.0, 0.15)", torch.arange(0.35, 2.0, 0.15))
    chk("arange(3)", torch.arange(3))
    chk("arange(0.5, 2.0)", torch.arange(0.5, 2.0))
    end()

    test("testConversionsOnCreation")
    chk("Tensor([-1.7, 2.9, -0.2], dtype: .int64)", T([-1.7, 2.9, -0.2], dtype=I64))
    chk("Tensor([0.0, 0.5, -2.0], dtype: .bool)", T([0.0, 0.5, -2.0], dtype=BOOL))
    chk("Tensor([true, false], dtype: .float32)", T([True, False], dtype=F32))
    chk("Tensor([3, 0, -2], dtype: .bool)", T([3, 0, -2], dtype=BOOL))
    chk("Tensor([0.1, 1e-40], dtype: .float32)", T([0.1, 1e-40], dtype=F32))
    chk("Tensor.full([2], 7.9, dtype: .int64)", torch.full([2], 7.9).to(I64))
    end()


# ------------------------------------------------------------------------------------------
def promotion():
    section("promotion")
    test("testWrappedNumbers")
    fixture("i", "Tensor([1, -2, 3])", T([1, -2, 3]))
    fixture("f", "Tensor([0.5, -1.25, 2.0])", T([0.5, -1.25, 2.0]))
    fixture("d", "Tensor([0.1, -1.25, 2.0], dtype: .float64)", T([0.1, -1.25, 2.0], dtype=F64))
    fixture("b", "Tensor([true, false, true])", T([True, False, True]))
    i, f, d, b = V["i"], V["f"], V["d"], V["b"]
    chk("i * 2.5", i * 2.5)
    chk("2.5 * i", 2.5 * i)
    chk("i + 1", i + 1)
    chk("i - 1.5", i - 1.5)
    chk("d + 1.0", d + 1.0)
    chk("d * 0.1", d * 0.1)
    chk("f + 1", f + 1)
    chk("f * 0.1", f * 0.1)
    chk("b + 1", b + 1)
    chk("b * 2", b * 2)
    chk("b + 1.5", b + 1.5)
    chk("b + true", b + True)
    chk("i + true", i + True)
    chk("i / 2", i / 2)
    chk("3 / i", 3 / i)
    chk("1 - f", 1 - f)
    chk("i .< 2.5", i < 2.5)
    chk("f .== 0.5", f == 0.5)
    chk("d .> 0.1", d > 0.1)
    end()

    test("testTensorTensorPromotion")
    fixture("i", "Tensor([1, -2, 3])", T([1, -2, 3]))
    fixture("f", "Tensor([0.5, -1.25, 2.0])", T([0.5, -1.25, 2.0]))
    fixture("d", "Tensor([0.1, -1.25, 2.0], dtype: .float64)", T([0.1, -1.25, 2.0], dtype=F64))
    fixture("b", "Tensor([true, false, true])", T([True, False, True]))
    i, f, d, b = V["i"], V["f"], V["d"], V["b"]
    chk("i + f", i + f)
    chk("f + d", f + d)
    chk("i * d", i * d)
    chk("b + i", b + i)
    chk("b * f", b * f)
    chk("b + b", b + b)
    chk("b * b", b * b)
    chk("i / i", i / i)
    chk("i / Tensor([2, 0, -2])", i / T([2, 0, -2]))
    chk("maximum(i, f)", torch.maximum(i, f))
    chk("i .== f", i == f)
    chk("b .== i", b == i)
    end()

    test("testZeroDimTensorsPromoteByCategory")
    fixture("i", "Tensor([1, -2, 3])", T([1, -2, 3]))
    fixture("f", "Tensor([0.5, -1.25, 2.0])", T([0.5, -1.25, 2.0]))
    i, f = V["i"], V["f"]
    chk("i + Tensor(2.5)", i + T(2.5))
    chk("i + Tensor(0.1, dtype: .float64)", i + T(0.1, dtype=F64))
    chk("f + Tensor(0.1, dtype: .float64)", f + T(0.1, dtype=F64))
    chk("f + Tensor(2)", f + T(2))
    chk("Tensor([true, false]) + Tensor(3)", T([True, False]) + T(3))
    chk("Tensor(2) + Tensor(0.1, dtype: .float64)", T(2) + T(0.1, dtype=F64))
    chk("Tensor(1.5) * Tensor(2)", T(1.5) * T(2))
    end()

    test("testPowDTypes")
    fixture("i", "Tensor([1, -2, 3])", T([1, -2, 3]))
    fixture("f", "Tensor([0.5, 1.25, 2.0])", T([0.5, 1.25, 2.0]))
    i, f = V["i"], V["f"]
    chk("i.pow(2)", i.pow(2))
    chk("i.pow(3)", i.pow(3))
    chk("i.pow(0.5)", i.pow(0.5))
    chk("f.pow(2)", f.pow(2))
    chk("pow(f, -1)", torch.pow(f, -1))
    chk("Tensor([true, false]).pow(2)", T([True, False]).pow(2))
    chk("pow(i, Tensor([2, 0, 1]))", torch.pow(i, T([2, 0, 1])))
    chk("pow(i, f)", torch.pow(i, f))
    end()

    test("testUnaryFloatFunctionsOfIntegers")
    fixture("i", "Tensor([1, 4, 9])", T([1, 4, 9]))
    i = V["i"]
    chk("sqrt(i)", torch.sqrt(i), **TF32)
    chk("exp(Tensor([0, 1]))", torch.exp(T([0, 1])), **TF32)
    chk("log(i)", torch.log(i), **TF32)
    chk("sigmoid(Tensor([true, false]))", torch.sigmoid(T([True, False])), **TF32)
    chk("i.clamp(min: 2, max: 5)", i.clamp(min=2, max=5))
    chk("i.clamp(min: 2.5)", i.clamp(min=2.5))
    chk("i.clamp(max: 3.5)", i.clamp(max=3.5))
    end()

    test("testCasts")
    fixture("f", "Tensor([-2.7, -0.5, 0.0, 0.5, 2.7, .nan])", T([-2.7, -0.5, 0.0, 0.5, 2.7, nan]))
    f = V["f"]
    chk("f.to(.int64)", f.to(I64))
    chk("f.to(.bool)", f.to(BOOL))
    chk("f.to(.float64)", f.to(F64))
    chk("Tensor([0.1, 1e300, -1e300], dtype: .float64).to(.float32)", T([0.1, 1e300, -1e300], dtype=F64).to(F32))
    chk("Tensor([true, false]).to(.float64)", T([True, False]).to(F64))
    chk("Tensor([true, false]).to(.int64)", T([True, False]).to(I64))
    chk("Tensor([16777217, -3]).to(.float32)", T([16777217, -3]).to(F32))
    chk("Tensor([2, 0, -1]).to(.bool)", T([2, 0, -1]).to(BOOL))
    end()


# ------------------------------------------------------------------------------------------
def elementwise():
    section("elementwise")
    xs = [-2.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5]
    ps = [0.0, 0.25, 1.0, 2.0, 10.0]
    for dt, tol, sw in ((F32, TF32, ""), (F64, TF64, ", dtype: .float64")):
        name = DTYPE[dt].capitalize()
        test(f"testUnary{name}")
        fixture("x", f"Tensor({xs}{sw})", T(xs, dtype=dt))
        fixture("p", f"Tensor({ps}{sw})", T(ps, dtype=dt))
        x, p = V["x"], V["p"]
        chk("-x", -x)
        chk("neg(x)", torch.neg(x))
        chk("abs(x)", torch.abs(x))
        chk("x.abs()", x.abs())
        chk("relu(x)", torch.relu(x))
        chk("exp(x)", torch.exp(x), **tol)
        chk("log(p)", torch.log(p), **tol)
        chk("log(x)", torch.log(x), **tol)
        chk("sqrt(p)", torch.sqrt(p), **tol)
        chk("sqrt(x)", torch.sqrt(x), **tol)
        chk("sin(x)", torch.sin(x), **tol)
        chk("cos(x)", torch.cos(x), **tol)
        chk("tanh(x)", torch.tanh(x), **tol)
        chk("sigmoid(x)", torch.sigmoid(x), **tol)
        chk("x.exp().log()", x.exp().log(), **tol)
        chk("clamp(x, min: -1, max: 1)", torch.clamp(x, -1, 1))
        chk("x.clamp(min: 0.25)", x.clamp(min=0.25))
        chk("x.clamp(max: -0.75)", x.clamp(max=-0.75))
        chk("x.clamp(min: 1, max: -1)", x.clamp(min=1, max=-1))
        end()

    test("testUnarySpecialValues")
    sv = [nan, inf, -inf, -0.0, 100.0, -100.0, -88.0]
    fixture("s", "Tensor([.nan, .infinity, -.infinity, -0.0, 100.0, -100.0, -88.0])", T(sv))
    fixture("s64", "Tensor([.nan, .infinity, -.infinity, -0.0, 100.0, -100.0, -88.0], dtype: .float64)",
            T(sv, dtype=F64))
    s, s64 = V["s"], V["s64"]
    for n, v in (("s", s), ("s64", s64)):
        tol = TF32 if v.dtype == F32 else TF64
        chk(f"relu({n})", torch.relu(v))
        chk(f"abs({n})", torch.abs(v))
        chk(f"clamp({n}, min: -1, max: 1)", torch.clamp(v, -1, 1))
        chk(f"clamp({n}, min: 1, max: -1)", torch.clamp(v, 1, -1))
        chk(f"exp({n})", torch.exp(v), **tol)
        chk(f"tanh({n})", torch.tanh(v), **tol)
        chk(f"sigmoid({n})", torch.sigmoid(v), **tol)
        chk(f"sqrt({n})", torch.sqrt(v), **tol)
        chk(f"log({n})", torch.log(v), **tol)
    end()

    test("testUnaryInt64")
    fixture("i", "Tensor([-3, -1, 0, 2, 5])", T([-3, -1, 0, 2, 5]))
    i = V["i"]
    chk("-i", -i)
    chk("abs(i)", torch.abs(i))
    chk("relu(i)", torch.relu(i))
    chk("clamp(i, min: -1, max: 2)", torch.clamp(i, -1, 2))
    chk("clamp(i, min: 2, max: -1)", torch.clamp(i, 2, -1))
    chk("-Tensor([Int64.min, Int64.max])", -T([-(2**63), 2**63 - 1]))
    chk("abs(Tensor([Int64.min]))", torch.abs(T([-(2**63)])))
    end()

    a = [[1.5, -2.0, 0.25], [3.0, 0.0, -0.5]]
    b = [[0.5, 4.0, -0.25], [-3.0, 2.0, 8.0]]
    for dt, sw in ((F32, ""), (F64, ", dtype: .float64")):
        name = DTYPE[dt].capitalize()
        test(f"testBinary{name}")
        fixture("a", f"Tensor({a}{sw})", T(a, dtype=dt))
        fixture("b", f"Tensor({b}{sw})", T(b, dtype=dt))
        A, B = V["a"], V["b"]
        tol = TF32 if dt == F32 else TF64
        chk("a + b", A + B)
        chk("add(a, b)", torch.add(A, B))
        chk("a - b", A - B)
        chk("sub(a, b)", torch.sub(A, B))
        chk("a * b", A * B)
        chk("mul(a, b)", torch.mul(A, B))
        chk("a / b", A / B)
        chk("div(a, b)", torch.div(A, B))
        chk("pow(abs(a), b)", torch.pow(A.abs(), B), **tol)
        chk("a.pow(2)", A.pow(2), **tol)
        chk("pow(a, 3)", torch.pow(A, 3), **tol)
        chk("a.pow(b)", A.pow(B), **tol)
        chk("maximum(a, b)", torch.maximum(A, B))
        chk("minimum(a, b)", torch.minimum(A, B))
        chk("a + 0.1", A + 0.1)
        chk("0.1 - a", 0.1 - A)
        chk("a / 3", A / 3)
        chk("3 / a", 3 / A)
        chk("a * -1.5", A * -1.5)
        end()

    test("testBinaryNaNAndInfinity")
    fixture("a", "Tensor([1.0, .nan, 2.0, .nan, 0.0, -1.0, 0.0])", T([1.0, nan, 2.0, nan, 0.0, -1.0, 0.0]))
    fixture("b", "Tensor([.nan, 1.0, 3.0, .nan, 0.0, 0.0, -0.0])", T([nan, 1.0, 3.0, nan, 0.0, 0.0, -0.0]))
    A, B = V["a"], V["b"]
    chk("a + b", A + B)
    chk("a / b", A / B)
    chk("maximum(a, b)", torch.maximum(A, B))
    chk("minimum(a, b)", torch.minimum(A, B))
    chk("a .== b", A == B)
    chk("a .!= b", A != B)
    chk("a .< b", A < B)
    chk("a .<= b", A <= B)
    chk("a .> b", A > B)
    chk("a .>= b", A >= B)
    chk("Tensor([Double.infinity, -.infinity]) - Tensor([Double.infinity, -.infinity])",
        T([inf, -inf]) - T([inf, -inf]))
    chk("Tensor([0.0, -2.0]).pow(0.5)", T([0.0, -2.0]).pow(0.5))
    chk("Tensor([.nan, 2.0]).pow(0)", T([nan, 2.0]).pow(0))
    end()

    test("testBinaryInt64")
    fixture("a", "Tensor([[7, -7, 0], [5, 3, -4]])", T([[7, -7, 0], [5, 3, -4]]))
    fixture("b", "Tensor([[2, 2, 3], [-5, 0, 3]])", T([[2, 2, 3], [-5, 0, 3]]))
    A, B = V["a"], V["b"]
    chk("a + b", A + B)
    chk("a - b", A - B)
    chk("a * b", A * B)
    chk("a / b", A / B)
    chk("div(a, b)", torch.div(A, B))
    chk("pow(a, abs(b))", torch.pow(A, B.abs()))
    chk("maximum(a, b)", torch.maximum(A, B))
    chk("minimum(a, b)", torch.minimum(A, B))
    chk("a * 3", A * 3)
    chk("10 - a", 10 - A)
    chk("Tensor([Int64.max, Int64.min]) + Tensor([1, -1])", T([2**63 - 1, -(2**63)]) + T([1, -1]))
    chk("Tensor([1 << 40]) * Tensor([1 << 30])", T([1 << 40]) * T([1 << 30]))
    chk("Tensor([3]).pow(40)", T([3]).pow(40))
    chk("Tensor([9007199254740993]) + Tensor([0])", T([9007199254740993]) + T([0]))
    end()

    test("testBinaryBool")
    fixture("p", "Tensor([true, true, false, false])", T([True, True, False, False]))
    fixture("q", "Tensor([true, false, true, false])", T([True, False, True, False]))
    P, Q = V["p"], V["q"]
    chk("p + q", P + Q)
    chk("p * q", P * Q)
    chk("maximum(p, q)", torch.maximum(P, Q))
    chk("minimum(p, q)", torch.minimum(P, Q))
    chk("p .== q", P == Q)
    chk("p .!= q", P != Q)
    chk("p .< q", P < Q)
    chk("p .>= q", P >= Q)
    chk("p / q", P / Q)
    end()

    test("testComparisons")
    fixture("a", "Tensor([[1, 5, 3], [4, 2, 6]])", T([[1, 5, 3], [4, 2, 6]]))
    fixture("b", "Tensor([[3, 5, 1], [4, 4, 4]])", T([[3, 5, 1], [4, 4, 4]]))
    A, B = V["a"], V["b"]
    chk("a .== b", A == B)
    chk("eq(a, b)", torch.eq(A, B))
    chk("a .!= b", A != B)
    chk("ne(a, b)", torch.ne(A, B))
    chk("a .< b", A < B)
    chk("lt(a, b)", torch.lt(A, B))
    chk("a .<= b", A <= B)
    chk("le(a, b)", torch.le(A, B))
    chk("a .> b", A > B)
    chk("gt(a, b)", torch.gt(A, B))
    chk("a .>= b", A >= B)
    chk("ge(a, b)", torch.ge(A, B))
    chk("a .> 3", A > 3)
    chk("a .<= 2.5", A <= 2.5)
    chk("a .== Tensor([4.0, 2.0, 6.0])", A == T([4.0, 2.0, 6.0]))
    chk("Tensor([0.1], dtype: .float64) .== Tensor([0.1])", T([0.1], dtype=F64) == T([0.1]))
    chk("Tensor([0.1]) .== 0.1", T([0.1]) == 0.1)
    chk("Tensor([9007199254740993]) .> Tensor([9007199254740992])", T([9007199254740993]) > T([9007199254740992]))
    end()

    test("testWhere")
    fixture("c", "Tensor([[true, false, true], [false, false, true]])", T([[True, False, True], [False, False, True]]))
    fixture("a", "Tensor([[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]])", T([[1.5, 2.5, 3.5], [4.5, 5.5, 6.5]]))
    fixture("b", "Tensor([[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]], dtype: .float64)",
            T([[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]], dtype=F64))
    fixture("i", "Tensor([[1, 2, 3], [4, 5, 6]])", T([[1, 2, 3], [4, 5, 6]]))
    C, A, B, I = V["c"], V["a"], V["b"], V["i"]
    chk("`where`(c, a, b)", torch.where(C, A, B))
    chk("`where`(c, a, 0.0)", torch.where(C, A, 0.0))
    chk("`where`(c, i, 0)", torch.where(C, I, 0))
    chk("`where`(c, i, 0.5)", torch.where(C, I, 0.5))
    chk("`where`(c, -1, i)", torch.where(C, -1, I))
    chk("`where`(c, i, a)", torch.where(C, I, A))
    chk("`where`(c, c, Tensor([false]))", torch.where(C, C, T([False])))
    chk("`where`(a .> 3, a, Tensor(0.0))", torch.where(A > 3, A, T(0.0)))
    chk("`where`(Tensor([true, false, true]), i, Tensor([[10], [20]]))",
        torch.where(T([True, False, True]), I, T([[10], [20]])))
    end()

    test("testNonContiguousInputs")
    base = torch.arange(12, dtype=F32).reshape(3, 4) * 0.5 - 2
    fixture("m", "Tensor.arange(12, dtype: .float32).reshaped(to: [3, 4]) * 0.5 - 2", base)
    fixture("t", "m.transposed()", base.t())
    fixture("s", "m[TensorIndex.all, stride(from: 0, to: 4, by: 2)]", base[:, 0:4:2])
    fixture("e", "Tensor([[1.0], [2.0], [3.0]]).expanded(to: [3, 4])", T([[1.0], [2.0], [3.0]]).expand(3, 4))
    M, Tt, S, E = V["m"], V["t"], V["s"], V["e"]
    chk("exp(t)", torch.exp(Tt), **TF32)
    chk("-t", -Tt)
    chk("abs(s)", torch.abs(S))
    chk("sqrt(e)", torch.sqrt(E), **TF32)
    chk("t + t", Tt + Tt)
    chk("t + m.transposed(0, 1)", Tt + M.transpose(0, 1))
    chk("m + e", M + E)
    chk("e * m", E * M)
    chk("s - m[TensorIndex.all, 1..<3]", S - M[:, 1:3])
    chk("t * Tensor([1.0, 2.0, 3.0])", Tt * T([1.0, 2.0, 3.0]))
    chk("maximum(t, Tensor([[0.0], [0.5], [-1.0], [1.0]]))", torch.maximum(Tt, T([[0.0], [0.5], [-1.0], [1.0]])))
    chk("t .> 0", Tt > 0)
    chk("`where`(t .> 0, t, e.transposed())", torch.where(Tt > 0, Tt, E.t()))
    chk("m.transposed().to(.int64)", M.t().to(I64))
    chk("s.to(.float64) * 2", S.to(F64) * 2)
    chk("Tensor.arange(12).reshaped(to: [3, 4]).transposed() * 2", torch.arange(12).reshape(3, 4).t() * 2)
    chk("relu(t)", torch.relu(Tt))
    chk("clamp(s, min: -1, max: 1)", torch.clamp(S, -1, 1))
    chk("sigmoid(t)", torch.sigmoid(Tt), **TF32)
    chk("tanh(e)", torch.tanh(E), **TF32)
    chk("log(abs(t) + 1)", torch.log(Tt.abs() + 1), **TF32)
    chk("sin(s)", torch.sin(S), **TF32)
    chk("cos(t)", torch.cos(Tt), **TF32)
    chk("t / e.transposed()", Tt / E.t())
    chk("pow(abs(t), 0.5)", torch.pow(Tt.abs(), 0.5), **TF32)
    chk("pow(e, t.transposed())", torch.pow(E, Tt.t()), **TF32)
    chk("minimum(s, e[TensorIndex.all, ..<2])", torch.minimum(S, E[:, :2]))
    fixture("it", "Tensor.arange(12).reshaped(to: [3, 4]).transposed() - 5", torch.arange(12).reshape(3, 4).t() - 5)
    IT = V["it"]
    chk("abs(it)", torch.abs(IT))
    chk("-it[stride(from: 0, to: 4, by: 3)]", -IT[0:4:3])
    chk("it .>= Tensor([0, 1, 2])", IT >= T([0, 1, 2]))
    chk("(it .> 0).transposed()", (IT > 0).t())
    chk("(it .> 0).transposed().sum(squeezingAxes: 0)", (IT > 0).t().sum(0))
    chk("`where`((it .> 0).transposed(), m, s.to(.float64)[TensorIndex.all, ..<1])",
        torch.where((IT > 0).t(), M, S.double()[:, :1]))
    end()


# ------------------------------------------------------------------------------------------
def broadcasting():
    section("broadcasting")
    test("testBroadcastShapes")
    fixture("col", "Tensor([[1.0], [2.0], [3.0]])", T([[1.0], [2.0], [3.0]]))
    fixture("row", "Tensor([[10.0, 20.0, 30.0, 40.0]])", T([[10.0, 20.0, 30.0, 40.0]]))
    fixture("m", "Tensor.arange(12, dtype: .float32).reshaped(to: [3, 4])", torch.arange(12, dtype=F32).reshape(3, 4))
    col, row, m = V["col"], V["row"], V["m"]
    chk("col + row", col + row)
    chk("row - col", row - col)
    chk("m * Tensor([1.0, -1.0, 2.0, 0.5])", m * T([1.0, -1.0, 2.0, 0.5]))
    chk("m / col", m / col)
    chk("Tensor(2.0) * m", T(2.0) * m)
    chk("m - Tensor(1)", m - T(1))
    chk("Tensor.arange(6).reshaped(to: [2, 1, 3]) * Tensor([[1], [10], [100], [1000]])",
        torch.arange(6).reshape(2, 1, 3) * T([[1], [10], [100], [1000]]))
    chk("Tensor.arange(5).reshaped(to: [5, 1, 1]) - Tensor.arange(6).reshaped(to: [2, 3])",
        torch.arange(5).reshape(5, 1, 1) - torch.arange(6).reshape(2, 3))
    chk("Tensor([[[1.5]]]) + Tensor([1.0, 2.0])", T([[[1.5]]]) + T([1.0, 2.0]))
    chk("Tensor([1.0]) + Tensor(2.0)", T([1.0]) + T(2.0))
    chk("Tensor(1.0) + Tensor(2.0)", T(1.0) + T(2.0))
    chk("col .< row / 10", col < row / 10)
    chk("maximum(col, Tensor([0.0, 1.5, 2.5, 3.5]))", torch.maximum(col, T([0.0, 1.5, 2.5, 3.5])))
    chk("`where`(col .> 1.5, row, Tensor(0.0))", torch.where(col > 1.5, row, T(0.0)))
    end()

    test("testBroadcastWithEmptyTensors")
    chk("Tensor.zeros([0, 3]) + Tensor([1.0, 2.0, 3.0])", torch.zeros(0, 3) + T([1.0, 2.0, 3.0]))
    chk("Tensor.zeros([2, 0]) + Tensor.ones([2, 1])", torch.zeros(2, 0) + torch.ones(2, 1))
    chk("Tensor.zeros([1, 0]) * Tensor.ones([3, 1])", torch.zeros(1, 0) * torch.ones(3, 1))
    chk("Tensor.zeros([0]) + Tensor(5.0)", torch.zeros(0) + T(5.0))
    chk("Tensor.zeros([0, 3], dtype: .int64) .== Tensor([1, 2, 3])", torch.zeros(0, 3, dtype=I64) == T([1, 2, 3]))
    chk("(Tensor.zeros([0, 3]) + Tensor.ones([3])).sum(squeezingAxes: 0)",
        (torch.zeros(0, 3) + torch.ones(3)).sum(0))
    chk("exp(Tensor.zeros([2, 0]))", torch.exp(torch.zeros(2, 0)))
    end()


# ------------------------------------------------------------------------------------------
def reduction():
    section("reduction")
    x = torch.arange(24, dtype=F32).reshape(2, 3, 4) * 0.5 - 3
    test("testSumFloat32")
    fixture("x", "Tensor.arange(24, dtype: .float32).reshaped(to: [2, 3, 4]) * 0.5 - 3", x)
    chk("x.sum()", x.sum())
    chk("sum(x)", torch.sum(x))
    chk("x.sum(squeezingAxes: 0)", x.sum(0))
    chk("x.sum(squeezingAxes: 1)", x.sum(1))
    chk("x.sum(squeezingAxes: 2)", x.sum(2))
    chk("x.sum(squeezingAxes: -1)", x.sum(-1))
    chk("x.sum(squeezingAxes: 0, 2)", x.sum((0, 2)))
    chk("x.sum(squeezingAxes: [2, -3])", x.sum((2, -3)))
    chk("x.sum(squeezingAxes: 0, 1)", x.sum((0, 1)))
    chk("x.sum(squeezingAxes: 0, 1, 2)", x.sum((0, 1, 2)))
    chk("x.sum(alongAxes: 1)", x.sum(1, keepdim=True))
    chk("x.sum(alongAxes: 0, 2)", x.sum((0, 2), keepdim=True))
    chk("sum(x, alongAxes: [-1])", x.sum(-1, keepdim=True))
    chk("sum(x, squeezingAxes: [1])", x.sum(1))
    end()

    test("testSumOtherDTypes")
    fixture("d", "Tensor([[0.1, 0.2, 0.3], [1e16, 1.0, -1e16]], dtype: .float64)",
            T([[0.1, 0.2, 0.3], [1e16, 1.0, -1e16]], dtype=F64))
    fixture("i", "Tensor([[1, -2, 3], [4, 5, -6]])", T([[1, -2, 3], [4, 5, -6]]))
    fixture("b", "Tensor([[true, false, true], [true, true, true]])", T([[True, False, True], [True, True, True]]))
    d, i, b = V["d"], V["i"], V["b"]
    chk("d.sum(squeezingAxes: 1)", d.sum(1), rtol=1e-15)
    chk("d.sum(squeezingAxes: 0)", d.sum(0))
    chk("i.sum()", i.sum())
    chk("i.sum(squeezingAxes: 0)", i.sum(0))
    chk("i.sum(alongAxes: 1)", i.sum(1, keepdim=True))
    chk("b.sum()", b.sum())
    chk("b.sum(squeezingAxes: 0)", b.sum(0))
    chk("b.sum(squeezingAxes: 1)", b.sum(1))
    chk("Tensor([Int64.max, 1]).sum()", T([2**63 - 1, 1]).sum())
    end()

    test("testMean")
    fixture("x", "Tensor.arange(24, dtype: .float32).reshaped(to: [2, 3, 4]) * 0.5 - 3", x)
    fixture("d", "Tensor([[0.1, 0.2, 0.3], [1.5, 2.5, -4.0]], dtype: .float64)",
            T([[0.1, 0.2, 0.3], [1.5, 2.5, -4.0]], dtype=F64))
    d = V["d"]
    chk("x.mean()", x.mean())
    chk("mean(x)", torch.mean(x))
    chk("x.mean(squeezingAxes: 1)", x.mean(1))
    chk("x.mean(squeezingAxes: 0, 2)", x.mean((0, 2)))
    chk("x.mean(alongAxes: -1)", x.mean(-1, keepdim=True))
    chk("mean(x, alongAxes: [0, 1])", x.mean((0, 1), keepdim=True))
    chk("mean(x, squeezingAxes: [2])", x.mean(2))
    chk("d.mean(squeezingAxes: 1)", d.mean(1), rtol=1e-15)
    chk("d.mean()", d.mean(), rtol=1e-15)
    chk("Tensor(2.5).mean()", T(2.5).mean())
    end()

    test("testProd")
    fixture("f", "Tensor([[1.5, -2.0, 0.5], [3.0, 4.0, -0.25]])", T([[1.5, -2.0, 0.5], [3.0, 4.0, -0.25]]))
    fixture("i", "Tensor([[1, -2, 3], [4, 5, -6]])", T([[1, -2, 3], [4, 5, -6]]))
    f, i = V["f"], V["i"]
    chk("f.prod()", f.prod())
    chk("prod(f)", torch.prod(f))
    chk("f.prod(squeezingAxes: 0)", f.prod(0))
    chk("f.prod(alongAxes: 1)", f.prod(1, keepdim=True))
    chk("f.to(.float64).prod(squeezingAxes: -1)", f.to(F64).prod(-1))
    chk("i.prod()", i.prod())
    chk("i.prod(squeezingAxes: 1)", i.prod(1))
    chk("Tensor([[true, true], [false, true]]).prod(squeezingAxes: 1)", T([[True, True], [False, True]]).prod(1))
    chk("Tensor([true, true]).prod()", T([True, True]).prod())
    end()

    test("testMaxMin")
    fixture("f", "Tensor([[1.5, -2.0, 7.0], [3.0, 7.0, -0.25]])", T([[1.5, -2.0, 7.0], [3.0, 7.0, -0.25]]))
    fixture("i", "Tensor([[1, -2, 3], [4, 5, -6]])", T([[1, -2, 3], [4, 5, -6]]))
    fixture("b", "Tensor([[true, false], [false, false]])", T([[True, False], [False, False]]))
    f, i, b = V["f"], V["i"], V["b"]
    chk("f.max()", f.max())
    chk("max(f)", torch.max(f))
    chk("f.min()", f.min())
    chk("min(f)", torch.min(f))
    chk("f.max(squeezingAxes: 0)", f.amax(0))
    chk("f.max(squeezingAxes: 1)", f.amax(1))
    chk("f.min(squeezingAxes: -1)", f.amin(-1))
    chk("f.max(alongAxes: 1)", f.amax(1, keepdim=True))
    chk("f.min(alongAxes: 0)", f.amin(0, keepdim=True))
    chk("f.max(squeezingAxes: 0, 1)", f.amax((0, 1)))
    chk("i.max()", i.max())
    chk("i.min(squeezingAxes: 0)", i.amin(0))
    chk("i.max(alongAxes: 1)", i.amax(1, keepdim=True))
    chk("b.max(squeezingAxes: 1)", b.amax(1))
    chk("b.min(squeezingAxes: 0)", b.amin(0))
    chk("b.max()", b.max())
    chk("Tensor([-Double.infinity, -.infinity]).max()", T([-inf, -inf]).max())
    end()

    test("testMaxMinPropagateNaN")
    fixture("n", "Tensor([[1.0, .nan, 3.0], [4.0, 5.0, 6.0], [.nan, -1.0, .nan]])",
            T([[1.0, nan, 3.0], [4.0, 5.0, 6.0], [nan, -1.0, nan]]))
    n = V["n"]
    chk("n.max()", n.max())
    chk("n.min()", n.min())
    chk("n.max(squeezingAxes: 0)", n.amax(0))
    chk("n.max(squeezingAxes: 1)", n.amax(1))
    chk("n.min(squeezingAxes: 0)", n.amin(0))
    chk("n.min(squeezingAxes: 1)", n.amin(1))
    chk("n.to(.float64).max(alongAxes: 1)", n.to(F64).amax(1, keepdim=True))
    chk("n.transposed().min(squeezingAxes: 1)", n.t().amin(1))
    chk("n.sum(squeezingAxes: 1)", n.sum(1))
    chk("n.prod(squeezingAxes: 0)", n.prod(0))
    end()

    test("testArgmaxArgmin")
    fixture("f", "Tensor([[1.5, 7.0, 7.0, -2.0], [3.0, -5.0, 3.0, -5.0], [0.0, 0.0, 0.0, 0.0]])",
            T([[1.5, 7.0, 7.0, -2.0], [3.0, -5.0, 3.0, -5.0], [0.0, 0.0, 0.0, 0.0]]))
    fixture("i", "Tensor([[4, 9, 9], [-1, -7, -7]])", T([[4, 9, 9], [-1, -7, -7]]))
    f, i = V["f"], V["i"]
    chk("f.argmax()", f.argmax())
    chk("argmax(f)", torch.argmax(f))
    chk("f.argmin()", f.argmin())
    chk("argmin(f)", torch.argmin(f))
    chk("f.argmax(squeezingAxis: 1)", f.argmax(1))
    chk("f.argmin(squeezingAxis: 1)", f.argmin(1))
    chk("f.argmax(squeezingAxis: 0)", f.argmax(0))
    chk("f.argmin(squeezingAxis: -2)", f.argmin(-2))
    chk("f.argmax(alongAxis: 1)", f.argmax(1, keepdim=True))
    chk("f.argmin(alongAxis: 0)", f.argmin(0, keepdim=True))
    chk("argmax(f, squeezingAxis: -1)", torch.argmax(f, -1))
    chk("argmin(f, squeezingAxis: 0)", torch.argmin(f, 0))
    chk("i.argmax(squeezingAxis: 1)", i.argmax(1))
    chk("i.argmin(squeezingAxis: 1)", i.argmin(1))
    chk("i.argmax()", i.argmax())
    chk("i.argmin()", i.argmin())
    chk("f.transposed().argmax(squeezingAxis: 0)", f.t().argmax(0))
    chk("f.transposed().argmax()", f.t().argmax())
    chk("f.to(.float64).argmin(squeezingAxis: 1)", f.to(F64).argmin(1))
    chk("Tensor([1.0, .nan, 5.0, .nan]).argmax()", T([1.0, nan, 5.0, nan]).argmax())
    chk("Tensor([1.0, .nan, -5.0]).argmin()", T([1.0, nan, -5.0]).argmin())
    chk("Tensor([[2.0, .nan], [.nan, 1.0]]).argmax(squeezingAxis: 1)", T([[2.0, nan], [nan, 1.0]]).argmax(1))
    chk("Tensor(3.0).argmax()", T(3.0).argmax())
    end()

    test("testVarianceAndStd")
    fixture("x", "Tensor([[1.0, 2.0, 4.0, 8.0], [-1.0, 0.5, 0.25, 3.0], [2.0, 2.0, 2.0, 2.0]])",
            T([[1.0, 2.0, 4.0, 8.0], [-1.0, 0.5, 0.25, 3.0], [2.0, 2.0, 2.0, 2.0]]))
    X = V["x"]
    tol = dict(rtol=1e-6, atol=1e-7)
    chk("x.variance()", X.var(), **tol)
    chk("variance(x)", torch.var(X), **tol)
    chk("x.variance(correction: 0)", X.var(correction=0), **tol)
    chk("x.std()", X.std(), **tol)
    chk("std(x, correction: 0)", torch.std(X, correction=0), **tol)
    chk("x.variance(squeezingAxes: [1])", X.var(1), **tol)
    chk("x.variance(squeezingAxes: [1], correction: 0)", X.var(1, correction=0), **tol)
    chk("x.variance(alongAxes: [0])", X.var(0, keepdim=True), **tol)
    chk("x.variance(squeezingAxes: [-1, 0], correction: 0)", X.var((-1, 0), correction=0), **tol)
    chk("x.std(squeezingAxes: [0])", X.std(0), **tol)
    chk("x.std(alongAxes: [1], correction: 0)", X.std(1, keepdim=True, correction=0), **tol)
    chk("x.to(.float64).variance(squeezingAxes: [1])", X.to(F64).var(1), **TF64)
    chk("x.to(.float64).std(correction: 0)", X.to(F64).std(correction=0), **TF64)
    chk("x.variance(correction: 2)", X.var(correction=2), **tol)
    chk("Tensor([3.0]).variance()", T([3.0]).var())
    chk("Tensor([3.0]).variance(correction: 0)", T([3.0]).var(correction=0))
    end()

    test("testReductionsOfEmptyAndZeroDim")
    chk("Tensor.zeros([0, 3]).sum(squeezingAxes: 0)", torch.zeros(0, 3).sum(0))
    chk("Tensor.zeros([0, 3]).sum(squeezingAxes: 1)", torch.zeros(0, 3).sum(1))
    chk("Tensor.zeros([0]).sum()", torch.zeros(0).sum())
    chk("Tensor.zeros([0], dtype: .int64).sum()", torch.zeros(0, dtype=I64).sum())
    chk("Tensor.zeros([2, 0]).prod(squeezingAxes: 1)", torch.zeros(2, 0).prod(1))
    chk("Tensor.zeros([0]).mean()", torch.zeros(0).mean())
    chk("Tensor.zeros([2, 0]).max(squeezingAxes: 0)", torch.zeros(2, 0).amax(0))
    chk("Tensor(2.5).sum()", T(2.5).sum())
    chk("Tensor(2.5).sum(squeezingAxes: 0)", T(2.5).sum(0))
    chk("Tensor(2.5).sum(alongAxes: -1)", T(2.5).sum(-1, keepdim=True))
    # Left out of the tests: 0-d max/min traps in Op+Infer.swift (reported). PyTorch: tensor(4).
    # chk("Tensor(4).max()", T(4).max())
    note("Left out: Tensor(4).max() (PyTorch: tensor(4)) traps, \"Index out of range\" in the shape rule of")
    note("max/min (Op+Infer.swift, `x.shape[a]` for axis 0 of a 0-d tensor). Reported to the Ops owner.")
    chk("Tensor(true).sum()", T(True).sum())
    end()

    test("testReductionsOfNonContiguousInputs")
    base = torch.arange(24, dtype=F32).reshape(2, 3, 4) * 0.5 - 3
    fixture("x", "Tensor.arange(24, dtype: .float32).reshaped(to: [2, 3, 4]) * 0.5 - 3", base)
    fixture("p", "x.permuted(2, 0, 1)", base.permute(2, 0, 1))
    fixture("s", "x[TensorIndex.ellipsis, stride(from: 1, to: 4, by: 2)]", base[..., 1:4:2])
    fixture("e", "Tensor([1.0, -2.0, 3.0]).expanded(to: [4, 3])", T([1.0, -2.0, 3.0]).expand(4, 3))
    P, S, E = V["p"], V["s"], V["e"]
    chk("p.sum(squeezingAxes: 0)", P.sum(0))
    chk("p.sum(squeezingAxes: 2)", P.sum(2))
    chk("p.sum(alongAxes: 1)", P.sum(1, keepdim=True))
    chk("p.max(squeezingAxes: 0, 1)", P.amax((0, 1)))
    chk("p.argmax(squeezingAxis: 0)", P.argmax(0))
    chk("p.argmin(squeezingAxis: 2)", P.argmin(2))
    chk("s.sum(squeezingAxes: 1)", S.sum(1))
    chk("s.min()", S.min())
    chk("s.mean(squeezingAxes: 2)", S.mean(2))
    chk("e.sum(squeezingAxes: 0)", E.sum(0))
    chk("e.sum()", E.sum())
    chk("e.max(squeezingAxes: 1)", E.amax(1))
    chk("e.prod(squeezingAxes: 0)", E.prod(0))
    chk("e.variance(squeezingAxes: [0])", E.var(0))
    chk("e.argmax(squeezingAxis: 1)", E.argmax(1))
    end()


# ------------------------------------------------------------------------------------------
def shape():
    section("shape")
    test("testShapeOperations")
    x = torch.arange(24).reshape(2, 3, 4)
    fixture("x", "Tensor.arange(24).reshaped(to: [2, 3, 4])", x)
    chk("x.reshaped(to: [4, -1])", x.reshape(4, -1))
    chk("reshape(x, [-1])", x.reshape(-1))
    chk("x.flattened()", x.flatten())
    chk("x.transposed(0, 2)", x.transpose(0, 2))
    chk("transpose(x, -1, 1)", x.transpose(-1, 1))
    chk("x.matrixTransposed()", x.mT)
    chk("x.permuted(2, 0, 1)", x.permute(2, 0, 1))
    chk("permute(x, [1, -1, 0])", x.permute(1, -1, 0))
    chk("x.permuted(2, 0, 1).reshaped(to: [4, 6])", x.permute(2, 0, 1).reshape(4, 6))
    chk("x.transposed(0, 1).reshaped(to: [-1])", x.transpose(0, 1).reshape(-1))
    chk("x.transposed(1, 2).contiguous()", x.transpose(1, 2).contiguous())
    chk("x[TensorIndex.all, 1].reshaped(to: [8])", x[:, 1].reshape(8))
    chk("x.unsqueezed(at: 1)", x.unsqueeze(1))
    chk("unsqueeze(x, -1)", x.unsqueeze(-1))
    chk("x.unsqueezed(at: 0).unsqueezed(at: 3).squeezed()", x.unsqueeze(0).unsqueeze(3).squeeze())
    chk("squeeze(Tensor([[[5]]]))", torch.squeeze(T([[[5]]])))
    chk("Tensor([[1, 2, 3]]).squeezed(at: 0)", T([[1, 2, 3]]).squeeze(0))
    chk("Tensor([[1, 2, 3]]).squeezed(at: 1)", T([[1, 2, 3]]).squeeze(1))
    chk("Tensor([[1], [2]]).squeezed(at: -1)", T([[1], [2]]).squeeze(-1))
    chk("Tensor([1, 2, 3]).expanded(to: [2, 3])", T([1, 2, 3]).expand(2, 3))
    chk("Tensor([[1], [2]]).expanded(to: [2, -1, 3])", T([[1], [2]]).expand(2, -1, 3))
    chk("Tensor([[1], [2]]).expanded(to: [2, 3]).transposed()", T([[1], [2]]).expand(2, 3).t())
    chk("Tensor([[1], [2]]).expanded(to: [2, 3]).reshaped(to: [3, 2])", T([[1], [2]]).expand(2, 3).reshape(3, 2))
    chk("Tensor([1, 2, 3]).transposed()", T([1, 2, 3]).t())
    chk("Tensor.zeros([0, 3]).reshaped(to: [3, 0, 5])", torch.zeros(0, 3).reshape(3, 0, 5))
    end()


# ------------------------------------------------------------------------------------------
def indexing():
    section("indexing")
    test("testGetters")
    x = torch.arange(12).reshape(3, 4)
    fixture("x", "Tensor.arange(12).reshaped(to: [3, 4])", x)
    chk("x[0]", x[0])
    chk("x[-1]", x[-1])
    chk("x[1, 2]", x[1, 2])
    chk("x[-1, -4]", x[-1, -4])
    chk("x[1..<3]", x[1:3])
    chk("x[1...]", x[1:])
    chk("x[..<2]", x[:2])
    chk("x[...1]", x[:2])
    chk("x[...(-2)]", x[:-1])
    chk("x[1...5]", x[1:6])
    chk("x[(-2)...(-1)]", x[-2:])
    chk("x[(-2)...]", x[-2:])
    chk("x[(-3)...(-2)]", x[-3:-1])
    chk("x[2..<10]", x[2:10])
    chk("x[TensorIndex.range(start: 2, end: 1, step: 1)]", x[2:1])
    chk("x[TensorIndex.range(start: nil, end: -1, step: 2)]", x[:-1:2])
    chk("x[TensorIndex.all, TensorIndex.range(start: -3, end: nil, step: 2)]", x[:, -3::2])
    chk("x[TensorIndex.all, 1]", x[:, 1])
    chk("x[TensorIndex.all, 1..<3]", x[:, 1:3])
    chk("x[TensorIndex.all, stride(from: 0, to: 4, by: 2)]", x[:, 0:4:2])
    chk("x[stride(from: 0, to: 3, by: 2), stride(from: 1, to: 4, by: 2)]", x[0:3:2, 1:4:2])
    chk("x[1..., stride(from: 0, to: 4, by: 2)]", x[1:, 0:4:2])
    chk("x[stride(from: -3, to: 10, by: 2)]", x[-3:10:2])
    chk("x[TensorIndex.ellipsis, 0]", x[..., 0])
    chk("x[TensorIndex.ellipsis, -1]", x[..., -1])
    chk("x[TensorIndex.newAxis]", x[None])
    chk("x[TensorIndex.all, TensorIndex.newAxis, 2]", x[:, None, 2])
    chk("x[TensorIndex.ellipsis, TensorIndex.newAxis]", x[..., None])
    chk("x[1][2]", x[1][2])
    chk("x.transposed()[1]", x.t()[1])
    chk("x.transposed()[1..., 1]", x.t()[1:, 1])
    chk("x[1...][TensorIndex.all, stride(from: 1, to: 4, by: 2)][1]", x[1:][:, 1:4:2][1])
    y = torch.arange(24).reshape(2, 3, 4)
    fixture("y", "Tensor.arange(24).reshaped(to: [2, 3, 4])", y)
    chk("y[1, TensorIndex.ellipsis, 2]", y[1, ..., 2])
    chk("y[TensorIndex.ellipsis, 1, 2]", y[..., 1, 2])
    chk("y[0, 1..., TensorIndex.ellipsis]", y[0, 1:, ...])
    chk("y[TensorIndex.ellipsis]", y[...])
    chk("y[TensorIndex.all, TensorIndex.all, 3]", y[:, :, 3])
    chk("y[-1, TensorIndex.newAxis, TensorIndex.ellipsis, stride(from: 0, to: 4, by: 3)]",
        y[-1, None, ..., 0:4:3])
    end()

    test("testSetters")
    x = torch.arange(12).reshape(3, 4)
    print("        var x = Tensor.arange(12).reshaped(to: [3, 4])")
    x = x.clone(); x[0] = T([10, 11, 12, 13])
    print("        x[0] = Tensor([10, 11, 12, 13])")
    chk("x", x)
    x = x.clone(); x[:, 1] = T([-1, -2, -3])
    print("        x[TensorIndex.all, 1] = Tensor([-1, -2, -3])")
    chk("x", x)
    x = x.clone(); x[1:, 2:] = T(0)
    print("        x[1..., 2...] = Tensor(0)")
    chk("x", x)
    x = x.clone(); x[..., 0] = T([100, 200, 300])
    print("        x[TensorIndex.ellipsis, 0] = Tensor([100, 200, 300])")
    chk("x", x)
    x = x.clone(); x[0:3:2, 1:4:2] = T([[7, 8], [9, 10]])
    print("        x[stride(from: 0, to: 3, by: 2), stride(from: 1, to: 4, by: 2)] = Tensor([[7, 8], [9, 10]])")
    chk("x", x)
    x = x.clone(); x[2] = T([1.9, -1.9, 2.5, 0.0]).to(I64)
    print("        x[2] = Tensor([1.9, -1.9, 2.5, 0.0])")
    chk("x", x)
    x = x.clone(); x[1, 3] = T(-5)
    print("        x[1, 3] = Tensor(-5)")
    chk("x", x)
    x = x.clone(); x[:, 0:1] = T([[1], [2], [3]])
    print("        x[TensorIndex.all, 0..<1] = Tensor([[1], [2], [3]])")
    chk("x", x)
    x = x.clone(); x[1:2] = T([4, 4, 4, 4])
    print("        x[1..<2] = Tensor([4, 4, 4, 4])")
    chk("x", x)
    f = torch.zeros(2, 3)
    print("        var f = Tensor.zeros([2, 3])")
    f[:, 1:] = T([1.5, 2.5])
    print("        f[TensorIndex.all, 1...] = Tensor([1.5, 2.5])")
    chk("f", f)
    f[0] = T([1, 2, 3]).to(F32)
    print("        f[0] = Tensor([1, 2, 3])")
    chk("f", f)
    f[..., 0] = T(True).to(F32)
    print("        f[TensorIndex.ellipsis, 0] = Tensor(true)")
    chk("f", f)
    end()


    test("testSettersThroughEllipsisNewAxesAndLeadingOnes")
    y = torch.arange(24).reshape(2, 3, 4)
    print("        var y = Tensor.arange(24).reshaped(to: [2, 3, 4])")
    y[1, ..., 2] = T([-1, -2, -3])
    print("        y[1, TensorIndex.ellipsis, 2] = Tensor([-1, -2, -3])")
    chk("y", y)
    y[:, 1] = T([[10, 11, 12, 13], [20, 21, 22, 23]])
    print("        y[TensorIndex.all, 1] = Tensor([[10, 11, 12, 13], [20, 21, 22, 23]])")
    chk("y", y)
    y[:, :, 0] = T([7, 8, 9])
    print("        y[TensorIndex.all, TensorIndex.all, 0] = Tensor([7, 8, 9])")
    chk("y", y)
    y[0, :, 3] = T([[100, 200, 300]])
    print("        y[0, TensorIndex.all, 3] = Tensor([[100, 200, 300]])")
    chk("y", y)
    y[1, 0] = T([[[1]]])
    print("        y[1, 0] = Tensor([[[1]]])")
    chk("y", y)
    x = torch.zeros(3, 4)
    print("        var x = Tensor.zeros([3, 4])")
    x[0] = torch.ones(1, 1, 4)
    print("        x[0] = Tensor.ones([1, 1, 4])")
    chk("x", x)
    x[1:, None, 2] = T([[5.0], [6.0]])
    print("        x[1..., TensorIndex.newAxis, 2] = Tensor([[5.0], [6.0]])")
    chk("x", x)
    x[None, 2] = T([[-1.0, -2.0, -3.0, -4.0]])
    print("        x[TensorIndex.newAxis, 2] = Tensor([[-1.0, -2.0, -3.0, -4.0]])")
    chk("x", x)
    x[None] = torch.arange(12.0).reshape(1, 3, 4) / 4
    print("        x[TensorIndex.newAxis] = Tensor.arange(12, dtype: .float32).reshaped(to: [1, 3, 4]) / 4")
    chk("x", x)
    x[1:, None, 2:3] = T([[[8.0]], [[9.0]]])
    print("        x[1..., TensorIndex.newAxis, 2..<3] = Tensor([[[8.0]], [[9.0]]])")
    chk("x", x)
    end()


# ------------------------------------------------------------------------------------------
def matmul():
    section("matmul")

    def m(shape, dtype=F32, start=0, scale=1.0, shift=0.0):
        n = math.prod(shape)
        t = torch.arange(start, start + n, dtype=F64).reshape(shape) * scale + shift
        return t.to(dtype)

    def sw(shape, dtype="float32", start=0, scale=1.0, shift=0.0):
        n = math.prod(shape)
        num = lambda v: repr(int(v)) if float(v).is_integer() else repr(v)
        expr = f"Tensor.arange({n}" if start == 0 else f"Tensor.arange({start}, {start + n}"
        expr += f", dtype: .{dtype})"
        if len(shape) > 1:
            expr += f".reshaped(to: {list(shape)})"
        if scale != 1.0:
            expr += f" * {num(scale)}"
        if shift != 0.0:
            expr += f" {'-' if shift < 0 else '+'} {num(abs(shift))}"
        return expr

    test("testMatmulForms")
    specs = {
        "v3": ([3], dict(shift=-1.0)),
        "w3": ([3], dict(start=2, scale=0.5)),
        "a23": ([2, 3], dict(shift=-2.0)),
        "b34": ([3, 4], dict(scale=0.5, shift=-1.0)),
        "b3": ([2, 3, 4], dict(scale=0.25)),
        "c3": ([2, 4, 5], dict(shift=-10.0)),
        "d4": ([2, 1, 3, 4], dict(shift=-5.0)),
        "e3": ([5, 4, 2], dict(scale=0.5, shift=-4.0)),
    }
    for name, (shape, kw) in specs.items():
        fixture(name, sw(shape, **kw), m(shape, **kw))
    v3, w3, a23, b34, b3, c3, d4, e3 = (V[k] for k in specs)
    chk("matmul(v3, w3)", torch.matmul(v3, w3))
    chk("matmul(v3, b34)", torch.matmul(v3, b34))
    chk("matmul(a23, v3)", torch.matmul(a23, v3))
    chk("matmul(a23, b34)", torch.matmul(a23, b34))
    chk("a23.matmul(b34)", a23.matmul(b34))
    chk("matmul(b3, c3)", torch.matmul(b3, c3))
    chk("matmul(d4, e3)", torch.matmul(d4, e3))
    chk("matmul(b3, c3[0])", torch.matmul(b3, c3[0]))
    chk("matmul(a23, b3.matrixTransposed().matrixTransposed())", torch.matmul(a23, b3))
    chk("matmul(b3, Tensor([1.0, -1.0, 2.0, 0.5]))", torch.matmul(b3, T([1.0, -1.0, 2.0, 0.5])))
    chk("matmul(Tensor([1.0, -1.0, 2.0, 0.5]), c3)", torch.matmul(T([1.0, -1.0, 2.0, 0.5]), c3))
    chk("matmul(v3, a23.transposed())", torch.matmul(v3, a23.t()))
    end()

    test("testMatmulNonContiguousOperands")
    for name, (shape, kw) in specs.items():
        if name in ("a23", "b34", "b3", "c3"):
            fixture(name, sw(shape, **kw), m(shape, **kw))
    a23, b34, b3, c3 = V["a23"], V["b34"], V["b3"], V["c3"]
    chk("matmul(a23.transposed(), a23)", a23.t() @ a23)
    chk("matmul(a23, a23.transposed())", a23 @ a23.t())
    chk("matmul(b34.transposed(), a23.transposed())", b34.t() @ a23.t())
    chk("matmul(b34[TensorIndex.all, stride(from: 0, to: 4, by: 2)].transposed(), b34)",
        b34[:, 0:4:2].t() @ b34)
    chk("matmul(a23[TensorIndex.all, 1...], b34[1..., 1..<3])", a23[:, 1:] @ b34[1:, 1:3])
    chk("matmul(b34[stride(from: 0, to: 3, by: 2)], c3[1])", b34[0:3:2] @ c3[1])
    chk("matmul(Tensor([[1.0, 2.0, 3.0]]).expanded(to: [2, 3]), b34)", T([[1.0, 2.0, 3.0]]).expand(2, 3) @ b34)
    chk("matmul(a23, Tensor([[1.0], [2.0], [3.0]]).expanded(to: [3, 4]))",
        a23 @ T([[1.0], [2.0], [3.0]]).expand(3, 4))
    chk("matmul(b3.matrixTransposed(), b3)", b3.mT @ b3)
    chk("matmul(c3.permuted(0, 2, 1), b3.permuted(0, 2, 1))", c3.permute(0, 2, 1) @ b3.permute(0, 2, 1))
    chk("matmul(b3.permuted(1, 0, 2), c3[0])", b3.permute(1, 0, 2) @ c3[0])
    chk("matmul(a23.expanded(to: [4, 2, 3]), b34)", a23.expand(4, 2, 3) @ b34)
    chk("matmul(b3[TensorIndex.all, 1], c3)", b3[:, 1] @ c3)
    chk("matmul(b3[TensorIndex.all, TensorIndex.all, 1], b34)", b3[:, :, 1] @ b34)
    chk("matmul(b34[1], b34.transposed())", b34[1] @ b34.t())
    chk("matmul(b34.transposed(), b34[TensorIndex.all, 2])", b34.t() @ b34[:, 2])
    end()

    test("testMatmulFloat64AndInt64")
    fixture("p", sw([2, 3], "float64", shift=-2.0, scale=0.1), m([2, 3], F64, shift=-2.0, scale=0.1))
    fixture("q", sw([3, 2], "float64", start=1, scale=0.3), m([3, 2], F64, start=1, scale=0.3))
    fixture("i", "Tensor([[1, -2, 3], [4, 5, -6]])", T([[1, -2, 3], [4, 5, -6]]))
    fixture("j", "Tensor.arange(24).reshaped(to: [2, 3, 4]) - 7", torch.arange(24).reshape(2, 3, 4) - 7)
    P, Q, I, J = V["p"], V["q"], V["i"], V["j"]
    chk("matmul(p, q)", P @ Q, rtol=1e-15)
    chk("matmul(q.transposed(), p.transposed())", Q.t() @ P.t(), rtol=1e-15)
    chk("matmul(p[0], q)", P[0] @ Q, rtol=1e-15)
    chk("matmul(i, j)", I @ J)
    chk("matmul(i, i.transposed())", I @ I.t())
    chk("matmul(i[0], i[1])", I[0] @ I[1])
    chk("matmul(j, Tensor([1, 0, -1, 2]))", J @ T([1, 0, -1, 2]))
    chk("matmul(Tensor([1, 2, 3]), j)", T([1, 2, 3]) @ J)
    chk("matmul(j.matrixTransposed(), i.transposed())", J.mT @ I.t())
    chk("matmul(Tensor([[1 << 32]]), Tensor([[1 << 31]]))", T([[1 << 32]]) @ T([[1 << 31]]))
    end()

    test("testMatmulEmpty")
    chk("matmul(Tensor.zeros([3, 0]), Tensor.zeros([0, 2]))", torch.zeros(3, 0) @ torch.zeros(0, 2))
    chk("matmul(Tensor.zeros([0]), Tensor.zeros([0]))", torch.zeros(0) @ torch.zeros(0))
    chk("matmul(Tensor.zeros([2, 0, 3], dtype: .float64), Tensor.ones([3, 4], dtype: .float64))",
        torch.zeros(2, 0, 3, dtype=F64) @ torch.ones(3, 4, dtype=F64))
    chk("matmul(Tensor.ones([2, 3]), Tensor.ones([3, 0]))", torch.ones(2, 3) @ torch.ones(3, 0))
    chk("matmul(Tensor.zeros([2, 3, 0], dtype: .int64), Tensor.zeros([0, 2], dtype: .int64))",
        torch.zeros(2, 3, 0, dtype=I64) @ torch.zeros(0, 2, dtype=I64))
    chk("matmul(Tensor.zeros([0, 2, 3]), Tensor.ones([3, 2]))", torch.zeros(0, 2, 3) @ torch.ones(3, 2))
    end()


# ------------------------------------------------------------------------------------------
def concat():
    section("concat")
    test("testCat")
    fixture("a", "Tensor([[1, 2, 3], [4, 5, 6]])", T([[1, 2, 3], [4, 5, 6]]))
    fixture("b", "Tensor([[7, 8, 9]])", T([[7, 8, 9]]))
    fixture("c", "Tensor([[10], [11]])", T([[10], [11]]))
    A, B, C = V["a"], V["b"], V["c"]
    chk("cat([a, b])", torch.cat([A, B]))
    chk("cat([b, a, b], axis: 0)", torch.cat([B, A, B], 0))
    chk("cat([a, c], axis: 1)", torch.cat([A, C], 1))
    chk("cat([c, a, c], axis: -1)", torch.cat([C, A, C], -1))
    chk("cat([a, b.to(.float32) * 0.5])", torch.cat([A, B.float() * 0.5]))
    chk("cat([a.to(.float64), b.to(.float32)])", torch.cat([A.double(), B.float()]))
    chk("cat([a .> 2, b .> 8])", torch.cat([A > 2, B > 8]))
    chk("cat([a .> 2, b])", torch.cat([A > 2, B]))
    chk("cat([a, Tensor.zeros([0, 3], dtype: .int64), b])", torch.cat([A, torch.zeros(0, 3, dtype=I64), B]))
    chk("cat([a.transposed(), c.transposed()])", torch.cat([A.t(), C.t()]))
    chk("cat([a[TensorIndex.all, stride(from: 0, to: 3, by: 2)], c], axis: 1)", torch.cat([A[:, 0:3:2], C], 1))
    chk("cat([b.expanded(to: [2, 3]), a], axis: 1)", torch.cat([B.expand(2, 3), A], 1))
    chk("cat([Tensor([1.5]), Tensor([2.5, 3.5])])", torch.cat([T([1.5]), T([2.5, 3.5])]))
    fixture("p", "Tensor.arange(8).reshaped(to: [2, 2, 2])", torch.arange(8).reshape(2, 2, 2))
    fixture("q", "Tensor.arange(4).reshaped(to: [2, 1, 2])", torch.arange(4).reshape(2, 1, 2))
    chk("cat([p, q], axis: -2)", torch.cat([V["p"], V["q"]], -2))
    end()

    test("testStack")
    fixture("a", "Tensor([[1, 2, 3], [4, 5, 6]])", T([[1, 2, 3], [4, 5, 6]]))
    fixture("b", "Tensor([[7, 8, 9], [10, 11, 12]])", T([[7, 8, 9], [10, 11, 12]]))
    A, B = V["a"], V["b"]
    chk("stack([a, b])", torch.stack([A, B]))
    chk("stack([a, b], axis: 1)", torch.stack([A, B], 1))
    chk("stack([a, b], axis: 2)", torch.stack([A, B], 2))
    chk("stack([a, b], axis: -1)", torch.stack([A, B], -1))
    chk("stack([a, b, a], axis: -2)", torch.stack([A, B, A], -2))
    chk("stack([Tensor(1.5), Tensor(2.5)])", torch.stack([T(1.5), T(2.5)]))
    chk("stack([a.transposed(), b.transposed()], axis: 1)", torch.stack([A.t(), B.t()], 1))
    chk("stack([a, b.to(.float64)])", torch.stack([A, B.double()]))
    end()


# ------------------------------------------------------------------------------------------
def description():
    section("description")
    test("testPrintedResults")
    desc("(Tensor([1, 2, 3]) * 2.5)", T([1, 2, 3]) * 2.5)
    desc("(Tensor([1, 2, 3]) / Tensor([2, 2, 2]))", T([1, 2, 3]) / T([2, 2, 2]))
    desc("(Tensor([1.0, 2.0], dtype: .float64) + 1.0)", T([1.0, 2.0], dtype=F64) + 1.0)
    desc("(Tensor([true, false]) + 1)", T([True, False]) + 1)
    desc("(Tensor([1, 5, 3]) .> 2)", T([1, 5, 3]) > 2)
    desc("(-Tensor([0.0, 1.5]))", -T([0.0, 1.5]))
    desc("abs(Tensor([-0.0, -2.0]))", torch.abs(T([-0.0, -2.0])))
    desc("Tensor.arange(6).reshaped(to: [2, 3]).transposed()", torch.arange(6).reshape(2, 3).t())
    desc("matmul(Tensor([[1.0, 2.0], [3.0, 4.0]]), Tensor([[0.5], [0.25]]))",
         T([[1.0, 2.0], [3.0, 4.0]]) @ T([[0.5], [0.25]]))
    desc("Tensor([[1.0, 2.0], [3.0, 4.0]], dtype: .float64).sum(squeezingAxes: 0)",
         T([[1.0, 2.0], [3.0, 4.0]], dtype=F64).sum(0))
    desc("Tensor.arange(6).reshaped(to: [2, 3]).sum()", torch.arange(6).reshape(2, 3).sum())
    desc("Tensor([1.0, 2.0, 4.0]).std()", T([1.0, 2.0, 4.0]).std())
    desc("Tensor.linspace(0, 1, 5)", torch.linspace(0, 1, 5))
    desc("Tensor.zeros([2, 0])", torch.zeros(2, 0))
    desc("Tensor([[1, 2], [3, 4]]).argmax(squeezingAxis: 1)", T([[1, 2], [3, 4]]).argmax(1))
    desc("exp(Tensor([0.0, 1.0, 10.0]))", torch.exp(T([0.0, 1.0, 10.0])))
    desc("sqrt(Tensor([-1.0, 4.0]))", torch.sqrt(T([-1.0, 4.0])))
    desc("Tensor.eye(3, dtype: .int64)", torch.eye(3, dtype=I64))
    desc("Tensor.arange(3).to(.bool)", torch.arange(3).to(BOOL))
    end()

    test("testGradFnNamesOfPrimitives")
    fixture("w", "Tensor([1.0, 2.0, 3.0], requiresGrad: true)", T([1.0, 2.0, 3.0], requires_grad=True))
    fixture("m", "Tensor([[1.0, 2.0], [3.0, 4.0]], requiresGrad: true)", T([[1.0, 2.0], [3.0, 4.0]], requires_grad=True))
    w, m = V["w"], V["m"]
    desc("(w * 2)", w * 2)
    desc("(w - 1)", w - 1)
    desc("(w / 2)", w / 2)
    desc("(-w)", -w)
    desc("relu(w)", torch.relu(w))
    desc("maximum(w, w)", torch.maximum(w, w))
    desc("`where`(w .> 1, w, 0.0)", torch.where(w > 1, w, 0.0))
    desc("cat([w, w])", torch.cat([w, w]))
    desc("w.sum(squeezingAxes: 0)", w.sum(0))
    desc("w.max(squeezingAxes: 0)", w.amax(0))
    desc("w.pow(w)", w.pow(w))
    desc("w.clamp(min: 1, max: 2)", w.clamp(1, 2))
    desc("w.to(.float64)", w.to(F64))
    desc("w.expanded(to: [2, 3])", w.expand(2, 3))
    desc("matmul(m, m)", m @ m)
    desc("m.permuted(1, 0)", m.permute(1, 0))
    desc("m.reshaped(to: [4])", m.reshape(4))
    desc("m[TensorIndex.all, 0..<1]", m[:, 0:1])
    desc("exp(Tensor([0.0], requiresGrad: true))", torch.exp(T([0.0], requires_grad=True)))
    end()


SECTIONS = dict(creation=creation, promotion=promotion, elementwise=elementwise, broadcasting=broadcasting,
                reduction=reduction, shape=shape, indexing=indexing, matmul=matmul, concat=concat,
                description=description)

def update_tests(root="Tests/SyftCoreTests"):
    """Replaces each generated test function in the test files with its new text, by name."""
    import contextlib
    import glob
    import io
    import re

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for section_fn in SECTIONS.values():
            section_fn()
    pattern = re.compile(r"^    func (test\w+)\(\) \{\n.*?^    \}\n", re.S | re.M)
    generated = {m.group(1): m.group(0) for m in pattern.finditer(out.getvalue())}
    used = set()
    for path in sorted(glob.glob(f"{root}/*.swift")):
        source = open(path).read()

        def replace(m):
            if m.group(1) in generated:
                used.add(m.group(1))
                return generated[m.group(1)]
            return m.group(0)

        updated = pattern.sub(replace, source)
        if updated != source:
            open(path, "w").write(updated)
            print("updated", path)
    for name in sorted(set(generated) - used):
        print("not in any test file:", name)


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        update_tests()
    else:
        for name in sys.argv[1:] or SECTIONS:
            SECTIONS[name]()
