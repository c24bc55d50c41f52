"""Tests of nnlite/data/transforms/resize.py: the interpolation against
torch.nn.functional.interpolate (every mode, with and without antialiasing, shrinking and
growing, float64 to 1e-12, float32 to 1e-5, uint8 rounded as torchvision), Resize's output
size rule, RandomResizedCrop's draws and fallback, and the batch/per-sample/Image paths."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import transforms as T
from nnlite.data.image import Image
from nnlite.data.transforms.resize import resized_crop, resized_output_size

SIZES = [((7, 9), (3, 4)), ((32, 32), (16, 16)), ((50, 37), (64, 70)), ((5, 3), (13, 5)),
         ((1, 4), (2, 11)), ((9, 9), (1, 1)), ((6, 8), (12, 16))]
MODES = [("nearest", False), ("nearest-exact", False), ("bilinear", False),
         ("bilinear", True), ("bicubic", False), ("bicubic", True)]


def _interpolate(torch, x, size, mode, antialias):
    kw = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
    return torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode=mode,
                                           antialias=antialias, **kw).numpy()


@pytest.mark.parametrize("mode,antialias", MODES)
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_interpolation_matches_torch(torch, mode, antialias, dtype, tol):
    rng = np.random.default_rng(0)
    for (H, W), size in SIZES:
        x = rng.random((2, 3, H, W)).astype(dtype)
        ours = resized_crop(x, 0, 0, H, W, size, mode, antialias)
        assert ours.dtype == dtype and ours.shape == (2, 3) + size
        np.testing.assert_allclose(ours, _interpolate(torch, x, size, mode, antialias),
                                   rtol=0, atol=tol)


@pytest.mark.parametrize("mode,antialias", MODES)
def test_uint8_is_computed_in_float32_and_rounded_as_torchvision(torch, mode, antialias):
    x = np.random.default_rng(1).integers(0, 256, (1, 3, 23, 17)).astype(np.uint8)
    ours = resized_crop(x, 0, 0, 23, 17, (10, 30), mode, antialias)
    ref = _interpolate(torch, x.astype(np.float32), (10, 30), mode, antialias)
    expected = np.clip(np.rint(ref), 0, 255)
    assert ours.dtype == np.uint8
    assert np.abs(ours - expected).max() <= 1 and (ours != expected).mean() < 0.01


@pytest.mark.parametrize("mode,antialias", MODES)
def test_crop_boxes_per_sample(torch, mode, antialias):
    x = np.random.default_rng(2).random((3, 2, 20, 24))
    boxes = np.array([[0, 0, 20, 24], [3, 5, 9, 7], [11, 1, 6, 20]])
    out = resized_crop(x, *boxes.T, (8, 10), mode, antialias)
    for k, (t, l, h, w) in enumerate(boxes):
        crop = np.ascontiguousarray(x[k:k + 1, :, t:t + h, l:l + w])
        np.testing.assert_allclose(out[k:k + 1], _interpolate(torch, crop, (8, 10), mode,
                                                               antialias), atol=1e-12)


# ---- Resize ------------------------------------------------------------------------------------
@pytest.mark.parametrize("hw,size,max_size,expected", [
    ((480, 640), 256, None, (256, 341)), ((640, 480), 256, None, (341, 256)),
    ((480, 640), [256], None, (256, 341)), ((480, 640), (100, 50), None, (100, 50)),
    ((300, 300), 224, None, (224, 224)), ((480, 640), 256, 300, (225, 300)),
    ((100, 1000), 50, 200, (20, 200)), ((7, 5), 3, None, (4, 3))])
def test_resize_output_size_as_torchvision(hw, size, max_size, expected):
    assert resized_output_size(*hw, size, max_size) == expected
    out = T.Resize(size, max_size=max_size)(np.zeros((1,) + hw, np.float32))
    assert out.shape == (1,) + expected


def test_resize_arguments_are_checked_as_torchvision():
    with pytest.raises(TypeError, match="size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="1 or 2 values"):
        T.Resize((1, 2, 3))
    with pytest.raises(ValueError, match="max_size should only be passed"):
        T.Resize((4, 4), max_size=10)
    with pytest.raises(ValueError, match="strictly greater"):
        T.Resize(10, max_size=10)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        T.Resize(4, interpolation="lanczos")


def test_resize_sample_batch_tensor_and_image(torch):
    x = np.random.default_rng(3).random((4, 3, 12, 16)).astype(np.float32)
    t = T.Resize(6, interpolation=T.InterpolationMode.BICUBIC)
    batch = t.batch(x)
    assert batch.shape == (4, 3, 6, 8)
    np.testing.assert_allclose(batch, _interpolate(torch, x, (6, 8), "bicubic", True),
                               atol=1e-5)
    np.testing.assert_array_equal(t(x[1]), batch[1])
    out = t(nl.tensor(x[0]))
    assert isinstance(out, nl.Tensor) and out.shape == (3, 6, 8)
    assert np.shares_memory(T.Resize((12, 16))(x[0]), x)        # already that size: no copy
    img = Image(np.random.default_rng(4).integers(0, 256, (12, 16, 3)).astype(np.uint8))
    small = T.Resize(6)(img)
    assert isinstance(small, Image) and small.size == (8, 6) and small.mode == "RGB"
    assert T.Resize(5, interpolation=0).interpolation == "nearest"     # PIL's constant


# ---- RandomResizedCrop ----------------------------------------------------------------------
def test_random_resized_crop_boxes_follow_scale_and_ratio():
    t = T.RandomResizedCrop(8, scale=(0.2, 0.6), ratio=(0.5, 2.0))
    p = t.get_params(2000, (3, 40, 50), np.random.default_rng(0))
    h, w, top, left = p["height"], p["width"], p["top"], p["left"]
    assert (top >= 0).all() and (left >= 0).all()
    assert (top + h <= 40).all() and (left + w <= 50).all()
    area = h * w / 2000.0
    assert area.min() >= 0.2 * 0.9 and area.max() <= 0.6 * 1.1
    ratio = w / h
    assert ratio.min() >= 0.5 * 0.8 and ratio.max() <= 2.0 * 1.25
    assert len(set(zip(top.tolist(), left.tolist()))) > 500            # varied per sample


@pytest.mark.parametrize("hw,ratio,expected", [((10, 100), (1.0, 1.0), (0, 45, 10, 10)),
                                               ((100, 10), (1.0, 1.0), (45, 0, 10, 10)),
                                               ((30, 40), (1.0, 2.0), (0, 0, 30, 40))])
def test_random_resized_crop_falls_back_to_the_central_crop(hw, ratio, expected):
    t = T.RandomResizedCrop(4, scale=(5.0, 6.0), ratio=ratio)          # never fits
    p = t.get_params(3, (1,) + hw, np.random.default_rng(0))
    for k in range(3):
        assert (p["top"][k], p["left"][k], p["height"][k], p["width"][k]) == expected


def test_random_resized_crop_resizes_its_box(torch):
    x = np.random.default_rng(5).random((5, 3, 30, 20))
    t = T.RandomResizedCrop((9, 7))
    p = t.get_params(5, x.shape[1:], np.random.default_rng(1))
    out = t.apply(x, p)
    for k in range(5):
        tp, lf, h, w = (int(p[key][k]) for key in ("top", "left", "height", "width"))
        crop = np.ascontiguousarray(x[k:k + 1, :, tp:tp + h, lf:lf + w])
        np.testing.assert_allclose(out[k:k + 1], _interpolate(torch, crop, (9, 7), "bilinear",
                                                               True), atol=1e-12)


def test_random_resized_crop_arguments():
    with pytest.raises(TypeError, match="scale should be a sequence"):
        T.RandomResizedCrop(4, scale=0.5)
    with pytest.warns(UserWarning, match=r"\(min, max\)"):
        T.RandomResizedCrop(4, scale=(1.0, 0.5))
    img = Image(np.zeros((20, 30, 3), np.uint8))
    assert T.RandomResizedCrop(8)(img).size == (8, 8)
