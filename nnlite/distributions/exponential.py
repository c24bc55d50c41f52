"""The exponential distribution with rate lambda.

    log p(x) = log(rate) - rate x  (x >= 0)
    rsample  = E / rate,  E ~ Exp(1)
"""
from __future__ import annotations

from numbers import Number
from typing import Any

from ..factories import as_tensor, zeros_like
from ..ops import exp, log, log1p
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, generator

__all__ = ["Exponential"]


class Exponential(Distribution):
    """A batch of exponential distributions with rate ``rate`` (mean 1 / rate).

    Args:
        rate (float or Tensor): the rate, positive.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is ``rate``'s shape; event_shape ().

    Example:
        >>> m = nl.distributions.Exponential(nl.tensor([1.0]))
        >>> m.sample().shape
        (1,)
    """
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self) -> Tensor:
        return 1 / self.rate

    @property
    def mode(self) -> Tensor:
        return zeros_like(self.rate)

    @property
    def stddev(self) -> Tensor:
        return 1 / self.rate

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = () if isinstance(rate, Number) else self.rate.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Exponential":
        new = self._get_checked_instance(Exponential, _instance)
        batch_shape = tuple(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        e = as_tensor(generator().standard_exponential(shape).astype(self.rate.dtype))
        return e / self.rate

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value)
        return log(self.rate) - self.rate * value

    def cdf(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value)
        return 1 - exp(-self.rate * value)

    def icdf(self, value: Any) -> Tensor:
        value = as_tensor(value)
        return -log1p(-value) / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - log(self.rate)
