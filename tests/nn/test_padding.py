"""Tests of nnlite/nn/padding.py (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad 1d
and 2d), of nnlite/nn/upsampling.py (Upsample) and nnlite/ops/upsampling.py
(interpolate): outputs and gradients against torch, float64 gradient checks, double
backward, reprs equal to torch's, and errors naming the layer and the shape."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
from nnlite.nn.padding import (ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d,
                               ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d)
from nnlite.nn.upsampling import (Upsample, UpsamplingBilinear2d, UpsamplingNearest2d,
                                  interpolate)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _parity(m, tm, shape, torch, rtol=1e-12):
    a = randn(*shape)
    x, tx = nl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = m(x), tm(tx)
    np.testing.assert_allclose(y.array, ty.detach().numpy(), rtol=rtol, atol=1e-12)
    gy = randn(*ty.shape, seed=1)
    y.backward(gy)
    ty.backward(torch.tensor(gy))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=rtol, atol=1e-12)


# ============================================================================
# Padding
# ============================================================================
PAD_CASES = [
    (ZeroPad2d, (2,), (2, 3, 4, 5)), (ZeroPad2d, ((1, 0, 2, 3),), (3, 4, 5)),
    (ZeroPad1d, ((2, 1),), (2, 3, 4)),
    (ConstantPad1d, (3, 1.5), (2, 3, 4)), (ConstantPad1d, ((0, 2), -1.0), (3, 4)),
    (ConstantPad2d, ((1, 2, 0, 1), 0.5), (2, 3, 4, 4)),
    (ReflectionPad1d, ((2, 3),), (2, 3, 5)), (ReflectionPad1d, (1,), (3, 4)),
    (ReflectionPad2d, ((1, 2, 3, 0),), (2, 3, 4, 5)), (ReflectionPad2d, (2,), (3, 4, 4)),
    (ReplicationPad1d, ((3, 1),), (2, 3, 4)), (ReplicationPad2d, ((2, 1, 0, 3),), (2, 3, 4, 5)),
    (ReplicationPad2d, (1,), (3, 2, 2)),
]


@pytest.mark.parametrize("cls,args,shape", PAD_CASES)
def test_padding_matches_torch(torch, cls, args, shape):
    m, tm = cls(*args), getattr(torch.nn, cls.__name__)(*args)
    _parity(m, tm, shape, torch)
    assert repr(m) == repr(tm)
    assert m.padding == tm.padding


@pytest.mark.parametrize("cls,args,shape", PAD_CASES)
def test_padding_gradcheck(cls, args, shape):
    x = nl.tensor(randn(*shape), requires_grad=True)
    assert nl.gradcheck(cls(*args), (x,))


def test_zero_pad2d_values():
    y = ZeroPad2d((1, 0, 0, 2))(nl.ones(1, 1, 2, 2)).array[0, 0]
    np.testing.assert_array_equal(y, [[0, 1, 1], [0, 1, 1], [0, 0, 0], [0, 0, 0]])
    assert y.dtype == np.float32


@pytest.mark.parametrize("m,shape,match", [
    (ZeroPad2d(1), (4, 5), r"ZeroPad2d\(\(1, 1, 1, 1\)\).*3D or 4D.*\(4, 5\)"),
    (ReflectionPad1d(2), (2, 3, 4, 5), r"ReflectionPad1d\(\(2, 2\)\).*2D or 3D.*\(2, 3, 4, 5\)"),
    (ReflectionPad2d(3), (1, 1, 3, 3), r"reflect padding.*3"),
])
def test_padding_bad_input(m, shape, match):
    with pytest.raises(ValueError, match=match):
        m(nl.randn(*shape))


def test_padding_bad_argument():
    with pytest.raises(ValueError, match=r"ZeroPad2d: padding must be an int or a 4-tuple"):
        ZeroPad2d((1, 2))


# ============================================================================
# Upsampling
# ============================================================================
UP_CASES = [
    ((2, 3, 4, 5), dict(scale_factor=2)),
    ((2, 3, 4, 5), dict(scale_factor=(1.5, 3))),
    ((2, 3, 4, 5), dict(size=(7, 3))),
    ((2, 3, 6, 5), dict(scale_factor=0.5)),
    ((2, 3, 5), dict(scale_factor=2.5)),
    ((2, 3, 5), dict(size=8)),
    ((2, 3, 4, 5), dict(scale_factor=1.7, recompute_scale_factor=True)),
]


@pytest.mark.parametrize("shape,kw", UP_CASES)
@pytest.mark.parametrize("mode,align", [("nearest", None), ("nearest-exact", None),
                                        ("linear", False), ("linear", True)])
def test_interpolate_matches_torch(torch, shape, kw, mode, align):
    if mode == "linear" and len(shape) == 4:
        mode = "bilinear"
    m = Upsample(mode=mode, align_corners=align, **kw)
    tm = torch.nn.Upsample(mode=mode, align_corners=align, **kw)
    _parity(m, tm, shape, torch)
    assert repr(m) == repr(tm)


def test_nearest_1d_gradient_is_the_true_gradient():
    """torch's 1-D nearest backward disagrees with its own forward when the scale
    factor is not the size ratio (its gradcheck fails); ours is checked numerically."""
    x = nl.tensor(randn(1, 2, 5), requires_grad=True)
    assert nl.gradcheck(lambda t: interpolate(t, scale_factor=1.1), (x,))


@given(h=st.integers(1, 4), w=st.integers(1, 4), oh=st.integers(1, 6), ow=st.integers(1, 6),
       mode=st.sampled_from(["nearest", "nearest-exact", "bilinear", "bilinear-ac"]))
def test_interpolate_gradcheck(h, w, oh, ow, mode):
    align = True if mode == "bilinear-ac" else None
    mode = "bilinear" if align else mode
    x = nl.tensor(randn(1, 2, h, w), requires_grad=True)
    assert nl.gradcheck(lambda t: interpolate(t, size=(oh, ow), mode=mode,
                                              align_corners=align), (x,))


def test_upsample_double_backward():
    x = nl.tensor(randn(1, 2, 3, 3), requires_grad=True)
    y = interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    (g,) = nl.autograd.grad((y * y).sum(), x, create_graph=True)
    (h,) = nl.autograd.grad(g.sum(), x)
    # y = M x, so g = 2 M^T M x and h = d sum(g) / dx = 2 M^T M 1 = g evaluated at ones
    ones = nl.tensor(np.ones(x.shape), requires_grad=True)
    y1 = interpolate(ones, scale_factor=2, mode="bilinear")
    (g1,) = nl.autograd.grad((y1 * y1).sum(), ones)
    np.testing.assert_allclose(h.array, g1.array, rtol=1e-12)


def test_upsample_module_variants_and_reprs(torch):
    pairs = [(Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
             (Upsample(size=(4, 6), mode="bilinear", align_corners=True),
              torch.nn.Upsample(size=(4, 6), mode="bilinear", align_corners=True)),
             (UpsamplingNearest2d(scale_factor=3), torch.nn.UpsamplingNearest2d(scale_factor=3)),
             (UpsamplingBilinear2d(size=5), torch.nn.UpsamplingBilinear2d(size=5))]
    for m, tm in pairs:
        assert repr(m) == repr(tm)
        _parity(m, tm, (1, 2, 3, 4), torch)


def test_upsample_float32_stays_float32():
    x = nl.randn(1, 2, 3, 3, requires_grad=True)
    for mode in ("nearest", "bilinear"):
        y = Upsample(scale_factor=2, mode=mode)(x)
        y.sum().backward()
        assert y.dtype == x.grad.dtype == np.float32


@pytest.mark.parametrize("call,match", [
    (lambda: interpolate(nl.randn(1, 2, 3)), r"exactly one of size or scale_factor"),
    (lambda: interpolate(nl.randn(1, 2, 3), size=4, scale_factor=2), r"exactly one"),
    (lambda: interpolate(nl.randn(1, 2, 3), size=4, mode="bilinear"), r"3D.*bilinear.*4D"),
    (lambda: interpolate(nl.randn(1, 2, 3, 3), size=4, align_corners=True), r"align_corners"),
    (lambda: interpolate(nl.randn(2, 3), size=4), r"3D.*4D.*\(2, 3\)"),
    (lambda: interpolate(nl.randn(1, 2, 3), size=4, mode="cubic"), r"mode"),
])
def test_interpolate_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
