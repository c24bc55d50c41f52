"""Elementwise arithmetic with broadcasting: + - * / ** and neg, casts, comparisons.

Notation: a, b are the inputs (any broadcast-compatible shapes), y the output, gy the
gradient of the loss with respect to y. The engine sums each input's gradient back to
the input's shape (``broadcasts = True``), so the rules below are written as if no
broadcasting happened.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, from_numpy, get_default_dtype
from ._util import const, like_inputs, pair


def _binary(fn: type[Function], name: str, a: Any, b: Any) -> Tensor:
    """``fn.apply(a, b)`` on both operands as Tensors; a shape mismatch raises an error
    naming the op ``name`` and both shapes."""
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

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, gy):
        return gy, gy


class Sub(Function):
    """y = a - b;  ga = gy, gb = -gy"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, gy):
        return gy, (-gy if ctx.needs_input_grad[1] else None)


class Neg(Function):
    """y = -x;  gx = -gy"""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, gy):
        return -gy


def add(a: Any, b: Any, alpha: Any = 1) -> Tensor:
    """a + alpha * b, with broadcasting."""
    if alpha != 1:
        b = mul(b, alpha) if isinstance(b, Tensor) else np.multiply(b, alpha)
    return _binary(Add, "add", a, b)


def sub(a: Any, b: Any, alpha: Any = 1) -> Tensor:
    """a - alpha * b, with broadcasting."""
    if alpha != 1:
        b = mul(b, alpha) if isinstance(b, Tensor) else np.multiply(b, alpha)
    return _binary(Sub, "sub", a, b)


def neg(x: Tensor) -> Tensor:
    return Neg.apply(x)


# ---- mul / div ---------------------------------------------------------------
class Mul(Function):
    """y = a * b;  ga = gy * b, gb = gy * a"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, gy):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (gy * b if need_a else None,
                gy * a if need_b else None)


class Div(Function):
    """y = a / b;  ga = gy / b, gb = -gy * a / b**2"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, gy):
        a, b = ctx.saved_tensors
        ga = gy / b
        return ga, (-ga * a / b if ctx.needs_input_grad[1] else None)


def mul(a: Any, b: Any) -> Tensor:
    """a * b, with broadcasting."""
    return _binary(Mul, "mul", a, b)


def div(a: Any, b: Any, rounding_mode: str | None = None) -> Tensor:
    """a / b, with broadcasting (true division; 'floor'/'trunc' give no gradient).
    Integer operands give the default float dtype, or integers when rounding (as torch)."""
    a, b = pair(a, b)
    ints = a.array.dtype.kind in "biu" and b.array.dtype.kind in "biu"
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got "
                             f"{rounding_mode!r}")
        x, y = a.array, b.array
        if ints and rounding_mode == "floor":
            return Tensor(np.floor_divide(x, y))
        if ints:
            return Tensor(np.sign(x) * np.sign(y) * (np.abs(x) // np.abs(y)))
        q = np.true_divide(x, y)
        return Tensor(np.floor(q) if rounding_mode == "floor" else np.trunc(q))
    if ints:
        dtype = get_default_dtype()
        a, b = Tensor(a.array.astype(dtype)), Tensor(b.array.astype(dtype))
    return _binary(Div, "div", a, b)


# ---- pow ---------------------------------------------------------------------
class PowConst(Function):
    """y = x ** c for a constant c;  gx = gy * c * x ** (c - 1)"""

    @staticmethod
    def forward(ctx, x, c):
        ctx.save_for_backward(x)
        ctx.c = c
        return like_inputs(x ** c, x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        c = ctx.c
        if c == 0:                        # y = 1: gx = 0 even at x = 0 (not 0 * inf)
            return gy * 0
        if c == 2:
            return gy * (x * 2)
        return gy * (x ** (c - 1) * c)


class Pow(Function):
    """y = a ** b;  ga = gy * b * a ** (b - 1), gb = gy * y * log(a) (0 where a = 0)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        y = a ** b
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        a, b, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = gy * (b * a ** (b - 1)) if need_a else None
        gb = gy * (y * np.log(a + (a == 0))) if need_b else None   # a = 0: y log(1) = 0, as torch
        return ga, gb


def pow(a: Any, b: Any) -> Tensor:
    """a ** b, with broadcasting."""
    if isinstance(a, Tensor) and not isinstance(b, Tensor) and np.ndim(b) == 0:
        # a Python number keeps a float32 base float32 (a NumPy scalar or 0-d array would
        # upcast it under NumPy 2's promotion rules)
        c = b.item() if isinstance(b, (np.generic, np.ndarray)) else b
        return PowConst.apply(a, c)
    return _binary(Pow, "pow", a, b)


# ---- casts and copies --------------------------------------------------------
class Astype(Function):
    """y = x cast to another floating dtype;  gx = gy cast back"""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.src = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, gy):
        return gy.astype(ctx.src)


class Clone(Function):
    """y = copy of x;  gx = gy"""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, gy):
        return gy


def astype(x: Tensor, dtype: Any) -> Tensor:
    """A copy of ``x`` in ``dtype`` (differentiable between floating dtypes)."""
    dtype = np.dtype(dtype)
    if x.array.dtype == dtype:
        return x
    if dtype.kind not in "fc" or x._node is None:
        return Tensor(x.array.astype(dtype))
    return Astype.apply(x, dtype)


def clone(x: Tensor) -> Tensor:
    return Clone.apply(x)


# ---- comparisons and logic: bool tensors, no gradient ------------------------
def _compare(ufunc: np.ufunc, name: str, a: Any, b: Any) -> Tensor:
    a, b = pair(a, b)
    try:
        data = ufunc(a.array, b.array)
    except ValueError:
        raise ValueError(f"{name}: operands of shapes {a.shape} and {b.shape} cannot be "
                         f"broadcast together") from None
    return from_numpy(np.asarray(data))   # 0-d operands give a NumPy scalar


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
    if x.array.dtype.kind not in "iub":
        raise TypeError(f"bitwise_not: only integer and bool tensors, got dtype {x.array.dtype}")
    return Tensor(np.invert(x.array))


def logical_not(x: Any) -> Tensor:
    return Tensor(np.logical_not(const(x).array))


def isnan(x: Any) -> Tensor:
    return Tensor(np.isnan(const(x).array))


def isfinite(x: Any) -> Tensor:
    return Tensor(np.isfinite(const(x).array))


def allclose(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    a, b = pair(a, b)
    return bool(np.allclose(a.array, b.array, rtol=rtol, atol=atol))


def equal(a: Any, b: Any) -> bool:
    a, b = pair(a, b)
    return a.shape == b.shape and bool(np.array_equal(a.array, b.array))
