"""Hypothesis strategies of tests/ops/test_reduction.py, test_shape.py and
test_indexing.py, whose checks are those of tests/ops/_parity.py.

They draw small shapes (gradcheck costs two forwards per element) and arrays from a
drawn seed: continuous values, so no ties at a max and no kinks.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


# ---- strategies ----------------------------------------------------------------
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy:
    """Small shapes: size-1 axes, odd sizes, and size-0 axes when ``min_side=0``."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def randn(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(tuple(shape))


def arrays(shape: Sequence[int]) -> st.SearchStrategy:
    """A float64 standard-normal array of ``shape`` from a drawn seed."""
    return st.integers(0, 2 ** 16).map(lambda s: randn(shape, s))


def dim_of(ndim: int) -> st.SearchStrategy:
    """A valid dim of an ``ndim``-dim tensor, negative or not (0 or -1 for 0-d)."""
    n = max(ndim, 1)
    return st.integers(-n, n - 1)
