#!/usr/bin/env python3
"""PyTorch anchors for `make bench` (see Note [Anchor scripts] in Sources/Anchors.swift).

Run only where PyTorch is installed: the Swift harness uses the interpreter named by SYFT_TORCH_PYTHON
and skips this script when it is unset (never in CI). Cases, under the Swift harness's names:
  add_5        x + y on two 5-element float32 tensors
  sgemm_1024   a @ b on 1024 x 1024 float32 matrices
  backward_5   (x + y).sum().backward() on two 5-element float32 leaves requiring grad (the gradients
               accumulate from call to call, as in ours)
  mlp_step     MLP 784-256-10, batch 64: zero_grad, forward, cross entropy, backward, SGD step
  conv2d_step  conv2d forward + backward, batch 64, 1 -> 8 channels, 28x28, 3x3, padding 1
Inputs are uniform [0, 1); PyTorch's default thread count. Timing as in numpy_bench.py. Prints
{"anchor", "version", "cases": {name: seconds per call}}, or {"error": ...} when `import torch` fails.

Usage: torch_bench.py [--cases a,b,c] [--budget SECONDS]   (all cases when --cases is absent)
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_bench import best_seconds  # noqa: E402  (the same timing as the NumPy anchors)


def cases(torch):
    """name -> (statement, function building its globals)."""
    torch.manual_seed(0x5EED)

    def vectors(n, requires_grad=False):
        return lambda: {
            "a": torch.rand(n, requires_grad=requires_grad),
            "b": torch.rand(n, requires_grad=requires_grad),
        }

    def mlp():
        model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        x = torch.randn(64, 784)
        y = torch.randint(0, 10, (64,))

        def step():
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

        return {"step": step}

    def conv():
        x = torch.randn(64, 1, 28, 28)
        w = torch.randn(8, 1, 3, 3, requires_grad=True)
        b = torch.randn(8, requires_grad=True)

        def step():
            torch.nn.functional.conv2d(x, w, b, padding=1).sum().backward()

        return {"step": step}

    return {
        "mlp_step": ("step()", mlp),
        "conv2d_step": ("step()", conv),
        "add_5": ("a + b", vectors(5)),
        "sgemm_1024": ("a @ b", lambda: {"a": torch.rand(1024, 1024), "b": torch.rand(1024, 1024)}),
        "backward_5": ("(a + b).sum().backward()", vectors(5, requires_grad=True)),
    }


def main():
    parser = argparse.ArgumentParser(description="PyTorch anchors for make bench")
    parser.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of samples per case")
    args = parser.parse_args()
    try:
        import torch
    except ImportError as error:
        print(json.dumps({"error": f"import torch failed: {error}"}))
        return 2
    table = cases(torch)
    wanted = [c for c in args.cases.split(",") if c] or list(table)
    results = {}
    for name in wanted:
        if name not in table:
            print(f"torch_bench: no case {name}", file=sys.stderr)
            continue
        stmt, make_env = table[name]
        results[name] = best_seconds(stmt, make_env(), args.budget)
    print(json.dumps({"anchor": "torch", "version": torch.__version__, "cases": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
