"""Writing into a copy by position or mask: index_add, index_copy, index_put,
masked_scatter, and their in-place ``_`` forms.

Notation: x has shape S; ``index`` is a NumPy index tuple naming positions of x (for
``index_add`` / ``index_copy``: all of every dim but d, and the 1-D ``idx`` along d);
``values`` is broadcast to the shape of ``x[index]``.

Two rules cover the four ops (``IndexPut``): with ``accumulate`` the values are added,
and where an index repeats the additions add up (``np.add.at``); without, they are
assigned, and where an index repeats the last write wins (as torch on the CPU). The
gradient of x is gy (accumulate) or gy with 0 where something was written; that of the
values is gy read at index (every repeat receives its gradient, as torch). Both are
differentiable again. ``masked_scatter`` has its own rule (``MaskedScatter``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.engine import _sum_to
from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor
from ._util import GradWhere, ShapeError, UnsupportedDtypeError, norm_dim
from .gathering import check_range, index_array
from .indexing import IndexAdd
from .shape import reshape
from .inplace import write


def _same_dtype(op: str, x: Tensor, other: Tensor, what: str) -> None:
    if other.dtype != x.dtype:
        raise TypeError(f"{op}: self and {what} must have the same dtype, but got self "
                        f"{x.dtype} and {what} {other.dtype}")


# ============================================================================
# The rule: put (or add) values at an index
# ============================================================================
class IndexPut(Function):
    """y = x with values added at index (``accumulate``) or assigned there (the last write
    wins where index repeats);  gx = gy (accumulate) or gy with 0 at the written
    positions;  gvalues = gy[index] summed back to values' shape"""

    @staticmethod
    def forward(ctx, x, values, index, accumulate):
        out = x.copy()
        ctx.accumulate, ctx.values_shape = accumulate, values.shape
        if accumulate:
            np.add.at(out, index, np.broadcast_to(values, out[index].shape))
            ctx.save_for_backward(index)
        else:
            out[index] = values
            written = np.zeros(x.shape, np.bool_)
            written[index] = True
            ctx.save_for_backward(index, written)
        return out

    @staticmethod
    def backward(ctx, gy):
        index, *written = ctx.saved_tensors
        gx = gy if ctx.accumulate else GradWhere.apply(gy, written[0], False)
        gv = _sum_to(gy[index], ctx.values_shape) if ctx.needs_input_grad[1] else None
        return gx, gv


def _put_along(x: Tensor, dim: int, idx: np.ndarray, src: Tensor,
               accumulate: bool) -> Tensor:
    """``IndexPut`` at ``idx`` along ``dim`` (a 0-d x and source: as 1-D of size 1)."""
    if x.ndim == 0:
        return reshape(IndexPut.apply(reshape(x, 1), reshape(src, 1), (idx,), accumulate), ())
    return IndexPut.apply(x, src, (slice(None),) * dim + (idx,), accumulate)


def _dim_source(op: str, x: Tensor, dim: int, index: Any, source: Any,
                long_only: bool) -> tuple:
    """Check ``index_add`` / ``index_copy``'s arguments: the dim, a 0-d or 1-d integer
    index in range, a source of x's dtype and of x's shape but for ``len(index)`` along
    dim. Returns (d, idx as 1-D, source)."""
    d = norm_dim(dim, x.ndim, op)
    idx = index_array(op, index, long_only=long_only, kinds="iu")
    if idx.ndim > 1:
        raise IndexError(f"{op}: index should have dimension 1 or 0, got shape {idx.shape}")
    src = as_tensor(source)
    _same_dtype(op, x, src, "source")
    if x.ndim == 0:
        if src.ndim != 0 or idx.size != 1:
            raise ShapeError(f"{op}: a 0-d input takes a 0-d source and one index, got "
                             f"source of shape {src.shape} and index of shape {idx.shape}")
        check_range(op, idx, 1, False, "dim 0 of a 0-d input")
        return d, idx.reshape(-1), src
    if src.ndim != x.ndim or any(a != b for k, (a, b) in enumerate(zip(x.shape, src.shape))
                                 if k != d):
        raise ShapeError(f"{op}: source tensor shape must match self tensor shape, excluding "
                         f"the specified dimension; got self shape {x.shape} and source "
                         f"shape {src.shape} (dim {d})")
    if src.shape[d] != idx.size:
        raise ShapeError(f"{op}: number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({src.shape[d]}) for dim {d}")
    check_range(op, idx, x.shape[d], False, f"dimension {d} of self of shape {x.shape}")
    return d, idx.reshape(-1), src


# ============================================================================
# index_add, index_copy
# ============================================================================
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha: Any = 1) -> Tensor:
    """``input`` with ``alpha * source`` added along ``dim`` at the positions ``index``
    (repeated positions add up); differentiable in ``input`` and ``source``.

    ``y[..., index[i], ...] += alpha * source[..., i, ...]`` for every i.

    Args:
        input (Tensor): shape S.
        dim (int): the dim ``index`` runs along.
        index (Tensor): 0-d or 1-d, int64 or int32, in ``[0, n)`` (n the size of dim).
        source (Tensor): input's dtype; S with the size of ``dim`` replaced by
            ``len(index)``.
        alpha (number): the scale of ``source``, truncated to an int for an integer
            input, as torch (keyword only). Default: 1.

    Shape: S.

    Example:
        >>> nl.index_add(nl.zeros(3), 0, nl.tensor([0, 0, 2]), nl.tensor([1.0, 2.0, 3.0]))
        tensor([3., 0., 3.])
    """
    x = as_tensor(input)
    d, idx, src = _dim_source("index_add", x, dim, index, source, long_only=False)
    if x.dtype.kind in "iub":
        alpha = int(alpha)                      # as torch: an integer tensor's alpha
    if alpha != 1:
        src = src * alpha
    return _put_along(x, d, idx, src, True)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``input`` with the slices of ``source`` copied along ``dim`` to the positions
    ``index`` (where a position repeats, the last copy wins); differentiable.

    Args:
        input (Tensor): shape S.
        dim (int): the dim ``index`` runs along.
        index (Tensor): 0-d or 1-d int64, in ``[0, n)``.
        source (Tensor): input's dtype; S with the size of ``dim`` replaced by
            ``len(index)``.

    Shape: S.

    Example:
        >>> nl.index_copy(nl.zeros(2, 2), 0, nl.tensor([1]), nl.tensor([[5.0, 6.0]]))
        tensor([[0., 0.],
                [5., 6.]])
    """
    x = as_tensor(input)
    d, idx, src = _dim_source("index_copy", x, dim, index, source, long_only=True)
    return _put_along(x, d, idx, src, False)


# ============================================================================
# index_put
# ============================================================================
def _index_tuple(x: Tensor, indices: Any) -> tuple:
    """``index_put``'s ``indices`` (a tuple or list of integer or bool tensors, one per
    leading dim) as a NumPy index, each checked against the dims it indexes."""
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put: indices must be a tuple or list of tensors, got "
                        f"{type(indices).__name__}")
    if not indices:
        raise ValueError("index_put: indices must hold at least one tensor")
    out, pos = [], 0
    for k, i in enumerate(indices):
        if i is None or isinstance(i, (slice, int, float)):
            raise TypeError(f"index_put: expected a Tensor as element {k} of indices, got "
                            f"{type(i).__name__}")
        a = i.array if isinstance(i, Tensor) else np.asarray(i)
        if a.dtype == np.uint8:                    # torch's legacy byte mask
            a = a.astype(np.bool_)
        if a.dtype.kind not in "iub":
            raise IndexError(f"index_put: tensors used as indices must be long, int or bool "
                             f"tensors; element {k} of indices has dtype {a.dtype}")
        width = a.ndim if a.dtype == np.bool_ else 1
        if pos + width > x.ndim:
            raise IndexError(f"index_put: too many indices for a tensor of shape {x.shape} "
                             f"(got {len(indices)})")
        if a.dtype == np.bool_:
            if a.shape != x.shape[pos:pos + width]:
                raise IndexError(f"index_put: the shape of the mask {a.shape} at index {k} "
                                 f"does not match the shape {x.shape[pos:pos + width]} of "
                                 f"the indexed tensor of shape {x.shape} at dim {pos}")
        else:
            check_range("index_put", a, x.shape[pos], True,
                        f"dimension {pos} of the tensor of shape {x.shape}")
        out.append(a)
        pos += width
    return tuple(out)


def index_put(input: Tensor, indices: Any, values: Tensor,
              accumulate: bool = False) -> Tensor:
    """``input`` with ``input[indices] = values`` (``+=`` with ``accumulate``, repeated
    positions then adding up; otherwise the last write wins), out of place;
    differentiable in ``input`` and ``values``.

    Args:
        input (Tensor): shape S.
        indices (tuple of Tensors): integer (negative counts from the end) or bool
            tensors, one per leading dim indexed (a bool mask covers as many dims as it
            has), broadcast together as in ``input[indices]``.
        values (Tensor): input's dtype, broadcastable to the shape of ``input[indices]``.
        accumulate (bool): add instead of assigning. Default: False.

    Shape: S.

    Example:
        >>> i = (nl.tensor([0, 0]), nl.tensor([1, 1]))
        >>> nl.index_put(nl.zeros(2, 2), i, nl.tensor([1.0, 2.0]), accumulate=True)
        tensor([[0., 3.],
                [0., 0.]])
    """
    x = as_tensor(input)
    index = _index_tuple(x, indices)
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put: values must be a Tensor, not {type(values).__name__}")
    _same_dtype("index_put", x, values, "values")
    try:
        target = x.array[index].shape
    except IndexError as e:
        raise IndexError(f"index_put: {e} (indexing a tensor of shape {x.shape})") from None
    try:
        ok = np.broadcast_shapes(values.shape, target) == target
    except ValueError:
        ok = False
    if not ok:
        raise ShapeError(f"index_put: shape mismatch: values of shape {values.shape} cannot "
                         f"be broadcast to the indexing result of shape {target}")
    return IndexPut.apply(x, values, index, bool(accumulate))


# ============================================================================
# masked_scatter
# ============================================================================
class MaskedScatter(Function):
    """y = x with the first k elements of src (k the number of True in mask), in
    row-major order, written where mask is True;  gx = gy where not mask;
    gsrc = gy[mask] in its first k elements, 0 in the rest"""

    broadcasts = True

    @staticmethod
    def forward(ctx, x, src, mask):
        out = np.array(np.broadcast_to(x, mask.shape))
        k = int(np.count_nonzero(mask))
        out[mask] = src.reshape(-1)[:k]
        ctx.save_for_backward(mask)
        ctx.src_shape, ctx.k = src.shape, k
        return out

    @staticmethod
    def backward(ctx, gy):
        (mask,) = ctx.saved_tensors
        gx = GradWhere.apply(gy, mask, False)
        gs = None
        if ctx.needs_input_grad[1]:
            n = int(np.prod(ctx.src_shape))
            gs = IndexAdd.apply(gy[mask], (n,), slice(0, ctx.k), True).reshape(ctx.src_shape)
        return gx, gs


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with the elements of ``source``, in order, written where ``mask`` is
    True (the mask and input broadcast together); differentiable.

    Args:
        input (Tensor): shape S.
        mask (Tensor): bool, broadcastable with S.
        source (Tensor): input's dtype, at least as many elements as True entries in the
            broadcast mask (the rest are not used).

    Shape: the broadcast shape of S and the mask's.

    Example:
        >>> x = nl.zeros(2, 3)
        >>> nl.masked_scatter(x, nl.tensor([True, False, True]), nl.arange(4.0))
        tensor([[0., 0., 1.],
                [2., 0., 3.]])
    """
    x = as_tensor(input)
    m = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise UnsupportedDtypeError(f"masked_scatter: only supports boolean masks, but got "
                                    f"mask with dtype {m.dtype}")
    src = as_tensor(source)
    _same_dtype("masked_scatter", x, src, "source")
    try:
        shape = np.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise ShapeError(f"masked_scatter: mask of shape {m.shape} and input of shape "
                         f"{x.shape} cannot be broadcast together") from None
    m = np.array(np.broadcast_to(m, shape))
    k = int(np.count_nonzero(m))
    if src.array.size < k:
        raise RuntimeError(f"masked_scatter: number of elements of source ({src.array.size},"
                           f" shape {src.shape}) < number of ones in mask ({k})")
    return MaskedScatter.apply(x, src, m)


# ============================================================================
# In place
# ============================================================================
def index_add_(self: Tensor, dim: int, index: Tensor, source: Tensor, *,
               alpha: Any = 1) -> Tensor:
    """``index_add`` written into ``self``."""
    return write(self, "index_add_", index_add, dim, index, source, alpha=alpha)


def index_copy_(self: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``index_copy`` written into ``self``."""
    return write(self, "index_copy_", index_copy, dim, index, source)


def index_put_(self: Tensor, indices: Any, values: Tensor,
               accumulate: bool = False) -> Tensor:
    """``index_put`` written into ``self``."""
    return write(self, "index_put_", index_put, indices, values, accumulate)


def masked_scatter_(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``masked_scatter`` written into ``self`` (the mask must broadcast to self's
    shape)."""
    return write(self, "masked_scatter_", masked_scatter, mask, source)


TENSOR_METHODS = {"index_add": index_add, "index_add_": index_add_,
                  "index_copy": index_copy, "index_copy_": index_copy_,
                  "index_put": index_put, "index_put_": index_put_,
                  "masked_scatter": masked_scatter, "masked_scatter_": masked_scatter_}
