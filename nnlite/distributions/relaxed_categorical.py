"""The relaxed one-hot categorical (concrete / Gumbel-softmax) distribution on the
simplex, and ``ExpRelaxedCategorical``, the distribution of its log.

Notation: t the temperature, l the logits (K of them), g_k ~ Gumbel(0, 1).

    ExpRelaxedCategorical:    x = s - logsumexp(s),  s = (l + g) / t
        log p(x) = lgamma(K) + (K - 1) log t + sum_k (c_k - logsumexp(c)),  c = l - t x
    RelaxedOneHotCategorical: y = exp(x),  log p(y) = log p(log y) - sum_k log y_k
"""
from __future__ import annotations

import math
from typing import Any

from ..factories import as_tensor
from ..ops import exp, log, logsumexp
from ..tensor import Tensor
from . import constraints
from .categorical import Categorical
from .distribution import Distribution
from .utils import broadcast_all, clamp_probs, uniform

__all__ = ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"]


class ExpRelaxedCategorical(Distribution):
    """The log of a ``RelaxedOneHotCategorical`` sample (Jang et al., 2017; Maddison et
    al., 2017).

    Args:
        temperature (Tensor): relaxation temperature, positive.
        probs (Tensor, optional): event probabilities (..., K).
        logits (Tensor, optional): unnormalised log-probabilities (..., K).
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Example:
        >>> from nnlite.distributions.relaxed_categorical import ExpRelaxedCategorical
        >>> ExpRelaxedCategorical(nl.tensor(1.0), nl.ones(3)).rsample().shape
        (3,)
    """
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits)
        self.temperature = as_tensor(temperature)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "ExpRelaxedCategorical":
        new = self._get_checked_instance(ExpRelaxedCategorical, _instance)
        batch_shape = tuple(batch_shape)
        new.temperature = self.temperature
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def param_shape(self) -> tuple:
        return self._categorical.param_shape

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        uniforms = clamp_probs(uniform(shape, self.logits.dtype))
        gumbels = -log(-log(uniforms))
        scores = (self.logits + gumbels) / self.temperature
        return scores - logsumexp(scores, dim=-1, keepdim=True)

    def log_prob(self, value: Any) -> Tensor:
        K = self._categorical._num_events
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, as_tensor(value))
        log_scale = math.lgamma(K) - log(self.temperature) * (-(K - 1))
        score = logits - value * self.temperature
        score = (score - logsumexp(score, dim=-1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(Distribution):
    """A continuous relaxation of ``OneHotCategorical`` on the simplex: ``exp`` of an
    ``ExpRelaxedCategorical`` sample; reparameterised (``rsample`` is differentiable
    w.r.t. ``probs`` / ``logits`` and ``temperature``).

    Args:
        temperature (Tensor): relaxation temperature, positive.
        probs (Tensor, optional): event probabilities (..., K).
        logits (Tensor, optional): unnormalised log-probabilities (..., K).
        validate_args (bool, optional): see :class:`Distribution`. Default: None.

    Shape: batch_shape is the parameter's shape without its last dim; event_shape (K,).

    Example:
        >>> d = nl.distributions.RelaxedOneHotCategorical(nl.tensor(2.2),
        ...                                               nl.tensor([0.1, 0.2, 0.3, 0.4]))
        >>> d.rsample().shape
        (4,)
    """
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:
        self.base_dist = ExpRelaxedCategorical(temperature, probs, logits,
                                               validate_args=validate_args)
        super().__init__(self.base_dist.batch_shape, self.base_dist.event_shape,
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "RelaxedOneHotCategorical":
        new = self._get_checked_instance(RelaxedOneHotCategorical, _instance)
        batch_shape = tuple(batch_shape)
        new.base_dist = self.base_dist.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
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

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return exp(self.base_dist.rsample(sample_shape))

    def log_prob(self, value: Any) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        x = log(as_tensor(value))
        return self.base_dist.log_prob(x) - x.sum(-1)
