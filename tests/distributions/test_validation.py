"""Argument validation: torch's ValueErrors (same wording; tensors and shapes print in
nnlite's format) for bad parameters and for values outside the support, and the switches
that turn it off."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.distributions import (Bernoulli, Beta, Binomial, Categorical, Dirichlet,
                                  Distribution, Exponential, Gamma, Geometric, Independent,
                                  Laplace, MultivariateNormal, Normal, OneHotCategorical,
                                  Poisson, Uniform)


@pytest.fixture
def torch(torch):
    """torch with its default validation on: importing torch._dynamo (as torch.compile
    does, in other tests of the session) turns it off for the whole process."""
    before = torch.distributions.Distribution._validate_args
    torch.distributions.Distribution.set_default_validate_args(True)
    yield torch
    torch.distributions.Distribution.set_default_validate_args(before)


def torch_message(torch, build):
    with pytest.raises(ValueError) as e:
        build(torch)
    return str(e.value)


BAD_PARAMS = [   # (build(lib), the parameter named)
    (lambda T: T.distributions.Normal(T.tensor([0.0]), T.tensor([-1.0])), "scale"),
    (lambda T: T.distributions.Exponential(T.tensor([0.0, 1.0])), "rate"),
    (lambda T: T.distributions.Laplace(T.tensor([float("nan")]), T.tensor([1.0])), "loc"),
    (lambda T: T.distributions.Bernoulli(T.tensor([1.5])), "probs"),
    (lambda T: T.distributions.Categorical(T.tensor([-0.5, 1.0])), "probs"),
    (lambda T: T.distributions.OneHotCategorical(T.tensor([-0.5, 1.0])), "probs"),
    (lambda T: T.distributions.Gamma(T.tensor([-1.0]), T.tensor([1.0])), "concentration"),
    (lambda T: T.distributions.Beta(T.tensor([1.0]), T.tensor([0.0])), "concentration"),
    (lambda T: T.distributions.Dirichlet(T.tensor([1.0, -1.0])), "concentration"),
    (lambda T: T.distributions.Poisson(T.tensor([-1.0])), "rate"),
    (lambda T: T.distributions.Binomial(T.tensor([2.5]), T.tensor([0.5])), "total_count"),
    (lambda T: T.distributions.Geometric(T.tensor([0.0])), "probs"),
    (lambda T: T.distributions.MultivariateNormal(T.zeros(2), T.tensor([[1.0, 2.0], [2.0, 1.0]])),
     "covariance_matrix"),
    (lambda T: T.distributions.MultivariateNormal(
        T.zeros(2), scale_tril=T.tensor([[1.0, 1.0], [0.0, 1.0]])),
     "scale_tril"),
    (lambda T: T.distributions.StudentT(T.tensor([0.0])), "df"),
]


@pytest.mark.parametrize("build,param", BAD_PARAMS, ids=[p for _, p in BAD_PARAMS])
def test_bad_parameter_raises_torchs_error(torch, build, param):
    theirs = torch_message(torch, build)
    with pytest.raises(ValueError) as e:
        build(nl)
    ours = str(e.value)
    assert ours.startswith(f"Expected parameter {param} (Tensor of shape ")
    head = lambda m: m.split(" of distribution ")[0]                      # noqa: E731
    tail = lambda m: m.split(") to ")[-1].split("\n")[0]                  # noqa: E731
    assert head(ours) == head(theirs).replace("torch.Size([", "(").replace("])", ")")
    assert tail(ours) == tail(theirs)


VALUES = [   # (dist, value outside the support)
    (lambda: Normal(0.0, 1.0), nl.tensor(float("nan"))),
    (lambda: Exponential(nl.tensor([1.0])), nl.tensor([-1.0])),
    (lambda: Uniform(nl.tensor([0.0]), nl.tensor([1.0])), nl.tensor([1.5])),
    (lambda: Bernoulli(nl.tensor([0.5])), nl.tensor([0.5])),
    (lambda: Categorical(nl.tensor([0.5, 0.5])), nl.tensor(2)),
    (lambda: OneHotCategorical(nl.tensor([0.5, 0.5])), nl.tensor([1.0, 1.0])),
    (lambda: Poisson(nl.tensor([1.0])), nl.tensor([1.5])),
    (lambda: Binomial(3, nl.tensor([0.5])), nl.tensor([4.0])),
    (lambda: Geometric(nl.tensor([0.5])), nl.tensor([-1.0])),
    (lambda: Gamma(nl.tensor([1.0]), nl.tensor([1.0])), nl.tensor([-1.0])),
    (lambda: Beta(nl.tensor([1.0]), nl.tensor([1.0])), nl.tensor([1.5])),
    (lambda: Dirichlet(nl.tensor([1.0, 1.0])), nl.tensor([0.5, 0.6])),
    (lambda: Independent(Exponential(nl.ones(2)), 1), nl.tensor([1.0, -1.0])),
]


@pytest.mark.parametrize("build,value", VALUES)
def test_value_outside_support(build, value):
    d = build()
    with pytest.raises(ValueError, match=r"Expected value argument \(Tensor of shape .*\) to be "
                                         r"within the support \(.*\) of the distribution"):
        d.log_prob(value)


def test_support_message_matches_torch(torch):
    T = torch.distributions
    with pytest.raises(ValueError) as te:
        T.Exponential(torch.tensor([1.0])).log_prob(torch.tensor([-1.0]))
    with pytest.raises(ValueError) as e:
        Exponential(nl.tensor([1.0])).log_prob(nl.tensor([-1.0]))
    cut = lambda m: m.split(" of the distribution")[0]                    # noqa: E731
    assert cut(str(e.value)) == cut(str(te.value)).replace("torch.Size([", "(").replace("])", ")")


def test_value_checks():
    d = Normal(nl.zeros(3), nl.ones(3))
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        d.log_prob(0.5)
    with pytest.raises(ValueError, match="Value is not broadcastable with "
                                         r"batch_shape\+event_shape: \(2,\) vs \(3,\)"):
        d.log_prob(nl.zeros(2))
    m = MultivariateNormal(nl.zeros(3), nl.eye(3))
    with pytest.raises(ValueError, match=r"The right-most size of value must match "
                                         r"event_shape: \(2,\) vs \(3,\)"):
        m.log_prob(nl.zeros(2))


def test_constructor_errors():
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but "
                                         "not both."):
        Categorical(nl.ones(2), nl.ones(2))
    with pytest.raises(ValueError, match="Either `probs` or `logits`"):
        Bernoulli()
    with pytest.raises(ValueError, match="`probs` parameter must be at least one-dimensional."):
        Categorical(nl.tensor(1.0))
    with pytest.raises(ValueError, match="`logits` parameter must be at least one-dimensional."):
        Categorical(logits=nl.tensor(1.0))
    with pytest.raises(ValueError, match="Uniform is not defined when low>= high"):
        Uniform(1.0, 1.0)
    with pytest.raises(ValueError, match="Exactly one of covariance_matrix or "
                                         "precision_matrix or scale_tril may be specified."):
        MultivariateNormal(nl.zeros(2))
    with pytest.raises(ValueError, match="loc must be at least one-dimensional."):
        MultivariateNormal(nl.tensor(0.0), nl.eye(1))
    with pytest.raises(ValueError, match="scale_tril matrix must be at least two-dimensional"):
        MultivariateNormal(nl.zeros(2), scale_tril=nl.ones(2))
    with pytest.raises(ValueError, match=r"covariance_matrix \(shape \(3, 3\)\) must be square "
                                         r"with the event size of loc \(shape \(2,\)\)"):
        MultivariateNormal(nl.zeros(2), nl.eye(3))
    with pytest.raises(ValueError, match="Expected reinterpreted_batch_ndims <= "
                                         r"len\(base_distribution.batch_shape\), actual 2 vs 1"):
        Independent(Normal(nl.zeros(2), 1.0), 2)
    with pytest.raises(ValueError, match="`concentration` parameter must be at least"):
        Dirichlet(nl.tensor(1.0))
    with pytest.raises(ValueError, match="Input arguments must all be instances of"):
        Normal("a", 1.0)


@pytest.mark.filterwarnings("ignore:invalid value encountered in log")
def test_validate_args_false_skips_checks():
    d = Normal(0.0, -1.0, validate_args=False)
    assert np.isnan(float(d.log_prob(nl.tensor(0.0))))
    assert float(Exponential(nl.tensor(1.0), validate_args=False).log_prob(nl.tensor(-1.0))) == 1.0


def test_set_default_validate_args():
    try:
        Distribution.set_default_validate_args(False)
        Normal(0.0, -1.0)                          # no error
        with pytest.raises(ValueError):
            Normal(0.0, -1.0, validate_args=True)
    finally:
        Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        Normal(0.0, -1.0)
    with pytest.raises(ValueError, match="True or False"):
        Distribution.set_default_validate_args(2)


def test_number_parameters_give_scalar_batch():
    d = Normal(0.0, 1.0)
    assert d.batch_shape == () and d.loc.dtype == nl.float32
    assert Laplace(nl.zeros(2, dtype=nl.float64), 1.0).scale.dtype == nl.float64


def test_float32_stays_float32():
    loc = nl.zeros(3, requires_grad=True)
    d = Normal(loc, nl.ones(3))
    for t in (d.rsample((2,)), d.log_prob(nl.zeros(3)), d.entropy(), d.cdf(nl.zeros(3))):
        assert t.dtype == nl.float32
    c = Categorical(logits=nl.zeros(2, 3))
    assert c.log_prob(c.sample()).dtype == nl.float32 and c.sample().dtype == nl.int64
    m = MultivariateNormal(nl.zeros(2), nl.eye(2))
    assert m.log_prob(m.sample()).dtype == nl.float32
    g = Gamma(nl.ones(2), nl.ones(2))
    assert g.rsample().dtype == nl.float32 and g.log_prob(g.sample()).dtype == nl.float32
