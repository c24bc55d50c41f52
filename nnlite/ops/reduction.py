"""Reductions: sum mean var std max min amax amin logsumexp prod argmax argmin, and
softmax / log_softmax along a dim.

Notation: x has shape S; the reduced axes A become size 1 in K (the keepdim shape of y);
gy has y's shape and is first reshaped to K, then broadcast back to S. Every reduction
takes both torch's ``dim``/``keepdim`` and NumPy's ``axis``/``keepdims``.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..tensor import Function, Tensor
from ._util import axes as _axes, broadcast_to, like_inputs, norm_dim


def _kshape(shape: tuple, axis: tuple | None) -> tuple:
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _count(shape: tuple, axis: tuple | None) -> int:
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[i] for i in axis], dtype=np.int64))


class _Reduce(Function):
    """Base: remembers the input shape S and the keepdim shape K."""

    def __init__(self, axis, keepdims):
        self.axis, self.keepdims = axis, keepdims

    def setup(self, x):
        self.shape = x.shape
        self.kshape = _kshape(x.shape, self.axis)


# ---- sum / mean / var / std --------------------------------------------------
class Sum(_Reduce):
    """y = sum_A x;  gx = broadcast(gy)"""

    def forward(self, x):
        self.setup(x)
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        return broadcast_to(gy.reshape(self.kshape), self.shape)


class Mean(_Reduce):
    """y = sum_A x / N;  gx = broadcast(gy) / N"""

    def forward(self, x):
        self.setup(x)
        return np.mean(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        n = _count(self.shape, self.axis)
        return broadcast_to(gy.reshape(self.kshape) / n, self.shape)


class Var(_Reduce):
    """y = sum_A (x - mean)^2 / (N - c);  gx = gy * 2 (x - mean) / (N - c)"""
    save_inputs = True

    def __init__(self, axis, keepdims, correction):
        super().__init__(axis, keepdims)
        self.correction = correction

    def forward(self, x):
        self.setup(x)
        self.denom = builtins.max(_count(x.shape, self.axis) - self.correction, 0)
        return np.var(x, axis=self.axis, keepdims=self.keepdims, ddof=self.correction)

    def backward(self, gy, x):
        xm = x - x.mean(axis=self.axis, keepdims=True)
        return gy.reshape(self.kshape) * xm * (2 / self.denom if self.denom else np.inf)


class Std(Var):
    """y = sqrt(var);  gx = gy * (x - mean) / ((N - c) y)"""
    save_output = True

    def forward(self, x):
        return np.sqrt(super().forward(x))

    def backward(self, gy, x, y):
        xm = x - x.mean(axis=self.axis, keepdims=True)
        return gy.reshape(self.kshape) * xm / (y.reshape(self.kshape) * self.denom)


def _red(cls, x: Tensor, dim, keepdim, axis, keepdims, op, *extra) -> Tensor:
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None          # torch: dim=() reduces every dim (NumPy's axis=() reduces none)
    ax, kd = _axes(dim, axis, keepdim, keepdims, x.ndim, op)
    return cls(ax, kd, *extra).apply(x)


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool | None = None, dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (all dims if None)."""
    if dtype is not None:
        x = x.astype(dtype)
    elif x.dtype.kind in "b":
        x = x.astype(np.int64)
    return _red(Sum, x, dim, keepdim, axis, keepdims, "sum")


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None, dtype: Any = None) -> Tensor:
    """Mean over ``dim`` (all dims if None)."""
    if dtype is not None:
        x = x.astype(dtype)
    if x.dtype.kind not in "fc":
        raise TypeError(f"mean: input dtype should be floating, got {x.dtype}")
    return _red(Mean, x, dim, keepdim, axis, keepdims, "mean")


def _correction(unbiased: Any, correction: Any, ddof: Any) -> float:
    if ddof is not None:
        return ddof
    if correction is not None:
        return correction
    if isinstance(unbiased, (int, float)) and not isinstance(unbiased, bool):
        raise TypeError("var/std: the second positional argument is `unbiased` (a bool); "
                        "pass dims as dim=...")
    return 1 if unbiased is None or unbiased else 0


def var(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: Any = None, axis: Any = None, keepdims: bool | None = None,
        ddof: Any = None) -> Tensor:
    """Variance over ``dim``; Bessel-corrected by default as torch (``correction=1``)."""
    return _red(Var, x, dim, keepdim, axis, keepdims, "var",
                _correction(unbiased, correction, ddof))


def std(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: Any = None, axis: Any = None, keepdims: bool | None = None,
        ddof: Any = None) -> Tensor:
    """Standard deviation over ``dim``; Bessel-corrected by default."""
    return _red(Std, x, dim, keepdim, axis, keepdims, "std",
                _correction(unbiased, correction, ddof))


# ---- max / min ---------------------------------------------------------------
class Amax(_Reduce):
    """y = max_A x;  gx = gy shared evenly among the maxima (as torch)"""

    def __init__(self, axis, keepdims, ufunc):
        super().__init__(axis, keepdims)
        self.ufunc = ufunc

    def forward(self, x):
        self.setup(x)
        if x.size == 0:
            raise RuntimeError(f"{self.ufunc.__name__}: cannot reduce an empty tensor of "
                               f"shape {x.shape}")
        yk = self.ufunc.reduce(x, axis=self.axis, keepdims=True)
        mask = x == yk
        self.w = mask / mask.sum(axis=self.axis, keepdims=True).astype(x.dtype)
        return yk if self.keepdims else yk.reshape(_drop(yk.shape, self.axis))

    def backward(self, gy):
        return gy.reshape(self.kshape) * self.w


def _drop(shape: tuple, axis: tuple | None) -> tuple:
    return () if axis is None else tuple(n for i, n in enumerate(shape) if i not in axis)


def amax(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    return _red(Amax, x, dim, keepdim, axis, keepdims, "amax", np.maximum)


def amin(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    return _red(Amax, x, dim, keepdim, axis, keepdims, "amin", np.minimum)


def _max_dim(x: Tensor, dim: Any, keepdim: bool, arg: Any, op: str) -> tuple:
    from .indexing import gather
    from .. import ops
    d = norm_dim(dim, x.ndim, op)
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{op}: cannot reduce over dim {d} of size 0 (shape {x.shape})")
    idx = arg(x.data, axis=d, keepdims=True) if x.ndim else np.zeros((), np.int64)
    values = gather(x, d, idx) if x.ndim else x
    if not keepdim and x.ndim:
        values, idx = ops.squeeze(values, d), idx.squeeze(d)
    return MaxResult(values, Tensor(idx.astype(np.int64)))


class MaxResult(tuple):
    """``(values, indices)`` with attribute access, as torch's ``max(dim)`` returns."""

    def __new__(cls, values: Tensor, indices: Tensor) -> "MaxResult":
        return super().__new__(cls, (values, indices))

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def max(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool | None = None) -> Any:
    """``max(x)``: the largest element; ``max(x, dim)``: ``(values, indices)``;
    ``max(a, b)`` with a tensor ``b``: the elementwise maximum (as torch)."""
    if isinstance(dim, Tensor):
        from .pointwise import maximum
        return maximum(x, dim)
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return amax(x)
    return _max_dim(x, dim, keepdim, np.argmax, "max")


def min(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool | None = None) -> Any:
    """``min(x)``, ``min(x, dim) -> (values, indices)``, or elementwise ``min(a, b)``."""
    if isinstance(dim, Tensor):
        from .pointwise import minimum
        return minimum(x, dim)
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return amin(x)
    return _max_dim(x, dim, keepdim, np.argmin, "min")


def _arg(fn, x: Tensor, dim, keepdim, axis, keepdims, op) -> Tensor:
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        r = fn(x.data.reshape(-1))
        return Tensor(np.asarray(r, np.int64).reshape((1,) * x.ndim if keepdim else ()))
    d = norm_dim(dim, x.ndim, op)
    return Tensor(fn(x.data, axis=d, keepdims=keepdim).astype(np.int64))


def argmax(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
           keepdims: bool | None = None) -> Tensor:
    """Index of the largest element (of the flattened tensor if ``dim`` is None)."""
    return _arg(np.argmax, x, dim, keepdim, axis, keepdims, "argmax")


def argmin(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
           keepdims: bool | None = None) -> Tensor:
    return _arg(np.argmin, x, dim, keepdim, axis, keepdims, "argmin")


# ---- logsumexp / prod --------------------------------------------------------
class LogSumExp(_Reduce):
    """y = log sum_A exp(x) (shifted by the max);  gx = gy * exp(x - y)"""
    save_inputs = True
    save_output = True

    def forward(self, x):
        self.setup(x)
        m = np.max(x, axis=self.axis, keepdims=True, initial=-np.inf)   # -inf if empty
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):                              # log(0) = -inf
            yk = np.log(np.sum(np.exp(x - m), axis=self.axis, keepdims=True)) + m
        yk = like_inputs(yk, x)
        return yk if self.keepdims else yk.reshape(_drop(yk.shape, self.axis))

    def backward(self, gy, x, y):
        return gy.reshape(self.kshape) * np.exp(x - y.reshape(self.kshape))


class Prod(_Reduce):
    """y = prod_A x;  gx = gy * (product of the other elements), exact with zeros"""
    double_backward = False

    def forward(self, x):
        self.setup(x)
        self.x = x
        return np.prod(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        x, axis = self.x, self.axis
        if x.size == 0:
            return np.zeros(x.shape, gy.dtype)
        nd = x.ndim
        red = tuple(range(nd)) if axis is None else axis
        keep = [i for i in range(nd) if i not in red]
        xt = x.transpose(keep + list(red)).reshape([x.shape[i] for i in keep]
                                                   + [_count(x.shape, axis)])
        ones = np.ones(xt.shape[:-1] + (1,), x.dtype)
        before = np.cumprod(np.concatenate([ones, xt[..., :-1]], -1), -1)
        after = np.cumprod(np.concatenate([ones, xt[..., :0:-1]], -1), -1)[..., ::-1]
        others = (before * after).reshape([x.shape[i] for i in keep] + [x.shape[i] for i in red])
        others = others.transpose(np.argsort(keep + list(red)))
        return gy.reshape(self.kshape) * others


def logsumexp(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
              keepdims: bool | None = None) -> Tensor:
    """log(sum(exp(x))) over ``dim``, computed stably."""
    return _red(LogSumExp, x, dim, keepdim, axis, keepdims, "logsumexp")


def prod(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    return _red(Prod, x, dim, keepdim, axis, keepdims, "prod")


# ============================================================================
# softmax / log_softmax along one dim
# ============================================================================
class Softmax(Function):
    """y = exp(x - max) / sum exp(x - max);  gx = y * (gy - sum(gy * y))"""
    save_output = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        e = np.exp(x - np.max(x, axis=self.dim, keepdims=True, initial=-np.inf))
        e /= e.sum(axis=self.dim, keepdims=True)
        return e

    def backward(self, gy, y):
        gyy = gy * y
        return gyy - y * gyy.sum(axis=self.dim, keepdims=True)


class LogSoftmax(Function):
    """y = x - logsumexp(x);  gx = gy - exp(y) * sum(gy)"""
    save_output = True

    def __init__(self, dim):
        self.dim = dim

    def forward(self, x):
        z = x - np.max(x, axis=self.dim, keepdims=True, initial=-np.inf)
        with np.errstate(divide="ignore"):                  # an empty dim: log(0)
            return z - np.log(np.exp(z).sum(axis=self.dim, keepdims=True))

    def backward(self, gy, y):
        return gy - np.exp(y) * gy.sum(axis=self.dim, keepdims=True)


def _softmax_dim(x: Tensor, dim: Any, axis: Any, op: str) -> int:
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: pass dim or axis, not both")
        dim = axis
    if dim is None:
        raise TypeError(f"{op}: dim is required (e.g. dim=-1)")
    return norm_dim(dim, x.ndim, op)


def softmax(x: Tensor, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> Tensor:
    """exp(x) normalised to sum 1 along ``dim``."""
    if dtype is not None:
        x = x.astype(dtype)
    return Softmax(_softmax_dim(x, dim, axis, "softmax")).apply(x)


def log_softmax(x: Tensor, dim: Any = None, dtype: Any = None, *,
                axis: Any = None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably."""
    if dtype is not None:
        x = x.astype(dtype)
    return LogSoftmax(_softmax_dim(x, dim, axis, "log_softmax")).apply(x)
