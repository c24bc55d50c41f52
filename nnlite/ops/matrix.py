"""Matrix structure: t, tril, triu, diag, diagonal, trace, and addmm (beta input + alpha
mat1 @ mat2).

Notation: x has shape S; the matrices are its last two dims (tril, triu) or the dims
``dim1``, ``dim2`` (diagonal). A diagonal of offset k holds the entries (i, i + k) for
k >= 0 and (i - k, i) for k < 0; its length is L. Every backward puts gy back where
the forward took it from (zeros elsewhere), and the op that puts is the backward of the
op that takes, so these rules can be differentiated again.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor
from ._util import norm_dim
from .linalg import matmul
from .shape import transpose


# ---- tril / triu ---------------------------------------------------------------------
class Tril(Function):
    """y = x with the entries above diagonal k of the last two dims zeroed;  gx = tril(gy, k)"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.tril(x, k)

    @staticmethod
    def backward(ctx, gy):
        return Tril.apply(gy, ctx.k)


class Triu(Function):
    """y = x with the entries below diagonal k of the last two dims zeroed;  gx = triu(gy, k)"""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.triu(x, k)

    @staticmethod
    def backward(ctx, gy):
        return Triu.apply(gy, ctx.k)


def _check_matrices(x: Tensor, op: str) -> None:
    if x.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape "
                           f"{x.shape}")


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of each matrix in the last two dims (entries (i, j) with
    j - i <= ``diagonal``); the others are zero.

    Args:
        input (Tensor): shape ``(*, m, n)``, at least 2-D; any dtype.
        diagonal (int): which diagonal bounds the triangle: 0 the main one, > 0 above
            it, < 0 below it. Default: 0.

    Shape: ``(*, m, n)`` -> ``(*, m, n)``.

    Example:
        >>> nl.tril(nl.ones(3, 3), -1)
        tensor([[0., 0., 0.],
                [1., 0., 0.],
                [1., 1., 0.]])
    """
    input = as_tensor(input)
    _check_matrices(input, "tril")
    return Tril.apply(input, int(diagonal))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of each matrix in the last two dims (entries (i, j) with
    j - i >= ``diagonal``); the others are zero. Arguments as in ``tril``.

    Example:
        >>> nl.triu(nl.ones(2, 3), 1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]])
    """
    input = as_tensor(input)
    _check_matrices(input, "triu")
    return Triu.apply(input, int(diagonal))


# ---- diagonal / diag / trace -----------------------------------------------------------
def _diagonal_index(n1: int, n2: int, offset: int) -> tuple:
    """Row and column indices (each of length L) of diagonal ``offset`` of an n1 x n2
    matrix."""
    if offset >= 0:
        length = max(0, min(n1, n2 - offset))
        rows = np.arange(length)
        return rows, rows + offset
    length = max(0, min(n1 + offset, n2))
    cols = np.arange(length)
    return cols - offset, cols


class Diagonal(Function):
    """y = the diagonal of offset k of x over dims (d1, d2), moved to the last dim (shape
    S without d1, d2, then L, a view of x as torch's);  gx = gy put on that diagonal of
    zeros(S) (``DiagonalScatter``)"""
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args, ctx.shape = (offset, d1, d2), x.shape
        y = np.diagonal(x, offset, d1, d2)        # NumPy's view is read-only: open it
        if x.flags.writeable:
            y.flags.writeable = True
        return y

    @staticmethod
    def backward(ctx, gy):
        return DiagonalScatter.apply(gy, ctx.shape, *ctx.args)


class DiagonalScatter(Function):
    """y = zeros(S) with g (shape S without d1, d2, then L) on the diagonal of offset k over
    dims (d1, d2);  gg = the diagonal of gy (``Diagonal``)"""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, g.dtype)
        view = np.moveaxis(out, (d1, d2), (-2, -1))          # writes go to out
        rows, cols = _diagonal_index(shape[d1], shape[d2], offset)
        view[..., rows, cols] = g
        return out

    @staticmethod
    def backward(ctx, ggx):
        return Diagonal.apply(ggx, *ctx.args)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of offset ``offset`` of the matrices spanned by ``dim1`` and ``dim2``,
    as a new last dim (``torch.diagonal``; nnlite returns a copy, not a view).

    Args:
        input (Tensor): at least 2-D.
        offset (int): 0 the main diagonal, > 0 above it, < 0 below it. Default: 0.
        dim1 (int): the rows' dim. Default: 0.
        dim2 (int): the columns' dim. Default: 1.

    Shape: S -> S without dim1 and dim2, then L (the diagonal's length, 0 if the offset
    is beyond the matrix).

    Example:
        >>> nl.diagonal(nl.arange(9).reshape(3, 3), 1)
        tensor([1, 5])
    """
    input = as_tensor(input)
    if input.ndim < 2:
        raise RuntimeError(f"diagonal: input must have at least 2 dimensions, got shape "
                           f"{input.shape}")
    d1, d2 = norm_dim(dim1, input.ndim, "diagonal"), norm_dim(dim2, input.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: dimensions cannot be identical, got dim1={dim1} and "
                           f"dim2={dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D input: the square matrix with ``input`` on diagonal ``diagonal`` (zeros
    elsewhere). A 2-D input: its diagonal ``diagonal`` as a 1-D tensor.

    Args:
        input (Tensor): 1-D (n) or 2-D (m, n).
        diagonal (int): 0 the main diagonal, > 0 above it, < 0 below it. Default: 0.

    Shape: ``(n) -> (n + |k|, n + |k|)``;  ``(m, n) -> (L)``.

    Example:
        >>> nl.diag(nl.tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
    """
    input = as_tensor(input)
    k = int(diagonal)
    if input.ndim == 1:
        n = input.shape[0] + abs(k)
        return DiagonalScatter.apply(input, (n, n), k, 0, 1)
    if input.ndim == 2:
        return Diagonal.apply(input, k, 0, 1)
    raise RuntimeError(f"diag: supports 1-D or 2-D tensors, got {input.ndim}-D (shape "
                       f"{input.shape})")


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a matrix (int64 for integer input, as torch).

    Args:
        input (Tensor): 2-D.

    Shape: (m, n) -> ().

    Example:
        >>> nl.trace(nl.eye(3))
        tensor(3.)
    """
    input = as_tensor(input)
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got a tensor with {input.ndim} "
                           f"dims (shape {input.shape})")
    if input.dtype.kind in "iub":
        input = input.astype(np.int64)
    return Diagonal.apply(input, 0, 0, 1).sum()


# ---- t / addmm -----------------------------------------------------------------------
def t(input: Tensor) -> Tensor:
    """The transpose of a matrix; a 0-D or 1-D tensor is returned as it is.

    Args:
        input (Tensor): at most 2-D.

    Shape: (m, n) -> (n, m).

    Example:
        >>> nl.ones(2, 3).t().shape
        (3, 2)
    """
    input = as_tensor(input)
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D (shape {input.shape})")
    return transpose(input, 0, -1) if input.ndim == 2 else input


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1,
          alpha: float = 1) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), with ``input`` broadcast to the product's
    shape; with ``beta=0`` the input is ignored (nan and inf in it do not propagate), as
    torch.

    Args:
        input (Tensor): broadcastable to (n, p).
        mat1 (Tensor): (n, m).
        mat2 (Tensor): (m, p).
        beta (number): the input's factor (keyword only). Default: 1.
        alpha (number): the product's factor (keyword only). Default: 1.

    Shape: (n, m) @ (m, p) -> (n, p).

    Example:
        >>> nl.addmm(nl.zeros(3), nl.ones(2, 4), nl.ones(4, 3), alpha=0.5)
        tensor([[2., 2., 2.],
                [2., 2., 2.]])
    """
    mat1, mat2 = as_tensor(mat1), as_tensor(mat2)
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m.ndim != 2:
            raise RuntimeError(f"addmm: {name} must be a matrix, got a {m.ndim}-D tensor "
                               f"(shape {m.shape})")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"addmm: mat1 and mat2 shapes cannot be multiplied "
                           f"({mat1.shape[0]}x{mat1.shape[1]} and "
                           f"{mat2.shape[0]}x{mat2.shape[1]})")
    out_shape = (mat1.shape[0], mat2.shape[1])
    if not isinstance(input, (Tensor, int, float)):
        input = as_tensor(input)                 # a number stays a number: it never widens
    in_shape = np.shape(input.array if isinstance(input, Tensor) else input)
    try:
        ok = np.broadcast_shapes(in_shape, out_shape) == out_shape
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"addmm: input of shape {in_shape} cannot be broadcast to the "
                           f"product's shape {out_shape}")
    y = matmul(mat1, mat2)
    if alpha != 1:
        y = y * alpha
    if beta == 0:
        return y
    return y + (input if beta == 1 else input * beta)
