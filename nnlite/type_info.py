"""``nl.finfo`` and ``nl.iinfo``: the limits of floating and integer dtypes, with
torch's attribute names.

Example:
    >>> nl.finfo(nl.float32).eps, nl.iinfo(nl.int8).max
    (1.1920928955078125e-07, 127)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import get_default_dtype
from .tensor_types import bfloat16

__all__ = ["finfo", "iinfo"]

# bfloat16 has no NumPy dtype: its limits (8 exponent bits as float32, 8 significand bits)
_BFLOAT16 = {"bits": 16, "eps": 2.0 ** -7, "max": (2 - 2.0 ** -7) * 2.0 ** 127,
             "tiny": 2.0 ** -126, "resolution": 0.01}


def _dtype(type: Any, op: str) -> np.dtype:
    try:
        return np.dtype(type)
    except TypeError:
        raise TypeError(f"{op}: expected a dtype such as nl.float32, got {type!r}") from None


class finfo:
    """The limits of a floating dtype, as ``torch.finfo``.

    Args:
        type (dtype, optional): a floating dtype (``nl.float16``, ``nl.float32``,
            ``nl.float64``, ``nl.bfloat16``). Default: None: the default dtype.

    Attributes:
        bits (int): the number of bits of the dtype.
        eps (float): the difference between 1.0 and the next representable number.
        max (float): the largest finite number.
        min (float): the most negative finite number (``-max``).
        tiny (float): the smallest positive normal number (= ``smallest_normal``).
        smallest_normal (float): the same.
        resolution (float): the approximate decimal resolution, ``10 ** -precision``.
        dtype (str): the dtype's name, such as ``"float32"``.

    Example:
        >>> nl.finfo(nl.float16).max, nl.finfo().dtype
        (65504.0, 'float32')
    """

    def __init__(self, type: Any = None) -> None:
        if type is None:
            type = get_default_dtype()
        if type is bfloat16:
            v, name = _BFLOAT16, "bfloat16"
        else:
            d = _dtype(type, "finfo")
            if d.kind != "f":
                raise TypeError(f"nnlite.finfo() requires a floating point input type (got "
                                f"{d}). Use nnlite.iinfo to handle integer types")
            f = np.finfo(d)
            v = {"bits": int(f.bits), "eps": float(f.eps), "max": float(f.max),
                 "tiny": float(f.tiny), "resolution": 10.0 ** -int(f.precision)}
            name = d.name
        self.bits: int = v["bits"]
        self.eps: float = v["eps"]
        self.max: float = v["max"]
        self.min: float = -v["max"]
        self.tiny: float = v["tiny"]
        self.smallest_normal: float = v["tiny"]
        self.resolution: float = v["resolution"]
        self.dtype: str = name

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype, as ``torch.iinfo``.

    Args:
        type (dtype): an integer dtype (``nl.uint8``, ``nl.int8``, ``nl.int16``,
            ``nl.int32``, ``nl.int64``).

    Attributes:
        bits (int): the number of bits of the dtype.
        max (int): the largest value.
        min (int): the smallest value.
        dtype (str): the dtype's name, such as ``"int32"``.

    Example:
        >>> nl.iinfo(nl.int32).max
        2147483647
    """

    def __init__(self, type: Any) -> None:
        d = _dtype(type, "iinfo")
        if d.kind == "b":
            raise TypeError("nnlite.bool is not supported by nnlite.iinfo")
        if d.kind not in "iu":
            raise TypeError(f"nnlite.iinfo() requires an integer input type (got {d}). Use "
                            f"nnlite.finfo to handle floating types")
        i = np.iinfo(d)
        self.bits: int = int(i.bits)
        self.max: int = int(i.max)
        self.min: int = int(i.min)
        self.dtype: str = d.name

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
