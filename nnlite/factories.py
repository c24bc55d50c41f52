"""Tensor factories: tensor, zeros, ones, full, empty, *_like, arange, linspace, eye,
rand, randn, randint -- torch's signatures, NumPy underneath.

Floating results take ``get_default_dtype()`` (float32) unless ``dtype`` is given; random
ones draw from the global generator seeded by ``nl.manual_seed``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import random as _random
from .tensor import Tensor, from_numpy, get_default_dtype, to_array


# ============================================================================
def _size(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"size must be non-negative ints, got {size!r}")
    return tuple(int(n) for n in size)


def _make(data: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats become the default dtype)."""
    arr = to_array(data, dtype)
    if arr is data or (isinstance(data, Tensor) and arr is data.array):
        arr = arr.copy()
    return _make(arr, requires_grad)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """``data`` as a Tensor, sharing its memory where possible (a Tensor comes back as it
    is, an ndarray is wrapped without a copy); the dtype rules are ``tensor.to_array``'s.

    Args:
        data: a Tensor, an ndarray, a number or nested lists of numbers.
        dtype (optional): convert to this dtype (a copy if it differs). Default: None.

    Example:
        >>> a = np.zeros(3); nl.as_tensor(a).array is a
        True
    """
    if isinstance(data, Tensor) and dtype is None:
        return data
    return from_numpy(to_array(data, dtype))


def _dtype(dtype: Any) -> np.dtype:
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_size(size), _dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_size(size), _dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.empty(_size(size), _dtype(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = (np.bool_ if isinstance(fill_value, (bool, np.bool_)) else
                 np.int64 if isinstance(fill_value, (int, np.integer)) else get_default_dtype())
    size = _size((size,) if isinstance(size, (int, np.integer)) else tuple(size))
    return _make(np.full(size, fill_value, dtype), requires_grad)


def _like(t: Any, dtype: Any) -> tuple:
    a = t.array if isinstance(t, Tensor) else np.asarray(t)
    return a.shape, (a.dtype if dtype is None else np.dtype(dtype))


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(*_like(t, dtype)), requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(*_like(t, dtype)), requires_grad)


def empty_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.empty(*_like(t, dtype)), requires_grad)


def full_like(t: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.full(*_like(t, dtype)[:1], fill_value, _like(t, dtype)[1]), requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values in ``[start, end)``; int64 for int arguments, else the default dtype."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if ints else get_default_dtype()
    return _make(np.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    return _make(np.linspace(start, end, steps, dtype=np.float64).astype(_dtype(dtype)),
                 requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False,
         generator: np.random.Generator | None = None) -> Tensor:
    """Uniform samples on [0, 1)."""
    gen = generator or _random.default_generator()
    return _make(gen.random(_size(size)).astype(_dtype(dtype), copy=False), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False,
          generator: np.random.Generator | None = None) -> Tensor:
    """Standard normal samples."""
    gen = generator or _random.default_generator()
    return _make(gen.standard_normal(_size(size)).astype(_dtype(dtype), copy=False),
                 requires_grad)


def randint(low: int, high: Any = None, size: Any = None, dtype: Any = None,
            generator: np.random.Generator | None = None) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: ints in [low, high)."""
    if size is None:                       # randint(high, size)
        if high is None:
            raise TypeError("randint: size is required, e.g. randint(10, (3,))")
        low, high, size = 0, low, high
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    gen = generator or _random.default_generator()
    size = _size((size,) if isinstance(size, (int, np.integer)) else tuple(size))
    return Tensor(gen.integers(low, high, size, dtype=np.dtype(dtype or np.int64)))


def rand_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return rand(*shape, dtype=dt, requires_grad=requires_grad)


def randn_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape, dt = _like(t, dtype)
    return randn(*shape, dtype=dt, requires_grad=requires_grad)
