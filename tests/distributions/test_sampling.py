"""Samples: shapes (sample_shape + batch_shape + event_shape), dtypes, reproducibility
under nl.manual_seed, moments of many samples, values in the support, and the gradients
of rsample (reparameterisation) w.r.t. the parameters."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl
from nnlite.distributions import (Beta, Categorical, Dirichlet, Gamma, MultivariateNormal,
                                  Normal)

from ._cases import CASES, leaves

shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_sample_shapes_dtypes_and_support(case):
    d = case.build(nl.distributions, leaves(nl, case.params))
    for sample_shape in [(), (2,), (2, 3)]:
        x = d.sample(sample_shape)
        assert x.shape == sample_shape + d.batch_shape + d.event_shape
        assert not x.requires_grad
        assert bool(d.support.check(x).all()), f"{case.name}: a sample is outside the support"
    want = np.int64 if case.name.startswith("Categorical") else np.float64
    assert d.sample().dtype == want
    if d.has_rsample:
        r = d.rsample((2,))
        assert r.shape == (2,) + d.batch_shape + d.event_shape and r.requires_grad


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_manual_seed_repeats_samples(case):
    d = case.build(nl.distributions, leaves(nl, case.params))
    nl.manual_seed(7)
    a = d.sample((3,))
    nl.manual_seed(7)
    assert np.array_equal(a.numpy(), d.sample((3,)).numpy())


@pytest.mark.parametrize("case", [c for c in CASES if c.moments], ids=lambda c: c.name)
def test_moments_of_samples(case):
    nl.manual_seed(0)
    d = case.build(nl.distributions, leaves(nl, case.params))
    n = 40000
    x = d.sample((n,)).numpy().astype(np.float64)
    mean = d.mean.detach().numpy()
    var = d.variance.detach().numpy()
    if not np.isfinite(mean).all():                  # Categorical: mean / variance are nan
        return
    np.testing.assert_allclose(x.mean(0), mean, atol=6 * np.sqrt(var.max() / n) + 1e-3)
    np.testing.assert_allclose(x.var(0), var, rtol=0.1, atol=1e-3)


def test_categorical_frequencies():
    nl.manual_seed(0)
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    x = Categorical(nl.tensor(p)).sample((50000,)).numpy()
    freq = np.stack([(x == k).mean(0) for k in range(3)], -1)
    np.testing.assert_allclose(freq, p, atol=0.01)


@settings(max_examples=15, deadline=None)
@given(batch=shapes, sample_shape=shapes, k=st.integers(1, 4))
def test_sample_shapes_hypothesis(batch, sample_shape, k):
    D = nl.distributions
    assert Normal(nl.zeros(batch), nl.ones(batch)).sample(sample_shape).shape == \
        sample_shape + batch
    probs = nl.ones(batch + (k,))
    assert Categorical(probs).sample(sample_shape).shape == sample_shape + batch
    assert D.OneHotCategorical(probs).sample(sample_shape).shape == sample_shape + batch + (k,)
    L = nl.eye(k).expand(batch + (k, k))
    m = MultivariateNormal(nl.zeros(k), scale_tril=L)
    assert m.batch_shape == batch and m.event_shape == (k,)
    assert m.rsample(sample_shape).shape == sample_shape + batch + (k,)
    assert m.log_prob(m.sample(sample_shape)).shape == sample_shape + batch
    assert D.Independent(Normal(nl.zeros(batch + (k,)), 1.0), 1).sample(sample_shape).shape \
        == sample_shape + batch + (k,)


# ---- rsample gradients ----------------------------------------------------------------
@pytest.mark.parametrize("case", [c for c in CASES if c.rsample], ids=lambda c: c.name)
def test_rsample_gradcheck(case):
    """With the seed fixed, rsample is a smooth function of the parameters: its
    gradient must match central differences (unvalidated: the steps leave scale_tril's
    lower triangle)."""
    names = list(case.params)
    xs = list(leaves(nl, case.params).values())

    def fn(*ps):
        nl.manual_seed(3)
        d = case.build(nl.distributions, dict(zip(names, ps)))
        return d.rsample((2,))

    nl.distributions.Distribution.set_default_validate_args(False)
    try:
        assert nl.gradcheck(fn, xs, atol=1e-6, rtol=1e-4)
    finally:
        nl.distributions.Distribution.set_default_validate_args(True)


def test_normal_rsample_is_the_reparameterisation():
    loc = nl.tensor([0.5, -1.0], dtype=nl.float64, requires_grad=True)
    scale = nl.tensor([2.0, 0.5], dtype=nl.float64, requires_grad=True)
    nl.manual_seed(0)
    x = Normal(loc, scale).rsample()
    nl.manual_seed(0)
    eps = nl.randn(2, dtype=nl.float64)
    np.testing.assert_allclose(x.detach().numpy(), (loc + scale * eps).detach().numpy())
    x.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(scale.grad.numpy(), eps.numpy())


def test_gamma_rsample_gradient_matches_torch(torch):
    """Per sample: d x / d concentration against torch's _standard_gamma_grad (torch's
    approximation is good to ~1e-3 relative; ours is exact to ~1e-7)."""
    nl.manual_seed(0)
    a = nl.tensor(np.array([0.3, 0.8, 1.5, 4.0, 20.0, 150.0]), requires_grad=True)
    x = Gamma(a, 1.0).rsample((50,))
    x.sum().backward()
    a_full = np.broadcast_to(a.detach().numpy(), x.shape).copy()
    per_sample = nl.distributions._functions.standard_gamma_grad_array(x.detach().numpy(),
                                                                        a_full)
    theirs = torch._standard_gamma_grad(torch.tensor(a_full),
                                        torch.tensor(x.detach().numpy())).numpy()
    np.testing.assert_allclose(per_sample, theirs, rtol=5e-3, atol=1e-6)
    np.testing.assert_allclose(a.grad.numpy(), per_sample.sum(0), rtol=1e-10)


def test_gamma_rsample_gradient_against_mpmath():
    mpmath = pytest.importorskip("mpmath")
    from nnlite.distributions._functions import standard_gamma_grad_array
    for a, x in [(0.5, 2.0), (3.0, 0.7), (10.0, 25.0), (100.0, 90.0)]:
        d = mpmath.diff(lambda aa: mpmath.gammainc(aa, 0, x, regularized=True), a)
        pdf = mpmath.exp((a - 1) * mpmath.log(x) - x - mpmath.loggamma(a))
        assert standard_gamma_grad_array(np.float64(x), np.float64(a)) == \
            pytest.approx(float(-d / pdf), rel=1e-6)


@pytest.mark.parametrize("dist,mean_grad", [
    # d E[x] / d params, exactly: Gamma(a, b): E = a / b;  Beta(a, b): E = a / (a + b)
    (lambda a, b: Gamma(a, b), lambda a, b: (1 / b, -a / b ** 2)),
    (lambda a, b: Beta(a, b), lambda a, b: (b / (a + b) ** 2, -a / (a + b) ** 2)),
    (lambda a, b: Dirichlet(nl.stack([a, b], -1)),
     lambda a, b: (b / (a + b) ** 2, -a / (a + b) ** 2)),
], ids=["Gamma", "Beta", "Dirichlet"])
def test_rsample_gradient_is_unbiased(dist, mean_grad):
    nl.manual_seed(0)
    a = nl.tensor([0.7, 2.5], dtype=nl.float64, requires_grad=True)
    b = nl.tensor([1.5, 3.0], dtype=nl.float64, requires_grad=True)
    x = dist(a, b).rsample((20000,))
    if x.dim() == 3:
        x = x[..., 0]
    x.mean(0).sum().backward()
    ga, gb = mean_grad(a.detach().numpy(), b.detach().numpy())
    np.testing.assert_allclose(a.grad.numpy(), ga, rtol=0.06, atol=6e-3)
    np.testing.assert_allclose(b.grad.numpy(), gb, rtol=0.06, atol=6e-3)


def test_sample_n_warns_and_samples():
    with pytest.warns(UserWarning, match="sample_n will be deprecated"):
        assert Normal(nl.zeros(2), 1.0).sample_n(4).shape == (4, 2)
