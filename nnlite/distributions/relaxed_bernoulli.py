"""The relaxed (concrete / Gumbel-softmax) Bernoulli distribution on (0, 1), and
``LogitRelaxedBernoulli``, the distribution of its logit.

Notation: t the temperature, l the logits, x = logit(y).

    LogitRelaxedBernoulli:  x = (logit(u) + l) / t,  u ~ U(0, 1)
                            log p(x) = log t + d - 2 log1p(exp(d)),  d = l - t x
    RelaxedBernoulli:       y = sigmoid(x) (clamped to [tiny, 1 - eps], as torch's
                            SigmoidTransform), log p(y) = log p(x) + softplus(-x) + softplus(x)
"""
from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from ..factories import as_tensor
from ..ops import clamp, exp, log, log1p, sigmoid, softplus
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import (broadcast_all, clamp_probs, lazy_property, logits_to_probs,
                    probs_to_logits, uniform)

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]


class LogitRelaxedBernoulli(Distribution):
    """The logit of a ``RelaxedBernoulli`` sample (Maddison et al., 2017).

    Args:
        temperature (Tensor): relaxation temperature, positive.
        probs (float or Tensor, optional): the probability of 1.
        logits (float or Tensor, optional): the log-odds of 1.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Exactly one of ``probs`` and ``logits`` is given. As torch's, ``has_rsample`` is
    False although ``rsample`` exists and is differentiable.

    Example:
        >>> from nnlite.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
        >>> LogitRelaxedBernoulli(nl.tensor(0.5), nl.tensor([0.3])).rsample().shape
        (1,)
    """
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self.temperature = as_tensor(temperature)
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = isinstance(probs, Number)
            (self.probs,) = broadcast_all(probs)
        else:
            is_scalar = isinstance(logits, Number)
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        batch_shape = () if is_scalar else self._param.shape
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "LogitRelaxedBernoulli":
        new = self._get_checked_instance(LogitRelaxedBernoulli, _instance)
        batch_shape = tuple(batch_shape)
        new.temperature = self.temperature
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> tuple:
        return self._param.shape

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        uniforms = clamp_probs(uniform(shape, probs.dtype))
        return (log(uniforms) - log1p(-uniforms) + log(probs) - log1p(-probs)) / self.temperature

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, as_tensor(value))
        diff = logits - value * self.temperature
        return log(self.temperature) + diff - 2 * log1p(exp(diff))


class RelaxedBernoulli(Distribution):
    """A continuous relaxation of ``Bernoulli`` on (0, 1): ``sigmoid`` of a
    ``LogitRelaxedBernoulli`` sample; reparameterised, so ``rsample`` is differentiable
    w.r.t. ``probs`` / ``logits`` (and ``temperature``).

    Args:
        temperature (Tensor): relaxation temperature, positive.
        probs (float or Tensor, optional): the probability of 1.
        logits (float or Tensor, optional): the log-odds of 1.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is the parameter's shape; event_shape ().

    Example:
        >>> d = nl.distributions.RelaxedBernoulli(nl.tensor(2.2), nl.tensor([0.1, 0.9]))
        >>> d.rsample().shape
        (2,)
    """
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self.base_dist = LogitRelaxedBernoulli(temperature, probs, logits,
                                               validate_args=validate_args)
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "RelaxedBernoulli":
        new = self._get_checked_instance(RelaxedBernoulli, _instance)
        batch_shape = tuple(batch_shape)
        new.base_dist = self.base_dist.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def temperature(self) -> Tensor:
        return self.base_dist.temperature

    @property
    def logits(self) -> Tensor:
        return self.base_dist.logits

    @property
    def probs(self) -> Tensor:
        return self.base_dist.probs

    def _sigmoid(self, x: Tensor) -> Tensor:
        fi = np.finfo(x.dtype)
        return clamp(sigmoid(x), min=float(fi.tiny), max=float(1.0 - fi.eps))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self._sigmoid(self.base_dist.rsample(sample_shape))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = as_tensor(value)
        fi = np.finfo(y.dtype)
        y = clamp(y, min=float(fi.tiny), max=float(1.0 - fi.eps))
        x = log(y) - log1p(-y)
        return self.base_dist.log_prob(x) + softplus(-x) + softplus(x)
