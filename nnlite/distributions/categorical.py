"""The categorical distribution over {0, ..., K-1}, by ``probs`` or ``logits``.

``probs`` are normalised to sum to 1 over the last dim, ``logits`` to log-probabilities
(``logits - logsumexp(logits)``), as torch's; the other parameter is derived lazily.

    log p(k) = logits[k]                  entropy = -sum_k p_k logits_k
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..factories import arange, as_tensor, full
from ..ops import argmax, broadcast_to, clamp, gather, logsumexp, multinomial
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, probs_to_logits, size as _size

__all__ = ["Categorical"]


def _check_param(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


class Categorical(Distribution):
    """A batch of categorical distributions over ``K`` categories (the last dim of
    ``probs`` or ``logits``).

    Args:
        probs (Tensor, optional): non-negative weights (..., K), normalised over the
            last dim.
        logits (Tensor, optional): unnormalised log-probabilities (..., K).
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Exactly one of ``probs`` and ``logits`` is given.

    Shape: batch_shape is the parameter's shape without its last dim; event_shape ().
    Samples are int64 category indices.

    Example:
        >>> m = nl.distributions.Categorical(nl.tensor([0.25, 0.25, 0.25, 0.25]))
        >>> m.sample().shape
        ()
    """
    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        _check_param(probs, logits)
        if probs is not None:
            probs = as_tensor(probs)
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            logits = as_tensor(logits)
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logsumexp(logits, dim=-1, keepdim=True)
        self._param = self.probs if probs is not None else self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = self._param.shape[:-1] if self._param.dim() > 1 else ()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Categorical":
        new = self._get_checked_instance(Categorical, _instance)
        batch_shape = tuple(batch_shape)
        param_shape = batch_shape + (self._num_events,)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(param_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(param_shape)
            new._param = new.logits
        new._num_events = self._num_events
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> tuple:
        return self._param.shape

    @property
    def mean(self) -> Tensor:
        return full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self) -> Tensor:
        return argmax(self.probs, -1)

    @property
    def variance(self) -> Tensor:
        return full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        sample_shape = _size(sample_shape)
        probs_2d = self.probs.detach().reshape(-1, self._num_events)
        n = int(np.prod(sample_shape, dtype=np.int64))
        if n == 0 or probs_2d.shape[0] == 0:
            return as_tensor(np.zeros(self._extended_shape(sample_shape), np.int64))
        samples_2d = multinomial(probs_2d, n, True).t()
        return samples_2d.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value = as_tensor(value).long().unsqueeze(-1)
        shape = np.broadcast_shapes(value.shape, self.logits.shape)
        value = broadcast_to(value, shape)[..., :1]
        log_pmf = broadcast_to(self.logits, shape)
        return gather(log_pmf, -1, value).squeeze(-1)

    def entropy(self) -> Tensor:
        min_real = float(np.finfo(self.logits.dtype).min)
        logits = clamp(self.logits, min=min_real)
        p_log_p = logits * self.probs
        return -p_log_p.sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        num_events = self._num_events
        values = arange(num_events, dtype=np.int64)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values
