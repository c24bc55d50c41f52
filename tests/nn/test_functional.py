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


# ---- normalize, cosine_similarity, pairwise_distance (composites, as torch's) ------------
A = np.random.default_rng(1).standard_normal((3, 4))
B = np.random.default_rng(2).standard_normal((3, 4))
A0 = A.copy()
A0[1] = 0.0                                     # a zero vector: the eps clamps act


DISTANCES = [
    ("normalize", (A,), {}), ("normalize", (A0,), {"p": 1.0, "dim": 0}),
    ("normalize", (A0,), {"dim": -1}),
    ("cosine_similarity", (A, B), {}), ("cosine_similarity", (A0, B), {"dim": 1}),
    ("cosine_similarity", (A, B[:1]), {"dim": -1, "eps": 1e-3}),
    ("pairwise_distance", (A, B), {}), ("pairwise_distance", (A, A), {"p": 1.0}),
    ("pairwise_distance", (A, B[0]), {"keepdim": True}),
]


@pytest.mark.parametrize("name, args, kwargs", DISTANCES,
                         ids=[f"{d[0]}{d[2]}" for d in DISTANCES])
def test_distances_match_torch_with_gradients(torch, name, args, kwargs):
    ours = [nl.tensor(a, requires_grad=True) for a in args]
    theirs = [torch.tensor(a, requires_grad=True) for a in args]
    y = getattr(F, name)(*ours, **kwargs)
    ty = getattr(torch.nn.functional, name)(*theirs, **kwargs)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(3).standard_normal(y.shape)
    (y * nl.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    for a, ta in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.array, ta.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["normalize", "cosine_similarity", "pairwise_distance"])
def test_distances_gradcheck(name):
    args = [nl.tensor(A, requires_grad=True)]
    if name != "normalize":
        args.append(nl.tensor(B, requires_grad=True))
    assert nl.gradcheck(getattr(F, name), tuple(args))


def test_normalize_out_and_float32():
    out = nl.zeros(3, 4)
    res = F.normalize(nl.tensor(A, dtype=nl.float32), out=out)
    assert res is out and out.dtype == nl.float32
    np.testing.assert_allclose(out.array, A / np.linalg.norm(A, axis=1, keepdims=True),
                               rtol=1e-6)
