#!/usr/bin/env python3
"""NumPy anchors for `make bench` (see Note [Anchor scripts] in Sources/Anchors.swift).

Times NumPy on the cases of the Swift harness, under the same names and sizes:
  add_5                                   a + b on two 5-element float32 arrays
  add_1m, mul_1m, exp_1m, tanh_1m, sum_1m   a + b, a * b, np.exp(a), np.tanh(a), a.sum() on 2**20 float32
  add_16m ... sum_16m                     the same on 2**24 float32
  sgemm_N, dgemm_N (N = 256, 1024, 2048)  a @ b on N x N float32 / float64 matrices
Inputs are uniform [0, 1); every call allocates its result, as ours does. Each case: calibration (which
warms up) until one batch of calls takes >= 10 ms, then batches for about --budget seconds (at least 7),
and the best batch's time per call. Prints {"anchor", "version", "cases": {name: seconds per call}}.

Usage: numpy_bench.py [--cases a,b,c] [--budget SECONDS]   (all cases when --cases is absent)
"""
import argparse
import json
import sys
import timeit

BATCH_SECONDS = 0.010
MIN_SAMPLES, MAX_SAMPLES = 7, 200  # as Sources/Harness.swift


def best_seconds(stmt, env, budget):
    """The best time of one call of `stmt` (a string, run with `env` as globals), in seconds."""
    timer = timeit.Timer(stmt, globals=env)
    calls = 1
    while True:
        t = timer.timeit(calls)
        if t >= BATCH_SECONDS:
            break
        estimate = calls * BATCH_SECONDS * 1.2 / t if t > 0 else calls * 100
        calls = min(calls * 100, max(calls * 2, int(estimate) + 1))
    samples = min(MAX_SAMPLES, max(MIN_SAMPLES, int(budget / t)))
    return min(timer.repeat(repeat=samples, number=calls)) / calls


def cases(np):
    """name -> (statement, function building its globals). Sizes match Sources/Cases+*.swift."""
    rng = np.random.default_rng(0x5EED)

    def vectors(n, dtype=np.float32):
        return lambda: {"np": np, "a": rng.random(n, dtype=dtype), "b": rng.random(n, dtype=dtype)}

    def matrices(n, dtype):
        return lambda: {"a": rng.random((n, n), dtype=dtype), "b": rng.random((n, n), dtype=dtype)}

    table = {"add_5": ("a + b", vectors(5))}
    for label, n in (("1m", 1 << 20), ("16m", 1 << 24)):
        table[f"add_{label}"] = ("a + b", vectors(n))
        table[f"mul_{label}"] = ("a * b", vectors(n))
        table[f"exp_{label}"] = ("np.exp(a)", vectors(n))
        table[f"tanh_{label}"] = ("np.tanh(a)", vectors(n))
        table[f"sum_{label}"] = ("a.sum()", vectors(n))
    for n in (256, 1024, 2048):
        table[f"sgemm_{n}"] = ("a @ b", matrices(n, np.float32))
        table[f"dgemm_{n}"] = ("a @ b", matrices(n, np.float64))
    return table


def main():
    parser = argparse.ArgumentParser(description="NumPy anchors for make bench")
    parser.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of samples per case")
    args = parser.parse_args()
    try:
        import numpy as np
    except ImportError as error:
        print(json.dumps({"error": f"import numpy failed: {error}"}))
        return 2
    table = cases(np)
    wanted = [c for c in args.cases.split(",") if c] or list(table)
    results = {}
    for name in wanted:
        if name not in table:
            print(f"numpy_bench: no case {name}", file=sys.stderr)
            continue
        stmt, make_env = table[name]
        env = make_env()
        results[name] = best_seconds(stmt, env, args.budget)
        del env
    print(json.dumps({"anchor": "numpy", "version": np.__version__, "cases": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
