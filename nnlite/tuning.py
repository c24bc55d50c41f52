"""Process-wide CPU settings that speed up training, as explicit opt-ins.

``import nnlite`` changes nothing outside nnlite: no environment variable, no allocator or
BLAS setting. The two settings below change the whole process (and, for the environment,
its children), so a program asks for them itself.

1. The allocator (glibc only). By default glibc returns blocks above 128 KiB to the OS
   with ``munmap`` when they are freed, so a training loop that allocates the same
   activation and gradient arrays every step pays fresh page faults for all of them every
   step. ``tune_cpu()`` raises glibc's mmap and trim thresholds so those blocks are reused
   from the heap. Memory is reused, not leaked: the peak stays that of one step, but the
   process keeps it until it exits.

2. OpenBLAS's kernels. OpenBLAS (the BLAS inside NumPy's wheels) picks its GEMM kernels
   once, when NumPy loads it, from the CPU model it recognises, and ``OPENBLAS_CORETYPE``
   overrides that choice. It must be set before NumPy is imported, so it belongs in the
   environment of the command that starts Python, not in a library call:
   ``OPENBLAS_CORETYPE=SkylakeX python train.py`` selects the AVX-512 kernels, which
   OpenBLAS versions older than the CPU do not pick themselves. ``blas_env()`` returns
   the variables to set for a child process (the benchmarks' ``--tune`` uses it).
   A float32 matmul may differ in its last bits between kernel sets, as between machines.

Example:
    >>> import nnlite as nl
    >>> nl.tune_cpu()            # once, at the start of a training script
    True
"""
from __future__ import annotations

import ctypes
import os
import sys
from typing import Mapping

__all__ = ["tune_cpu", "blas_env"]

# ============================================================================
# Allocator
# ============================================================================
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MALLOC_THRESHOLD = 1 << 30          # blocks below 1 GiB come from (and return to) the heap


def tune_cpu() -> bool:
    """Raise glibc's mmap and trim thresholds to 1 GiB for this process, so freed arrays are
    reused instead of being unmapped and faulted in again every step (see the module
    docstring). It cannot be undone; call it once, at the start of a program.

    Returns:
        bool: whether the allocator was changed (False off Linux or without glibc).

    Example:
        >>> nl.tune_cpu()
        True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MALLOC_THRESHOLD)
                    and libc.mallopt(M_TRIM_THRESHOLD, MALLOC_THRESHOLD))
    except (OSError, AttributeError):       # not glibc (musl, macOS): nothing to do
        return False


# ============================================================================
# OpenBLAS kernels (environment of a new process)
# ============================================================================
AVX512_FLAGS = frozenset({"avx512f", "avx512bw", "avx512dq", "avx512vl"})
"""The CPU flags OpenBLAS's SkylakeX kernels need."""


def _cpu_flags(path: str) -> frozenset:
    """The flags of the first CPU listed in ``path`` (empty if unreadable)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def blas_env(environ: Mapping[str, str] = os.environ,
             cpuinfo: str = "/proc/cpuinfo") -> dict[str, str]:
    """The environment variables that select OpenBLAS's AVX-512 kernels in a new process:
    ``{"OPENBLAS_CORETYPE": "SkylakeX"}`` on a Linux CPU with AVX-512 when ``environ`` does
    not set ``OPENBLAS_CORETYPE`` already (an explicit choice is respected), else ``{}``.
    Nothing is set here; pass the result to the new process's environment.

    Args:
        environ (Mapping): the environment the new process would inherit.
            Default: ``os.environ``.
        cpuinfo (str): where to read the CPU flags. Default: '/proc/cpuinfo'.

    Example:
        >>> import subprocess, sys
        >>> env = {**os.environ, **blas_env()}
        >>> subprocess.run([sys.executable, "train.py"], env=env)
    """
    if "OPENBLAS_CORETYPE" in environ or not sys.platform.startswith("linux"):
        return {}
    if not AVX512_FLAGS <= _cpu_flags(cpuinfo):
        return {}
    return {"OPENBLAS_CORETYPE": "SkylakeX"}
