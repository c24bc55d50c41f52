"""Tests of nnlite/data/datasets/multidigit.py: MultiDigitMNIST composites are deterministic
per (seed, index) whatever the access order, the held-out split is made of MNIST test images
only (pixel for pixel), the strings fit the canvas, targets are <bos> digits <eos>, and
``collate`` pads a batch."""
from __future__ import annotations

import numpy as np
import pytest

from nnlite.data import DataLoader
from nnlite.data.datasets import MNIST, DigitLayout, MultiDigitMNIST

PAD, BOS, EOS = 0, 1, 2


@pytest.fixture(scope="module")
def test_split() -> MultiDigitMNIST:
    return MultiDigitMNIST(train=False, num_samples=500, seed=7)


@pytest.fixture(scope="module")
def mnist_test() -> MNIST:
    return MNIST(train=False)


def test_same_seed_and_index_give_the_same_composite_in_any_order(test_split):
    again = MultiDigitMNIST(train=False, num_samples=500, seed=7)
    order = np.random.default_rng(0).permutation(500)[:40]
    first = {int(i): test_split[int(i)] for i in order}                  # shuffled access
    for i in sorted(first):                                              # in order, anew
        x, y = again[i]
        assert np.array_equal(x.array, first[i][0].array)
        assert np.array_equal(y.array, first[i][1].array)
    assert np.array_equal(test_split[-1][0].array, test_split[499][0].array)


def test_another_seed_or_split_gives_other_composites(test_split):
    other = MultiDigitMNIST(train=False, num_samples=500, seed=8)
    train = MultiDigitMNIST(train=True, num_samples=500, seed=7)
    same_seed = sum(np.array_equal(test_split[i][0].array, other[i][0].array)
                    for i in range(50))
    assert same_seed == 0
    assert sum(np.array_equal(test_split[i][0].array, train[i][0].array) for i in range(50)) == 0


def test_held_out_composites_are_made_of_mnist_test_images_only(test_split, mnist_test):
    assert not test_split.train and not test_split.mnist.train
    assert len(test_split.mnist) == len(mnist_test) == 10000
    H, W = test_split.size
    for i in range(200):
        lay = test_split.layout(i)
        assert isinstance(lay, DigitLayout)
        assert lay.sources.min() >= 0 and lay.sources.max() < 10000
        assert np.array_equal(lay.digits, mnist_test.targets[lay.sources])
        # the canvas, rebuilt from the MNIST test images by the same placement rule
        canvas = np.zeros((H, W), np.uint8)
        for s, top, left in zip(lay.sources, lay.tops, lay.lefts):
            np.maximum(canvas[top:top + 28, left:left + 28], mnist_test.data[s],
                       out=canvas[top:top + 28, left:left + 28])
        x = test_split[i][0].array[0]                                    # (H, W) in [0, 1]
        assert np.array_equal(np.round(x * 255).astype(np.uint8), canvas)
        # every pixel outside the digits' boxes is blank
        covered = np.zeros((H, W), bool)
        for top, left in zip(lay.tops, lay.lefts):
            covered[top:top + 28, left:left + 28] = True
        assert not x[~covered].any()


def test_training_composites_use_the_training_images():
    train = MultiDigitMNIST(train=True, num_samples=100, seed=0)
    assert train.mnist.train and len(train.mnist) == 60000
    sources = np.concatenate([train.layout(i).sources for i in range(100)])
    assert sources.max() >= 10000                     # drawn from all 60,000, not the first 10k


def test_strings_fit_the_canvas_with_the_requested_gaps(test_split):
    H, W = test_split.size
    lengths = []
    for i in range(300):
        lay = test_split.layout(i)
        n = len(lay.digits)
        lengths.append(n)
        assert 1 <= n <= 5
        assert lay.lefts.min() >= 0 and lay.lefts.max() + 28 <= W
        assert lay.tops.min() >= 0 and lay.tops.max() + 28 <= H
        gaps = np.diff(lay.lefts) - 28
        assert ((gaps >= -2) & (gaps <= 4)).all()
    assert set(lengths) == {1, 2, 3, 4, 5}
    assert len({tuple(test_split.layout(i).tops) for i in range(50)}) > 1   # vertical jitter


def test_image_and_target_format(test_split):
    x, y = test_split[3]
    assert x.shape == (1, 32, 160) and x.dtype == np.float32
    assert 0.0 <= x.array.min() and x.array.max() <= 1.0
    lay = test_split.layout(3)
    assert y.dtype == np.int64
    assert y.tolist() == [BOS, *(lay.digits + 3).tolist(), EOS]
    assert test_split.decode(y) == "".join(map(str, lay.digits))
    assert test_split.num_tokens == 13 and test_split.max_target_len == 7
    assert MultiDigitMNIST.decode([BOS, 7, 3, EOS, 9, PAD]) == "40"


def test_collate_pads_targets_to_the_longest(test_split):
    loader = DataLoader(test_split, batch_size=16, collate_fn=MultiDigitMNIST.collate)
    images, targets = next(iter(loader))
    assert images.shape == (16, 1, 32, 160)
    t = targets.array
    lengths = [len(test_split[i][1]) for i in range(16)]
    assert t.shape == (16, max(lengths)) and t.dtype == np.int64
    for row, n in zip(t, lengths):
        assert row[0] == BOS and row[n - 1] == EOS and (row[n:] == PAD).all()


def test_options_and_bad_arguments():
    ds = MultiDigitMNIST(train=False, num_samples=20, min_digits=2, max_digits=3,
                         size=(40, 110), gap=(0, 10), seed=1)
    assert ds[0][0].shape == (1, 40, 110)
    assert {len(ds.layout(i).digits) for i in range(20)} <= {2, 3}
    assert len(MultiDigitMNIST(train=False)) == 10000
    with pytest.raises(ValueError, match="cannot hold 5 digits"):
        MultiDigitMNIST(train=False, size=(32, 120))
    with pytest.raises(ValueError, match="min_digits <= max_digits"):
        MultiDigitMNIST(train=False, min_digits=4, max_digits=2)
    with pytest.raises(ValueError, match="num_samples"):
        MultiDigitMNIST(train=False, num_samples=0)
    with pytest.raises(ValueError, match="gap"):
        MultiDigitMNIST(train=False, gap=(3, 1))
    with pytest.raises(IndexError, match="index 20 is out of range"):
        ds[20]
    assert "MultiDigitMNIST" in repr(ds) and "Test" in repr(ds)
