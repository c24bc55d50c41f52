"""Stacking and flipping, NumPy's spellings of ``cat`` and ``flip``: hstack vstack
row_stack dstack column_stack, fliplr flipud rot90.

Each is a composition of ``cat``, ``reshape``, ``flip`` and ``transpose`` (all of them
Functions), so the gradients and their own gradients come from those ops.

    hstack:        1-D inputs joined along dim 0, others along dim 1 (0-d as 1-D)
    vstack:        inputs as at least 2-D ((n,) -> (1, n)) joined along dim 0
    dstack:        inputs as at least 3-D ((n,) -> (1, n, 1), (m, n) -> (m, n, 1)) along dim 2
    column_stack:  0-d and 1-D inputs as columns ((n,) -> (n, 1)), joined along dim 1
    rot90(k):      k = 1: flip(d1) then transpose(d0, d1); k = 2: flip(d0, d1);
                   k = 3: flip(d0) then transpose(d0, d1) (k taken modulo 4)
"""
from __future__ import annotations

from typing import Any, Sequence

from ..tensor import Tensor
from ._util import ShapeError, norm_dim, result_type
from .shape import _tensors, cat, flip, reshape, transpose


def _promoted(tensors: Any, op: str) -> list:
    """The tensors in their promoted dtype (torch's ``cat`` rules)."""
    ts = _tensors(tensors, op)
    dt = result_type(*ts)
    return [t if t.dtype == dt else t.astype(dt) for t in ts]


def _join(ts: list, dim: int, op: str) -> Tensor:
    """``cat(ts, dim)``, its shape error naming ``op`` (a ShapeError: torch's RuntimeError)."""
    try:
        return cat(ts, dim)
    except ValueError as e:
        raise ShapeError(f"{op}: {e}") from None


def _at_least(t: Tensor, shape_of: Any) -> Tensor:
    new = shape_of(t.shape)
    return t if new == t.shape else reshape(t, new)


def _1d(s: tuple) -> tuple:
    return s if len(s) >= 1 else (1,)


def _2d(s: tuple) -> tuple:
    return {0: (1, 1), 1: (1,) + s}.get(len(s), s)


def _3d(s: tuple) -> tuple:
    return {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s)


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join tensors horizontally: 1-D (and 0-d) ones end to end, others along dim 1.

    Args:
        tensors (sequence of Tensors): at least one; dtypes promote as in ``cat``.

    Shape: 1-D: (n1,), (n2,) -> (n1 + n2,); else (m, n1, ...), (m, n2, ...) ->
    (m, n1 + n2, ...).

    Example:
        >>> nl.hstack([nl.tensor([1, 2]), nl.tensor([3])])
        tensor([1, 2, 3])
    """
    ts = [_at_least(t, _1d) for t in _promoted(tensors, "hstack")]
    return _join(ts, 0 if ts[0].ndim == 1 else 1, "hstack")


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join tensors vertically (along dim 0), 0-d and 1-D ones as rows ((n,) -> (1, n)).

    Args:
        tensors (sequence of Tensors): at least one; dtypes promote as in ``cat``.

    Shape: (m1, n, ...), (m2, n, ...) -> (m1 + m2, n, ...).

    Example:
        >>> nl.vstack([nl.tensor([1, 2]), nl.tensor([3, 4])])
        tensor([[1, 2],
                [3, 4]])
    """
    return _join([_at_least(t, _2d) for t in _promoted(tensors, "vstack")], 0, "vstack")


def row_stack(tensors: Sequence[Tensor]) -> Tensor:
    """``vstack`` under its other name.

    Args:
        tensors (sequence of Tensors): at least one.

    Shape: as ``vstack``.

    Example:
        >>> nl.row_stack([nl.tensor([1]), nl.tensor([2])]).shape
        (2, 1)
    """
    return _join([_at_least(t, _2d) for t in _promoted(tensors, "row_stack")], 0,
                 "row_stack")


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join tensors depth-wise (along dim 2), each made at least 3-D first: (n,) ->
    (1, n, 1), (m, n) -> (m, n, 1).

    Args:
        tensors (sequence of Tensors): at least one; dtypes promote as in ``cat``.

    Shape: (m, n, k1, ...), (m, n, k2, ...) -> (m, n, k1 + k2, ...).

    Example:
        >>> nl.dstack([nl.tensor([1, 2]), nl.tensor([3, 4])])
        tensor([[[1, 3],
                 [2, 4]]])
    """
    return _join([_at_least(t, _3d) for t in _promoted(tensors, "dstack")], 2, "dstack")


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Join tensors as columns (along dim 1): 0-d and 1-D ones become columns ((n,) ->
    (n, 1)), others are joined as they are.

    Args:
        tensors (sequence of Tensors): at least one; dtypes promote as in ``cat``.

    Shape: (n,), (n, k) -> (n, 1 + k).

    Example:
        >>> nl.column_stack([nl.tensor([1, 2]), nl.tensor([3, 4])])
        tensor([[1, 3],
                [2, 4]])
    """
    ts = _promoted(tensors, "column_stack")
    return _join([reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in ts], 1,
                 "column_stack")


def fliplr(input: Tensor) -> Tensor:
    """``input`` with its columns (dim 1) in reverse order.

    Args:
        input (Tensor): at least 2-D.

    Shape: S -> S.

    Example:
        >>> nl.fliplr(nl.tensor([[1, 2], [3, 4]]))
        tensor([[2, 1],
                [4, 3]])
    """
    if input.ndim < 2:
        raise ShapeError(f"fliplr: input must be >= 2-d, got a tensor of shape {input.shape}")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    """``input`` with its rows (dim 0) in reverse order.

    Args:
        input (Tensor): at least 1-D.

    Shape: S -> S.

    Example:
        >>> nl.flipud(nl.tensor([1, 2, 3]))
        tensor([3, 2, 1])
    """
    if input.ndim < 1:
        raise ShapeError(f"flipud: input must be >= 1-d, got a tensor of shape {input.shape}")
    return flip(input, 0)


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """``input`` rotated by 90 degrees ``k`` times in the plane of ``dims``, from the
    first towards the second (counterclockwise for an image shown with dims (0, 1)).

    Args:
        input (Tensor): at least 2-D.
        k (int): the number of quarter turns; negative turns the other way. Default: 1.
        dims (pair of ints): the plane, two different dims. Default: (0, 1).

    Shape: S -> S with the sizes of ``dims`` exchanged when k is odd.

    Example:
        >>> nl.rot90(nl.tensor([[1, 2], [3, 4]]))
        tensor([[2, 4],
                [1, 3]])
    """
    dims = tuple(dims)
    if len(dims) != 2:
        raise ShapeError(f"rot90: expected total rotation dims == 2, got dims={dims}")
    if input.ndim < 2:
        raise ShapeError(f"rot90: expected total dims >= 2, got a tensor of shape "
                         f"{input.shape}")
    d0, d1 = (norm_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise ShapeError(f"rot90: expected the rotation dims to be different, got "
                         f"dims={dims}")
    k = int(k) % 4
    if k == 1:
        return transpose(flip(input, d1), d0, d1)
    if k == 2:
        return flip(input, d0, d1)
    if k == 3:
        return transpose(flip(input, d0), d0, d1)
    return input.clone()


TENSOR_METHODS = {"fliplr": fliplr, "flipud": flipud, "rot90": rot90}
