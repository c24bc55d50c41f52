"""Every distribution against torch.distributions on the same float64 parameters: the
values of log_prob, entropy, cdf, icdf and the moments, and their gradients with respect
to every parameter (for a seeded random upstream gradient)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl
from tests.ops._parity import assert_close, to_numpy

from ._cases import CASES, leaves, value_tensor

PARAMS = [pytest.param(c, m, id=f"{c.name}-{m}") for c in CASES for m in c.methods]


def evaluate(lib: Any, case, method: str) -> tuple:
    """The leaves and ``method``'s result in ``lib``."""
    p = leaves(lib, case.params)
    d = case.build(lib.distributions, p)
    if method in ("log_prob", "cdf"):
        out = getattr(d, method)(value_tensor(lib, case, case.values))
    elif method == "icdf":
        out = d.icdf(lib.tensor(case.quantiles))
    elif method == "entropy":
        out = d.entropy()
    else:
        out = getattr(d, method)
    return p, out


@pytest.mark.parametrize("case,method", PARAMS)
def test_values_and_gradients(torch, case, method):
    rtol, atol = case.tol
    p, out = evaluate(nl, case, method)
    tp, tout = evaluate(torch, case, method)
    assert isinstance(out, nl.Tensor)
    assert_close(out, tout, f"{case.name}.{method}", rtol, atol)
    assert out.dtype == to_numpy(tout).dtype, f"dtype {out.dtype}, torch's {tout.dtype}"
    if not tout.requires_grad:
        return
    assert out.requires_grad, f"{case.name}.{method} is not differentiable; torch's is"
    g = np.random.default_rng(0).standard_normal(out.shape)
    names = [k for k in p if k not in case.extra.get(method + "_no_grad", ())]
    ours = nl.autograd.grad([out], [p[k] for k in names], [nl.tensor(g)], allow_unused=True)
    theirs = torch.autograd.grad([tout], [tp[k] for k in names], [torch.tensor(g)],
                                 allow_unused=True)
    for k, a, b in zip(names, ours, theirs):
        assert_close(to_numpy(a, p[k]), to_numpy(b, p[k]),
                     f"{case.name}.{method}: gradient w.r.t. {k}", rtol * 100, atol * 100)


@pytest.mark.parametrize("case", [c for c in CASES], ids=lambda c: c.name)
def test_shapes_match_torch(torch, case):
    d = case.build(nl.distributions, leaves(nl, case.params))
    td = case.build(torch.distributions, leaves(torch, case.params))
    assert d.batch_shape == tuple(td.batch_shape)
    assert d.event_shape == tuple(td.event_shape)
    assert d.has_rsample == td.has_rsample
    assert d.has_enumerate_support == td.has_enumerate_support
    assert repr(d.support) == repr(td.support) or "Interval" in repr(td.support)


@pytest.mark.parametrize("name", ["Categorical-probs", "Bernoulli-probs", "Binomial-probs",
                                  "OneHotCategorical"])
@pytest.mark.parametrize("expand", [True, False])
def test_enumerate_support(torch, name, expand):
    from ._cases import BY_NAME
    case = BY_NAME[name]
    d = case.build(nl.distributions, leaves(nl, case.params))
    td = case.build(torch.distributions, leaves(torch, case.params))
    assert_close(d.enumerate_support(expand), td.enumerate_support(expand), "support")


@pytest.mark.parametrize("case", [c for c in CASES if c.name in
                                  ("Normal", "Categorical-logits", "MVN-scale_tril", "Gamma",
                                   "Independent", "Bernoulli-probs", "Dirichlet", "Uniform")],
                         ids=lambda c: c.name)
def test_expand(torch, case):
    d = case.build(nl.distributions, leaves(nl, case.params))
    td = case.build(torch.distributions, leaves(torch, case.params))
    e, te = d.expand((5,) + d.batch_shape), td.expand((5,) + tuple(td.batch_shape))
    assert e.batch_shape == tuple(te.batch_shape) and e.event_shape == tuple(te.event_shape)
    v = np.asarray(case.values)
    v = np.broadcast_to(v[:, None], (v.shape[0], 5) + v.shape[1:])
    assert_close(e.log_prob(value_tensor(nl, case, v)),
                 te.log_prob(value_tensor(torch, case, v)), "expanded log_prob", *case.tol)
    assert e.sample((2,)).shape == (2, 5) + d.batch_shape + d.event_shape


def test_perplexity(torch):
    p = nl.tensor([0.2, 0.3, 0.5], dtype=nl.float64)
    assert_close(nl.distributions.Categorical(p).perplexity(),
                 torch.distributions.Categorical(torch.tensor(p.numpy())).perplexity(), "ppl")


def test_repr_names_parameters():
    d = nl.distributions.Normal(nl.zeros(2), nl.ones(2))
    assert repr(d) == "Normal(loc: (2,), scale: (2,))"
    assert repr(nl.distributions.constraints.positive) == "GreaterThan(lower_bound=0.0)"
    assert repr(nl.distributions.constraints.unit_interval) == \
        "Interval(lower_bound=0.0, upper_bound=1.0)"


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_broadcast_parameters_hypothesis(torch, data):
    """Normal, Laplace and Bernoulli on parameters of broadcastable drawn shapes (size-1
    axes included) and values with extra sample dims: log_prob and its gradients."""
    shape = data.draw(st.lists(st.integers(1, 3), max_size=3).map(tuple), label="batch")
    a_shape = tuple(data.draw(st.sampled_from([1, s])) for s in shape)
    b_shape = shape[data.draw(st.integers(0, len(shape))):]
    v_shape = data.draw(st.lists(st.integers(1, 2), max_size=2).map(tuple)) + shape
    rng = np.random.default_rng(len(shape))
    arrays = {"a": rng.standard_normal(a_shape), "b": rng.uniform(0.2, 0.8, b_shape)}
    v = rng.standard_normal(v_shape)
    for build, value in [(lambda D, p: D.Normal(p["a"], p["b"]), v),
                         (lambda D, p: D.Laplace(p["a"], p["b"]), v),
                         (lambda D, p: D.Bernoulli(p["b"]), (v > 0).astype(float))]:
        p, tp = leaves(nl, arrays), leaves(torch, arrays)
        d, td = build(nl.distributions, p), build(torch.distributions, tp)
        assert d.batch_shape == tuple(td.batch_shape)
        out, tout = d.log_prob(nl.tensor(value)), td.log_prob(torch.tensor(value))
        assert_close(out, tout, "log_prob")
        ours = nl.autograd.grad(out.sum(), list(p.values()), allow_unused=True)
        theirs = torch.autograd.grad(tout.sum(), list(tp.values()), allow_unused=True)
        for k, g, tg in zip(p, ours, theirs):
            assert_close(to_numpy(g, p[k]), to_numpy(tg, p[k]), f"gradient w.r.t. {k}",
                         1e-9, 1e-11)
