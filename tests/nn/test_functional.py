"""Tests for the parts of nnlite/nn/functional.py that are not layers of their own: the
activation wrappers and shape helpers (against torch.nn.functional), the implicit softmax
dim, and the namespace (loss functions re-exported from loss.py, every public name
present). F.linear / F.bilinear are tested in test_linear.py."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite.nn import loss


X = np.random.default_rng(0).standard_normal((2, 3, 4)) * 2

CALLS = [
    ("relu", (), {}), ("relu", (), {"inplace": False}),
    ("leaky_relu", (0.3,), {}), ("elu", (), {"alpha": 0.5}),
    ("gelu", (), {"approximate": "tanh"}), ("gelu", (), {}),
    ("sigmoid", (), {}), ("tanh", (), {}), ("softplus", (), {"beta": 2.0, "threshold": 3.0}),
    ("softmax", (), {"dim": 1}), ("log_softmax", (), {"dim": -1}),
    ("silu", (), {}), ("silu", (), {"inplace": False}), ("mish", (), {}),
    ("hardswish", (), {}), ("hardsigmoid", (), {}), ("relu6", (), {}),
    ("hardtanh", (-2.0, 1.5), {}), ("hardtanh", (), {"min_val": -0.5}), ("selu", (), {}),
    ("softsign", (), {}), ("logsigmoid", (), {}), ("tanhshrink", (), {}),
    ("softmin", (), {"dim": 1}), ("glu", (), {}), ("glu", (), {"dim": -1}),
    ("pad", ((1, 2),), {}), ("pad", ((1, 0, 2, 1),), {"value": 3.0}),
    ("pad", ((1, 2),), {"mode": "reflect"}), ("pad", ((1, 1, 1, 1),), {"mode": "replicate"}),
]


@pytest.mark.parametrize("name, args, kwargs", CALLS, ids=[f"{c[0]}{c[2]}" for c in CALLS])
def test_matches_torch_functional(torch, name, args, kwargs):
    y = getattr(F, name)(nl.tensor(X), *args, **kwargs)
    ty = getattr(torch.nn.functional, name)(torch.from_numpy(X), *args, **kwargs)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.array, ty.numpy(), rtol=1e-10, atol=1e-12)


def test_prelu_matches_torch(torch):
    w = np.array([0.25, -0.5, 2.0])
    y = F.prelu(nl.tensor(X), nl.tensor(w))
    np.testing.assert_allclose(y.numpy(), torch.nn.functional.prelu(
        torch.from_numpy(X), torch.from_numpy(w)).numpy(), rtol=1e-12)


def test_flatten_and_one_hot_match_torch(torch):
    assert F.flatten(nl.tensor(X), 1).shape == tuple(torch.flatten(torch.from_numpy(X), 1).shape)
    idx = np.array([[0, 2], [1, 3]])
    np.testing.assert_array_equal(
        F.one_hot(nl.tensor(idx), 5).array,
        torch.nn.functional.one_hot(torch.from_numpy(idx), 5).numpy())
    assert F.one_hot(nl.tensor(idx)).shape == (2, 2, 4)


def test_softmax_without_dim_warns_and_uses_legacy_dim():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = F.softmax(nl.tensor(X))
    np.testing.assert_allclose(y.array.sum(axis=0), np.ones((3, 4)))     # 3-D: dim 0
    with pytest.warns(UserWarning, match="log_softmax"):
        y = F.log_softmax(nl.tensor(X[0]))
    np.testing.assert_allclose(np.exp(y.array).sum(axis=1), np.ones(3))  # 2-D: dim 1


def test_namespace():
    for name in F.__all__:
        assert callable(getattr(F, name)), name
    for name in ("cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss",
                 "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"):
        assert getattr(F, name) is getattr(loss, name)


def test_linear_accepts_arrays_as_input():
    w = nl.tensor(np.eye(4))
    np.testing.assert_array_equal(F.linear(X[0], w).array, X[0])
