"""Tests for nnlite/ops/norms.py: norm / vector_norm for every order, over all elements or
some axes, against torch (values and gradients, zeros included) and float64 gradchecks."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl

from ._parity import assert_close, check_parity, gradcheck

ORDERS = ["fro", 1, 2, 3, 0.5, -1.5, math.inf, -math.inf, 0]


@st.composite
def arrays_and_dims(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-3, 3).filter(
        lambda v: abs(v) > 0.1)))
    dim = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1),
                         st.lists(st.integers(0, len(shape) - 1), min_size=1,
                                  max_size=len(shape), unique=True).map(tuple)))
    return x, dim, draw(st.booleans())


@pytest.mark.parametrize("p", ORDERS)
@given(case=arrays_and_dims())
def test_norm_matches_torch(torch, p, case):
    x, dim, keepdim = case
    if p == "fro" and isinstance(dim, tuple) and len(dim) > 2:
        with pytest.raises(RuntimeError, match="fro"):
            nl.tensor(x).norm(p, dim)
        return
    check_parity(torch, lambda t: t.norm(p, dim, keepdim), lambda t: t.norm(p, dim, keepdim),
                 [x])


@pytest.mark.parametrize("p", [2, 1, 3, 0.5])
@given(case=arrays_and_dims())
def test_norm_gradcheck(p, case):
    x, dim, keepdim = case
    gradcheck(lambda t: nl.norm(t, p, dim, keepdim), [x])


@pytest.mark.parametrize("p", ORDERS)
def test_zero_entries_and_zero_norms_give_torch_gradients(torch, p):
    x = np.array([[3.0, -4.0, 0.0], [0.0, 0.0, 0.0]])
    check_parity(torch, lambda t: t.norm(p, 1), lambda t: t.norm(p, 1), [x])


def test_grad_norm_idiom_and_errors():
    w = nl.tensor([3.0, 4.0], requires_grad=True)
    (w * w).sum().backward()
    assert_close(w.grad.norm(), np.float32(10.0))
    with pytest.raises(ValueError, match="nuclear"):
        nl.norm(w, "nuc")
    with pytest.raises(RuntimeError, match="floating"):
        nl.norm(nl.tensor([1, 2]))
