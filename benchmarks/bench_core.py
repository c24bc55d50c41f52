"""Core overhead against PyTorch: ``python benchmarks/bench_core.py``.

Each library is timed alone, in its own subprocess (see benchmarks/_harness.py for the
method). float32; ratios are nnlite / torch (lower is better). No case has a target.

1. elementwise_fwd, elementwise_fwd_bwd: the fixed cost of an op, from a chain of 1,000
   elementwise ops (mul, add, tanh, sub) on 10x10 tensors, one input requiring grad:
   the forward alone (building the graph) and forward + backward, with the time per op in
   the notes. After the table, the backward's own cost per op (the difference of the two).
2. matmul_chain: 8x (512x512 @ 512x512, tanh) forward + backward, with the GFLOP/s reached
   (3 matmuls of 2*512^3 flops per layer).
3. mlp_step: an MLP 784-256-10 training step at batch 64 (cross-entropy, SGD momentum 0.9),
   samples/s.

Flags (the harness's): --only A,B (case-name prefixes), --repeats N, --threads N,
--json PATH, --tune, --quick, --no-torch, --list.
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._harness import Case, fwd_bwd, main, train_step  # noqa: E402

N_OPS = 1000
MM_SIZE, MM_LAYERS = 512, 8
MM_FLOPS = MM_LAYERS * 3 * 2 * MM_SIZE ** 3


def elementwise_chain(a, b):
    y = a
    for _ in range(N_OPS // 4):      # four ops per round: mul, add, tanh, sub
        y = (y * b + a).tanh() - b
    return y.sum()


def per_op(seconds: float) -> str:
    return f"{seconds / N_OPS * 1e6:.2f} µs/op"


def elementwise_case(backward: bool) -> Case:
    def build(lib):
        rng = np.random.default_rng(0)
        a = lib.tensor(rng.standard_normal((10, 10), np.float32), requires_grad=True)
        b = lib.tensor(rng.standard_normal((10, 10), np.float32))

        def step():
            a.grad = None
            y = elementwise_chain(a, b)
            if backward:
                y.backward()
        return step

    def note(ours, theirs):
        return f"nnlite {per_op(ours)}" + (f", torch {per_op(theirs)}" if theirs else "")
    what = "forward + backward" if backward else "forward"
    return Case("elementwise_fwd_bwd" if backward else "elementwise_fwd",
                f"{N_OPS} elementwise ops 10x10, {what}", build,
                steps=300 if backward else 600, warmup=20, note=note)


def backward_per_op(args, records: list) -> None:
    """After the table: the backward's cost per op, (fwd+bwd - fwd) / ops."""
    by_name = {rec["case"]: rec for rec in records}
    if not {"elementwise_fwd", "elementwise_fwd_bwd"} <= by_name.keys():
        return
    fwd, both = by_name["elementwise_fwd"], by_name["elementwise_fwd_bwd"]
    line = f"\nbackward alone: nnlite {per_op((both['nnlite_ms'] - fwd['nnlite_ms']) / 1e3)}"
    if both["torch_ms"] is not None:
        line += f", torch {per_op((both['torch_ms'] - fwd['torch_ms']) / 1e3)}"
    print(line)


def matmul_chain(x, *ws):
    for w in ws:
        x = (x @ w).tanh()
    return x


def matmul_case() -> Case:
    def build(lib):
        rng = np.random.default_rng(0)
        shape = (MM_SIZE, MM_SIZE)
        x0 = rng.standard_normal(shape, np.float32)
        ws = [rng.standard_normal(shape, np.float32) / MM_SIZE ** 0.5
              for _ in range(MM_LAYERS)]
        return fwd_bwd(lib, matmul_chain, x0, rng.standard_normal(shape, np.float32), ws)

    def note(ours, theirs):
        return f"nnlite {MM_FLOPS / ours / 1e9:.0f} GFLOP/s" + \
            (f", torch {MM_FLOPS / theirs / 1e9:.0f}" if theirs else "")
    return Case("matmul_chain", f"{MM_LAYERS}x ({MM_SIZE}x{MM_SIZE} matmul, tanh) fwd+bwd",
                build, steps=20, warmup=3, note=note)


def mlp_step(lib):
    lib.manual_seed(0)
    rng = np.random.default_rng(0)
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return train_step(lib, model, opt, rng.standard_normal((64, 784), np.float32),
                      rng.integers(0, 10, 64), nn.functional.cross_entropy)


CASES = [elementwise_case(False), elementwise_case(True), matmul_case(),
         Case("mlp_step", "MLP 784-256-10 training step, batch 64", mlp_step, items=64,
              unit="sample", steps=2000, warmup=50)]


if __name__ == "__main__":
    main(CASES, __doc__, after=backward_per_op)
