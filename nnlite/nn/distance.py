"""Distance layers: ``PairwiseDistance`` and ``CosineSimilarity``, the modules over
``F.pairwise_distance`` and ``F.cosine_similarity``.
"""
from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["PairwiseDistance", "CosineSimilarity"]


class PairwiseDistance(Module):
    """``||x1 - x2 + eps||_p`` over the last dim.

    Args:
        p (float): the norm's order. Default: 2.0.
        eps (float): added to the difference (keeps the gradient finite where
            x1 == x2). Default: 1e-6.
        keepdim (bool): keep the last dim as size 1. Default: False.

    Shape:
        x1 (N, D) or (D), x2 broadcastable to it -> (N) or () (with keepdim (N, 1), (1)).

    Example:
        >>> nn.PairwiseDistance()(nl.randn(100, 128), nl.randn(100, 128)).shape
        (100,)
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along ``dim``:
    ``<x1, x2> / (max(||x1||, eps) max(||x2||, eps))``.

    Args:
        dim (int): the dim compared along. Default: 1.
        eps (float): the smallest norm divided by. Default: 1e-8.

    Shape:
        x1 (*1, D, *2), x2 broadcastable to it -> (*1, *2).

    Example:
        >>> nn.CosineSimilarity(dim=1)(nl.randn(100, 128), nl.randn(100, 128)).shape
        (100,)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
