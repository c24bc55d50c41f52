"""Tests for F.gumbel_softmax (nnlite/ops/gumbel.py): the soft sample is the softmax of
the logits plus the drawn Gumbel noise (reproducible with nl.manual_seed), the hard
sample is one-hot with the soft sample's gradient (straight-through), and gradient
checks with hypothesis shapes on the fixed noise.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
import nnlite.nn.functional as F
from tests.ops._parity import gradcheck


def _noise(shape, seed):
    """The Gumbel noise gumbel_softmax draws after nl.manual_seed(seed)."""
    g = nl.manual_seed(seed)
    return -np.log(g.exponential(1.0, shape))


@pytest.mark.parametrize("dim", [-1, 0, 1])
@pytest.mark.parametrize("tau", [1.0, 0.3])
def test_soft_sample_is_softmax_of_perturbed_logits(dim, tau):
    x = np.random.default_rng(0).standard_normal((3, 4, 5))
    noise = _noise(x.shape, 7)
    nl.manual_seed(7)
    y = F.gumbel_softmax(nl.tensor(x), tau=tau, dim=dim)
    z = (x + noise) / tau
    e = np.exp(z - z.max(dim, keepdims=True))
    np.testing.assert_allclose(y.array, e / e.sum(dim, keepdims=True), rtol=1e-12)


def test_hard_sample_is_one_hot_with_soft_gradient():
    x = np.random.default_rng(1).standard_normal((6, 5))
    xs = nl.tensor(x, requires_grad=True)
    nl.manual_seed(3)
    soft = F.gumbel_softmax(xs, tau=0.5)
    xh = nl.tensor(x, requires_grad=True)
    nl.manual_seed(3)
    hard = F.gumbel_softmax(xh, tau=0.5, hard=True)
    np.testing.assert_array_equal(hard.array.sum(1), np.ones(6))
    assert set(np.unique(hard.array)) <= {0.0, 1.0}
    np.testing.assert_array_equal(hard.array.argmax(1), soft.array.argmax(1))
    g = np.random.default_rng(2).standard_normal((6, 5))
    soft.backward(nl.tensor(g))
    hard.backward(nl.tensor(g))
    np.testing.assert_allclose(xh.grad.array, xs.grad.array, rtol=1e-12, atol=1e-15)


def test_matches_torch_formula(torch):
    """torch's own composition on the same noise gives the same soft and hard values."""
    x = np.random.default_rng(4).standard_normal((4, 6))
    noise = _noise(x.shape, 11)
    nl.manual_seed(11)
    ours = F.gumbel_softmax(nl.tensor(x), tau=0.7, hard=True)
    t = torch.softmax((torch.tensor(x) + torch.tensor(noise)) / 0.7, -1)
    index = t.max(-1, keepdim=True)[1]
    hard = torch.zeros_like(t).scatter_(-1, index, 1.0) - t.detach() + t
    np.testing.assert_array_equal(ours.array, hard.numpy())


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
       seed=st.integers(0, 2**16))
def test_gradcheck_on_fixed_noise(shape, seed):
    """The soft sample (the hard one's gradient is by design not its value's derivative:
    test_hard_sample_is_one_hot_with_soft_gradient checks it equals the soft one's)."""
    x = np.random.default_rng(seed).standard_normal(shape)

    def f(t):
        nl.manual_seed(seed)                           # the same noise at every call
        return F.gumbel_softmax(t, tau=0.8)
    gradcheck(f, [x])


def test_dtype_and_errors():
    assert F.gumbel_softmax(nl.randn(2, 3)).dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        F.gumbel_softmax(nl.tensor([1, 2]))
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(nl.randn(2, 3), eps=1e-5)
    with pytest.raises(IndexError, match="out of range"):
        F.gumbel_softmax(nl.randn(2, 3), dim=2)
