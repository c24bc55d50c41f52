"""The BLAS floor of a workload: its matrix products alone, timed in NumPy.

    python benchmarks/gemm_floor.py                 # LeNet-5 step (batch 64) and LSTM
    python benchmarks/gemm_floor.py --only lstm

A workload cannot run faster on NumPy than the GEMMs it must do, whatever the framework
around them; this script times exactly those products (same shapes, float32, NumPy's BLAS
and thread count) and prints each one, its GFLOP/s, and their sum, the floor. Each product
is timed in all four layouts of its operands (A or A.T stored, B or B.T stored) and the
fastest is kept, so the floor is the best any call shape can do.

Cases:
  lenet5: the LeNet-5 training step at batch 64 (nnlite.models.LeNet5: 5x5 convolutions
          1->6 on 28x28 padded to keep 28x28, and 6->16 on 14x14 to 10x10; C5, 16->120 on 5x5,
          is a 400->120 product; then 120-84-10):
          C1's and C3's forward, weight gradient and (C3) input gradient as im2col
          GEMMs, and the three products of C5 and each Linear.
  lstm:   nn.LSTM(128, 256), 35 steps, batch 32, forward and backward: the input projection
          of all steps at once, 35 recurrent products forward and 35 backward, the two weight
          gradients and the input gradient.
Median of 7 blocks, after warm-up. Time it on an idle machine.
"""
from __future__ import annotations

import argparse
import itertools
import time

import numpy as np


def lenet5(batch: int = 64) -> list[tuple[str, int, int, int, int]]:
    """(name, M, K, N, count) of each product in one LeNet-5 step."""
    p1, p3 = batch * 28 * 28, batch * 10 * 10          # output pixels of C1 and C3
    return [("C1 forward", 6, 25, p1, 1), ("C1 weight gradient", 6, p1, 25, 1),
            ("C3 forward", 16, 150, p3, 1), ("C3 weight gradient", 16, p3, 150, 1),
            ("C3 input gradient", 150, 16, p3, 1)] + [
        (f"{layer} {what}", *mkn, 1)
        for layer, (fan_in, fan_out) in zip(("C5", "F6", "output"),
                                             ((400, 120), (120, 84), (84, 10)))
        for what, mkn in (("forward", (batch, fan_in, fan_out)),
                          ("weight gradient", (fan_out, batch, fan_in)),
                          ("input gradient", (batch, fan_out, fan_in)))]


def lstm(steps: int = 35, batch: int = 32, inp: int = 128, hidden: int = 256
         ) -> list[tuple[str, int, int, int, int]]:
    """(name, M, K, N, count) of each product in one LSTM forward and backward."""
    rows, gates = steps * batch, 4 * hidden
    return [("input projection, all steps", rows, inp, gates, 1),
            ("recurrent product forward", batch, hidden, gates, steps),
            ("recurrent product backward", batch, gates, hidden, steps),
            ("weight_hh gradient", gates, rows, hidden, 1),
            ("weight_ih gradient", gates, rows, inp, 1),
            ("input gradient", rows, gates, inp, 1)]


CASES = {"lenet5": lenet5, "lstm": lstm}


def best_ms(m: int, k: int, n: int, calls: int) -> float:
    """Milliseconds of the fastest layout of an (m, k) @ (k, n) float32 product."""
    rng = np.random.default_rng(0)
    best = float("inf")
    for a_t, b_t in itertools.product((False, True), repeat=2):
        a = rng.standard_normal((k, m) if a_t else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if b_t else (k, n), dtype=np.float32)
        a, b = (a.T if a_t else a), (b.T if b_t else b)
        for _ in range(10):
            a @ b
        blocks = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(calls):
                a @ b
            blocks.append((time.perf_counter() - start) / calls)
        best = min(best, float(np.median(blocks)) * 1e3)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(CASES), help="cases, comma-separated")
    args = parser.parse_args(argv)
    for case in args.only.split(","):
        total = flops = 0.0
        print(f"{case}:")
        for name, m, k, n, count in CASES[case]():
            ms = best_ms(m, k, n, calls=max(20, 20_000_000 // (m * k * n)))
            total += ms * count
            flops += 2.0 * m * k * n * count
            print(f"  {name:30s} ({m} x {k}) @ ({k} x {n}) x{count}: {ms * count:7.3f} ms, "
                  f"{2 * m * k * n / ms / 1e6:5.0f} GFLOP/s")
        print(f"  floor: {total:.2f} ms for {flops / 1e9:.3f} GFLOP "
              f"({flops / total / 1e6:.0f} GFLOP/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
