"""Elementwise arithmetic with broadcasting: + - * / ** and neg, casts, comparisons.

Notation: a, b are the inputs (any broadcast-compatible shapes), y the output, gy the
gradient of the loss with respect to y. The engine sums each input's gradient back to
the input's shape (``broadcasts = True``), so the rules below are written as if no
broadcasting happened.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Function, Tensor, _new_tensor
from ._util import const, pair


def _binary(fn: Function, name: str, a: Any, b: Any) -> Tensor:
    a, b = pair(a, b)
    try:
        return fn.apply(a, b)
    except ValueError:
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ValueError(f"{name}: operands of shapes {a.shape} and {b.shape} cannot be "
                             f"broadcast together") from None
        raise


# ---- add / sub ---------------------------------------------------------------
class Add(Function):
    """y = a + b;  ga = gy, gb = gy"""
    broadcasts = True

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Sub(Function):
    """y = a - b;  ga = gy, gb = -gy"""
    broadcasts = True

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, (-gy if self.parents[1] is not None else None)


class Neg(Function):
    """y = -x;  gx = -gy"""

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


def add(a: Any, b: Any, alpha: Any = 1) -> Tensor:
    """a + alpha * b, with broadcasting."""
    if alpha != 1:
        b = mul(b, alpha)
    return _binary(Add(), "add", a, b)


def sub(a: Any, b: Any, alpha: Any = 1) -> Tensor:
    """a - alpha * b, with broadcasting."""
    if alpha != 1:
        b = mul(b, alpha)
    return _binary(Sub(), "sub", a, b)


def neg(x: Tensor) -> Tensor:
    return Neg().apply(x)


# ---- mul / div ---------------------------------------------------------------
class Mul(Function):
    """y = a * b;  ga = gy * b, gb = gy * a"""
    broadcasts = True
    save_inputs = True

    def forward(self, a, b):
        return a * b

    def backward(self, gy, a, b):
        pa, pb = self.parents
        return (gy * b if pa is not None else None,
                gy * a if pb is not None else None)


class Div(Function):
    """y = a / b;  ga = gy / b, gb = -gy * a / b**2"""
    broadcasts = True
    save_inputs = True

    def forward(self, a, b):
        return a / b

    def backward(self, gy, a, b):
        ga = gy / b
        return (ga if self.parents[0] is not None else None,
                -ga * a / b if self.parents[1] is not None else None)


def mul(a: Any, b: Any) -> Tensor:
    """a * b, with broadcasting."""
    return _binary(Mul(), "mul", a, b)


def div(a: Any, b: Any, rounding_mode: str | None = None) -> Tensor:
    """a / b, with broadcasting (true division; 'floor'/'trunc' give no gradient)."""
    if rounding_mode is not None:
        a, b = pair(a, b)
        q = np.true_divide(a.data, b.data)
        if rounding_mode == "floor":
            return Tensor(np.floor(q))
        if rounding_mode == "trunc":
            return Tensor(np.trunc(q))
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got "
                         f"{rounding_mode!r}")
    return _binary(Div(), "div", a, b)


# ---- pow ---------------------------------------------------------------------
class PowConst(Function):
    """y = x ** c for a constant c;  gx = gy * c * x ** (c - 1)"""
    save_inputs = True

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x ** self.c

    def backward(self, gy, x):
        c = self.c
        if c == 2:
            return gy * (x * 2)
        return gy * (x ** (c - 1) * c)


class Pow(Function):
    """y = a ** b;  ga = gy * b * a ** (b - 1), gb = gy * y * log(a)"""
    broadcasts = True
    save_inputs = True
    save_output = True

    def forward(self, a, b):
        return a ** b

    def backward(self, gy, a, b, y):
        ga = gb = None
        if self.parents[0] is not None:
            ga = gy * (b * a ** (b - 1))
        if self.parents[1] is not None:
            gb = gy * (y * np.log(a))
        return ga, gb


def pow(a: Any, b: Any) -> Tensor:
    """a ** b, with broadcasting."""
    if isinstance(a, Tensor) and not isinstance(b, Tensor) and np.ndim(b) == 0:
        c = b.item() if isinstance(b, np.generic) else b
        return PowConst(c).apply(a)
    return _binary(Pow(), "pow", a, b)


# ---- casts and copies --------------------------------------------------------
class Astype(Function):
    """y = x cast to another floating dtype;  gx = gy cast back"""

    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.src = x.dtype
        return x.astype(self.dtype)

    def backward(self, gy):
        return gy.astype(self.src)


class Clone(Function):
    """y = copy of x;  gx = gy"""

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy


def astype(x: Tensor, dtype: Any) -> Tensor:
    """A copy of ``x`` in ``dtype`` (differentiable between floating dtypes)."""
    dtype = np.dtype(dtype)
    if x.data.dtype == dtype:
        return x
    if dtype.kind not in "fc" or x._node is None:
        return Tensor(x.data.astype(dtype))
    return Astype(dtype).apply(x)


def clone(x: Tensor) -> Tensor:
    return Clone().apply(x)


# ---- comparisons and logic: bool tensors, no gradient ------------------------
def _compare(ufunc: np.ufunc, a: Any, b: Any) -> Tensor:
    a, b = pair(a, b)
    t = _new_tensor(Tensor)
    t.data, t.grad, t._node = ufunc(a.data, b.data), None, None
    return t


def eq(a: Any, b: Any) -> Tensor:
    return _compare(np.equal, a, b)


def ne(a: Any, b: Any) -> Tensor:
    return _compare(np.not_equal, a, b)


def lt(a: Any, b: Any) -> Tensor:
    return _compare(np.less, a, b)


def le(a: Any, b: Any) -> Tensor:
    return _compare(np.less_equal, a, b)


def gt(a: Any, b: Any) -> Tensor:
    return _compare(np.greater, a, b)


def ge(a: Any, b: Any) -> Tensor:
    return _compare(np.greater_equal, a, b)


def logical_and(a: Any, b: Any) -> Tensor:
    return _compare(np.logical_and, a, b) if _is_bool(a, b) else _compare(np.bitwise_and, a, b)


def logical_or(a: Any, b: Any) -> Tensor:
    return _compare(np.logical_or, a, b) if _is_bool(a, b) else _compare(np.bitwise_or, a, b)


def logical_xor(a: Any, b: Any) -> Tensor:
    return _compare(np.logical_xor, a, b) if _is_bool(a, b) else _compare(np.bitwise_xor, a, b)


def _is_bool(a: Any, b: Any) -> bool:
    return all(np.asarray(v.data if isinstance(v, Tensor) else v).dtype == np.bool_
               for v in (a, b))


def logical_not(x: Any) -> Tensor:
    x = const(x)
    return Tensor(np.logical_not(x.data) if x.data.dtype == np.bool_ else np.invert(x.data))


def isnan(x: Any) -> Tensor:
    return Tensor(np.isnan(const(x).data))


def isfinite(x: Any) -> Tensor:
    return Tensor(np.isfinite(const(x).data))


def allclose(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    a, b = pair(a, b)
    return bool(np.allclose(a.data, b.data, rtol=rtol, atol=atol))


def equal(a: Any, b: Any) -> bool:
    a, b = pair(a, b)
    return a.shape == b.shape and bool(np.array_equal(a.data, b.data))
