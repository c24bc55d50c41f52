"""Norms: ``norm`` (torch.norm, Tensor.norm) and ``torch.linalg.vector_norm``'s core.

Notation: x is the input, y = ||x||_p over the reduced axes (kept as size 1 in ``backward``
so it broadcasts against x), gy its gradient.
    p = 2:    y = sqrt(sum x^2),          gx = gy * x / y      (0 where y = 0, as torch)
    p = 1:    y = sum |x|,                gx = gy * sign(x)
    p = inf:  y = max |x|,                gx = gy * sign(x) on the maxima, shared equally
    p = -inf: y = min |x|, likewise;      p = 0: y = count of non-zeros, no gradient (gx is 0 where x = 0 for every p)
    other p:  y = (sum |x|^p)^(1/p),      gx = gy * sign(x) |x|^(p-1) / y^(p-1)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor
from ._util import norm_dim


class VectorNorm(Function):
    """y = ||x||_p over ``axes`` (None: all), the cases in the module notation."""

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        ax = np.abs(x)
        if p == 2:
            y = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
        elif p == 1:
            y = np.sum(ax, axis=axes, keepdims=True)
        elif p == math.inf:
            y = np.max(ax, axis=axes, keepdims=True)
        elif p == -math.inf:
            y = np.min(ax, axis=axes, keepdims=True)
        elif p == 0:
            y = np.sum(x != 0, axis=axes, keepdims=True).astype(x.dtype)
        else:
            with np.errstate(divide="ignore"):  # 0 ** negative p is inf, as in torch
                y = np.sum(ax ** p, axis=axes, keepdims=True) ** (1.0 / p)
        ctx.save_for_backward(x, y)
        ctx.p, ctx.axes = p, axes
        return y if keepdim else _drop(y, axes)

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        p = ctx.p
        g = gy.reshape(y.shape)
        if p == 0:
            return None                     # a count: no gradient, as torch
        if p == 1:
            return g * np.sign(x)
        if p in (math.inf, -math.inf):
            hit = np.abs(x) == y
            share = g / np.sum(hit, axis=ctx.axes, keepdims=True)
            return np.where(hit, share * np.sign(x), 0).astype(x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 2:
                gx = g * x / y
            else:
                gx = g * np.sign(x) * np.abs(x) ** (p - 1) / y ** (p - 1)
        return np.where((y == 0) | (x == 0), 0, gx).astype(x.dtype)


def _drop(y: np.ndarray, axes: tuple | None) -> np.ndarray:
    return y.reshape(()) if axes is None else np.squeeze(y, axis=axes)


def _axes(dim: Any, ndim: int, op: str) -> tuple | None:
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(sorted(norm_dim(d, ndim, op) for d in dims))


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """``||x||_ord`` over ``dim`` (all elements when None), as torch.linalg.vector_norm.

    Args:
        x (Tensor): a floating tensor.
        ord (float): 2 (default), 1, inf, -inf, 0 or any other real number.
        dim (int or tuple of ints, optional): the axes to reduce. Default: None (all).
        keepdim (bool): keep the reduced axes as size 1. Default: False.
        dtype (optional): compute in this dtype. Default: None (x's dtype).

    Example:
        >>> vector_norm(nl.tensor([3.0, 4.0]), 1)
        tensor(7.)
    """
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"vector_norm: expected a floating point input, got dtype {x.dtype}")
    p = float(ord)
    axes = _axes(dim, x.ndim, "vector_norm")
    if x.numel() == 0 and p < 0 or (x.numel() == 0 and p == math.inf and axes is None):
        raise RuntimeError(f"vector_norm: cannot compute the {ord} norm of an empty tensor "
                           f"(shape {x.shape}) because the operation has no identity")
    return VectorNorm.apply(x, p, axes, keepdim)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """``torch.norm``: the vector p-norm over ``dim`` (all elements when None); ``"fro"``
    is the 2-norm of the flattened axes. The nuclear norm (``"nuc"``) is not supported.

    Args:
        input (Tensor): a floating tensor.
        p (float or "fro"): the order. Default: "fro".
        dim (int or tuple of ints, optional): the axes. Default: None (all).
        keepdim (bool): keep the reduced axes as size 1. Default: False.
        dtype (optional): compute in this dtype. Default: None.

    Example:
        >>> x = nl.tensor([[3.0, 4.0], [0.0, 0.0]])
        >>> x.norm(), x.norm(dim=1), x.norm(p=1)
        (tensor(5.), tensor([5., 0.]), tensor(7.))
    """
    if p == "fro":
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(f"norm: p='fro' takes at most two dims (a matrix norm), got "
                               f"dim={tuple(dim)}")
        p = 2
    elif isinstance(p, str):
        raise ValueError(f"norm: p must be a number or 'fro', got {p!r} (nnlite has no "
                         f"nuclear norm)")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)
