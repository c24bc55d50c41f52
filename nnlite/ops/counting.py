"""Counting and searching by value: unique, unique_consecutive, bincount, histc,
histogram, searchsorted, bucketize, count_nonzero.

Notation: x has shape S (n elements); a sorted sequence ``seq`` of m boundaries (a 1-D
tensor, or one row per leading index of the values); ``edges`` are the b + 1 edges of
b bins. The results are int64 positions and counts (int32 on request where torch has
``out_int32``), or histograms in the input's floating dtype.

Only ``bincount``'s ``weights`` carry a gradient (as in torch): each weight receives the
gradient of the bin it was added to. Everything else here counts or locates and is not
differentiable.

Equality, as torch: NaN equals nothing, so every NaN is a value of its own in
``unique``; ``-0.0`` equals ``0.0``. A search compares as torch's binary search does
(``!(boundary >= value)`` moves right), so a NaN value is placed after every boundary.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..factories import _linspace, as_tensor
from ..tensor import Tensor, from_numpy
from ._util import ShapeError, norm_dim, result_type, unsupported


def _array(x: Any) -> np.ndarray:
    return x.array if isinstance(x, Tensor) else np.asarray(x)


# ============================================================================
# unique, unique_consecutive
# ============================================================================
def _group_starts(s: np.ndarray) -> np.ndarray:
    """True where row k of ``s`` (n, m) differs from row k - 1 (and at row 0); NaN
    differs from everything, itself included."""
    starts = np.ones(s.shape[0], np.bool_)
    if s.shape[0] > 1:
        starts[1:] = (s[1:] != s[:-1]).any(axis=1) if s.shape[1] else False
    return starts


def _unique_rows(rows: np.ndarray, sort: bool) -> tuple:
    """The distinct rows of ``rows`` (n, m) in sorted order (lexicographic, NaN last) if
    ``sort``, else its runs of equal rows; with the inverse (n) and the counts."""
    n = rows.shape[0]
    if sort and n:
        keys = [rows[:, j] for j in range(rows.shape[1] - 1, -1, -1)]
        order = np.lexsort(keys) if keys else np.arange(n)
    else:
        order = np.arange(n)
    s = rows[order]
    starts = _group_starts(s)
    group = np.cumsum(starts) - 1                    # the group of each sorted row
    inverse = np.empty(n, np.int64)
    inverse[order] = group
    first = np.flatnonzero(starts)
    counts = np.diff(np.append(first, n)).astype(np.int64)
    return s[first], inverse, counts


def _unique(op: str, input: Any, sort: bool, return_inverse: bool, return_counts: bool,
            dim: Any) -> Any:
    x = as_tensor(input)
    a = x.array
    if dim is None:
        values, inverse, counts = _unique_rows(a.reshape(-1, 1), sort)
        values, inverse = values.reshape(-1), inverse.reshape(a.shape)
    else:
        d = norm_dim(dim, a.ndim, op)
        if a.ndim == 0:
            a = a.reshape(1)
        moved = np.moveaxis(a, d, 0)
        if any(n == 0 for k, n in enumerate(a.shape) if k != d):
            raise RuntimeError(f"{op}: there are 0 sized dimensions, and they aren't "
                               f"selected, so unique cannot be applied (input shape "
                               f"{x.shape}, dim {dim})")
        width = int(np.prod(moved.shape[1:]))
        rows, inverse, counts = _unique_rows(moved.reshape(moved.shape[0], width), sort)
        values = np.moveaxis(rows.reshape((rows.shape[0],) + moved.shape[1:]), 0, d)
    out = [from_numpy(np.ascontiguousarray(values))]
    if return_inverse:
        out.append(from_numpy(inverse))
    if return_counts:
        out.append(from_numpy(counts))
    return out[0] if len(out) == 1 else tuple(out)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct elements of ``input`` (or its distinct slices along ``dim``), sorted.

    Args:
        input (Tensor): any shape and dtype.
        sorted (bool): sort the result. nnlite always sorts, as torch does on the CPU.
            Default: True.
        return_inverse (bool): also return, for each element (each slice along ``dim``),
            the position of its value in the result. Default: False.
        return_counts (bool): also return how often each distinct value occurs.
            Default: False.
        dim (int, optional): compare whole slices along this dim (sorted
            lexicographically) instead of single elements of the flattened input.
            Default: None.

    Returns:
        The distinct values (1-D; with ``dim``: S with the size of ``dim`` replaced by
        the number of distinct slices), then the int64 inverse (shape S; with ``dim``:
        the size of ``dim``) and the int64 counts, those asked for, as a tuple.

    Example:
        >>> nl.unique(nl.tensor([3, 1, 3, 2]), return_counts=True)
        (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    return _unique("unique", input, True, return_inverse, return_counts, dim)


def unique_consecutive(input: Tensor, return_inverse: bool = False,
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """``input`` with each run of equal consecutive elements (slices along ``dim``)
    replaced by one, as ``itertools.groupby``.

    Args:
        input (Tensor): any shape and dtype.
        return_inverse (bool): also return the run each element belongs to.
            Default: False.
        return_counts (bool): also return the length of each run. Default: False.
        dim (int, optional): compare whole slices along this dim. Default: None (the
            flattened input).

    Returns:
        As ``unique``, with runs in their order instead of sorted values.

    Example:
        >>> nl.unique_consecutive(nl.tensor([1, 1, 2, 2, 1]))
        tensor([1, 2, 1])
    """
    return _unique("unique_consecutive", input, False, return_inverse, return_counts, dim)


# ============================================================================
# bincount (differentiable in weights)
# ============================================================================
class BinCount(Function):
    """y[k] = sum of w[i] over i with x[i] = k;  gw = gy[x]"""

    @staticmethod
    def forward(ctx, w, x, length, dtype):
        ctx.save_for_backward(x)
        return np.bincount(x, weights=w.astype(np.float64, copy=False),
                           minlength=length).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy[x]


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each non-negative integer occurs in ``input`` (the sum of ``weights``
    at its occurrences, if given).

    Args:
        input (Tensor): 1-D, non-negative integers.
        weights (Tensor, optional): 1-D, as long as ``input``; differentiable.
            Default: None.
        minlength (int): the least length of the result. Default: 0.

    Returns:
        A 1-D tensor of length ``max(max(input) + 1, minlength)``: int64 counts, or the
        summed weights (float32 for float32 weights, float64 for any other dtype, as
        torch; an empty input gives int64 zeros, weights or not). Unlike torch, whose
        bincount records no derivative, the result is differentiable in ``weights``.

    Example:
        >>> nl.bincount(nl.tensor([0, 2, 2]), minlength=4)
        tensor([1, 0, 2, 0])
    """
    x = _array(input)
    if x.dtype.kind not in "iu":
        raise unsupported("bincount", x.dtype, "input must hold integers")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs "
                           f"(got shape {x.shape}"
                           + (f", minimum {x.min()})" if x.size and x.ndim == 1 else ")"))
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    length = int(max(int(x.max()) + 1 if x.size else 0, minlength))
    w = None if weights is None else as_tensor(weights)
    if w is not None and w.shape != x.shape:
        raise ShapeError(f"bincount: weights should be 1-d and have the same length as "
                         f"input, got weights of shape {w.shape} for input of shape "
                         f"{x.shape}")
    if w is None or not x.size:          # torch: int64 counts for an empty input too
        return from_numpy(np.bincount(x, minlength=length).astype(np.int64, copy=False))
    dtype = np.float32 if w.dtype == np.float32 else np.float64
    return BinCount.apply(w, x.astype(np.int64, copy=False), length, dtype)


# ============================================================================
# histc, histogram
# ============================================================================
def _float_input(op: str, input: Any) -> np.ndarray:
    a = as_tensor(input).array
    if a.dtype.kind != "f":
        raise unsupported(op, a.dtype, "the input must be a floating tensor")
    return a


def _data_range(a: np.ndarray) -> tuple:
    if not a.size:
        return 0.0, 0.0
    return float(a.min()), float(a.max())


def _check_finite(op: str, lo: float, hi: float) -> None:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"{op}: range of [{lo}, {hi}] is not finite")


def _check_bins(op: str, bins: int) -> None:
    if bins <= 0:
        raise RuntimeError(f"{op}: bins must be > 0, but got {bins}")


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """A histogram of ``input`` in ``bins`` equal bins from ``min`` to ``max``.

    Elements outside ``[min, max]`` are not counted; ``max`` itself falls in the last
    bin. An element goes to bin ``int((x - min) * bins / (max - min))``, computed in the
    input's dtype, as torch.

    Args:
        input (Tensor): floating, any shape (flattened).
        bins (int): the number of bins. Default: 100.
        min (float): the lower end. Default: 0.
        max (float): the upper end; ``min == max`` uses the data's minimum and maximum
            (and widens an empty range by 1 on each side). Default: 0.

    Returns:
        The counts, 1-D of size ``bins``, in the input's dtype.

    Example:
        >>> nl.histc(nl.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    a = _float_input("histc", input)
    _check_bins("histc", bins)
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError(f"histc: max must be larger than min, got min {lo} and max {hi}")
    if lo == hi:
        lo, hi = _data_range(a)
    _check_finite("histc", lo, hi)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    dt = a.dtype.type
    flat = a.reshape(-1)
    lo_t, hi_t = dt(lo), dt(hi)
    x = flat[(flat >= lo_t) & (flat <= hi_t)]
    pos = ((x - lo_t) * dt(bins) / (hi_t - lo_t)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return from_numpy(np.bincount(pos, minlength=bins).astype(a.dtype))


class HistogramResult(tuple):
    """``(hist, bin_edges)`` with attribute access, as torch's ``histogram`` returns."""

    def __new__(cls, hist: Tensor, bin_edges: Tensor) -> "HistogramResult":
        return super().__new__(cls, (hist, bin_edges))

    hist = property(lambda self: self[0])
    bin_edges = property(lambda self: self[1])

    def __repr__(self) -> str:
        return f"histogram(hist={self[0]!r}, bin_edges={self[1]!r})"


def histogram(input: Tensor, bins: Any, *, range: tuple | None = None,
              weight: Tensor | None = None, density: bool = False) -> HistogramResult:
    """A histogram of ``input``, and the edges of its bins.

    An element ``x`` falls in bin k where ``edges[k] <= x < edges[k + 1]`` (the last bin
    also holds ``edges[-1]``); elements outside the edges are not counted.

    Args:
        input (Tensor): floating, any shape (flattened).
        bins (int or Tensor): the number of equal bins, or their edges (1-D,
            increasing, at least 2, in the input's dtype).
        range (tuple of float, optional): ``(min, max)`` of the equal bins (keyword
            only). Default: None (the data's; widened by 0.5 on each side if empty).
        weight (Tensor, optional): one weight per element, the input's dtype and number
            of elements (keyword only). Default: None (each counts 1).
        density (bool): divide by the total and the bin widths, so the histogram
            integrates to 1 (keyword only). Default: False.

    Returns:
        ``(hist, bin_edges)`` (also ``.hist``, ``.bin_edges``): b values and b + 1 edges,
        in the input's dtype.

    Example:
        >>> hist, edges = nl.histogram(nl.tensor([1.0, 2.0, 1.0]), bins=4, range=(0.0, 3.0))
        >>> hist, edges
        (tensor([0., 2., 1., 0.]), tensor([0.  , 0.75, 1.5 , 2.25, 3.  ]))
    """
    a = _float_input("histogram", input)
    flat = a.reshape(-1)
    if isinstance(bins, (Tensor, np.ndarray, list, tuple)):
        edges = _array(bins)
        if edges.ndim != 1:
            raise ShapeError(f"histogram: bins tensor should have one dimension, got shape "
                             f"{edges.shape}")
        if edges.dtype != a.dtype:
            raise TypeError(f"histogram: input and bins should have the same dtype, got "
                            f"input {a.dtype} and bins {edges.dtype}")
        _check_bins("histogram", edges.size - 1)
        if np.any(edges[1:] < edges[:-1]):
            raise ValueError(f"histogram: bin edges must increase monotonically, got "
                             f"{edges.tolist()}")
    else:
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)):
            raise TypeError(f"histogram: bins must be an int or a 1-D tensor, got "
                            f"{type(bins).__name__}")
        _check_bins("histogram", int(bins))
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
            if lo > hi:
                raise RuntimeError(f"histogram: min should not exceed max, but got min {lo} "
                                   f"max {hi}")
        else:
            lo, hi = _data_range(a) if a.size else (0.0, 1.0)
        _check_finite("histogram", lo, hi)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = _linspace("histogram", lo, hi, int(bins) + 1, a.dtype)
    b = edges.size - 1
    w = None
    if weight is not None:
        w = _array(weight)
        if w.dtype != a.dtype:
            raise TypeError(f"histogram: weight should have the input's dtype, got input "
                            f"{a.dtype} and weight {w.dtype}")
        if w.size != a.size:
            raise ShapeError(f"histogram: weight of shape {w.shape} should have as many "
                             f"elements as the input of shape {a.shape}")
        w = w.reshape(-1)
    inside = (flat >= edges[0]) & (flat <= edges[-1])
    pos = np.minimum(np.searchsorted(edges, flat[inside], side="right") - 1, b - 1)
    hist = np.bincount(pos, weights=None if w is None else w[inside].astype(np.float64),
                       minlength=b)
    if density:
        hist = hist / (hist.sum() * np.diff(edges.astype(np.float64)))
    return HistogramResult(from_numpy(hist.astype(a.dtype)),
                           from_numpy(np.array(edges, dtype=a.dtype)))


# ============================================================================
# searchsorted, bucketize
# ============================================================================
def _binary_search(seq: np.ndarray, values: np.ndarray, right: bool) -> np.ndarray:
    """For each value (shape V, rows matching the leading dims of ``seq``; or any shape
    for a 1-D ``seq``), the position in its row of ``seq`` (m) where it goes: torch's
    lower bound (``!(seq[mid] >= v)`` moves right) or upper bound (``!(seq[mid] > v)``),
    one vectorised bisection step for all values at once (log2(m) steps)."""
    m = seq.shape[-1]
    flat_seq = seq.reshape(-1, m) if seq.ndim > 1 else seq.reshape(1, m)
    rows = values.reshape(flat_seq.shape[0], -1) if seq.ndim > 1 else values.reshape(1, -1)
    start = np.zeros(rows.shape, np.int64)
    end = np.full(rows.shape, m, np.int64)
    live = start < end
    while live.any():
        mid = start + ((end - start) >> 1)
        mid_val = np.take_along_axis(flat_seq, np.minimum(mid, m - 1), axis=1)
        with np.errstate(invalid="ignore"):
            go_right = ~(mid_val > rows) if right else ~(mid_val >= rows)
        start = np.where(live & go_right, mid + 1, start)
        end = np.where(live & ~go_right, mid, end)
        live = start < end
    return start.reshape(values.shape)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None,
                 sorter: Tensor | None = None) -> Tensor:
    """Where each value of ``input`` would be inserted into ``sorted_sequence`` to keep
    it sorted (along its last dim).

    Args:
        sorted_sequence (Tensor): 1-D, or N-D with the leading N-1 dims equal to those of
            ``input`` (one sequence per row); sorted along the last dim (or put in order
            by ``sorter``).
        input (Tensor or number): the values.
        out_int32 (bool): return int32 instead of int64 (keyword only). Default: False.
        right (bool): the last suitable position (after equal elements) instead of the
            first (keyword only). Default: False.
        side (str, optional): ``'left'`` or ``'right'``, the same choice as ``right``; it
            must not contradict it (keyword only). Default: None.
        sorter (Tensor, optional): int64 indices, ``sorted_sequence``'s shape, that sort
            it along the last dim (keyword only). Default: None.

    Returns:
        int64 (or int32) positions in ``[0, m]``, ``input``'s shape (0-d for a number).

    Example:
        >>> nl.searchsorted(nl.tensor([1, 3, 5, 7]), nl.tensor([3, 6]), right=True)
        tensor([2, 3])
    """
    seq = _array(sorted_sequence)
    scalar = not isinstance(input, (Tensor, np.ndarray))
    values = np.asarray(input) if scalar else _array(input)
    if seq.ndim == 0:
        raise RuntimeError("searchsorted: boundaries tensor should have positive dimension, "
                           "but got 0 dimension")
    if side is not None:
        if side not in ("left", "right"):
            raise ValueError(f"searchsorted: side can only be 'left' or 'right', but got "
                             f"{side!r}")
        if right and side == "left":
            raise ValueError("searchsorted: side and right can't be set to opposites, got "
                             "side of left while right was True")
        right = side == "right"
    if seq.ndim > 1:
        if values.ndim == 0:
            raise ShapeError(f"searchsorted: input value can be a scalar only when the "
                             f"boundaries tensor is 1-D, but got boundaries of shape "
                             f"{seq.shape}")
        if values.shape[:-1] != seq.shape[:-1]:
            raise ShapeError(f"searchsorted: boundaries tensor should be 1-D or the first "
                             f"N-1 dimensions of boundaries and input value tensor must "
                             f"match, but got boundaries of shape {seq.shape} and input "
                             f"of shape {values.shape}")
    for name, arr in (("sorted_sequence", seq), ("input", values)):
        if arr.dtype.kind not in "iuf":
            raise unsupported("searchsorted", arr.dtype, f"{name} must be a real number "
                              f"tensor")
    if sorter is not None:
        order = _array(sorter)
        if order.dtype != np.int64:
            raise TypeError(f"searchsorted: sorter must be a tensor of long dtype but got "
                            f"dtype {order.dtype}")
        if order.shape != seq.shape:
            raise ShapeError(f"searchsorted: boundary and sorter must have the same size, "
                             f"but got boundary shape {seq.shape} and sorter shape "
                             f"{order.shape}")
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise IndexError(f"searchsorted: sorter index out of range [{order.min()}, "
                             f"{order.max()}] for a sequence of size {seq.shape[-1]}")
        seq = np.take_along_axis(seq, order, axis=-1)
    dt = result_type(from_numpy(seq), from_numpy(values) if not scalar else input)
    seq, values = seq.astype(dt, copy=False), values.astype(dt, copy=False)
    if seq.shape[-1] == 0 or values.size == 0:
        pos = np.zeros(values.shape, np.int64)
    else:
        pos = _binary_search(seq, values, right)
    return from_numpy(pos.astype(np.int32 if out_int32 else np.int64, copy=False))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each element of ``input`` given the increasing ``boundaries``:
    ``searchsorted(boundaries, input, right=right)``.

    With ``right=False`` the bucket i holds ``boundaries[i-1] < x <= boundaries[i]``;
    with ``right=True``, ``boundaries[i-1] <= x < boundaries[i]``.

    Args:
        input (Tensor or number): the values.
        boundaries (Tensor): 1-D, increasing.
        out_int32 (bool): int32 instead of int64 (keyword only). Default: False.
        right (bool): see above (keyword only). Default: False.

    Returns:
        int64 (or int32) buckets in ``[0, len(boundaries)]``, ``input``'s shape.

    Example:
        >>> nl.bucketize(nl.tensor([3, 6, 9]), nl.tensor([1, 3, 5, 7, 9]))
        tensor([1, 3, 4])
    """
    b = _array(boundaries)
    if b.ndim != 1:
        raise ShapeError(f"bucketize: boundaries tensor must be 1 dimension, but got shape "
                         f"{b.shape}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# ============================================================================
# count_nonzero
# ============================================================================
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """The number of nonzero elements of ``input`` (along ``dim``).

    Args:
        input (Tensor): any shape and dtype (NaN counts as nonzero).
        dim (int or tuple of ints, optional): the dims to count along (removed from the
            result); None or ``()`` counts all. Default: None.

    Returns:
        An int64 tensor: S without the dims counted along.

    Example:
        >>> nl.count_nonzero(nl.tensor([[0, 1, 2], [0, 0, 3]]), dim=0)
        tensor([0, 1, 2])
    """
    a = as_tensor(input).array
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return from_numpy(np.asarray(np.count_nonzero(a), np.int64))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    axes = [norm_dim(d, a.ndim, "count_nonzero") for d in dims]
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"count_nonzero: dim {dims} names a dim more than once")
    if a.ndim == 0:
        return from_numpy(np.asarray(np.count_nonzero(a), np.int64))
    return from_numpy(np.asarray((a != 0).sum(axis=tuple(axes)), np.int64))


TENSOR_METHODS = {"unique": unique, "unique_consecutive": unique_consecutive,
                  "bincount": bincount, "histc": histc, "histogram": histogram,
                  "count_nonzero": count_nonzero}
