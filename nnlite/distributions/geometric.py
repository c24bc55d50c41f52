"""The geometric distribution: the number of failures before the first success of
Bernoulli(probs) trials, over {0, 1, 2, ...}.

    log p(k) = k log(1 - p) + log p
"""
from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

from ..autograd.grad_mode import no_grad
from ..factories import as_tensor, zeros_like
from ..ops import log, log1p, where
from ..ops.loss import binary_cross_entropy_with_logits
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, generator, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Geometric"]


class Geometric(Distribution):
    """A batch of geometric distributions with success probability ``probs``.

    Args:
        probs (float or Tensor, optional): success probability, in (0, 1].
        logits (float or Tensor, optional): success log-odds.
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Exactly one of ``probs`` and ``logits`` is given.

    Shape: batch_shape is the parameter's shape; event_shape ().

    Example:
        >>> nl.distributions.Geometric(nl.tensor([0.3])).sample().shape
        (1,)
    """
    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        probs_or_logits = probs if probs is not None else logits
        batch_shape = () if isinstance(probs_or_logits, Number) \
            else (self.probs if probs is not None else self.logits).shape
        super().__init__(batch_shape, validate_args=validate_args)
        if self._validate_args and probs is not None:
            value = self.probs          # probs == 0 is in unit_interval, not valid here
            valid = value > 0
            if not bool(valid.all()):
                invalid_value = value.array[~valid.array]
                raise ValueError(
                    f"Expected parameter probs ({type(value).__name__} of shape "
                    f"{tuple(value.shape)}) of distribution {self!r} to be positive but "
                    f"found invalid values:\n{as_tensor(invalid_value)}")

    def expand(self, batch_shape: Any, _instance: Any = None) -> "Geometric":
        new = self._get_checked_instance(Geometric, _instance)
        batch_shape = tuple(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return zeros_like(self.probs)

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with no_grad():
            p = self.probs.array
            tiny = np.finfo(p.dtype).tiny
            u = np.maximum(generator().random(shape), tiny).astype(p.dtype)
            with np.errstate(divide="ignore"):
                return as_tensor(np.floor(np.log(u) / np.log1p(-p)).astype(p.dtype))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(as_tensor(value), self.probs)
        probs = where((probs == 1) & (value == 0), 0.0, probs)
        return value * log1p(-probs) + log(self.probs)

    def entropy(self) -> Tensor:
        return binary_cross_entropy_with_logits(self.logits, self.probs,
                                                reduction="none") / self.probs
