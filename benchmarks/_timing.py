"""Shared helpers for the benchmarks: median wall time, a ratio table, torch if installed,
and which BLAS NumPy runs on."""
from __future__ import annotations

import os
import time
from typing import Callable

import numpy as np


def median_time(fn: Callable[[], object], repeat: int = 7, warmup: int = 2,
                min_time: float = 0.05) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` rounds (each round loops until it
    has run at least ``min_time`` seconds)."""
    for _ in range(warmup):
        fn()
    rounds = []
    for _ in range(repeat):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            dt = time.perf_counter() - t0
            if dt >= min_time:
                break
        rounds.append(dt / n)
    return float(np.median(rounds))


def try_torch():
    """torch if installed (set to use every core), else None."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(os.cpu_count() or 1)
    return torch


def report(rows: list[tuple[str, float, float | None, str]]) -> None:
    """Print ``name | nnlite | torch | ratio | extra`` rows (times in the unit given)."""
    print(f"{'benchmark':44s} {'nnlite':>12s} {'torch':>12s} {'ratio':>7s}  extra")
    for name, ours, theirs, extra in rows:
        t = f"{theirs * 1e6:10.1f}us" if theirs is not None else f"{'-':>12s}"
        r = f"{ours / theirs:7.2f}" if theirs else f"{'-':>7s}"
        print(f"{name:44s} {ours * 1e6:10.1f}us {t} {r}  {extra}")


def blas_info() -> str:
    """The BLAS NumPy loaded, its kernels and threads, and where OPENBLAS_CORETYPE came
    from."""
    core = os.environ.get("OPENBLAS_CORETYPE")
    source = ("unset: OpenBLAS's own choice" if core is None else
              f"OPENBLAS_CORETYPE={core} from the environment")
    try:
        from threadpoolctl import threadpool_info
        for d in threadpool_info():
            if d.get("user_api") == "blas":
                return (f"{d.get('internal_api')} {d.get('version')}, kernels "
                        f"{d.get('architecture')} ({source}), {d.get('num_threads')} threads")
    except ImportError:
        pass
    return source
