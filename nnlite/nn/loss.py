"""Loss modules (``CrossEntropyLoss``, ``MSELoss`` ...), with PyTorch's names, arguments
and maths. Each calls its function from ``nnlite/ops/loss.py`` (whose docstring states
the notation and the formulas); the functions are re-exported here.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.loss import (REDUCTIONS, binary_cross_entropy, binary_cross_entropy_with_logits,
                        check_reduction, cross_entropy, huber_loss, kl_div, l1_loss, mse_loss,
                        nll_loss, smooth_l1_loss)
from ..tensor import Tensor
from .module import Module

__all__ = [
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss",
    "BCELoss", "BCEWithLogitsLoss", "KLDivLoss",
]


# ============================================================================
# Modules
# ============================================================================
class _Loss(Module):
    """Base of the loss modules: stores ``reduction`` (checked at construction)."""

    _reductions = REDUCTIONS

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = check_reduction(reduction, type(self).__name__, self._reductions)


class _WeightedLoss(_Loss):
    """A loss with an optional ``weight`` tensor, registered as a buffer (as PyTorch)."""

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))


def _buffer(t: Any) -> Tensor | None:
    """A weight for ``register_buffer``: None, a Tensor, or array-like made a Tensor."""
    if t is None or isinstance(t, Tensor):
        return t
    return Tensor(np.asarray(t))


class CrossEntropyLoss(_WeightedLoss):
    r"""Cross-entropy between unnormalised logits and class targets (log-softmax + NLL,
    fused into one op).

    With class indices y, per position n (ignored positions give 0):

        l_n = -(1 - eps) w[y_n] log p[n, y_n] - (eps / C) sum_c w[c] log p[n, c],
        p = softmax(x, dim=class dim)

    'mean' divides the sum of l_n by ``sum_n w[y_n]`` over non-ignored positions. With
    class probabilities t (same shape as the input), ``l_n = -sum_c w[c] t'[n, c]
    log p[n, c]`` with ``t' = (1 - eps) t + eps / C``, and 'mean' divides by the number of
    positions (N times d1 ...).

    Args:
        weight (Tensor, optional): a rescaling weight per class, shape (C,). Default: None.
        ignore_index (int): a class-index target value that is ignored (contributes
            neither loss nor gradient); must be left at -100 with probability targets.
            Default: -100.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        label_smoothing (float): eps in [0, 1], mixing the targets with the uniform
            distribution. Default: 0.0.

    Shape:
        - Input: (C,), (N, C) or (N, C, d1, ..., dK): logits.
        - Target: class indices (int64) of shape (), (N,) or (N, d1, ..., dK), values in
          [0, C) or ``ignore_index``; or class probabilities of the input's shape.
        - Output: a scalar; with ``reduction='none'``, (), (N,) or (N, d1, ..., dK).

    Example:
        >>> loss = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> logits = nl.randn(8, 5, requires_grad=True)
        >>> loss(logits, nl.randint(0, 5, (8,))).backward()
    """

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    r"""Negative log-likelihood of class indices given log-probabilities (e.g. the output
    of ``log_softmax``).

        l_n = -w[y_n] x[n, y_n]    (0 where y_n == ignore_index)

    'mean' divides the sum by ``sum_n w[y_n]`` over non-ignored positions.

    Args:
        weight (Tensor, optional): a rescaling weight per class, shape (C,). Default: None.
        ignore_index (int): a target value that is ignored. Default: -100.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (C,), (N, C) or (N, C, d1, ..., dK): log-probabilities.
        - Target: int64 of shape (), (N,) or (N, d1, ..., dK), values in [0, C) or
          ``ignore_index``.
        - Output: a scalar; with ``reduction='none'``, the target's shape.

    Example:
        >>> loss = nn.NLLLoss()
        >>> logp = nl.log_softmax(nl.randn(3, 5, requires_grad=True), dim=1)
        >>> loss(logp, nl.tensor([1, 0, 4])).backward()
    """

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100,
                 reduction: str = "mean") -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                        reduction=self.reduction)


class MSELoss(_Loss):
    r"""Mean squared error: ``l = (x - y)**2`` elementwise, then the reduction.

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (*), any shape. Target: (*), the same shape (a different shape raises
          ValueError; PyTorch would broadcast).
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.MSELoss()
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.randn(3, 5)).backward()
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    r"""Mean absolute error: ``l = |x - y|`` elementwise, then the reduction.

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.L1Loss()
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.randn(3, 5)).backward()
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    r"""Smooth L1: squared below ``beta``, L1 above. With d = x - y::

        l = 0.5 d**2 / beta   if |d| < beta
            |d| - 0.5 beta    otherwise        (plain L1 when beta = 0)

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        beta (float): the threshold, >= 0. Default: 1.0.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.SmoothL1Loss(beta=0.5)
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.randn(3, 5)).backward()
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    r"""Huber loss: squared below ``delta``, delta-scaled L1 above. With d = x - y::

        l = 0.5 d**2                  if |d| < delta
            delta (|d| - 0.5 delta)   otherwise

    Equals ``delta * SmoothL1Loss(beta=delta)``.

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        delta (float): the threshold, > 0. Default: 1.0.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.HuberLoss(delta=2.0)
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.randn(3, 5)).backward()
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    r"""Binary cross-entropy between probabilities x and targets y in [0, 1]:

        l = -w (y log x + (1 - y) log(1 - x)),   each log clamped to >= -100

    Args:
        weight (Tensor, optional): a rescaling weight broadcastable to the input's shape.
            Default: None.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (*), values in [0, 1]. Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.BCELoss()
        >>> p = nl.sigmoid(nl.randn(3, requires_grad=True))
        >>> loss(p, nl.tensor([0., 1., 1.])).backward()
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return binary_cross_entropy(input, target, weight=self.weight,
                                    reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""Sigmoid + binary cross-entropy in one numerically stable op, from logits x:

        l = -w (pos_weight y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))

    Args:
        weight (Tensor, optional): a rescaling weight broadcastable to the input's shape.
            Default: None.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        pos_weight (Tensor, optional): the weight of positive examples, broadcastable to
            the input's shape, e.g. (C,) for an (N, C) multi-label input. Default: None.

    Shape:
        - Input: (*), logits. Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.BCEWithLogitsLoss(pos_weight=nl.ones(5) * 2)
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.rand(3, 5)).backward()
    """

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                reduction=self.reduction,
                                                pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    r"""Kullback-Leibler divergence, with the input x given as log-probabilities:

        l = y (log y - x)          (0 where y == 0)
        l = exp(y) (y - x)         with ``log_target=True`` (y given as log-probabilities)

    Args:
        reduction (str): ``'none'`` | ``'batchmean'`` | ``'sum'`` | ``'mean'``.
            ``'batchmean'`` divides the sum by the batch size N and is the true KL
            divergence; ``'mean'`` divides by the number of elements (as PyTorch).
            Default: ``'mean'``.
        log_target (bool): whether the target is given as log-probabilities.
            Default: False.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.KLDivLoss(reduction="batchmean")
        >>> logq = nl.log_softmax(nl.randn(3, 5, requires_grad=True), dim=1)
        >>> loss(logq, nl.softmax(nl.randn(3, 5), dim=1)).backward()
    """

    _reductions = REDUCTIONS + ("batchmean",)

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
