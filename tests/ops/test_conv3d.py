"""Tests of nnlite/ops/conv3d.py: conv3d and conv_transpose3d (the N-d im2col path).

Three oracles: torch (values, input/weight/bias gradients, double backward), float64
central differences with hypothesis-drawn geometries (kept tiny: 3-D is costly), and
the adjoint identity <conv(x), y> = <x, conv_transpose(y)> of the array kernels.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import nnlite as nl
import nnlite.nn.functional as F
from nnlite.ops.conv3d import _GeomNd, _conv_forward, _conv_grad_input

from ._parity import check_double_backward, check_parity, gradcheck

RNG = np.random.default_rng(0)

CONV_CASES = [  # x shape, w shape, kwargs
    ((2, 4, 5, 6, 7), (6, 2, 2, 3, 2), dict(stride=(1, 2, 2), padding=1, dilation=(2, 1, 1),
                                            groups=2)),
    ((3, 5, 4, 6), (2, 3, 3, 3, 3), dict(padding="same")),
    ((1, 3, 4, 4, 4), (3, 1, 3, 3, 3), dict(groups=3, stride=2)),
    ((2, 2, 3, 4, 5), (4, 2, 1, 1, 1), dict()),
    ((1, 2, 4, 5, 3), (3, 2, 2, 2, 2), dict(padding="valid", dilation=(1, 2, 1))),
    ((1, 2, 4, 5, 3), (3, 2, 2, 3, 2), dict(padding="same", dilation=(3, 1, 2))),
]

TRANSPOSE_CASES = [
    ((2, 4, 3, 4, 3), (4, 3, 2, 3, 2), dict(stride=(1, 2, 2), padding=1,
                                            output_padding=(0, 1, 1), groups=2)),
    ((1, 4, 3, 4, 3), (4, 3, 2, 3, 2), dict(dilation=(2, 3, 1), output_padding=(1, 2, 0))),
    ((4, 2, 3, 2), (4, 2, 3, 3, 3), dict(stride=2, padding=1)),
]


def _bias(w_shape: tuple, groups: int, transposed: bool) -> np.ndarray:
    return RNG.standard_normal(w_shape[1] * groups if transposed else w_shape[0])


@pytest.mark.parametrize("x_shape, w_shape, kw", CONV_CASES)
def test_conv3d_parity(torch, x_shape, w_shape, kw):
    arrays = [RNG.standard_normal(x_shape), RNG.standard_normal(w_shape),
              _bias(w_shape, kw.get("groups", 1), False)]
    check_parity(torch, lambda x, w, b: F.conv3d(x, w, b, **kw),
                 lambda x, w, b: torch.nn.functional.conv3d(x, w, b, **kw), arrays)


@pytest.mark.parametrize("x_shape, w_shape, kw", TRANSPOSE_CASES)
def test_conv_transpose3d_parity(torch, x_shape, w_shape, kw):
    arrays = [RNG.standard_normal(x_shape), RNG.standard_normal(w_shape),
              _bias(w_shape, kw.get("groups", 1), True)]
    check_parity(torch, lambda x, w, b: F.conv_transpose3d(x, w, b, **kw),
                 lambda x, w, b: torch.nn.functional.conv_transpose3d(x, w, b, **kw), arrays)


def test_double_backward(torch):
    kw = dict(stride=(1, 2, 1), padding=1, groups=2)
    arrays = [RNG.standard_normal((1, 4, 3, 4, 3)), RNG.standard_normal((2, 2, 2, 2, 2)),
              RNG.standard_normal(2)]
    check_double_backward(torch, lambda x, w, b: F.conv3d(x, w, b, **kw),
                          lambda x, w, b: torch.nn.functional.conv3d(x, w, b, **kw), arrays)
    kw = dict(stride=2, output_padding=1)
    arrays = [RNG.standard_normal((1, 2, 2, 3, 2)), RNG.standard_normal((2, 2, 2, 2, 2)),
              RNG.standard_normal(2)]
    check_double_backward(torch, lambda x, w, b: F.conv_transpose3d(x, w, b, **kw),
                          lambda x, w, b: torch.nn.functional.conv_transpose3d(x, w, b, **kw),
                          arrays)


@st.composite
def _geometry(draw):
    groups = draw(st.sampled_from([1, 2]))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    k = tuple(draw(st.integers(1, 2)) for _ in range(3))
    s = tuple(draw(st.integers(1, 2)) for _ in range(3))
    d = tuple(draw(st.integers(1, 2)) for _ in range(3))
    p = tuple(draw(st.integers(0, 1)) for _ in range(3))
    size = tuple(draw(st.integers(max(1, dd * (kk - 1) + 1 - 2 * pp), 4))
                 for kk, dd, pp in zip(k, d, p))
    n = draw(st.integers(1, 2))
    return (n, cg * groups) + size, (og * groups, cg) + k, dict(stride=s, padding=p,
                                                               dilation=d, groups=groups)


@settings(max_examples=8, deadline=None)
@given(_geometry())
def test_conv3d_gradcheck(geom):
    x_shape, w_shape, kw = geom
    gradcheck(lambda x, w, b: F.conv3d(x, w, b, **kw),
              [RNG.standard_normal(x_shape), RNG.standard_normal(w_shape),
               RNG.standard_normal(w_shape[0])])


@settings(max_examples=8, deadline=None)
@given(_geometry())
def test_conv_transpose3d_gradcheck(geom):
    x_shape, w_shape, kw = geom
    o, cg = w_shape[:2]
    w_t = (o, cg) + w_shape[2:]                  # (C_in, C_out/groups, *K)
    x_t = (x_shape[0], o) + tuple(min(v, 3) for v in x_shape[2:])
    assume(all((n - 1) * s - 2 * p + d * (k - 1) + 1 > 0 for n, s, p, d, k in
               zip(x_t[2:], kw["stride"], kw["padding"], kw["dilation"], w_t[2:])))
    gradcheck(lambda x, w: F.conv_transpose3d(x, w, None, kw["stride"], kw["padding"], 0,
                                              kw["groups"], kw["dilation"]),
              [RNG.standard_normal(x_t), RNG.standard_normal(w_t)])


def test_kernels_are_adjoint():
    g = _GeomNd((2, 1, 2), ((1, 1), (0, 0), (1, 1)), (1, 2, 1), 1)
    x = RNG.standard_normal((2, 3, 5, 6, 4))
    w = RNG.standard_normal((4, 3, 2, 2, 3))
    y = _conv_forward(x, w, None, g)
    r = RNG.standard_normal(y.shape)
    assert np.isclose((y * r).sum(), (x * _conv_grad_input(r, w, x.shape, g)).sum())


def test_float32_stays_float32():
    x = nl.randn(1, 2, 3, 3, 3, requires_grad=True)
    w = nl.randn(2, 2, 2, 2, 2, requires_grad=True)
    y = F.conv3d(x, w)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == w.grad.dtype == np.float32
    assert F.conv_transpose3d(x, w).dtype == np.float32


@pytest.mark.parametrize("call, match", [
    (lambda: F.conv3d(nl.randn(1, 3, 4, 4, 4), nl.randn(2, 2, 3, 3, 3)), "3 channels|4 channels|channels"),
    (lambda: F.conv3d(nl.randn(1, 2, 4, 4), nl.randn(2, 2, 3, 3, 3)), "channels"),
    (lambda: F.conv3d(nl.randn(2, 4, 4), nl.randn(2, 2, 3, 3, 3)), "expected 4-D"),
    (lambda: F.conv3d(nl.randn(1, 2, 4, 4, 4), nl.randn(2, 2, 3, 3)), "weight must be 5-D"),
    (lambda: F.conv3d(nl.randn(1, 2, 2, 4, 4), nl.randn(2, 2, 3, 3, 3)), "smaller than"),
    (lambda: F.conv3d(nl.randn(1, 2, 4, 4, 4), nl.randn(2, 2, 3, 3, 3), stride=2,
                      padding="same"), "same"),
    (lambda: F.conv3d(nl.randn(1, 2, 4, 4, 4), nl.randn(2, 2, 3, 3, 3), nl.randn(3)),
     r"bias must have shape \(2,\)"),
    (lambda: F.conv3d(nl.randn(1, 2, 4, 4, 4), nl.randn(3, 1, 3, 3, 3), groups=2),
     "divisible by groups"),
    (lambda: F.conv_transpose3d(nl.randn(1, 2, 4, 4, 4), nl.randn(2, 2, 3, 3, 3),
                                output_padding=1), "output_padding"),
    (lambda: F.conv_transpose3d(nl.randn(1, 3, 4, 4, 4), nl.randn(2, 2, 3, 3, 3)),
     "channels"),
    (lambda: F.conv3d(nl.randn(1, 2, 4, 4, 4), nl.randn(2, 2, 3, 3, 3).double()), "dtype"),
])
def test_errors(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
