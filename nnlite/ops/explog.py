"""Exponentials and logarithms beyond exp/log/log1p (pointwise.py): log2, log10, exp2,
expm1, logaddexp, logaddexp2, xlogy, logit.

Notation: x is the input, y the output, gy the gradient of the loss with respect to y;
a, b the two inputs of the binary ops (broadcast together). Rules use only operators and
NumPy ufuncs (np.exp2 included: ``UFUNCS`` maps it to ``exp2``), so they also run on
Tensors under ``create_graph=True``.

Dtypes are torch's: integer and bool inputs give the default float dtype; logaddexp and
logaddexp2 refuse them. Values and gradients at the edges are torch's: log2(0) = -inf
with gradient inf, xlogy(0, y) = 0 (nan if y is), logit outside [0, 1] is nan, and with
``eps`` its gradient is 0 where the input was clamped.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._elementwise import (check_broadcast, float_input, float_only, float_pair,
                           in_place_methods, tensor_arg)
from ._util import GradWhere, like_inputs, pair

LN2 = 0.6931471805599453
LN10 = 2.302585092994046


# ---- powers and logs of 2 and 10, expm1 ------------------------------------------------
class Log2(Function):
    """y = log2(x);  gx = gy / (x ln 2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return gy / (x * LN2)


class Log10(Function):
    """y = log10(x);  gx = gy / (x ln 10)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return gy / (x * LN10)


class Exp2(Function):
    """y = 2**x;  gx = gy * y ln 2"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            y = np.exp2(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * (y * LN2)


class Expm1(Function):
    """y = exp(x) - 1, accurate near 0;  gx = gy * (y + 1)"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * (y + 1)


# ---- logaddexp, logaddexp2 ------------------------------------------------------------------
class Logaddexp(Function):
    """y = log(exp(a) + exp(b)) (without overflow; a where a = b = +-inf);
    ga = gy / (1 + exp(b - a)), gb = gy / (1 + exp(a - b))"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, gy):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        with np.errstate(over="ignore", invalid="ignore"):
            return (gy / (np.exp(b - a) + 1) if need_a else None,
                    gy / (np.exp(a - b) + 1) if need_b else None)


class Logaddexp2(Function):
    """y = log2(2**a + 2**b);  ga = gy / (1 + 2**(b - a)), gb = gy / (1 + 2**(a - b))"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.logaddexp2(a, b)

    @staticmethod
    def backward(ctx, gy):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        with np.errstate(over="ignore", invalid="ignore"):
            return (gy / (np.exp2(b - a) + 1) if need_a else None,
                    gy / (np.exp2(a - b) + 1) if need_b else None)


# ---- xlogy, logit --------------------------------------------------------------------------
class Xlogy(Function):
    """y = a * log(b), 0 where a = 0 (unless b is nan: nan);
    ga = xlogy(gy, b), 0 where a = 0 and b <= 0;  gb = gy * a / b (torch's rules)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(a == 0, 0, a * np.log(b))
            return like_inputs(np.where(b != b, b, y), a, b)

    @staticmethod
    def backward(ctx, gy):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        av, bv = (v.array if isinstance(v, Tensor) else v for v in (a, b))
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if need_a:
                ga = GradWhere.apply(Xlogy.apply(gy, b), (av == 0) & (bv <= 0), False)
            if need_b:
                gb = gy * a / b
        return ga, gb


class Logit(Function):
    """y = log(x / (1 - x)) (nan outside [0, 1]);  gx = gy / (x (1 - x)), gy * inf at
    x = 0 or 1, nan outside [0, 1] (torch's rule)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return like_inputs(np.log(x / (1 - x)), x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        xv = x.array if isinstance(x, Tensor) else x
        # torch's rule: gy * inf at x = 0 or 1, so + 0.0 turns x (1 - x) = -0 at x = -0
        # into +0 (torch's vectorised kernel, on 16 elements or more, gives -gy * inf there)
        nan_out = np.where((xv < 0) | (xv > 1), np.nan, 1.0).astype(xv.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            return gy / (x * (1 - x) + 0.0) * nan_out


class LogitEps(Function):
    """y = logit(clamp(x, eps, 1 - eps));  gx = gy / (x (1 - x)) inside [eps, 1 - eps],
    0 outside (torch's rule)"""

    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        z = np.clip(x, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return like_inputs(np.log(z / (1 - z)), x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        xv = x.array if isinstance(x, Tensor) else x
        eps = ctx.eps
        with np.errstate(divide="ignore", invalid="ignore"):
            g = gy / (x * (1 - x))
        return GradWhere.apply(g, (xv < eps) | (xv > 1 - eps), False), None


# ---- the functions -----------------------------------------------------------------------
def log2(input: Tensor) -> Tensor:
    """The base-2 logarithm of each element (``torch.log2``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.log2(nl.tensor([1.0, 8.0]))
        tensor([0., 3.])
    """
    return Log2.apply(float_input(input, "log2"))


def log10(input: Tensor) -> Tensor:
    """The base-10 logarithm of each element (``torch.log10``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.log10(nl.tensor([1.0, 100.0]))
        tensor([0., 2.])
    """
    return Log10.apply(float_input(input, "log10"))


def exp2(input: Tensor) -> Tensor:
    """2 to the power of each element (``torch.exp2``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.exp2(nl.tensor([0.0, 3.0]))
        tensor([1., 8.])
    """
    return Exp2.apply(float_input(input, "exp2"))


def expm1(input: Tensor) -> Tensor:
    """exp(x) - 1, accurate for small x (``torch.expm1``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.expm1(nl.tensor([0.0, 1e-10], dtype=nl.float64))
        tensor([0.0000e+00, 1.0000e-10], dtype=float64)
    """
    return Expm1.apply(float_input(input, "expm1"))


def _float_tensors(op: str, input: Any, other: Any) -> tuple:
    """The two floating Tensor operands of logaddexp / logaddexp2, promoted."""
    a, b = pair(tensor_arg(input, op), tensor_arg(other, op, "other"))
    float_only(a, op)
    check_broadcast(op, a, b)
    return a, b


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(exp(input) + exp(other)) elementwise, without overflow (``torch.logaddexp``).

    Args:
        input (Tensor): a floating tensor.
        other (Tensor): a floating tensor; both broadcast together and promote by torch's
            rules (integer and bool tensors raise, as torch).

    Shape: the broadcast shape of the two.

    Example:
        >>> nl.logaddexp(nl.tensor([0.0, 1000.0]), nl.tensor([0.0, 1000.0]))
        tensor([   0.6931, 1000.6931])
    """
    return Logaddexp.apply(*_float_tensors("logaddexp", input, other))


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2**input + 2**other) elementwise, without overflow (``torch.logaddexp2``).

    Args:
        input (Tensor): a floating tensor.
        other (Tensor): a floating tensor; both broadcast together and promote by torch's
            rules (integer and bool tensors raise, as torch).

    Shape: the broadcast shape of the two.

    Example:
        >>> nl.logaddexp2(nl.tensor([0.0, 3.0]), nl.tensor([0.0, 3.0]))
        tensor([1., 4.])
    """
    return Logaddexp2.apply(*_float_tensors("logaddexp2", input, other))


def xlogy(input: Any, other: Any) -> Tensor:
    """input * log(other), 0 where input is 0 (unless other is nan) (``torch.xlogy``):
    the term of an entropy or a likelihood that is 0 at probability 0.

    Args:
        input (Tensor or number): the factor.
        other (Tensor or number): the argument of the log; at least one of the two is a
            Tensor; they broadcast and promote by torch's rules (integers give the default
            float dtype).

    Shape: the broadcast shape of the two.

    Example:
        >>> nl.xlogy(nl.tensor([0.0, 2.0]), nl.tensor([0.0, 3.0]))
        tensor([0.0000, 2.1972])
    """
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"xlogy(): expected a Tensor among the arguments, got "
                        f"{type(input).__name__} and {type(other).__name__}")
    return Xlogy.apply(*float_pair(input, other, "xlogy"))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """The log-odds log(p / (1 - p)), the inverse of sigmoid (``torch.logit``).

    Args:
        input (Tensor): probabilities (integers and bools give the default float dtype).
        eps (float, optional): if given, the input is first clamped to [eps, 1 - eps]
            (and gets no gradient where it was clamped). Default: None (no clamping:
            +-inf at 0 and 1, nan outside [0, 1]).

    Shape: the output has the input's shape.

    Example:
        >>> nl.logit(nl.tensor([0.5, 0.75]))
        tensor([0.0000, 1.0986])
    """
    x = float_input(input, "logit")
    if eps is None or eps < 0:
        return Logit.apply(x)
    return LogitEps.apply(x, float(eps))


_FUNCTIONS = {"log2": log2, "log10": log10, "exp2": exp2, "expm1": expm1, "xlogy": xlogy,
              "logit": logit}

TENSOR_METHODS: dict[str, Any] = {**_FUNCTIONS, "logaddexp": logaddexp,
                                  "logaddexp2": logaddexp2, **in_place_methods(_FUNCTIONS)}
