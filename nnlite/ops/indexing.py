"""Indexing: x[index] (ints, slices, None, Ellipsis, bool masks, integer arrays),
masked_fill, gather, scatter_add, scatter, index_fill, one_hot.

Notation: x has shape S; an index selects y = x[index]. The backward scatters gy into
zeros of shape S; with integer arrays the same element may be picked twice, so the
scatter accumulates (``np.add.at``). Each scatter is itself an op whose backward is the
matching gather, so these rules can be differentiated again.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, from_numpy, to_array
from ..factories import as_tensor
from ._util import (GradWhere, IndexRangeError, ShapeError, UnsupportedDtypeError, const,
                    norm_dim, unsupported)


def unwrap_index(index: Any) -> Any:
    """Replace Tensors (and lists) inside an index by ndarrays."""
    if isinstance(index, tuple):
        return tuple(unwrap_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.array
    if isinstance(index, list):
        arr = np.asarray(index)
        return arr if arr.size else arr.astype(np.int64)      # x[[]]: no rows, not floats
    return index


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer))
               for i in items)


class GetItem(Function):
    """y = x[index];  gx = zeros(S) with gy scattered (added) at index (``IndexAdd``)
    (``basic``: the index holds only ints, slices, None and Ellipsis)"""
    is_view = True

    @staticmethod
    def forward(ctx, x, index, basic):
        ctx.save_for_backward(index)          # may hold index arrays
        ctx.in_shape, ctx.basic = x.shape, basic
        y = x[index]
        if y.__class__ is not np.ndarray:     # one element: a 0-d view instead of a copy
            y = x[(*index, Ellipsis) if index.__class__ is tuple else (index, Ellipsis)]
        return y

    @staticmethod
    def backward(ctx, gy):
        (index,) = ctx.saved_tensors
        return IndexAdd.apply(gy, ctx.in_shape, index, ctx.basic)


class IndexAdd(Function):
    """y = zeros(S) with g added at index (assigned if ``basic``: no element repeats);
    gg = gy[index]"""

    @staticmethod
    def forward(ctx, g, shape, index, basic):
        ctx.save_for_backward(index)
        out = np.zeros(shape, g.dtype)
        if basic:
            out[index] = g
        else:
            np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, gy):
        (index,) = ctx.saved_tensors
        return gy[index]


def getitem(x: Tensor, index: Any) -> Tensor:
    index = unwrap_index(index)
    basic = _is_basic(index)
    if not basic:
        items = index if isinstance(index, tuple) else (index,)
        for i in items:
            if isinstance(i, np.ndarray) and i.dtype.kind not in "iub":
                raise IndexError(f"getitem: tensors used as indices must be integer or bool, "
                                 f"got dtype {i.dtype}")
    try:
        return GetItem.apply(x, index, basic)
    except IndexError as e:
        raise IndexError(f"getitem: {e} (indexing a tensor of shape {x.shape})") from None


def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    """The entries ``index`` (0-d or 1-d, repeats allowed) of ``x`` along ``dim``."""
    d = norm_dim(dim, x.ndim, "index_select")
    idx = np.asarray(unwrap_index(index))
    if idx.dtype.kind not in "iu":
        raise UnsupportedDtypeError(f"index_select: index must be an integer tensor, got dtype "
                                    f"{idx.dtype}")
    if idx.ndim > 1:
        raise IndexError(f"index_select: index must be 0-d or 1-d, got shape {idx.shape}")
    n = x.shape[d]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexRangeError(f"index_select: index out of range [{idx.min()}, {idx.max()}] for "
                         f"dim {d} of size {n} (input shape {x.shape})")
    return getitem(x, (slice(None),) * d + (idx.reshape(-1),))


class MaskedFill(Function):
    """y = value where mask else x;  gx = gy where not mask, else exactly 0 (even where gy
    is nan: a filled position sends nothing back, as torch);  gvalue = sum of gy where
    mask (value is 0-d; mask has x's shape)"""

    @staticmethod
    def forward(ctx, x, value, mask):
        ctx.save_for_backward(mask)
        return np.where(mask, value.astype(x.dtype, copy=False), x)

    @staticmethod
    def backward(ctx, gy):
        (mask,) = ctx.saved_tensors
        need_x, need_v = ctx.needs_input_grad[:2]
        gv = GradWhere.apply(gy, mask, True).sum() if need_v else None
        return (GradWhere.apply(gy, mask, False) if need_x else None), gv


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """``x`` with ``value`` where the bool ``mask`` (broadcastable to x) is True."""
    m = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise unsupported("masked_fill", m.dtype, f"masked_fill: mask must be a bool tensor, "
                          f"got dtype {m.dtype}")
    try:
        if np.broadcast_shapes(m.shape, x.shape) != x.shape:
            raise ValueError
    except ValueError:
        raise ShapeError(f"masked_fill: mask of shape {m.shape} cannot be broadcast to the "
                         f"input shape {x.shape}") from None
    value = const(value, x)
    if value.ndim != 0:
        raise ShapeError(f"masked_fill: value must be a number or a 0-dim tensor, got shape "
                         f"{value.shape}")
    return MaskedFill.apply(x, value, np.broadcast_to(m, x.shape))


# ---- gather / scatter_add --------------------------------------------------------
def _grid(index: np.ndarray, dim: int) -> tuple:
    """The full index tuple that puts ``index`` along ``dim`` and aranges elsewhere."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _check_index(x_shape: tuple, dim: int, index: np.ndarray, op: str) -> None:
    if index.dtype.kind not in "iu":
        raise UnsupportedDtypeError(f"{op}: index must be an integer tensor, got dtype "
                                    f"{index.dtype}")
    if index.ndim != len(x_shape):
        raise ShapeError(f"{op}: index has {index.ndim} dims but the input has "
                         f"{len(x_shape)} (shape {x_shape})")
    for d, (i, n) in enumerate(zip(index.shape, x_shape)):
        if d != dim and i > n:
            raise ShapeError(f"{op}: index shape {index.shape} is larger than the input "
                             f"shape {x_shape} in dim {d}")
    if index.size and (index.min() < 0 or index.max() >= x_shape[dim]):
        raise IndexRangeError(f"{op}: index out of range [{index.min()}, {index.max()}] for dim "
                         f"{dim} of size {x_shape[dim]}")


class Gather(Function):
    """y[i][j][k] = x[i][index[i][j][k]][k] (dim 1);  gx = scatter_add of gy (``IndexAdd``)"""

    @staticmethod
    def forward(ctx, x, dim, index):
        grid = _grid(index, dim)
        ctx.save_for_backward(grid)
        ctx.in_shape = x.shape
        return x[grid]

    @staticmethod
    def backward(ctx, gy):
        (grid,) = ctx.saved_tensors
        return IndexAdd.apply(gy, ctx.in_shape, grid, False)


def gather(x: Tensor, dim: int, index: Any) -> Tensor:
    """Values of ``x`` along ``dim`` at ``index`` (torch.gather)."""
    idx = index.array if isinstance(index, Tensor) else np.asarray(index)
    d = norm_dim(dim, x.ndim, "gather")
    _check_index(x.shape, d, idx, "gather")
    return Gather.apply(x, d, idx)


class ScatterAdd(Function):
    """y = x with src[i][j][k] added at y[i][index[i][j][k]][k];  gx = gy, gsrc = gather(gy)
    (zero-padded to src's shape where src is larger than index)"""

    @staticmethod
    def forward(ctx, x, src, dim, index):
        grid = _grid(index, dim)
        ctx.save_for_backward(grid)
        ctx.src_shape = src.shape
        out = x.copy()
        np.add.at(out, grid, src[tuple(slice(0, n) for n in index.shape)])
        return out

    @staticmethod
    def backward(ctx, gy):
        (grid,) = ctx.saved_tensors
        gs = None
        if ctx.needs_input_grad[1]:
            gs = gy[grid]
            if gs.shape != ctx.src_shape:
                gs = IndexAdd.apply(gs, ctx.src_shape, tuple(slice(0, n) for n in gs.shape),
                                    True)
        return gy, gs


def scatter_add(x: Tensor, dim: int, index: Any, src: Any) -> Tensor:
    """``x`` with ``src`` added at ``index`` along ``dim`` (torch.scatter_add)."""
    idx = index.array if isinstance(index, Tensor) else np.asarray(index)
    d = norm_dim(dim, x.ndim, "scatter_add")
    _check_index(x.shape, d, idx, "scatter_add")
    src = as_tensor(src)
    if src.ndim != idx.ndim or any(i > s for i, s in zip(idx.shape, src.shape)):
        raise ShapeError(f"scatter_add: index shape {idx.shape} must not exceed src shape "
                         f"{src.shape}")
    return ScatterAdd.apply(x, src, d, idx)


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding with a new last dim of size ``num_classes``."""
    idx = tensor.array if isinstance(tensor, Tensor) else np.asarray(tensor)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected an integer tensor of class indices, got dtype "
                        f"{idx.dtype}")
    if num_classes == -1:
        if not idx.size:
            raise RuntimeError("one_hot: Can not infer total number of classes from empty "
                               "tensor; pass num_classes")
        num_classes = int(idx.max()) + 1
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise IndexError(f"one_hot: class values must be in [0, {num_classes}), got "
                         f"[{idx.min()}, {idx.max()}]")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.int64), 1, axis=-1)
    return Tensor(out)


# ---- scatter / index_fill ------------------------------------------------------
class Scatter(Function):
    """y = x with y[i][index[i][j][k]][k] = src[i][j][k] (for dim 1; the last write wins
    where index repeats);  gx = gy where nothing was written, else 0;  gsrc = gy gathered
    at index (zero-padded to src's shape where src is larger than index)"""

    @staticmethod
    def forward(ctx, x, src, dim, index):
        grid = _grid(index, dim)
        written = np.zeros(x.shape, np.bool_)
        written[grid] = True
        ctx.save_for_backward(grid, written)
        ctx.src_shape = src.shape
        out = x.copy()
        out[grid] = src[tuple(slice(0, n) for n in index.shape)]
        return out

    @staticmethod
    def backward(ctx, gy):
        grid, written = ctx.saved_tensors
        gs = None
        if ctx.needs_input_grad[1]:
            gs = gy[grid]
            if gs.shape != ctx.src_shape:
                gs = IndexAdd.apply(gs, ctx.src_shape, tuple(slice(0, n) for n in gs.shape),
                                    True)
        return GradWhere.apply(gy, written, False), gs


def scatter(x: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """``x`` with the values of ``src`` (a tensor, or the number ``value``) written at
    ``index`` along ``dim`` (torch.scatter). ``reduce='add'`` adds instead (scatter_add);
    ``reduce='multiply'`` multiplies (no gradient to ``src``)."""
    idx = index.array if isinstance(index, Tensor) else np.asarray(index)
    d = norm_dim(dim, x.ndim, "scatter")
    _check_index(x.shape, d, idx, "scatter")
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: give src (a tensor) or value (a number)")
    if not isinstance(src, (Tensor, np.ndarray)) or np.ndim(src) == 0:
        src = from_numpy(np.full(idx.shape, to_array(src, like=x.dtype), dtype=x.dtype))
    src = as_tensor(src)
    if src.ndim != idx.ndim or any(i > s for i, s in zip(idx.shape, src.shape)):
        raise ValueError(f"scatter: index shape {idx.shape} must not exceed src shape "
                         f"{src.shape}")
    if reduce is None:
        return Scatter.apply(x, src, d, idx)
    if reduce == "add":
        return ScatterAdd.apply(x, src, d, idx)
    if reduce == "multiply":
        out = x.array.copy()
        np.multiply.at(out, _grid(idx, d), src.array[tuple(slice(0, n) for n in idx.shape)])
        return from_numpy(out)
    raise ValueError(f"scatter: reduce must be None, 'add' or 'multiply', got {reduce!r}")


def index_fill(x: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """``x`` with ``value`` in the entries whose position along ``dim`` is in ``index``
    (torch.index_fill)."""
    idx = index.array if isinstance(index, Tensor) else np.asarray(index)
    d = norm_dim(dim, x.ndim, "index_fill")
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"index_fill: index out of range for dim {d} of size {n} (input "
                         f"shape {x.shape})")
    rows = np.zeros(n, np.bool_)
    rows[idx.reshape(-1)] = True
    mask = rows.reshape((n,) + (1,) * (x.ndim - d - 1)) if x.ndim else rows.reshape(())
    return masked_fill(x, np.broadcast_to(mask, x.shape), value)


class SetItem(Function):
    """y = x with y[index] = value (value broadcast to the shape of x[index]);
    gx = gy with gy[index] = 0;  gvalue = gy[index] summed back to value's shape"""

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index, ctx.value_shape = index, value.shape
        out = x.copy()
        out[index] = value
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = gy.copy()
            gx[ctx.index] = 0
        if ctx.needs_input_grad[1]:
            g = gy[ctx.index]
            shape = ctx.value_shape
            lead = g.ndim - len(shape)
            axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                              if n == 1 and g.shape[lead + i] != 1)
            gv = g.sum(axis=axes, keepdims=True).reshape(shape) if axes else g.reshape(shape)
        return gx, gv


def setitem(x: Tensor, index: Any, value: Any) -> Tensor:
    """``x`` with ``x[index] = value`` (out of place; ``t[index] = v`` writes in place)."""
    value = const(value, x)
    idx = unwrap_index(index)
    try:
        target = np.broadcast_shapes(np.shape(x.array[idx]), value.shape)
        if target != np.shape(x.array[idx]):
            raise ValueError
    except (ValueError, IndexError) as e:
        if isinstance(e, IndexError):
            raise
        raise ValueError(f"setitem: value of shape {value.shape} cannot be broadcast to the "
                         f"indexed shape {np.shape(x.array[idx])}") from None
    return SetItem.apply(x, value, idx)
