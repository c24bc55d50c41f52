"""Products of tensors beyond matmul: cross, kron, tensordot, inner.

Each is a composition of differentiable ops (broadcast_to, slicing, mul, cat,
reshape, permute, mm), so the gradients and their own gradients come from those.

    cross:      y = (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0) along a dim of size 3
    kron:       y[i0 q0 + j0, i1 q1 + j1, ...] = a[i0, i1, ...] b[j0, j1, ...] (q = b's
                shape): a as (p0, 1, p1, 1, ...) times b as (1, q0, 1, q1, ...), reshaped
    tensordot:  the contracted dims of a moved last and those of b first, both flattened
                to matrices (M, K) and (K, N); y = their product reshaped to the free dims
    inner:      tensordot over the last dim of both (a * b when either is 0-d)
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..factories import as_tensor
from ..tensor import Tensor
from ._util import ShapeError, norm_dim
from .linalg import check_same_dtype, mm
from .matrix_functions import cross as linalg_cross
from .shape import permute, reshape


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim``; the other dims broadcast.

    Args:
        input (Tensor): the first vectors.
        other (Tensor): the second vectors, with as many dims as ``input``.
        dim (int, optional): a dim of size 3 in both. Default: None: the first dim of
            size 3, as torch (which warns that this default is deprecated; so does
            nnlite: pass ``dim``).

    Shape: S, S' -> the broadcast shape of S and S'.

    Example:
        >>> nl.cross(nl.tensor([1.0, 0.0, 0.0]), nl.tensor([0.0, 1.0, 0.0]), dim=0)
        tensor([0., 0., 1.])
    """
    a, b = as_tensor(input), as_tensor(other)
    if dim is None:
        try:
            shape = np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ShapeError(f"cross: input shape {a.shape} and other shape {b.shape} "
                             f"cannot be broadcast together") from None
        if 3 not in shape:
            raise ShapeError(f"cross: no dimension of size 3 in input (shape {a.shape})")
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated. "
                      "Please either pass the dim explicitly or simply use "
                      "torch.linalg.cross. The default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning,
                      stacklevel=2)
        dim = shape.index(3)
    return linalg_cross(a, b, dim=dim)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of ``input`` times a whole copy of
    ``other``, laid out block by block (the one with fewer dims gets leading 1s).

    Args:
        input (Tensor): shape (p0, p1, ...).
        other (Tensor): shape (q0, q1, ...).

    Shape: (p0, p1, ...), (q0, q1, ...) -> (p0 q0, p1 q1, ...).

    Example:
        >>> nl.kron(nl.tensor([1, 10]), nl.tensor([1, 2, 3]))
        tensor([ 1,  2,  3, 10, 20, 30])
    """
    a, b = as_tensor(input), as_tensor(other)
    nd = max(a.ndim, b.ndim)
    p = (1,) * (nd - a.ndim) + a.shape
    q = (1,) * (nd - b.ndim) + b.shape
    a2 = reshape(a, sum(((n, 1) for n in p), ()))               # (p0, 1, p1, 1, ...)
    b2 = reshape(b, sum(((1, n) for n in q), ()))               # (1, q0, 1, q1, ...)
    return reshape(a2 * b2, tuple(i * j for i, j in zip(p, q)))


def _dims_lists(dims: Any, a: Tensor, b: Tensor) -> tuple:
    """tensordot's ``dims`` as two lists of dims of a and of b."""
    if isinstance(dims, Tensor):
        dims = dims.array.tolist()
    if isinstance(dims, (int, np.integer)) and not isinstance(dims, bool):
        k = int(dims)
        if k < 0:
            raise ValueError(f"tensordot expects dims >= 0, but got dims={k}")
        if k > min(a.ndim, b.ndim):
            raise ValueError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={k} "
                             f"(shapes {a.shape} and {b.shape})")
        return list(range(a.ndim - k, a.ndim)), list(range(k))
    if not isinstance(dims, (list, tuple)) or len(dims) != 2:
        raise TypeError(f"tensordot expects dims to be an int, a pair of lists of dims, or "
                        f"a Tensor, got {dims!r}")
    da, db = ([d] if isinstance(d, (int, np.integer)) else list(d) for d in dims)
    if len(da) != len(db):
        raise ValueError(f"tensordot: both dimension lists should have same length, got "
                         f"{da} and {db}")
    return ([norm_dim(d, a.ndim, "tensordot") for d in da],
            [norm_dim(d, b.ndim, "tensordot") for d in db])


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """The sum of products of ``a`` and ``b`` over pairs of dims (a generalised matrix
    product).

    Args:
        a (Tensor): the left operand.
        b (Tensor): the right operand, of a's dtype.
        dims (int, pair of lists of ints, or Tensor): an int k contracts the last k dims
            of a with the first k of b; ``([1, 2], [0, 1])`` contracts a's dim 1 with b's
            dim 0 and a's dim 2 with b's dim 1. Default: 2.

    Shape: the free dims of a followed by the free dims of b.

    Example:
        >>> a, b = nl.ones(2, 3, 4), nl.ones(3, 4, 5)
        >>> nl.tensordot(a, b).shape, nl.tensordot(a, b, ([1], [0])).shape
        ((2, 5), (2, 4, 4, 5))
    """
    a, b = as_tensor(a), as_tensor(b)
    da, db = _dims_lists(dims, a, b)
    if len(set(da)) != len(da) or len(set(db)) != len(db):
        raise ValueError(f"tensordot: a dim is listed twice in dims ({da}, {db})")
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"tensordot: contracted dimensions need to match, but first has "
                             f"size {a.shape[i]} in dim {i} and second has size "
                             f"{b.shape[j]} in dim {j} (shapes {a.shape} and {b.shape})")
    check_same_dtype("tensordot", a, b, ("a", "b"))
    free_a = [i for i in range(a.ndim) if i not in da]
    free_b = [j for j in range(b.ndim) if j not in db]
    k = int(np.prod([a.shape[i] for i in da], dtype=np.int64))
    fa, fb = tuple(a.shape[i] for i in free_a), tuple(b.shape[j] for j in free_b)
    m = int(np.prod(fa, dtype=np.int64))
    n = int(np.prod(fb, dtype=np.int64))
    am = reshape(permute(a, free_a + da), (m, k))               # (M, K)
    bm = reshape(permute(b, db + free_b), (k, n))               # (K, N)
    return reshape(mm(am, bm), fa + fb)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """The inner product over the last dim of both (for 1-D tensors, the dot product);
    a 0-d operand multiplies elementwise.

    Args:
        input (Tensor): shape (..., n).
        other (Tensor): shape (..., n), of input's dtype.

    Shape: ``(*A, n), (*B, n) -> (*A, *B)``.

    Example:
        >>> nl.inner(nl.tensor([1.0, 2.0]), nl.tensor([[3.0, 4.0], [5.0, 6.0]]))
        tensor([11., 17.])
    """
    a, b = as_tensor(input), as_tensor(other)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"inner() the last dimension must match on both input tensors but "
                         f"got shapes {a.shape} and {b.shape}")
    return tensordot(a, b, ([a.ndim - 1], [b.ndim - 1]))


TENSOR_METHODS = {"cross": cross, "kron": kron, "inner": inner}
