"""More activations: silu mish hardswish hardsigmoid hardtanh relu6 prelu selu softsign
logsigmoid, and the compositions tanhshrink softmin glu.

Notation: x is the input, y the output (same shape), gy the gradient of the loss with
respect to y, s = sigmoid(x). Rules use operators, ufuncs and other ops' ``apply``, so
they also run on Tensors under ``create_graph=True``; masks computed from x in forward
are constants. Where torch's gradient is 0 outside a region (the hard functions) it is
exactly 0 there, even where gy is inf or nan (``KeepWhere``), as torch selects rather
than multiplies. Values at the kinks follow torch's backward kernels.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor
from ._util import keep_where, like_inputs, norm_dim
from .pointwise import SigmoidFn, SoftplusFn, TanhFn
from .reduction import softmax

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class KeepWhere(Function):
    """y = g where mask, else exactly 0 (also where g is inf or nan);  gg = gy where mask"""

    @staticmethod
    def forward(ctx, g, mask):
        ctx.save_for_backward(mask)
        return keep_where(g, mask.copy())           # keep_where overwrites its mask

    @staticmethod
    def backward(ctx, gy):
        (mask,) = ctx.saved_tensors
        return KeepWhere.apply(gy, mask), None


# ---- smooth: silu, mish, selu, softsign, logsigmoid --------------------------------------
class SiluFn(Function):
    """y = x s;  gx = gy * s (1 + x (1 - s))"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return like_inputs(x * SigmoidFn.apply(x), x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        s = SigmoidFn.apply(x)
        return gy * (s * (x * (1 - s) + 1))


class MishFn(Function):
    """y = x tanh(softplus(x));  gx = gy * (t + x s (1 - t^2)), t = tanh(softplus(x))"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return like_inputs(x * np.tanh(SoftplusFn.apply(x, 1.0, np.inf)), x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        t = TanhFn.apply(SoftplusFn.apply(x, 1.0, np.inf))
        return gy * (t + x * SigmoidFn.apply(x) * (1 - t * t))


class SeluFn(Function):
    """y = scale * (x if x > 0 else alpha (exp(x) - 1));
    gx = gy * (y + scale alpha) where x <= 0, else gy * scale (also at inf and nan)"""

    @staticmethod
    def forward(ctx, x):
        neg = like_inputs(SELU_SCALE * SELU_ALPHA * np.expm1(np.minimum(x, 0)), x)
        y = np.where(x > 0, like_inputs(SELU_SCALE * x, x), neg)
        ctx.save_for_backward(y, x <= 0)
        return y

    @staticmethod
    def backward(ctx, gy):
        y, neg = ctx.saved_tensors
        return (KeepWhere.apply(gy * (y + SELU_SCALE * SELU_ALPHA), neg)
                + KeepWhere.apply(gy * SELU_SCALE, ~neg))


class SoftsignFn(Function):
    """y = x / (1 + |x|);  gx = gy / (1 + |x|)^2"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return like_inputs(x / (np.abs(x) + 1), x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        d = np.abs(x) + 1
        return gy / (d * d)


class LogSigmoidFn(Function):
    """y = log(s) = min(x, 0) - log(1 + exp(-|x|));  gx = gy * sigmoid(-x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return like_inputs(np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))), x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * SigmoidFn.apply(-x)


# ---- piecewise linear: hardtanh, hardsigmoid, hardswish, prelu ---------------------------
class HardtanhFn(Function):
    """y = min(max(x, lo), hi);  gx = 0 where x <= lo or x >= hi, else gy (also at nan)"""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(~((x <= lo) | (x >= hi)))
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, gy):
        (inside,) = ctx.saved_tensors
        return KeepWhere.apply(gy, inside)


class HardsigmoidFn(Function):
    """y = min(max(x + 3, 0), 6) / 6;  gx = gy / 6 where -3 < x < 3, else 0"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward((x > -3) & (x < 3))
        return like_inputs(np.minimum(np.maximum(x + 3, 0), 6) / 6, x)

    @staticmethod
    def backward(ctx, gy):
        (inside,) = ctx.saved_tensors
        return KeepWhere.apply(gy / 6, inside)


class HardswishFn(Function):
    """y = x min(max(x + 3, 0), 6) / 6;
    gx = 0 for x <= -3, gy (x / 3 + 1/2) for -3 < x < 3, gy otherwise (torch's kernel)"""

    @staticmethod
    def forward(ctx, x):
        low, mid = x <= -3, (x > -3) & (x < 3)
        ctx.save_for_backward(x, mid, ~(low | mid))
        return like_inputs(x * np.minimum(np.maximum(x + 3, 0), 6) / 6, x)

    @staticmethod
    def backward(ctx, gy):
        x, mid, high = ctx.saved_tensors
        return KeepWhere.apply(gy * (x / 3 + 0.5), mid) + KeepWhere.apply(gy, high)


class PReluFn(Function):
    """y = x if x > 0 else w x (w broadcast over the channel dim);
    gx = gy * (1 if x > 0 else w),  gw = gy * x where x <= 0, else 0 (summed back to w's
    shape by the engine)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, x, w):
        pos = x > 0
        ctx.save_for_backward(x, w, pos.astype(x.dtype))
        return np.where(pos, x, w * x)

    @staticmethod
    def backward(ctx, gy):
        x, w, pos = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad
        gx = gy * (pos + (1 - pos) * w) if need_x else None
        gw = gy * x * (1 - pos) if need_w else None
        return gx, gw


# ---- the functions -------------------------------------------------------------------------
def silu(x: Tensor) -> Tensor:
    """x * sigmoid(x) (the swish of Ramachandran et al. 2017, Elfwing et al. 2017)."""
    return SiluFn.apply(as_tensor(x))


def mish(x: Tensor) -> Tensor:
    """x * tanh(softplus(x)) (Misra 2019)."""
    return MishFn.apply(as_tensor(x))


def selu(x: Tensor) -> Tensor:
    """scale * (max(0, x) + min(0, alpha (exp(x) - 1))), alpha ~ 1.6733, scale ~ 1.0507
    (Klambauer et al. 2017)."""
    return SeluFn.apply(as_tensor(x))


def softsign(x: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return SoftsignFn.apply(as_tensor(x))


def logsigmoid(x: Tensor) -> Tensor:
    """log(sigmoid(x)), computed stably (no overflow for large ``|x|``)."""
    return LogSigmoidFn.apply(as_tensor(x))


def _bound(v: float, x: Tensor) -> Any:
    """A clamp bound in x's dtype for floating x (a float32 x stays float32)."""
    return np.asarray(v, x.dtype) if x.dtype.kind == "f" else v


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clamped to [min_val, max_val]; the gradient is 0 at and beyond the bounds."""
    x = as_tensor(x)
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got "
                         f"min_val={min_val} and max_val={max_val}")
    return HardtanhFn.apply(x, _bound(min_val, x), _bound(max_val, x))


def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6) (``hardtanh(x, 0, 6)``, as torch)."""
    return hardtanh(x, 0.0, 6.0)


def hardsigmoid(x: Tensor) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between."""
    return HardsigmoidFn.apply(as_tensor(x))


def hardswish(x: Tensor) -> Tensor:
    """x * relu6(x + 3) / 6 (Howard et al. 2019, MobileNetV3)."""
    return HardswishFn.apply(as_tensor(x))


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else weight * x, with one learnt slope per channel (dim 1) or one for
    all (He et al. 2015).

    Args:
        x (Tensor): ``(N, C, *)`` or any shape when ``weight`` has one element.
        weight (Tensor): (C) slopes, or one slope ((1) or 0-d).

    Example:
        >>> nl.prelu(nl.tensor([[-2.0, 3.0]]), nl.tensor([0.25]))
        tensor([[-0.5,  3. ]])
    """
    x, weight = as_tensor(x), as_tensor(weight)
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: expected `weight` to be a scalar or 1D tensor, but got "
                           f"shape {weight.shape}")
    if weight.numel() == 1:
        return PReluFn.apply(x, weight.reshape(()))
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.numel() != channels:
        raise RuntimeError(f"prelu: mismatch of parameter numbers and input channel size: "
                           f"found {weight.numel()} parameters (weight shape {weight.shape}) "
                           f"and channel size {channels} (input shape {x.shape})")
    return PReluFn.apply(x, weight.reshape((channels,) + (1,) * (x.ndim - 2)))


def tanhshrink(x: Tensor) -> Tensor:
    """x - tanh(x)."""
    x = as_tensor(x)
    return x - TanhFn.apply(x)


def softmin(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``: each slice sums to 1, the smallest entry weighs most."""
    x = as_tensor(x)
    if dtype is not None:
        x = x.astype(dtype)
    return softmax(-x, dim)


def glu(x: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit a * sigmoid(b), a and b the two halves of x along ``dim``
    (Dauphin et al. 2017).

    Shape: ``(*, 2n, *)`` -> ``(*, n, *)``.

    Example:
        >>> nl.nn.functional.glu(nl.zeros(2, 4)).shape
        (2, 2)
    """
    x = as_tensor(x)
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = norm_dim(dim, x.ndim, "glu")
    n = x.shape[d]
    if n % 2:
        raise RuntimeError(f"glu: halving dimension must be even, but dimension {d} is size "
                           f"{n} (input shape {x.shape})")
    lead = (slice(None),) * d
    return x[lead + (slice(0, n // 2),)] * SigmoidFn.apply(x[lead + (slice(n // 2, n),)])
