"""The Gumbel (type-1 extreme value) distribution.

    log p(x) = z - exp(z) - log(scale),  z = (loc - x) / scale
    rsample  = loc - scale log(-log u),  u ~ U(tiny, 1 - eps)
"""
from __future__ import annotations

import math
from numbers import Number
from typing import Any

import numpy as np

from ..factories import as_tensor
from ..ops import clamp, exp, log
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, euler_constant, generator

__all__ = ["Gumbel"]


class Gumbel(Distribution):
    """A batch of Gumbel distributions with location ``loc`` and scale ``scale``.

    Args:
        loc (float or Tensor): location.
        scale (float or Tensor): scale, positive.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is the broadcast shape of ``loc`` and ``scale``; event_shape ().
    As torch's (a transformed Uniform(tiny, 1 - eps)), ``cdf`` and ``icdf`` go through
    that uniform, so they are clamped to [tiny, 1 - eps] of the dtype.

    Example:
        >>> nl.distributions.Gumbel(nl.tensor([1.0]), nl.tensor([2.0])).sample().shape
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

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Gumbel":
        new = self._get_checked_instance(Gumbel, _instance)
        batch_shape = tuple(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _bounds(self) -> tuple:
        fi = np.finfo(self.loc.dtype)
        return float(fi.tiny), float(1 - fi.eps)

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * euler_constant

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        low, high = self._bounds()
        u = as_tensor((low + generator().random(shape) * (high - low)).astype(self.loc.dtype))
        return self.loc - self.scale * log(-log(u))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = (self.loc - as_tensor(value)) / self.scale
        return (z - exp(z)) - log(self.scale)

    def cdf(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        low, high = self._bounds()
        u = exp(-exp((self.loc - as_tensor(value)) / self.scale))
        return clamp((u - low) / (high - low), min=0, max=1)

    def icdf(self, value: Any) -> Tensor:
        low, high = self._bounds()
        u = low + as_tensor(value) * (high - low)
        return self.loc - self.scale * log(-log(u))

    def entropy(self) -> Tensor:
        return log(self.scale) + (1 + euler_constant)
