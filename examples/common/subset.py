"""``take``: the fixed random slice of a dataset that ``--quick`` and ``--test-size`` use."""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlite.data import Subset

__all__ = ["take"]


def take(dataset: Any, n: int | None, seed: int = 0) -> Any:
    """A random subset of ``n`` samples (fixed by ``seed``, independent of the global
    generator), or the dataset itself if ``n`` is None or not smaller."""
    if n is None or n >= len(dataset):
        return dataset
    idx = np.sort(np.random.default_rng(seed).permutation(len(dataset))[:n])
    return Subset(dataset, idx)
