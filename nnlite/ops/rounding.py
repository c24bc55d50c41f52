"""Rounding: floor, ceil, round (to ``decimals`` places), trunc (fix), frac.

Notation: x is the input (any shape), y the output (same shape), gy the gradient of the
loss with respect to y.

Dtypes are torch's: floor, ceil, round and trunc of an integer tensor return a copy of
it (integers are already round), of a bool tensor raise; ``round(decimals=...)`` and frac
take floating tensors only. Gradients are torch's: floor, ceil, round and trunc are
piecewise constant, so their gradient is exactly 0 (even where gy is inf or nan); frac
passes gy unchanged. Rounding halves goes to the even neighbour, as torch and NumPy.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, from_numpy
from ._elementwise import ZeroGrad, float_only, in_place_methods, tensor_arg
from ._util import unsupported


# ---- floor / ceil / round / trunc: zero gradient ------------------------------------
class Floor(ZeroGrad):
    """y = floor(x);  gx = 0"""

    @staticmethod
    def forward(ctx, x):
        return np.floor(x)


class Ceil(ZeroGrad):
    """y = ceil(x);  gx = 0"""

    @staticmethod
    def forward(ctx, x):
        return np.ceil(x)


class Trunc(ZeroGrad):
    """y = trunc(x) (towards zero);  gx = 0"""

    @staticmethod
    def forward(ctx, x):
        return np.trunc(x)


class Round(ZeroGrad):
    """y = x rounded to ``decimals`` places, halves to even: rint(x * 10**d) / 10**d
    (d >= 0), rint(x / 10**-d) * 10**-d (d < 0), as torch computes it in x's dtype;
    gx = 0"""

    @staticmethod
    def forward(ctx, x, decimals):
        if decimals == 0:
            return np.rint(x)
        with np.errstate(over="ignore", invalid="ignore"):
            scale = np.power(10.0, abs(decimals)).astype(x.dtype)  # inf past the range
            if decimals > 0:
                return np.rint(x * scale) / scale
            return np.rint(x / scale) * scale


class Frac(Function):
    """y = x - trunc(x) (the sign of x; nan at +-inf);  gx = gy"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            return x - np.trunc(x)

    @staticmethod
    def backward(ctx, gy):
        return gy


def _integer_copy(x: Tensor, op: str) -> Tensor | None:
    """A copy of an integer ``x`` (rounding leaves integers as they are), None for a
    floating one; a bool raises, as torch."""
    kind = x.array.dtype.kind
    if kind == "b":
        raise unsupported(op, x.array.dtype)
    if kind in "iu":
        return from_numpy(x.array.copy())
    return None


def floor(input: Tensor) -> Tensor:
    """The largest integer <= each element (``torch.floor``); an integer tensor is
    returned as a copy. The gradient is 0.

    Args:
        input (Tensor): a floating or integer tensor.

    Shape: the output has the input's shape and dtype.

    Example:
        >>> nl.floor(nl.tensor([-1.5, 0.5, 2.0]))
        tensor([-2.,  0.,  2.])
    """
    x = tensor_arg(input, "floor")
    copy = _integer_copy(x, "floor")
    return Floor.apply(x) if copy is None else copy


def ceil(input: Tensor) -> Tensor:
    """The smallest integer >= each element (``torch.ceil``); integers are returned as a
    copy. The gradient is 0.

    Args:
        input (Tensor): a floating or integer tensor.

    Shape: the output has the input's shape and dtype.

    Example:
        >>> nl.ceil(nl.tensor([-1.5, 0.5, 2.0]))
        tensor([-1.,  1.,  2.])
    """
    x = tensor_arg(input, "ceil")
    copy = _integer_copy(x, "ceil")
    return Ceil.apply(x) if copy is None else copy


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Each element rounded to the nearest integer, or to ``decimals`` decimal places
    (``torch.round``); halves go to the even neighbour (``round(2.5)`` is 2). The
    gradient is 0.

    Args:
        input (Tensor): a floating tensor, or an integer one when ``decimals`` is 0
            (returned as a copy).
        decimals (int): decimal places; negative rounds to tens, hundreds... Default: 0.

    Shape: the output has the input's shape and dtype.

    Example:
        >>> nl.round(nl.tensor([0.5, 1.5, 1.2345]), decimals=2)
        tensor([0.5000, 1.5000, 1.2300])
    """
    x = tensor_arg(input, "round")
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
        raise TypeError(f"round(): argument 'decimals' must be int, not "
                        f"{type(decimals).__name__}")
    if decimals != 0 and x.array.dtype.kind in "biu":
        raise unsupported("round", x.array.dtype, "round with decimals needs a floating "
                          "tensor")
    copy = _integer_copy(x, "round")
    return Round.apply(x, int(decimals)) if copy is None else copy


def trunc(input: Tensor) -> Tensor:
    """Each element rounded towards zero (``torch.trunc``, alias ``fix``); integers are
    returned as a copy. The gradient is 0.

    Args:
        input (Tensor): a floating or integer tensor.

    Shape: the output has the input's shape and dtype.

    Example:
        >>> nl.trunc(nl.tensor([-1.5, 0.5, 2.7]))
        tensor([-1.,  0.,  2.])
    """
    x = tensor_arg(input, "trunc")
    copy = _integer_copy(x, "trunc")
    return Trunc.apply(x) if copy is None else copy


fix = trunc


def frac(input: Tensor) -> Tensor:
    """The fractional part ``x - trunc(x)``, with the sign of x (``torch.frac``); nan at
    +-inf. The gradient passes unchanged.

    Args:
        input (Tensor): a floating tensor (integer and bool tensors raise, as torch).

    Shape: the output has the input's shape and dtype.

    Example:
        >>> nl.frac(nl.tensor([-1.25, 2.5]))
        tensor([-0.2500,  0.5000])
    """
    return Frac.apply(float_only(input, "frac"))


# ---- Tensor methods, and their in-place forms --------------------------------------------
_FUNCTIONS = {"floor": floor, "ceil": ceil, "round": round, "trunc": trunc, "fix": fix,
              "frac": frac}

TENSOR_METHODS: dict[str, Any] = {**_FUNCTIONS, **in_place_methods(_FUNCTIONS)}
