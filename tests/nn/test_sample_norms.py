"""Tests for instance norm and RMS norm: F.instance_norm, F.rms_norm
(nnlite/ops/sample_norms.py) and InstanceNorm1d/2d, RMSNorm (nnlite/nn/normalization.py).

Oracles: torch (float64 outputs, gradients of input and parameters, running statistics,
state_dict keys, repr) and float64 gradient checks with hypothesis shapes.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
import nnlite.nn as nn
import nnlite.nn.functional as F
from tests.ops._parity import check_parity, gradcheck


def _copy_into_torch(torch, ours, theirs):
    theirs.load_state_dict({k: torch.tensor(np.array(v)) for k, v in
                            ours.state_dict().items()})


def _randomise(m, seed=0):
    rng = np.random.default_rng(seed)
    for p in m.parameters():
        p.array[...] = rng.standard_normal(p.shape)
    for name in ("running_mean", "running_var"):
        b = getattr(m, name, None)
        if b is not None:
            b.array[...] = rng.uniform(0.5, 1.5, b.shape)


def _module_parity(torch, ours, theirs, x, steps=2):
    """Outputs and the gradients of the input and the parameters (and the buffers after
    ``steps`` forward passes) equal torch's."""
    _randomise(ours)
    _copy_into_torch(torch, ours, theirs)
    for _ in range(steps):
        xx = nl.tensor(x, requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        y, ty = ours(xx), theirs(tx)
        np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        g = np.random.default_rng(5).standard_normal(y.shape)
        y.backward(nl.tensor(g))
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(xx.grad.array, tx.grad.numpy(), rtol=1e-9, atol=1e-11)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, tparams[name].grad.numpy(), rtol=1e-9,
                                   atol=1e-11, err_msg=name)
    tsd = theirs.state_dict()
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(np.asarray(v), tsd[k].numpy(), rtol=1e-12, err_msg=k)


@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (3, 4, 7)),
                                       ("InstanceNorm1d", (4, 7)),
                                       ("InstanceNorm2d", (2, 4, 3, 5)),
                                       ("InstanceNorm2d", (4, 3, 5))])
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("track", [False, True])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_instance_norm_module_parity(torch, cls, shape, affine, track, mode):
    kw = dict(affine=affine, track_running_stats=track, momentum=0.3)
    ours = getattr(nn, cls)(4, dtype=np.float64, **kw)
    theirs = getattr(torch.nn, cls)(4, dtype=torch.float64, **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if mode == "eval":
        ours.eval()
        theirs.eval()
    x = np.random.default_rng(1).standard_normal(shape) * 2 + 1
    _module_parity(torch, ours, theirs, x)


def test_instance_norm_without_bias_and_momentum_none(torch):
    ours = nn.InstanceNorm2d(3, affine=True, bias=False, track_running_stats=True,
                             momentum=None, dtype=np.float64)
    theirs = torch.nn.InstanceNorm2d(3, affine=True, bias=False, track_running_stats=True,
                                     momentum=None, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _module_parity(torch, ours, theirs, np.random.default_rng(2).standard_normal((2, 3, 4, 4)))


def test_instance_norm_functional_parity(torch):
    import torch.nn.functional as TF
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 5)), rng.standard_normal(3), rng.standard_normal(3)
    check_parity(torch, lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-3),
                 lambda x, w, b: TF.instance_norm(x, weight=w, bias=b, eps=1e-3), [x, w, b])
    rm, rv = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    check_parity(torch,
                 lambda x, w: F.instance_norm(x, nl.tensor(rm), nl.tensor(rv), w,
                                              use_input_stats=False),
                 lambda x, w: TF.instance_norm(x, torch.tensor(rm), torch.tensor(rv), w,
                                               use_input_stats=False), [x, w])


@given(n=st.integers(1, 3), c=st.integers(1, 3), spatial=st.lists(st.integers(1, 3),
                                                                   min_size=1, max_size=2),
       affine=st.booleans(), seed=st.integers(0, 2**16))
def test_instance_norm_gradcheck(n, c, spatial, affine, seed):
    shape = (n, c) + tuple(spatial)
    if np.prod(spatial) < 2:
        spatial = [2] + list(spatial[1:])
        shape = (n, c) + tuple(spatial)
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape)]
    if affine:
        arrays += [rng.standard_normal(c), rng.standard_normal(c)]
        gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), arrays)
    else:
        gradcheck(lambda x: F.instance_norm(x), arrays)


def test_instance_norm_errors():
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(nl.randn(2, 3, 1))
    with pytest.raises(ValueError, match=r"expected 3D \(C, H, W\) or 4D"):
        nn.InstanceNorm2d(3)(nl.randn(2, 3))
    with pytest.raises(ValueError, match="to match num_features"):
        nn.InstanceNorm1d(3, affine=True)(nl.randn(2, 4, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(nl.randn(2, 4, 5))
    with pytest.raises(RuntimeError, match="running_mean and running_var"):
        F.instance_norm(nl.randn(2, 3, 4), use_input_stats=False)
    with pytest.raises(ValueError, match="num_features must be positive"):
        nn.InstanceNorm1d(0)


@pytest.mark.parametrize("shape,norm", [((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)),
                                        ((5,), 5)])
@pytest.mark.parametrize("eps", [None, 1e-3])
@pytest.mark.parametrize("affine", [True, False])
def test_rms_norm_module_parity(torch, shape, norm, eps, affine):
    ours = nn.RMSNorm(norm, eps=eps, elementwise_affine=affine, dtype=np.float64)
    theirs = torch.nn.RMSNorm(norm, eps=eps, elementwise_affine=affine, dtype=torch.float64)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _module_parity(torch, ours, theirs, np.random.default_rng(3).standard_normal(shape),
                   steps=1)


@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
       k=st.integers(1, 3), weighted=st.booleans(), seed=st.integers(0, 2**16))
def test_rms_norm_gradcheck(shape, k, weighted, seed):
    k = min(k, len(shape))
    rng = np.random.default_rng(seed)
    norm = shape[len(shape) - k:]
    if weighted:
        gradcheck(lambda x, w: F.rms_norm(x, norm, w, 1e-3),
                  [rng.standard_normal(shape), rng.standard_normal(norm)])
    else:
        gradcheck(lambda x: F.rms_norm(x, norm, eps=1e-3), [rng.standard_normal(shape)])


def test_rms_norm_float32_and_errors():
    y = F.rms_norm(nl.randn(2, 3), (3,))
    assert y.dtype == np.float32
    with pytest.raises(ValueError, match="does not end with normalized_shape"):
        F.rms_norm(nl.randn(2, 3), (4,))
    with pytest.raises(ValueError, match="weight should have shape"):
        F.rms_norm(nl.randn(2, 3), (3,), nl.ones(2))
    with pytest.raises(TypeError, match="floating"):
        F.rms_norm(nl.tensor([[1, 2]]), (2,))
