"""Tests for nnlite/nn/activation.py: every activation module against the torch module
built with the same arguments (forward values, input gradient for a random upstream
gradient, repr), float32 kept, and argument errors.

The functions themselves (nnlite/ops/pointwise.py, reduction.py) have their own
gradchecks in tests/ops; here the oracle is torch and the subject is the module layer.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import nnlite as nl
from nnlite import nn

# (class name, constructor args, constructor kwargs)
CASES = [
    ("ReLU", (), {}),
    ("ReLU", (), {"inplace": True}),
    ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2,), {"inplace": True}),
    ("ELU", (), {}),
    ("ELU", (0.7,), {}),
    ("GELU", (), {}),
    ("GELU", (), {"approximate": "tanh"}),
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("Softmax", (), {"dim": 1}),
    ("Softmax", (-1,), {}),
    ("LogSoftmax", (), {"dim": 0}),
    ("LogSoftmax", (2,), {}),
    ("Softplus", (), {}),
    ("Softplus", (2.0, 5.0), {}),
    ("SiLU", (), {}),
    ("SiLU", (), {"inplace": True}),
    ("Mish", (), {}),
    ("Mish", (True,), {}),
    ("Hardswish", (), {}),
    ("Hardswish", (), {"inplace": True}),
    ("Hardsigmoid", (), {}),
    ("Hardtanh", (), {}),
    ("Hardtanh", (-2.0, 3.0, True), {}),
    ("Hardtanh", (), {"min_value": -0.5, "max_value": 0.5}),
    ("ReLU6", (), {}),
    ("ReLU6", (True,), {}),
    ("SELU", (), {}),
    ("SELU", (), {"inplace": True}),
    ("Softsign", (), {}),
    ("LogSigmoid", (), {}),
    ("Tanhshrink", (), {}),
    ("Softmin", (), {"dim": 1}),
    ("Softmin", (-1,), {}),
    ("GLU", (), {}),
    ("GLU", (1,), {}),
]
IDS = [f"{n}{a}{k}" for n, a, k in CASES]


def sample(shape=(3, 4, 6), seed=0):
    x = np.random.default_rng(seed).standard_normal(shape) * 3
    x[np.abs(x) < 0.05] = 0.5                       # away from the kinks at 0
    return x


DEPRECATED = "ignore:keyword argument `m.._value` is deprecated:FutureWarning"


@pytest.mark.filterwarnings(DEPRECATED)
@pytest.mark.parametrize("name, args, kwargs", CASES, ids=IDS)
def test_module_matches_torch(torch, name, args, kwargs):
    m = getattr(nn, name)(*args, **kwargs)
    tm = getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(tm)
    x = sample()
    xx = nl.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    y = m(xx * 1)                                   # inplace modules need a non-leaf
    ty = tm(tx * 1)
    gy = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(gy)
    ty.backward(torch.from_numpy(gy))
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    # torch's Hardsigmoid gradient multiplies by the float32 constant 1.0f / 6.0f
    rtol = 1e-7 if name == "Hardsigmoid" else 1e-9
    np.testing.assert_allclose(np.asarray(xx.grad), tx.grad.numpy(), rtol=rtol, atol=1e-12)
    np.testing.assert_array_equal(xx.array, x)       # the leaf itself is never written


@pytest.mark.filterwarnings(DEPRECATED)
@pytest.mark.parametrize("name, args, kwargs", CASES, ids=IDS)
def test_module_keeps_float32_and_has_no_state(name, args, kwargs):
    m = getattr(nn, name)(*args, **kwargs)
    x = nl.tensor(sample().astype(np.float32), requires_grad=True)
    y = m(x * 1)                                    # inplace modules need a non-leaf
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    halved = list(x.shape)
    if name == "GLU":                               # GLU halves its dim
        halved[m.dim] //= 2
    assert y.shape == tuple(halved)
    assert list(m.state_dict()) == [] and list(m.parameters()) == []


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax", "Softmin"])
@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
def test_softmax_implicit_dim_follows_torch_legacy_rule(torch, name, ndim):
    x = sample((2, 3, 4, 5)[:ndim])
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        y = getattr(nn, name)()(nl.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ty = getattr(torch.nn, name)()(torch.from_numpy(x))
    np.testing.assert_allclose(y.array, ty.numpy(), rtol=1e-10, atol=1e-12)


def test_activations_inside_sequential():
    model = nn.Sequential(nn.Linear(4, 8), nn.GELU(), nn.Linear(8, 3), nn.LogSoftmax(dim=-1))
    out = model(nl.randn(5, 4))
    np.testing.assert_allclose(np.exp(out.array).sum(-1), np.ones(5), rtol=1e-5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh', got 'fast'"):
        nn.GELU(approximate="fast")
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        nn.Softmax(dim=2)(nl.zeros(2, 3))


@pytest.mark.parametrize("num_parameters, init", [(1, 0.25), (4, -0.1)])
def test_prelu_matches_torch_with_its_weight(torch, num_parameters, init):
    m, tm = nn.PReLU(num_parameters, init), torch.nn.PReLU(num_parameters, init)
    assert repr(m) == repr(tm)
    assert list(m.state_dict()) == list(tm.state_dict()) == ["weight"]
    assert m.weight.shape == tuple(tm.weight.shape) and m.weight.dtype == np.float32
    np.testing.assert_array_equal(m.weight.data, tm.weight.detach().numpy())
    m = nn.PReLU(num_parameters, init, dtype=nl.float64)
    tm = tm.double()
    m.weight.data[...] = tm.weight.detach().numpy() * np.arange(1, num_parameters + 1)
    tm.load_state_dict({"weight": torch.from_numpy(np.array(m.weight.data))})
    x = sample()
    gy = np.random.default_rng(1).standard_normal(x.shape)
    xx, tx = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    m(xx).backward(gy)
    tm(tx).backward(torch.from_numpy(gy))
    np.testing.assert_allclose(np.asarray(xx.grad), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(m.weight.grad), tm.weight.grad.numpy(), rtol=1e-10)


def test_hardtanh_deprecated_bound_names_warn_as_torch():
    with pytest.warns(FutureWarning, match="`min_value` is deprecated and renamed to `min_val`"):
        m = nn.Hardtanh(min_value=-0.5)
    assert (m.min_val, m.max_val) == (-0.5, 1.0)


def test_new_activation_arguments():
    with pytest.raises(ValueError, match=r"Hardtanh: max_val \(1.0\) must be greater than "
                                         r"min_val \(2.0\)"):
        nn.Hardtanh(2.0, 1.0)
    with pytest.raises(ValueError, match="PReLU: num_parameters must be positive"):
        nn.PReLU(0)
    with pytest.raises(RuntimeError, match="glu: halving dimension must be even"):
        nn.GLU(0)(nl.zeros(3, 2))
