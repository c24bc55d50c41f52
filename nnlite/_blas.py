"""Let OpenBLAS use AVX-512 on CPUs it does not recognise (must run before NumPy loads).

OpenBLAS (the BLAS inside NumPy's wheels) picks its GEMM kernels once, when it is
loaded, from the CPU model it recognises. On a CPU newer than the library it falls
back to older kernels (Haswell, AVX2) even when the CPU has AVX-512, and NumPy's
float32 matmul then reaches about half of what the machine can do: on the 2-core
AVX-512 AMD EPYC nnlite is developed on, a 2048^3 sgemm runs at 228 GFLOP/s with the
Haswell kernels and 434 GFLOP/s with the SkylakeX ones. (NumPy 2.4's OpenBLAS 0.3.31
does recognise that EPYC and picks SkylakeX itself; older wheels do not.)

So, when this module runs before NumPy has been imported, ``OPENBLAS_CORETYPE`` is
not set, and ``/proc/cpuinfo`` lists avx512f, avx512bw, avx512dq and avx512vl (the
instructions the SkylakeX kernels use), it sets ``OPENBLAS_CORETYPE=SkylakeX``. It
changes nothing otherwise: CPUs without these flags, other operating systems, a BLAS
that is not OpenBLAS (it ignores the variable), an explicit ``OPENBLAS_CORETYPE``
(respected as the user's choice), or NumPy already imported (its BLAS is loaded;
setting the variable then would only make child processes differ from the parent).
``nnlite/__init__.py`` imports this module first, so ``import nnlite`` before
``import numpy`` is what makes it take effect. A float32 matmul may differ in its last
bits between kernel sets (another summation order), as it does between machines; the
test suite was run with both.

Set ``NNLITE_TUNE_BLAS=0`` in the environment to leave OpenBLAS alone.
``BLAS_TUNED`` records whether the variable was set.
"""
from __future__ import annotations

import os
import sys
from typing import MutableMapping

AVX512_FLAGS = frozenset({"avx512f", "avx512bw", "avx512dq", "avx512vl"})
"""The CPU flags OpenBLAS's SkylakeX kernels need."""
CORETYPE = "SkylakeX"


def _cpu_flags(path: str = "/proc/cpuinfo") -> frozenset:
    """The flags of the first CPU listed in ``path`` (empty if unreadable)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def tune_blas(environ: MutableMapping[str, str] = os.environ,
              cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Set ``OPENBLAS_CORETYPE=SkylakeX`` in ``environ`` when it is safe and useful (see
    the module docstring); returns whether it was set.

    Args:
        environ (MutableMapping): the environment to update. Default: ``os.environ``.
        cpuinfo (str): where to read the CPU flags. Default: '/proc/cpuinfo'.

    Example:
        >>> env = {}
        >>> tune_blas(env)   # on an AVX-512 machine, before NumPy is imported
        True
        >>> env
        {'OPENBLAS_CORETYPE': 'SkylakeX'}
    """
    if (environ.get("NNLITE_TUNE_BLAS", "1") == "0" or "OPENBLAS_CORETYPE" in environ
            or "numpy" in sys.modules or not sys.platform.startswith("linux")):
        return False
    if not AVX512_FLAGS <= _cpu_flags(cpuinfo):
        return False
    environ["OPENBLAS_CORETYPE"] = CORETYPE
    return True


BLAS_TUNED = tune_blas()
