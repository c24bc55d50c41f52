"""Tests for the distances: F.pdist (nnlite/ops/distance.py) and the PairwiseDistance and
CosineSimilarity modules (nnlite/nn/distance.py): torch parity (values and gradients,
including rows at distance 0 and every p), gradient checks with hypothesis shapes, repr
and errors.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl
import nnlite.nn as nn
import nnlite.nn.functional as F
from tests.ops._parity import check_parity, gradcheck


@pytest.mark.parametrize("p", [0, 1, 1.5, 2, 3, np.inf])
def test_pdist_parity(torch, p):
    x = np.random.default_rng(0).standard_normal((6, 4))
    x[4] = x[1]                                      # a zero distance
    check_parity(torch, lambda t: F.pdist(t, p), lambda t: torch.pdist(t, p), [x])


@pytest.mark.parametrize("n", [0, 1, 2])
def test_pdist_small(torch, n):
    x = np.random.default_rng(0).standard_normal((n, 3))
    assert F.pdist(nl.tensor(x)).shape == tuple(torch.pdist(torch.tensor(x)).shape)


@given(n=st.integers(2, 5), m=st.integers(1, 4), p=st.sampled_from([1, 2, 3]),
       seed=st.integers(0, 2**16))
def test_pdist_gradcheck(n, m, p, seed):
    x = np.random.default_rng(seed).standard_normal((n, m))
    gradcheck(lambda t: F.pdist(t, p), [x])


def test_pdist_errors():
    with pytest.raises(ValueError, match="only supports 2D tensors, got: 3D"):
        F.pdist(nl.randn(2, 3, 4))
    with pytest.raises(ValueError, match="non-negative p"):
        F.pdist(nl.randn(2, 3), -1)
    with pytest.raises(TypeError, match="floating"):
        F.pdist(nl.tensor([[1, 2], [3, 4]]))


@pytest.mark.parametrize("kw", [dict(), dict(p=1.0, eps=1e-3, keepdim=True), dict(p=3.0)],
                         ids=str)
def test_pairwise_distance_module(torch, kw):
    ours, theirs = nn.PairwiseDistance(**kw), torch.nn.PairwiseDistance(**kw)
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(1)
    check_parity(torch, ours, theirs, [rng.standard_normal((5, 4)), rng.standard_normal((5, 4))])
    check_parity(torch, ours, theirs, [rng.standard_normal(4), rng.standard_normal((3, 4))])


@pytest.mark.parametrize("kw", [dict(), dict(dim=0, eps=1e-3), dict(dim=-1)], ids=str)
def test_cosine_similarity_module(torch, kw):
    ours, theirs = nn.CosineSimilarity(**kw), torch.nn.CosineSimilarity(**kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == []
    rng = np.random.default_rng(2)
    check_parity(torch, ours, theirs, [rng.standard_normal((3, 4, 2)),
                                       rng.standard_normal((3, 4, 2))])


@given(n=st.integers(1, 3), d=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_distance_modules_gradcheck(n, d, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((n, d)), rng.standard_normal((n, d))
    gradcheck(nn.PairwiseDistance(), [a, b])
    gradcheck(nn.CosineSimilarity(), [a, b])
