"""Reading elements by position or mask: masked_select, take, take_along_dim, select,
repeat_interleave, and ``Tensor.unfold`` (sliding windows).

Notation: x has shape S; an index array ``idx`` picks elements (entries along dim d, of
size n); negative entries count from the end where torch allows them (take,
take_along_dim, select). Each op is a gather: its gradient scatters gy back into zeros
of shape S, adding where an element was picked more than once.

Most are an existing op applied to a rearranged index (``getitem``, ``gather``, with
``expand`` for broadcasting), so their gradients, double backward included, are those
ops' rules. ``unfold`` is an op of its own: ``Unfold`` and its adjoint ``Fold`` (the
backward of each is the other).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor, from_numpy
from ._util import IndexRangeError, ShapeError, UnsupportedDtypeError, norm_dim
from .indexing import Gather, getitem
from .shape import expand, reshape


def index_array(op: str, index: Any, kinds: str = "iu", what: str = "index",
                long_only: bool = False) -> np.ndarray:
    """``index`` (a Tensor, array or list) as an array, checked to be of an integer dtype
    (``kinds``: NumPy dtype kinds allowed; ``long_only``: int64 only, as torch requires for
    some ops)."""
    idx = index.array if isinstance(index, Tensor) else np.asarray(index)
    if idx.dtype.kind == "f" and idx.size == 0 and not isinstance(index, Tensor):
        idx = idx.astype(np.int64)                  # an empty list
    if long_only and idx.dtype != np.int64:
        raise UnsupportedDtypeError(f"{op}: expected a long (int64) tensor for {what}, but "
                                    f"got dtype {idx.dtype}")
    if idx.dtype.kind not in kinds:
        raise UnsupportedDtypeError(f"{op}: {what} must be an integer tensor, got dtype "
                                    f"{idx.dtype}")
    return idx


def check_range(op: str, idx: np.ndarray, n: int, negative: bool, where: str) -> None:
    """Every entry of ``idx`` in ``[-n, n)`` (``negative``) or ``[0, n)``, else an
    IndexError naming ``where`` (the dim and shape indexed)."""
    if not idx.size:
        return
    lo, hi = int(idx.min()), int(idx.max())
    if lo < (-n if negative else 0) or hi >= n:
        bad = lo if lo < (-n if negative else 0) else hi
        raise IndexRangeError(f"{op}: index {bad} is out of bounds for {where} with size {n}")


# ============================================================================
# masked_select, take, take_along_dim, select
# ============================================================================
def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where the bool ``mask`` is True, as a 1-D tensor (the
    two broadcast together first); differentiable.

    Args:
        input (Tensor): any shape.
        mask (Tensor): bool, broadcastable with ``input``.

    Shape: 1-D, the number of True entries of the broadcast mask.

    Example:
        >>> x = nl.tensor([[1.0, -2.0], [3.0, -4.0]])
        >>> nl.masked_select(x, x > 0)
        tensor([1., 3.])
    """
    x = as_tensor(input)
    m = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise UnsupportedDtypeError(f"masked_select: expected a bool tensor for mask, got "
                                    f"dtype {m.dtype}")
    try:
        shape = np.broadcast_shapes(x.shape, m.shape)
    except ValueError:
        raise ShapeError(f"masked_select: mask of shape {m.shape} and input of shape "
                         f"{x.shape} cannot be broadcast together") from None
    xb = x if x.shape == shape else expand(x, shape)
    return getitem(xb, np.broadcast_to(m, shape))


def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements of ``input``, read as 1-D (row-major), at ``index``; differentiable.

    Args:
        input (Tensor): any shape, n elements.
        index (Tensor): int64, any shape, entries in ``[-n, n)``.

    Shape: the shape of ``index``.

    Example:
        >>> nl.take(nl.tensor([[4.0, 3.0], [5.0, 6.0]]), nl.tensor([0, -1]))
        tensor([4., 6.])
    """
    x = as_tensor(input)
    idx = index_array("take", index, long_only=True)
    n = x.array.size
    if n == 0 and idx.size:
        raise IndexError(f"take: tried to take from an empty tensor (shape {x.shape}) at "
                         f"an index of shape {idx.shape}")
    check_range("take", idx, n, True, f"an input of shape {x.shape} read as 1-D")
    return getitem(reshape(x, -1), idx)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """``input`` read at ``indices`` along ``dim`` (as ``gather``, with ``input`` and
    ``indices`` broadcast together in the other dims); differentiable.

    Args:
        input (Tensor): shape S.
        indices (Tensor): int64, as many dims as ``input``, in ``[-n, n)`` (n the size of
            ``dim``; negative counts from the end); with ``dim=None`` any shape, in
            ``[0, n)`` (n elements), as torch.
        dim (int, optional): the dim to take along; None reads both flattened.
            Default: None.

    Shape: the broadcast shape of S and ``indices``'s, with ``indices``'s size along
    ``dim``.

    Example:
        >>> x = nl.tensor([[10.0, 30.0, 20.0], [60.0, 40.0, 50.0]])
        >>> nl.take_along_dim(x, nl.argmax(x, 1, keepdim=True), 1)
        tensor([[30.],
                [60.]])
    """
    x = as_tensor(input)
    idx = index_array("take_along_dim", indices, long_only=True, what="indices")
    if dim is None:
        x, idx, d = reshape(x, -1), idx.reshape(-1), 0
    else:
        if x.ndim == 0:
            raise IndexError(f"take_along_dim: dim {dim} given but the input has no "
                             f"dimensions")
        if x.ndim != idx.ndim:
            raise ShapeError(f"take_along_dim: input and indices should have the same "
                             f"number of dimensions, but got input of shape {x.shape} and "
                             f"indices of shape {idx.shape}")
        d = norm_dim(dim, x.ndim, "take_along_dim")
    n = x.shape[d]
    if n == 0 and idx.size:
        raise IndexError(f"take_along_dim: cannot take along dim {d} of size 0 (input "
                         f"shape {x.shape})")
    check_range("take_along_dim", idx, n, dim is not None,
                f"dim {d} of the input of shape {x.shape}")
    idx = np.where(idx < 0, idx + n, idx)
    xs, is_ = list(x.shape), list(idx.shape)
    xs[d] = is_[d] = 1
    try:
        both = list(np.broadcast_shapes(tuple(xs), tuple(is_)))
    except ValueError:
        raise ShapeError(f"take_along_dim: input of shape {x.shape} and indices of shape "
                         f"{idx.shape} cannot be broadcast together outside dim {d}") from None
    xshape, ishape = both.copy(), both.copy()
    xshape[d], ishape[d] = n, idx.shape[d]
    xb = x if x.shape == tuple(xshape) else expand(x, tuple(xshape))
    return Gather.apply(xb, d, np.ascontiguousarray(np.broadcast_to(idx, tuple(ishape))))


def select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The slice of ``input`` at position ``index`` along ``dim`` (that dim removed):
    ``input[..., index, ...]``; differentiable.

    Args:
        input (Tensor): at least 1-D.
        dim (int): the dim to select along.
        index (int or 0-d integer Tensor): in ``[-n, n)``, n the size of ``dim``.

    Shape: S without ``dim``.

    Example:
        >>> nl.select(nl.tensor([[1, 2, 3], [4, 5, 6]]), 1, -1)
        tensor([3, 6])
    """
    x = as_tensor(input)
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, x.ndim, "select")
    if isinstance(index, Tensor):
        if index.ndim != 0 or index.dtype.kind not in "iu":
            raise TypeError(f"select: index must be an int or a 0-dim integer tensor, got a "
                            f"tensor of shape {index.shape} and dtype {index.dtype}")
        index = index.item()
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"select: index must be an int, got {type(index).__name__}")
    n = x.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(x.shape)} at dimension {d}")
    return getitem(x, (slice(None),) * d + (int(index),))


# ============================================================================
# repeat_interleave
# ============================================================================
def _repeats_only(repeats: Any, output_size: int | None) -> Tensor:
    """``repeat_interleave(repeats)``: each position i repeated repeats[i] times."""
    r = index_array("repeat_interleave", repeats, what="repeats")
    if r.ndim != 1:
        raise ShapeError(f"repeat_interleave only accepts a 1-D vector as repeats, got shape "
                         f"{r.shape}")
    if r.size and r.min() < 0:
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    out = np.repeat(np.arange(r.size, dtype=r.dtype), r)
    if output_size is not None and output_size != out.size:
        raise RuntimeError(f"repeat_interleave: output_size {output_size} does not match "
                           f"the required size {out.size}")
    return from_numpy(out)


def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Each element (each slice along ``dim``) of ``input`` repeated ``repeats`` times,
    the copies side by side; differentiable.

    ``repeat_interleave(repeats)`` with a 1-D integer tensor alone gives each position
    ``i`` repeated ``repeats[i]`` times: ``[0] * repeats[0] + [1] * repeats[1] + ...``.

    Args:
        input (Tensor): any shape.
        repeats (int or Tensor): one count for all, or one per entry along ``dim``
            (1-D integer tensor, non-negative).
        dim (int, optional): the dim to repeat along; None flattens the input first.
            Default: None.
        output_size (int, optional): the size of the result along ``dim``, checked
            (keyword only). Default: None.

    Shape: S with the size of ``dim`` replaced by the sum of the repeats (1-D with
    ``dim=None``).

    Example:
        >>> nl.repeat_interleave(nl.tensor([[1, 2], [3, 4]]), nl.tensor([1, 2]), dim=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]])
    """
    if repeats is None:
        return _repeats_only(input, output_size)
    x = as_tensor(input)
    if dim is None:
        x, d = reshape(x, -1), 0
    else:
        if x.ndim == 0:
            raise IndexError(f"repeat_interleave: dim {dim} given but the input has no "
                             f"dimensions")
        d = norm_dim(dim, x.ndim, "repeat_interleave")
    n = x.shape[d]
    if isinstance(repeats, (int, np.integer)) and not isinstance(repeats, bool):
        if repeats < 0:
            raise RuntimeError(f"repeat_interleave: repeats must be non-negative, got "
                               f"{repeats}")
        r = np.full(n, int(repeats), np.int64)
    else:
        r = index_array("repeat_interleave", repeats, what="repeats")
        if r.ndim > 1:
            raise ShapeError(f"repeat_interleave: repeats must be 0-d or 1-d, got shape "
                             f"{r.shape}")
        if r.size == 1:
            r = np.full(n, int(r.reshape(())), np.int64)
        elif r.shape != (n,):
            raise ShapeError(f"repeat_interleave: repeats must have the same size as input "
                             f"along dim, but got repeats of shape {r.shape} and input of "
                             f"shape {x.shape} (dim {d})")
        if r.size and r.min() < 0:
            raise RuntimeError("repeat_interleave: repeats can not be negative")
    rows = np.repeat(np.arange(n, dtype=np.int64), r)
    if output_size is not None and output_size != rows.size:
        raise RuntimeError(f"repeat_interleave: invalid output_size, expected {rows.size} but "
                           f"got {output_size}")
    return getitem(x, (slice(None),) * d + (rows,))


# ============================================================================
# unfold (sliding windows)
# ============================================================================
class Unfold(Function):
    """y[..., j, ..., k] = x[..., j * step + k, ...] (j the window along dim d, k within
    it, a new last dim of ``size``);  gx = gy added back at every position each window
    read (``Fold``)"""

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.args = (dim, size, step, x.shape)
        windows = sliding_window_view(x, size, axis=dim)
        return np.ascontiguousarray(windows[(slice(None),) * dim + (slice(None, None, step),)])

    @staticmethod
    def backward(ctx, gy):
        return Fold.apply(gy, *ctx.args)


class Fold(Function):
    """gx = zeros(S) with each window of g (shape of ``Unfold``'s output) added back where
    it was read (a loop over the ``size`` offsets in a window);  gg = ``Unfold`` of ggx"""

    @staticmethod
    def forward(ctx, g, dim, size, step, shape):
        ctx.args = (dim, size, step)
        out = np.zeros(shape, g.dtype)
        count = g.shape[dim]
        for k in range(size):
            rows = (slice(None),) * dim + (slice(k, k + step * (count - 1) + 1, step),)
            out[rows] += g[..., k]
        return out

    @staticmethod
    def backward(ctx, ggx):
        return Unfold.apply(ggx, *ctx.args)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` consecutive entries along ``dimension``, ``step`` apart,
    as a new last dim (``Tensor.unfold``; for the im2col of a convolution see
    ``nn.functional.unfold``); differentiable. The result is a copy (torch's is a view).

    Args:
        input (Tensor): shape S (a 0-d input counts as 1-D of size 1).
        dimension (int): the dim to slide along (size n).
        size (int): the window length, ``0 <= size <= n``.
        step (int): the distance between window starts, ``> 0``.

    Shape: S with the size of ``dimension`` replaced by ``(n - size) // step + 1``, and
    a last dim of ``size``.

    Example:
        >>> nl.arange(7).unfold(0, 3, 2)
        tensor([[0, 1, 2],
                [2, 3, 4],
                [4, 5, 6]])
    """
    x = as_tensor(input)
    d = norm_dim(dimension, x.ndim, "unfold")
    zero_d = x.ndim == 0
    if zero_d:
        x = reshape(x, 1)
    n = x.shape[d]
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"unfold: maximum size for tensor at dimension {d} is {n} but "
                           f"size is {size} (input shape {x.shape})")
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    out = Unfold.apply(x, d, int(size), int(step))
    return reshape(out, (int(size),)) if zero_d else out


TENSOR_METHODS = {"masked_select": masked_select, "take": take,
                  "take_along_dim": take_along_dim, "select": select,
                  "repeat_interleave": repeat_interleave, "unfold": unfold}
