"""Student's t-distribution with ``df`` degrees of freedom, location and scale.

    log p(x) = -(df + 1)/2 log1p(y^2 / df) - Z,  y = (x - loc) / scale,
    Z = log scale + log(df)/2 + log(pi)/2 + lgamma(df/2) - lgamma((df + 1)/2)
    rsample  = loc + scale X / sqrt(V / df),  X ~ N(0, 1), V ~ Chi2(df)
"""
from __future__ import annotations

import math
from typing import Any

from ..factories import as_tensor
from ..ops import digamma, lgamma, log, log1p, rsqrt, where
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .gamma import Chi2
from .utils import broadcast_all, standard_normal

__all__ = ["StudentT"]


class StudentT(Distribution):
    """A batch of Student's t-distributions.

    Args:
        df (float or Tensor): degrees of freedom, positive.
        loc (float or Tensor): location. Default: 0.0.
        scale (float or Tensor): scale, positive. Default: 1.0.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is the broadcast shape of the parameters; event_shape ().
    ``rsample`` is differentiable w.r.t. all three (``df`` through ``Chi2``'s
    reparameterised Gamma draws).

    Example:
        >>> nl.distributions.StudentT(nl.tensor([2.0])).sample().shape
        (1,)
    """
    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self) -> Tensor:
        return where(self.df <= 1, math.nan, self.loc)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df2 = where(self.df > 2, self.df, 3.0)        # keeps the unused branch finite
        m = self.scale.pow(2) * df2 / (df2 - 2)
        m = where((self.df <= 2) & (self.df > 1), math.inf, m)
        return where(self.df <= 1, math.nan, m)

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0,
                 validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "StudentT":
        new = self._get_checked_instance(StudentT, _instance)
        batch_shape = tuple(batch_shape)
        new.df = self.df.expand(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new._chi2 = self._chi2.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        X = standard_normal(shape, self.df.dtype)
        Z = self._chi2.rsample(sample_shape)
        Y = X * rsqrt(Z / self.df)
        return self.loc + self.scale * Y

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value)
        y = (value - self.loc) / self.scale
        Z = (log(self.scale) + 0.5 * log(self.df) + 0.5 * math.log(math.pi)
             + lgamma(0.5 * self.df) - lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * log1p(y ** 2.0 / self.df) - Z

    def entropy(self) -> Tensor:
        lbeta = lgamma(0.5 * self.df) + math.lgamma(0.5) - lgamma(0.5 * (self.df + 1))
        return (log(self.scale)
                + 0.5 * (self.df + 1) * (digamma(0.5 * (self.df + 1)) - digamma(0.5 * self.df))
                + 0.5 * log(self.df) + lbeta)
