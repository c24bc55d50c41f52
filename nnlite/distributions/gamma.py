"""The gamma distribution Gamma(concentration, rate), and Chi2(df) = Gamma(df/2, 1/2).

    log p(x) = a log(rate) + (a - 1) log x - rate x - lgamma(a)     (a = concentration)
    rsample  = X / rate,  X ~ Gamma(a, 1), dX/da by implicit reparameterisation:
               dX/da = -(dP(a, X)/da) / p(X; a), P the regularized incomplete gamma
"""
from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from ..factories import as_tensor
from ..ops import clamp, digamma, lgamma, log, xlogy
from ..tensor import Tensor
from . import constraints
from ._functions import gammainc, standard_gamma
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Chi2", "Gamma"]


class Gamma(Distribution):
    """A batch of gamma distributions with shape ``concentration`` and inverse scale
    ``rate`` (mean concentration / rate).

    Args:
        concentration (float or Tensor): the shape alpha, positive.
        rate (float or Tensor): the rate beta = 1 / scale, positive.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is the broadcast shape of the parameters; event_shape ().

    ``rsample`` is differentiable w.r.t. both parameters; the gradient w.r.t.
    ``concentration`` is exact up to ~1e-7 (a central difference of the incomplete gamma
    function), where torch uses series and rational approximations.

    Example:
        >>> m = nl.distributions.Gamma(nl.tensor([1.0]), nl.tensor([1.0]))
        >>> m.sample().shape
        (1,)
    """
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return clamp((self.concentration - 1) / self.rate, min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        batch_shape = () if isinstance(concentration, Number) and isinstance(rate, Number) \
            else self.concentration.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Gamma":
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = tuple(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        tiny = float(np.finfo(value.dtype).tiny)
        np.maximum(value.array, tiny, out=value.array)   # as torch: clamp_(min=tiny), in place
        return value

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, dtype=self.rate.dtype) if not isinstance(value, Tensor) \
            else value
        if self._validate_args:
            self._validate_sample(value)
        return (xlogy(self.concentration, self.rate) + xlogy(self.concentration - 1, value)
                - self.rate * value - lgamma(self.concentration))

    def entropy(self) -> Tensor:
        return (self.concentration - log(self.rate) + lgamma(self.concentration)
                + (1.0 - self.concentration) * digamma(self.concentration))

    def cdf(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * as_tensor(value))


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom: Gamma(df / 2, 1 / 2).

    Args:
        df (float or Tensor): degrees of freedom, positive.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Example:
        >>> nl.distributions.Chi2(nl.tensor([1.0])).sample().shape
        (1,)
    """
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        (df,) = broadcast_all(df)
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Chi2":
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2
