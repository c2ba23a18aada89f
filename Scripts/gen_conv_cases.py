#!/usr/bin/env python3
"""Generates Tests/SyftCoreTests/ConvCases.swift: PyTorch reference values for conv2d, max_pool2d and
avg_pool2d, and the conv2d / max_pool2d golden cases of ../shared/golden/autograd.json.

Usage (from the package root):
    /work/torchenv/bin/python Scripts/gen_conv_cases.py > Tests/SyftCoreTests/ConvCases.swift

Inputs are not stored: both sides build them with `pattern(shape, seed)`, element i being
((i * 7919 + seed * 104729) % 2001 - 1000) / 1000 in float64 (exact in both languages; distinct
within 2001 consecutive elements, so max pooling meets no ties). A case with a permutation builds its
input in the permuted storage order and permutes it, so the operation sees a non-contiguous tensor.
Each case stores the float64 output and the gradients of sum(output * pattern(output shape, 4)) with
respect to the input (seed 1), the weight (seed 2) and the bias (seed 3).
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

F64 = torch.float64


def pattern(shape, seed):
    n = math.prod(shape)
    values = [((i * 7919 + seed * 104729) % 2001 - 1000) / 1000.0 for i in range(n)]
    return torch.tensor(values, dtype=F64).reshape(shape)


def make_input(shape, permutation):
    if permutation is None:
        return pattern(shape, 1)
    inverse = [permutation.index(i) for i in range(len(shape))]
    stored = [shape[inverse[i]] for i in range(len(shape))]
    x = pattern(stored, 1).permute(*permutation)
    assert list(x.shape) == shape, (x.shape, shape)
    return x


def doubles(t):
    return "[" + ", ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist()) + "]"


def ints(values):
    return "[" + ", ".join(str(v) for v in values) + "]"


def optional_ints(values):
    return "nil" if values is None else ints(values)


def run(f, inputs):
    """The output of f(*inputs) and the gradients of sum(output * upstream) for each input."""
    leaves = [t.clone().requires_grad_(True) if t is not None else None for t in inputs]
    out = f(*leaves)
    upstream = pattern(list(out.shape), 4)
    (out * upstream).sum().backward()
    return out, [leaf.grad if leaf is not None else None for leaf in leaves]


# (name, x shape, x permutation, weight shape, bias, stride, padding, dilation, groups)
CONV = [
    ("basic 3x3", [1, 1, 5, 5], None, [1, 1, 3, 3], True, [1, 1], [0, 0], [1, 1], 1),
    ("padding 1", [2, 3, 6, 6], None, [4, 3, 3, 3], True, [1, 1], [1, 1], [1, 1], 1),
    ("stride 2", [2, 2, 7, 7], None, [3, 2, 3, 3], False, [2, 2], [1, 1], [1, 1], 1),
    ("padding 2, stride (2, 1), 2x3 kernel", [1, 2, 6, 8], None, [2, 2, 2, 3], True, [2, 1], [2, 2], [1, 1], 1),
    ("dilation 2", [2, 2, 7, 7], None, [2, 2, 3, 3], False, [1, 1], [2, 2], [2, 2], 1),
    ("groups 2", [2, 4, 5, 5], None, [6, 2, 3, 3], True, [1, 1], [1, 1], [1, 1], 2),
    ("depthwise, batch 3", [3, 3, 6, 6], None, [3, 1, 3, 3], True, [2, 2], [1, 1], [1, 1], 3),
    ("depthwise multiplier 2", [1, 2, 5, 5], None, [4, 1, 3, 3], False, [1, 1], [0, 0], [1, 1], 2),
    ("pointwise 1x1", [3, 4, 4, 4], None, [5, 4, 1, 1], True, [1, 1], [0, 0], [1, 1], 1),
    ("1x1 stride 2", [1, 3, 5, 5], None, [2, 3, 1, 1], False, [2, 2], [0, 0], [1, 1], 1),
    ("1x3 kernel, dilation (2, 1)", [2, 2, 5, 7], None, [3, 2, 1, 3], True, [1, 1], [0, 1], [2, 1], 1),
    ("unbatched", [2, 5, 5], None, [3, 2, 3, 3], True, [1, 1], [1, 1], [1, 1], 1),
    ("non-contiguous input", [2, 3, 5, 5], [0, 3, 1, 2], [2, 3, 3, 3], True, [1, 1], [1, 1], [1, 1], 1),
    ("kernel as large as the input", [1, 2, 4, 4], None, [3, 2, 4, 4], True, [1, 1], [0, 0], [1, 1], 1),
    ("everything at once", [2, 4, 9, 8], None, [4, 2, 3, 2], True, [2, 3], [1, 2], [2, 1], 2),
]

# (name, x shape, x permutation, kernel, stride, padding, dilation, ceil mode)
MAX_POOL = [
    ("2x2", [1, 2, 4, 4], None, [2, 2], [2, 2], [0, 0], [1, 1], False),
    ("3x3 stride 2 padding 1", [2, 3, 7, 7], None, [3, 3], [2, 2], [1, 1], [1, 1], False),
    ("overlapping 3x3 stride 1", [1, 2, 5, 5], None, [3, 3], [1, 1], [1, 1], [1, 1], False),
    ("2x3 kernel, stride (1, 2)", [2, 2, 6, 7], None, [2, 3], [1, 2], [1, 1], [1, 1], False),
    ("dilation 2", [1, 2, 7, 7], None, [3, 3], [1, 1], [1, 1], [2, 2], False),
    ("ceil mode", [1, 2, 6, 6], None, [3, 3], [2, 2], [0, 0], [1, 1], True),
    ("ceil mode, last window dropped", [2, 1, 5, 5], None, [2, 2], [2, 2], [1, 1], [1, 1], True),
    ("unbatched", [2, 5, 5], None, [2, 2], [2, 2], [0, 0], [1, 1], False),
    ("non-contiguous input", [2, 3, 5, 6], [0, 3, 1, 2], [2, 2], [1, 2], [1, 0], [1, 1], False),
    ("batch 3, dilation (1, 2), ceil", [3, 2, 6, 7], None, [2, 2], [2, 1], [1, 1], [1, 2], True),
]

# (name, x shape, x permutation, kernel, stride, padding, ceil mode, count_include_pad)
AVG_POOL = [
    ("2x2", [1, 2, 4, 4], None, [2, 2], [2, 2], [0, 0], False, True),
    ("3x3 stride 2 padding 1, including padding", [2, 2, 7, 7], None, [3, 3], [2, 2], [1, 1], False, True),
    ("3x3 stride 2 padding 1, excluding padding", [2, 2, 7, 7], None, [3, 3], [2, 2], [1, 1], False, False),
    ("ceil mode including padding", [1, 2, 6, 6], None, [3, 2], [2, 2], [1, 1], True, True),
    ("ceil mode excluding padding", [1, 2, 6, 6], None, [3, 2], [2, 2], [1, 1], True, False),
    ("ceil mode without padding", [1, 1, 5, 5], None, [2, 2], [2, 2], [0, 0], True, True),
    ("2x3 kernel, stride (1, 2)", [2, 2, 5, 7], None, [2, 3], [1, 2], [1, 1], False, True),
    ("unbatched", [2, 5, 5], None, [3, 3], [1, 1], [1, 1], False, False),
    ("batch 3, non-contiguous input", [3, 2, 5, 6], [0, 3, 1, 2], [2, 2], [2, 2], [1, 0], True, True),
]


def conv_cases():
    lines = []
    for name, xs, perm, ws, bias, stride, padding, dilation, groups in CONV:
        x, w = make_input(xs, perm), pattern(ws, 2)
        b = pattern([ws[0]], 3) if bias else None
        f = lambda x, w, b: F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
        out, (gx, gw, gb) = run(f, [x, w, b])
        lines.append(
            f"    ConvCase(name: {json.dumps(name)}, x: {ints(xs)}, permutation: {optional_ints(perm)}, "
            f"weight: {ints(ws)}, bias: {'true' if bias else 'false'}, stride: {ints(stride)}, "
            f"padding: {ints(padding)}, dilation: {ints(dilation)}, groups: {groups},\n"
            f"        output: {ints(out.shape)}, expected: {doubles(out)},\n"
            f"        gradX: {doubles(gx)},\n"
            f"        gradWeight: {doubles(gw)},\n"
            f"        gradBias: {doubles(gb) if bias else '[]'}),")
    return "let convCases: [ConvCase] = [\n" + "\n".join(lines) + "\n]\n"


def pool_cases():
    lines = []
    for name, xs, perm, k, s, p, d, ceil in MAX_POOL:
        out, (gx,) = run(lambda x: F.max_pool2d(x, k, s, p, d, ceil_mode=ceil), [make_input(xs, perm)])
        lines.append(
            f"    PoolCase(name: {json.dumps(name)}, x: {ints(xs)}, permutation: {optional_ints(perm)}, "
            f"kernel: {ints(k)}, stride: {ints(s)}, padding: {ints(p)}, dilation: {ints(d)}, "
            f"ceilMode: {str(ceil).lower()}, countIncludePad: true,\n"
            f"        output: {ints(out.shape)}, expected: {doubles(out)},\n"
            f"        gradX: {doubles(gx)}),")
    max_cases = "let maxPoolCases: [PoolCase] = [\n" + "\n".join(lines) + "\n]\n"
    lines = []
    for name, xs, perm, k, s, p, ceil, include in AVG_POOL:
        f = lambda x: F.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include)
        out, (gx,) = run(f, [make_input(xs, perm)])
        lines.append(
            f"    PoolCase(name: {json.dumps(name)}, x: {ints(xs)}, permutation: {optional_ints(perm)}, "
            f"kernel: {ints(k)}, stride: {ints(s)}, padding: {ints(p)}, dilation: [1, 1], "
            f"ceilMode: {str(ceil).lower()}, countIncludePad: {str(include).lower()},\n"
            f"        output: {ints(out.shape)}, expected: {doubles(out)},\n"
            f"        gradX: {doubles(gx)}),")
    return max_cases + "\nlet avgPoolCases: [PoolCase] = [\n" + "\n".join(lines) + "\n]\n"


def golden_cases(path):
    """The conv2d, conv2d_stride2 and max_pool2d cases of the shared golden file, verbatim."""
    with open(path) as f:
        golden = json.load(f)
    lines = []
    for case in golden["cases"]:
        if case["op"] not in ("conv2d", "conv2d_stride2", "max_pool2d"):
            continue
        attrs = case["attrs"]
        stride = attrs.get("stride", attrs.get("kernel_size", 1))
        inputs = ", ".join(f"({ints(t['shape'])}, {doubles(torch.tensor(t['data']))})" for t in case["inputs"])
        grads = ", ".join(doubles(torch.tensor(g["data"])) for g in case["grads"])
        lines.append(
            f"    ConvGoldenCase(op: {json.dumps(case['op'])}, kernel: {attrs.get('kernel_size', 0)}, "
            f"stride: {stride}, padding: {attrs.get('padding', 0)},\n"
            f"        inputs: [{inputs}],\n"
            f"        output: ({ints(case['output']['shape'])}, {doubles(torch.tensor(case['output']['data']))}),\n"
            f"        upstream: {doubles(torch.tensor(case['upstream']['data']))},\n"
            f"        grads: [{grads}]),")
    return "let goldenConvCases: [ConvGoldenCase] = [\n" + "\n".join(lines) + "\n]\n"


def main():
    golden = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "golden", "autograd.json")
    print("// Generated by Scripts/gen_conv_cases.py from PyTorch " + torch.__version__.split("+")[0]
          + " (float64); do not edit.")
    print("// swift-format-ignore-file")
    print()
    print(conv_cases())
    print(pool_cases())
    print(golden_cases(golden), end="")


if __name__ == "__main__":
    torch.set_default_dtype(F64)
    main()
