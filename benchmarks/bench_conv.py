"""Conv2d 3x3 (padding 1) forward + backward against torch, float32, both on all cores.

Prints median times, the ratio nnlite/torch, and the GFLOP/s each reaches next to NumPy's
own float32 matmul peak (a 2048^3 sgemm measured in the same run): the convolution's
three GEMMs can at best run at that speed.

    python benchmarks/bench_conv.py

OpenBLAS picks its kernels from the CPU it recognises; on CPUs newer than the library
(e.g. AMD Zen 5) it may fall back to AVX2 kernels. The line "OpenBLAS" shows what it
chose; ``OPENBLAS_CORETYPE=SkylakeX`` selects the AVX-512 kernels where the CPU has them.
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import median_time, report, try_torch  # noqa: E402

import nnlite as nl  # noqa: E402
from nnlite.nn.conv import Conv2d  # noqa: E402

SHAPES = [((64, 64, 32, 32), 64), ((64, 128, 16, 16), 128)]


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
        for d in threadpool_info():
            if d.get("user_api") == "blas":
                return (f"{d.get('internal_api')} {d.get('version')}, kernels "
                        f"{d.get('architecture')}, {d.get('num_threads')} threads")
    except ImportError:
        pass
    return f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"


def sgemm_peak(n: int = 2048) -> float:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    return 2 * n ** 3 / median_time(lambda: a @ b) / 1e9


def main() -> None:
    torch = try_torch()
    print(f"OpenBLAS: {blas_info()}; cores: {os.cpu_count()}")
    peak = sgemm_peak()
    print(f"NumPy float32 matmul peak (2048^3): {peak:.0f} GFLOP/s\n")
    rows = []
    rng = np.random.default_rng(0)
    for (n, c, h, w), o in SHAPES:
        flops = 3 * 2 * n * h * w * o * c * 9              # forward + grad input + grad W
        x_np = rng.standard_normal((n, c, h, w), dtype=np.float32)
        g_np = rng.standard_normal((n, o, h, w), dtype=np.float32)
        conv = Conv2d(c, o, 3, padding=1)
        x = nl.tensor(x_np, requires_grad=True)

        def step() -> None:
            x.grad = conv.weight.grad = conv.bias.grad = None
            conv(x).backward(g_np)

        ours = median_time(step, repeat=7)
        theirs, extra = None, ""
        if torch is not None:
            tconv = torch.nn.Conv2d(c, o, 3, padding=1)
            xt = torch.from_numpy(x_np).requires_grad_(True)
            gt = torch.from_numpy(g_np)

            def tstep() -> None:
                xt.grad = tconv.weight.grad = tconv.bias.grad = None
                tconv(xt).backward(gt)

            theirs = median_time(tstep, repeat=7)
            extra = f"torch {flops / theirs / 1e9:.0f} GFLOP/s; "
        extra += (f"nnlite {flops / ours / 1e9:.0f} GFLOP/s "
                  f"({100 * flops / ours / 1e9 / peak:.0f}% of sgemm peak)")
        rows.append((f"Conv2d {c}->{o} 3x3 fwd+bwd {(n, c, h, w)}", ours, theirs, extra))
    report(rows)


if __name__ == "__main__":
    main()
