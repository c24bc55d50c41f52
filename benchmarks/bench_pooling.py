"""Pooling speed against PyTorch: ``python benchmarks/bench_pooling.py``.

Each library is timed alone, in its own subprocess (see benchmarks/_harness.py for the
method). float32; ratios are nnlite / torch (lower is better). No case has a target.

1. maxpool_*: ``F.max_pool2d`` forward + backward at ResNet's stem pool 3/2/1 on
   (32, 64, 112, 112) and a 2x2 pool on (64, 64, 56, 56) (bench_vision's two cases),
   AlexNet's overlapping 3/2 on (32, 96, 55, 55), and LeNet-5's 2x2 pools (C1 and C3 at
   batch 64, C1 at batch 256: the pools inside LeNet's training step).
2. maxpool_stem_nograd, maxpool_2x2_nograd: the two ResNet max pools, forward alone under
   ``no_grad``.
3. maxpool_*_baseline (nnlite only, NumPy arrays, no autograd): the straightforward
   implementation the phase layout replaced, KH*KW strided slices of the padded input
   with a running max and argmax and a backward of one strided ``+=`` per kernel offset,
   for the stem, 2x2 and AlexNet pools. After the table: how many times faster
   ``max_pool2d`` is.
4. avgpool_2x2, avgpool_3s2p1: ``F.avg_pool2d`` forward + backward at the same shapes as
   the ResNet max pools; adaptive_avgpool_global: ``F.adaptive_avg_pool2d(x, 1)`` at
   ResNet-18's last feature map, (64, 512, 7, 7).

Flags (the harness's): --only A,B (case-name prefixes), --repeats N, --threads N,
--json PATH, --tune, --quick, --no-torch, --list.
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._harness import Case, main, op_case, speedups  # noqa: E402
from benchmarks.bench_vision import MAX_POOLS  # noqa: E402

# (name, shape, kernel, stride, padding, steps, no_grad steps, baseline steps): the two
# ResNet pools first; None: no such row
RESNET_POOLS = [(name, shape, k, s, p) for name, _, shape, k, s, p in MAX_POOLS]
MAX_CASES = [RESNET_POOLS[0] + (6, 20, 3), RESNET_POOLS[1] + (20, 60, 10),
             ("maxpool_alexnet", (32, 96, 55, 55), 3, 2, 0, 20, None, 8),
             ("maxpool_lenet_c1_b64", (64, 6, 28, 28), 2, 2, 0, 800, None, None),
             ("maxpool_lenet_c3_b64", (64, 16, 10, 10), 2, 2, 0, 3000, None, None),
             ("maxpool_lenet_c1_b256", (256, 6, 28, 28), 2, 2, 0, 400, None, None)]
AVG_CASES = [("avgpool_2x2", (64, 64, 56, 56), 2, 2, 0, 40),
             ("avgpool_3s2p1", (32, 64, 112, 112), 3, 2, 1, 12)]
GLOBAL_SHAPE = (64, 512, 7, 7)


def strided_max_pool(x, k, s, p):
    """The baseline: running max/argmax over k*k strided slices of the -inf-padded input."""
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
    """The baseline's backward: gy added where each offset won, one strided += each."""
    N, C, H, W = shape
    OH, OW = gy.shape[2:]
    gxp = np.zeros((N, C, H + 2 * p, W + 2 * p), gy.dtype)
    for kh in range(k):
        for kw in range(k):
            gxp[:, :, kh:kh + s * OH:s, kw:kw + s * OW:s] += gy * (arg == kh * k + kw)
    return gxp[:, :, p:p + H, p:p + W]


def baseline_case(name: str, shape: tuple, k: int, s: int, p: int, steps: int) -> Case:
    """nnlite-only row: the strided-slice max pool's forward + backward on NumPy arrays
    (``lib`` unused), the same input and upstream gradient as ``op_case``'s."""
    def build(lib):
        rng = np.random.default_rng(0)
        x0 = rng.standard_normal(shape, dtype=np.float32)
        gy0 = rng.standard_normal(strided_max_pool(x0, k, s, p)[0].shape, dtype=np.float32)

        def step():
            _, arg = strided_max_pool(x0, k, s, p)
            strided_max_pool_backward(gy0, arg, shape, k, s, p)
        return step
    return Case(f"{name}_baseline", "  baseline: strided slices (NumPy)", build,
                items=shape[0], unit="img", steps=steps, warmup=2, torch=False)


def pool_case(fn: str, name: str, shape: tuple, k: int, s: int, p: int, steps: int,
              backward: bool = True) -> Case:
    """``F.<fn>(x, k, s, p)``, forward + backward or the forward alone under no_grad."""
    what = "fwd+bwd" if backward else "forward, no_grad"
    return op_case(name, f"{fn} {k}/{s}/{p} {shape} {what}", shape,
                   lambda F, x: getattr(F, fn)(x, k, s, p), backward=backward, steps=steps)


def max_cases(name, shape, k, s, p, steps, nograd_steps, baseline_steps) -> list:
    """A MAX_CASES row's cases: fwd+bwd, then the baseline and no_grad rows it has."""
    cases = [pool_case("max_pool2d", name, shape, k, s, p, steps)]
    if baseline_steps:
        cases.append(baseline_case(name, shape, k, s, p, baseline_steps))
    if nograd_steps:
        cases.append(pool_case("max_pool2d", f"{name}_nograd", shape, k, s, p, nograd_steps,
                               backward=False))
    return cases


CASES = ([c for row in MAX_CASES for c in max_cases(*row)]
         + [pool_case("avg_pool2d", *row) for row in AVG_CASES]
         + [op_case("adaptive_avgpool_global", f"adaptive_avg_pool2d(1) {GLOBAL_SHAPE} fwd+bwd",
                    GLOBAL_SHAPE, lambda F, x: F.adaptive_avg_pool2d(x, 1), steps=3000)])


if __name__ == "__main__":
    main(CASES, __doc__, after=speedups([(f"{row[0]}_baseline", row[0]) for row in MAX_CASES
                                         if row[-1]], "max_pool2d"))
