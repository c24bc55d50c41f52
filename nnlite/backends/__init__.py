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
           "get_float32_matmul_precision"]

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


from . import cuda, cudnn, mps  # noqa: E402  (cuda reads the precision above)
