"""Tests of nnlite/ops/dropout.py: dropout, dropout1d, dropout2d, alpha_dropout.

Dropout is random, so the oracle is statistical (the kept fraction and the mean) and
structural (zeros where the mask is zero, the same mask for the same seed, whole
channels for the feature variants); the gradient is checked to be the mask times the
scale, and by gradcheck with the generator reseeded inside the function.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
from nnlite.ops.dropout import alpha_dropout, dropout, dropout1d, dropout2d


def seeded(fn, seed=1):
    """fn with the generator reseeded on every call: deterministic, for gradcheck."""
    def f(*args, **kw):
        nl.manual_seed(seed)
        return fn(*args, **kw)
    return f


# ---- determinism, scaling, eval --------------------------------------------------
@pytest.mark.parametrize("fn", [dropout, dropout2d, alpha_dropout])
def test_same_seed_same_mask(fn):
    x = nl.randn(8, 6, 5, 5)
    kw = {"training": True}
    nl.manual_seed(3)
    a = fn(x, 0.4, **kw)
    nl.manual_seed(3)
    b = fn(x, 0.4, **kw)
    c = fn(x, 0.4, **kw)
    np.testing.assert_array_equal(a.array, b.array)
    assert not np.array_equal(a.array, c.data)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_inverted_scaling_preserves_mean(p):
    x = nl.ones(400, 500)
    y = dropout(x, p).array
    kept = y != 0
    assert abs(kept.mean() - (1 - p)) < 0.01                     # 200,000 draws
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(y.mean() - 1) < 0.02


@pytest.mark.parametrize("fn", [dropout, dropout1d, dropout2d, alpha_dropout])
def test_eval_mode_and_p0_are_identity(fn):
    x = nl.randn(4, 3, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert fn(x, 0.5, training=False) is x
        assert fn(x, 0.0, training=True) is x


def test_p1_gives_zeros_and_zero_gradient():
    x = nl.randn(3, 4, requires_grad=True)
    y = dropout(x, 1.0)
    np.testing.assert_array_equal(y.array, 0)
    y.backward(np.ones((3, 4), np.float32))
    np.testing.assert_array_equal(x.grad, 0)


@pytest.mark.parametrize("p", [-0.1, 1.5])
@pytest.mark.parametrize("fn", [dropout, dropout1d, dropout2d, alpha_dropout])
def test_p_outside_unit_interval_raises(fn, p):
    with pytest.raises(ValueError, match=f"between 0 and 1, but got {p}"):
        fn(nl.randn(2, 3, 4), p)


# ---- gradients -----------------------------------------------------------------
def test_gradient_is_mask_times_scale():
    x = nl.randn(50, 40, requires_grad=True)
    gy = np.random.default_rng(0).standard_normal((50, 40)).astype(np.float32)
    y = dropout(x, 0.3)
    y.backward(gy)
    mask = (y.array != 0) / np.float32(0.7)
    np.testing.assert_allclose(x.grad, gy * mask, rtol=1e-6)
    assert x.grad.dtype == np.float32


@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4),
       p=st.sampled_from([0.2, 0.5, 0.7]))
def test_gradcheck(shape, p):
    x = nl.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    assert nl.gradcheck(seeded(lambda t: dropout(t, p)), (x,))
    assert nl.gradcheck(seeded(lambda t: alpha_dropout(t, p, training=True)), (x,))
    if len(shape) in (3, 4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert nl.gradcheck(seeded(lambda t: dropout2d(t, p)), (x,))
    if len(shape) in (2, 3):
        assert nl.gradcheck(seeded(lambda t: dropout1d(t, p)), (x,))


def test_double_backward():
    x = nl.randn(6, 7, dtype=nl.float64, requires_grad=True)
    y = dropout(x, 0.5)
    (g,) = nl.autograd.grad((y * y).sum(), x, create_graph=True)   # 2 m^2 x
    (h,) = nl.autograd.grad(g.sum(), x)
    m = (y.array != 0) * 2.0
    np.testing.assert_allclose(h.array, 2 * m * m)


# ---- channel variants ----------------------------------------------------------
def test_dropout2d_zeroes_whole_channels():
    x = nl.ones(16, 32, 5, 6)
    y = dropout2d(x, 0.5).array
    per_channel = y.reshape(16, 32, -1)
    assert (per_channel == per_channel[:, :, :1]).all()           # constant per channel
    assert set(np.unique(y)) == {0.0, 2.0}
    assert 0.35 < (per_channel[:, :, 0] == 0).mean() < 0.65


def test_dropout2d_gradient_is_channel_mask():
    x = nl.randn(4, 8, 3, 3, requires_grad=True)
    y = dropout2d(x, 0.25)
    y.backward(np.ones(x.shape, np.float32))
    kept = (y.array != 0).any(axis=(2, 3), keepdims=True)
    np.testing.assert_allclose(x.grad, np.broadcast_to(kept / np.float32(0.75), x.shape))


def test_dropout2d_3d_input_warns_like_torch():
    with pytest.warns(UserWarning, match="3D input"):
        y = dropout2d(nl.ones(4, 5, 6), 0.5)
    assert (y.array == y.array[:, :, :1]).all()


def test_dropout1d_batched_and_unbatched():
    y = dropout1d(nl.ones(6, 8, 10), 0.5).array
    assert (y == y[:, :, :1]).all()
    y = dropout1d(nl.ones(8, 10), 0.5).array
    assert (y == y[:, :1]).all() and 0 < (y[:, 0] == 0).sum() < 8
    with pytest.raises(RuntimeError, match="2D or 3D"):
        dropout1d(nl.ones(2, 3, 4, 5))


# ---- alpha dropout -------------------------------------------------------------
def test_alpha_dropout_keeps_mean_and_variance():
    x = nl.randn(500, 400)
    y = alpha_dropout(x, 0.2, training=True).array
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    a = 1 / np.sqrt((1.7580993408473766 ** 2 * 0.2 + 1) * 0.8)
    dropped = np.isclose(y, a * 1.7580993408473766 * (0.2 - 1))     # SELU's saturation
    assert abs(dropped.mean() - 0.2) < 0.01


def test_alpha_dropout_matches_torch_on_the_same_mask(torch):
    x = nl.randn(40, 30, dtype=nl.float64, requires_grad=True)
    y = alpha_dropout(x, 0.3, training=True)
    # recover the mask: kept units are a*x + b, dropped ones all equal the same constant
    a = 1 / np.sqrt((1.7580993408473766 ** 2 * 0.3 + 1) * 0.7)
    b = a * 1.7580993408473766 * 0.3
    kept = np.isclose(y.array, a * x.array + b)
    tx = torch.tensor(x.array)
    # torch with the same keep mask: same formula as ATen's alpha dropout
    noise = torch.tensor(kept.astype(np.float64))
    tb = (noise - 1) * (1.7580993408473766 * a) + 1.7580993408473766 * a * 0.3
    np.testing.assert_allclose(y.array, (tx * noise * a + tb).numpy(), rtol=1e-12)
    y.backward(np.ones(x.shape))
    np.testing.assert_allclose(x.grad, kept * a)


# ---- dtypes and in place -------------------------------------------------------
@pytest.mark.parametrize("fn", [dropout, dropout2d, alpha_dropout])
def test_float32_stays_float32(fn):
    x = nl.randn(4, 3, 5, 5, requires_grad=True)
    y = fn(x, 0.5, training=True)
    assert y.dtype == np.float32
    y.backward(np.ones(y.shape, np.float32))
    assert x.grad.dtype == np.float32


def test_inplace_writes_into_a_tensor_outside_the_graph():
    x = nl.ones(10, 10)
    y = dropout(x, 0.5, inplace=True)
    assert y is x and set(np.unique(x.array)) == {0.0, 2.0}


def test_inplace_on_a_graph_tensor_writes_and_records():
    """As torch: a leaf that requires grad raises; a tensor inside a graph is written in
    place and the write is recorded (the gradient is the mask's)."""
    x = nl.ones(10, 10, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        dropout(x, 0.5, inplace=True)
    h = x * 1
    y = dropout(h, 0.5, inplace=True)
    assert y is h
    np.testing.assert_array_equal(x.array, 1)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.array)
