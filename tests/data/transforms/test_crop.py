"""Tests of CenterCrop (nnlite/data/transforms/crop.py) against torchvision's center_crop
transcribed in torch -- zero padding when the crop is larger than the image, Python's rounding
of the offsets -- and FiveCrop on an Image giving a tuple of Images, as torchvision."""
from __future__ import annotations

import numpy as np
import pytest

from nnlite.data import transforms as T
from nnlite.data.image import Image


def _tv_center_crop(torch, img, size):
    """torchvision.transforms.functional.center_crop on a tensor (..., H, W)."""
    h, w = img.shape[-2:]
    ch, cw = size
    if cw > w or ch > h:
        ltrb = [(cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0,
                (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0]
        img = torch.nn.functional.pad(img, [ltrb[0], ltrb[2], ltrb[1], ltrb[3]], value=0)
        h, w = img.shape[-2:]
        if cw == w and ch == h:
            return img
    top, left = int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0))
    return img[..., top:top + ch, left:left + cw]


@pytest.mark.parametrize("hw", [(8, 8), (7, 10), (5, 3), (1, 1)])
@pytest.mark.parametrize("size", [1, 4, (3, 6), (9, 2), (12, 13), [5]])
def test_center_crop_matches_torchvision(torch, hw, size):
    x = np.random.default_rng(0).random((2, 3) + hw)
    pair = (size, size) if isinstance(size, int) else tuple(size) * (2 // len(size))
    expected = _tv_center_crop(torch, torch.from_numpy(x), pair).numpy()
    np.testing.assert_array_equal(T.CenterCrop(size)(x), expected)
    np.testing.assert_array_equal(T.CenterCrop(size)(x[0]), expected[0])


def test_center_crop_and_five_crop_of_an_image():
    px = np.random.default_rng(1).integers(0, 256, (6, 9, 3)).astype(np.uint8)
    img = Image(px)
    crop = T.CenterCrop((4, 5))(img)
    assert isinstance(crop, Image) and crop.size == (5, 4)
    np.testing.assert_array_equal(crop.array, px[1:5, 2:7])
    crops = T.FiveCrop(3)(img)
    assert isinstance(crops, tuple) and len(crops) == 5
    np.testing.assert_array_equal(crops[0].array, px[:3, :3])
    np.testing.assert_array_equal(crops[3].array, px[3:, 6:])
    assert len(T.TenCrop(3)(img)) == 10
