"""Pointwise math and activations: exp log sqrt ... tanh sigmoid relu gelu clamp where.

Notation: x is the input (any shape), y the output (same shape), gy the gradient of the
loss with respect to y. Rules use only operators and NumPy ufuncs, so they also run on
Tensors under ``create_graph=True``; masks computed from x are constants.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import const, keep_where, like_inputs, pair
from .arithmetic import _binary
from .special import erf_array

SQRT1_2 = 0.7071067811865476
INV_SQRT_2PI = 0.3989422804014327      # 1 / sqrt(2 pi)
TWO_OVER_SQRT_PI = 1.1283791670955126


# ---- exp / log / powers ------------------------------------------------------
class Exp(Function):
    """y = exp(x);  gx = gy * y"""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * y


class Log(Function):
    """y = log(x);  gx = gy / x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy / x


class Log1p(Function):
    """y = log(1 + x);  gx = gy / (1 + x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy / (x + 1)


class Sqrt(Function):
    """y = sqrt(x);  gx = gy / (2 y)"""

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy / (y * 2)


class Rsqrt(Function):
    """y = 1 / sqrt(x);  gx = -gy * y**3 / 2"""

    @staticmethod
    def forward(ctx, x):
        y = like_inputs(1 / np.sqrt(x), x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * (y * y * y) * -0.5


class Abs(Function):
    """y = |x|;  gx = gy * sign(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * np.sign(x)


class Sign(Function):
    """y = sign(x);  gx = 0"""

    @staticmethod
    def forward(ctx, x):
        return np.sign(x)

    @staticmethod
    def backward(ctx, gy):
        return gy * 0


class Sin(Function):
    """y = sin(x);  gx = gy * cos(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * np.cos(x)


class Cos(Function):
    """y = cos(x);  gx = -gy * sin(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return -gy * np.sin(x)


class Erf(Function):
    """y = erf(x);  gx = gy * 2/sqrt(pi) * exp(-x**2)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * (np.exp(-(x * x)) * TWO_OVER_SQRT_PI)


def exp(x: Tensor) -> Tensor:
    return Exp.apply(x)


def log(x: Tensor) -> Tensor:
    return Log.apply(x)


def log1p(x: Tensor) -> Tensor:
    return Log1p.apply(x)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(x)


def rsqrt(x: Tensor) -> Tensor:
    return Rsqrt.apply(x)


def abs(x: Tensor) -> Tensor:
    return Abs.apply(x)


def sign(x: Tensor) -> Tensor:
    return Sign.apply(x)


def sin(x: Tensor) -> Tensor:
    return Sin.apply(x)


def cos(x: Tensor) -> Tensor:
    return Cos.apply(x)


def erf(x: Any) -> Any:
    """The error function; on an ndarray returns an ndarray (used inside rules)."""
    if isinstance(x, Tensor):
        return Erf.apply(x)
    return erf_array(np.asarray(x))


def square(x: Tensor) -> Tensor:
    return x * x


# ---- activations -------------------------------------------------------------
class TanhFn(Function):
    """y = tanh(x);  gx = gy * (1 - y**2)"""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * (1 - y * y)


class SigmoidFn(Function):
    """y = 1 / (1 + exp(-x));  gx = gy * y * (1 - y)"""

    @staticmethod
    def forward(ctx, x):
        # exp(-|x|) never overflows; the two branches agree at 0
        e = np.exp(-np.abs(x))
        y = like_inputs(np.where(x >= 0, 1 / (1 + e), e / (1 + e)), x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy * (y * (1 - y))


class ReluFn(Function):
    """y = max(x, 0);  gx = gy where y > 0, else 0 (``ThresholdBackward``)"""

    @staticmethod
    def forward(ctx, x):
        y = like_inputs(np.maximum(x, 0), x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return ThresholdBackward.apply(gy, y)


class ThresholdBackward(Function):
    """gx = gy where y > 0, else 0 (exactly 0 even where gy is inf, as torch);
    ggy = ggx where y > 0, gy_ = 0 (y enters only through a mask)"""

    @staticmethod
    def forward(ctx, gy, y):
        ctx.save_for_backward(y)
        return keep_where(gy, y > 0)

    @staticmethod
    def backward(ctx, ggx):
        (y,) = ctx.saved_tensors
        return ThresholdBackward.apply(ggx, y), None


class LeakyReluFn(Function):
    """y = x if x > 0 else slope * x;  gx = gy * (1 if x > 0 else slope)"""

    @staticmethod
    def forward(ctx, x, slope):
        m = np.where(x > 0, 1, slope).astype(x.dtype)
        ctx.save_for_backward(m)
        return x * m

    @staticmethod
    def backward(ctx, gy):
        (m,) = ctx.saved_tensors
        return gy * m


class EluFn(Function):
    """y = x if x > 0 else alpha * (exp(x) - 1);  gx = gy * (1 if x > 0 else y + alpha)"""

    @staticmethod
    def forward(ctx, x, alpha):
        y = like_inputs(np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), x)
        ctx.save_for_backward(x, y)
        ctx.alpha = alpha
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        pos = x > 0
        return gy * ((y + ctx.alpha) * (x <= 0) + pos)


class GeluFn(Function):
    """y = x * Phi(x) (Phi the normal cdf);  gx = gy * (Phi(x) + x * phi(x))"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return like_inputs(x * (0.5 * (1 + erf_array(x * SQRT1_2))), x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        cdf = (erf(x * SQRT1_2) + 1) * 0.5
        pdf = np.exp(x * x * -0.5) * INV_SQRT_2PI
        return gy * (cdf + x * pdf)


class GeluTanh(Function):
    """y = x/2 * (1 + tanh(k (x + 0.044715 x**3))), k = sqrt(2/pi)"""
    K = 0.7978845608028654

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return like_inputs(0.5 * x * (1 + np.tanh(GeluTanh.K * (x + 0.044715 * x * x * x))), x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        x2 = x * x
        t = np.tanh((x + x2 * x * 0.044715) * GeluTanh.K)
        du = (x2 * (3 * 0.044715) + 1) * GeluTanh.K
        return gy * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * du)


class SoftplusFn(Function):
    """y = log(1 + exp(beta x)) / beta (x where beta x > threshold);
    gx = gy * sigmoid(beta x) (gy where linear)"""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        bx = x * beta
        lin = bx > threshold
        ctx.save_for_backward(x, lin)
        ctx.beta = beta
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
        return np.where(lin, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, gy):
        x, lin = ctx.saved_tensors
        with np.errstate(over="ignore"):
            s = 1 / (np.exp(x * -ctx.beta) + 1)
        return gy * (s * ~lin + lin)


def tanh(x: Tensor) -> Tensor:
    return TanhFn.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    return SigmoidFn.apply(x)


def relu(x: Tensor) -> Tensor:
    return ReluFn.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyReluFn.apply(x, negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return EluFn.apply(x, alpha)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU; ``approximate='tanh'`` uses the tanh formula (as torch)."""
    if approximate == "none":
        return GeluFn.apply(x)
    if approximate == "tanh":
        return GeluTanh.apply(x)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return SoftplusFn.apply(x, beta, threshold)


# ---- clamp / maximum / minimum / where ---------------------------------------
class Clamp(Function):
    """y = min(max(x, lo), hi);  gx = gy where lo <= x <= hi, else 0"""

    @staticmethod
    def forward(ctx, x, lo, hi):
        inside = np.ones(x.shape, bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        ctx.save_for_backward(inside)
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, gy):
        (inside,) = ctx.saved_tensors
        return gy * inside


class Maximum(Function):
    """y = max(a, b);  ga = gy * [a > b] + gy/2 * [a == b] (as torch), gb alike"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward((a > b) + (a == b) * 0.5)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, gy):
        (ma,) = ctx.saved_tensors
        ga = gy * ma.astype(gy.dtype)
        return ga, gy - ga


class Minimum(Function):
    """y = min(a, b);  ga = gy * [a < b] + gy/2 * [a == b], gb alike"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward((a < b) + (a == b) * 0.5)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, gy):
        (ma,) = ctx.saved_tensors
        ga = gy * ma.astype(gy.dtype)
        return ga, gy - ga


class Where(Function):
    """y = a where cond else b;  ga = gy * cond, gb = gy * ~cond"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b, cond):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, gy):
        (cond,) = ctx.saved_tensors
        c = np.broadcast_to(cond, gy.shape)
        return gy * c, gy * ~c


def _bound(v: Any, like: Tensor) -> Any:
    if v is None:
        return None
    if isinstance(v, Tensor):
        v = v.array
    return np.asarray(v, like.array.dtype) if like.array.dtype.kind == "f" else v


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Clamp into [min, max]; the gradient passes where min <= x <= max. Tensor bounds
    that require grad get it where they are the output (x < min, x > max), as in torch."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    if any(isinstance(v, Tensor) and v.requires_grad for v in (min, max)):
        y = x
        if min is not None:
            y = where(y >= min, y, min)
        if max is not None:
            y = where(y <= max, y, max)
        return y
    return Clamp.apply(x, _bound(min, x), _bound(max, x))


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    return _binary(Maximum, "maximum", a, b)


def minimum(a: Any, b: Any) -> Tensor:
    return _binary(Minimum, "minimum", a, b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elements of ``a`` where ``condition`` else of ``b`` (all three broadcast)."""
    cond = condition.array if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be a bool tensor, got dtype {cond.dtype}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = const(a)                       # two numbers: the result has the default dtype
    a, b = pair(a, b)
    try:
        shape = np.broadcast_shapes(cond.shape, a.shape, b.shape)
    except ValueError:
        raise ValueError(f"where: condition {cond.shape}, a {a.shape} and b {b.shape} "
                         f"cannot be broadcast together") from None
    del shape
    return Where.apply(a, b, cond)
