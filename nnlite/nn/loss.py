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
from ..ops.ctc import ctc_loss
from ..ops.likelihood_losses import gaussian_nll_loss, poisson_nll_loss
from ..ops.margin_losses import (cosine_embedding_loss,
                                 hinge_embedding_loss, margin_ranking_loss, multi_margin_loss,
                                 multilabel_margin_loss, multilabel_soft_margin_loss,
                                 soft_margin_loss, triplet_margin_loss,
                                 triplet_margin_with_distance_loss)
from ..tensor import Tensor
from .module import Module

__all__ = [
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss",
    "BCELoss", "BCEWithLogitsLoss", "KLDivLoss",
    "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "cosine_embedding_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss", "soft_margin_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "ctc_loss",
    "PoissonNLLLoss", "GaussianNLLLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
    "CosineEmbeddingLoss", "MultiMarginLoss", "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss", "SoftMarginLoss", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "CTCLoss",
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


# ============================================================================
# Likelihood losses (functions in nnlite/ops/likelihood_losses.py)
# ============================================================================
class PoissonNLLLoss(_Loss):
    r"""Negative log-likelihood of a Poisson distribution: with rate r = exp(x)
    (``log_input=True``) or r = x, and observed counts t,

        l = exp(x) - t x           (log_input=True)
        l = x - t log(x + eps)     (log_input=False)

    plus, with ``full``, the Stirling approximation of log(t!),
    ``t log t - t + log(2 pi t) / 2`` where t > 1.

    Args:
        log_input (bool): the input is the log of the rate. Default: True.
        full (bool): add the Stirling term. Default: False.
        eps (float): keeps the log finite when ``log_input=False``. Default: 1e-8.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.PoissonNLLLoss()
        >>> loss(nl.randn(5, 2, requires_grad=True), nl.randn(5, 2).exp()).backward()
    """

    def __init__(self, log_input: bool = True, full: bool = False, eps: float = 1e-8,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    r"""Negative log-likelihood of a Gaussian with mean x and variance v given t:

        l = (log(max(v, eps)) + (x - t)^2 / max(v, eps)) / 2   (+ log(2 pi) / 2 with full)

    Args:
        full (bool): add the constant term. Default: False.
        eps (float): the smallest variance used (for its value only; the gradient is
            the unclamped one's, as torch). Default: 1e-6.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (N, *) or (*). Target: the input's shape.
        - Var: the input's shape, that shape with one dim of size 1 or without its last
          dim, or a float.
        - Output: a scalar; with ``reduction='none'``, the input's shape.

    Example:
        >>> loss = nn.GaussianNLLLoss()
        >>> mean = nl.randn(5, 2, requires_grad=True)
        >>> loss(mean, nl.randn(5, 2), nl.ones(5, 1)).backward()
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var: Tensor | float) -> Tensor:
        return gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                 reduction=self.reduction)


# ============================================================================
# Margin and embedding losses (functions in nnlite/ops/margin_losses.py)
# ============================================================================
class MarginRankingLoss(_Loss):
    r"""Ranking hinge: ``l = max(0, -y (x1 - x2) + margin)``, y = 1 when x1 should rank
    higher, -1 when x2 should.

    Args:
        margin (float): Default: 0.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input1, Input2, Target: (N) or (), the same number of dims.
        - Output: a scalar; with ``reduction='none'``, (N).

    Example:
        >>> loss = nn.MarginRankingLoss(margin=0.1)
        >>> a, b = nl.randn(3, requires_grad=True), nl.randn(3, requires_grad=True)
        >>> loss(a, b, nl.tensor([1.0, -1.0, 1.0])).backward()
    """

    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return margin_ranking_loss(input1, input2, target, margin=self.margin,
                                   reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    r"""``l = x`` where y = 1, ``max(0, margin - x)`` where y = -1 (x typically a
    distance between a pair, y whether the pair is similar).

    Args:
        margin (float): Default: 1.0.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (*). Target: (*), values 1 or -1.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.HingeEmbeddingLoss()
        >>> loss(nl.rand(4, requires_grad=True), nl.tensor([1.0, -1.0, 1.0, -1.0])).backward()
    """

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return hinge_embedding_loss(input, target, margin=self.margin,
                                    reduction=self.reduction)


class SoftMarginLoss(_Loss):
    r"""Two-class logistic loss for targets +1 / -1: ``l = log(1 + exp(-y x))``.

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.SoftMarginLoss()
        >>> loss(nl.randn(4, requires_grad=True), nl.tensor([1.0, -1.0, 1.0, -1.0])).backward()
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    r"""``l = 1 - cos(x1, x2)`` where y = 1, ``max(0, cos(x1, x2) - margin)`` where
    y = -1.

    Args:
        margin (float): in [-1, 1]; 0 to 0.5 is typical. Default: 0.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input1, Input2: (N, D) or (D). Target: (N) or ().
        - Output: a scalar; with ``reduction='none'``, (N) or ().

    Example:
        >>> loss = nn.CosineEmbeddingLoss(margin=0.2)
        >>> a = nl.randn(3, 5, requires_grad=True)
        >>> loss(a, nl.randn(3, 5), nl.tensor([1.0, -1.0, 1.0])).backward()
    """

    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    r"""Multi-class hinge loss: per sample with class y,
    ``l = sum_{i != y} w[y] max(0, margin - x[y] + x[i])^p / C``.

    Args:
        p (int): 1 or 2. Default: 1.
        margin (float): Default: 1.
        weight (Tensor, optional): a weight per class, (C,). Default: None.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (N, C) or (C). Target: (N) or (), int64 in [0, C).
        - Output: a scalar; with ``reduction='none'``, (N) or ().

    Example:
        >>> loss = nn.MultiMarginLoss()
        >>> loss(nl.randn(3, 4, requires_grad=True), nl.tensor([3, 0, 1])).backward()
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 supported, got p={p}")
        if weight is not None and np.ndim(_buffer(weight).array) != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got "
                             f"{np.ndim(_buffer(weight).array)}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                 weight=self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    r"""Multi-label hinge loss: every target class should score at least 1 above every
    other class, ``l = sum_{j target} sum_{i not target} max(0, 1 - (x[j] - x[i])) / C``.

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (N, C) or (C). Target: the input's shape, int64 class indices, the
          list of each sample ended by the first -1.
        - Output: a scalar; with ``reduction='none'``, (N) or ().

    Example:
        >>> loss = nn.MultiLabelMarginLoss()
        >>> loss(nl.randn(1, 4, requires_grad=True), nl.tensor([[3, 0, -1, 1]])).backward()
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    r"""Multi-label logistic loss averaged over the classes:
    ``l = -sum_c w[c] (y[c] log sigmoid(x[c]) + (1 - y[c]) log sigmoid(-x[c])) / C``.

    Args:
        weight (Tensor, optional): a weight per class, (C,). Default: None.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (N, C) or (C). Target: the input's shape, values 0 or 1.
        - Output: a scalar; with ``reduction='none'``, (N) or ().

    Example:
        >>> loss = nn.MultiLabelSoftMarginLoss()
        >>> loss(nl.randn(3, 4, requires_grad=True), (nl.rand(3, 4) > 0.5).float()).backward()
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return multilabel_soft_margin_loss(input, target, weight=self.weight,
                                           reduction=self.reduction)


class TripletMarginLoss(_Loss):
    r"""Triplet loss (Schroff et al. 2015): ``l = max(0, d(a, p) - d(a, n) + margin)``,
    d the pairwise p-norm distance ``||u - v + eps||_p``.

    Args:
        margin (float): Default: 1.0.
        p (float): the norm's order. Default: 2.
        eps (float): added to the difference. Default: 1e-6.
        swap (bool): use min(d(a, n), d(p, n)) (Balntas et al. 2016). Default: False.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Anchor, Positive, Negative: (N, D) or (D).
        - Output: a scalar; with ``reduction='none'``, (N) or ().

    Example:
        >>> loss = nn.TripletMarginLoss(margin=1.0, p=2)
        >>> a = nl.randn(8, 16, requires_grad=True)
        >>> loss(a, nl.randn(8, 16), nl.randn(8, 16)).backward()
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                   eps=self.eps, swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    r"""Triplet loss with any distance: ``l = max(0, d(a, p) - d(a, n) + margin)``.

    Args:
        distance_function (callable, optional): two tensors -> one distance per sample;
            ``nn.PairwiseDistance()`` when None (registered as a child module when it is
            a Module, as torch). Default: None.
        margin (float): > 0. Default: 1.0.
        swap (bool): use min(d(a, n), d(p, n)). Default: False.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Anchor, Positive, Negative: (N, *) or (*), as the distance function takes.
        - Output: a scalar; with ``reduction='none'``, (N) or ().

    Example:
        >>> loss = nn.TripletMarginWithDistanceLoss(
        ...     distance_function=lambda u, v: 1 - F.cosine_similarity(u, v))
        >>> a = nl.randn(8, 16, requires_grad=True)
        >>> loss(a, nl.randn(8, 16), nl.randn(8, 16)).backward()
    """

    def __init__(self, *, distance_function: Any = None, margin: float = 1.0,
                 swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        from .distance import PairwiseDistance
        self.distance_function = (distance_function if distance_function is not None
                                  else PairwiseDistance())
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


# ============================================================================
# CTC (function in nnlite/ops/ctc.py)
# ============================================================================
class CTCLoss(_Loss):
    r"""Connectionist Temporal Classification (Graves et al. 2006): the negative
    log-likelihood of each target sequence, summed over all its alignments with the
    input sequence (blanks and repeats collapsed), by the forward-backward recursion in
    log space.

    Args:
        blank (int): the blank class. Default: 0.
        reduction (str): ``'none'`` | ``'mean'`` (each loss divided by its target length,
            then the batch mean) | ``'sum'``. Default: ``'mean'``.
        zero_infinity (bool): make infinite losses (no alignment fits) and their
            gradients 0. Default: False.

    Shape:
        - Log_probs: (T, N, C) or (T, C), e.g. ``log_softmax(x, dim=2)``.
        - Targets: (N, S) padded, or 1-D concatenated (``sum(target_lengths)``), or (S)
          unbatched; int class indices, never ``blank``.
        - Input_lengths, Target_lengths: (N) or ().
        - Output: a scalar; with ``reduction='none'``, (N) or ().

    The gradient is torch's: exact for the logits of a log_softmax (the usual input).

    Example:
        >>> ctc = nn.CTCLoss()
        >>> lp = nl.randn(50, 4, 20, requires_grad=True).log_softmax(2)
        >>> ctc(lp, nl.randint(1, 20, (4, 10)), [50] * 4, [10, 8, 9, 10]).backward()
    """

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Any,
                target_lengths: Any) -> Tensor:
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                        self.reduction, self.zero_infinity)
