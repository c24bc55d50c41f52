"""Tests of nnlite/data/transforms/color.py: the colour functions against torchvision's
tensor arithmetic transcribed in torch (tv_reference.py) for float64, float32 and uint8;
ColorJitter's ranges and checks (torchvision's _check_input), its per-sample random order
replayed with the reference functions, and its one-sample, batch, 2-D and Image paths."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import transforms as T
from nnlite.data.image import Image
from nnlite.data.transforms import color as C

from . import tv_reference as R

FACTORS = [("brightness", 1.3), ("brightness", 0.0), ("contrast", 0.5), ("contrast", 1.6),
           ("saturation", 0.3), ("saturation", 1.8), ("hue", 0.2), ("hue", -0.45)]


def _images(dtype, shape=(4, 3, 6, 7), seed=0):
    x = np.random.default_rng(seed).random(shape)
    return (x * 255).astype(np.uint8) if dtype == np.uint8 else x.astype(dtype)


@pytest.mark.parametrize("name,factor", FACTORS)
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-6), (np.uint8, 0)])
def test_adjustments_match_torchvision(torch, name, factor, dtype, tol):
    x = _images(dtype)
    ours = getattr(C, "adjust_" + name)(x, factor)
    theirs = getattr(R, "adjust_" + name)(torch, torch.from_numpy(x), factor).numpy()
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours.astype(np.float64), theirs.astype(np.float64), atol=tol,
                               rtol=0)


def test_one_channel_images_keep_their_saturation_and_hue():
    x = _images(np.float32, (2, 1, 4, 4))
    assert C.adjust_saturation(x, 0.1) is x and C.adjust_hue(x, 0.3) is x
    np.testing.assert_allclose(C.adjust_contrast(x, 0.0), np.broadcast_to(
        x.mean(axis=(1, 2, 3), keepdims=True), x.shape), atol=1e-6)


@pytest.mark.parametrize("kwargs,expected", [
    ({"brightness": 0.5}, {"brightness": (0.5, 1.5)}),
    ({"contrast": 2.0}, {"contrast": (0.0, 3.0)}),
    ({"saturation": (0.2, 0.9)}, {"saturation": (0.2, 0.9)}),
    ({"hue": 0.1}, {"hue": (-0.1, 0.1)}),
    ({"brightness": (1, 1), "hue": 0}, {"brightness": None, "hue": None})])
def test_ranges_as_torchvision(kwargs, expected):
    t = T.ColorJitter(**kwargs)
    for name, value in expected.items():
        assert getattr(t, name) == value


@pytest.mark.parametrize("kwargs,error", [({"brightness": -0.1}, ValueError),
                                          ({"hue": 0.6}, ValueError),
                                          ({"hue": (-0.7, 0.1)}, ValueError),
                                          ({"contrast": (1, 2, 3)}, TypeError),
                                          ({"saturation": "a lot"}, TypeError)])
def test_bad_ranges_raise_as_torchvision(kwargs, error):
    with pytest.raises(error, match="ColorJitter"):
        T.ColorJitter(**kwargs)


def test_each_sample_gets_its_own_order_and_factors_replayed_with_torchvision(torch):
    x = _images(np.float64, (12, 3, 5, 6))
    t = T.ColorJitter(0.4, 0.4, 0.4, 0.1)
    p = t.get_params(len(x), x.shape[1:], np.random.default_rng(3))
    assert sorted(p["order"][0].tolist()) == [0, 1, 2, 3]
    assert len({tuple(o) for o in p["order"].tolist()}) > 3
    out = t.apply(x, p)
    names = ["brightness", "contrast", "saturation", "hue"]
    for k in range(len(x)):
        ref = torch.from_numpy(x[k:k + 1])
        for op in p["order"][k]:
            ref = getattr(R, "adjust_" + names[op])(torch, ref, float(p[names[op]][k]))
        np.testing.assert_allclose(out[k:k + 1], ref.numpy(), atol=1e-12)


def test_inactive_adjustments_are_skipped_and_paths_agree():
    x = _images(np.float32, (5, 3, 4, 4))
    t = T.ColorJitter(saturation=0.5)
    p = t.get_params(5, x.shape[1:], np.random.default_rng(0))
    assert p["brightness"] is None and p["hue"] is None
    np.testing.assert_array_equal(t.apply(x, p), C.adjust_saturation(x, p["saturation"]))
    nl.manual_seed(2)
    batch = t.batch(nl.tensor(x))
    assert isinstance(batch, nl.Tensor) and batch.shape == x.shape
    grey = T.ColorJitter(0.5, 0.5)(np.random.default_rng(1).random((6, 6)))
    assert grey.shape == (6, 6) and grey.min() >= 0 and grey.max() <= 1
    img = T.ColorJitter(0.3, 0.3, 0.3, 0.2)(Image(_images(np.uint8, (6, 5, 3))))
    assert isinstance(img, Image) and img.mode == "RGB"
    with pytest.raises(ValueError, match="1 or 3 channels"):
        t.batch(np.zeros((2, 4, 3, 3), np.float32))
