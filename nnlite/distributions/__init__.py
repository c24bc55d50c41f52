"""Probability distributions with torch's ``torch.distributions`` API, on nnlite Tensors.

    from nnlite.distributions import Normal, Categorical, kl_divergence
    m = Categorical(logits=scores)         # scores: (B, K)
    action = m.sample()                     # (B,), int64
    loss = -(m.log_prob(action) * reward).sum()

``log_prob``, ``entropy``, ``cdf`` and ``kl_divergence`` are differentiable w.r.t. the
parameters through nnlite's autograd, and so is ``rsample`` where ``has_rsample`` is True
(the reparameterisation trick). Draws come from nnlite's global generator, so
``nl.manual_seed`` makes them repeatable (the streams differ from torch's).

One module per family: normal.py, uniform.py, exponential.py, laplace.py, categorical.py,
one_hot_categorical.py, bernoulli.py, multivariate_normal.py, independent.py, gamma.py
(Gamma, Chi2), dirichlet.py, beta.py, poisson.py, binomial.py, geometric.py,
log_normal.py, cauchy.py, studentT.py, gumbel.py, relaxed_bernoulli.py
(RelaxedBernoulli; LogitRelaxedBernoulli, as in torch only in the module),
relaxed_categorical.py (RelaxedOneHotCategorical; ExpRelaxedCategorical likewise); the
base class in distribution.py, constraints in constraints.py, KL divergences in kl.py,
helpers in utils.py, and in _functions.py the incomplete gamma function and Gamma draws
(the other special functions are nnlite.ops').
"""
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .cauchy import Cauchy
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Chi2, Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .poisson import Poisson
from .relaxed_bernoulli import RelaxedBernoulli
from .relaxed_categorical import RelaxedOneHotCategorical
from .studentT import StudentT
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "Dirichlet",
    "Distribution", "Exponential", "Gamma", "Geometric", "Gumbel",
    "Independent", "Laplace", "LogNormal", "MultivariateNormal",
    "Normal", "OneHotCategorical", "Poisson", "RelaxedBernoulli", "RelaxedOneHotCategorical",
    "StudentT", "Uniform", "constraints", "kl_divergence", "register_kl",
]
