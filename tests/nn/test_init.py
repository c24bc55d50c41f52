"""Tests for nnlite/nn/init.py: fans and gains against torch's, each initialiser's
statistics on large tensors against its formula, deterministic initialisers (eye_,
dirac_) equal to torch's, orthogonality, in-place filling, dtype kept, seeding.

Sampling tolerances: a tensor of n = 2**18 values estimates a standard deviation with
relative error about 1/sqrt(2n) = 0.14%; the tests allow 1.5%.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import nnlite as nl
from nnlite import nn
from nnlite.nn import init

BIG = (512, 512)


def close_rel(value, expected, rel=0.015):
    assert abs(value - expected) <= rel * abs(expected), (value, expected)


# ---------------------------------------------------------------------------
# Fans and gains
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(3, 5), (7, 2), (4, 3, 5), (8, 3, 3, 3), (6, 2, 3, 4, 5),
                                   (1, 1), (0, 4)])
def test_fans_match_torch(torch, shape):
    ours = init._calculate_fan_in_and_fan_out(nl.zeros(*shape))
    theirs = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))
    assert ours == theirs


@pytest.mark.parametrize("shape", [(5,), ()])
def test_fans_need_two_dims(shape):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(nl.zeros(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(nl.zeros(*shape))


GAINS = [("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
         ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
         ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
         ("leaky_relu", 0.2), ("leaky_relu", 1), ("leaky_relu", math.sqrt(5)), ("selu", None)]


@pytest.mark.parametrize("name, param", GAINS)
def test_calculate_gain_table_matches_torch(torch, name, param):
    assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "0.1")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


# ---------------------------------------------------------------------------
# Statistics of the random initialisers
# ---------------------------------------------------------------------------
def test_uniform_and_normal():
    w = init.uniform_(nl.empty(*BIG), -2.0, 3.0)
    assert w.array.min() >= -2.0 and w.array.max() < 3.0
    close_rel(w.array.mean(), 0.5, 0.02)
    close_rel(w.array.std(), 5 / math.sqrt(12))
    w = init.uniform_(nl.empty(*BIG))
    assert 0 <= w.array.min() and w.array.max() < 1
    w = init.normal_(nl.empty(*BIG), mean=1.0, std=0.5)
    close_rel(w.array.mean(), 1.0, 0.005)
    close_rel(w.array.std(), 0.5)


def truncated_normal_moments(mean, std, a, b):
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)   # noqa: E731
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2            # noqa: E731
    z = cdf(beta) - cdf(alpha)
    m = (pdf(alpha) - pdf(beta)) / z
    var = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / z - m * m
    return mean + std * m, std * math.sqrt(var)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04),
                                             (1.0, 2.0, 0.0, 2.0), (0.0, 1.0, -1.0, 3.0)])
def test_trunc_normal(mean, std, a, b):
    w = init.trunc_normal_(nl.empty(*BIG, dtype=nl.float64), mean, std, a, b)
    assert w.array.min() >= a and w.array.max() <= b
    exp_mean, exp_std = truncated_normal_moments(mean, std, a, b)
    assert abs(w.array.mean() - exp_mean) < 0.01 * std
    close_rel(w.array.std(), exp_std)


def test_trunc_normal_errors_and_warning():
    with pytest.raises(ValueError, match="a < b"):
        init.trunc_normal_(nl.empty(3), a=1.0, b=0.0)
    with pytest.raises(ValueError, match="std must be positive"):
        init.trunc_normal_(nl.empty(3), std=0.0)
    with pytest.warns(UserWarning, match="more than 2 std"):
        init.trunc_normal_(nl.empty(3), mean=10.0)


def test_erfinv_inverts_erf():
    from nnlite.ops.special import erf_array
    y = np.linspace(-0.999999, 0.999999, 2001)
    np.testing.assert_allclose(erf_array(init._erfinv(y)), y, rtol=0, atol=1e-14)


@pytest.mark.parametrize("shape", [(256, 1024), (64, 32, 3, 3)])
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_xavier(shape, gain):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(nl.empty(*shape))
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    w = init.xavier_uniform_(nl.empty(*shape), gain=gain)
    assert np.abs(w.array).max() <= math.sqrt(3) * std
    close_rel(w.array.std(), std)
    w = init.xavier_normal_(nl.empty(*shape), gain=gain)
    close_rel(w.array.std(), std)


@pytest.mark.parametrize("shape", [(256, 1024), (64, 32, 3, 3)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("relu", 0), ("leaky_relu", 0),
                                             ("leaky_relu", math.sqrt(5)), ("tanh", 0)])
def test_kaiming(shape, mode, nonlinearity, a):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(nl.empty(*shape))
    fan = fan_in if mode == "fan_in" else fan_out
    std = init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    w = init.kaiming_uniform_(nl.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    assert np.abs(w.array).max() <= math.sqrt(3) * std
    close_rel(w.array.std(), std)
    w = init.kaiming_normal_(nl.empty(*shape), a=a, mode=mode, nonlinearity=nonlinearity)
    close_rel(w.array.std(), std)
    assert abs(w.array.mean()) < 0.01 * std


def test_kaiming_errors_and_zero_element_warning():
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(nl.empty(3, 3), mode="fan_avg")
    with pytest.warns(UserWarning, match="zero-element"):
        t = init.kaiming_normal_(nl.empty(0, 3))
    assert t.shape == (0, 3)


# ---------------------------------------------------------------------------
# Deterministic initialisers and orthogonal_
# ---------------------------------------------------------------------------
def test_constants():
    assert np.all(init.constant_(nl.empty(3, 2), 0.3).array == np.float32(0.3))
    assert np.all(init.ones_(nl.empty(4)).array == 1)
    assert np.all(init.zeros_(nl.randn(2, 2)).array == 0)


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2)])
def test_eye_matches_torch(torch, shape):
    np.testing.assert_array_equal(init.eye_(nl.empty(*shape)).array,
                                  torch.nn.init.eye_(torch.empty(*shape)).numpy())


def test_eye_needs_2d():
    with pytest.raises(ValueError, match="2 dimensions"):
        init.eye_(nl.empty(2, 2, 2))


@pytest.mark.parametrize("shape, groups", [((4, 4, 3), 1), ((6, 3, 3, 3), 2), ((2, 4, 3, 3), 1),
                                           ((4, 2, 1, 3, 3), 2)])
def test_dirac_matches_torch(torch, shape, groups):
    np.testing.assert_array_equal(init.dirac_(nl.randn(*shape), groups).array,
                                  torch.nn.init.dirac_(torch.randn(*shape), groups).numpy())


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (6, 2, 2, 2)])
@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_orthogonal(shape, gain):
    w = init.orthogonal_(nl.empty(*shape, dtype=nl.float64), gain=gain)
    m = w.array.reshape(shape[0], -1)
    rows, cols = m.shape
    gram = m @ m.T if rows <= cols else m.T @ m
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_needs_2d():
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(nl.empty(4))


# ---------------------------------------------------------------------------
# In place, dtype, seeding, generator, arrays
# ---------------------------------------------------------------------------
INITS = [
    lambda t, **kw: init.uniform_(t, -1, 1, **kw),
    lambda t, **kw: init.normal_(t, **kw),
    lambda t, **kw: init.trunc_normal_(t, **kw),
    lambda t, **kw: init.xavier_uniform_(t, **kw),
    lambda t, **kw: init.xavier_normal_(t, **kw),
    lambda t, **kw: init.kaiming_uniform_(t, **kw),
    lambda t, **kw: init.kaiming_normal_(t, **kw),
    lambda t, **kw: init.orthogonal_(t, **kw),
]


@pytest.mark.parametrize("fn", INITS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_in_place_keeps_dtype_and_returns_tensor(fn, dtype):
    p = nn.Parameter(np.zeros((8, 6), dtype))
    before = p.array
    assert fn(p) is p
    assert p.array is before and p.dtype == dtype and p.requires_grad and p.is_leaf
    assert p.array.any()
    assert p.grad_fn is None


@pytest.mark.parametrize("fn", INITS)
def test_seeded_and_generator(fn):
    nl.manual_seed(3)
    a = fn(nl.empty(8, 6)).array.copy()
    nl.manual_seed(3)
    np.testing.assert_array_equal(fn(nl.empty(8, 6)).array, a)
    g1 = fn(nl.empty(8, 6), generator=np.random.default_rng(1)).array
    g2 = fn(nl.empty(8, 6), generator=np.random.default_rng(1)).array
    np.testing.assert_array_equal(g1, g2)


def test_accepts_ndarrays_and_rejects_others():
    a = np.zeros((3, 4), np.float32)
    assert init.xavier_uniform_(a) is a and a.any()
    with pytest.raises(TypeError, match="expected a Tensor or an ndarray, got list"):
        init.zeros_([1.0, 2.0])


def test_works_on_a_parameter_in_the_graph_without_recording():
    lin = nn.Linear(3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        init.eye_(lin.weight)
        init.zeros_(lin.bias)
    x = nl.randn(2, 3)
    np.testing.assert_allclose(lin(x).array, x.array, rtol=1e-6)
