"""Margin and embedding losses, with PyTorch's names, arguments and maths:
margin_ranking_loss, hinge_embedding_loss, soft_margin_loss, cosine_embedding_loss,
multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss,
triplet_margin_loss, triplet_margin_with_distance_loss. The loss modules are in
``nn/loss.py``.

Notation: x (x1, x2) the input(s), y the target (+1 / -1 labels, class indices or 0/1
multi-label targets), C the number of classes, ``[z]+ = max(z, 0)``, d(a, b) the
pairwise distance ``||a - b + eps||_p`` over the last dim. Per sample n:

- margin_ranking:   l = [-y (x1 - x2) + margin]+
- hinge_embedding:  l = x where y == 1, [margin - x]+ where y == -1 (sum of the two
                    terms, as torch, for other values)
- soft_margin:      l = log(1 + exp(-y x))
- cosine_embedding: l = 1 - cos(x1, x2) where y == 1, [cos(x1, x2) - margin]+ where
                    y == -1; cos = <x1, x2> / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))
- multi_margin:     l = sum_{i != y} w[y] [margin - x[y] + x[i]]+^p / C   (p = 1 or 2)
- multilabel_margin: l = sum_{j target} sum_{i not target} [1 - (x[j] - x[i])]+ / C,
                    the targets the entries of y before the first -1
- multilabel_soft_margin: l = -mean_c w[c] (y log s(x) + (1 - y) log s(-x)), s the sigmoid
- triplet_margin:   l = [d(a, p) - d(a, n) + margin]+, with ``swap`` d(a, n) replaced by
                    min(d(a, n), d(p, n))

Each is composed of differentiable ops (arithmetic, clamp, gather, norms, logsigmoid),
which give the gradients, as in torch's own reference implementations. Reductions:
'none' keeps the per-sample losses, 'mean' averages them, 'sum' adds them. Targets are
cast to the input's dtype; class-index targets must be int64.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..factories import as_tensor
from ..tensor import Tensor
from ._util import const
from .activation import logsigmoid
from .loss import _input, _reduce, _target, check_reduction
from .norms import vector_norm
from .pointwise import minimum, softplus, sqrt

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
           "cosine_embedding_loss", "multi_margin_loss", "multilabel_margin_loss",
           "multilabel_soft_margin_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss"]


def _float_like(t: Any, x: Tensor) -> Tensor:
    """A target or second input as a Tensor of x's floating dtype."""
    t = const(t, x)
    return t if t.dtype == x.dtype else t.astype(x.dtype)


def _class_targets(target: Any, shape: tuple, C: int, fn: str) -> np.ndarray:
    """Integer class indices of ``shape``, each in [0, C)."""
    t = target.array if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{fn}: target must be an integer (int64) tensor of class indices, "
                        f"got dtype {t.dtype}")
    if t.shape != shape:
        raise ValueError(f"{fn}: inconsistent target size: expected {shape} for an input "
                         f"with {C} classes, got target of shape {t.shape}")
    if t.size and (t.min() < 0 or t.max() >= C):
        raise IndexError(f"{fn}: target out of range: class indices must be in [0, {C}), "
                         f"got values in [{t.min()}, {t.max()}]")
    return t.astype(np.int64, copy=False)


def _pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim (torch's ``eps`` is added to the
    difference, which keeps the gradient finite where ``x1 == x2``).

    Example:
        >>> F.pairwise_distance(nl.tensor([[0.0, 0.0]]), nl.tensor([[3.0, 4.0]]))
        tensor([4.9999986])
    """
    x1, x2 = as_tensor(x1), as_tensor(x2)
    dim = max(x1.ndim, x2.ndim) - 1
    return vector_norm(x1 - x2 + eps, p, dim, keepdim)


# ============================================================================
# Two-class margins: margin ranking, hinge embedding, soft margin
# ============================================================================
def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: str = "mean") -> Tensor:
    """``max(0, -y (x1 - x2) + margin)``: x1 should rank above x2 where y = 1, below
    where y = -1. See :class:`MarginRankingLoss`.

    Example:
        >>> F.margin_ranking_loss(nl.tensor([1.0, 0.0]), nl.tensor([0.0, 1.0]),
        ...                       nl.tensor([1.0, 1.0]), margin=0.5, reduction="none")
        tensor([0. , 1.5])
    """
    fn = "margin_ranking_loss"
    reduction = check_reduction(reduction, fn)
    x1 = _input(input1, fn)
    x2, y = _float_like(input2, x1), _float_like(target, x1)
    if not x1.ndim == x2.ndim == y.ndim:
        raise ValueError(f"{fn}: All input tensors should have same dimension but got sizes: "
                         f"input1: {tuple(x1.shape)}, input2: {tuple(x2.shape)}, target: "
                         f"{tuple(y.shape)}")
    return _reduce((-y * (x1 - x2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         reduction: str = "mean") -> Tensor:
    """x where y == 1, ``max(0, margin - x)`` where y == -1 (x typically a distance).
    See :class:`HingeEmbeddingLoss`.

    Example:
        >>> F.hinge_embedding_loss(nl.tensor([0.3, 0.3]), nl.tensor([1.0, -1.0]),
        ...                        reduction="none")
        tensor([0.3, 0.7])
    """
    fn = "hinge_embedding_loss"
    reduction = check_reduction(reduction, fn)
    x = _input(input, fn)
    y = const(target)
    ya = y.array
    margin_term = (margin - x).clamp_min(0)
    zeros = x.new_zeros(())
    out = margin_term.where(ya != 1, zeros) + x.where(ya != -1, zeros)
    return _reduce(out, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-y x))``, the two-class logistic loss for y = +1 / -1, computed
    stably. See :class:`SoftMarginLoss`.

    Example:
        >>> F.soft_margin_loss(nl.tensor([0.0]), nl.tensor([1.0]))
        tensor(0.6931472)
    """
    fn = "soft_margin_loss"
    reduction = check_reduction(reduction, fn)
    x = _input(input, fn)
    if isinstance(target, Tensor) and target.requires_grad:
        raise RuntimeError(f"{fn}: not differentiable with respect to argument 'target' "
                           f"(as torch); pass target.detach()")
    y = _target(x, target, fn)
    return _reduce(softplus(-y * x, 1.0, np.inf), reduction)


# ============================================================================
# Embedding pairs and triplets: cosine embedding, triplet margin
# ============================================================================
def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor,
                          margin: float = 0.0, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` where y == 1, ``max(0, cos(x1, x2) - margin)`` where y == -1.
    See :class:`CosineEmbeddingLoss`.

    Example:
        >>> F.cosine_embedding_loss(nl.tensor([[1.0, 0.0]]), nl.tensor([[0.0, 1.0]]),
        ...                         nl.tensor([1.0]))
        tensor(1.)
    """
    fn = "cosine_embedding_loss"
    reduction = check_reduction(reduction, fn)
    x1 = _input(input1, fn)
    x2, y = _float_like(input2, x1), const(target)
    if y.ndim not in (0, 1):
        raise ValueError(f"{fn}: 0D or 1D target tensor expected, multi-target not "
                         f"supported (target shape {tuple(y.shape)})")
    want = y.ndim + 1
    if x1.ndim != want or x2.ndim != want:
        raise ValueError(f"{fn}: {y.ndim}D target tensor expects {want}D input tensors, but "
                         f"found inputs with sizes {tuple(x1.shape)} and {tuple(x2.shape)}")
    d = y.ndim
    prod_sum = (x1 * x2).sum(d)
    mag1 = (x1 * x1).sum(d) + 1e-12
    mag2 = (x2 * x2).sum(d) + 1e-12
    cos = prod_sum / sqrt(mag1 * mag2)
    ya = y.array
    zeros = cos.new_zeros(())
    out = (1 - cos).where(ya == 1, zeros) + (cos - margin).clamp_min(0).where(ya == -1, zeros)
    return _reduce(out, reduction)


def _check_triplet_dims(anchor: Tensor, positive: Tensor, negative: Tensor, fn: str) -> None:
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ValueError(f"{fn}: The anchor, positive, and negative tensors are expected to "
                         f"have the same number of dimensions, but got: anchor "
                         f"{anchor.ndim}D, positive {positive.ndim}D, and negative "
                         f"{negative.ndim}D inputs")


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)``, d the pairwise p-norm distance
    (Schroff et al. 2015); ``swap`` uses min(d(a, n), d(p, n)) for the negative
    distance (Balntas et al. 2016). See :class:`TripletMarginLoss`.

    Example:
        >>> a, p, n = nl.randn(8, 16), nl.randn(8, 16), nl.randn(8, 16)
        >>> F.triplet_margin_loss(a, p, n).shape
        ()
    """
    fn = "triplet_margin_loss"
    reduction = check_reduction(reduction, fn)
    a = _input(anchor, fn)
    pos, neg = _float_like(positive, a), _float_like(negative, a)
    _check_triplet_dims(a, pos, neg, fn)
    d_pos = _pairwise_distance(a, pos, p, eps)
    d_neg = _pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = minimum(d_neg, _pairwise_distance(pos, neg, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Callable | None = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with any distance function ``d`` (a
    callable of two tensors giving one distance per sample; ``pairwise_distance`` when
    None). See :class:`TripletMarginWithDistanceLoss`.

    Example:
        >>> a, p, n = nl.randn(8, 16), nl.randn(8, 16), nl.randn(8, 16)
        >>> cos = lambda u, v: 1 - F.cosine_similarity(u, v)
        >>> F.triplet_margin_with_distance_loss(a, p, n, distance_function=cos).shape
        ()
    """
    fn = "triplet_margin_with_distance_loss"
    reduction = check_reduction(reduction, fn)
    if margin <= 0:
        raise ValueError(f"{fn}: expected margin to be greater than 0, got {margin} instead")
    a, pos, neg = as_tensor(anchor), as_tensor(positive), as_tensor(negative)
    _check_triplet_dims(a, pos, neg, fn)
    dist = _pairwise_distance if distance_function is None else distance_function
    d_pos = dist(a, pos)
    d_neg = dist(a, neg)
    if swap:
        d_neg = minimum(d_neg, dist(pos, neg))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


# ============================================================================
# Multi-class margins: multi margin, multilabel margin, multilabel soft margin
# ============================================================================
def _rows(x: Tensor, fn: str) -> tuple:
    """x as (N, C) rows, and whether it was an unbatched (C,) vector."""
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise ValueError(f"{fn}: Expected non-empty vector or matrix with optional 0-dim "
                         f"batch size, but got: {tuple(x.shape)}")
    return (x.reshape(1, -1), True) if x.ndim == 1 else (x, False)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss ``sum_{i != y} w[y] max(0, margin - x[y] + x[i])^p / C``
    per sample. See :class:`MultiMarginLoss`.

    Example:
        >>> F.multi_margin_loss(nl.tensor([[0.1, 0.2, 0.4, 0.8]]), nl.tensor([3]))
        tensor(0.325)
    """
    fn = "multi_margin_loss"
    reduction = check_reduction(reduction, fn)
    if p not in (1, 2):
        raise ValueError(f"{fn}: only p == 1 and p == 2 supported, got p={p}")
    x = _input(input, fn)
    x2, unbatched = _rows(x, fn)
    N, C = x2.shape
    y = _class_targets(target, () if unbatched else (N,), C, fn).reshape(N)
    z = (margin - x2.gather(1, y[:, None]) + x2).clamp_min(0)      # (N, C)
    if p == 2:
        z = z * z
    scale = np.ones((N, C), x.dtype)
    scale[np.arange(N), y] = 0                                      # no i == y term
    if weight is not None:
        w = _float_like(weight, x).array
        if w.shape != (C,):
            raise ValueError(f"{fn}: inconsistent weight size: expected ({C},), got "
                             f"{w.shape}")
        scale *= w[y][:, None]
    loss = (z * scale).sum(1) / C
    return _reduce(loss.reshape(()) if unbatched else loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """The multi-label hinge loss: every target class should score at least 1 above every
    non-target class. ``target`` holds class indices, ended by the first -1.
    See :class:`MultiLabelMarginLoss`.

    Example:
        >>> F.multilabel_margin_loss(nl.tensor([[0.1, 0.2, 0.4, 0.8]]),
        ...                          nl.tensor([[3, 0, -1, 1]]))
        tensor(0.85)
    """
    fn = "multilabel_margin_loss"
    reduction = check_reduction(reduction, fn)
    x = _input(input, fn)
    x2, unbatched = _rows(x, fn)
    N, C = x2.shape
    t = target.array if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{fn}: target must be an integer (int64) tensor, got dtype {t.dtype}")
    if t.shape != tuple(x.shape):
        raise ValueError(f"{fn}: inconsistent target size: {t.shape} for input of size: "
                         f"{tuple(x.shape)}")
    t = t.reshape(N, C)
    valid = np.cumprod(t != -1, axis=1).astype(bool)                 # before the first -1
    if np.any(valid & ((t < 0) | (t >= C))):
        raise IndexError(f"{fn}: target index out of range: class indices must be in [0, "
                         f"{C}) (or -1 to end the list), got values in [{t.min()}, "
                         f"{t.max()}]")
    hits = (t[:, :, None] == np.arange(C)) & valid[:, :, None]      # (N, j, c)
    count = hits.sum(1).astype(x.dtype)                              # (N, C) times listed
    others = (count == 0).astype(x.dtype)
    pair = count[:, :, None] * others[:, None, :]                    # (N, target c, other i)
    z = (1 - x2[:, :, None] + x2[:, None, :]).clamp_min(0)           # 1 - (x[c] - x[i])
    loss = (z * pair).sum((1, 2)) / C
    return _reduce(loss.reshape(()) if unbatched else loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                reduction: str = "mean") -> Tensor:
    """The multi-label logistic loss, averaged over the C classes:
    ``-mean_c w[c] (y log sigmoid(x) + (1 - y) log sigmoid(-x))``.
    See :class:`MultiLabelSoftMarginLoss`.

    Example:
        >>> F.multilabel_soft_margin_loss(nl.zeros(1, 3), nl.tensor([[1.0, 0.0, 1.0]]))
        tensor(0.6931472)
    """
    fn = "multilabel_soft_margin_loss"
    reduction = check_reduction(reduction, fn)
    x = _input(input, fn)
    if x.ndim == 0:
        raise ValueError(f"{fn}: expected an input of shape (C,) or (N, C), got a 0-d "
                         f"input")
    y = _target(x, target, fn)
    loss = -(y * logsigmoid(x) + (1 - y) * logsigmoid(-x))
    if weight is not None:
        w = _float_like(weight, x)
        try:
            np.broadcast_shapes(w.shape, x.shape)
        except ValueError:
            raise ValueError(f"{fn}: weight of shape {tuple(w.shape)} cannot be broadcast "
                             f"to the input shape {tuple(x.shape)}") from None
        loss = loss * w
    C = x.shape[-1]
    return _reduce(loss.sum(x.ndim - 1) / C, reduction)
