"""kl_divergence against torch's for every registered pair (values and gradients w.r.t.
both distributions' parameters), dispatch and register_kl."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.distributions import Distribution, Normal, kl_divergence, register_kl
from tests.ops._parity import assert_close, to_numpy

from ._cases import lower_cholesky, pos, real, simplex

PAIRS = {   # name: (build(D, p) -> (p_dist, q_dist), params)
    "Normal": (lambda D, p: (D.Normal(p["a"], p["b"]), D.Normal(p["c"], p["d"])),
               {"a": real(3), "b": pos(3), "c": real(2, 1), "d": pos(3)}),
    "Categorical": (lambda D, p: (D.Categorical(p["a"]), D.Categorical(logits=p["b"])),
                    {"a": simplex(2, 4), "b": real(4)}),
    "Bernoulli": (lambda D, p: (D.Bernoulli(p["a"]), D.Bernoulli(logits=p["b"])),
                  {"a": np.array([0.1, 0.5, 0.9]), "b": real(3)}),
    "MVN": (lambda D, p: (D.MultivariateNormal(p["a"], scale_tril=p["L"]),
                          D.MultivariateNormal(p["c"], covariance_matrix=p["C"] @ p["C"].mT)),
            {"a": real(2, 3), "L": lower_cholesky(), "c": real(3), "C": lower_cholesky(2)}),
    "Uniform": (lambda D, p: (D.Uniform(p["a"], p["a"] + p["b"]),
                              D.Uniform(p["a"] - p["c"], p["a"] + p["b"] + p["d"])),
                {"a": real(3), "b": pos(3), "c": pos(3), "d": pos(3)}),
    "Exponential": (lambda D, p: (D.Exponential(p["a"]), D.Exponential(p["b"])),
                    {"a": pos(3), "b": pos(3)}),
    "Laplace": (lambda D, p: (D.Laplace(p["a"], p["b"]), D.Laplace(p["c"], p["d"])),
                {"a": real(3), "b": pos(3), "c": real(3), "d": pos(3)}),
    "Independent": (lambda D, p: (D.Independent(D.Normal(p["a"], p["b"]), 1),
                                  D.Independent(D.Normal(p["c"], p["d"]), 1)),
                    {"a": real(2, 3), "b": pos(2, 3), "c": real(2, 3), "d": pos(2, 3)}),
    "OneHotCategorical": (lambda D, p: (D.OneHotCategorical(p["a"]),
                                        D.OneHotCategorical(logits=p["b"])),
                          {"a": simplex(2, 4), "b": real(2, 4)}),
    "Beta": (lambda D, p: (D.Beta(p["a"], p["b"]), D.Beta(p["c"], p["d"])),
             {"a": pos(3), "b": pos(3), "c": pos(3), "d": pos(3)}),
    "Gamma": (lambda D, p: (D.Gamma(p["a"], p["b"]), D.Gamma(p["c"], p["d"])),
              {"a": pos(3), "b": pos(3), "c": pos(3), "d": pos(3)}),
    "Dirichlet": (lambda D, p: (D.Dirichlet(p["a"]), D.Dirichlet(p["b"])),
                  {"a": pos(2, 3), "b": pos(3)}),
    "Poisson": (lambda D, p: (D.Poisson(p["a"]), D.Poisson(p["b"])), {"a": pos(3), "b": pos(3)}),
    "Geometric": (lambda D, p: (D.Geometric(p["a"]), D.Geometric(p["b"])),
                  {"a": np.array([0.2, 0.5, 0.8]), "b": np.array([0.3, 0.6, 0.4])}),
    "Gumbel": (lambda D, p: (D.Gumbel(p["a"], p["b"]), D.Gumbel(p["c"], p["d"])),
               {"a": real(3), "b": pos(3), "c": real(3), "d": pos(3)}),
    "LogNormal": (lambda D, p: (D.LogNormal(p["a"], p["b"]), D.LogNormal(p["c"], p["d"])),
                  {"a": real(3), "b": pos(3), "c": real(3), "d": pos(3)}),
}


def _leaves(lib, params):
    return {k: lib.tensor(np.array(v, dtype=np.float64), requires_grad=True)
            for k, v in params.items()}


@pytest.mark.parametrize("name", list(PAIRS))
def test_kl_matches_torch(torch, name):
    build, params = PAIRS[name]
    p, tp = _leaves(nl, params), _leaves(torch, params)
    kl = kl_divergence(*build(nl.distributions, p))
    tkl = torch.distributions.kl_divergence(*build(torch.distributions, tp))
    assert_close(kl, tkl, f"KL {name}", 1e-8, 1e-10)
    g = np.random.default_rng(0).standard_normal(kl.shape)
    names = list(p)
    ours = nl.autograd.grad([kl], [p[k] for k in names], [nl.tensor(g)], allow_unused=True)
    theirs = torch.autograd.grad([tkl], [tp[k] for k in names], [torch.tensor(g)],
                                 allow_unused=True)
    for k, a, b in zip(names, ours, theirs):
        assert_close(to_numpy(a, p[k]), to_numpy(b, p[k]), f"KL {name}: gradient w.r.t. {k}",
                     1e-7, 1e-9)


def test_kl_edge_values(torch):
    """Zero probabilities: inf where q has none, 0 where p has none, as torch."""
    a = np.array([[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]])
    b = np.array([[0.2, 0.3, 0.5], [0.2, 0.8, 0.0]])
    D, T = nl.distributions, torch.distributions
    assert_close(kl_divergence(D.Categorical(nl.tensor(a)), D.Categorical(nl.tensor(b))),
                 T.kl_divergence(T.Categorical(torch.tensor(a)), T.Categorical(torch.tensor(b))),
                 "categorical")
    pa, pb = np.array([0.0, 1.0, 0.3, 0.3]), np.array([0.5, 0.5, 0.0, 1.0])
    assert_close(kl_divergence(D.Bernoulli(nl.tensor(pa)), D.Bernoulli(nl.tensor(pb))),
                 T.kl_divergence(T.Bernoulli(torch.tensor(pa)), T.Bernoulli(torch.tensor(pb))),
                 "bernoulli")
    u = [(0.0, 1.0, -1.0, 2.0), (0.0, 1.0, 0.5, 2.0)]
    for lo, hi, qlo, qhi in u:
        assert_close(kl_divergence(D.Uniform(lo, hi), D.Uniform(qlo, qhi)),
                     T.kl_divergence(T.Uniform(lo, hi), T.Uniform(qlo, qhi)), "uniform")


def test_unregistered_pair_raises():
    with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for "
                                                  "p type Normal and q type Exponential"):
        kl_divergence(Normal(0.0, 1.0), nl.distributions.Exponential(1.0))


def test_register_kl_dispatches_to_the_most_specific_pair():
    class MyNormal(Normal):
        pass

    p, q = MyNormal(0.0, 1.0), Normal(1.0, 1.0)
    assert float(kl_divergence(p, q)) == pytest.approx(0.5)      # the Normal pair applies

    @register_kl(MyNormal, Normal)
    def _kl_mine(p, q):
        return nl.tensor(42.0)

    try:
        assert float(kl_divergence(p, q)) == 42.0
        assert float(kl_divergence(q, q)) == 0.0
    finally:
        from nnlite.distributions import kl as klmod
        del klmod._KL_REGISTRY[MyNormal, Normal]
        klmod._KL_MEMOIZE.clear()


def test_register_kl_checks_types():
    with pytest.raises(TypeError, match="type_p"):
        register_kl(int, Normal)
    with pytest.raises(TypeError, match="type_q"):
        register_kl(Distribution, "Normal")


def test_mvn_event_shapes_must_agree():
    D = nl.distributions
    with pytest.raises(ValueError, match="different event shapes"):
        kl_divergence(D.MultivariateNormal(nl.zeros(2), nl.eye(2)),
                      D.MultivariateNormal(nl.zeros(3), nl.eye(3)))


def test_independent_ndims_must_agree():
    D = nl.distributions
    base = D.Normal(nl.zeros(2, 3), nl.ones(2, 3))
    with pytest.raises(NotImplementedError):
        kl_divergence(D.Independent(base, 1), D.Independent(base, 2))
