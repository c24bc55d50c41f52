"""The log-normal distribution: exp(X) for X ~ Normal(loc, scale).

    log p(y) = log N(log y; loc, scale) - log y
"""
from __future__ import annotations

from typing import Any

from ..factories import as_tensor
from ..ops import exp, expm1, log
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .normal import Normal

__all__ = ["LogNormal"]


class LogNormal(Distribution):
    """A batch of log-normal distributions; ``base_dist`` is the Normal of the logs.

    Args:
        loc (float or Tensor): the mean of log(y).
        scale (float or Tensor): the standard deviation of log(y), positive.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is the broadcast shape of ``loc`` and ``scale``; event_shape ().

    Example:
        >>> nl.distributions.LogNormal(nl.tensor([0.0]), nl.tensor([1.0])).sample().shape
        (1,)
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.base_dist = Normal(loc, scale, validate_args=validate_args)
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "LogNormal":
        new = self._get_checked_instance(LogNormal, _instance)
        batch_shape = tuple(batch_shape)
        new.base_dist = self.base_dist.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def loc(self) -> Tensor:
        return self.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return exp(self.loc + self.scale.pow(2) / 2)

    @property
    def mode(self) -> Tensor:
        return exp(self.loc - self.scale.square())

    @property
    def variance(self) -> Tensor:
        scale_sq = self.scale.pow(2)
        return expm1(scale_sq) * exp(2 * self.loc + scale_sq)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return exp(self.base_dist.rsample(sample_shape))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        x = log(as_tensor(value))
        return self.base_dist.log_prob(x) - x

    def cdf(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self.base_dist.cdf(log(as_tensor(value)))

    def icdf(self, value: Any) -> Tensor:
        return exp(self.base_dist.icdf(value))

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc
