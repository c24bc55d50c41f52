"""Pointwise math and activations: exp log sqrt ... tanh sigmoid relu gelu clamp where.

Notation: x is the input (any shape), y the output (same shape), gy the gradient of the
loss with respect to y. Rules use only operators and NumPy ufuncs, so they also run on
Tensors under ``create_graph=True``; masks computed from x are constants. A rule that
drops entries of gy selects (``GradWhere``, ``ThresholdBackward``) instead of multiplying
by a 0/1 mask, so a nan or inf in gy never leaks into a dropped entry (nan * 0 = nan),
as in torch; at a nan input, relu, maximum and minimum pass the gradient and clamp
drops it, as torch's rules do.

Dtypes are torch's: integer and bool inputs of exp, log, sqrt, sin, tanh, sigmoid ...
give the default float dtype; gelu, elu, softplus and leaky_relu refuse them, relu
refuses bools; binary ops promote by ``_util.result_type``. float16 activations made of
several steps (sigmoid, gelu, softplus, leaky_relu, rsqrt) run in float32 and round once,
as torch's CPU kernels do (``via_float32``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor, from_numpy, get_default_dtype
from ._util import (GradWhere, ShapeError, cast, const, keep_where, like_inputs, pair, result_type,
                    unsupported, via_float32)
from . import buffers as _buf
from .arithmetic import _binary
from .selection import nonzero
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
    """y = |x|;  gx = gy * sign(x) (sign(nan) = 0, as torch; sign is a constant here: its
    derivative is 0)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * _sign(x.array if isinstance(x, Tensor) else x)


def _sign(x: np.ndarray) -> np.ndarray:
    """np.sign with torch's sign(nan) = 0."""
    s = np.asarray(np.sign(x))                  # a 0-d x gives a NumPy scalar
    if s.dtype.kind == "f":
        np.copyto(s, 0, where=s != s)
    return s


class Sign(Function):
    """y = sign(x) (0 at nan, as torch);  gx = 0 (exactly, even where gy is nan)"""

    @staticmethod
    def forward(ctx, x):
        return _sign(x)

    @staticmethod
    def backward(ctx, gy):
        return GradWhere.apply(gy, np.zeros(gy.shape, np.bool_))


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
    return Exp.apply(x if x.array.dtype.kind in "fc" else _floating(x))


def log(x: Tensor) -> Tensor:
    return Log.apply(x if x.array.dtype.kind in "fc" else _floating(x))


def log1p(x: Tensor) -> Tensor:
    return Log1p.apply(x if x.array.dtype.kind in "fc" else _floating(x))


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(x if x.array.dtype.kind in "fc" else _floating(x))


def rsqrt(x: Tensor) -> Tensor:
    if x.array.dtype == np.float16:
        return via_float32(Rsqrt.apply, x)
    return Rsqrt.apply(x if x.array.dtype.kind in "fc" else _floating(x))


def abs(x: Tensor) -> Tensor:
    if x.array.dtype.kind == "b":
        raise unsupported("abs", x.array.dtype)
    return Abs.apply(x)


def sign(x: Tensor) -> Tensor:
    if x.array.dtype.kind == "b":
        return from_numpy(x.array.copy())             # torch: sign of a bool is itself
    return Sign.apply(x)


def sin(x: Tensor) -> Tensor:
    return Sin.apply(x if x.array.dtype.kind in "fc" else _floating(x))


def cos(x: Tensor) -> Tensor:
    return Cos.apply(x if x.array.dtype.kind in "fc" else _floating(x))


def erf(x: Any) -> Any:
    """The error function; on an ndarray returns an ndarray (used inside rules)."""
    if isinstance(x, Tensor):
        return Erf.apply(x if x.array.dtype.kind in "fc" else _floating(x))
    return erf_array(np.asarray(x))


def square(x: Tensor) -> Tensor:
    """x * x; a bool tensor squares to int64, as torch (x ** 2)."""
    if x.array.dtype.kind == "b":
        x = from_numpy(x.array.astype(np.int64))
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
    """y = max(x, 0);  gx = gy where y > 0 or y is nan, else 0 (``ThresholdBackward``)"""

    @staticmethod
    def forward(ctx, x):
        y = np.maximum(x, 0, out=_buf.empty(x.shape, x.dtype))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return ThresholdBackward.apply(gy, y)


class ReluInplaceFn(Function):
    """x = max(x, 0) written into x's own memory (``relu_`` of a tensor in the graph, as
    torch's: no copy); the rule is ReluFn's, on the output it saved (x's memory)"""

    @staticmethod
    def forward(ctx, x):
        np.maximum(x, 0, out=x)
        ctx.save_for_backward(x)
        return x

    backward = staticmethod(ReluFn.backward)


class ThresholdBackward(Function):
    """gx = 0 where y <= 0, else gy (exactly 0 even where gy is inf or nan; a nan y
    passes gy, as torch's ``threshold_backward``); ggy = ggx likewise, gy_ = 0 (y enters
    only through a mask)"""

    @staticmethod
    def forward(ctx, gy, y):
        ctx.save_for_backward(y)
        return keep_where(gy, np.less_equal(y, 0, out=_buf.empty(y.shape, np.bool_)),
                          keep=False, scratch=True)

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
    """y = x if x > 0 else alpha * (exp(x) - 1);  gx = gy * (y + alpha if x <= 0 else 1)
    (1 at a nan x, as torch)"""

    @staticmethod
    def forward(ctx, x, alpha):
        y = like_inputs(np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))), x)
        ctx.save_for_backward(x, y)
        ctx.alpha = alpha
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        neg = (x.array if isinstance(x, Tensor) else x) <= 0
        return gy * Where.apply(y + ctx.alpha, 1.0, neg)


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
    return TanhFn.apply(x if x.array.dtype.kind in "fc" else _floating(x))


def sigmoid(x: Tensor) -> Tensor:
    if x.array.dtype == np.float16:
        return via_float32(SigmoidFn.apply, x)
    return SigmoidFn.apply(x if x.array.dtype.kind in "fc" else _floating(x))


def relu(x: Tensor) -> Tensor:
    """max(x, 0); integer tensors stay integer, bool tensors raise (as torch)."""
    if x.array.dtype.kind == "b":
        raise unsupported("relu", x.array.dtype, "boolean inputs are not supported for relu")
    return ReluFn.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    if x.array.dtype == np.float16:
        return via_float32(LeakyReluFn.apply, x, negative_slope)
    return LeakyReluFn.apply(_float_only(x, "leaky_relu"), negative_slope)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return EluFn.apply(_float_only(x, "elu"), alpha)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU; ``approximate='tanh'`` uses the tanh formula (as torch)."""
    _float_only(x, "gelu")
    if x.array.dtype == np.float16:
        return via_float32(gelu, x, approximate)
    if approximate == "none":
        return GeluFn.apply(x)
    if approximate == "tanh":
        return GeluTanh.apply(x)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    if x.array.dtype == np.float16:
        return via_float32(SoftplusFn.apply, x, beta, threshold)
    return SoftplusFn.apply(_float_only(x, "softplus"), beta, threshold)


def _floating(x: Tensor) -> Tensor:
    """An integer or bool tensor as the default float dtype: torch's unary float ops (exp,
    sqrt, tanh, ...) give that dtype for them (NumPy would give float64)."""
    return from_numpy(x.array.astype(get_default_dtype()))


def _float_only(x: Tensor, op: str) -> Tensor:
    """``x`` itself if floating; the activations torch computes only in floating dtypes
    (gelu, elu, softplus, leaky_relu) raise on others."""
    if x.array.dtype.kind not in "fc":
        raise unsupported(op, x.array.dtype, f"{op} needs a floating input (call .float())")
    return x


# ---- clamp / maximum / minimum / where ---------------------------------------
class Clamp(Function):
    """y = min(max(x, lo), hi) (lo, hi numbers or constant arrays, either may be None);
    gx = gy where lo <= x <= hi, else 0 (so 0 at a nan x, as torch)"""

    @staticmethod
    def forward(ctx, x, lo, hi):
        inside = None
        if lo is not None:
            inside = x >= lo
        if hi is not None:
            inside = x <= hi if inside is None else inside & (x <= hi)
        ctx.save_for_backward(np.broadcast_to(inside, x.shape))
        y = np.clip(x, lo, hi)
        return y.astype(x.dtype, copy=False) if x.dtype.kind == "f" else y

    @staticmethod
    def backward(ctx, gy):
        (inside,) = ctx.saved_tensors
        return GradWhere.apply(gy, inside), None, None


class Maximum(Function):
    """y = max(a, b) (nan if either is);  ga = gy where a > b, gy/2 where a == b, 0 where
    a < b, and gy where either is nan (torch's rule: both operands of a nan get gy);
    gb alike"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        _save_ties(ctx, a, b, a < b, a > b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, gy):
        return _tie_grads(ctx, gy)


class Minimum(Function):
    """y = min(a, b);  ga = gy where a < b, gy/2 where a == b, 0 where a > b, gy where
    either is nan; gb alike"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b):
        _save_ties(ctx, a, b, a > b, a < b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, gy):
        return _tie_grads(ctx, gy)


def _save_ties(ctx: Function, a: np.ndarray, b: np.ndarray, drop_a: np.ndarray,
               drop_b: np.ndarray) -> None:
    """Keep what ``_tie_grads`` reads: where each operand gets no gradient, and the
    weight (1/2 at ties, 1 elsewhere, in the result dtype) if any tie."""
    tie = a == b
    shape = drop_a.shape
    w = None
    if tie.any():
        w = np.where(tie, 0.5, 1.0).astype(np.result_type(a, b), copy=False)
    ctx.save_for_backward(np.broadcast_to(drop_a, shape), np.broadcast_to(drop_b, shape), w)


def _tie_grads(ctx: Function, gy: Any) -> tuple:
    drop_a, drop_b, w = ctx.saved_tensors
    if w is not None:
        gy = gy * w
    need_a, need_b = ctx.needs_input_grad
    return (GradWhere.apply(gy, drop_a, False) if need_a else None,
            GradWhere.apply(gy, drop_b, False) if need_b else None)


class Where(Function):
    """y = a where cond else b;  ga = gy where cond else 0, gb = gy where not cond else 0
    (selected, so a nan in gy does not reach the other operand)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, a, b, cond):
        y = np.where(cond, a, b)
        ctx.save_for_backward(np.broadcast_to(cond, y.shape))
        return y

    @staticmethod
    def backward(ctx, gy):
        (cond,) = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        return (GradWhere.apply(gy, cond, True) if need_a else None,
                GradWhere.apply(gy, cond, False) if need_b else None)


class ClampTensor(Function):
    """y = min(max(x, lo), hi) with tensor bounds (either may be None; all three broadcast),
    nan wherever x, lo or hi is nan; torch's rules for the gradients:
    gx = gy where lo <= x <= hi,  glo = gy where x < lo (and lo < hi),
    ghi = gy where x > hi (or hi < lo), 0 elsewhere"""
    broadcasts = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        y = x if lo is None else np.maximum(x, lo)
        if hi is not None:
            y = np.minimum(y, hi)
        ctx.save_for_backward(x, lo, hi)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, lo, hi = (v.array if isinstance(v, Tensor) else v for v in ctx.saved_tensors)
        need_x, need_lo, need_hi = ctx.needs_input_grad
        shape = gy.shape
        gx = glo = ghi = None
        if need_x:
            inside = True if lo is None else x >= lo
            if hi is not None:
                inside = inside & (x <= hi)
            gx = GradWhere.apply(gy, np.broadcast_to(inside, shape))
        if need_lo:
            m = x < lo if hi is None else (x < lo) & (lo < hi)
            glo = GradWhere.apply(gy, np.broadcast_to(m, shape))
        if need_hi:
            m = x > hi if lo is None else (x > hi) | (hi < lo)
            ghi = GradWhere.apply(gy, np.broadcast_to(m, shape))
        return gx, glo, ghi


class ClampArgumentError(ValueError, RuntimeError):
    """clamp without bounds: nnlite's ValueError, torch's RuntimeError; this is both."""


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Clamp into [min, max] (numbers or tensors, either may be None); the gradient passes
    where min <= x <= max (not at a nan x). Tensor bounds broadcast and get the gradient
    where they are the output, as in torch; the dtype is torch's ``result_type`` of x and
    the bounds (an integer tensor clamped at 1.5 is float32)."""
    if min is None and max is None:
        raise ClampArgumentError("clamp: at least one of min and max must be given (not "
                                 "None)")
    bounds = [v for v in (min, max) if v is not None]
    dt = result_type(x, *bounds)
    x = cast(x, dt)
    if any(isinstance(v, Tensor) for v in bounds):
        lo, hi = (None if v is None else cast(v, dt) if isinstance(v, Tensor)
                  else cast(v, dt).array for v in (min, max))
        try:
            np.broadcast_shapes(x.shape, *[v.shape for v in (lo, hi) if v is not None])
        except ValueError:
            raise ShapeError(f"clamp: input of shape {x.shape} and bounds of shapes "
                             f"{[v.shape for v in (lo, hi) if v is not None]} cannot be "
                             f"broadcast together") from None
        return ClampTensor.apply(x, lo, hi)
    lo, hi = (None if v is None else cast(v, dt).array for v in (min, max))
    return Clamp.apply(x, lo, hi)


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    return _binary(Maximum, "maximum", a, b)


def minimum(a: Any, b: Any) -> Tensor:
    return _binary(Minimum, "minimum", a, b)


def where(condition: Any, a: Any = None, b: Any = None) -> Any:
    """Elements of ``a`` where ``condition`` else of ``b`` (all three broadcast); with the
    condition alone, ``nonzero(condition, as_tuple=True)``, as torch."""
    if a is None and b is None:
        return nonzero(condition if isinstance(condition, Tensor) else
                       from_numpy(np.asarray(condition)), as_tuple=True)
    cond = condition.array if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise unsupported("where", cond.dtype, f"where: condition must be a bool tensor, got "
                          f"dtype {cond.dtype}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = const(a)                       # two numbers: the result has the default dtype
    a, b = pair(a, b)
    try:
        shape = np.broadcast_shapes(cond.shape, a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"where: condition {cond.shape}, a {a.shape} and b {b.shape} "
                         f"cannot be broadcast together") from None
    del shape
    return Where.apply(a, b, cond)
