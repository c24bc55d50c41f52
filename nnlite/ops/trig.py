"""Trigonometric and hyperbolic functions: tan, sinh, cosh, the inverses asin acos atan
asinh acosh atanh (and their NumPy names arcsin ... arctanh), atan2, hypot, sinc,
deg2rad, rad2deg. sin, cos and tanh are in pointwise.py.

Notation: x is the input, y the output, gy the gradient of the loss with respect to y;
a, b the two inputs of atan2 and hypot (broadcast together). Rules use only operators
and NumPy ufuncs, so they also run on Tensors under ``create_graph=True``.

Dtypes are torch's: integer and bool inputs give the default float dtype (atan2 of two
int tensors is float32); hypot refuses them. Outside an inverse's domain the value is
nan, and the gradients follow torch's formulas there too (asin'(1) = inf, acosh'(0) =
nan); atan2's gradients are 0 at a = b = 0, as torch's.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._elementwise import (check_broadcast, float_input, float_only, float_pair, in_place_methods,
                           tensor_arg)
from ._util import GradWhere, like_inputs, pair

DEG_PER_RAD = 180.0 / np.pi
RAD_PER_DEG = np.pi / 180.0


# ---- tan, sinh, cosh -------------------------------------------------------------
class Tan(Function):
    """y = tan(x);  gx = gy * (1 + y**2)"""

    @staticmethod
    def forward(ctx, x):
        y = np.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * (y * y + 1)


class Sinh(Function):
    """y = sinh(x);  gx = gy * cosh(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.sinh(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return gy * np.cosh(x)


class Cosh(Function):
    """y = cosh(x);  gx = gy * sinh(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.cosh(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return gy * np.sinh(x)


# ---- inverses ----------------------------------------------------------------------
class Asin(Function):
    """y = asin(x);  gx = gy / sqrt(1 - x**2) (inf at |x| = 1, nan outside)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return gy / np.sqrt(1 - x * x)


class Acos(Function):
    """y = acos(x);  gx = -gy / sqrt(1 - x**2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return -gy / np.sqrt(1 - x * x)


class Atan(Function):
    """y = atan(x);  gx = gy / (1 + x**2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy / (x * x + 1)


class Asinh(Function):
    """y = asinh(x);  gx = gy / sqrt(x**2 + 1)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return gy / np.sqrt(x * x + 1)


class Acosh(Function):
    """y = acosh(x);  gx = gy / sqrt(x**2 - 1) (inf at x = 1, nan for |x| < 1)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccosh(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return gy / np.sqrt(x * x - 1)


class Atanh(Function):
    """y = atanh(x);  gx = gy / (1 - x**2) (inf at |x| = 1)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.arctanh(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return gy / (1 - x * x)


# ---- atan2, hypot ----------------------------------------------------------------------
class Atan2(Function):
    """y = atan2(a, b) (the angle of the point (b, a));  with r = 1 / (a**2 + b**2), taken
    as 0 where a**2 + b**2 = 0 (torch's rule): ga = gy * b * r, gb = -gy * a * r"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, gy):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            d = a * a + b * b
            r = GradWhere.apply(1 / d, (d.array if isinstance(d, Tensor) else d) == 0, False)
            return (gy * b * r if need_a else None,
                    gy * -a * r if need_b else None)


class Hypot(Function):
    """y = sqrt(a**2 + b**2) (without overflow);  ga = gy * a / y, gb = gy * b / y (nan
    at a = b = 0, as torch)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        y = np.hypot(a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        a, b, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            g = gy / y
            return (g * a if need_a else None), (g * b if need_b else None)


# ---- sinc, degrees <-> radians --------------------------------------------------------
class Sinc(Function):
    """y = sin(pi x) / (pi x), 1 at x = 0;  gx = gy * (pi x cos(pi x) - sin(pi x)) /
    (pi x**2), 0 where pi x**2 is 0 (torch's rule, also where it underflows)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        px = like_inputs(x * np.pi, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = like_inputs(np.where(x == 0, 1, np.sin(px) / px), x)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        px = x * np.pi
        den = x * px
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            g = gy * ((px * np.cos(px) - np.sin(px)) / den)
        return GradWhere.apply(g, (den.array if isinstance(den, Tensor) else den) == 0, False)


class Scale(Function):
    """y = x * c for a constant c (deg2rad, rad2deg);  gx = gy * c"""

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        return like_inputs(x * c, x)

    @staticmethod
    def backward(ctx, gy):
        return gy * ctx.c, None


# ---- the functions ------------------------------------------------------------------------
def tan(input: Tensor) -> Tensor:
    """The tangent of each element, in radians (``torch.tan``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.tan(nl.tensor([0.0, 0.7853981633974483]))
        tensor([0., 1.])
    """
    return Tan.apply(float_input(input, "tan"))


def sinh(input: Tensor) -> Tensor:
    """The hyperbolic sine of each element (``torch.sinh``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.sinh(nl.tensor([0.0, 1.0]))
        tensor([0.0000, 1.1752])
    """
    return Sinh.apply(float_input(input, "sinh"))


def cosh(input: Tensor) -> Tensor:
    """The hyperbolic cosine of each element (``torch.cosh``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.cosh(nl.tensor([0.0, 1.0]))
        tensor([1.0000, 1.5431])
    """
    return Cosh.apply(float_input(input, "cosh"))


def asin(input: Tensor) -> Tensor:
    """The arcsine of each element, in [-pi/2, pi/2]; nan outside [-1, 1]
    (``torch.asin``, alias ``arcsin``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.asin(nl.tensor([0.0, 1.0]))
        tensor([0.0000, 1.5708])
    """
    return Asin.apply(float_input(input, "asin"))


def acos(input: Tensor) -> Tensor:
    """The arccosine of each element, in [0, pi]; nan outside [-1, 1] (``torch.acos``,
    alias ``arccos``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.acos(nl.tensor([1.0, 0.0]))
        tensor([0.0000, 1.5708])
    """
    return Acos.apply(float_input(input, "acos"))


def atan(input: Tensor) -> Tensor:
    """The arctangent of each element, in (-pi/2, pi/2) (``torch.atan``, alias
    ``arctan``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.atan(nl.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7854])
    """
    return Atan.apply(float_input(input, "atan"))


def asinh(input: Tensor) -> Tensor:
    """The inverse hyperbolic sine of each element (``torch.asinh``, alias ``arcsinh``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.asinh(nl.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8814])
    """
    return Asinh.apply(float_input(input, "asinh"))


def acosh(input: Tensor) -> Tensor:
    """The inverse hyperbolic cosine of each element; nan below 1 (``torch.acosh``,
    alias ``arccosh``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.acosh(nl.tensor([1.0, 2.0]))
        tensor([0.0000, 1.3170])
    """
    return Acosh.apply(float_input(input, "acosh"))


def atanh(input: Tensor) -> Tensor:
    """The inverse hyperbolic tangent of each element; +-inf at +-1, nan outside [-1, 1]
    (``torch.atanh``, alias ``arctanh``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.atanh(nl.tensor([0.0, 0.5]))
        tensor([0.0000, 0.5493])
    """
    return Atanh.apply(float_input(input, "atanh"))


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle of the point (other, input), in [-pi, pi], elementwise: atan(input /
    other) in the right quadrant (``torch.atan2``, alias ``arctan2``).

    Args:
        input (Tensor): the y coordinates.
        other (Tensor): the x coordinates; both broadcast together and promote by torch's
            rules (integers give the default float dtype).

    Shape: the broadcast shape of the two.

    Example:
        >>> nl.atan2(nl.tensor([1.0, 1.0]), nl.tensor([1.0, -1.0]))
        tensor([0.7854, 2.3562])
    """
    a = tensor_arg(input, "atan2")
    b = tensor_arg(other, "atan2", "other")
    return Atan2.apply(*float_pair(a, b, "atan2"))


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """sqrt(input**2 + other**2) elementwise, without overflow (``torch.hypot``).

    Args:
        input (Tensor): a floating tensor.
        other (Tensor): a floating tensor; both broadcast together and promote by torch's
            rules (integer and bool tensors raise, as torch).

    Shape: the broadcast shape of the two.

    Example:
        >>> nl.hypot(nl.tensor([3.0]), nl.tensor([4.0]))
        tensor([5.])
    """
    a = tensor_arg(input, "hypot")
    b = tensor_arg(other, "hypot", "other")
    a, b = pair(a, b)
    float_only(a, "hypot")
    check_broadcast("hypot", a, b)
    return Hypot.apply(a, b)


def sinc(input: Tensor) -> Tensor:
    """The normalized sinc function sin(pi x) / (pi x), 1 at x = 0 (``torch.sinc``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.sinc(nl.tensor([0.0, 0.5]))
        tensor([1.0000, 0.6366])
    """
    return Sinc.apply(float_input(input, "sinc"))


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians, x * pi / 180 (``torch.deg2rad``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.deg2rad(nl.tensor([180.0, 90.0]))
        tensor([3.1416, 1.5708])
    """
    return Scale.apply(float_input(input, "deg2rad"), RAD_PER_DEG)


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees, x * 180 / pi (``torch.rad2deg``).

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.rad2deg(nl.tensor([3.141592653589793]))
        tensor([180.])
    """
    return Scale.apply(float_input(input, "rad2deg"), DEG_PER_RAD)


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
arctan2 = atan2


# ---- Tensor methods, and their in-place forms --------------------------------------------
_UNARY = {"tan": tan, "sinh": sinh, "cosh": cosh, "asin": asin, "acos": acos,
          "atan": atan, "asinh": asinh, "acosh": acosh, "atanh": atanh, "arcsin": asin,
          "arccos": acos, "arctan": atan, "arcsinh": asinh, "arccosh": acosh,
          "arctanh": atanh, "sinc": sinc, "deg2rad": deg2rad, "rad2deg": rad2deg}
_BINARY = {"atan2": atan2, "arctan2": atan2, "hypot": hypot}

TENSOR_METHODS: dict[str, Any] = {**_UNARY, **_BINARY}
TENSOR_METHODS.update(in_place_methods({**_UNARY, **_BINARY}))
