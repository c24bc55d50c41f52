"""Tests for F.max_pool1d/2d_with_indices and F.adaptive_max_pool1d/2d_with_indices
(nnlite/nn/functional.py): the pooling functions with ``return_indices=True``, equal to
torch's (values, indices, gradient) and accepted by max_unpool.
"""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from tests.ops._parity import check_parity

CASES = [("max_pool1d_with_indices", (2, 3, 9), dict(kernel_size=3, stride=2, padding=1)),
         ("max_pool2d_with_indices", (2, 3, 6, 7), dict(kernel_size=2, ceil_mode=True)),
         ("adaptive_max_pool1d_with_indices", (2, 3, 9), dict(output_size=4)),
         ("adaptive_max_pool2d_with_indices", (2, 3, 6, 7), dict(output_size=(3, 2)))]


@pytest.mark.parametrize("name,shape,kw", CASES, ids=[c[0] for c in CASES])
def test_parity(torch, name, shape, kw):
    x = np.random.default_rng(0).standard_normal(shape)
    check_parity(torch, lambda t: getattr(F, name)(t, **kw),
                 lambda t: getattr(torch.nn.functional, name)(t, **kw), [x])


def test_unpool_round_trip():
    x = nl.randn(1, 2, 4, 4)
    y, idx = F.max_pool2d_with_indices(x, 2)
    assert F.max_unpool2d(y, idx, 2).shape == (1, 2, 4, 4)
