"""The new random transforms keep the package's contract (nnlite/data/transforms/base.py):
a batched call equals per-sample calls with the same draws, a seed repeats them, arrays give
arrays and Tensors give Tensors."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import transforms as T

RANDOM = [
    lambda: T.RandomResizedCrop(5),
    lambda: T.RandomResizedCrop((4, 6), interpolation="nearest"),
    lambda: T.ColorJitter(0.4, 0.4, 0.4, 0.1),
    lambda: T.RandomRotation(30, interpolation="bilinear", fill=0.5),
    lambda: T.RandomRotation((-90, 90)),
]


def _slice(params, k):
    return {key: (None if v is None else v[k:k + 1]) for key, v in params.items()}


@pytest.mark.parametrize("make", RANDOM)
def test_batched_equals_per_sample_with_the_same_draws(make):
    images = np.random.default_rng(0).random((6, 3, 7, 9)).astype(np.float32)
    t = make()
    params = t.get_params(len(images), images.shape[1:], np.random.default_rng(1))
    batched = t.apply(images, params)
    for k in range(len(images)):
        single = t.apply(images[k:k + 1], _slice(params, k))[0]
        np.testing.assert_allclose(batched[k], single, rtol=1e-6, atol=1e-6)
    assert batched.dtype == np.float32


@pytest.mark.parametrize("make", RANDOM)
def test_seeded_and_type_preserving(make):
    images = np.random.default_rng(0).random((4, 3, 7, 9)).astype(np.float32)
    t = make()
    nl.manual_seed(5)
    a = t.batch(images)
    nl.manual_seed(5)
    b = t.batch(nl.tensor(images))
    assert isinstance(a, np.ndarray) and isinstance(b, nl.Tensor)
    np.testing.assert_array_equal(a, b.numpy())
    single = t(nl.tensor(images[0]))
    assert isinstance(single, nl.Tensor) and single.shape[0] == 3
