"""Tests of nnlite/data/transforms/convert.py with Images: ToTensor of an Image (scaled,
CHW), PILToTensor (unscaled), ToPILImage (torchvision's mul(255) and truncation), Normalize
refusing an Image, and torchvision's ImageNet training pipeline run on an Image."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import transforms as T
from nnlite.data.image import Image


def _image(h=12, w=10, seed=0):
    return Image(np.random.default_rng(seed).integers(0, 256, (h, w, 3)).astype(np.uint8))


def test_to_tensor_and_pil_to_tensor_of_an_image():
    img = _image()
    t = T.ToTensor()(img)
    assert isinstance(t, nl.Tensor) and t.shape == (3, 12, 10) and t.dtype == np.float32
    np.testing.assert_allclose(t.numpy(), img.array.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    grey = T.ToTensor()(img.convert("L"))
    assert grey.shape == (1, 12, 10)
    raw = T.PILToTensor()(img)
    assert raw.dtype == np.uint8 and raw.shape == (3, 12, 10)
    with pytest.raises(TypeError, match="should be an Image"):
        T.PILToTensor()(np.zeros((2, 2)))


def test_to_pil_image_as_torchvision():
    t = nl.tensor(np.array([[[0.0, 0.5], [0.999, 1.0]]], np.float32))
    img = T.ToPILImage()(t)
    assert img.mode == "L" and img.array.tolist() == [[0, 127], [254, 255]]
    rgb = T.ToPILImage()(nl.tensor(np.zeros((3, 2, 2), np.float32)))
    assert rgb.mode == "RGB" and rgb.size == (2, 2)
    hwc = T.ToPILImage()(np.zeros((2, 3, 4), np.uint8))
    assert hwc.mode == "RGBA" and hwc.size == (3, 2)
    back = T.ToPILImage()(T.PILToTensor()(_image()))
    assert back == _image()
    with pytest.raises(TypeError, match="Tensor or ndarray"):
        T.ToPILImage()([1, 2])


def test_normalize_refuses_an_image():
    with pytest.raises(TypeError, match="apply ToTensor first"):
        T.Normalize((0.5,), (0.5,))(_image())


def test_torchvision_imagenet_pipeline_on_an_image():
    pipeline = T.Compose([T.RandomResizedCrop(8), T.RandomHorizontalFlip(),
                          T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomRotation(10),
                          T.ToTensor(),
                          T.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
    out = pipeline(_image(40, 30))
    assert isinstance(out, nl.Tensor) and out.shape == (3, 8, 8) and out.dtype == np.float32
    evaluation = T.Compose([T.Resize(10), T.CenterCrop(8), T.ToTensor()])
    assert evaluation(_image(40, 30)).shape == (3, 8, 8)
