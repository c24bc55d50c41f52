"""Tests for the likelihood losses (nnlite/ops/likelihood_losses.py) and their modules
(nnlite/nn/loss.py): PoissonNLLLoss and GaussianNLLLoss. Oracles: torch (float64 values
and gradients of the input, target and variance, every reduction and option),
float64 gradient checks with hypothesis shapes, reprs and errors.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
import nnlite.nn as nn
import nnlite.nn.functional as F
from tests.ops._parity import check_parity, gradcheck

REDUCTIONS = ["none", "mean", "sum"]


def _poisson(log_input, shape=(4, 3), seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) if log_input else rng.uniform(0.1, 3.0, shape)
    return [x, rng.poisson(2.0, shape).astype(float)]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_parity(torch, reduction, log_input, full):
    kw = dict(log_input=log_input, full=full, reduction=reduction, eps=1e-6)
    # with full, torch's target gradient is nan where t == 0 (0 * log 0 in its Stirling
    # term, masked after the fact); nnlite's is the masked term's 0 (see below), so the
    # target is compared as a constant there
    tgt = (lambda t: t.detach()) if full else (lambda t: t)
    check_parity(torch, lambda x, t: F.poisson_nll_loss(x, tgt(t), **kw),
                 lambda x, t: torch.nn.functional.poisson_nll_loss(x, tgt(t), **kw),
                 _poisson(log_input))
    ours, theirs = nn.PoissonNLLLoss(log_input, full, reduction=reduction), \
        torch.nn.PoissonNLLLoss(log_input, full, reduction=reduction)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == []
    check_parity(torch, lambda x, t: ours(x, tgt(t)), lambda x, t: theirs(x, tgt(t)),
                 _poisson(log_input, seed=1))


def test_poisson_full_target_gradient_is_finite():
    t = nl.tensor([0.0, 1.0, 3.0], requires_grad=True)
    F.poisson_nll_loss(nl.zeros(3), t, full=True, reduction="sum").backward()
    stirling = np.log(3.0) + 0.5 / 3.0                     # d/dt (t log t - t + log(2 pi t)/2)
    np.testing.assert_allclose(t.grad.array, [0.0, 0.0, 0.0] + np.array([0, 0, stirling]))


def _gaussian(var_shape, shape=(4, 3), seed=0):
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.2, 2.0, var_shape)
    v.reshape(-1)[0] = 1e-9                                   # clamped at eps
    return [rng.standard_normal(shape), rng.standard_normal(shape), v]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_parity(torch, reduction, var_shape, full):
    kw = dict(full=full, reduction=reduction)
    # rtol: the clamped variance makes the loss ~1e9 there, summed with O(1) terms
    check_parity(torch, lambda x, t, v: F.gaussian_nll_loss(x, t, v, **kw),
                 lambda x, t, v: torch.nn.functional.gaussian_nll_loss(x, t, v, **kw),
                 _gaussian(var_shape), rtol=1e-9)
    ours, theirs = nn.GaussianNLLLoss(**kw), torch.nn.GaussianNLLLoss(**kw)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == []
    check_parity(torch, ours, theirs, _gaussian(var_shape, seed=1), rtol=1e-9)


def test_gaussian_float_var(torch):
    x, t, _ = _gaussian((4, 3))
    check_parity(torch, lambda x, t: F.gaussian_nll_loss(x, t, 0.5),
                 lambda x, t: torch.nn.functional.gaussian_nll_loss(x, t, 0.5), [x, t])


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
       reduction=st.sampled_from(REDUCTIONS), full=st.booleans(), seed=st.integers(0, 2**16))
def test_gradcheck(shape, reduction, full, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    t = rng.poisson(2.0, shape).astype(float)
    gradcheck(lambda a: F.poisson_nll_loss(a, nl.tensor(t), full=full, reduction=reduction),
              [x])
    gradcheck(lambda a, b: F.poisson_nll_loss(a, b, log_input=False, full=full,
                                              reduction=reduction),
              [rng.uniform(0.2, 3.0, shape), rng.uniform(1.5, 3.0, shape)])
    gradcheck(lambda a, b, v: F.gaussian_nll_loss(a, b, v, full=full, reduction=reduction),
              [x, rng.standard_normal(shape), rng.uniform(0.2, 2.0, shape)])


def test_float32_and_errors():
    x = nl.randn(3, 2)
    assert F.poisson_nll_loss(x, nl.ones(3, 2)).dtype == np.float32
    assert F.gaussian_nll_loss(x, nl.ones(3, 2), nl.ones(3, 2)).dtype == np.float32
    with pytest.raises(ValueError, match="var has negative"):
        F.gaussian_nll_loss(x, x, -nl.ones(3, 2))
    with pytest.raises(ValueError, match="var has negative"):
        F.gaussian_nll_loss(x, x, -1.0)
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, x, nl.ones(2, 2))
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.GaussianNLLLoss(reduction="avg")
    with pytest.raises(ValueError, match="does not match input of shape"):
        F.poisson_nll_loss(x, nl.ones(2))
