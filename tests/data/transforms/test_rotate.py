"""Tests of nnlite/data/transforms/rotate.py: rotate against torchvision's tensor path
transcribed in torch (tv_reference.py: affine grid + grid_sample + the fill mask) for both
modes, expand, a centre, fills and dtypes; a quarter turn equals np.rot90; RandomRotation's
draws, checks and batch path."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import transforms as T
from nnlite.data.image import Image
from nnlite.data.transforms.rotate import rotate

from . import tv_reference as R

ANGLES = [17.3, -45.0, 90.0, 133.7, 180.0, -271.0]


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("expand", [False, True])
@pytest.mark.parametrize("center", [None, (2.0, 3.5)])
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_rotate_matches_torchvision(torch, mode, expand, center, dtype, tol):
    rng = np.random.default_rng(0)
    for hw in [(7, 9), (8, 8), (5, 12)]:
        x = rng.random((1, 3) + hw).astype(dtype)
        for angle in ANGLES:
            ours = rotate(x, angle, mode, expand, center, fill=0.25)
            theirs = R.rotate(torch, torch.from_numpy(x), angle, mode, expand, center, 0.25)
            assert ours.shape == tuple(theirs.shape) and ours.dtype == dtype
            np.testing.assert_allclose(ours, theirs.numpy(), atol=tol, rtol=0)


def test_rotate_uint8_rounds_as_torchvision(torch):
    x = np.random.default_rng(1).integers(0, 256, (1, 3, 9, 11)).astype(np.uint8)
    for mode in ("nearest", "bilinear"):
        ours = rotate(x, 33.0, mode, fill=7)
        theirs = R.rotate(torch, torch.from_numpy(x), 33.0, mode, fill=7).numpy()
        assert ours.dtype == np.uint8 and np.abs(ours.astype(int) - theirs).max() <= 1


def test_a_quarter_turn_is_rot90_counter_clockwise():
    x = np.arange(2 * 6 * 6, dtype=np.float64).reshape(1, 2, 6, 6)
    for mode in ("nearest", "bilinear"):
        np.testing.assert_allclose(rotate(x, 90.0, mode), np.rot90(x, 1, axes=(2, 3)),
                                   atol=1e-9)
    square = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(rotate(square, 90.0, expand=True),
                                  np.rot90(square, 1, axes=(2, 3)))
    # torchvision shifts the turned corners by the *input's* half sizes: 3 x 4 -> 5 x 4
    assert rotate(np.zeros((1, 1, 3, 4)), 90.0, expand=True).shape == (1, 1, 5, 4)


def test_per_channel_fill_and_its_check():
    x = np.zeros((1, 3, 5, 5), np.float32)
    out = rotate(x + 1, 45.0, fill=[0.1, 0.2, 0.3])
    assert out.shape == x.shape
    np.testing.assert_allclose(out[0, :, 0, 0], [0.1, 0.2, 0.3], atol=1e-6)
    with pytest.raises(ValueError, match="fill cannot broadcast"):
        rotate(x, 10.0, fill=[1, 2])


def test_random_rotation_draws_batches_and_checks():
    t = T.RandomRotation((10, 20), interpolation=T.InterpolationMode.BILINEAR)
    x = np.random.default_rng(2).random((6, 3, 8, 8)).astype(np.float32)
    p = t.get_params(6, x.shape[1:], np.random.default_rng(0))
    assert ((p["angle"] >= 10) & (p["angle"] <= 20)).all()
    out = t.apply(x, p)
    for k in range(6):
        np.testing.assert_allclose(out[k], rotate(x[k:k + 1], p["angle"][k], "bilinear")[0],
                                   atol=1e-6)
    nl.manual_seed(1)
    a = t.batch(nl.tensor(x))
    nl.manual_seed(1)
    np.testing.assert_array_equal(a.numpy(), t.batch(x))
    assert T.RandomRotation(30).interpolation == "nearest" and T.RandomRotation(5).batchable
    grown = T.RandomRotation(45, expand=True)
    assert not grown.batchable and grown(x[0]).shape[0] == 3
    with pytest.raises(ValueError, match="different sizes"):
        rotate(x[:2], np.array([10.0, 40.0]), expand=True)
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-3)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        T.RandomRotation(3, interpolation="bicubic")
    with pytest.raises(TypeError, match="fill should be"):
        T.RandomRotation(3, fill="white")
    img = T.RandomRotation(20)(Image(np.zeros((5, 7, 3), np.uint8)))
    assert isinstance(img, Image) and img.size == (7, 5)
