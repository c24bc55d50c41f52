"""Distances and norm limits: cdist, dist, renorm.

Notation (cdist): x1 is (B, P, M), x2 is (B, R, M) (B any broadcast batch dims);
diff[b, i, j] = x1[b, i] - x2[b, j], of shape (B, P, R, M); y[b, i, j] = ||diff[b, i, j]||_p;
g = gy[b, i, j]. The gradient of diff, torch's ``_cdist_backward`` (0 at a zero distance):

    p = 0:     0 (a count)
    p = 1:     g sign(diff)
    p < 2:     g sign(diff) |diff|^(p-1) / y^(p-1)   (0 where y = 0, or diff = 0 for p < 1)
    p = 2:     g diff / y                            (0 where y = 0)
    p > 2:     g diff |diff|^(p-2) / y^(p-1)         (0 where y = 0)
    p = inf:   g sign(diff) where |diff| = y (every tie gets it), else 0
    gx1 = that summed over j;  gx2 = minus that summed over i.

dist and renorm are compositions of vector_norm, where and arithmetic.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..factories import as_tensor
from ..tensor import Tensor
from . import inplace
from ._util import ShapeError, norm_dim, pair, unsupported
from .norms import vector_norm
from .pointwise import where
from .shape import reshape

_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                  "donot_use_mm_for_euclid_dist")


class Cdist(Function):
    """y[b, i, j] = ||x1[b, i] - x2[b, j]||_p;  gx1, gx2 by the rules of the module
    notation (torch's, which are not differentiable again)"""
    broadcasts = True

    @staticmethod
    def forward(ctx, x1, x2, p):
        diff = x1[..., :, None, :] - x2[..., None, :, :]            # (B, P, R, M)
        ad = np.abs(diff)
        if p == 0:
            y = np.sum(diff != 0, axis=-1).astype(diff.dtype)
        elif p == 1:
            y = np.sum(ad, axis=-1)
        elif p == 2:
            y = np.sqrt(np.sum(diff * diff, axis=-1))
        elif p == math.inf:
            y = np.max(ad, axis=-1, initial=0)
        else:
            y = np.sum(ad ** p, axis=-1) ** (1.0 / p)
        ctx.p = p
        ctx.save_for_backward(diff, y)
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        diff, y = ctx.saved_tensors
        p = ctx.p
        g, yk = gy[..., None], y[..., None]                         # (B, P, R, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 0:
                gd = np.zeros_like(diff)
            elif p == 1:
                gd = g * np.sign(diff)
            elif p == 2:
                gd = np.where(yk == 0, 0, g * diff / yk)
            elif p == math.inf:
                gd = g * np.sign(diff) * (np.abs(diff) == yk)
            elif p < 2:
                zero = (yk == 0) | ((diff == 0) & (p < 1))
                gd = np.where(zero, 0, np.sign(diff) * np.abs(diff) ** (p - 1) * g
                              / yk ** (p - 1))
            else:
                gd = np.where(yk == 0, 0, diff * np.abs(diff) ** (p - 2) * g / yk ** (p - 1))
        gd = gd.astype(diff.dtype, copy=False)
        return gd.sum(axis=-2), -gd.sum(axis=-3), None


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between every row of ``x1`` and every row of ``x2``, batched.

    Args:
        x1 (Tensor): (B, P, M), floating, at least 2-D.
        x2 (Tensor): (B, R, M), of x1's dtype; the batch dims B broadcast.
        p (float): the order of the norm, >= 0 (``inf`` allowed). Default: 2.0.
        compute_mode (str): torch's choice of a matrix-product formula for p = 2;
            accepted and checked, but nnlite always subtracts the rows directly (exact
            where the product formula cancels). Default:
            ``"use_mm_for_euclid_dist_if_necessary"``.

    Shape: (B, P, M), (B, R, M) -> (B, P, R).

    Example:
        >>> nl.cdist(nl.tensor([[0.0, 0.0], [1.0, 1.0]]), nl.tensor([[3.0, 4.0]]))
        tensor([[5.       ],
                [3.6055512]])
    """
    x1, x2 = as_tensor(x1), as_tensor(x2)
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise ShapeError(f"cdist only supports at least 2D tensors, {name} got: "
                             f"{x.ndim}D (shape {x.shape})")
        if x.dtype.kind != "f":
            raise unsupported("cdist", x.dtype, f"cdist only supports floating-point "
                              f"dtypes, {name} got: {x.dtype}")
    if x1.shape[-1] != x2.shape[-1]:
        raise ShapeError(f"cdist: X1 and X2 must have the same number of columns. X1: "
                         f"{x1.shape[-1]} X2: {x2.shape[-1]} (shapes {x1.shape} and "
                         f"{x2.shape})")
    if x1.dtype != x2.dtype:
        raise TypeError(f"cdist: X1 and X2 must have the same dtype, got {x1.dtype} and "
                        f"{x2.dtype}")
    p = float(p)
    if not p >= 0:
        raise ValueError(f"cdist only supports non-negative p values, got p={p}")
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode (one of "
                         f"{', '.join(_COMPUTE_MODES)})")
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise ShapeError(f"cdist: the batch dims of X1 {x1.shape} and X2 {x2.shape} cannot "
                         f"be broadcast together") from None
    return Cdist.apply(x1, x2, p)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast), as a 0-d tensor.

    Args:
        input (Tensor): a floating tensor.
        other (Tensor): broadcastable with ``input``.
        p (float): the order of the norm (any real number, ``inf``, ``-inf``, 0).
            Default: 2.

    Shape: S, S' -> ().

    Example:
        >>> nl.dist(nl.tensor([1.0, 1.0]), nl.tensor([4.0, 5.0]))
        tensor(5.)
    """
    a, b = pair(as_tensor(input), as_tensor(other))
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"dist: input shape {a.shape} and other shape {b.shape} cannot be "
                         f"broadcast together") from None
    # the norm of all elements, of the flattened difference: also keeps a 0-d float32
    # difference float32 under NumPy 1.x (whose 0-d ``x ** p`` gives float64)
    return vector_norm(reshape(a - b, (-1,)), p)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice of ``input`` along ``dim`` (``input.select(dim, i)``) whose p-norm
    exceeds ``maxnorm`` scaled down to norm ``maxnorm`` (by maxnorm / (norm + 1e-7), as
    torch); the others unchanged. The gradient includes the norm's.

    Args:
        input (Tensor): a floating tensor, at least 2-D.
        p (float): the order of the norm, > 0.
        dim (int): the dim whose slices are normed.
        maxnorm (float): the largest norm kept, >= 0.

    Shape: S -> S.

    Example:
        >>> nl.renorm(nl.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0)
        tensor([[0.6, 0.8],
                [0.3, 0.4]])
    """
    x = as_tensor(input)
    if x.dtype.kind != "f":
        raise unsupported("renorm", x.dtype, "renorm needs a floating input")
    if not p > 0:
        raise ValueError(f"renorm: non-positive-norm not supported (p={p})")
    if maxnorm < 0:
        raise ValueError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if x.ndim < 2:
        raise ShapeError(f"renorm: input needs at least 2 dimensions, got {x.ndim} "
                         f"dimensions (shape {x.shape})")
    d = norm_dim(dim, x.ndim, "renorm")
    norm = vector_norm(x, p, tuple(i for i in range(x.ndim) if i != d), keepdim=True)
    factor = where(norm.array > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return x * factor


def _renorm_(t: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """``t.renorm_(p, dim, maxnorm)``: ``renorm`` written into ``t``."""
    return inplace.write(t, "renorm_", renorm, p, dim, maxnorm)


TENSOR_METHODS = {"dist": dist, "renorm": renorm, "renorm_": _renorm_}
