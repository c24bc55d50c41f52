"""Cumulative sums and products along one dim: cumsum, cumprod.

Notation: x has shape S and is scanned along dim d (size n); y_k is the sum (product)
of x_0 .. x_k along d; gy has y's shape. ``rev`` reverses d, so ``rev(cumsum(rev(g)))``
is the reversed cumulative sum: entry i sums g_i .. g_{n-1}.

    cumsum:  gx = rev(cumsum(rev(gy)))
    cumprod: gx_i = sum_{k >= i} gy_k * prod_{j <= k, j != i} x_j
                  = rev(cumsum(rev(gy * y)))_i / x_i     where no x along d is 0

Integer and bool inputs give int64, as torch (``dtype`` overrides, casting first).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor
from ._util import norm_dim


def _rev(dim: int) -> tuple:
    """The index that reverses dim ``dim`` (works on arrays and Tensors)."""
    return (slice(None),) * dim + (slice(None, None, -1),)


def _rev_cumsum(g: Any, dim: int) -> Any:
    """Entry i is g_i + ... + g_{n-1} along ``dim`` (recorded when ``g`` is a Tensor)."""
    r = _rev(dim)
    return CumSum.apply(g[r], dim)[r]


class CumSum(Function):
    """y = cumulative sum of x along d;  gx = rev(cumsum(rev(gy)))"""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx, gy):
        return _rev_cumsum(gy, ctx.dim)


class CumProd(Function):
    """y = cumulative product of x along d;  gx = rev(cumsum(rev(gy * y))) / x without
    zeros; with zeros, exact (no nan or inf):

    - z = the position of the first zero of a slice; for i < z the formula above holds
      (no x_i it divides by is 0); gx_z = rev(cumsum(rev(gy * y')))_z, y' the
      cumulative product with that zero replaced by 1; gx_i = 0 for i > z. O(n).
    - under ``create_graph`` (Tensors), as torch: the definition itself, every
      ``prod_{j <= k, j != i} x_j`` as the cumulative product of x with x_i replaced
      by 1 (n such products side by side, O(n^2)), so its own gradient is exact too.
    """

    @staticmethod
    def forward(ctx, x, dim):
        y = np.cumprod(x, axis=dim)
        ctx.dim = dim
        zero = x == 0
        ctx.has_zero = bool(zero.any())
        if ctx.has_zero:
            seen = np.cumsum(zero, axis=dim)                  # zeros up to and at i
            first = zero & (seen == 1)                        # the first zero of a slice
            before = seen == 0                                # positions before it
            ctx.save_for_backward(x, y, first, before)
        else:
            ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        dim = ctx.dim
        if not ctx.has_zero:
            x, y = ctx.saved_tensors
            return _rev_cumsum(gy * y, dim) / x
        x, y, first, before = ctx.saved_tensors
        if isinstance(gy, Tensor):
            return _cumprod_grad_exact(gy, x, dim)
        safe = np.where(x == 0, 1, x)
        x1 = np.where(first, 1, x)                            # the first zero -> 1
        at_first = _rev_cumsum(gy * np.cumprod(x1, axis=dim), dim)
        return np.where(before, _rev_cumsum(gy * y, dim) / safe,
                        np.where(first, at_first, 0)).astype(gy.dtype, copy=False)


def _cumprod_grad_exact(gy: Tensor, x: Tensor, dim: int) -> Tensor:
    """gx_i = sum_{k >= i} gy_k prod_{j <= k, j != i} x_j, recorded: a new leading axis i
    holds x with x_i replaced by 1 (shape (n, *S)); its cumulative product along d is
    ``prod_{j <= k, j != i} x_j`` at (i, k)."""
    n = x.shape[dim]
    i = np.arange(n).reshape((n,) + (1,) * x.ndim)                  # axis 0
    k = np.arange(n).reshape((1,) * (dim + 1) + (n,) + (1,) * (x.ndim - dim - 1))
    e = (i == k).astype(x.dtype)                                     # 1 where k == i
    xs = x.reshape((1,) + x.shape) * (1 - e) + e                     # (n, *S)
    c = CumProd.apply(xs, dim + 1)
    g = (gy.reshape((1,) + gy.shape) * c * (k >= i)).sum(axis=dim + 1)  # (n, S without d)
    order = list(range(1, g.ndim))
    order.insert(dim, 0)
    return g.transpose(tuple(order))


def _scan(cls: type, input: Any, dim: int, dtype: Any, op: str) -> Tensor:
    input = as_tensor(input)
    if dtype is not None:
        input = input.astype(dtype)
    elif input.dtype.kind in "iub":
        input = input.astype(np.int64)
    d = norm_dim(dim, input.ndim, op)
    if input.ndim == 0:
        return cls.apply(input.reshape(1), 0).reshape(())
    return cls.apply(input, d)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """The cumulative sum along ``dim``: entry i is x_0 + ... + x_i.

    Args:
        input (Tensor): any shape.
        dim (int): the dim to scan along.
        dtype (optional): cast the input to this dtype first (keyword only). Default:
            None: the input's dtype, int64 for integer and bool input.

    Shape: S -> S.

    Example:
        >>> nl.cumsum(nl.tensor([1, 2, 3]), 0)
        tensor([1, 3, 6])
    """
    return _scan(CumSum, input, dim, dtype, "cumsum")


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """The cumulative product along ``dim``: entry i is x_0 * ... * x_i. Its gradient is
    exact where the input holds zeros (no nan or inf), as torch's.

    Args:
        input (Tensor): any shape.
        dim (int): the dim to scan along.
        dtype (optional): cast the input to this dtype first (keyword only). Default:
            None: the input's dtype, int64 for integer and bool input.

    Shape: S -> S.

    Example:
        >>> nl.cumprod(nl.tensor([1.0, 2.0, 3.0]), 0)
        tensor([1., 2., 6.])
    """
    return _scan(CumProd, input, dim, dtype, "cumprod")
