"""Process-wide CPU settings that speed up training, as explicit opt-ins.

``import nnlite`` changes nothing outside nnlite: no environment variable, no allocator or
BLAS setting. The settings below change the whole process (and, for the environment,
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
   the variables to set for a child process (the benchmarks' ``--tune`` uses it), and
   ``blas_corename()`` the kernel set OpenBLAS picked (the convolutions choose some GEMM
   call shapes by it).
   A float32 matmul may differ in its last bits between kernel sets, as between machines.

3. BLAS threads. ``set_num_threads(n)`` / ``get_num_threads()`` are torch's names for the
   number of threads nnlite's heavy ops use; nnlite's are the BLAS library's (matmul and
   convolution, as im2col + one matrix multiply, run there). They act at run time through
   threadpoolctl when it is installed, else by calling the BLAS library NumPy has loaded
   (OpenBLAS, MKL or BLIS, found among the process's loaded libraries) through ctypes.
   On a busy machine with few cores, one thread is often much faster than the default of
   one per core. When neither route reaches the BLAS, ``set_num_threads`` warns and changes
   nothing (set ``OPENBLAS_NUM_THREADS`` before starting Python instead).

Example:
    >>> import nnlite as nl
    >>> nl.tune_cpu()            # once, at the start of a training script
    True
    >>> nl.set_num_threads(1)    # BLAS threads, at any time
"""
from __future__ import annotations

import ctypes
import functools
import glob
import os
import sys
import warnings
from typing import Any, Callable, Mapping

__all__ = ["tune_cpu", "blas_env", "blas_corename", "set_num_threads", "get_num_threads",
           "set_num_interop_threads", "get_num_interop_threads"]

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


# ============================================================================
# BLAS threads at run time
# ============================================================================
# (library kind, file-name fragment, setter names, getter names); OpenBLAS's names carry
# the prefixes and suffixes of its builds (NumPy's wheels ship scipy_openblas64_)
_BLAS_KINDS = (
    ("openblas", "openblas",
     [f"{pre}openblas_set_num_threads{suf}" for pre in ("", "scipy_")
      for suf in ("", "64_", "_64")],
     [f"{pre}openblas_get_num_threads{suf}" for pre in ("", "scipy_")
      for suf in ("", "64_", "_64")]),
    ("mkl", "mkl_rt", ["MKL_Set_Num_Threads"], ["MKL_Get_Max_Threads"]),
    ("blis", "blis", ["bli_thread_set_num_threads"], ["bli_thread_get_num_threads"]),
)


def _loaded_libraries(maps: str = "/proc/self/maps") -> list[str]:
    """The shared libraries this process has loaded (Linux), else the BLAS files shipped
    inside NumPy's wheel (which NumPy loaded on import)."""
    try:
        with open(maps) as f:
            paths = {line.split()[-1] for line in f if "/" in line and ".so" in line}
        return sorted(paths)
    except OSError:
        import numpy as np
        root = os.path.dirname(os.path.dirname(np.__file__))
        found: list[str] = []
        for folder in ("numpy.libs", os.path.join("numpy", ".libs"),
                       os.path.join("numpy", ".dylibs")):
            found += glob.glob(os.path.join(root, folder, "*"))
        return sorted(found)


def _blas_controls() -> list[tuple[str, Callable[[int], Any], Callable[[], int]]]:
    """(kind, set, get) for each BLAS library reachable through ctypes."""
    controls = []
    for path in _loaded_libraries():
        name = os.path.basename(path).lower()
        for kind, fragment, setters, getters in _BLAS_KINDS:
            if fragment not in name:
                continue
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            setter = next((getattr(lib, n) for n in setters if hasattr(lib, n)), None)
            getter = next((getattr(lib, n) for n in getters if hasattr(lib, n)), None)
            if setter is not None and getter is not None:
                getter.restype = ctypes.c_int
                controls.append((kind, lambda n, f=setter: f(ctypes.c_int(n)),
                                 lambda f=getter: int(f())))
            break
    return controls


@functools.lru_cache(maxsize=None)
def blas_corename() -> str | None:
    """The kernel set OpenBLAS chose when NumPy loaded it ("Haswell", "SkylakeX", ...:
    the CPU it recognised, or ``OPENBLAS_CORETYPE``), or None for another BLAS. Kernels
    that pick a GEMM's call shape by it (see ``ops/conv.py``) are as correct either way,
    only faster on the kernels they were measured on."""
    for path in _loaded_libraries():
        if "openblas" not in os.path.basename(path).lower():
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for pre in ("", "scipy_"):
            for suf in ("", "64_", "_64"):
                get = getattr(lib, f"{pre}openblas_get_corename{suf}", None)
                if get is not None:
                    get.restype = ctypes.c_char_p
                    return get().decode()
    return None


def _threadpoolctl() -> Any:
    """threadpoolctl, if installed (an optional helper, not a dependency), else None."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl


_BLAS_APIS = ("openblas", "mkl", "blis")


def _check_threads(where: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"{where} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{where} expects a positive integer, got {n}")
    return n


def set_num_threads(num_threads: int) -> None:
    """Set the number of threads the BLAS library (behind matmul, linear and convolution)
    uses, for the whole process, at run time.

    Through threadpoolctl when it is installed, else through ctypes on the OpenBLAS, MKL or
    BLIS library NumPy loaded. When neither reaches a BLAS library (e.g. Apple's
    Accelerate), a ``RuntimeWarning`` says so and nothing changes.

    Args:
        num_threads (int): a positive number of threads.

    Example:
        >>> nl.set_num_threads(1)        # often fastest on a busy 2-core machine
        >>> nl.get_num_threads()
        1
    """
    n = _check_threads("set_num_threads", num_threads)
    tpc = _threadpoolctl()
    if tpc is not None and any(i.get("internal_api") in _BLAS_APIS
                               for i in tpc.threadpool_info()):
        tpc.threadpool_limits(limits=n, user_api="blas")
        return
    controls = _blas_controls()
    if not controls:
        warnings.warn("set_num_threads: could not reach the BLAS library NumPy uses (no "
                      "threadpoolctl, and no OpenBLAS, MKL or BLIS among the loaded "
                      "libraries); the number of threads is unchanged. Set "
                      "OPENBLAS_NUM_THREADS (or MKL_NUM_THREADS) before starting Python "
                      "instead.", RuntimeWarning, stacklevel=2)
        return
    for _, set_n, _ in controls:
        set_n(n)


def get_num_threads() -> int:
    """The number of threads the BLAS library uses now (the most over several libraries);
    the number of CPUs when no BLAS library can be asked.

    Example:
        >>> nl.get_num_threads() >= 1
        True
    """
    tpc = _threadpoolctl()
    if tpc is not None:
        counts = [i["num_threads"] for i in tpc.threadpool_info()
                  if i.get("internal_api") in _BLAS_APIS]
        if counts:
            return max(counts)
    counts = [get_n() for _, _, get_n in _blas_controls()]
    return max(counts) if counts else (os.cpu_count() or 1)


def set_num_interop_threads(num_threads: int) -> None:
    """Accepted and checked, and changes nothing: nnlite runs independent ops one after
    another (there is no inter-op thread pool), so its inter-op thread count is always 1.

    Args:
        num_threads (int): a positive number of threads.
    """
    _check_threads("set_num_interop_threads", num_threads)


def get_num_interop_threads() -> int:
    """1: nnlite has no inter-op thread pool (``set_num_interop_threads`` changes nothing).

    Example:
        >>> nl.get_num_interop_threads()
        1
    """
    return 1
