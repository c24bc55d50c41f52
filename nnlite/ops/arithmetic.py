"""Elementwise arithmetic with broadcasting: + - * / ** and neg, casts, comparisons.

Notation: a, b are the inputs (any broadcast-compatible shapes), y the output, gy the
gradient of the loss with respect to y. The engine sums each input's gradient back to
the input's shape (``broadcasts = True``), so the rules below are written as if no
broadcasting happened.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Function, Tensor, _new_tensor, get_default_dtype
from ._util import const, like_inputs, pair


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
        b = mul(b, alpha) if isinstance(b, Tensor) else np.multiply(b, alpha)
    return _binary(Add(), "add", a, b)


def sub(a: Any, b: Any, alpha: Any = 1) -> Tensor:
    """a - alpha * b, with broadcasting."""
    if alpha != 1:
        b = mul(b, alpha) if isinstance(b, Tensor) else np.multiply(b, alpha)
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
    """a / b, with broadcasting (true division; 'floor'/'trunc' give no gradient).
    Integer operands give the default float dtype, or integers when rounding (as torch)."""
    a, b = pair(a, b)
    ints = a.data.dtype.kind in "biu" and b.data.dtype.kind in "biu"
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got "
                             f"{rounding_mode!r}")
        x, y = a.data, b.data
        if ints and rounding_mode == "floor":
            return Tensor(np.floor_divide(x, y))
        if ints:
            return Tensor(np.sign(x) * np.sign(y) * (np.abs(x) // np.abs(y)))
        q = np.true_divide(x, y)
        return Tensor(np.floor(q) if rounding_mode == "floor" else np.trunc(q))
    if ints:
        dtype = get_default_dtype()
        a, b = Tensor(a.data.astype(dtype)), Tensor(b.data.astype(dtype))
    return _binary(Div(), "div", a, b)


# ---- pow ---------------------------------------------------------------------
class PowConst(Function):
    """y = x ** c for a constant c;  gx = gy * c * x ** (c - 1)"""
    save_inputs = True

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return like_inputs(x ** self.c, x)

    def backward(self, gy, x):
        c = self.c
        if c == 0:                        # y = 1: gx = 0 even at x = 0 (not 0 * inf)
            return gy * 0
        if c == 2:
            return gy * (x * 2)
        return gy * (x ** (c - 1) * c)


class Pow(Function):
    """y = a ** b;  ga = gy * b * a ** (b - 1), gb = gy * y * log(a) (0 where a = 0)"""
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
            gb = gy * (y * np.log(a + (a == 0)))      # a = 0: y log(1) = 0, as torch
        return ga, gb


def pow(a: Any, b: Any) -> Tensor:
    """a ** b, with broadcasting."""
    if isinstance(a, Tensor) and not isinstance(b, Tensor) and np.ndim(b) == 0:
        # a Python number keeps a float32 base float32 (a NumPy scalar or 0-d array would
        # upcast it under NumPy 2's promotion rules)
        c = b.item() if isinstance(b, (np.generic, np.ndarray)) else b
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
def _compare(ufunc: np.ufunc, name: str, a: Any, b: Any) -> Tensor:
    a, b = pair(a, b)
    try:
        data = ufunc(a.data, b.data)
    except ValueError:
        raise ValueError(f"{name}: operands of shapes {a.shape} and {b.shape} cannot be "
                         f"broadcast together") from None
    t = _new_tensor(Tensor)
    t.data, t.grad, t._node = data, None, None
    return t


def eq(a: Any, b: Any) -> Tensor:
    return _compare(np.equal, "eq", a, b)


def ne(a: Any, b: Any) -> Tensor:
    return _compare(np.not_equal, "ne", a, b)


def lt(a: Any, b: Any) -> Tensor:
    return _compare(np.less, "lt", a, b)


def le(a: Any, b: Any) -> Tensor:
    return _compare(np.less_equal, "le", a, b)


def gt(a: Any, b: Any) -> Tensor:
    return _compare(np.greater, "gt", a, b)


def ge(a: Any, b: Any) -> Tensor:
    return _compare(np.greater_equal, "ge", a, b)


# logical_* are torch's (bool result, nonzero is True) for bool and floating operands;
# with integer operands they are bitwise, because Tensor's & | ^ ~ arrive here.
def logical_and(a: Any, b: Any) -> Tensor:
    return _compare(np.logical_and, "logical_and", a, b)


def logical_or(a: Any, b: Any) -> Tensor:
    return _compare(np.logical_or, "logical_or", a, b)


def logical_xor(a: Any, b: Any) -> Tensor:
    return _compare(np.logical_xor, "logical_xor", a, b)


def bitwise_and(a: Any, b: Any) -> Tensor:
    """``a & b``: bitwise for integers, logical for bools."""
    return _compare(np.bitwise_and, "bitwise_and", a, b)


def bitwise_or(a: Any, b: Any) -> Tensor:
    return _compare(np.bitwise_or, "bitwise_or", a, b)


def bitwise_xor(a: Any, b: Any) -> Tensor:
    return _compare(np.bitwise_xor, "bitwise_xor", a, b)


def bitwise_not(x: Any) -> Tensor:
    """``~x``: bitwise for integers, logical for bools."""
    x = const(x)
    if x.data.dtype.kind not in "iub":
        raise TypeError(f"bitwise_not: only integer and bool tensors, got dtype {x.data.dtype}")
    return Tensor(np.invert(x.data))


def logical_not(x: Any) -> Tensor:
    return Tensor(np.logical_not(const(x).data))


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
