"""Tests for the in-place activations: ``inplace=True`` of the functional activations,
dropout and the modules, and the ``_`` forms ``F.relu_``, ``F.elu_`` ... They must write
into the input and return it, record the write when the input is part of a graph (the
gradient equals the out-of-place one, and torch's), and raise torch's error on a leaf
that requires grad.
"""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn as nn
import nnlite.nn.functional as F

ACTIVATIONS = [  # (name, call with inplace, out-of-place call, torch call with inplace)
    ("relu", lambda x: F.relu(x, inplace=True), F.relu,
     lambda T, x: T.relu(x, inplace=True)),
    ("elu", lambda x: F.elu(x, 0.7, inplace=True), lambda x: F.elu(x, 0.7),
     lambda T, x: T.elu(x, 0.7, inplace=True)),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2, True), lambda x: F.leaky_relu(x, 0.2),
     lambda T, x: T.leaky_relu(x, 0.2, True)),
    ("hardtanh", lambda x: F.hardtanh(x, -0.5, 0.5, True),
     lambda x: F.hardtanh(x, -0.5, 0.5), lambda T, x: T.hardtanh(x, -0.5, 0.5, True)),
    ("relu6", lambda x: F.relu6(x, inplace=True), lambda x: F.relu6(x),
     lambda T, x: T.relu6(x, inplace=True)),
    ("selu", lambda x: F.selu(x, True), F.selu, lambda T, x: T.selu(x, True)),
    ("celu", lambda x: F.celu(x, 1.5, True), lambda x: F.celu(x, 1.5),
     lambda T, x: T.celu(x, 1.5, True)),
    ("silu", lambda x: F.silu(x, inplace=True), F.silu,
     lambda T, x: T.silu(x, inplace=True)),
    ("mish", lambda x: F.mish(x, inplace=True), F.mish,
     lambda T, x: T.mish(x, inplace=True)),
    ("hardswish", lambda x: F.hardswish(x, True), lambda x: F.hardswish(x),
     lambda T, x: T.hardswish(x, True)),
    ("hardsigmoid", lambda x: F.hardsigmoid(x, True), lambda x: F.hardsigmoid(x),
     lambda T, x: T.hardsigmoid(x, True)),
    ("threshold", lambda x: F.threshold(x, 0.1, -3.0, True),
     lambda x: F.threshold(x, 0.1, -3.0), lambda T, x: T.threshold(x, 0.1, -3.0, True)),
    ("rrelu", lambda x: F.rrelu(x, 0.1, 0.3, False, True), lambda x: F.rrelu(x, 0.1, 0.3),
     lambda T, x: T.rrelu(x, 0.1, 0.3, False, True)),
    ("relu_", F.relu_, F.relu, lambda T, x: T.relu_(x)),
    ("elu_", lambda x: F.elu_(x, 0.5), lambda x: F.elu(x, 0.5), lambda T, x: T.elu_(x, 0.5)),
    ("leaky_relu_", lambda x: F.leaky_relu_(x, 0.3), lambda x: F.leaky_relu(x, 0.3),
     lambda T, x: T.leaky_relu_(x, 0.3)),
    ("hardtanh_", lambda x: F.hardtanh_(x, -0.2, 0.4), lambda x: F.hardtanh(x, -0.2, 0.4),
     lambda T, x: T.hardtanh_(x, -0.2, 0.4)),
    ("rrelu_", lambda x: F.rrelu_(x, 0.2, 0.4), lambda x: F.rrelu(x, 0.2, 0.4),
     lambda T, x: T.rrelu_(x, 0.2, 0.4)),
    ("threshold_", lambda x: F.threshold_(x, 0.2, 5.0), lambda x: F.threshold(x, 0.2, 5.0),
     lambda T, x: T.threshold_(x, 0.2, 5.0)),
    ("celu_", lambda x: F.celu_(x, 0.75), lambda x: F.celu(x, 0.75),
     lambda T, x: T.celu_(x, 0.75)),
    ("selu_", F.selu_, F.selu, lambda T, x: T.selu_(x)),
]


def _x(seed=0):
    x = np.random.default_rng(seed).standard_normal((3, 5))
    return np.where(np.abs(x) < 0.05, 0.3, x)


@pytest.mark.parametrize("case", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_writes_into_the_input_without_grad(case):
    _, inplace, outofplace, _ = case
    a = _x()
    x = nl.tensor(a.copy())
    expected = outofplace(nl.tensor(a)).array
    assert inplace(x) is x
    np.testing.assert_allclose(x.array, expected)


@pytest.mark.parametrize("case", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_recorded_write_matches_torch(torch, case):
    import torch.nn.functional as TF
    _, inplace, _, theirs = case
    a = _x(1)
    w = nl.tensor(a, requires_grad=True)
    tw = torch.tensor(a, requires_grad=True)
    h = w * 1.5                                   # a non-leaf, part of a graph
    th = tw * 1.5
    y = inplace(h)
    ty = theirs(TF, th)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-12, atol=1e-14)
    g = np.random.default_rng(2).standard_normal(a.shape)
    y.backward(nl.tensor(g))
    ty.backward(torch.tensor(g))
    # torch's in-place celu and hardsigmoid kernels differentiate with float32 constants
    np.testing.assert_allclose(w.grad.array, tw.grad.numpy(), rtol=1e-7, atol=1e-14)


@pytest.mark.parametrize("case", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_returns_the_input(case):
    _, inplace, _, _ = case
    x = nl.tensor(_x())
    h = nl.tensor(_x(), requires_grad=True) * 2
    assert inplace(x) is x
    assert inplace(h) is h


@pytest.mark.parametrize("case", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_leaf_that_requires_grad_raises(case):
    _, inplace, _, _ = case
    x = nl.tensor(_x(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        inplace(x)
    with nl.no_grad():
        assert inplace(x) is x                       # an optimizer-style write is fine


def test_rrelu_training_in_place_gradient():
    nl.manual_seed(0)
    w = nl.tensor(-np.ones(50), requires_grad=True)
    h = w * 1.0
    y = F.rrelu(h, 0.1, 0.3, training=True, inplace=True)
    assert y is h
    y.sum().backward()
    np.testing.assert_allclose(w.grad.array, -y.array)


@pytest.mark.filterwarnings("ignore:dropout2d. received a 3D input")
@pytest.mark.parametrize("fn", [F.dropout, F.dropout1d, F.dropout2d, F.alpha_dropout])
def test_dropout_family_in_place(fn):
    a = np.random.default_rng(0).standard_normal((4, 3, 5)) + 3
    x = nl.tensor(a.copy())
    nl.manual_seed(1)
    y = fn(x, 0.5, True, True)
    assert y is x
    nl.manual_seed(1)
    np.testing.assert_array_equal(fn(nl.tensor(a), 0.5, True, False).array, x.array)
    # recorded: the gradient is the out-of-place one
    w = nl.tensor(a, requires_grad=True)
    h = w * 1.0
    nl.manual_seed(1)
    y = fn(h, 0.5, True, True)
    assert y is h
    y.sum().backward()
    nl.manual_seed(1)
    w2 = nl.tensor(a, requires_grad=True)
    fn(w2, 0.5, True, False).sum().backward()
    np.testing.assert_array_equal(w.grad.array, w2.grad.array)
    with pytest.raises(RuntimeError, match="leaf"):
        fn(nl.tensor(a, requires_grad=True), 0.5, True, True)


@pytest.mark.parametrize("module", [nn.ReLU(True), nn.ELU(inplace=True),
                                    nn.LeakyReLU(0.1, True), nn.Hardtanh(inplace=True),
                                    nn.ReLU6(True), nn.SELU(True), nn.CELU(inplace=True),
                                    nn.SiLU(True), nn.Mish(True), nn.Hardswish(True),
                                    nn.Hardsigmoid(True), nn.Threshold(0.1, 0.0, True),
                                    nn.RReLU(inplace=True), nn.Dropout(0.3, True)],
                         ids=lambda m: type(m).__name__)
def test_modules_with_inplace_write_into_the_input(module):
    x = nl.tensor(_x())
    assert module(x) is x


def test_module_in_place_after_a_layer_trains(torch):
    lin = nn.Linear(4, 3).double()
    tlin = torch.nn.Linear(4, 3).double()
    tlin.load_state_dict({k: torch.tensor(v) for k, v in lin.state_dict().items()})
    a = np.random.default_rng(0).standard_normal((6, 4))
    y = nn.ReLU(inplace=True)(lin(nl.tensor(a)))
    ty = torch.nn.ReLU(inplace=True)(tlin(torch.tensor(a)))
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(lin.weight.grad.array, tlin.weight.grad.numpy(), rtol=1e-12)


def test_saved_input_overwritten_is_detected():
    w = nl.tensor(_x(), requires_grad=True)
    h = w * 1.0
    s = h.sigmoid()                  # sigmoid saves its output, not h: fine either way
    F.relu_(h)
    (s.sum() + h.sum()).backward()
    assert w.grad is not None
