"""Tests for AdaptiveLogSoftmaxWithLoss (nnlite/nn/adaptive.py): torch parity on copied
weights (float64 outputs, loss, gradients of the input and every parameter, log_prob,
predict, unbatched input), state_dict keys and repr, a float64 gradient check with
hypothesis shapes, and argument errors.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl
import nnlite.nn as nn

CONFIGS = [(16, 10, [4, 8]), (16, 100, [10, 40], 2.0, True), (8, 5, [1]), (6, 7, [3])]


def _pair(torch, args):
    ours = nn.AdaptiveLogSoftmaxWithLoss(*args, dtype=np.float64)
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(*args, dtype=torch.float64)
    theirs.load_state_dict({k: torch.tensor(np.array(v)) for k, v in
                            ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("args", CONFIGS, ids=str)
def test_parity(torch, args):
    ours, theirs = _pair(torch, args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((12, args[0])), rng.integers(0, args[1], 12)
    xx, tx = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, loss = ours(xx, nl.tensor(t))
    tout, tloss = theirs(tx, torch.tensor(t))
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-12)
    g = rng.standard_normal(12)
    ((out * nl.tensor(g)).sum() + loss).backward()
    ((tout * torch.tensor(g)).sum() + tloss).backward()
    np.testing.assert_allclose(xx.grad.array, tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.array, tp.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=name)
    np.testing.assert_allclose(ours.log_prob(nl.tensor(x)).array,
                               theirs.log_prob(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    np.testing.assert_array_equal(ours.predict(nl.tensor(x)).array,
                                  theirs.predict(torch.tensor(x)).numpy())


def test_unbatched(torch):
    ours, theirs = _pair(torch, CONFIGS[0])
    x = np.random.default_rng(1).standard_normal(16)
    for target in (2, 6, 9):
        out, loss = ours(nl.tensor(x), nl.tensor(target))
        tout, tloss = theirs(torch.tensor(x), torch.tensor(target))
        assert out.shape == () and loss.shape == ()
        np.testing.assert_allclose(out.item(), tout.item(), rtol=1e-12)
    logp = ours.log_prob(nl.tensor(x))
    assert logp.shape == (10,)
    assert ours.predict(nl.tensor(x)).item() == int(np.argmax(logp.array))


def test_log_prob_is_a_distribution():
    m = nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 12], div_value=2.0)
    p = m.log_prob(nl.randn(4, 8)).exp().array
    np.testing.assert_allclose(p.sum(1), np.ones(4), rtol=1e-5)


@settings(max_examples=10)
@given(n=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_gradcheck(n, seed):
    m = nn.AdaptiveLogSoftmaxWithLoss(4, 7, [2, 5], div_value=2.0, dtype=np.float64)
    rng = np.random.default_rng(seed)
    t = nl.tensor(rng.integers(0, 7, n))
    x = nl.tensor(rng.standard_normal((n, 4)), requires_grad=True)
    params = list(m.parameters())
    assert nl.gradcheck(lambda x, *ps: m(x, t).output, [x] + params)


def test_errors():
    with pytest.raises(ValueError, match="length larger than 0"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, [])
    with pytest.raises(ValueError, match="unique, positive integers sorted"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3])
    with pytest.raises(ValueError, match="unique, positive integers sorted"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, [10])
    with pytest.raises(ValueError, match="hidden size of 0"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4, 8])
    m = nn.AdaptiveLogSoftmaxWithLoss(16, 10, [4, 8])
    with pytest.raises(IndexError, match=r"Target values should be in \[0, 9\]"):
        m(nl.randn(2, 16), nl.tensor([1, 10]))
    with pytest.raises(ValueError, match="same size in the batch dimension"):
        m(nl.randn(3, 16), nl.tensor([1, 2]))
    with pytest.raises(ValueError, match="0D target tensor expects 1D input"):
        m(nl.randn(3, 16), nl.tensor(1))
    with pytest.raises(ValueError, match="multi-target not supported"):
        m(nl.randn(3, 16), nl.tensor([[1]]))
