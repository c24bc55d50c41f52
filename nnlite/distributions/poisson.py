"""The Poisson distribution with rate lambda over {0, 1, 2, ...}.

    log p(k) = k log(rate) - rate - lgamma(k + 1)
"""
from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..factories import as_tensor
from ..ops import floor, lgamma, xlogy
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, generator

__all__ = ["Poisson"]


class Poisson(Distribution):
    """A batch of Poisson distributions with rate ``rate``.

    Args:
        rate (float or Tensor): the rate (mean), non-negative.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is ``rate``'s shape; event_shape (). Samples have ``rate``'s dtype.

    Example:
        >>> nl.distributions.Poisson(nl.tensor([4.0])).sample().shape
        (1,)
    """
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return floor(self.rate)

    @property
    def variance(self) -> Tensor:
        return self.rate

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = () if isinstance(rate, Number) else self.rate.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Poisson":
        new = self._get_checked_instance(Poisson, _instance)
        batch_shape = tuple(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            lam = np.broadcast_to(self.rate.array, shape)
            return as_tensor(generator().poisson(lam).astype(self.rate.dtype))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, as_tensor(value))
        return xlogy(value, rate) - rate - lgamma(value + 1)
