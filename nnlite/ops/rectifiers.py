"""Thresholding activations: celu, threshold, hardshrink, softshrink, rrelu; and the
in-place forms of the activations (``relu_``, ``elu_`` ... and ``inplace=True``).

Notation: x is the input, y the output (same shape), gy the gradient of the loss with
respect to y. Masks computed from x in forward are constants; a gradient that is 0
outside a region is exactly 0 there, even where gy is inf or nan (``KeepWhere``), as
torch selects rather than multiplies. Values at the kinks follow torch's kernels:

- celu:       y = x (x > 0), alpha (exp(x / alpha) - 1) otherwise;
              gx = gy where x > 0, gy (y / alpha + 1) otherwise
- threshold:  y = x where x > threshold, else value;  gx = gy where x > threshold
- hardshrink: y = x where |x| > lambd, else 0;  gx = gy where |x| > lambd
- softshrink: y = x - lambd (x > lambd), x + lambd (x < -lambd), else 0;
              gx = gy where |x| > lambd
- rrelu:      training: y = x r, r = 1 where x > 0, else drawn from U(lower, upper)
              (nnlite's generator), gx = gy r; eval: leaky_relu with the slope
              (lower + upper) / 2

In place (``inplace=True`` and the ``_`` forms): the result is written into x through
``nnlite.ops.inplace.write`` (torch's rules: an error on a leaf that requires grad with
grad mode on; recorded in the graph when x or an argument requires grad), and x is
returned.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd import versions as _versions
from ..autograd import views as _views
from ..autograd.function import Function
from ..factories import as_tensor
from ..random import default_generator
from ..tensor import Tensor, is_grad_enabled
from . import inplace as _inplace
from . import pointwise
from .activation import KeepWhere, hardtanh, selu

__all__ = ["celu", "threshold", "hardshrink", "softshrink", "rrelu", "in_place",
           "relu_", "elu_", "leaky_relu_", "hardtanh_", "rrelu_", "threshold_", "celu_",
           "selu_"]


# ---- Functions -------------------------------------------------------------------------
class CeluFn(Function):
    """y = x if x > 0 else alpha (exp(x / alpha) - 1);
    gx = gy where x > 0, gy (y / alpha + 1) elsewhere (also at nan)"""

    @staticmethod
    def forward(ctx, x, alpha):
        pos = x > 0
        y = np.where(pos, x, alpha * np.expm1(np.minimum(x, 0) / alpha)).astype(x.dtype,
                                                                              copy=False)
        ctx.save_for_backward(y, pos)
        ctx.alpha = alpha
        return y

    @staticmethod
    def backward(ctx, gy):
        y, pos = ctx.saved_tensors
        return KeepWhere.apply(gy, pos) + KeepWhere.apply(gy * (y / ctx.alpha + 1), ~pos)


class ThresholdFn(Function):
    """y = x where keep, else value;  gx = gy where keep (keep a bool mask of x's shape)"""

    @staticmethod
    def forward(ctx, x, keep, value):
        ctx.save_for_backward(keep)
        return np.where(keep, x, value).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, gy):
        (keep,) = ctx.saved_tensors
        return KeepWhere.apply(gy, keep)


class ShiftWhereFn(Function):
    """y = x - shift where keep, else 0 (shift an array of x's shape);  gx = gy where keep"""

    @staticmethod
    def forward(ctx, x, keep, shift):
        ctx.save_for_backward(keep)
        return np.where(keep, x - shift, 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, gy):
        (keep,) = ctx.saved_tensors
        return KeepWhere.apply(gy, keep)


class RReluFn(Function):
    """y = x r;  gx = gy r   (r: 1 where x > 0, a random slope elsewhere; a constant)"""

    @staticmethod
    def forward(ctx, x, r):
        ctx.save_for_backward(r)
        return x * r

    @staticmethod
    def backward(ctx, gy):
        (r,) = ctx.saved_tensors
        return gy * r


# ---- argument checks ---------------------------------------------------------------------
def _scalar(v: Any, x: Tensor) -> Any:
    """A number in x's dtype (a float32 x stays float32)."""
    return np.asarray(v, x.dtype)[()] if x.dtype.kind == "f" else v


def _floating(x: Any, op: str) -> Tensor:
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating input, got dtype {x.dtype} (shape "
                        f"{tuple(x.shape)})")
    return x


# ---- the functions -----------------------------------------------------------------------
def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)) (Barron 2017).

    Args:
        input (Tensor): any shape, floating.
        alpha (float): the value approached for x -> -inf is -alpha; not 0. Default: 1.0.

    Example:
        >>> F.celu(nl.tensor([-1.0, 2.0]), alpha=2.0)
        tensor([-0.7869387,  2.       ])
    """
    x = _floating(input, "celu")
    if alpha == 0:
        raise ZeroDivisionError("celu: alpha cannot be 0 for CELU")
    return CeluFn.apply(x, _scalar(alpha, x))


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """x where x > threshold, else ``value``.

    Args:
        input (Tensor): any shape. threshold (float): the cut. value (float): the
            replacement.

    Example:
        >>> F.threshold(nl.tensor([0.5, 2.0]), 1.0, -1.0)
        tensor([-1.,  2.])
    """
    x = as_tensor(input)
    if x.dtype.kind == "b":
        raise TypeError(f"threshold: boolean inputs are not supported (shape "
                        f"{tuple(x.shape)})")
    return ThresholdFn.apply(x, x.array > threshold, _scalar(value, x))


_threshold = threshold      # for threshold_, whose argument shadows the name


def _check_lambd(lambd: float, op: str) -> None:
    if lambd < 0:
        raise ValueError(f"{op}: lambda must be greater or equal to 0, but found to be "
                         f"{lambd}.")


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0.

    Args:
        input (Tensor): any shape, floating. lambd (float): the cut. Default: 0.5.

    Example:
        >>> F.hardshrink(nl.tensor([-1.0, 0.2, 0.7]))
        tensor([-1. ,  0. ,  0.7])
    """
    x = _floating(input, "hardshrink")
    a = x.array
    return ThresholdFn.apply(x, (a > lambd) | (a < -lambd), _scalar(0, x))


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0.

    Args:
        input (Tensor): any shape, floating. lambd (float): the cut, >= 0. Default: 0.5.

    Example:
        >>> F.softshrink(nl.tensor([-1.0, 0.2, 0.7]))
        tensor([-0.5,  0. ,  0.2])
    """
    x = _floating(input, "softshrink")
    _check_lambd(lambd, "softshrink")
    a = x.array
    shift = np.where(a > 0, _scalar(lambd, x), _scalar(-lambd, x))
    return ShiftWhereFn.apply(x, (a > lambd) | (a < -lambd), shift)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False) -> Tensor:
    """The randomised leaky ReLU (Xu et al. 2015): x where x >= 0, else r x with r drawn
    from U(lower, upper) per element in training (from nnlite's generator, so
    ``nl.manual_seed`` repeats it), and r = (lower + upper) / 2 in eval.

    Args:
        input (Tensor): any shape, floating.
        lower (float): Default: 1/8. upper (float): Default: 1/3 (lower <= upper).
        training (bool): draw random slopes. Default: False.

    Example:
        >>> F.rrelu(nl.tensor([-1.0, 2.0]))
        tensor([-0.22916667,  2.        ])
    """
    x = _floating(input, "rrelu")
    if lower > upper:
        raise ValueError(f"rrelu: Lower bound should be less than or equal to the upper "
                         f"bound, got lower={lower} and upper={upper}")
    if not training:
        return pointwise.leaky_relu(x, (lower + upper) / 2)
    a = x.array
    slopes = default_generator().uniform(lower, upper, a.shape).astype(a.dtype)
    return RReluFn.apply(x, np.where(a > 0, a.dtype.type(1), slopes))


# ---- in place ------------------------------------------------------------------------------
def in_place(input: Tensor, name: str, op: Callable, *args: Any) -> Tensor:
    """``op(input, *args)`` written into ``input`` (``nnlite.ops.inplace.write``: torch's
    rules for leaves and recording); returns ``input``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(input).__name__}")
    return _inplace.write(input, name, op, *args)


def relu_(input: Tensor) -> Tensor:
    """``relu`` in place: max(x, 0) written into x; returns x. When nothing is recorded
    (grad mode off, or x not part of a graph) this is one ``np.maximum`` into x's array;
    recorded on a float tensor that is not a view, it is the same pass, and the node saves
    x's memory as torch's does (an op that saved x's old values then raises at backward,
    as in torch)."""
    if isinstance(input, Tensor) and input.dtype.kind in "fiu":
        if not (is_grad_enabled() and input._node is not None):
            a = input.array
            np.maximum(a, a.dtype.type(0), out=a)
            _versions.bump(a)
            return input
        if input.dtype.kind == "f" and _views.of(input) is None:
            _inplace.check_leaf(input, "relu_")
            _versions.bump(input.array)         # counted before the node notes the clock
            input._node = pointwise.ReluInplaceFn.apply(input)._node
            _views.rebase(input, input)
            return input
    return in_place(input, "relu_", pointwise.relu)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``elu`` in place; returns x."""
    return in_place(input, "elu_", pointwise.elu, alpha)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``leaky_relu`` in place; returns x."""
    return in_place(input, "leaky_relu_", pointwise.leaky_relu, negative_slope)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``hardtanh`` in place; returns x."""
    return in_place(input, "hardtanh_", hardtanh, min_val, max_val)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """``rrelu`` in place; returns x."""
    return in_place(input, "rrelu_", rrelu, lower, upper, training)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """``threshold`` in place; returns x."""
    return in_place(input, "threshold_", _threshold, threshold, value)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``celu`` in place; returns x."""
    return in_place(input, "celu_", celu, alpha)


def selu_(input: Tensor) -> Tensor:
    """``selu`` in place; returns x."""
    return in_place(input, "selu_", selu)
