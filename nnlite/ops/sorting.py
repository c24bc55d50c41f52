"""Sorting and selecting by rank: sort, argsort, msort, topk, kthvalue.

Notation: x has shape S and is ordered along dim d (size n); idx holds, for each output
position, the index along d of the element placed there (int64, shape K: S with n
replaced by the number of elements kept). The values are x taken at idx; their gradient
puts gy back at idx (``PutAlongDim``, whose backward takes again), so these rules can be
differentiated again.

Order, as torch: ascending puts NaN last and descending puts it first (NaN ranks above
every number); every sort here is stable (equal elements keep their order, in both
directions), which is what torch's ``stable=True`` promises and one of the orders its
default allows. ``(values, indices)`` come back as ``max(dim)``'s result type, with
``.values`` and ``.indices``.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor, from_numpy
from ._util import norm_dim
from .reduction import MaxResult, PutAlongDim


def _order(x: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """The stable sorting permutation of ``x`` along ``dim`` (NaN ranks highest).

    Descending: sort the reversed array ascending (stable), reverse the result and map
    the indices back, so equal elements keep their original order and NaN comes first.
    """
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    n = x.shape[dim]
    idx = np.argsort(np.flip(x, dim), axis=dim, kind="stable")
    return (n - 1) - np.flip(idx, dim)


class _TakeIndexed(Function):
    """values = x taken at idx along dim (``squeeze``: dim dropped), indices = idx (int64,
    no gradient);  gx = gv put at idx in zeros(S) (``PutAlongDim``)"""

    @staticmethod
    def forward(ctx, x, idx, dim, squeeze):
        values = np.take_along_axis(x, idx, dim)
        ctx.save_for_backward(idx)
        ctx.dim, ctx.shape, ctx.squeeze = dim, x.shape, squeeze
        indices = idx.astype(np.int64)          # a copy: the output is not the saved array
        if squeeze:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, gv, gi):
        (idx,) = ctx.saved_tensors
        if ctx.squeeze:
            gv = gv.reshape(idx.shape)
        return PutAlongDim.apply(gv, idx, ctx.dim, ctx.shape)


class Sort(_TakeIndexed):
    """values, indices = x sorted along dim;  gx = gv put back where each value came from"""


class TopK(_TakeIndexed):
    """values, indices = the k largest (or smallest) of x along dim;  gx = gv put at their
    positions, 0 elsewhere"""


class KthValue(_TakeIndexed):
    """values, indices = the k-th smallest of x along dim;  gx = gv put at its position,
    0 elsewhere"""


def _as_1d(x: Tensor, dim: int, op: str) -> tuple:
    """A 0-d input is ordered as a 1-element 1-d one (dim must be 0 or -1)."""
    d = norm_dim(dim, x.ndim, op)
    return (x.reshape(1), d, True) if x.ndim == 0 else (x, d, False)


def _result(values: Tensor, indices: Tensor, was_0d: bool) -> MaxResult:
    if was_0d:
        return MaxResult(values.reshape(()), indices.reshape(()))
    return MaxResult(values, indices)


def _first(idx: np.ndarray, dim: int, k: int) -> np.ndarray:
    """The first ``k`` entries of ``idx`` along ``dim`` (contiguous)."""
    return np.ascontiguousarray(idx[(slice(None),) * dim + (slice(0, k),)])


def sort(input: Tensor, dim: int = -1, descending: bool = False, *,
         stable: bool = False) -> MaxResult:
    """The elements of ``input`` sorted along ``dim``, and where each came from.

    Args:
        input (Tensor): any shape and dtype.
        dim (int): the dim to sort along. Default: -1.
        descending (bool): largest first. Default: False.
        stable (bool): keep the order of equal elements (keyword only); nnlite's sort is
            always stable, so this only documents the wish. Default: False.

    Returns:
        ``(values, indices)``: the sorted tensor (shape S) and the int64 positions along
        ``dim`` its elements came from; also ``.values`` and ``.indices``.

    Shape: S -> S, S.

    Example:
        >>> nl.sort(nl.tensor([3.0, 1.0, 2.0]), descending=True).indices
        tensor([0, 2, 1])
    """
    input = as_tensor(input)
    x, d, was_0d = _as_1d(input, dim, "sort")
    idx = _order(x.array, d, descending)
    return _result(*Sort.apply(x, idx, d, False), was_0d)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,
            stable: bool = False) -> Tensor:
    """The int64 indices that sort ``input`` along ``dim`` (``sort(...).indices``);
    arguments as in ``sort``.

    Example:
        >>> nl.argsort(nl.tensor([[3, 1, 2]]))
        tensor([[1, 2, 0]])
    """
    input = as_tensor(input)
    x, d, was_0d = _as_1d(input, dim, "argsort")
    idx = _order(x.array, d, descending).astype(np.int64, copy=False)
    return from_numpy(idx.reshape(()) if was_0d else idx)


def msort(input: Tensor) -> Tensor:
    """``input`` sorted ascending along dim 0 (``sort(input, 0).values``).

    Example:
        >>> nl.msort(nl.tensor([[2, 1], [0, 3]]))
        tensor([[0, 1],
                [2, 3]])
    """
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> MaxResult:
    """The ``k`` largest (or smallest) elements along ``dim``, and their positions.

    Args:
        input (Tensor): any shape and dtype.
        k (int): how many to keep, 0 <= k <= the size of ``dim``.
        dim (int): the dim to select along. Default: -1.
        largest (bool): the largest (True) or the smallest. Default: True.
        sorted (bool): return them in order (largest first for ``largest``). nnlite
            always does, which torch also allows for ``sorted=False``. Default: True.

    Returns:
        ``(values, indices)`` (``.values``, ``.indices``); indices are int64.

    Shape: S -> S with the size of ``dim`` replaced by k (twice).

    Example:
        >>> values, indices = nl.topk(nl.tensor([1.0, 5.0, 3.0, 4.0]), 2)
        >>> values, indices
        (tensor([5., 4.]), tensor([1, 3]))
    """
    input = as_tensor(input)
    x, d, was_0d = _as_1d(input, dim, "topk")
    n = x.shape[d]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"topk: k must be an int, got {type(k).__name__}")
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k out of range: k={k} for dim {dim} of "
                           f"size {n} (input shape {input.shape})")
    k = 1 if was_0d else int(k)             # torch: a 0-d input comes back for k = 0 too
    idx = _first(_order(x.array, d, largest), d, k)
    return _result(*TopK.apply(x, idx, d, False), was_0d)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> MaxResult:
    """The ``k``-th smallest element along ``dim`` (k counted from 1), and its position
    (the first one among equal elements); NaN ranks above every number.

    Args:
        input (Tensor): any shape and dtype.
        k (int): the rank, 1 <= k <= the size of ``dim``.
        dim (int): the dim to select along. Default: -1.
        keepdim (bool): keep ``dim`` with size 1. Default: False.

    Returns:
        ``(values, indices)`` (``.values``, ``.indices``); indices are int64.

    Shape: S -> S without ``dim`` (with size 1 if ``keepdim``), twice.

    Example:
        >>> nl.kthvalue(nl.tensor([4.0, 1.0, 3.0]), 2).values
        tensor(3.)
    """
    input = as_tensor(input)
    x, d, was_0d = _as_1d(input, dim, "kthvalue")
    n = x.shape[d]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"kthvalue: k must be an int, got {type(k).__name__}")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue: selected number k out of range: k={k} for dim {dim} "
                           f"of size {n} (input shape {input.shape})")
    idx = np.ascontiguousarray(np.take(_order(x.array, d, False), [int(k) - 1], axis=d))
    values, indices = KthValue.apply(x, idx, d, not keepdim or was_0d)
    return MaxResult(values, indices)
