"""``nl.backends.cudnn``: torch's cuDNN switches. nnlite has no cuDNN (it runs on the CPU
with NumPy), so ``is_available()`` is False and ``version()`` None; the flags are plain
attributes that programs set and read back (``nl.backends.cudnn.benchmark = True``), and
they change nothing: nnlite's convolutions are deterministic and have one algorithm.

Attributes:
    enabled (bool): Default: True. benchmark (bool): Default: False.
    deterministic (bool): Default: False. allow_tf32 (bool): Default: True.
    benchmark_limit (int): Default: 10.

Example:
    >>> nl.backends.cudnn.deterministic = True
    >>> nl.backends.cudnn.deterministic
    True
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

__all__ = ["is_available", "version", "flags", "enabled", "benchmark", "deterministic",
           "allow_tf32", "benchmark_limit"]

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = 10


def is_available() -> bool:
    """False: nnlite has no cuDNN."""
    return False


def version() -> None:
    """None: there is no cuDNN library (torch answers None when it has none)."""
    return None


@contextlib.contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
          deterministic: bool = False, allow_tf32: bool = True) -> Iterator[None]:
    """Set the flags for the ``with`` block and restore them after, as torch's
    ``cudnn.flags`` (they change no computation in nnlite).

    Args:
        enabled (bool): Default: False. benchmark (bool): Default: False.
        benchmark_limit (int): Default: 10. deterministic (bool): Default: False.
        allow_tf32 (bool): Default: True.

    Example:
        >>> with nl.backends.cudnn.flags(enabled=True, deterministic=True):
        ...     y = model(x)
    """
    g = globals()
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    new: dict[str, Any] = dict(zip(names, (enabled, benchmark, benchmark_limit,
                                           deterministic, allow_tf32)))
    old = {n: g[n] for n in names}
    g.update(new)
    try:
        yield
    finally:
        g.update(old)
