"""Tests for the Fold and Unfold modules (nnlite/nn/fold.py, over F.fold / F.unfold) and
CircularPad1d/2d (nnlite/nn/padding.py): torch parity (values, gradients, repr,
state_dict), gradient checks with hypothesis shapes and argument errors.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
import nnlite.nn as nn
from tests.ops._parity import check_parity, gradcheck


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(2, 3), padding=1),
                                dict(kernel_size=2, dilation=2, stride=(1, 2))], ids=str)
def test_unfold_fold_modules_parity(torch, kw):
    ours, theirs = nn.Unfold(**kw), torch.nn.Unfold(**kw)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 6))
    check_parity(torch, ours, theirs, [x])
    cols = ours(nl.tensor(x)).array
    fo, ft = nn.Fold((5, 6), **kw), torch.nn.Fold((5, 6), **kw)
    assert repr(fo) == repr(ft)
    assert list(fo.state_dict()) == list(ft.state_dict()) == []
    check_parity(torch, fo, ft, [np.random.default_rng(1).standard_normal(cols.shape)])


@given(c=st.integers(1, 2), h=st.integers(2, 4), w=st.integers(2, 4), k=st.integers(1, 2),
       seed=st.integers(0, 2**16))
def test_fold_unfold_gradcheck(c, h, w, k, seed):
    x = np.random.default_rng(seed).standard_normal((1, c, h, w))
    gradcheck(nn.Unfold(k), [x])
    gradcheck(lambda t: nn.Fold((h, w), k)(nn.Unfold(k)(t)), [x])


@pytest.mark.parametrize("cls,padding,shape", [("CircularPad1d", 2, (2, 3, 5)),
                                               ("CircularPad1d", (1, 3), (3, 4)),
                                               ("CircularPad2d", 1, (2, 2, 3, 4)),
                                               ("CircularPad2d", (1, 2, 0, 3), (2, 3, 4))])
def test_circular_pad_parity(torch, cls, padding, shape):
    ours, theirs = getattr(nn, cls)(padding), getattr(torch.nn, cls)(padding)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    check_parity(torch, ours, theirs, [np.random.default_rng(2).standard_normal(shape)])


@given(w=st.integers(1, 4), left=st.integers(0, 3), right=st.integers(0, 3),
       seed=st.integers(0, 2**16))
def test_circular_pad_gradcheck(w, left, right, seed):
    left, right = min(left, w), min(right, w)
    gradcheck(nn.CircularPad1d((left, right)),
              [np.random.default_rng(seed).standard_normal((2, w))])


def test_errors():
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.CircularPad1d(1)(nl.randn(1, 2, 3, 4))
    with pytest.raises(ValueError, match="padding must be an int or a 4-tuple"):
        nn.CircularPad2d((1, 2))
    with pytest.raises(ValueError, match="blocks"):
        nn.Fold((4, 4), 2)(nl.randn(1, 4, 5))
