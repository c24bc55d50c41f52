"""Selecting by position and by value: narrow, nonzero, argwhere.

``narrow`` is a slice of x (``getitem``, differentiable; a view of x's array, as torch's
is of its tensor). ``nonzero`` and ``argwhere`` return int64 positions and carry no
gradient.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..factories import as_tensor
from ..tensor import Tensor, from_numpy
from ._util import norm_dim
from .indexing import getitem


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The ``length`` entries of ``input`` along ``dim`` from ``start`` on
    (``input[..., start:start + length, ...]``).

    Args:
        input (Tensor): at least 1-D.
        dim (int): the dim to narrow.
        start (int or 0-d integer Tensor): the first entry kept, in [-n, n] (negative
            counts from the end), n the size of ``dim``.
        length (int): how many entries, with start + length <= n.

    Shape: S -> S with the size of ``dim`` replaced by ``length``.

    Example:
        >>> nl.narrow(nl.arange(6).reshape(2, 3), 1, 1, 2)
        tensor([[1, 2],
                [4, 5]])
    """
    input = as_tensor(input)
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor")
    d = norm_dim(dim, input.ndim, "narrow")
    if isinstance(start, Tensor):
        if start.ndim != 0 or start.dtype.kind not in "iu":
            raise TypeError(f"narrow: start must be an int or a 0-dim integer tensor, got "
                            f"a tensor of shape {start.shape} and dtype {start.dtype}")
        start = start.item()
    n = input.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"narrow: start out of range (expected to be in range of "
                         f"[{-n}, {n}], but got {start}) for dim {dim} of shape "
                         f"{input.shape}")
    if length < 0:
        raise RuntimeError(f"narrow: length must be non-negative, got {length}")
    start = int(start) % n if start < 0 else int(start)
    if start + length > n:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension "
                           f"size ({n}) of dim {dim} (input shape {input.shape})")
    return getitem(input, (slice(None),) * d + (slice(start, start + int(length)),))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The positions of the nonzero (True) elements, in row-major order.

    Args:
        input (Tensor): any shape and dtype.
        as_tuple (bool): return one 1-D index tensor per dim instead (usable as
            ``x[nl.nonzero(m, as_tuple=True)]``; a 0-d input counts as 1-d), as
            ``numpy.nonzero`` (keyword only). Default: False.

    Returns:
        An int64 tensor (z, ndim), one row per nonzero element; or a tuple of ndim int64
        tensors (z).

    Example:
        >>> nl.nonzero(nl.tensor([[0, 1], [1, 1]]))
        tensor([[0, 1],
                [1, 0],
                [1, 1]])
    """
    a = as_tensor(input).array
    if as_tuple:
        return tuple(from_numpy(i.astype(np.int64, copy=False))
                     for i in np.nonzero(a.reshape(1) if a.ndim == 0 else a))
    return from_numpy(np.argwhere(a).astype(np.int64, copy=False))


def argwhere(input: Tensor) -> Tensor:
    """The positions of the nonzero elements as an int64 tensor (z, ndim) (``nonzero``).

    Example:
        >>> nl.argwhere(nl.tensor([0.0, 2.0, 3.0]))
        tensor([[1],
                [2]])
    """
    return nonzero(input)
