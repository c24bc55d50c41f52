"""Tests for the thresholding activations (nnlite/ops/rectifiers.py and their modules in
nnlite/nn/activation.py): CELU, RReLU, Threshold, Hardshrink, Softshrink, Softmax2d.

Oracles: torch (float64 values and gradients, reprs), float64 gradient checks with
hypothesis shapes (inputs kept away from the kinks), and the formulas themselves for
RReLU's random slopes.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
import nnlite.nn as nn
import nnlite.nn.functional as F
from tests.ops._parity import check_parity, gradcheck

shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


def _away_from(x: np.ndarray, kinks: tuple, gap: float = 1e-2) -> np.ndarray:
    """x moved off the kinks of a piecewise function (central differences need it)."""
    for k in kinks:
        x = np.where(np.abs(x - k) < gap, k + 3 * gap, x)
    return x


CASES = [  # (name, F function of nnlite, of torch, kinks)
    ("celu", lambda x: F.celu(x, 1.5), lambda T, x: T.celu(x, 1.5), (0.0,)),
    ("threshold", lambda x: F.threshold(x, 0.3, -2.0),
     lambda T, x: T.threshold(x, 0.3, -2.0), (0.3,)),
    ("hardshrink", lambda x: F.hardshrink(x, 0.4), lambda T, x: T.hardshrink(x, 0.4),
     (-0.4, 0.4)),
    ("softshrink", lambda x: F.softshrink(x, 0.4), lambda T, x: T.softshrink(x, 0.4),
     (-0.4, 0.4)),
    ("rrelu_eval", lambda x: F.rrelu(x, 0.1, 0.3), lambda T, x: T.rrelu(x, 0.1, 0.3),
     (0.0,)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_functional_parity(torch, case):
    import torch.nn.functional as TF
    _, ours, theirs, kinks = case
    x = _away_from(np.random.default_rng(0).standard_normal((3, 4, 5)), kinks)
    check_parity(torch, ours, lambda t: theirs(TF, t), [x])


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_gradcheck(case, shape, seed):
    _, ours, _, kinks = case
    x = _away_from(np.random.default_rng(seed).standard_normal(shape), kinks)
    gradcheck(ours, [x])


def test_values_at_the_kinks_follow_torch(torch):
    import torch.nn.functional as TF
    x = np.array([-0.4, 0.0, 0.3, 0.4, -1.0, 2.0])
    for ours, theirs, _ in [(c[1], c[2], None) for c in CASES]:
        check_parity(torch, ours, lambda t: theirs(TF, t), [x])


def test_float32_stays_float32():
    x = nl.randn(3, 4)
    for f in (lambda x: F.celu(x), lambda x: F.threshold(x, 0.1, 2.0), F.hardshrink,
              F.softshrink, lambda x: F.rrelu(x, training=True), F.rrelu):
        assert f(x).dtype == np.float32


def test_rrelu_training_draws_slopes_in_range():
    x = nl.tensor(-np.ones((200,)), requires_grad=True)
    nl.manual_seed(3)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.array
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.01
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, slopes)          # gx = gy * r
    nl.manual_seed(3)
    np.testing.assert_array_equal(F.rrelu(x.detach(), 0.1, 0.3, training=True).array,
                                  y.array)                      # nnlite's generator
    pos = nl.tensor([1.0, 2.0])
    np.testing.assert_array_equal(F.rrelu(pos, training=True).array, [1.0, 2.0])


def test_rrelu_module_train_and_eval():
    m = nn.RReLU(0.1, 0.3)
    x = nl.tensor([-1.0, 1.0])
    assert 0.1 <= -m(x).array[0] <= 0.3 and m(x).array[1] == 1.0
    m.eval()
    np.testing.assert_allclose(m(x).array, [-0.2, 1.0])


@pytest.mark.parametrize("make,args", [
    ("CELU", ()), ("CELU", (2.0, True)), ("RReLU", ()), ("RReLU", (0.1, 0.3, True)),
    ("Threshold", (0.1, 20)), ("Threshold", (0.1, 20, True)), ("Hardshrink", ()),
    ("Softshrink", (0.3,)), ("Softmax2d", ())])
def test_module_repr_and_state_dict(torch, make, args):
    ours, theirs = getattr(nn, make)(*args), getattr(torch.nn, make)(*args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


@pytest.mark.parametrize("make,args", [("CELU", (1.5,)), ("Threshold", (0.2, -1.0)),
                                       ("Hardshrink", (0.3,)), ("Softshrink", (0.3,)),
                                       ("Softmax2d", ())])
def test_module_parity(torch, make, args):
    x = _away_from(np.random.default_rng(1).standard_normal((2, 3, 4, 4)),
                   (0.0, 0.2, 0.3, -0.3))
    check_parity(torch, getattr(nn, make)(*args), getattr(torch.nn, make)(*args), [x])


def test_softmax2d_unbatched_and_errors(torch):
    x = np.random.default_rng(2).standard_normal((3, 4, 5))
    check_parity(torch, nn.Softmax2d(), torch.nn.Softmax2d(), [x])
    with pytest.raises(ValueError, match="3D or 4D"):
        nn.Softmax2d()(nl.randn(2, 3))


def test_argument_errors():
    with pytest.raises(ZeroDivisionError, match="alpha cannot be 0"):
        F.celu(nl.randn(2), alpha=0.0)
    with pytest.raises(ValueError, match="lambda must be greater or equal to 0"):
        F.softshrink(nl.randn(2), -1.0)
    with pytest.raises(ValueError, match="Lower bound should be less than or equal"):
        F.rrelu(nl.randn(2), 0.5, 0.1)
    with pytest.raises(TypeError, match="floating"):
        F.hardshrink(nl.tensor([1, 2]))
    with pytest.raises(TypeError, match="boolean"):
        F.threshold(nl.tensor([True]), 0.5, 1.0)


def test_threshold_keeps_integer_dtype(torch):
    x = np.array([-2, 0, 3, 5])
    ours = F.threshold(nl.tensor(x), 1, 7)
    theirs = torch.nn.functional.threshold(torch.tensor(x), 1, 7)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.array, theirs.numpy())
