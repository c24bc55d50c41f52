"""Order statistics and NaN-aware reductions: median nanmedian mode quantile nanquantile,
nansum nanmean, std_mean var_mean, aminmax, cov corrcoef.

Notation: x has shape S and is reduced along dim d (size n); ``order`` is the stable
ascending sorting permutation of x along d (NaN ranks above every number, as torch's
sort), so among equal elements the one with the smaller index comes first; m is the
number of non-NaN elements of a slice.

    median(dim):     the element at order position (n - 1) // 2 -- the lower median --
                     or the first NaN of a slice that has one (the value is then NaN);
                     gx = gv put at that index
    nanmedian(dim):  the element at order position (m - 1) // 2 (NaNs ignored; the first
                     NaN when all are NaN)
    median():        the same over all elements; gx = gy shared evenly among the
                     elements equal to the median (the NaNs when it is NaN), as torch
    mode(dim):       the most frequent value (the smallest on a tie of counts) and the
                     last index holding it; gx = gv put at that index
    quantile(q):     r = q (n - 1) (NaN in a slice: r = n - 1, the NaN); below/above =
                     the sorted values at floor(r)/ceil(r), y = lerp(below, above, r -
                     floor(r)) (``linear``; ``lower``/``higher``/``nearest`` round r
                     first, ``midpoint`` weighs 0.5); nanquantile uses m for n. The
                     gradient flows through sort, gather and lerp, as torch's.

Every op above but mode and the medians is a composition of differentiable ops
(sort, gather, where, sum, var, mm ...), so their own gradients come from those.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor, from_numpy, get_default_dtype
from ._util import ShapeError, norm_dim, unsupported
from .indexing import gather
from .linalg import mm
from .matrix import diagonal
from .pointwise import clamp, sqrt, where
from .reduction import MaxResult, _minmax, _red, _setup, mean, std, sum as _sum, var
from .shape import BroadcastTo
from .shape import movedim, reshape, unsqueeze
from .sorting import _TakeIndexed, _order, sort


# ============================================================================
# median / nanmedian / mode
# ============================================================================
class Median(_TakeIndexed):
    """values, indices = the median element of x along dim and its index;  gx = gv put at
    that index, 0 elsewhere"""


class Mode(_TakeIndexed):
    """values, indices = the most frequent value along dim and its last index;  gx = gv
    put at that index, 0 elsewhere"""


class MedianAll(Function):
    """y = the median of all elements (``value``, found by the caller);  gx = gy * w,
    w = 1 / count on the elements equal to y (on the NaNs when y is NaN), 0 elsewhere:
    gy shared evenly among ties, as torch"""

    @staticmethod
    def forward(ctx, x, value):
        if x.dtype.kind == "f":
            hit = np.isnan(x) if np.isnan(value) else x == value
            with np.errstate(invalid="ignore", divide="ignore"):
                ctx.save_for_backward(hit / x.dtype.type(hit.sum()))
        return value.copy()

    @staticmethod
    def backward(ctx, gy):
        (w,) = ctx.saved_tensors
        return gy * w


def _median_index(x: np.ndarray, dim: int, ignore_nan: bool) -> np.ndarray:
    """The index along ``dim`` of the (nan)median of each slice, keepdim-shaped."""
    n = x.shape[dim]
    order = _order(x, dim, False)
    m = n - np.isnan(x).sum(axis=dim, keepdims=True) if x.dtype.kind == "f" else None
    if m is None:
        pos = np.full(order.shape[:dim] + (1,) + order.shape[dim + 1:], (n - 1) // 2)
    elif ignore_nan:
        pos = np.maximum(m - 1, 0) // 2
    else:                                        # a NaN: the first one, at position m
        pos = np.where(m < n, m, (n - 1) // 2)
    return np.take_along_axis(order, pos, dim)


def _check_reduced(x: Tensor, d: int, op: str) -> None:
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size (input "
                         f"shape {x.shape})")


def _median(input: Any, dim: Any, keepdim: bool, ignore_nan: bool, op: str) -> Any:
    x = as_tensor(input)
    if dim is None:
        flat = x.array.reshape(-1)
        if flat.size == 0:
            value = np.array(np.nan, flat.dtype if flat.dtype.kind == "f"
                             else get_default_dtype())
            return MedianAll.apply(x, value) if x.dtype.kind == "f" else from_numpy(value)
        i = _median_index(flat, 0, ignore_nan)
        return MedianAll.apply(x, np.asarray(flat[i[0]]))
    d = norm_dim(dim, x.ndim, op)
    if x.ndim == 0:
        return MaxResult(x.clone(), from_numpy(np.zeros((), np.int64)))
    _check_reduced(x, d, op)
    idx = _median_index(x.array, d, ignore_nan)
    return MaxResult(*Median.apply(x, idx, d, not keepdim))


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The median: the lower of the two middle values for an even count, not their mean.

    ``median(input)`` is the median of all elements (NaN if any is NaN), a 0-d tensor
    whose gradient is shared evenly among the elements equal to it. ``median(input,
    dim)`` returns ``(values, indices)`` along ``dim``: on ties the index is the one a
    stable sort puts at the middle position (what torch returns); a slice with a NaN
    gives NaN and the index of its first NaN. The gradient goes to that index.

    Args:
        input (Tensor): any shape and dtype.
        dim (int, optional): the dim to reduce; None: all elements, no indices.
            Default: None.
        keepdim (bool): keep ``dim`` with size 1. Default: False.

    Returns:
        A Tensor (no dim), or ``(values, indices)`` (``.values``, ``.indices``, int64).

    Shape: S -> () without dim; else S without ``dim`` (size 1 with ``keepdim``), twice.

    Example:
        >>> nl.median(nl.tensor([4.0, 1.0, 3.0, 2.0]))
        tensor(2.)
        >>> nl.median(nl.tensor([[4.0, 1.0, 3.0]]), 1)
        (tensor([3.]), tensor([2]))
    """
    return _median(input, dim, keepdim, False, "median")


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """``median`` ignoring NaNs: the lower median of the non-NaN elements (NaN for a
    slice of NaNs only, whose index is then that of its first element).

    Args:
        input (Tensor): any shape and dtype.
        dim (int, optional): the dim to reduce; None: all elements. Default: None.
        keepdim (bool): keep ``dim`` with size 1. Default: False.

    Returns:
        A Tensor (no dim), or ``(values, indices)``.

    Shape: as ``median``.

    Example:
        >>> nl.nanmedian(nl.tensor([1.0, float("nan"), 3.0, 2.0]))
        tensor(2.)
    """
    return _median(input, dim, keepdim, True, "nanmedian")


def _mode_index(x: np.ndarray, dim: int) -> np.ndarray:
    """The index of the mode of each slice along ``dim`` (keepdim-shaped): runs of equal
    values in sorted order (NaNs one run), the longest one, the smallest value on a tie,
    its last element (the largest index: the sort is stable)."""
    a = np.moveaxis(x, dim, -1)
    n = a.shape[-1]
    order = np.argsort(a, axis=-1, kind="stable")
    s = np.take_along_axis(a, order, -1)
    same = s[..., 1:] == s[..., :-1]
    if a.dtype.kind == "f":
        same |= np.isnan(s[..., 1:]) & np.isnan(s[..., :-1])
    pos = np.arange(n)
    false = np.zeros(a.shape[:-1] + (1,), bool)
    starts = ~np.concatenate([false, same], -1)               # a run begins here
    ends = ~np.concatenate([same, false], -1)                 # a run ends here
    start = np.maximum.accumulate(np.where(starts, pos, 0), axis=-1)
    end = np.flip(np.minimum.accumulate(np.flip(np.where(ends, pos, n - 1), -1), -1), -1)
    best = np.argmax(end - start, axis=-1)[..., None]          # the first longest run
    last = np.take_along_axis(end, best, -1)
    idx = np.take_along_axis(order, last, -1)
    return np.moveaxis(idx, -1, dim)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> MaxResult:
    """The most frequent value along ``dim`` and an index where it occurs.

    On a tie of counts the smallest value wins, and the index is the last occurrence of
    the value (torch's answer for dims of up to 16 elements; beyond that torch's index
    depends on its unstable sort). NaNs count as one value, ranked above every number
    (torch's NaN handling in mode depends on its sort order).

    Args:
        input (Tensor): any shape and dtype.
        dim (int): the dim to reduce. Default: -1.
        keepdim (bool): keep ``dim`` with size 1. Default: False.

    Returns:
        ``(values, indices)`` (``.values``, ``.indices``, int64); the gradient goes to
        the index.

    Shape: S -> S without ``dim`` (size 1 with ``keepdim``), twice.

    Example:
        >>> nl.mode(nl.tensor([3, 1, 3, 1, 2]))
        (tensor(1), tensor(3))
    """
    x = as_tensor(input)
    d = norm_dim(dim, x.ndim, "mode")
    if x.ndim == 0:
        return MaxResult(x.clone(), from_numpy(np.zeros((), np.int64)))
    _check_reduced(x, d, "mode")
    return MaxResult(*Mode.apply(x, _mode_index(x.array, d), d, not keepdim))


# ============================================================================
# quantile / nanquantile
# ============================================================================
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _q_array(q: Any, x: Tensor, op: str) -> tuple:
    """q as a 1-D array of x's dtype, and whether it was a scalar."""
    if isinstance(q, Tensor):
        qa = q.array
        if qa.ndim > 1:
            raise ShapeError(f"{op}() q must be a scalar or 1D tensor, got shape {q.shape}")
        if qa.dtype != x.dtype:
            raise TypeError(f"{op}() q tensor must be same dtype as the input tensor: q "
                            f"{qa.dtype}, input {x.dtype}")
        if qa.size and not ((qa >= 0) & (qa <= 1)).all():
            raise ValueError(f"{op}() q values must be in the range [0, 1]")
        return qa.reshape(-1), qa.ndim == 0
    if isinstance(q, (list, tuple)):
        raise TypeError(f"{op}() q must be a float or a Tensor, got a {type(q).__name__} "
                        f"(use nl.tensor(q, dtype=input.dtype))")
    qf = float(q)
    if not 0 <= qf <= 1:
        raise ValueError(f"{op}() q must be in the range [0, 1] but got {qf}")
    return np.array([qf], x.dtype), True


def _quantile(input: Any, q: Any, dim: Any, keepdim: bool, interpolation: str,
              ignore_nan: bool, op: str) -> Tensor:
    x = as_tensor(input)
    if x.dtype not in (np.float32, np.float64):
        raise unsupported(op, x.dtype, f"{op}() input tensor must be either float or "
                          f"double dtype")
    qa, scalar = _q_array(q, x, op)
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op}() interpolation must be one of linear, lower, higher, "
                         f"midpoint or nearest. Got {interpolation!r}")
    if x.numel() == 0:
        raise ValueError(f"{op}() input tensor must be non-empty (shape {x.shape})")
    ndim = x.ndim
    if dim is None:
        x, d = reshape(x, (-1,)), 0
    else:
        d = norm_dim(dim, ndim, op)
        if ndim == 0:
            x = reshape(x, (1,))
    s = sort(movedim(x, d, -1), -1).values                     # R + (n,), NaN last
    n = s.shape[-1]
    nan = np.isnan(s.array)
    dt = x.dtype.type
    if ignore_nan:
        ranks = qa * (n - nan.sum(-1, keepdims=True) - 1).astype(x.dtype)
        ranks = np.where(ranks < 0, dt(0), ranks)
    else:
        ranks = np.where(nan.any(-1, keepdims=True), dt(n - 1), qa * dt(n - 1))
    ranks = np.broadcast_to(ranks, s.shape[:-1] + qa.shape)     # R + (Q,)
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)                                 # half to even, as torch
    below_i = ranks.astype(np.int64)
    out = gather(s, -1, below_i)
    if interpolation in ("linear", "midpoint"):
        w = (np.full_like(ranks, 0.5) if interpolation == "midpoint"
             else ranks - below_i.astype(x.dtype))
        above = gather(s, -1, np.ceil(ranks).astype(np.int64))
        step = above - out
        out = where(w < 0.5, out + step * w, above - step * (1 - w))    # torch's lerp
    if dim is None:
        out = reshape(out, (1,) * ndim + qa.shape) if keepdim else out
    elif keepdim and ndim:
        out = unsqueeze(out, d)
    return out[..., 0] if scalar else movedim(out, -1, 0)


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Tensor:
    """The ``q``-quantiles of ``input`` along ``dim`` (of all elements when None).

    The values are sorted; quantile q sits at rank r = q (n - 1), between the sorted
    values at floor(r) and ceil(r), which ``interpolation`` combines: ``linear`` (by the
    fraction of r), ``lower``, ``higher``, ``nearest`` (r rounded half to even, as
    torch) or ``midpoint`` (their mean). A slice holding a NaN gives NaN. The gradient
    goes to the sorted elements used, sorted stably: among equal values, the ones torch
    picks on dims of up to 16 elements (beyond, torch's sort is not stable and may pick
    other equal ones; the values agree).

    Args:
        input (Tensor): float32 or float64, non-empty.
        q (float or Tensor): in [0, 1]; a 0-d or 1-D tensor of input's dtype.
        dim (int, optional): the dim to reduce; None: all elements. Default: None.
        keepdim (bool): keep the reduced dim(s) with size 1. Default: False.
        interpolation (str): ``"linear"``, ``"lower"``, ``"higher"``, ``"midpoint"`` or
            ``"nearest"`` (keyword only). Default: ``"linear"``.

    Shape: S -> S without ``dim`` (size 1 with ``keepdim``; () or all ones without dim),
    with a leading dim of q's size when q is 1-D.

    Example:
        >>> nl.quantile(nl.tensor([0.0, 1.0, 2.0, 10.0]), 0.5)
        tensor(1.5)
        >>> nl.quantile(nl.tensor([0.0, 1.0, 2.0, 10.0]), nl.tensor([0.25, 1.0]))
        tensor([ 0.75, 10.  ])
    """
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Tensor:
    """``quantile`` ignoring NaNs: each slice's quantiles of its non-NaN values (NaN for
    a slice of NaNs only). Arguments as ``quantile``.

    Args:
        input (Tensor): float32 or float64, non-empty.
        q (float or Tensor): in [0, 1].
        dim (int, optional): the dim to reduce. Default: None.
        keepdim (bool): keep the reduced dim(s). Default: False.
        interpolation (str): as ``quantile`` (keyword only). Default: ``"linear"``.

    Shape: as ``quantile``.

    Example:
        >>> nl.nanquantile(nl.tensor([1.0, float("nan"), 3.0]), 0.5)
        tensor(2.)
    """
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


# ============================================================================
# nansum / nanmean, std_mean / var_mean, aminmax
# ============================================================================
class NanSum(Function):
    """y = sum_A x with NaN taken as 0;  gx = broadcast(gy) * (x is not NaN): a product,
    as torch's, so an inf or NaN in gy (nanmean of NaNs only) gives NaN there"""

    @staticmethod
    def forward(ctx, x, axis, keepdims):
        _setup(ctx, x, axis)
        keep = ~np.isnan(x)
        ctx.save_for_backward(keep)
        return np.asarray(np.sum(np.where(keep, x, x.dtype.type(0)), axis=axis,
                                 keepdims=keepdims))

    @staticmethod
    def backward(ctx, gy):
        (keep,) = ctx.saved_tensors
        with np.errstate(invalid="ignore"):                 # inf * 0 at a NaN: NaN
            return BroadcastTo.apply(gy.reshape(ctx.kshape), ctx.shape) * keep


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
           axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """The sum over ``dim`` treating NaN as 0 (their gradient is 0); bool and integer
    tensors sum to int64, as ``sum``.

    Args:
        input (Tensor): any shape and dtype.
        dim (int or tuple of ints, optional): the dims to reduce; None: all. Default: None.
        keepdim (bool): keep the reduced dims with size 1. Default: False.
        dtype (optional): cast the input to this dtype first (keyword only). Default: None.
        axis, keepdims: NumPy's names of ``dim`` and ``keepdim`` (keyword only).

    Shape: S -> S without ``dim`` (size 1 with ``keepdim``).

    Example:
        >>> nl.nansum(nl.tensor([1.0, float("nan"), 2.0]))
        tensor(3.)
    """
    x = as_tensor(input)
    if dtype is not None:
        x = x.astype(dtype)
    if x.dtype.kind != "f":
        return _sum(x, dim, keepdim, axis=axis, keepdims=keepdims)
    return _red(NanSum, x, dim, keepdim, axis, keepdims, "nansum")


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
            axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """The mean over ``dim`` of the non-NaN elements (NaN where all are NaN).

    Args:
        input (Tensor): a floating tensor (or pass ``dtype``).
        dim (int or tuple of ints, optional): the dims to reduce; None: all. Default: None.
        keepdim (bool): keep the reduced dims with size 1. Default: False.
        dtype (optional): cast the input to this dtype first (keyword only). Default: None.
        axis, keepdims: NumPy's names of ``dim`` and ``keepdim`` (keyword only).

    Shape: S -> S without ``dim`` (size 1 with ``keepdim``).

    Example:
        >>> nl.nanmean(nl.tensor([1.0, float("nan"), 2.0]))
        tensor(1.5)
    """
    x = as_tensor(input)
    if dtype is not None:
        x = x.astype(dtype)
    if x.dtype.kind != "f":
        raise unsupported("nanmean", x.dtype, "nanmean(): expected input to have floating "
                          "point dtype (pass dtype= or call .float())")
    count = _sum(from_numpy(np.asarray(~np.isnan(x.array))), dim, keepdim, axis=axis,
                 keepdims=keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _red(NanSum, x, dim, keepdim, axis, keepdims, "nanmean") / count


def _moments(fn: Any, input: Any, dim: Any, unbiased: Any, keepdim: bool, correction: Any,
             op: str) -> tuple:
    x = as_tensor(input)
    if isinstance(dim, bool):                    # torch's overload op(input, unbiased)
        dim, unbiased = None, dim
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    return fn(x, dim, unbiased, keepdim, correction=correction), mean(x, dim, keepdim)


def var_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: Any = None) -> tuple:
    """``(var(input, ...), mean(input, ...))`` over the same dims, as a tuple.

    Args:
        input (Tensor): a floating tensor.
        dim (int or tuple of ints, optional): the dims; None: all. A bool here is
            ``unbiased`` (torch's ``var_mean(input, unbiased)``). Default: None.
        unbiased (bool, optional): Bessel's correction (``correction=1``) or none.
            Default: None (correction 1).
        keepdim (bool): keep the reduced dims with size 1. Default: False.
        correction (int or float, optional): subtract this from the count (keyword only).
            Default: None (1).

    Shape: S -> S without ``dim`` (size 1 with ``keepdim``), twice.

    Example:
        >>> nl.var_mean(nl.tensor([1.0, 2.0, 3.0]))
        (tensor(1.), tensor(2.))
    """
    return _moments(var, input, dim, unbiased, keepdim, correction, "var_mean")


def std_mean(input: Tensor, dim: Any = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: Any = None) -> tuple:
    """``(std(input, ...), mean(input, ...))`` over the same dims, as a tuple; arguments
    as ``var_mean``.

    Args:
        input (Tensor): a floating tensor.
        dim (int or tuple of ints, optional): the dims; None: all. Default: None.
        unbiased (bool, optional): Bessel's correction or none. Default: None (1).
        keepdim (bool): keep the reduced dims with size 1. Default: False.
        correction (int or float, optional): keyword only. Default: None (1).

    Shape: S -> S without ``dim`` (size 1 with ``keepdim``), twice.

    Example:
        >>> nl.std_mean(nl.tensor([1.0, 2.0, 3.0]))
        (tensor(1.), tensor(2.))
    """
    return _moments(std, input, dim, unbiased, keepdim, correction, "std_mean")


class MinMaxResult(tuple):
    """``(min, max)`` with attribute access, as torch's ``aminmax`` returns."""

    def __new__(cls, min: Tensor, max: Tensor) -> "MinMaxResult":
        return super().__new__(cls, (min, max))

    min = property(lambda self: self[0])
    max = property(lambda self: self[1])

    def __repr__(self) -> str:
        return f"aminmax(min={self[0]!r}, max={self[1]!r})"


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> MinMaxResult:
    """The smallest and the largest values over ``dim`` (all elements when None), in one
    call; each gradient is shared among its ties, as ``amin`` and ``amax``.

    Args:
        input (Tensor): any shape and dtype.
        dim (int, optional): the dim to reduce (keyword only). Default: None.
        keepdim (bool): keep ``dim`` with size 1 (keyword only). Default: False.

    Returns:
        ``(min, max)``, also ``.min`` and ``.max``.

    Shape: S -> S without ``dim`` (size 1 with ``keepdim``), twice.

    Example:
        >>> nl.aminmax(nl.tensor([3, 1, 2]))
        aminmax(min=tensor(1), max=tensor(3))
    """
    x = as_tensor(input)
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"aminmax(): dim must be an int or None, got {dim!r}")
    if dim is None and x.numel() == 0:
        raise ValueError(f"aminmax(): cannot compute aminmax over an empty dimension as the "
                         f"operation has no identity (input shape {x.shape})")
    if dim is not None and x.ndim and x.shape[norm_dim(dim, x.ndim, "aminmax")] == 0:
        raise IndexError(f"aminmax: Expected reduction dim {dim} to have non-zero size "
                         f"(input shape {x.shape})")
    return MinMaxResult(_minmax(x, dim, keepdim, None, None, "aminmax", np.minimum),
                        _minmax(x, dim, keepdim, None, None, "aminmax", np.maximum))


# ============================================================================
# cov / corrcoef
# ============================================================================
def _weights(w: Any, name: str, n: int, kinds: str, kind_name: str) -> Tensor:
    w = as_tensor(w)
    if w.ndim > 1:
        raise ShapeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                         f"{name} with {w.ndim} dimensions")
    if w.dtype.kind not in kinds:
        raise unsupported("cov", w.dtype, f"cov(): expected {name} to have {kind_name} "
                          f"dtype but got {name} with dtype {w.dtype}")
    if w.numel() != n:
        raise ShapeError(f"cov(): expected {name} to have the same numel as there are "
                         f"observations in the input but got {w.numel()} != {n}")
    if n and (w.array < 0).any():
        raise ValueError(f"cov(): {name} cannot be negative")
    return reshape(w, (n,))


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in
    the columns), as NumPy's ``cov`` and torch's.

    With weights w (fweights times aweights) the mean is sum(w x) / sum(w) and the
    covariance sum(w (x - mean)(y - mean)) divided by sum(w) - correction (with
    aweights: sum(w) - correction * sum(w aweights) / sum(w)); a divisor <= 0 gives inf
    or NaN, with a warning.

    Args:
        input (Tensor): (variables, observations), or 1-D (one variable), or 0-d.
        correction (int): subtract this from the number of observations (keyword only);
            1 is Bessel's correction. Default: 1.
        fweights (Tensor, optional): integer repetition counts, one per observation,
            >= 0 (keyword only). Default: None.
        aweights (Tensor, optional): floating importance weights, one per observation,
            >= 0 (keyword only). Default: None.

    Shape: (V, N) -> (V, V); (N,) -> ().

    Example:
        >>> nl.cov(nl.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    x = as_tensor(input)
    if x.ndim > 2:
        raise ShapeError(f"cov(): expected input to have two or fewer dimensions but got an "
                         f"input with {x.ndim} dimensions (shape {x.shape})")
    if x.dtype == np.bool_:
        raise unsupported("cov", x.dtype, "cov(): bool dtype is not supported for input")
    if x.dtype.kind in "iu":
        x = x.astype(get_default_dtype())
    x = reshape(x, (1, -1)) if x.ndim < 2 else x                    # (V, N)
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = _weights(fweights, "fweights", n, "iu", "integral").astype(x.dtype)
    if aweights is not None:
        aw = _weights(aweights, "aweights", n, "f", "floating point").astype(x.dtype)
        w = aw if w is None else w * aw
    if w is None:
        avg = mean(x, 1, True)                                      # NaN for N = 0
        factor = float(n - correction)
    else:
        w_sum = _sum(w)
        if float(w_sum.item()) == 0:
            raise ValueError("cov(): weights sum to zero, can't be normalized")
        avg = _sum(x * w, 1, True) / w_sum
        if correction == 0:
            factor = w_sum
        elif aweights is None:
            factor = w_sum - correction
        elif fweights is None and n == 1 and correction == 1:
            factor = w_sum * 0
        else:
            factor = w_sum - correction * _sum(w * aw) / w_sum
    f = float(factor.item()) if isinstance(factor, Tensor) else factor
    if f <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the number of observations.", UserWarning, stacklevel=2)
        factor = 0.0
    if n == 1 and (fweights is None) != (aweights is None):
        xc = x * 0                              # x - avg is exactly 0 here, as torch
    else:
        xc = x - avg
    c = mm(xc, (xc * w if w is not None else xc).T)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = c / factor
    return c.squeeze()


def corrcoef(input: Tensor) -> Tensor:
    """Pearson's correlation coefficients of the variables in the rows of ``input``:
    ``cov`` scaled by the standard deviations, clipped to [-1, 1].

    Args:
        input (Tensor): (variables, observations), 1-D or 0-d.

    Shape: (V, N) -> (V, V); (N,) -> () (1, or NaN for a constant).

    Example:
        >>> nl.corrcoef(nl.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.5]]))[0, 1].item() < 0
        True
    """
    x = as_tensor(input)
    if x.ndim > 2:
        raise ShapeError(f"corrcoef(): expected input to have two or fewer dimensions but "
                         f"got an input with {x.ndim} dimensions (shape {x.shape})")
    c = cov(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        if c.ndim == 0:
            return c / c
        s = sqrt(diagonal(c))
        c = c / reshape(s, (-1, 1)) / reshape(s, (1, -1))
    return clamp(c, -1, 1)


TENSOR_METHODS = {"median": median, "nanmedian": nanmedian, "mode": mode,
                  "quantile": quantile, "nanquantile": nanquantile, "nansum": nansum,
                  "nanmean": nanmean, "aminmax": aminmax, "cov": cov, "corrcoef": corrcoef}
