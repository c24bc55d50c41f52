"""Reductions: sum mean var std max min amax amin logsumexp prod argmax argmin, and
softmax / log_softmax along a dim.

Notation: x has shape S; the reduced axes A become size 1 in K (the keepdim shape of y);
gy has y's shape and is first reshaped to K, then broadcast back to S. Every reduction
takes both torch's ``dim``/``keepdim`` and NumPy's ``axis``/``keepdims``.
"""
from __future__ import annotations

import builtins
import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, from_numpy, get_default_dtype
from ._util import GradWhere, axes as _axes, like_inputs, norm_dim, unsupported, via_float32
from .pointwise import maximum, minimum
from .shape import BroadcastTo


def _kshape(shape: tuple, axis: tuple | None) -> tuple:
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _count(shape: tuple, axis: tuple | None) -> int:
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[i] for i in axis], dtype=np.int64))


def _setup(ctx: Function, x: np.ndarray, axis: tuple | None) -> None:
    """Keep on ``ctx`` what every reduction's backward reads: the reduced axes A, the
    input shape S and the keepdim shape K."""
    ctx.axis, ctx.shape, ctx.kshape = axis, x.shape, _kshape(x.shape, axis)


# ---- sum / mean / var / std --------------------------------------------------
class Sum(Function):
    """y = sum_A x;  gx = broadcast(gy)"""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        _setup(ctx, x, axis)
        return np.sum(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, gy):
        return BroadcastTo.apply(gy.reshape(ctx.kshape), ctx.shape)


class Mean(Function):
    """y = sum_A x / N;  gx = broadcast(gy) / N (nan for an empty A, as torch)"""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        _setup(ctx, x, axis)
        n = _count(x.shape, axis)
        if n:
            return np.mean(x, axis=axis, keepdims=keepdims)
        return np.full(_out_shape(x.shape, axis, keepdims), np.nan, x.dtype)

    @staticmethod
    def backward(ctx, gy):
        n = _count(ctx.shape, ctx.axis)
        return BroadcastTo.apply(gy.reshape(ctx.kshape) / n, ctx.shape)


def _out_shape(shape: tuple, axis: tuple | None, keepdims: bool) -> tuple:
    return _kshape(shape, axis) if keepdims else _drop(shape, axis)


def _var(ctx: Function, x: np.ndarray, axis: tuple | None, keepdims: bool,
         correction: float, op: str) -> np.ndarray:
    """The variance, sum_A (x - mean)^2 / max(N - c, 0) (inf, or nan for a constant,
    when N <= c), with ``ctx`` set up for the backward of ``Var`` and ``Std``."""
    _setup(ctx, x, axis)
    n = _count(x.shape, axis)
    ctx.dof = n - correction
    ctx.full = axis is None or x.ndim == 0
    if ctx.dof <= 0:
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly "
                      f"less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=6)
    with np.errstate(divide="ignore", invalid="ignore"):
        xm = x - np.sum(x, axis=axis, keepdims=True) / x.dtype.type(n)
        ss = np.sum((xm * xm.conj()).real if x.dtype.kind == "c" else xm * xm, axis=axis,
                    keepdims=keepdims)
        return np.asarray(ss / ss.dtype.type(builtins.max(ctx.dof, 0)))


def _var_grad(ctx: Function, g: Any, x: Any) -> Any:
    """torch's ``var_backward``: gx = g * 2 (x - mean) / (N - c); over all dims (no dim
    given) with N <= c, g * (nan where x is the mean, else inf); over given dims N - c may
    be 0 (a factor inf) or negative."""
    xm = x - x.mean(axis=ctx.axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        if ctx.full and ctx.dof <= 0:
            a = xm.array if isinstance(xm, Tensor) else xm
            return g * np.where(a == 0, np.nan, np.inf).astype(a.dtype)
        return g * xm * (2 / ctx.dof if ctx.dof else np.inf)


class Var(Function):
    """y = sum_A (x - mean)^2 / (N - c);  gx = gy * 2 (x - mean) / (N - c) (``_var_grad``:
    torch's guards when N <= c)"""

    @staticmethod
    def forward(ctx, x, axis, keepdims, correction):
        ctx.save_for_backward(x)
        return _var(ctx, x, axis, keepdims, correction, "var")

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return _var_grad(ctx, gy.reshape(ctx.kshape), x)


class Std(Function):
    """y = sqrt(var);  gx = var's gradient of gy / (2 y), that taken as 0 where y = 0 (so a
    constant input gets 0, not 0/0, as torch)"""

    @staticmethod
    def forward(ctx, x, axis, keepdims, correction):
        y = np.sqrt(_var(ctx, x, axis, keepdims, correction, "std"))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        yk = y.reshape(ctx.kshape)
        with np.errstate(divide="ignore", invalid="ignore"):
            gvar = gy.reshape(ctx.kshape) / (yk * 2)
        gvar = GradWhere.apply(gvar, np.broadcast_to(_array(yk) == 0, gvar.shape), False)
        return _var_grad(ctx, gvar, x)


def _array(a: Any) -> np.ndarray:
    """The array of a saved value (a Tensor under ``create_graph``)."""
    return a.array if isinstance(a, Tensor) else a


def _red(cls, x: Tensor, dim, keepdim, axis, keepdims, op, *extra) -> Tensor:
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None          # torch: dim=() reduces every dim (NumPy's axis=() reduces none)
    ax, kd = _axes(dim, axis, keepdim, keepdims, x.ndim, op)
    return cls.apply(x, ax, kd, *extra)


def _as_int64(x: Tensor) -> Tensor:
    """Bool and integer tensors as int64: torch's sum and prod of them are int64."""
    d = x.array.dtype
    if d.kind in "biu" and d != np.int64:
        return from_numpy(x.array.astype(np.int64))
    return x


def sum(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool | None = None, dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (all dims if None); bool and integer tensors sum to int64."""
    x = x.astype(dtype) if dtype is not None else _as_int64(x)
    return _red(Sum, x, dim, keepdim, axis, keepdims, "sum")


def mean(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None, dtype: Any = None) -> Tensor:
    """Mean over ``dim`` (all dims if None); nan over an empty dim, as torch."""
    if dtype is not None:
        x = x.astype(dtype)
    if x.dtype.kind not in "fc":
        raise unsupported("mean", x.dtype, f"mean: input dtype should be floating (could "
                          f"not infer output dtype); pass dtype= or call .float()")
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


def _floating_only(x: Tensor, op: str) -> None:
    if x.dtype.kind not in "fc":
        raise unsupported(op, x.dtype, "std and var only support floating point and complex "
                          "dtypes (call .float())")


def var(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: Any = None, axis: Any = None, keepdims: bool | None = None,
        ddof: Any = None) -> Tensor:
    """Variance over ``dim``; Bessel-corrected by default as torch (``correction=1``).
    With no more elements than the correction it is inf (nan for a constant), with a
    warning, and the gradient follows torch's ``var_backward``."""
    _floating_only(x, "var")
    if x.array.dtype == np.float16:
        return via_float32(var, x, dim, unbiased, keepdim, correction=correction, axis=axis,
                           keepdims=keepdims, ddof=ddof)
    return _red(Var, x, dim, keepdim, axis, keepdims, "var",
                _correction(unbiased, correction, ddof))


def std(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: Any = None, axis: Any = None, keepdims: bool | None = None,
        ddof: Any = None) -> Tensor:
    """Standard deviation over ``dim``; Bessel-corrected by default. Its gradient is 0
    where the std is 0 (a constant input), as torch; a single element with the default
    correction gives nan and a nan gradient, as torch."""
    _floating_only(x, "std")
    if x.array.dtype == np.float16:
        return via_float32(std, x, dim, unbiased, keepdim, correction=correction, axis=axis,
                           keepdims=keepdims, ddof=ddof)
    return _red(Std, x, dim, keepdim, axis, keepdims, "std",
                _correction(unbiased, correction, ddof))


# ---- max / min ---------------------------------------------------------------
class Amax(Function):
    """y = max_A x (``ufunc`` np.maximum; np.minimum for amin), nan where a nan is among
    the values (as torch);  gx = gy * w, with w the maxima's mask divided by their count:
    gy shared evenly among ties (as torch). A nan maximum gives nan gradients (torch's
    amax: no element equals it), unless ``nan_evenly`` (torch's max() and min() without a
    dim): then gy is shared among the nans."""

    @staticmethod
    def forward(ctx, x, axis, keepdims, ufunc, nan_evenly=False):
        ctx.kshape = _kshape(x.shape, axis)
        yk = ufunc.reduce(x, axis=axis, keepdims=True)
        if x.dtype.kind in "fc":                            # the gradient's weights
            mask = x == yk
            if nan_evenly:
                nan = np.isnan(yk)
                if nan.any():
                    mask = np.where(nan, np.isnan(x), mask)
            with np.errstate(divide="ignore", invalid="ignore"):
                ctx.save_for_backward(mask / mask.sum(axis=axis, keepdims=True).astype(x.dtype))
        return yk if keepdims else yk.reshape(_drop(yk.shape, axis))

    @staticmethod
    def backward(ctx, gy):
        (w,) = ctx.saved_tensors
        return gy.reshape(ctx.kshape) * w


def _check_nonempty(x: Tensor, axis: tuple | None, op: str) -> None:
    """torch's errors for a max/min-like reduction of an empty tensor: over all dims a
    RuntimeError, over a dim of size 0 an IndexError (a dim of size > 0 of an empty
    tensor is fine: the result is empty)."""
    if axis is None:
        if x.array.size == 0:
            raise RuntimeError(f"{op}: cannot reduce an empty tensor of shape {x.shape} over "
                               f"all dims: expected reduction dim to be specified for "
                               f"input.numel() == 0; specify it with the 'dim' argument")
        return
    for d in axis:
        if x.ndim and x.shape[d] == 0:
            raise IndexError(f"{op}: cannot reduce over dim {d} of size 0 (shape {x.shape}): "
                             f"expected reduction dim {d} to have non-zero size")


def _drop(shape: tuple, axis: tuple | None) -> tuple:
    return () if axis is None else tuple(n for i, n in enumerate(shape) if i not in axis)


def amax(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    """The largest values over ``dim`` (all dims if None); ties share the gradient."""
    return _minmax(x, dim, keepdim, axis, keepdims, "amax", np.maximum)


def amin(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    return _minmax(x, dim, keepdim, axis, keepdims, "amin", np.minimum)


def _minmax(x: Tensor, dim, keepdim, axis, keepdims, op: str, ufunc: Any,
            nan_evenly: bool = False) -> Tensor:
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    ax, kd = _axes(dim, axis, keepdim, keepdims, x.ndim, op)
    _check_nonempty(x, ax, op)
    return Amax.apply(x, ax, kd, ufunc, nan_evenly)


class MaxDim(Function):
    """values, indices = the max along dim d (``arg`` np.argmax; np.argmin for min), the
    first one on ties and the first NaN if any (as torch); the indices get no gradient;
    gx = gv put at the indices, 0 elsewhere (``PutAlongDim``)"""

    @staticmethod
    def forward(ctx, x, dim, keepdim, arg):
        idx = arg(x, axis=dim, keepdims=True)               # (K)
        values = np.take_along_axis(x, idx, dim)
        ctx.save_for_backward(idx)
        ctx.dim, ctx.shape, ctx.keepdim = dim, x.shape, keepdim
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        indices = idx.astype(np.int64)          # a copy: the output is not the saved array
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, gv, gi):
        (idx,) = ctx.saved_tensors
        if not ctx.keepdim:
            gv = gv.reshape(idx.shape)
        return PutAlongDim.apply(gv, idx, ctx.dim, ctx.shape)


class PutAlongDim(Function):
    """gx = zeros of shape S with g (shape K) put at idx along dim;  gg = ggx taken at idx
    (``TakeAlongDim``)"""

    @staticmethod
    def forward(ctx, g, idx, dim, shape):
        gx = np.zeros(shape, g.dtype)
        np.put_along_axis(gx, idx, g, dim)
        ctx.save_for_backward(idx)
        ctx.dim = dim
        return gx

    @staticmethod
    def backward(ctx, ggx):
        (idx,) = ctx.saved_tensors
        return TakeAlongDim.apply(ggx, idx, ctx.dim)


class TakeAlongDim(Function):
    """y = x taken at idx along dim (shape K);  gx = gy put at idx (``PutAlongDim``)"""

    @staticmethod
    def forward(ctx, x, idx, dim):
        ctx.save_for_backward(idx)
        ctx.dim, ctx.shape = dim, x.shape
        return np.take_along_axis(x, idx, dim)

    @staticmethod
    def backward(ctx, gy):
        (idx,) = ctx.saved_tensors
        return PutAlongDim.apply(gy, idx, ctx.dim, ctx.shape)


def _max_dim(x: Tensor, dim: Any, keepdim: bool, arg: Any, op: str) -> tuple:
    d = norm_dim(dim, x.ndim, op)
    if not x.ndim:
        return MaxResult(x, Tensor(np.zeros((), np.int64)))
    if x.shape[d] == 0:
        raise IndexError(f"{op}: cannot reduce over dim {d} of size 0 (shape {x.shape}): "
                         f"expected reduction dim {d} to have non-zero size")
    return MaxResult(*MaxDim.apply(x, d, keepdim, arg))


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
        return maximum(x, dim)
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return _minmax(x, None, False, None, None, "max", np.maximum, True)
    return _max_dim(x, dim, keepdim, np.argmax, "max")


def min(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
        keepdims: bool | None = None) -> Any:
    """``min(x)``, ``min(x, dim) -> (values, indices)``, or elementwise ``min(a, b)``."""
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return _minmax(x, None, False, None, None, "min", np.minimum, True)
    return _max_dim(x, dim, keepdim, np.argmin, "min")


def _arg(fn, x: Tensor, dim, keepdim, axis, keepdims, op) -> Tensor:
    if x.array.dtype.kind == "b":
        raise unsupported(op, x.array.dtype, f"{op}() does not support bool input")
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        if x.array.size == 0:
            raise IndexError(f"{op}: cannot take the {op} of an empty tensor of shape "
                             f"{x.shape}: expected reduction dim to be specified for "
                             f"input.numel() == 0")
        r = fn(x.array.reshape(-1))
        return Tensor(np.asarray(r, np.int64).reshape((1,) * x.ndim if keepdim else ()))
    d = norm_dim(dim, x.ndim, op)
    if x.ndim == 0:
        return Tensor(np.zeros((), np.int64))
    if x.shape[d] == 0:
        raise IndexError(f"{op}: cannot reduce over dim {d} of size 0 (shape {x.shape}): "
                         f"expected reduction dim {d} to have non-zero size")
    return Tensor(fn(x.array, axis=d, keepdims=keepdim).astype(np.int64))


def argmax(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
           keepdims: bool | None = None) -> Tensor:
    """Index of the largest element (of the flattened tensor if ``dim`` is None)."""
    return _arg(np.argmax, x, dim, keepdim, axis, keepdims, "argmax")


def argmin(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
           keepdims: bool | None = None) -> Tensor:
    return _arg(np.argmin, x, dim, keepdim, axis, keepdims, "argmin")


# ---- logsumexp / prod --------------------------------------------------------
class LogSumExp(Function):
    """y = log sum_A exp(x) (shifted by the max);  gx = gy * exp(x - y)"""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        ctx.kshape = _kshape(x.shape, axis)
        m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)        # -inf if empty
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):                              # log(0) = -inf
            yk = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
        yk = like_inputs(yk, x)
        y = yk if keepdims else yk.reshape(_drop(yk.shape, axis))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        return gy.reshape(ctx.kshape) * np.exp(x - y.reshape(ctx.kshape))


class Prod(Function):
    """y = prod_A x;  gx = gy * (product of the other elements), exact with zeros"""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        _setup(ctx, x, axis)
        ctx.save_for_backward(x)
        return np.prod(x, axis=axis, keepdims=keepdims)

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        axis = ctx.axis
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
        return gy.reshape(ctx.kshape) * others


def logsumexp(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
              keepdims: bool | None = None) -> Tensor:
    """log(sum(exp(x))) over ``dim``, computed stably; integer tensors give the default
    float dtype (as torch)."""
    if x.array.dtype.kind not in "fc":
        x = from_numpy(x.array.astype(get_default_dtype()))
    return _red(LogSumExp, x, dim, keepdim, axis, keepdims, "logsumexp")


def prod(x: Tensor, dim: Any = None, keepdim: bool = False, *, axis: Any = None,
         keepdims: bool | None = None) -> Tensor:
    """Product over ``dim`` (all dims if None); bool and integer tensors give int64."""
    return _red(Prod, _as_int64(x), dim, keepdim, axis, keepdims, "prod")


# ============================================================================
# softmax / log_softmax along one dim
# ============================================================================
class SoftmaxFn(Function):
    """y = exp(x - max) / sum exp(x - max);  gx = y * (gy - sum(gy * y))
    (a row of -inf everywhere gives nan, as torch)"""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        with np.errstate(invalid="ignore"):                 # -inf - -inf in such a row
            e = np.exp(x - np.max(x, axis=dim, keepdims=True, initial=-np.inf))
            e /= e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(e)
        return e

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        gyy = gy * y
        return gyy - y * gyy.sum(axis=ctx.dim, keepdims=True)


class LogSoftmaxFn(Function):
    """y = x - logsumexp(x);  gx = gy - exp(y) * sum(gy)"""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        with np.errstate(divide="ignore", invalid="ignore"):    # an empty dim: log(0)
            z = x - np.max(x, axis=dim, keepdims=True, initial=-np.inf)
            y = z - np.log(np.exp(z).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return gy - np.exp(y) * gy.sum(axis=ctx.dim, keepdims=True)


def _softmax_input(x: Tensor, dim: Any, axis: Any, dtype: Any, op: str) -> tuple:
    """The input (cast to ``dtype`` first, as torch) and the dim; integer and bool inputs
    raise as torch (softmax is computed in floating dtypes only)."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: pass dim or axis, not both")
        dim = axis
    if dim is None:
        raise TypeError(f"{op}: dim is required (e.g. dim=-1)")
    if dtype is not None:
        x = x.astype(dtype)
    if x.array.dtype.kind != "f":
        raise unsupported(op, x.array.dtype, f"{op} needs a floating input: pass "
                          f"dtype=nl.float32 or call .float() first")
    return x, norm_dim(dim, x.ndim, op)


def softmax(x: Tensor, dim: Any = None, dtype: Any = None, *, axis: Any = None) -> Tensor:
    """exp(x) normalised to sum 1 along ``dim``; ``dtype`` casts the input first (float16
    is computed in float32 and rounded once, as torch)."""
    x, d = _softmax_input(x, dim, axis, dtype, "softmax")
    if x.array.dtype == np.float16:
        return via_float32(SoftmaxFn.apply, x, d)
    return SoftmaxFn.apply(x, d)


def log_softmax(x: Tensor, dim: Any = None, dtype: Any = None, *,
                axis: Any = None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably; ``dtype`` casts the input first."""
    x, d = _softmax_input(x, dim, axis, dtype, "log_softmax")
    if x.array.dtype == np.float16:
        return via_float32(LogSoftmaxFn.apply, x, d)
    return LogSoftmaxFn.apply(x, d)
