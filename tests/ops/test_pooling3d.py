"""Tests of nnlite/ops/pooling3d.py: max_pool3d, avg_pool3d, adaptive_avg_pool3d,
adaptive_max_pool3d.

torch is the oracle for values, indices (``return_indices``) and gradients, including
ties, NaN and ceil_mode; float64 central differences with hypothesis-drawn geometries
(continuous inputs, so max pooling has no ties); bad arguments raise naming the op.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl
import nnlite.nn.functional as F

from ._parity import check_double_backward, check_parity, gradcheck

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 5, 6, 7))
TIES = RNG.integers(0, 3, (2, 2, 4, 5, 5)).astype(float)
WITH_NAN = X.copy()
WITH_NAN[0, 0, 1, 1, 1] = WITH_NAN[0, 0, 1, 2, 1] = np.nan

MAX_CASES = [dict(kernel_size=2), dict(kernel_size=(3, 2, 3), stride=(2, 1, 2), padding=1,
                                       dilation=(1, 2, 1), ceil_mode=True),
             dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
             dict(kernel_size=(1, 3, 2), stride=1, padding=(0, 1, 1))]
AVG_CASES = [dict(kernel_size=2), dict(kernel_size=(3, 2, 3), stride=(2, 1, 2), padding=1,
                                       ceil_mode=True),
             dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
             dict(kernel_size=3, padding=1, divisor_override=5)]
ADAPTIVE_SIZES = [(2, 3, 4), 1, (None, 4, 3), (5, 6, 7), (3, 4, 5)]


@pytest.mark.parametrize("x", [X, TIES, WITH_NAN, X[0]], ids=["x", "ties", "nan", "unbatched"])
@pytest.mark.parametrize("kw", MAX_CASES)
def test_max_pool3d_parity(torch, x, kw):
    check_parity(torch, lambda t: F.max_pool3d(t, return_indices=True, **kw),
                 lambda t: torch.nn.functional.max_pool3d(t, return_indices=True, **kw), [x])


@pytest.mark.parametrize("kw", AVG_CASES)
def test_avg_pool3d_parity(torch, kw):
    check_parity(torch, lambda t: F.avg_pool3d(t, **kw),
                 lambda t: torch.nn.functional.avg_pool3d(t, **kw), [X])


@pytest.mark.parametrize("x", [X, TIES, WITH_NAN], ids=["x", "ties", "nan"])
@pytest.mark.parametrize("size", ADAPTIVE_SIZES)
def test_adaptive_pool3d_parity(torch, x, size):
    check_parity(torch, lambda t: F.adaptive_max_pool3d(t, size, True),
                 lambda t: torch.nn.functional.adaptive_max_pool3d(t, size, True), [x])
    if x is not WITH_NAN:
        check_parity(torch, lambda t: F.adaptive_avg_pool3d(t, size),
                     lambda t: torch.nn.functional.adaptive_avg_pool3d(t, size), [x])


def test_double_backward(torch):
    x = RNG.standard_normal((1, 2, 4, 4, 5))
    for nl_fn, th_fn in [
            (lambda t: F.max_pool3d(t, 2, 1, 1), lambda t: torch.nn.functional.max_pool3d(t, 2, 1, 1)),
            (lambda t: F.avg_pool3d(t, 3, 2, 1), lambda t: torch.nn.functional.avg_pool3d(t, 3, 2, 1)),
            (lambda t: F.adaptive_avg_pool3d(t, (3, 2, 3)),
             lambda t: torch.nn.functional.adaptive_avg_pool3d(t, (3, 2, 3))),
            (lambda t: F.adaptive_max_pool3d(t, (3, 2, 3)),
             lambda t: torch.nn.functional.adaptive_max_pool3d(t, (3, 2, 3)))]:
        check_double_backward(torch, nl_fn, th_fn, [x])


@st.composite
def _window(draw):
    k = tuple(draw(st.integers(1, 3)) for _ in range(3))
    s = tuple(draw(st.integers(1, 2)) for _ in range(3))
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    size = tuple(draw(st.integers(kk, 5)) for kk in k)
    lead = draw(st.sampled_from([(1, 2), (2,), (1, 1)]))
    return lead + size, dict(kernel_size=k, stride=s, padding=p,
                             ceil_mode=draw(st.booleans()))


@settings(max_examples=10, deadline=None)
@given(_window(), st.booleans())
def test_gradcheck(window, count_include_pad):
    shape, kw = window
    x = RNG.permutation(np.arange(np.prod(shape), dtype=float)).reshape(shape) * 0.1
    gradcheck(lambda t: F.max_pool3d(t, **kw), [x])
    gradcheck(lambda t: F.avg_pool3d(t, count_include_pad=count_include_pad, **kw), [x])
    out = tuple(max(1, n // 2) for n in shape[-3:])
    gradcheck(lambda t: F.adaptive_avg_pool3d(t, out), [x])
    gradcheck(lambda t: F.adaptive_max_pool3d(t, out), [x])


def test_float32_and_empty_batch():
    x = nl.randn(2, 1, 4, 4, 4, requires_grad=True)
    for y in (F.max_pool3d(x, 2), F.avg_pool3d(x, 2), F.adaptive_avg_pool3d(x, 3),
              F.adaptive_max_pool3d(x, 3)):
        assert y.dtype == np.float32
    F.max_pool3d(x, 2).sum().backward()
    assert x.grad.dtype == np.float32
    y, i = F.max_pool3d(nl.zeros(0, 2, 4, 4, 4), 2, return_indices=True)
    assert y.shape == i.shape == (0, 2, 2, 2, 2)


@pytest.mark.parametrize("call, match", [
    (lambda: F.max_pool3d(nl.randn(2, 4, 4), 2), "max_pool3d: expected a 4-D"),
    (lambda: F.max_pool3d(nl.randn(1, 1, 2, 2, 2), 3), "too small"),
    (lambda: F.max_pool3d(nl.randn(1, 1, 4, 4, 4), 2, padding=2), "at most half"),
    (lambda: F.avg_pool3d(nl.randn(1, 1, 4, 4, 4), 2, divisor_override=0), "divisor_override"),
    (lambda: F.avg_pool3d(nl.randn(1, 1, 4, 4, 4), (2, 2)), "kernel_size"),
    (lambda: F.adaptive_avg_pool3d(nl.randn(1, 1, 4, 4, 4), (2, 2)), "output_size"),
    (lambda: F.adaptive_max_pool3d(nl.randn(1, 1, 4, 4, 4), 0), "positive"),
    (lambda: F.max_pool3d(nl.tensor(np.ones((1, 1, 2, 2, 2), np.int64)), 2), "floating"),
])
def test_errors(call, match):
    with pytest.raises((ValueError, TypeError, RuntimeError), match=match):
        call()
