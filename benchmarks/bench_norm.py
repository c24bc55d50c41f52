"""Normalisation speed against PyTorch: ``python benchmarks/bench_norm.py``.

Each library is timed alone, in its own subprocess (see benchmarks/_harness.py for the
method). float32, forward + backward; ratios are nnlite / torch (lower is better).

1. batchnorm_112, batchnorm_14: ``F.batch_norm`` in training mode at ResNet shapes,
   (32, 64, 112, 112) (ResNet's first block at batch 32) and (64, 256, 14, 14) (the same
   cases as bench_vision's). Issue 16's target: <= 1.2.
2. lrn: ``F.local_response_norm`` (size 5, AlexNet's alpha 1e-4, beta 0.75, k 2) at
   AlexNet's first-layer output, (16, 96, 55, 55). No target.
3. *_composite (nnlite only): the same maths from generic nnlite ops (mean, sub, mul,
   rsqrt; pad and shifted slices for LRN), what you get without a fused node. After the
   table: how many times faster the fused op is.

Flags (the harness's): --only A,B (case-name prefixes), --repeats N, --threads N,
--json PATH, --tune, --quick, --no-torch, --list.
"""
from __future__ import annotations

import os
import sys
from dataclasses import replace

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._harness import main, op_case, speedups  # noqa: E402
from benchmarks.bench_vision import BN_SHAPES, batchnorm_case  # noqa: E402

LRN_SHAPE = (16, 96, 55, 55)
LRN_ARGS = (5, 1e-4, 0.75, 2.0)                # size, alpha, beta, k


def composite_batch_norm(F, x, w, b, eps=1e-5):
    """Training-mode batch norm from generic nnlite ops (the unfused baseline)."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=axes, keepdims=True)
    return xc * (var + eps).rsqrt() * w.reshape(shape) + b.reshape(shape)


def composite_lrn(F, x, size=5, alpha=1e-4, beta=0.75, k=2.0):
    """LRN from generic nnlite ops: pad the squares along channels, sum shifted slices."""
    C = x.shape[1]
    sq = F.pad(x * x, (0, 0, 0, 0, size // 2, (size - 1) // 2))
    s = sq[:, 0:C]
    for d in range(1, size):
        s = s + sq[:, d:d + C]
    return x / (s * (alpha / size) + k) ** beta


def affine(rng, C):
    return (rng.standard_normal(C).astype(np.float32),
            rng.standard_normal(C).astype(np.float32))


def norm_cases(shape: tuple, steps: int, composite_steps: int) -> list:
    """The fused batch norm at ``shape`` and its composite."""
    return [replace(batchnorm_case(shape), steps=steps, warmup=3),
            op_case(f"batchnorm_{shape[2]}_composite", f"  composite of nnlite ops {shape}",
                    shape, composite_batch_norm, lambda rng: affine(rng, shape[1]),
                    torch=False, steps=composite_steps, warmup=2)]


CASES = [c for shape, steps in zip(BN_SHAPES, [(8, 4), (60, 25)])
         for c in norm_cases(shape, *steps)] + [
    op_case("lrn", f"local_response_norm fwd+bwd {LRN_SHAPE}", LRN_SHAPE,
            lambda F, x: F.local_response_norm(x, *LRN_ARGS), steps=12, warmup=3),
    op_case("lrn_composite", f"  composite of nnlite ops {LRN_SHAPE}", LRN_SHAPE,
            lambda F, x: composite_lrn(F, x, *LRN_ARGS), torch=False, steps=10, warmup=2)]


if __name__ == "__main__":
    main(CASES, __doc__,
         after=speedups([(f"{c.name}_composite", c.name) for c in CASES
                         if not c.name.endswith("_composite")]))
