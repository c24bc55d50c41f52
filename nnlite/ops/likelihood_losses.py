"""Negative log-likelihood losses of a distribution's parameters: poisson_nll_loss and
gaussian_nll_loss, with PyTorch's names, arguments and maths. The loss modules are in
``nn/loss.py``.

Notation: x the input (a Poisson rate, or its log; a Gaussian mean), t the target
(an observed count or value), v the Gaussian variance. Elementwise:

- poisson_nll:  l = exp(x) - t x  (``log_input``), or x - t log(x + eps); with ``full``
                the Stirling term t log t - t + log(2 pi t) / 2 is added where t > 1
- gaussian_nll: l = (log(max(v, eps)) + (x - t)^2 / max(v, eps)) / 2, plus log(2 pi) / 2
                with ``full``. As torch, v is clamped at eps for its value only: the
                gradient with respect to v is the unclamped one's.

Both are composed of differentiable ops, which give the gradients (with respect to the
input, a target that requires grad, and v).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._util import const
from .loss import _input, _reduce, _target, check_reduction
from .pointwise import exp, log

__all__ = ["poisson_nll_loss", "gaussian_nll_loss"]


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,
                     full: bool = False, eps: float = 1e-8,
                     reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of a Poisson distribution with rate x (or log-rate) given
    observed counts t. See :class:`PoissonNLLLoss`.

    Example:
        >>> F.poisson_nll_loss(nl.tensor([0.0]), nl.tensor([2.0]))
        tensor(1.)
    """
    fn = "poisson_nll_loss"
    reduction = check_reduction(reduction, fn)
    x = _input(input, fn)
    t = _target(x, target, fn)
    if log_input:
        loss = exp(x) - t * x
    else:
        loss = x - t * log(x + eps)
    if full:
        ta = t.array
        with np.errstate(divide="ignore", invalid="ignore"):
            big = ta > 1
            safe = np.where(big, ta, 2)                        # log of > 1 only
            stirling = np.where(big, ta * np.log(safe) - ta + 0.5 * np.log(2 * math.pi * safe),
                                0).astype(x.dtype)
        if t.requires_grad:
            st = t * log(t.where(big, 2.0)) - t + 0.5 * log(2 * math.pi * t.where(big, 2.0))
            loss = loss + st.where(big, t.new_zeros(()))
        else:
            loss = loss + stirling
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of a Gaussian with mean x and variance v given t.
    See :class:`GaussianNLLLoss`.

    ``var`` is a Tensor of the input's shape (one variance per value), of that shape with
    one dim of size 1 or without the last dim (shared across it), or a float.

    Example:
        >>> F.gaussian_nll_loss(nl.tensor([0.0]), nl.tensor([1.0]), nl.tensor([1.0]))
        tensor(0.5)
    """
    fn = "gaussian_nll_loss"
    reduction = check_reduction(reduction, fn)
    x = _input(input, fn)
    t = const(target, x)
    t = t if t.dtype == x.dtype else t.astype(x.dtype)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
        v = const(np.full(x.shape, var, x.dtype))
    else:
        v = const(var, x)
        v = v if v.dtype == x.dtype else v.astype(x.dtype)
        if np.any(v.array < 0):
            raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    if v.shape != x.shape:
        if tuple(x.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (v.ndim == x.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1):
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size: got shape "
                             f"{tuple(v.shape)} for input of shape {tuple(x.shape)} (expected "
                             f"the input's shape, that shape with one dim of size 1, or "
                             f"without its last dim)")
    v = v + (v.detach().clamp_min(eps) - v.detach())     # clamped value, identity gradient
    d = x - t
    loss = 0.5 * (log(v) + d * d / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
