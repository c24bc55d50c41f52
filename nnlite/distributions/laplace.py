"""The Laplace (double exponential) distribution.

    log p(x) = -log(2 scale) - |x - loc| / scale
    rsample  = loc - scale sign(u) log(1 - |u|),  u ~ U(eps - 1, 1)
"""
from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from ..factories import as_tensor
from ..ops import abs, expm1, log, log1p, sign
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, generator

__all__ = ["Laplace"]


class Laplace(Distribution):
    """A batch of Laplace distributions with location ``loc`` and scale ``scale``.

    Args:
        loc (float or Tensor): the mean.
        scale (float or Tensor): the scale, positive.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is the broadcast shape of ``loc`` and ``scale``; event_shape ().

    Example:
        >>> m = nl.distributions.Laplace(nl.tensor([0.0]), nl.tensor([1.0]))
        >>> m.sample().shape
        (1,)
    """
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return (2 ** 0.5) * self.scale

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        batch_shape = () if isinstance(loc, Number) and isinstance(scale, Number) \
            else self.loc.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Laplace":
        new = self._get_checked_instance(Laplace, _instance)
        batch_shape = tuple(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = float(np.finfo(self.loc.dtype).eps)
        u = as_tensor(generator().uniform(eps - 1, 1, shape).astype(self.loc.dtype))
        return self.loc - self.scale * sign(u) * log1p(-abs(u))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value)
        return -log(2 * self.scale) - abs(value - self.loc) / self.scale

    def cdf(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value)
        d = value - self.loc
        return 0.5 - 0.5 * sign(d) * expm1(-abs(d) / self.scale)

    def icdf(self, value: Any) -> Tensor:
        value = as_tensor(value)
        term = value - 0.5
        return self.loc - self.scale * sign(term) * log1p(-2 * abs(term))

    def entropy(self) -> Tensor:
        return 1 + log(2 * self.scale)
