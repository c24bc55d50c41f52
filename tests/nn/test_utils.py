"""Tests for nnlite/nn/utils: clip_grad_norm_ and clip_grad_value_ against torch's on the
same gradients (several norm types, clipping and not), parameters_to_vector and
vector_to_parameters (round trip, torch parity, errors). Gradients are never written in
place: the old arrays are checked unchanged."""
from __future__ import annotations

import math

import numpy as np
import pytest

import nnlite as nl
from nnlite import nn
from nnlite.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                             vector_to_parameters)

SHAPES = [(3, 4), (5,), (2, 1, 3), ()]


def make_params(dtype=np.float64, scale=1.0, seed=0):
    r = np.random.default_rng(seed)
    params = []
    for shape in SHAPES:
        p = nn.Parameter(np.asarray(r.standard_normal(shape), dtype))
        p.grad = np.asarray(r.standard_normal(shape) * scale, dtype)
        params.append(p)
    return params


def torch_params(torch, params):
    out = []
    for p in params:
        t = torch.nn.Parameter(torch.from_numpy(p.array.copy()))
        t.grad = torch.from_numpy(p.grad.array.copy())
        out.append(t)
    return out


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    params = make_params()
    tparams = torch_params(torch, params)
    old = [p.grad for p in params]
    old_copy = [g.array.copy() for g in old]
    total = clip_grad_norm_(params, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type)
    assert isinstance(total, nl.Tensor) and total.shape == () and total.dtype == np.float64
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-12)
    for p, t in zip(params, tparams):
        assert isinstance(p.grad.array, np.ndarray) and p.grad.shape == p.shape   # 0-d stays an array
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)
    for g, c in zip(old, old_copy):
        np.testing.assert_array_equal(g, c)              # replaced, never scaled in place
    if max_norm > ttotal.item():
        assert all(p.grad is g for p, g in zip(params, old))   # nothing to clip


def test_clip_grad_norm_result_and_float32():
    params = make_params(np.float32, scale=10.0)
    total = clip_grad_norm_(iter(params), 1.0)           # any iterable, e.g. a generator
    assert total.dtype == np.float32 and total.item() > 1.0
    assert all(p.grad.dtype == np.float32 for p in params)
    new_total = math.sqrt(sum(float((p.grad.astype(np.float64) ** 2).sum()) for p in params))
    np.testing.assert_allclose(new_total, 1.0, rtol=1e-5)


def test_clip_grad_norm_single_tensor_skips_missing_grads_and_empty():
    p = nn.Parameter(np.array([3.0, 4.0]))
    p.grad = np.array([3.0, 4.0])
    q = nn.Parameter(np.zeros(2))                        # no grad: skipped
    assert clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad, [0.6, 0.8], rtol=1e-6)
    assert clip_grad_norm_([q], 1.0).item() == 0.0 and q.grad is None


def test_clip_grad_norm_nonfinite():
    params = make_params()
    params[1].grad[0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert not math.isfinite(clip_grad_norm_(params, 1.0).item())


def test_clip_grad_norm_on_a_model_after_backward():
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    (model(nl.randn(16, 4)) * 100).sum().backward()
    total = clip_grad_norm_(model.parameters(), 0.1)
    assert total.item() > 0.1
    norm = math.sqrt(sum(float((p.grad.astype(np.float64) ** 2).sum())
                         for p in model.parameters()))
    np.testing.assert_allclose(norm, 0.1, rtol=1e-4)


def test_clip_grad_value_matches_torch(torch):
    params = make_params(scale=2.0)
    tparams = torch_params(torch, params)
    old = [p.grad for p in params]
    old_copy = [g.array.copy() for g in old]
    assert clip_grad_value_(params, 0.7) is None
    torch.nn.utils.clip_grad_value_(tparams, 0.7)
    for p, t, g, c in zip(params, tparams, old, old_copy):
        np.testing.assert_array_equal(p.grad, t.grad.numpy())
        assert isinstance(p.grad.array, np.ndarray) and p.grad.dtype == np.float64
        np.testing.assert_array_equal(g, c)              # the old array is untouched
    f32 = make_params(np.float32, scale=2.0)
    clip_grad_value_(f32[0], 0.1)
    assert f32[0].grad.dtype == np.float32 and np.abs(f32[0].grad).max() <= np.float32(0.1)


def test_parameters_to_vector_matches_torch_and_round_trips(torch):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    tmodel.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in model.state_dict().items()})
    vec = parameters_to_vector(model.parameters())
    np.testing.assert_array_equal(
        vec.array, torch.nn.utils.parameters_to_vector(tmodel.parameters()).detach().numpy())
    assert vec.shape == (3 * 4 + 4 + 4 * 2 + 2,) and vec.dtype == np.float32
    arrays = [p.array for p in model.parameters()]
    vector_to_parameters(vec * 2, model.parameters())
    for p, a in zip(model.parameters(), arrays):
        assert p.array is a                               # written in place
    np.testing.assert_allclose(parameters_to_vector(model.parameters()).array, vec.array * 2)


def test_parameters_to_vector_is_differentiable():
    p, q = nn.Parameter(np.ones((2, 2))), nn.Parameter(np.ones(3))
    v = parameters_to_vector([p, q])
    (v * nl.tensor(np.arange(7.0))).sum().backward()
    np.testing.assert_array_equal(p.grad, [[0, 1], [2, 3]])
    np.testing.assert_array_equal(q.grad, [4, 5, 6])


def test_vector_to_parameters_errors():
    params = list(nn.Linear(2, 2).parameters())
    with pytest.raises(TypeError, match="expected vec to be a Tensor"):
        vector_to_parameters(np.zeros(6), params)
    with pytest.raises(ValueError, match=r"1-D vector of 6 elements.*got shape \(5,\)"):
        vector_to_parameters(nl.zeros(5), params)
    with pytest.raises(ValueError, match="no parameters"):
        parameters_to_vector([])
