"""The Cauchy (Lorentz) distribution.

    log p(x) = -log(pi) - log(scale) - log1p(((x - loc) / scale)^2)
    rsample  = loc + scale tan(pi (u - 1/2)),  u ~ U(0, 1)
"""
from __future__ import annotations

import math
from numbers import Number
from typing import Any

from ..factories import as_tensor, full
from ..ops import atan, log, log1p, tan
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, generator

__all__ = ["Cauchy"]


class Cauchy(Distribution):
    """A batch of Cauchy distributions with median ``loc`` and half width ``scale``.

    Args:
        loc (float or Tensor): the mode / median.
        scale (float or Tensor): half width at half maximum, positive.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is the broadcast shape of ``loc`` and ``scale``; event_shape ().
    The mean is undefined (nan) and the variance infinite, as torch's.

    Example:
        >>> nl.distributions.Cauchy(nl.tensor([0.0]), nl.tensor([1.0])).sample().shape
        (1,)
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        batch_shape = () if isinstance(loc, Number) and isinstance(scale, Number) \
            else self.loc.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Cauchy":
        new = self._get_checked_instance(Cauchy, _instance)
        batch_shape = tuple(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = as_tensor(generator().standard_cauchy(shape).astype(self.loc.dtype))
        return self.loc + eps * self.scale

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value)
        return (-math.log(math.pi) - log(self.scale)
                - log1p(((value - self.loc) / self.scale) ** 2))

    def cdf(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value)
        return atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value: Any) -> Tensor:
        value = as_tensor(value)
        return tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + log(self.scale)
