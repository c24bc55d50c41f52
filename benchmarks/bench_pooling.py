"""Pooling speed against PyTorch, in one run: ``python benchmarks/bench_pooling.py``.

Forward + backward (float32) of
1. max pooling at ResNet-sized shapes: ResNet's stem pool 3/2/1 on (32, 64, 112, 112) and
   a 2x2 pool on (64, 64, 56, 56) (the issue's target is <= 2.0), plus AlexNet's
   overlapping 3/2 and LeNet-5's 2x2 pools (which sit inside LeNet's training step);
2. average pooling 2x2 and 3/2/1 at the same shapes, and global average pooling
   (AdaptiveAvgPool2d(1)) at ResNet-18's last feature map.
Forward-only rows (under no_grad) are also shown for the two ResNet max pools.

``--baseline`` adds, for the max-pool rows, the straightforward implementation the phase
layout replaced: KH*KW strided slices of the padded input with a running max and argmax,
and a backward of strided ``+=`` per kernel offset (NumPy arrays, no autograd overhead).

Ratios are nnlite / torch of median times (lower is better). Other processes may share
the cores: each timing is a median of rounds. ``--quick``: fewer rounds;
``--torch-threads N``: run torch on N threads instead of all cores (a busy machine slows
torch's thread pool far more than single-threaded NumPy).
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import nnlite as nl  # noqa: E402
from _timing import median_time, report, try_torch  # noqa: E402
from nnlite.ops.pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d  # noqa: E402

# (name, shape, kernel, stride, padding)
MAX_CASES = [
    ("max_pool2d 3/2/1 ResNet stem", (32, 64, 112, 112), 3, 2, 1),
    ("max_pool2d 2x2", (64, 64, 56, 56), 2, 2, 0),
    ("max_pool2d 3/2 AlexNet", (32, 96, 55, 55), 3, 2, 0),
    ("max_pool2d 2x2 LeNet C1, batch 64", (64, 6, 28, 28), 2, 2, 0),
    ("max_pool2d 2x2 LeNet C3, batch 64", (64, 16, 10, 10), 2, 2, 0),
    ("max_pool2d 2x2 LeNet C1, batch 256", (256, 6, 28, 28), 2, 2, 0),
]
AVG_CASES = [
    ("avg_pool2d 2x2", (64, 64, 56, 56), 2, 2, 0),
    ("avg_pool2d 3/2/1", (32, 64, 112, 112), 3, 2, 1),
]
GLOBAL_SHAPE = (64, 512, 7, 7)


def strided_max_pool(x, k, s, p):
    """The baseline: running max/argmax over k*k strided slices of the -inf-padded input;
    backward adds gy where each offset won, with one strided += per offset."""
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=-np.inf)
    OH, OW = (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1
    y = xp[:, :, :s * OH:s, :s * OW:s].copy()
    arg = np.zeros(y.shape, np.uint8)
    for kh in range(k):
        for kw in range(k):
            xs = xp[:, :, kh:kh + s * OH:s, kw:kw + s * OW:s]
            gt = xs > y
            arg[gt] = kh * k + kw
            np.maximum(y, xs, out=y)
    return y, arg


def strided_max_pool_backward(gy, arg, shape, k, s, p):
    N, C, H, W = shape
    OH, OW = gy.shape[2:]
    gxp = np.zeros((N, C, H + 2 * p, W + 2 * p), gy.dtype)
    for kh in range(k):
        for kw in range(k):
            gxp[:, :, kh:kh + s * OH:s, kw:kw + s * OW:s] += gy * (arg == kh * k + kw)
    return gxp[:, :, p:p + H, p:p + W]


def fwd_bwd(lib, fn, x0, gy0, kw):
    """Median seconds of y = fn(x); y.backward(gy)."""
    x = lib.tensor(x0, requires_grad=True)
    gy = lib.tensor(gy0) if lib is not nl else gy0

    def step():
        fn(x).backward(gy)
        x.grad = None
    return median_time(step, **kw)


def fwd_only(lib, fn, x0, kw):
    x = lib.tensor(x0)

    def step():
        with lib.no_grad():
            fn(x)
    return median_time(step, **kw)


def main() -> None:
    quick = "--quick" in sys.argv
    baseline = "--baseline" in sys.argv
    torch = try_torch()
    if torch is not None and "--torch-threads" in sys.argv:
        torch.set_num_threads(int(sys.argv[sys.argv.index("--torch-threads") + 1]))
    kw = dict(repeat=3 if quick else 7, warmup=1, min_time=0.05)
    rng = np.random.default_rng(0)
    rows = []

    def case(name, fn_nl, fn_th, shape, forward_only=False, base=None):
        x0 = rng.standard_normal(shape, dtype=np.float32)
        with nl.no_grad():
            out_shape = fn_nl(nl.tensor(x0)).shape
        gy0 = rng.standard_normal(out_shape, dtype=np.float32)
        ours = fwd_bwd(nl, fn_nl, x0, gy0, kw)
        theirs = fwd_bwd(torch, fn_th, x0, gy0, kw) if torch is not None else None
        rows.append((f"{name} {shape} fwd+bwd", ours, theirs, ""))
        if base is not None:
            k, s, p = base

            def step():
                y, arg = strided_max_pool(x0, k, s, p)
                strided_max_pool_backward(gy0, arg, x0.shape, k, s, p)
            t = median_time(step, **dict(kw, repeat=3))
            rows.append(("  baseline: strided slices", t, theirs,
                         f"phase layout is {t / ours:.1f}x faster"))
        if forward_only:
            ours = fwd_only(nl, fn_nl, x0, kw)
            theirs = fwd_only(torch, fn_th, x0, kw) if torch is not None else None
            rows.append((f"{name} {shape} forward, no_grad", ours, theirs, ""))

    for i, (name, shape, k, s, p) in enumerate(MAX_CASES):
        case(name, lambda x, k=k, s=s, p=p: max_pool2d(x, k, s, p),
             lambda x, k=k, s=s, p=p: torch.nn.functional.max_pool2d(x, k, s, p),
             shape, forward_only=i < 2, base=(k, s, p) if baseline and i < 3 else None)
    for name, shape, k, s, p in AVG_CASES:
        case(name, lambda x, k=k, s=s, p=p: avg_pool2d(x, k, s, p),
             lambda x, k=k, s=s, p=p: torch.nn.functional.avg_pool2d(x, k, s, p), shape)
    case("adaptive_avg_pool2d(1) global", lambda x: adaptive_avg_pool2d(x, 1),
         lambda x: torch.nn.functional.adaptive_avg_pool2d(x, 1), GLOBAL_SHAPE)

    threads = torch.get_num_threads() if torch is not None else "-"
    print(f"float32; torch threads: {threads}; NumPy ufuncs single-threaded")
    report(rows)


if __name__ == "__main__":
    main()
