"""The Dirichlet distribution over the probability simplex, with ``concentration``
alpha (..., K).

    log p(x) = sum_k (alpha_k - 1) log x_k + lgamma(sum alpha) - sum_k lgamma(alpha_k)
    rsample  = G / sum(G),  G_k ~ Gamma(alpha_k, 1) (each differentiable by implicit
               reparameterisation, see ``Gamma``)
"""
from __future__ import annotations

from typing import Any

from ..factories import as_tensor
from ..ops import argmax, clamp, digamma, lgamma, one_hot, where, xlogy
from ..tensor import Tensor
from . import constraints
from ._functions import standard_gamma
from .distribution import Distribution

__all__ = ["Dirichlet"]


class Dirichlet(Distribution):
    """A batch of Dirichlet distributions over the simplex of size ``K``.

    Args:
        concentration (Tensor): alpha (..., K), positive.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is ``concentration.shape[:-1]``; event_shape (K,).

    ``rsample`` normalises differentiable Gamma draws: an unbiased reparameterisation
    gradient, not the same per-sample values as torch's (which differentiates the
    marginal Beta CDF), with the same expectation.

    Example:
        >>> m = nl.distributions.Dirichlet(nl.tensor([0.5, 0.5]))
        >>> m.sample().shape
        (2,)
    """
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        concentration = as_tensor(concentration)
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Dirichlet":
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = tuple(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        g = standard_gamma(self.concentration.expand(shape))
        return g / g.sum(-1, keepdim=True)

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value)
        return (xlogy(self.concentration - 1.0, value).sum(-1)
                + lgamma(self.concentration.sum(-1)) - lgamma(self.concentration).sum(-1))

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        concm1 = clamp(self.concentration - 1, min=0.0)
        mode = concm1 / concm1.sum(-1, keepdim=True)
        mask = (self.concentration < 1).all(-1, keepdim=True)
        corner = one_hot(argmax(mode, -1), concm1.shape[-1]).astype(mode.dtype)
        return where(mask, corner, mode)

    @property
    def variance(self) -> Tensor:
        con0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self) -> Tensor:
        k = self.concentration.shape[-1]
        a0 = self.concentration.sum(-1)
        return (lgamma(self.concentration).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0)
                - ((self.concentration - 1.0) * digamma(self.concentration)).sum(-1))
