"""Core overhead against PyTorch, in one run: ``python benchmarks/bench_core.py``.

1. Fixed per-op overhead: a chain of 1,000 elementwise ops on 10x10 float32 tensors,
   forward and backward timed separately (microseconds per op).
2. Arithmetic-bound: a chain of 8 float32 512x512 matmuls with tanh, forward + backward.
3. A whole MLP training step (784-256-10, batch 64, cross-entropy, SGD momentum).

Ratios are nnlite / torch of median times (lower is better; 1.0 = as fast as torch).
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import nnlite as nl  # noqa: E402
from _timing import median_time, report, try_torch  # noqa: E402

N_OPS = 1000


def elementwise_chain(a, b):
    y = a
    for _ in range(N_OPS // 4):      # four ops per round: mul, add, tanh, sub
        y = (y * b + a).tanh() - b
    return y.sum()


def matmul_chain(x, ws):
    for w in ws:
        x = (x @ w).tanh()
    return x.sum()


def bench_pair(make_inputs, step, lib, **kw):
    inputs = make_inputs(lib)
    return median_time(lambda: step(lib, *inputs), **kw)


def main() -> None:
    torch = try_torch()
    rng = np.random.default_rng(0)
    rows = []

    # 1. per-op overhead, forward and backward separately
    a0, b0 = rng.standard_normal((10, 10), np.float32), rng.standard_normal((10, 10), np.float32)

    def timed_chain(lib):
        a = lib.tensor(a0.copy(), requires_grad=True)
        b = lib.tensor(b0.copy())
        fwd = median_time(lambda: elementwise_chain(a, b), repeat=9)
        def fb():
            elementwise_chain(a, b).backward()
            a.grad = None
        total = median_time(fb, repeat=9)
        return fwd / N_OPS, (total - fwd) / N_OPS

    ours_f, ours_b = timed_chain(nl)
    theirs_f = theirs_b = None
    if torch is not None:
        theirs_f, theirs_b = timed_chain(torch)
    rows.append(("elementwise 10x10, forward, per op", ours_f, theirs_f, ""))
    rows.append(("elementwise 10x10, backward, per op", ours_b, theirs_b, ""))

    # 2. arithmetic-bound matmul chain
    x0 = rng.standard_normal((512, 512), np.float32)
    w0 = [rng.standard_normal((512, 512), np.float32) / 23 for _ in range(8)]

    def mm(lib):
        x = lib.tensor(x0)
        ws = [lib.tensor(w, requires_grad=True) for w in w0]
        def fb():
            matmul_chain(x, ws).backward()
            for w in ws:
                w.grad = None
        return median_time(fb, repeat=5)

    flops = 8 * 3 * 2 * 512 ** 3
    ours = mm(nl)
    theirs = mm(torch) if torch is not None else None
    rows.append(("8x (512x512 @ 512x512 + tanh), fwd+bwd", ours, theirs,
                 f"nnlite {flops / ours / 1e9:.1f} GFLOP/s"))

    # 3. MLP training step
    try:
        from nnlite import nn, optim
        import nnlite.nn.functional as F
        have_nn = hasattr(nn, "Linear") and hasattr(F, "cross_entropy")
    except ImportError:
        have_nn = False
    if have_nn:
        xb = rng.standard_normal((64, 784), np.float32)
        yb = rng.integers(0, 10, 64)

        def mlp_step(lib, lnn, lopt, lF):
            model = lnn.Sequential(lnn.Linear(784, 256), lnn.ReLU(), lnn.Linear(256, 10))
            opt = lopt.SGD(model.parameters(), lr=0.01, momentum=0.9)
            x, y = lib.tensor(xb), lib.tensor(yb)
            def step():
                opt.zero_grad()
                lF.cross_entropy(model(x), y).backward()
                opt.step()
            return median_time(step, repeat=7)

        ours = mlp_step(nl, nn, optim, F)
        theirs = None
        if torch is not None:
            theirs = mlp_step(torch, torch.nn, torch.optim, torch.nn.functional)
        rows.append(("MLP 784-256-10 train step, batch 64", ours, theirs,
                     f"nnlite {64 / ours:,.0f} samples/s"))

    print(f"nnlite {nl.__version__}, NumPy {np.__version__}"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else
             ", torch not installed (no ratios)"))
    report(rows)


if __name__ == "__main__":
    main()
