"""Grids, products and broadcasting of several tensors: meshgrid, cartesian_prod,
combinations, tril_indices, triu_indices, broadcast_tensors, broadcast_shapes,
block_diag, atleast_1d, atleast_2d, atleast_3d.

Notation: t_0 ... t_{k-1} are the input tensors, n_i the size of the 1-D t_i. Every
differentiable result here is built from existing ops (``reshape``, ``expand``,
``stack``, ``getitem``), whose gradients sum the copies back; ``block_diag`` is one op
(``BlockDiag``) whose gradient cuts gy into the blocks. ``tril_indices`` /
``triu_indices`` and ``broadcast_shapes`` make indices and shapes, not gradients.
"""
from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..factories import _dtype, _place, as_tensor
from ..tensor import Tensor, from_numpy
from ._util import ShapeError, promote_types, unsupported
from .arithmetic import astype
from .indexing import getitem
from .shape import expand, reshape, stack


def _tensor_list(tensors: tuple, op: str) -> list:
    """The tensors of a ``*tensors`` argument, also given as one list or tuple."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    return [as_tensor(t) for t in tensors]


# ============================================================================
# meshgrid, cartesian_prod, combinations
# ============================================================================
_MESHGRID_WARNING = ("torch.meshgrid: in an upcoming release, it will be required to pass "
                     "the indexing argument.")


def meshgrid(*tensors: Tensor, indexing: str | None = None) -> tuple:
    """Coordinate grids: k tensors of the same shape, the i-th holding t_i's values along
    its own dim; differentiable.

    Args:
        *tensors (Tensor): 0-d or 1-d tensors of one dtype (or one list of them); a 0-d
            one counts as 1-d of size 1.
        indexing (str, optional): ``'ij'`` (matrix: shape (n_0, n_1, ...)) or ``'xy'``
            (Cartesian: the first two sizes swapped, as ``numpy.meshgrid``). Default:
            None, which is ``'ij'`` and, as torch 2.x, warns (``UserWarning``) that the
            argument will be required.

    Returns:
        A tuple of k tensors.

    Example:
        >>> gx, gy = nl.meshgrid(nl.tensor([1, 2]), nl.tensor([3, 4, 5]), indexing="ij")
        >>> gx.shape, gy[0]
        ((2, 3), tensor([3, 4, 5]))
    """
    ts = _tensor_list(tensors, "meshgrid")
    if indexing is None:
        warnings.warn(_MESHGRID_WARNING, UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f'meshgrid: indexing must be one of "xy" or "ij", but received: '
                         f'{indexing}')
    if not ts:
        raise ValueError("meshgrid expects a non-empty list of tensors")
    for i, t in enumerate(ts):
        if t.ndim > 1:
            raise ShapeError(f"meshgrid: expected 0D or 1D tensors, but tensor {i} has shape "
                             f"{t.shape}")
        if t.dtype != ts[0].dtype:
            raise TypeError(f"meshgrid expects all tensors to have the same dtype, got "
                            f"{ts[0].dtype} (tensor 0) and {t.dtype} (tensor {i})")
    ts = [reshape(t, -1) for t in ts]
    order = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:
        order[0], order[1] = 1, 0                   # the first two grid dims swapped
    shape = tuple(ts[j].shape[0] for j in order)
    out = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[order.index(i)] = t.shape[0]
        out.append(expand(reshape(t, tuple(view)), shape))
    return tuple(out)


def _vectors(tensors: tuple, op: str) -> list:
    ts = _tensor_list(tensors, op)
    for t in ts:
        if t.ndim != 1:
            raise ShapeError(f"{op}: expect a 1D vector, but got shape {t.shape}")
    return ts


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All tuples of one element from each 1-D tensor, in row-major order (as
    ``itertools.product``); differentiable.

    Args:
        *tensors (Tensor): 1-D tensors of one dtype.

    Shape: (n_0 * n_1 * ..., k); a single tensor comes back as it is.

    Example:
        >>> nl.cartesian_prod(nl.tensor([1, 2]), nl.tensor([3, 4]))
        tensor([[1, 3],
                [1, 4],
                [2, 3],
                [2, 4]])
    """
    ts = _vectors(tensors, "cartesian_prod")
    if not ts:
        raise ValueError("cartesian_prod expects a non-empty list of tensors")
    if len(ts) == 1:
        return ts[0]
    grids = meshgrid(*ts, indexing="ij")
    return stack([reshape(g, -1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """All length-``r`` combinations of the elements of ``input``, in the order of
    ``itertools.combinations`` (``combinations_with_replacement``); differentiable.

    Args:
        input (Tensor): 1-D.
        r (int): the length of each combination, ``>= 0``. Default: 2.
        with_replacement (bool): allow an element more than once. Default: False.

    Shape: (the number of combinations, r); ``r = 0`` gives an empty 1-D tensor.

    Example:
        >>> nl.combinations(nl.tensor([1, 2, 3]))
        tensor([[1, 2],
                [1, 3],
                [2, 3]])
    """
    (x,) = _vectors((input,), "combinations")
    if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 0:
        raise ValueError(f"combinations: expect a non-negative number for r, but got {r}")
    if r == 0:                                  # as torch: an empty constant
        return from_numpy(np.zeros(0, x.dtype))
    pick = (itertools.combinations_with_replacement if with_replacement
            else itertools.combinations)
    idx = np.array(list(pick(range(x.shape[0]), int(r))), np.int64).reshape(-1, int(r))
    return getitem(x, idx)


# ============================================================================
# tril_indices, triu_indices
# ============================================================================
def _triangle(op: str, row: int, col: int, offset: int, dtype: Any, lower: bool) -> Tensor:
    for name, v in (("row", row), ("col", col)):
        if v < 0:
            raise ValueError(f"{op}: {name} must be non-negative, got {v}")
    dt = _dtype(op, np.int64 if dtype is None else dtype)
    if dt.kind not in "iu":
        raise unsupported(op, dt, "dtype must be an integer dtype")
    r, c = np.indices((row, col))
    keep = (c - r <= offset) if lower else (c - r >= offset)
    return from_numpy(np.stack([r[keep], c[keep]]).astype(dt, copy=False).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The positions of the lower triangle of a ``row`` x ``col`` matrix (the entries
    with ``j - i <= offset``), in row-major order.

    Args:
        row (int): the number of rows.
        col (int): the number of columns.
        offset (int): the diagonal: 0 the main one, > 0 above, < 0 below. Default: 0.
        dtype (optional): an integer dtype (keyword only). Default: None (int64).
        device, layout: accepted as torch's (the CPU, strided). Default: None.

    Shape: (2, N): row indices, then column indices.

    Example:
        >>> nl.tril_indices(3, 3)
        tensor([[0, 1, 1, 2, 2, 2],
                [0, 0, 1, 0, 1, 2]])
    """
    _place("tril_indices", device)
    return _triangle("tril_indices", row, col, offset, dtype, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The positions of the upper triangle of a ``row`` x ``col`` matrix (the entries
    with ``j - i >= offset``), in row-major order; arguments as ``tril_indices``.

    Shape: (2, N).

    Example:
        >>> nl.triu_indices(3, 3, 1)
        tensor([[0, 0, 1],
                [1, 2, 2]])
    """
    _place("triu_indices", device)
    return _triangle("triu_indices", row, col, offset, dtype, False)


# ============================================================================
# broadcast_tensors, broadcast_shapes
# ============================================================================
def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape that tensors of ``shapes`` broadcast to (an int counts as a 1-D shape).

    Example:
        >>> nl.broadcast_shapes((2, 1), (3,))
        (2, 3)
    """
    tuples = []
    for i, s in enumerate(shapes):
        t = (s,) if isinstance(s, (int, np.integer)) else tuple(s)
        if any(n < 0 for n in t):
            raise ValueError(f"broadcast_shapes: shape {t} (argument {i}) has a negative "
                             f"size")
        tuples.append(tuple(int(n) for n in t))
    try:
        return tuple(int(n) for n in np.broadcast_shapes(*tuples))
    except ValueError:
        raise ShapeError(f"broadcast_shapes: shapes {tuples} cannot be broadcast "
                         f"together") from None


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """The tensors expanded to their common broadcast shape (each keeps its dtype);
    differentiable.

    Example:
        >>> a, b = nl.broadcast_tensors(nl.tensor([[1], [2]]), nl.tensor([3, 4, 5]))
        >>> a.shape, b.shape
        ((2, 3), (2, 3))
    """
    ts = _tensor_list(tensors, "broadcast_tensors")
    shape = broadcast_shapes(*[t.shape for t in ts]) if ts else ()
    return tuple(t if t.shape == shape else expand(t, shape) for t in ts)


# ============================================================================
# block_diag
# ============================================================================
class BlockDiag(Function):
    """y = the 2-D blocks b_i along the diagonal of zeros (rows and columns stacked);
    gb_i = gy cut at b_i's rows and columns"""

    @staticmethod
    def forward(ctx, *blocks):
        rows = np.cumsum([0] + [b.shape[0] for b in blocks])
        cols = np.cumsum([0] + [b.shape[1] for b in blocks])
        ctx.spans = [(slice(int(rows[i]), int(rows[i + 1])),
                      slice(int(cols[i]), int(cols[i + 1]))) for i in range(len(blocks))]
        out = np.zeros((int(rows[-1]), int(cols[-1])),
                       blocks[0].dtype if blocks else np.float32)
        for b, span in zip(blocks, ctx.spans):
            out[span] = b
        return out

    @staticmethod
    def backward(ctx, gy):
        return tuple(gy[span] if need else None
                     for span, need in zip(ctx.spans, ctx.needs_input_grad))


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix of the tensors (a 0-d one counts as 1 x 1, a 1-d one as a
    row), zeros elsewhere, in their promoted dtype; differentiable.

    Args:
        *tensors (Tensor): at most 2-D each.

    Shape: (sum of the rows, sum of the columns); no tensors give (1, 0) as torch.

    Example:
        >>> nl.block_diag(nl.tensor([[1, 2]]), nl.tensor(3))
        tensor([[1, 2, 0],
                [0, 0, 3]])
    """
    ts = [as_tensor(t) for t in tensors]
    for i, t in enumerate(ts):
        if t.ndim > 2:
            raise ShapeError(f"block_diag: input tensors must have 2 or fewer dimensions; "
                             f"input {i} has shape {t.shape}")
    if not ts:
        return from_numpy(np.zeros((1, 0), np.float32))
    dt = ts[0].dtype
    for t in ts[1:]:
        dt = promote_types(dt, t.dtype)
    blocks = [astype(reshape(t, (1, -1) if t.ndim == 1 else (1, 1)) if t.ndim < 2 else t, dt)
              for t in ts]
    return BlockDiag.apply(*blocks)


# ============================================================================
# atleast_1d / 2d / 3d
# ============================================================================
def _atleast(op: str, tensors: tuple, fix: Any) -> Any:
    single = len(tensors) == 1 and not isinstance(tensors[0], (list, tuple))
    ts = _tensor_list(tensors, op)
    out = tuple(fix(t) for t in ts)
    return out[0] if single else out


def atleast_1d(*tensors: Tensor) -> Any:
    """Each tensor with at least 1 dim (a 0-d one becomes shape (1,)); one tensor in,
    one out; several (or a list), a tuple. Differentiable.

    Example:
        >>> nl.atleast_1d(nl.tensor(7)).shape
        (1,)
    """
    return _atleast("atleast_1d", tensors, lambda t: reshape(t, 1) if t.ndim == 0 else t)


def atleast_2d(*tensors: Tensor) -> Any:
    """Each tensor with at least 2 dims: 0-d becomes (1, 1), 1-d (n,) becomes (1, n).

    Example:
        >>> nl.atleast_2d(nl.tensor([1, 2])).shape
        (1, 2)
    """
    return _atleast("atleast_2d", tensors,
                    lambda t: reshape(t, (1,) * (2 - t.ndim) + t.shape) if t.ndim < 2 else t)


def atleast_3d(*tensors: Tensor) -> Any:
    """Each tensor with at least 3 dims: 0-d becomes (1, 1, 1), 1-d (n,) becomes
    (1, n, 1), 2-d (m, n) becomes (m, n, 1), as torch and NumPy.

    Example:
        >>> nl.atleast_3d(nl.ones(2, 3)).shape
        (2, 3, 1)
    """
    def fix(t: Tensor) -> Tensor:
        if t.ndim == 0:
            return reshape(t, (1, 1, 1))
        if t.ndim == 1:
            return reshape(t, (1, t.shape[0], 1))
        if t.ndim == 2:
            return reshape(t, t.shape + (1,))
        return t
    return _atleast("atleast_3d", tensors, fix)
