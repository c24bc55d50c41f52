"""Dropout ops: dropout, dropout1d, dropout2d, dropout3d (whole channels), alpha_dropout.

Notation: x any shape; keep ~ Bernoulli(1 - p) drawn from nnlite's generator
(``nl.manual_seed`` makes it repeatable), one draw per element (dropout) or per (sample,
channel) pair (dropout1d / dropout2d / dropout3d, broadcast over the spatial dims).
Inverted scaling: y = x * keep / (1 - p), so E[y] = x and eval mode is the identity.
The node keeps only the scaled mask m (x's dtype); gx = gy * m, itself linear in gy, so
double backward works.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..random import default_generator
from ..autograd import versions as _versions
from ..autograd.function import Function
from ..tensor import Tensor, is_grad_enabled
from ..factories import as_tensor
from . import buffers as _buf
from . import inplace as _inplace

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout"]

SELU_ALPHA_PRIME = 1.7580993408473766      # -SELU's negative saturation, scale * alpha


class DropoutFn(Function):
    """y = x * m + c;  gx = gy * m   (m the scaled keep mask, c an optional constant
    offset used by alpha dropout; m may broadcast over trailing dims)."""

    @staticmethod
    def forward(ctx, x, mask, offset):
        ctx.save_for_backward(mask)
        y = np.multiply(x, mask, out=_buf.empty(np.broadcast_shapes(x.shape, mask.shape),
                                                np.result_type(x, mask)))
        if offset is not None:
            y += offset
        return y

    @staticmethod
    def backward(ctx, gy):
        (mask,) = ctx.saved_tensors
        if gy.__class__ is np.ndarray and gy.shape == mask.shape and gy.dtype == mask.dtype:
            return np.multiply(gy, mask, out=_buf.empty(gy.shape, gy.dtype))
        return gy * mask


def _check_p(p: Any) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def _keep(shape: tuple, p: float) -> np.ndarray:
    """Boolean Bernoulli(1 - p) draws from the nnlite generator."""
    draws = default_generator().random(shape, dtype=np.float32,
                                       out=_buf.empty(shape, np.float32))
    return np.greater_equal(draws, np.float32(p), out=_buf.empty(shape, np.bool_))


def _apply(x: Tensor, mask: np.ndarray, offset: np.ndarray | None, inplace: bool) -> Tensor:
    """Run the dropout op, or with ``inplace`` write its result into x and return x
    (torch's rules, ``nnlite.ops.inplace.write``: an error on a leaf that requires grad,
    and a recorded write when x is part of a graph; otherwise one NumPy multiply into
    x's array)."""
    if not inplace:
        return DropoutFn.apply(x, mask, offset)
    if is_grad_enabled() and x.requires_grad:
        return _inplace.write(x, "dropout_", DropoutFn.apply, mask, offset)
    a = x.array
    np.multiply(a, mask, out=a, casting="unsafe")
    if offset is not None:
        np.add(a, offset, out=a, casting="unsafe")
    _versions.bump(a)
    return x


def _dropout(x: Tensor, p: float, training: bool, inplace: bool, mask_shape: tuple) -> Tensor:
    if not training or p == 0.0:
        return x
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    if p == 1.0:
        mask = np.zeros(mask_shape, dt)
    else:
        mask = np.multiply(_keep(mask_shape, p), dt.type(1 / (1 - p)), dtype=dt,
                           out=_buf.empty(mask_shape, dt))
    return _apply(x, mask, None, inplace)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Args:
        input: any shape.
        p (float): drop probability in [0, 1]. Default: 0.5.
        training (bool): apply dropout; when False return the input. Default: True.
        inplace (bool): write the result into the input and return it (torch's rules:
            an error on a leaf that requires grad). Default: False.

    Example:
        >>> _ = nl.manual_seed(0)
        >>> y = dropout(nl.ones(4, 4), p=0.5)      # entries are 0 or 2
    """
    x = as_tensor(input)
    p = _check_p(p)
    return _dropout(x, p, training, inplace, x.shape)


def _feature_shape(shape: tuple) -> tuple:
    """(N, C, 1, ..., 1): one draw per (sample, channel)."""
    return tuple(shape[:2]) + (1,) * (len(shape) - 2)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: each (sample, channel) map of an (N, C, H, W) input is
    dropped with probability ``p``; the kept ones are scaled by ``1 / (1 - p)``.

    As in torch, a 3-D input is treated as (N, C, L) (channel-wise 1-D dropout, with a
    warning) and other ranks warn and drop along dims (0, 1).

    Args:
        input: (N, C, H, W). p, training, inplace: as ``dropout``.
    """
    x = as_tensor(input)
    p = _check_p(p)
    if x.ndim not in (3, 4):
        warnings.warn(f"dropout2d: received a {x.ndim}-D input (shape {tuple(x.shape)}); "
                      f"dropout2d expects (N, C, H, W) or (C, H, W) input", stacklevel=2)
    elif x.ndim == 3:
        warnings.warn("dropout2d: received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted "
                      "as shape (N, C, L) (as torch); use dropout1d to silence this",
                      stacklevel=2)
    if x.ndim < 2:
        raise ValueError(f"dropout2d: expected an input with at least 2 dims, got shape "
                         f"{tuple(x.shape)}")
    return _dropout(x, p, training, inplace, _feature_shape(x.shape))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, L) input, or of an unbatched (C, L) input.

    Args:
        input: (N, C, L) or (C, L). p, training, inplace: as ``dropout``.
    """
    x = as_tensor(input)
    p = _check_p(p)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: expected 2D or 3D input (C, L) or (N, C, L), but "
                           f"received a {x.ndim}D input of shape {tuple(x.shape)}")
    shape = _feature_shape(x.shape) if x.ndim == 3 else (x.shape[0], 1)
    return _dropout(x, p, training, inplace, shape)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels: each (sample, channel) volume of an (N, C, D, H, W) input, or
    each channel of an unbatched (C, D, H, W) input, is dropped with probability ``p``;
    the kept ones are scaled by ``1 / (1 - p)``.

    As in torch, other ranks warn and are taken as unbatched: one draw per index of
    dim 0.

    Args:
        input: (N, C, D, H, W) or (C, D, H, W). p, training, inplace: as ``dropout``.

    Example:
        >>> dropout3d(nl.ones(2, 4, 3, 3, 3), 0.5).shape
        (2, 4, 3, 3, 3)
    """
    x = as_tensor(input)
    p = _check_p(p)
    if x.ndim not in (4, 5):
        warnings.warn(f"dropout3d: received a {x.ndim}-D input (shape {tuple(x.shape)}); "
                      f"dropout3d expects (N, C, D, H, W) or (C, D, H, W) input; use dropout "
                      f"for other ranks", stacklevel=2)
    if x.ndim < 1:
        raise ValueError(f"dropout3d: expected an input with at least 1 dim, got shape "
                         f"{tuple(x.shape)}")
    shape = _feature_shape(x.shape) if x.ndim == 5 else (x.shape[0],) + (1,) * (x.ndim - 1)
    return _dropout(x, p, training, inplace, shape)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout for SELU networks: dropped units are set to SELU's negative saturation
    and an affine correction keeps the mean and variance (Klambauer et al. 2017):
    ``y = a * (x * keep - alpha' * (1 - keep)) + a alpha' p`` with
    ``a = ((1 - p) (1 + p alpha'^2))^-1/2`` and ``alpha' = 1.7581`` (SELU's scale *
    alpha), as torch.

    Note torch's default ``training=False`` for this function.
    """
    x = as_tensor(input)
    p = _check_p(p)
    if not training or p == 0.0:
        return x
    dt = x.dtype
    if p == 1.0:
        return _apply(x, np.zeros((), dt), None, inplace)
    a = 1.0 / np.sqrt((SELU_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
    keep = _keep(x.shape, p)
    mask = np.multiply(keep, dt.type(a), dtype=dt)
    offset = np.where(keep, dt.type(a * SELU_ALPHA_PRIME * p),
                      dt.type(a * SELU_ALPHA_PRIME * p - a * SELU_ALPHA_PRIME)).astype(dt)
    return _apply(x, mask, offset, inplace)
