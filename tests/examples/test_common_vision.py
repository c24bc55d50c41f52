"""What the image-classification examples share (examples/common/vision.py): pixel
statistics, the data choice (CIFAR-10 or MNIST-32), transforms, and the classification step
with multi-view averaging."""
import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn
from nnlite.data import transforms as T
from nnlite.data.download import DatasetNotFoundError
from common.vision import (RepeatChannels, classification_step, load_image_data, pixel_stats,
                           with_transform)      # examples/common: on sys.path, see __init__.py


def test_pixel_stats_match_numpy():
    g = np.random.default_rng(0)
    base = g.integers(0, 256, size=(50, 8, 8, 1))
    images = np.clip(base + g.integers(-40, 40, size=(50, 8, 8, 3)), 0, 255).astype(np.uint8)
    s = pixel_stats(images)
    px = images.reshape(-1, 3) / 255.0                       # float64 oracle
    np.testing.assert_allclose(s.mean, px.mean(0), rtol=1e-5)
    np.testing.assert_allclose(s.std, px.std(0), rtol=1e-4)
    val, vec = np.linalg.eigh(np.cov(px, rowvar=False, bias=True))
    np.testing.assert_allclose(s.eigval, val[::-1], rtol=1e-4)
    np.testing.assert_allclose(np.abs(s.eigvec), np.abs(vec[:, ::-1]), atol=1e-4)
    # grey images seen by a colour model: one component, the brightness (1, 1, 1) / sqrt 3
    grey = pixel_stats(images[..., 0], channels=3)
    np.testing.assert_allclose(np.abs(grey.eigvec[:, 0]), 3 ** -0.5, rtol=1e-5)
    assert grey.eigval[1:].max() < 1e-6 * grey.eigval[0] and len(set(grey.mean)) == 1


def test_repeat_channels_and_with_transform():
    x = np.arange(8, dtype=np.float32).reshape(1, 2, 4)
    assert RepeatChannels(3)(x).shape == (3, 2, 4)
    out = RepeatChannels(3).batch(nl.tensor(x[None]))
    assert isinstance(out, nl.Tensor) and out.shape == (1, 3, 2, 4)
    with pytest.raises(ValueError, match="expected 1 channel"):
        RepeatChannels(3)(np.zeros((2, 4, 4), np.float32))
    data = load_image_data(dataset="mnist", channels=3, log=None)
    view = with_transform(data.test, T.ToTensor())
    assert view.data is data.test.data and view.transform is not data.test.transform


def test_mnist32_transforms_normalise_and_repeat():
    data = load_image_data(dataset="mnist", channels=3, log=None)
    assert data.name == "MNIST-32" and data.gray and data.channels == 3
    assert data.train.data.shape == (60000, 32, 32) and len(data.test) == 10000
    data.train.transform = data.transform([T.RandomCrop(32, padding=4), data.pca_lighting()])
    x, y = data.train.__getitems__(np.arange(500))
    assert x.shape == (500, 3, 32, 32) and x.dtype == np.float32
    assert abs(float(x.array.mean())) < 0.1 and abs(float(x.array.std()) - 1) < 0.1
    tencrop = data.transform([T.Pad(4), T.TenCrop(32)])
    assert tencrop.batch(data.test.data[:2]).shape == (2, 10, 3, 32, 32)
    assert load_image_data(dataset="mnist", log=None).channels == 1


def test_cifar10_when_present_else_mnist(tmp_path):
    messages = []
    assert load_image_data(tmp_path, log=messages.append).name == "MNIST-32"
    assert "CIFAR-10 not found" in messages[0]
    with pytest.raises(DatasetNotFoundError, match="cifar-10-binary.tar.gz"):
        load_image_data(tmp_path, "cifar10")
    with pytest.raises(ValueError, match="dataset must be"):
        load_image_data(tmp_path, "imagenet")
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    records = np.random.default_rng(0).integers(0, 256, size=(4, 3073), dtype=np.uint8)
    records[:, 0] = [0, 1, 2, 3]
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        (folder / name).write_bytes(records.tobytes())
    data = load_image_data(tmp_path, log=None)
    assert (data.name, data.channels, data.gray, len(data.train)) == ("CIFAR-10", 3, False, 20)
    assert data.transform().batch(data.test.data).shape == (4, 3, 32, 32)


def test_classification_step_single_and_multi_view():
    nl.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 5))
    x = nl.randn(6, 3, 2, 2)
    y = nl.tensor(np.array([0, 1, 2, 3, 4, 0]))
    step = classification_step(model)
    loss, stats = step((x, y))
    logits = model(x)
    assert float(loss.item()) == pytest.approx(float(F.cross_entropy(logits, y).item()))
    assert stats == {"n": 6, "correct": int((logits.array.argmax(1) == y.array).sum())}
    # K identical views average to the single view; distinct views average the softmax
    with nl.no_grad():
        same_loss, same = step((nl.tensor(np.repeat(x.array[:, None], 4, axis=1)), y))
        assert same_loss == pytest.approx(float(loss.item()), rel=1e-5) and same == stats
        views = nl.randn(6, 4, 3, 2, 2)
        multi_loss, multi = step((views, y))
    s = model(views.reshape(24, 3, 2, 2)).array.astype(np.float64).reshape(6, 4, 5)
    p = (np.exp(s) / np.exp(s).sum(-1, keepdims=True)).mean(1)
    assert multi_loss == pytest.approx(-np.log(p[np.arange(6), y.array]).mean(), rel=1e-5)
    assert multi["correct"] == int((p.argmax(1) == y.array).sum())
    # other outputs: scores turns them into class scores (RBF penalties: the smallest wins)
    penalties = classification_step(model, criterion=lambda out, t: out.mean(),
                                     scores=lambda out: -out.array)
    assert penalties((x, y))[1]["correct"] == int((logits.array.argmin(1) == y.array).sum())
