"""Functions of matrices: matrix_exp, matrix_power, multi_dot, vecdot, cross, the
matrix norms (matrix_norm, linalg.norm, cond), linalg.diagonal, tensorinv and
tensorsolve. All but matrix_exp are compositions of differentiable ops.

Notation: A is (..., n, n); ^T swaps the last two dims.
    matrix_exp:  Y = exp(A) (scaling and squaring with the degree-13 Pade approximant,
                 Higham 2005);  gA = the upper-right n x n block of
                 exp([[A^T, gY], [0, A^T]]) (the block-triangular identity), built and read
                 with constant selector matmuls so it can be differentiated again
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import GradWhere, ShapeError, norm_dim
from .decompositions import Inv, SVD, _check, _mT, _no_out, _same_dtype, solve

# ============================================================================
# matrix_exp
# ============================================================================
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
           1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
           33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm(a: np.ndarray) -> np.ndarray:
    """exp of each matrix of a (..., n, n), computed in float64: each matrix scaled by
    2^-s (s from its 1-norm) so the Pade approximant is accurate, then squared s times."""
    dt = a.dtype
    a = a.astype(np.float64)
    n = a.shape[-1]
    if n == 0:
        return a.astype(dt)
    norm1 = np.abs(a).sum(-2).max(-1)
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(np.maximum(norm1, 1e-300) / _THETA13))).astype(int)
    a = a / (2.0 ** s)[..., None, None]
    b = _PADE13
    eye = np.eye(n)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
             + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = (a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2)
         + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye)
    r = np.linalg.solve(v - u, v + u)
    for k in range(int(s.max()) if s.size else 0):
        r = np.where((s > k)[..., None, None], r @ r, r)
    return r.astype(dt)


class MatrixExp(Function):
    """Y = exp(A);  gA = [[I, 0]] exp([[A^T, gY], [0, A^T]]) [[0], [I]]"""

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        return _expm(A)

    @staticmethod
    def backward(ctx, gY):
        (A,) = ctx.saved_tensors
        n = A.shape[-1]
        eye = np.eye(2 * n, dtype=A.dtype)
        P1, P2 = eye[:, :n], eye[:, n:]                 # (2n, n): [I; 0] and [0; I]
        AT = _mT(A)
        M = P1 @ AT @ P1.T + P1 @ gY @ P2.T + P2 @ AT @ P2.T
        return P1.T @ MatrixExp.apply(M) @ P2


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential ``exp(A) = sum_k A^k / k!`` of each matrix of A
    (``torch.linalg.matrix_exp``, ``torch.matrix_exp``, ``Tensor.matrix_exp``).

    Args:
        A (Tensor): (..., n, n), float32 or float64.

    Shape: (..., n, n) -> (..., n, n).

    Example:
        >>> nl.linalg.matrix_exp(nl.tensor([[0.0, 1.0], [0.0, 0.0]]))
        tensor([[1., 1.],
                [0., 1.]])
    """
    _check(A, "linalg.matrix_exp")
    return MatrixExp.apply(A)


# ============================================================================
# Products
# ============================================================================
def matrix_power(A: Tensor, n: int, *, out: Any = None) -> Tensor:
    """A to the integer power n (by repeated squaring); n = 0 gives the identity, n < 0
    the power of the inverse (A must then be invertible).

    Args:
        A (Tensor): (..., m, m).
        n (int): the exponent.

    Example:
        >>> nl.linalg.matrix_power(nl.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
        tensor([[1., 3.],
                [0., 1.]])
    """
    _no_out(out, "linalg.matrix_power")
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg.matrix_power: expected A to be a Tensor, got "
                        f"{type(A).__name__}")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"linalg.matrix_power: A must be batches of square matrices, got "
                         f"shape {tuple(A.shape)}")
    if n == 0:
        eye = np.eye(A.shape[-1], dtype=A.array.dtype)
        zero = GradWhere.apply(A, np.zeros(A.shape, bool))   # exactly 0, even for nan/inf
        return zero + eye              # the identity, in A's graph (zero gradient), as torch
    if n < 0:
        _check(A, "linalg.matrix_power")
        A, n = Inv.apply(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def multi_dot(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    """The product of two or more matrices, multiplied in the order that costs the
    fewest multiplications (dynamic programming over the chain). The first may be 1-D
    (a row vector) and the last 1-D (a column vector); those dims are dropped.

    Args:
        tensors (sequence of Tensors): 2-D, except possibly the first and last (1-D).

    Example:
        >>> a, b, c = nl.ones(2, 3), nl.ones(3, 4), nl.ones(4)
        >>> nl.linalg.multi_dot([a, b, c])
        tensor([12., 12.])
    """
    _no_out(out, "linalg.multi_dot")
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        ok = t.ndim == 2 or (t.ndim == 1 and i in (0, len(ts) - 1))
        if not ok:
            raise ShapeError(f"multi_dot(): tensor {i} must be 2-D (the first and last may "
                             f"be 1-D), got shape {tuple(t.shape)}")
    for i, t in enumerate(ts[1:], 1):
        _same_dtype("multi_dot()", ts[0], t, "tensors[0] and tensors[%d]" % i)
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    for i in range(len(ts) - 1):
        if ts[i].shape[1] != ts[i + 1].shape[0]:
            raise ShapeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                             f"{tuple(ts[i].shape)} and {tuple(ts[i + 1].shape)} cannot be "
                             f"multiplied")
    dims = [t.shape[0] for t in ts] + [ts[-1].shape[1]]
    k = len(ts)
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = math.inf
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def chain(i: int, j: int) -> Tensor:
        if i == j:
            return ts[i]
        s = split[i][j]
        return chain(i, s) @ chain(s + 1, j)

    y = chain(0, k - 1)
    if first_vec:
        y = y.squeeze(0)
    if last_vec:
        y = y.squeeze(-1)
    return y


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    """The dot product of x and y along ``dim`` (batch dims broadcast):
    ``sum(x * y, dim)``.

    Args:
        x, y (Tensor): broadcastable, floating.
        dim (int): the dim to contract. Default: -1.

    Example:
        >>> nl.linalg.vecdot(nl.tensor([1.0, 2.0]), nl.tensor([3.0, 4.0]))
        tensor(11.)
    """
    _no_out(out, "linalg.vecdot")
    try:
        shape = np.broadcast_shapes(tuple(x.shape), tuple(y.shape))
    except ValueError:
        raise ShapeError(f"linalg.vecdot: shapes {tuple(x.shape)} and {tuple(y.shape)} "
                         f"cannot be broadcast together") from None
    d = norm_dim(dim, len(shape), "linalg.vecdot")
    return (x * y).sum(d)


def _cross(a: Tensor, b: Tensor, d: int) -> Tensor:
    """a x b along dim d (size 3): a[i+1] b[i+2] - a[i+2] b[i+1], indices mod 3."""
    return a.roll(-1, d) * b.roll(-2, d) - a.roll(-2, d) * b.roll(-1, d)


def _broadcast_pair(op: str, a: Tensor, b: Tensor) -> tuple:
    try:
        shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise ShapeError(f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                         f"broadcast together") from None
    return a.expand(*shape), b.expand(*shape)


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (``torch.linalg.cross``; batch dims
    broadcast).

    Args:
        input, other (Tensor): of the same number of dims, broadcastable, with size 3
            along ``dim``.
        dim (int): the dim of the vectors. Default: -1.

    Example:
        >>> nl.linalg.cross(nl.tensor([1.0, 0.0, 0.0]), nl.tensor([0.0, 1.0, 0.0]))
        tensor([0., 0., 1.])
    """
    _no_out(out, "linalg.cross")
    _same_dtype("linalg.cross", input, other, "input and other")
    if input.ndim != other.ndim:
        raise ShapeError(f"linalg.cross: inputs must have the same number of dimensions "
                         f"(got shapes {tuple(input.shape)} and {tuple(other.shape)})")
    a, b = _broadcast_pair("linalg.cross", input, other)
    d = norm_dim(dim, a.ndim, "linalg.cross")
    if a.shape[d] != 3:
        raise ShapeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                         f"{input.shape[d - a.ndim] if input.ndim else 1} and "
                         f"{other.shape[d - a.ndim] if other.ndim else 1} (shapes "
                         f"{tuple(input.shape)} and {tuple(other.shape)})")
    return _cross(a, b, d)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """``torch.linalg.diagonal``: ``torch.diagonal`` with the last two dims as default.

    Args:
        A (Tensor): at least 2-D.
        offset (int): which diagonal (> 0 above). Default: 0.
        dim1, dim2 (int): the dims of the matrices. Default: -2, -1.

    Example:
        >>> nl.linalg.diagonal(nl.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([1., 4.])
    """
    from .matrix import diagonal as _diagonal
    return _diagonal(A, offset, dim1, dim2)


# ============================================================================
# Norms
# ============================================================================
def _matrix_dims(A: Tensor, dim: Any, op: str) -> tuple:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim}")
    d = tuple(norm_dim(x, A.ndim, op) for x in dim)
    if d[0] == d[1]:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d


def matrix_norm(A: Tensor, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False,
                *, dtype: Any = None, out: Any = None) -> Tensor:
    """A matrix norm of each matrix of A (over the two dims ``dim``).

    ``ord``: ``'fro'`` (sqrt of the sum of squares), ``'nuc'`` (sum of the singular
    values), ``inf`` / ``-inf`` (max / min absolute row sum), ``1`` / ``-1`` (max / min
    absolute column sum), ``2`` / ``-2`` (largest / smallest singular value).

    Args:
        A (Tensor): at least 2-D, floating.
        ord: the norm. Default: ``'fro'``.
        dim (2-tuple of ints): the matrix dims. Default: (-2, -1).
        keepdim (bool): keep those dims as size 1. Default: False.
        dtype (optional): compute in this dtype. Default: None.

    Example:
        >>> nl.linalg.matrix_norm(nl.tensor([[1.0, -2.0], [3.0, 4.0]]), 1)
        tensor(6.)
    """
    from .norms import vector_norm
    _no_out(out, "linalg.matrix_norm")
    if dtype is not None:
        A = A.to(dtype)
    if A.ndim < 2:
        raise ShapeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                         f"dimensions (got shape {tuple(A.shape)}).")
    if A.array.dtype.kind != "f":
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point tensor as input, "
                           f"got dtype {A.dtype}")
    d0, d1 = _matrix_dims(A, dim, "linalg.matrix_norm")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        Am = A.movedim((d0, d1), (-2, -1))
        S = SVD.apply(_check(Am, "linalg.matrix_norm", square=False), False)[1]
        y = S.sum(-1) if ord == "nuc" else (S.amax(-1) if ord == 2 else S.amin(-1))
        if keepdim:
            for d in sorted((d0, d1)):
                y = y.unsqueeze(d)
        return y
    if ord in (1, -1, math.inf, -math.inf):
        along, across = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = A.abs().sum(along, keepdim=True)
        y = sums.amax(across, keepdim=True) if ord > 0 else sums.amin(across, keepdim=True)
        return y if keepdim else y.squeeze(max(d0, d1)).squeeze(min(d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord!r} not supported (expected 'fro', "
                       f"'nuc', inf, -inf, 1, -1, 2 or -2)")


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None, out: Any = None) -> Tensor:
    """``torch.linalg.norm``: a vector norm (``dim`` an int, or A 1-D) or a matrix norm
    (``dim`` a 2-tuple, or A 2-D with ``ord`` given); with ``ord`` and ``dim`` both None,
    the 2-norm of A flattened.

    Args:
        A (Tensor): floating.
        ord: the order (see :func:`vector_norm` and :func:`matrix_norm`). Default: None
            (2 for vectors, 'fro' for matrices).
        dim (int or 2-tuple, optional): the dims. Default: None.
        keepdim (bool): keep the reduced dims. Default: False.
        dtype (optional): compute in this dtype. Default: None.

    Example:
        >>> nl.linalg.norm(nl.tensor([[3.0, 0.0], [0.0, 4.0]]))
        tensor(5.)
    """
    from .norms import vector_norm
    _no_out(out, "linalg.norm")
    if dim is not None and not isinstance(dim, (tuple, list)):
        dim = (dim,)
    if dim is None and ord is not None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A.ndim}D (shape {tuple(A.shape)})")
        dim = tuple(range(A.ndim))
    if dim is not None and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, tuple(dim), keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: ord={ord!r} is a matrix norm; it needs a 2-D input "
                           f"or a 2-tuple dim (got shape {tuple(A.shape)}, dim={dim})")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def cond(A: Tensor, p: Any = None, *, out: Any = None) -> Tensor:
    """The condition number of each matrix of A in the norm ``p``: ``S_max / S_min`` for
    p = None or 2 (any shape), ``S_min / S_max`` for -2, else
    ``matrix_norm(A, p) * matrix_norm(inv(A), p)`` (square, invertible A).

    Args:
        A (Tensor): (..., m, n).
        p: None, 2, -2, 'fro', 'nuc', inf, -inf, 1, -1. Default: None.

    Example:
        >>> nl.linalg.cond(nl.tensor([[2.0, 0.0], [0.0, 1.0]]))
        tensor(2.)
    """
    _no_out(out, "linalg.cond")
    _check(A, "linalg.cond", square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        S = SVD.apply(A, False)[1]
        big, small = S[..., 0], S[..., -1]
        return big / small if p != -2 else small / big
    return matrix_norm(A, p) * matrix_norm(Inv.apply(A), p)


# ============================================================================
# Tensor equations
# ============================================================================
def tensorinv(A: Tensor, ind: int = 2, *, out: Any = None) -> Tensor:
    """The inverse of A for ``tensordot`` over its first ``ind`` dims: A reshaped to a
    (prod(A.shape[:ind]), prod(A.shape[ind:])) square matrix, inverted, and reshaped to
    ``A.shape[ind:] + A.shape[:ind]``.

    Args:
        A (Tensor): with ``prod(A.shape[:ind]) == prod(A.shape[ind:])``.
        ind (int): the number of leading dims. Default: 2.

    Example:
        >>> nl.linalg.tensorinv(nl.eye(4).reshape(4, 2, 2), ind=1).shape
        (2, 2, 4)
    """
    _no_out(out, "linalg.tensorinv")
    if not isinstance(ind, int) or ind <= 0:
        raise ValueError(f"linalg.tensorinv: Expected a strictly positive integer for 'ind', "
                         f"but got {ind}")
    left, right = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    rows, cols = int(np.prod(left)), int(np.prod(right))
    if rows != cols:
        raise ShapeError(f"linalg.tensorinv: Expected self to satisfy the requirement "
                         f"prod(self.shape[ind:]) == prod(self.shape[:ind]), but got "
                         f"{cols} != {rows} (shape {tuple(A.shape)}, ind={ind})")
    M = _check(A.reshape(rows, cols), "linalg.tensorinv")
    return Inv.apply(M).reshape(*(right + left))


def tensorsolve(A: Tensor, B: Tensor, dims: Any = None, *, out: Any = None) -> Tensor:
    """The X with ``tensordot(A, X, X.ndim) == B``: A's leading dims (B's shape) against
    its trailing ones (X's shape), solved as one square system.

    Args:
        A (Tensor): with ``prod(A.shape[B.ndim:]) == B.numel()``.
        B (Tensor): the right-hand side.
        dims (tuple of ints, optional): dims of A moved to the end first. Default: None.

    Example:
        >>> A = nl.eye(6).reshape(2, 3, 6)
        >>> nl.linalg.tensorsolve(A, nl.ones(2, 3)).shape
        (6,)
    """
    _no_out(out, "linalg.tensorsolve")
    if dims is not None:
        dims = [norm_dim(d, A.ndim, "linalg.tensorsolve") for d in dims]
        rest = [d for d in range(A.ndim) if d not in dims]
        A = A.permute(*(rest + dims))
    x_shape = tuple(A.shape[B.ndim:])
    n = int(np.prod(x_shape))
    if tuple(A.shape[:B.ndim]) != tuple(B.shape) or n != B.numel():
        raise ShapeError(f"linalg.tensorsolve: Expected self to satisfy the requirement "
                         f"prod(result_shape) == prod(other.shape) with A.shape[:other.ndim] "
                         f"== other.shape (A of shape {tuple(A.shape)}, B of shape "
                         f"{tuple(B.shape)})")
    return solve(A.reshape(n, n), B.reshape(n)).reshape(*x_shape)


TENSOR_METHODS = {"matrix_power": matrix_power, "matrix_exp": matrix_exp}
