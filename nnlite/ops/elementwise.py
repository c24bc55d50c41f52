"""More elementwise arithmetic: reciprocal, positive, sgn, copysign, heaviside,
float_power, true_divide, the fused lerp / addcmul / addcdiv, nan_to_num, clamp_min,
clamp_max.

Notation: x is the input, y the output, gy the gradient of the loss with respect to y;
the fused ops read y = x + value * t1 * t2 (addcmul), x + value * t1 / t2 (addcdiv),
x + w (e - x) (lerp, from x to e by the weight w); all operands broadcast together.

Dtypes are torch's: operands promote by ``_util.result_type``; reciprocal and copysign
of integers give the default float dtype, float_power always computes in float64; lerp
wants its tensors of one floating dtype; addcdiv refuses to divide integers. Gradients
are torch's, at the special points too: copysign's is sign(y / x), 0 where x = 0;
nan_to_num's is gy * isfinite(x); heaviside has none (torch raises at backward).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, from_numpy
from . import arithmetic, pointwise
from ._elementwise import (check_broadcast, float_input, float_pair, in_place_method,
                           in_place_methods, tensor_arg)
from ._util import GradWhere, cast, like_inputs, result_type, unsupported


# ---- reciprocal, positive, sgn, copysign -------------------------------------------------
class Reciprocal(Function):
    """y = 1 / x;  gx = -gy * y**2"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):
            y = like_inputs(1 / x, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return -gy * (y * y)


class Copysign(Function):
    """y = |a| with the sign of b;  ga = gy * y / a, 0 where a = 0 (so nan at a = +-inf,
    as torch);  gb = 0 (exactly)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        y = np.copysign(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(a == 0, 0, y / a).astype(y.dtype, copy=False)
        ctx.save_for_backward(ratio)
        return y

    @staticmethod
    def backward(ctx, gy):
        (ratio,) = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (gy * ratio if need_a else None,
                GradWhere.apply(gy, np.zeros(gy.shape, np.bool_)) if need_b else None)


def reciprocal(input: Tensor) -> Tensor:
    """1 / x elementwise (``torch.reciprocal``); inf at 0.

    Args:
        input (Tensor): any tensor (integers and bools give the default float dtype).

    Shape: the output has the input's shape.

    Example:
        >>> nl.reciprocal(nl.tensor([2.0, -0.5]))
        tensor([ 0.5000, -2.0000])
    """
    return Reciprocal.apply(float_input(input, "reciprocal"))


def positive(input: Tensor) -> Tensor:
    """The input itself (``torch.positive``, unary ``+``); bool tensors raise.

    Args:
        input (Tensor): a numeric tensor.

    Shape: the input's.

    Example:
        >>> x = nl.tensor([1.0, -2.0]); nl.positive(x) is x
        True
    """
    x = tensor_arg(input, "positive")
    if x.array.dtype.kind == "b":
        raise unsupported("positive", x.array.dtype, "the `+` operator on a bool tensor is "
                          "not supported; use it as it is")
    return x


def sgn(input: Tensor) -> Tensor:
    """The sign of each element, -1, 0 or 1 (``torch.sgn``: for real tensors, as
    ``sign``; 0 at nan). The gradient is 0.

    Args:
        input (Tensor): any tensor (a bool tensor returns a copy).

    Shape: the output has the input's shape and dtype.

    Example:
        >>> nl.sgn(nl.tensor([-2.0, 0.0, 3.0]))
        tensor([-1.,  0.,  1.])
    """
    return pointwise.sign(tensor_arg(input, "sgn"))


def copysign(input: Tensor, other: Any) -> Tensor:
    """The magnitude of ``input`` with the sign of ``other`` (-0.0 counts as negative),
    elementwise (``torch.copysign``).

    Args:
        input (Tensor): the magnitudes.
        other (Tensor or number): the signs; broadcast with ``input``, promoted by
            torch's rules (integers give the default float dtype).

    Shape: the broadcast shape of the two.

    Example:
        >>> nl.copysign(nl.tensor([1.0, -2.0]), nl.tensor([-0.0, 1.0]))
        tensor([-1.,  2.])
    """
    a = tensor_arg(input, "copysign")
    return Copysign.apply(*float_pair(a, other, "copysign"))


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """The Heaviside step: 0 where input < 0, ``values`` where input == 0, 1 where
    input > 0 (``torch.heaviside``; 0 at nan). Not differentiable (torch raises at
    backward; here the result does not require grad).

    Args:
        input (Tensor): the arguments.
        values (Tensor): the values at 0, of the same dtype, broadcast with ``input``.

    Shape: the broadcast shape of the two.

    Example:
        >>> nl.heaviside(nl.tensor([-1.0, 0.0, 2.0]), nl.tensor([0.5]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    x = tensor_arg(input, "heaviside")
    v = tensor_arg(values, "heaviside", "values")
    if x.array.dtype != v.array.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different "
                           f"dtypes (input {x.array.dtype}, values {v.array.dtype})")
    check_broadcast("heaviside", x, v)
    a = x.array
    y = np.where(a == 0, v.array, a > 0).astype(a.dtype)
    return from_numpy(np.asarray(y))


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent computed in float64 (``torch.float_power``): the result is
    always float64, whatever the dtypes.

    Args:
        input (Tensor or number): the bases.
        exponent (Tensor or number): the exponents; at least one of the two is a Tensor;
            they broadcast together.

    Shape: the broadcast shape of the two.

    Example:
        >>> nl.float_power(nl.tensor([2, 3]), 2)
        tensor([4., 9.], dtype=float64)
    """
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError(f"float_power(): expected a Tensor among the arguments, got "
                        f"{type(input).__name__} and {type(exponent).__name__}")
    f64 = np.dtype(np.float64)
    for v in (input, exponent):
        if isinstance(v, Tensor) and v.array.dtype.kind == "c":
            raise unsupported("float_power", v.array.dtype)
    a = cast(input, f64) if isinstance(input, Tensor) else input
    if isinstance(exponent, Tensor):
        e = cast(exponent, f64)
        check_broadcast("float_power", a, e)
        return arithmetic.pow(cast(a, f64), e)
    return arithmetic.pow(a, float(exponent))


def true_divide(dividend: Any, divisor: Any) -> Tensor:
    """dividend / divisor (``torch.true_divide``, an alias of ``div`` without a rounding
    mode): integers give the default float dtype.

    Args:
        dividend (Tensor or number): the numerators.
        divisor (Tensor or number): the denominators; they broadcast together.

    Shape: the broadcast shape of the two.

    Example:
        >>> nl.true_divide(nl.tensor([1, 2]), 4)
        tensor([0.2500, 0.5000])
    """
    return arithmetic.div(dividend, divisor)


# ---- lerp, addcmul, addcdiv -------------------------------------------------------------
class Lerp(Function):
    """y = x + w (e - x) for w < 0.5, e - (e - x)(1 - w) otherwise (torch's two forms,
    exact at both ends);  gx = gy (1 - w), ge = gy w, gw = gy (e - x) (w a number or a
    tensor)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, x, e, w):
        ctx.save_for_backward(x, e, w if isinstance(w, np.ndarray) else None)
        ctx.w = w
        d = e - x
        y = np.where(np.abs(w) < 0.5, x + w * d, e - d * (1 - w))
        return like_inputs(y, x)

    @staticmethod
    def backward(ctx, gy):
        x, e, w = ctx.saved_tensors
        if w is None:
            w = ctx.w
        need = ctx.needs_input_grad
        need_w = len(need) > 2 and need[2]
        return (gy * (1 - w) if need[0] else None,
                gy * w if need[1] else None,
                gy * (e - x) if need_w else None)


class Addcmul(Function):
    """y = x + value * t1 * t2;  gx = gy, gt1 = gy * value * t2, gt2 = gy * value * t1"""
    broadcasts = True

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return like_inputs(x + value * t1 * t2, x, t1, t2)

    @staticmethod
    def backward(ctx, gy):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        return (gy if need[0] else None,
                gy * (t2 * v) if need[1] else None,
                gy * (t1 * v) if need[2] else None, None)


class Addcdiv(Function):
    """y = x + value * t1 / t2;  gx = gy, gt1 = gy * value / t2,
    gt2 = -gy * value * t1 / t2**2"""
    broadcasts = True

    @staticmethod
    def forward(ctx, x, t1, t2, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        with np.errstate(divide="ignore", invalid="ignore"):
            return like_inputs(x + value * t1 / t2, x, t1, t2)

    @staticmethod
    def backward(ctx, gy):
        t1, t2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        v = ctx.value
        with np.errstate(divide="ignore", invalid="ignore"):
            return (gy if need[0] else None,
                    gy * (v / t2) if need[1] else None,
                    -gy * (v * t1) / (t2 * t2) if need[2] else None, None)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """Linear interpolation input + weight * (end - input), elementwise (``torch.lerp``).

    Args:
        input (Tensor): the start points (floating).
        end (Tensor): the end points, of input's dtype.
        weight (float or Tensor): the weights; a Tensor must have input's dtype too. All
            three broadcast together.

    Shape: the broadcast shape of the three.

    Example:
        >>> nl.lerp(nl.tensor([1.0, 2.0]), nl.tensor([3.0, 10.0]), 0.5)
        tensor([2., 6.])
    """
    x = tensor_arg(input, "lerp")
    e = tensor_arg(end, "lerp", "end")
    if x.array.dtype.kind not in "fc":
        raise unsupported("lerp", x.array.dtype, "lerp needs floating tensors")
    dt = x.array.dtype
    if e.array.dtype != dt:
        raise RuntimeError(f"lerp: expected dtype {dt} for `end` but got dtype "
                           f"{e.array.dtype}")
    if isinstance(weight, Tensor):
        if weight.array.dtype != dt:
            raise RuntimeError(f"lerp: expected dtype {dt} for `weight` but got dtype "
                               f"{weight.array.dtype}")
        check_broadcast("lerp", x, e, weight)
    else:
        if isinstance(weight, (bool, np.bool_)) or not isinstance(
                weight, (int, float, np.integer, np.floating)):
            raise TypeError(f"lerp(): argument 'weight' must be a number or a Tensor, not "
                            f"{type(weight).__name__}")
        check_broadcast("lerp", x, e)
        weight = float(weight)
    return Lerp.apply(x, e, weight)


def _fused_operands(op: str, input: Any, tensor1: Any, tensor2: Any, value: Any) -> tuple:
    """The three tensors of addcmul / addcdiv in their result dtype, and value."""
    x = tensor_arg(input, op)
    t1 = tensor_arg(tensor1, op, "tensor1")
    t2 = tensor_arg(tensor2, op, "tensor2")
    check_broadcast(op, x, t1, t2)
    dt = result_type(x, t1, t2)
    if isinstance(value, Tensor):
        value = value.item()
    if dt.kind in "biu" and isinstance(value, (float, np.floating)):
        value = int(value)                      # torch casts value to the integer dtype
    return cast(x, dt), cast(t1, dt), cast(t2, dt), value


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 * tensor2, elementwise (``torch.addcmul``).

    Args:
        input (Tensor): the tensor added to.
        tensor1 (Tensor): the first factor.
        tensor2 (Tensor): the second factor; the three broadcast together and promote by
            torch's rules.
        value (number): the multiplier. Default: 1.

    Shape: the broadcast shape of the three.

    Example:
        >>> nl.addcmul(nl.tensor([1.0]), nl.tensor([2.0]), nl.tensor([3.0]), value=0.5)
        tensor([4.])
    """
    x, t1, t2, value = _fused_operands("addcmul", input, tensor1, tensor2, value)
    return Addcmul.apply(x, t1, t2, value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 / tensor2, elementwise (``torch.addcdiv``; the update of
    Adam-like optimizers).

    Args:
        input (Tensor): the tensor added to.
        tensor1 (Tensor): the numerators.
        tensor2 (Tensor): the denominators; the three broadcast together and promote by
            torch's rules; two integer tensors raise (torch no longer divides integers
            here).
        value (number): the multiplier. Default: 1.

    Shape: the broadcast shape of the three.

    Example:
        >>> nl.addcdiv(nl.tensor([1.0]), nl.tensor([2.0]), nl.tensor([4.0]), value=2)
        tensor([2.])
    """
    t1 = tensor_arg(tensor1, "addcdiv", "tensor1")
    t2 = tensor_arg(tensor2, "addcdiv", "tensor2")
    if t1.array.dtype.kind in "biu" and t2.array.dtype.kind in "biu":
        raise RuntimeError("addcdiv: integer division with addcdiv is no longer supported; "
                           "for true division cast tensor1 or tensor2 to a floating dtype, "
                           "for floor division use (tensor1 // tensor2) with addcmul")
    x, t1, t2, value = _fused_operands("addcdiv", input, t1, t2, value)
    return Addcdiv.apply(x, t1, t2, value)


# ---- nan_to_num, clamp_min, clamp_max --------------------------------------------------------
class NanToNum(Function):
    """y = x with nan, +inf, -inf replaced;  gx = gy * isfinite(x) (torch's rule: a
    product, so a nan gy stays nan)"""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(np.isfinite(x))
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, gy):
        (finite,) = ctx.saved_tensors
        return gy * finite, None, None, None


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """Replace nan, +inf and -inf by finite numbers (``torch.nan_to_num``); integer and
    bool tensors are returned as a copy.

    Args:
        input (Tensor): any tensor.
        nan (float): what nan becomes. Default: 0.0.
        posinf (float, optional): what +inf becomes. Default: the largest finite value of
            the dtype.
        neginf (float, optional): what -inf becomes. Default: the most negative finite
            value of the dtype.

    Shape: the output has the input's shape and dtype.

    Example:
        >>> nl.nan_to_num(nl.tensor([float("nan"), float("inf"), 1.0]), posinf=9.0)
        tensor([0., 9., 1.])
    """
    x = tensor_arg(input, "nan_to_num")
    if x.array.dtype.kind not in "fc":
        return from_numpy(x.array.copy())
    info = np.finfo(x.array.dtype)
    with np.errstate(over="ignore"):
        vals = [np.asarray(v, x.array.dtype)[()] for v in
                (nan, info.max if posinf is None else posinf,
                 info.min if neginf is None else neginf)]
    return NanToNum.apply(x, *vals)


def clamp_min(input: Tensor, min: Any) -> Tensor:
    """max(input, min) elementwise (``torch.clamp_min``: ``clamp(input, min=min)``).

    Args:
        input (Tensor): any tensor.
        min (number or Tensor): the lower bound.

    Shape: the output has the input's shape.

    Example:
        >>> nl.clamp_min(nl.tensor([-1.0, 2.0]), 0.0)
        tensor([0., 2.])
    """
    return pointwise.clamp(tensor_arg(input, "clamp_min"), min, None)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    """min(input, max) elementwise (``torch.clamp_max``: ``clamp(input, max=max)``).

    Args:
        input (Tensor): any tensor.
        max (number or Tensor): the upper bound.

    Shape: the output has the input's shape.

    Example:
        >>> nl.clamp_max(nl.tensor([-1.0, 2.0]), 1.0)
        tensor([-1.,  1.])
    """
    return pointwise.clamp(tensor_arg(input, "clamp_max"), None, max)


# ---- Tensor methods, and their in-place forms --------------------------------------------
def _float_power_(self: Tensor, exponent: Any) -> Tensor:
    """``float_power`` in place: only a float64 tensor can hold its result (as torch)."""
    if self.array.dtype != np.float64:
        raise RuntimeError(f"float_power_: the base given to float_power_ has dtype "
                           f"{self.array.dtype} but the operation's result requires dtype "
                           f"float64")
    return in_place_method("float_power_", float_power)(self, exponent)


_FUNCTIONS = {"reciprocal": reciprocal, "sgn": sgn, "copysign": copysign,
              "heaviside": heaviside, "true_divide": true_divide, "lerp": lerp,
              "addcmul": addcmul, "addcdiv": addcdiv, "nan_to_num": nan_to_num}

TENSOR_METHODS: dict[str, Any] = {
    **_FUNCTIONS, **in_place_methods(_FUNCTIONS), "positive": positive,
    "float_power": float_power, "float_power_": _float_power_,
    # method forms of ops defined elsewhere
    "fmod": arithmetic.fmod, "remainder": arithmetic.remainder, "erf": pointwise.erf,
    "fmod_": in_place_method("fmod_", arithmetic.fmod),
    "remainder_": in_place_method("remainder_", arithmetic.remainder),
}
