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
from ._util import (Astype, GradWhere, ShapeError, UnsupportedDtypeError, cast, const,
                    like_inputs, pair, result_type, unsupported)


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
            raise ShapeError(f"{name}: operands of shapes {a.shape} and {b.shape} cannot be "
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


def _check_alpha(a: Any, b: Any, alpha: Any, op: str) -> None:
    """torch refuses a floating ``alpha`` for integer operands (it would be truncated)."""
    if isinstance(alpha, (float, np.floating)) and result_type(const(a), b).kind in "biu":
        raise RuntimeError(f"{op}: for integral input tensors, argument alpha must not be a "
                           f"floating point number (got alpha={alpha})")


def add(a: Any, b: Any, alpha: Any = 1) -> Tensor:
    """a + alpha * b, with broadcasting."""
    if alpha != 1:
        _check_alpha(a, b, alpha, "add")
        b = mul(b, alpha) if isinstance(b, Tensor) else np.multiply(b, alpha)
    return _binary(Add, "add", a, b)


def sub(a: Any, b: Any, alpha: Any = 1) -> Tensor:
    """a - alpha * b, with broadcasting; a bool operand raises, as torch."""
    if _is_bool(a) or _is_bool(b):
        raise unsupported("sub", np.bool_, "subtraction, the `-` operator, with a bool tensor "
                          "is not supported; use the `^` or logical_xor() operator for two "
                          "masks, `~` or logical_not() to invert one")
    if alpha != 1:
        _check_alpha(a, b, alpha, "sub")
        b = mul(b, alpha) if isinstance(b, Tensor) else np.multiply(b, alpha)
    return _binary(Sub, "sub", a, b)


def _is_bool(x: Any) -> bool:
    """Whether an operand is a bool tensor (or array) or a bool number."""
    if isinstance(x, Tensor):
        return x.array.dtype.kind == "b"
    return isinstance(x, (bool, np.bool_)) or (isinstance(x, np.ndarray) and x.dtype.kind == "b")


def neg(x: Tensor) -> Tensor:
    if x.array.dtype.kind == "b":
        raise unsupported("neg", x.array.dtype, "negation, the `-` operator, on a bool tensor "
                          "is not supported; to invert a mask use the `~` or logical_not() "
                          "operator instead")
    return Neg.apply(x)


# ---- mul / div ---------------------------------------------------------------
class Mul(Function):
    """y = a * b;  ga = gy * b, gb = gy * a"""
    broadcasts = True
    saved_for = (1, 0)          # a only for gb, b only for ga

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
    saved_for = (1, None)       # a only for gb

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
    """a / b, with broadcasting. Integer operands give the default float dtype.

    ``rounding_mode='floor'`` rounds the quotient down (Python's ``//``, exact for floats:
    ``div(1., .1, rounding_mode='floor')`` is 9 as in torch, not floor(1 / .1) = 10),
    ``'trunc'`` towards zero; both keep integer operands integer, raise as torch
    (``RuntimeError: ZeroDivisionError``) for an integer division by zero, and give no
    gradient (torch records a zero one)."""
    if rounding_mode is None:
        a, b = pair(a, b)
        if a.array.dtype.kind in "biu":           # then b is too: one dtype after pair
            dtype = get_default_dtype()
            a, b = cast(a, dtype), cast(b, dtype)
        return _binary(Div, "div", a, b)
    if rounding_mode == "floor":
        return _rounded(np.floor_divide, "div", a, b)
    if rounding_mode == "trunc":
        return _rounded(_trunc_divide, "div", a, b)
    raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got "
                     f"{rounding_mode!r}")


class IntegerDivisionByZero(RuntimeError, ZeroDivisionError):
    """An integer ``//``, ``%`` or ``div(rounding_mode=...)`` by zero: torch raises
    ``RuntimeError: ZeroDivisionError``; this is both."""


def _trunc_divide(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if x.dtype.kind == "f":
        return np.trunc(np.true_divide(x, y))
    q = np.floor_divide(x, y)                   # rounds down: one too low where inexact
    return q + ((q < 0) & (q * y != x))          # and of the opposite signs


def _rounded(ufunc: Any, name: str, a: Any, b: Any) -> Tensor:
    """``ufunc(a, b)`` on the promoted operands, with no gradient; integers must not divide
    by zero, bools are refused (as torch)."""
    a, b = pair(a, b)
    x, y = a.array, b.array
    if x.dtype.kind == "b":
        raise UnsupportedDtypeError(f"{name}: not implemented for bool tensors ('Bool')")
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ShapeError(f"{name}: operands of shapes {x.shape} and {y.shape} cannot be "
                         f"broadcast together") from None
    if x.dtype.kind in "iu":
        if not np.all(y):
            raise IntegerDivisionByZero(f"{name}: integer division by zero "
                                        f"(ZeroDivisionError)")
        return from_numpy(np.asarray(ufunc(x, y)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return from_numpy(np.asarray(ufunc(x, y)))


def floor_divide(a: Any, b: Any) -> Tensor:
    """``a // b``: the quotient rounded down (``div(a, b, rounding_mode='floor')``)."""
    return _rounded(np.floor_divide, "floor_divide", a, b)


class Remainder(Function):
    """y = a - b * q with q = floor(a / b) (``ufunc`` np.remainder: the sign of b, Python's
    %) or q = trunc(a / b) (np.fmod: the sign of a, C's fmod);  ga = gy, gb = -gy * q"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b, ufunc):
        ctx.save_for_backward(a, b)
        ctx.quotient = np.floor_divide if ufunc is np.remainder else _trunc_divide
        with np.errstate(divide="ignore", invalid="ignore"):
            return ufunc(a, b)

    @staticmethod
    def backward(ctx, gy):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_input_grad[1]:
            a, b = (v.array if isinstance(v, Tensor) else v for v in (a, b))
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = -gy * ctx.quotient(a, b)   # q is piecewise constant: no gradient
        return gy, gb, None


def _remainder(ufunc: Any, name: str, a: Any, b: Any) -> Tensor:
    a, b = pair(a, b)
    if a.array.dtype.kind not in "fc":
        return _rounded(ufunc, name, a, b)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{name}: operands of shapes {a.shape} and {b.shape} cannot be "
                         f"broadcast together") from None
    return Remainder.apply(a, b, ufunc)


def remainder(a: Any, b: Any) -> Tensor:
    """``a % b``: the remainder with the sign of ``b`` (Python's and torch's ``%``);
    integer division by zero raises as torch."""
    return _remainder(np.remainder, "remainder", a, b)


def fmod(a: Any, b: Any) -> Tensor:
    """The remainder with the sign of ``a`` (C's fmod), as ``torch.fmod``."""
    return _remainder(np.fmod, "fmod", a, b)


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
        if c == 0:                        # y = 1: gx = 0 even at x = 0 (not 0 * inf),
            return GradWhere.apply(gy, np.zeros(gy.shape, np.bool_))    # and where gy is nan
        if c == 2:
            return gy * (x * 2)
        return gy * (x ** (c - 1) * c)


class Pow(Function):
    """y = a ** b;  ga = gy * b * a ** (b - 1), that factor 0 where b = 0 (not 0 * inf at
    a = 0);  gb = gy * y * log(a), that factor 0 where a = 0 and b >= 0 (torch's rules)"""
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
        av, bv = (v.array if isinstance(v, Tensor) else v for v in (a, b))
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_a:
                ga = gy * GradWhere.apply(b * a ** (b - 1), bv == 0, False)
            if need_b:
                gb = gy * GradWhere.apply(y * np.log(a), (av == 0) & (bv >= 0), False)
        return ga, gb


def pow(a: Any, b: Any) -> Tensor:
    """a ** b, with broadcasting and torch's dtypes (an integer tensor to a float power is
    the default float dtype; float32 ** an int64 tensor is float32; bool ** 2 is int64).
    An integer tensor to a negative integer number raises, as torch; to a tensor of
    negative integers it gives torch's integer results (1 ** -n = 1, (-1) ** -n = +-1,
    else 0), where NumPy would raise."""
    if isinstance(a, Tensor) and not isinstance(b, Tensor) and np.ndim(b) == 0:
        # a number exponent: the Python number itself, so a float32 base stays float32
        # (a NumPy scalar or 0-d array would upcast it under NumPy 2's promotion rules)
        c = b.item() if isinstance(b, (np.generic, np.ndarray)) else b
        dt = result_type(a, c)
        if dt.kind == "b":                                   # bool ** bool: bool
            return from_numpy(a.array | (not c))
        if dt.kind in "iu" and c < 0:
            raise RuntimeError("pow: integers to negative integer powers are not allowed "
                               f"(got exponent {c})")
        return PowConst.apply(cast(a, dt), c)
    a, b = pair(a, b)
    if a.array.dtype.kind == "b":
        raise unsupported("pow", a.array.dtype)
    if a.array.dtype.kind in "iu":
        return from_numpy(np.asarray(_int_pow(a.array, b.array)))
    return _binary(Pow, "pow", a, b)


def _int_pow(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    """x ** e for integer arrays, negative exponents as torch (C integer arithmetic)."""
    try:
        np.broadcast_shapes(x.shape, e.shape)
    except ValueError:
        raise ShapeError(f"pow: operands of shapes {x.shape} and {e.shape} cannot be "
                         f"broadcast together") from None
    neg = e < 0
    if not neg.any():
        return x ** e
    y = x ** np.where(neg, 0, e)
    inv = np.where(x == 1, 1, np.where(x == -1, 1 - 2 * (e & 1), 0)).astype(y.dtype)
    return np.where(neg, inv, y)


# ---- casts and copies --------------------------------------------------------
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
        raise ShapeError(f"{name}: operands of shapes {a.shape} and {b.shape} cannot be "
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


def _bitwise(ufunc: np.ufunc, name: str, a: Any, b: Any) -> Tensor:
    """A bitwise op on integer and bool operands (floats raise, as torch)."""
    a, b = pair(a, b)
    if a.array.dtype.kind not in "biu":
        raise unsupported(name, a.array.dtype, f"{name} takes integer and bool tensors")
    return _compare(ufunc, name, a, b)


def bitwise_and(a: Any, b: Any) -> Tensor:
    """``a & b``: bitwise for integers, logical for bools."""
    return _bitwise(np.bitwise_and, "bitwise_and", a, b)


def bitwise_or(a: Any, b: Any) -> Tensor:
    return _bitwise(np.bitwise_or, "bitwise_or", a, b)


def bitwise_xor(a: Any, b: Any) -> Tensor:
    return _bitwise(np.bitwise_xor, "bitwise_xor", a, b)


def bitwise_not(x: Any) -> Tensor:
    """``~x``: bitwise for integers, logical for bools."""
    x = const(x)
    if x.array.dtype.kind not in "iub":
        raise unsupported("bitwise_not", x.array.dtype, "only integer and bool tensors")
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
