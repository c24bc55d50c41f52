"""Tests for the rearranging ops and layers: F.pixel_shuffle, F.pixel_unshuffle,
F.channel_shuffle (nnlite/ops/shuffle.py) and PixelShuffle, PixelUnshuffle,
ChannelShuffle (nnlite/nn/pixelshuffle.py): torch parity (values, gradients, repr),
gradient checks with hypothesis shapes, round trips and argument errors.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
import nnlite.nn as nn
import nnlite.nn.functional as F
from tests.ops._parity import check_parity, gradcheck


@pytest.mark.parametrize("shape,r", [((1, 8, 3, 3), 2), ((2, 3, 9, 2, 4), 3), ((4, 2, 2), 2),
                                     ((2, 5, 3, 3), 1)])
def test_pixel_shuffle_parity(torch, shape, r):
    x = np.random.default_rng(0).standard_normal(shape)
    check_parity(torch, lambda t: F.pixel_shuffle(t, r),
                 lambda t: torch.nn.functional.pixel_shuffle(t, r), [x])


@pytest.mark.parametrize("shape,r", [((1, 2, 6, 6), 2), ((2, 3, 1, 6, 9), 3), ((1, 4, 4), 2)])
def test_pixel_unshuffle_parity(torch, shape, r):
    x = np.random.default_rng(0).standard_normal(shape)
    check_parity(torch, lambda t: F.pixel_unshuffle(t, r),
                 lambda t: torch.nn.functional.pixel_unshuffle(t, r), [x])


@pytest.mark.parametrize("shape,g", [((2, 6, 3), 2), ((2, 6, 3, 2), 3), ((1, 4, 2, 2, 2), 4)])
def test_channel_shuffle_parity(torch, shape, g):
    x = np.random.default_rng(0).standard_normal(shape)
    check_parity(torch, lambda t: F.channel_shuffle(t, g),
                 lambda t: torch.nn.functional.channel_shuffle(t, g), [x])
    check_parity(torch, nn.ChannelShuffle(g), torch.nn.ChannelShuffle(g), [x])


@given(lead=st.lists(st.integers(1, 2), max_size=2), c=st.integers(1, 2),
       r=st.integers(1, 3), h=st.integers(1, 3), w=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_shuffle_gradcheck_and_round_trip(lead, c, r, h, w, seed):
    shape = tuple(lead) + (c * r * r, h, w)
    x = np.random.default_rng(seed).standard_normal(shape)
    gradcheck(lambda t: F.pixel_shuffle(t, r), [x])
    gradcheck(lambda t: F.pixel_unshuffle(F.pixel_shuffle(t, r), r), [x])
    back = F.pixel_unshuffle(F.pixel_shuffle(nl.tensor(x), r), r)
    np.testing.assert_array_equal(back.array, x)
    gradcheck(lambda t: F.channel_shuffle(t.reshape((1, -1, h, w)), r), [x])


@pytest.mark.parametrize("make,arg", [("PixelShuffle", 3), ("PixelUnshuffle", 2),
                                      ("ChannelShuffle", 4)])
def test_module_repr_and_state_dict(torch, make, arg):
    ours, theirs = getattr(nn, make)(arg), getattr(torch.nn, make)(arg)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


def test_modules_parity(torch):
    x = np.random.default_rng(1).standard_normal((2, 9, 2, 3))
    check_parity(torch, nn.PixelShuffle(3), torch.nn.PixelShuffle(3), [x])
    y = np.random.default_rng(1).standard_normal((2, 1, 6, 6))
    check_parity(torch, nn.PixelUnshuffle(3), torch.nn.PixelUnshuffle(3), [y])


def test_float32_stays_float32():
    assert F.pixel_shuffle(nl.randn(1, 4, 2, 2), 2).dtype == np.float32
    assert nn.ChannelShuffle(2)(nl.randn(1, 4, 2)).dtype == np.float32


def test_errors():
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        F.pixel_shuffle(nl.randn(4, 4), 2)
    with pytest.raises(ValueError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(nl.randn(1, 6, 2, 2), 2)
    with pytest.raises(ValueError, match="positive upscale_factor"):
        F.pixel_shuffle(nl.randn(1, 4, 2, 2), 0)
    with pytest.raises(ValueError, match="width to be divisible by downscale_factor"):
        F.pixel_unshuffle(nl.randn(1, 1, 4, 5), 2)
    with pytest.raises(ValueError, match="Number of channels must be divisible by groups"):
        F.channel_shuffle(nl.randn(1, 5, 2), 2)
    with pytest.raises(ValueError, match="must be positive"):
        F.channel_shuffle(nl.randn(1, 4, 2), 0)
    with pytest.raises(ValueError, match="must be positive"):
        nn.PixelShuffle(0)
    with pytest.raises(TypeError, match="must be an int"):
        nn.ChannelShuffle(2.0)
