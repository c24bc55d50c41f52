"""``nl.backends``: torch's backend switches, for programs that set them.

nnlite computes with NumPy on the CPU: there is no cuDNN, CUDA or MPS backend, so the
``is_available()`` questions answer False, and the flags programs set
(``nl.backends.cudnn.benchmark = True``, ``nl.backends.cuda.matmul.allow_tf32 = True``,
``nl.set_float32_matmul_precision("high")``) are kept and read back as in torch but change
no computation: nnlite's float32 matmul is NumPy's (its BLAS's) float32 matmul.

Example:
    >>> import nnlite as nl
    >>> nl.backends.cudnn.benchmark = True
    >>> nl.backends.cudnn.is_available(), nl.backends.mps.is_available()
    (False, False)
"""
from __future__ import annotations

import warnings

__all__ = ["cuda", "cudnn", "mps", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled"]

_PRECISIONS = ("highest", "high", "medium")
_float32_matmul_precision = "highest"


def set_float32_matmul_precision(precision: str) -> None:
    """Record torch's float32 matmul precision ('highest', 'high' or 'medium'); another
    value warns and changes nothing, as in torch. nnlite always multiplies float32 in full
    float32 (there are no TF32 units on its path), so this changes no number.

    Args:
        precision (str): 'highest', 'high' or 'medium'.

    Example:
        >>> nl.set_float32_matmul_precision("high")
        >>> nl.get_float32_matmul_precision()
        'high'
    """
    global _float32_matmul_precision
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the "
                      f"current set_float32_matmul_precision call has no effect.",
                      stacklevel=2)
        return
    _float32_matmul_precision = precision


def get_float32_matmul_precision() -> str:
    """The precision last set by ``set_float32_matmul_precision`` (default 'highest')."""
    return _float32_matmul_precision


_deterministic = False
_deterministic_warn_only = False


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record torch's switch for deterministic algorithms (the "seed everything" idiom sets
    it). nnlite's ops are deterministic whatever it says: the same inputs give the same
    bits on every run (NumPy on the CPU, no atomics, no algorithm search), so it changes
    no computation and never raises.

    Args:
        mode (bool): the switch. warn_only (bool): Default: False.

    Example:
        >>> nl.use_deterministic_algorithms(True)
        >>> nl.are_deterministic_algorithms_enabled()
        True
    """
    global _deterministic, _deterministic_warn_only
    if not isinstance(mode, bool) or not isinstance(warn_only, bool):
        raise TypeError(f"use_deterministic_algorithms: mode and warn_only must be bool, got "
                        f"{type(mode).__name__} and {type(warn_only).__name__}")
    _deterministic, _deterministic_warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """The switch last set by ``use_deterministic_algorithms`` (default False)."""
    return _deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """``warn_only`` as last set by ``use_deterministic_algorithms`` (default False)."""
    return _deterministic_warn_only


from . import cuda, cudnn, mps  # noqa: E402  (cuda reads the precision above)
