"""Pointwise math and activations: exp log sqrt ... tanh sigmoid relu gelu clamp where.

Notation: x is the input (any shape), y the output (same shape), gy the gradient of the
loss with respect to y. Rules use only operators and NumPy ufuncs, so they also run on
Tensors under ``create_graph=True``; masks computed from x are constants.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Function, Tensor
from ._util import const, keep_where, like_inputs, pair
from .arithmetic import _binary
from .special import erf_array

SQRT1_2 = 0.7071067811865476
INV_SQRT_2PI = 0.3989422804014327      # 1 / sqrt(2 pi)
TWO_OVER_SQRT_PI = 1.1283791670955126


# ---- exp / log / powers ------------------------------------------------------
class Exp(Function):
    """y = exp(x);  gx = gy * y"""
    save_output = True

    def forward(self, x):
        return np.exp(x)

    def backward(self, gy, y):
        return gy * y


class Log(Function):
    """y = log(x);  gx = gy / x"""
    save_inputs = True

    def forward(self, x):
        return np.log(x)

    def backward(self, gy, x):
        return gy / x


class Log1p(Function):
    """y = log(1 + x);  gx = gy / (1 + x)"""
    save_inputs = True

    def forward(self, x):
        return np.log1p(x)

    def backward(self, gy, x):
        return gy / (x + 1)


class Sqrt(Function):
    """y = sqrt(x);  gx = gy / (2 y)"""
    save_output = True

    def forward(self, x):
        return np.sqrt(x)

    def backward(self, gy, y):
        return gy / (y * 2)


class Rsqrt(Function):
    """y = 1 / sqrt(x);  gx = -gy * y**3 / 2"""
    save_output = True

    def forward(self, x):
        return like_inputs(1 / np.sqrt(x), x)

    def backward(self, gy, y):
        return gy * (y * y * y) * -0.5


class Abs(Function):
    """y = |x|;  gx = gy * sign(x)"""
    save_inputs = True

    def forward(self, x):
        return np.abs(x)

    def backward(self, gy, x):
        return gy * np.sign(x)


class Sign(Function):
    """y = sign(x);  gx = 0"""

    def forward(self, x):
        return np.sign(x)

    def backward(self, gy):
        return gy * 0


class Sin(Function):
    """y = sin(x);  gx = gy * cos(x)"""
    save_inputs = True

    def forward(self, x):
        return np.sin(x)

    def backward(self, gy, x):
        return gy * np.cos(x)


class Cos(Function):
    """y = cos(x);  gx = -gy * sin(x)"""
    save_inputs = True

    def forward(self, x):
        return np.cos(x)

    def backward(self, gy, x):
        return -gy * np.sin(x)


class Erf(Function):
    """y = erf(x);  gx = gy * 2/sqrt(pi) * exp(-x**2)"""
    save_inputs = True

    def forward(self, x):
        return erf_array(x)

    def backward(self, gy, x):
        return gy * (np.exp(-(x * x)) * TWO_OVER_SQRT_PI)


def exp(x: Tensor) -> Tensor:
    return Exp().apply(x)


def log(x: Tensor) -> Tensor:
    return Log().apply(x)


def log1p(x: Tensor) -> Tensor:
    return Log1p().apply(x)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt().apply(x)


def rsqrt(x: Tensor) -> Tensor:
    return Rsqrt().apply(x)


def abs(x: Tensor) -> Tensor:
    return Abs().apply(x)


def sign(x: Tensor) -> Tensor:
    return Sign().apply(x)


def sin(x: Tensor) -> Tensor:
    return Sin().apply(x)


def cos(x: Tensor) -> Tensor:
    return Cos().apply(x)


def erf(x: Any) -> Any:
    """The error function; on an ndarray returns an ndarray (used inside rules)."""
    if isinstance(x, Tensor):
        return Erf().apply(x)
    return erf_array(np.asarray(x))


def square(x: Tensor) -> Tensor:
    return x * x


# ---- activations -------------------------------------------------------------
class Tanh(Function):
    """y = tanh(x);  gx = gy * (1 - y**2)"""
    save_output = True

    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy, y):
        return gy * (1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  gx = gy * y * (1 - y)"""
    save_output = True

    def forward(self, x):
        # exp(-|x|) never overflows; the two branches agree at 0
        e = np.exp(-np.abs(x))
        return like_inputs(np.where(x >= 0, 1 / (1 + e), e / (1 + e)), x)

    def backward(self, gy, y):
        return gy * (y * (1 - y))


class Relu(Function):
    """y = max(x, 0);  gx = gy * (y > 0)"""
    save_output = True

    def forward(self, x):
        return like_inputs(np.maximum(x, 0), x)

    def backward(self, gy, y):
        if isinstance(gy, np.ndarray):
            return keep_where(gy, y > 0)        # 0 even where gy is inf, as torch
        return gy * (y > 0)


class LeakyRelu(Function):
    """y = x if x > 0 else slope * x;  gx = gy * (1 if x > 0 else slope)"""

    def __init__(self, slope):
        self.slope = slope

    def forward(self, x):
        self.m = np.where(x > 0, 1, self.slope).astype(x.dtype)
        return x * self.m

    def backward(self, gy):
        return gy * self.m


class Elu(Function):
    """y = x if x > 0 else alpha * (exp(x) - 1);  gx = gy * (1 if x > 0 else y + alpha)"""
    save_inputs = True
    save_output = True

    def __init__(self, alpha):
        self.alpha = alpha

    def forward(self, x):
        return like_inputs(np.where(x > 0, x, self.alpha * np.expm1(np.minimum(x, 0))), x)

    def backward(self, gy, x, y):
        pos = x > 0
        return gy * ((y + self.alpha) * (x <= 0) + pos)


class Gelu(Function):
    """y = x * Phi(x) (Phi the normal cdf);  gx = gy * (Phi(x) + x * phi(x))"""
    save_inputs = True

    def forward(self, x):
        return like_inputs(x * (0.5 * (1 + erf_array(x * SQRT1_2))), x)

    def backward(self, gy, x):
        cdf = (erf(x * SQRT1_2) + 1) * 0.5
        pdf = np.exp(x * x * -0.5) * INV_SQRT_2PI
        return gy * (cdf + x * pdf)


class GeluTanh(Function):
    """y = x/2 * (1 + tanh(k (x + 0.044715 x**3))), k = sqrt(2/pi)"""
    save_inputs = True
    K = 0.7978845608028654

    def forward(self, x):
        return like_inputs(0.5 * x * (1 + np.tanh(self.K * (x + 0.044715 * x * x * x))), x)

    def backward(self, gy, x):
        x2 = x * x
        t = np.tanh((x + x2 * x * 0.044715) * self.K)
        du = (x2 * (3 * 0.044715) + 1) * self.K
        return gy * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * du)


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta (x where beta x > threshold);
    gx = gy * sigmoid(beta x) (gy where linear)"""
    save_inputs = True

    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        bx = x * self.beta
        self.lin = bx > self.threshold
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / self.beta
        return np.where(self.lin, x, soft).astype(x.dtype, copy=False)

    def backward(self, gy, x):
        with np.errstate(over="ignore"):
            s = 1 / (np.exp(x * -self.beta) + 1)
        return gy * (s * ~self.lin + self.lin)


def tanh(x: Tensor) -> Tensor:
    return Tanh().apply(x)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid().apply(x)


def relu(x: Tensor) -> Tensor:
    return Relu().apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyRelu(negative_slope).apply(x)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return Elu(alpha).apply(x)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU; ``approximate='tanh'`` uses the tanh formula (as torch)."""
    if approximate == "none":
        return Gelu().apply(x)
    if approximate == "tanh":
        return GeluTanh().apply(x)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return Softplus(beta, threshold).apply(x)


# ---- clamp / maximum / minimum / where ---------------------------------------
class Clamp(Function):
    """y = min(max(x, lo), hi);  gx = gy where lo <= x <= hi, else 0"""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        lo, hi = self.lo, self.hi
        inside = np.ones(x.shape, bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        self.inside = inside
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    def backward(self, gy):
        return gy * self.inside


class Maximum(Function):
    """y = max(a, b);  ga = gy * [a > b] + gy/2 * [a == b] (as torch), gb alike"""
    broadcasts = True

    def forward(self, a, b):
        self.ma = (a > b) + (a == b) * 0.5
        return np.maximum(a, b)

    def backward(self, gy):
        ga = gy * self.ma.astype(gy.dtype)
        return ga, gy - ga


class Minimum(Function):
    """y = min(a, b);  ga = gy * [a < b] + gy/2 * [a == b], gb alike"""
    broadcasts = True

    def forward(self, a, b):
        self.ma = (a < b) + (a == b) * 0.5
        return np.minimum(a, b)

    def backward(self, gy):
        ga = gy * self.ma.astype(gy.dtype)
        return ga, gy - ga


class Where(Function):
    """y = a where cond else b;  ga = gy * cond, gb = gy * ~cond"""
    broadcasts = True

    def __init__(self, cond):
        self.cond = cond

    def forward(self, a, b):
        return np.where(self.cond, a, b)

    def backward(self, gy):
        c = np.broadcast_to(self.cond, gy.shape)
        return gy * c, gy * ~c


def _bound(v: Any, like: Tensor) -> Any:
    if v is None:
        return None
    if isinstance(v, Tensor):
        v = v.data
    return np.asarray(v, like.data.dtype) if like.data.dtype.kind == "f" else v


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
    return Clamp(_bound(min, x), _bound(max, x)).apply(x)


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    return _binary(Maximum(), "maximum", a, b)


def minimum(a: Any, b: Any) -> Tensor:
    return _binary(Minimum(), "minimum", a, b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elements of ``a`` where ``condition`` else of ``b`` (all three broadcast)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
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
    return Where(cond).apply(a, b)
