"""Tests of nnlite/ops/products.py: cross kron tensordot inner.

Hypothesis draws the shapes (broadcasting for cross, size-0 and size-1 axes), the dims
and the spelling; the checks are float64 gradcheck, torch parity of values, dtypes and
gradients, float32 kept and double backward. Integer inputs, cross's default dim and bad
arguments are checked against torch.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, float32_test, gradcheck_test, lazy_torch, parity_test)
from ._parity import check_parity
from ._shape_helpers import arrays, shapes


@st.composite
def cross_case(draw: Any) -> Case:
    shape = list(draw(shapes(min_dims=1)))
    d = draw(st.integers(0, len(shape) - 1))
    shape[d] = 3
    other = [1 if draw(st.booleans()) and i != d else n for i, n in enumerate(shape)]
    dim = draw(st.sampled_from([d, d - len(shape)]))
    f = draw(st.sampled_from([lambda a, b: nl.cross(a, b, dim=dim),
                              lambda a, b: a.cross(b, dim)]))
    return Case([draw(arrays(tuple(shape))), draw(arrays(tuple(other)))], f,
                lambda a, b: lazy_torch().cross(a, b, dim=dim))


@st.composite
def kron_case(draw: Any) -> Case:
    a, b = draw(shapes(min_side=0)), draw(shapes(min_side=0))
    f = draw(st.sampled_from([nl.kron, lambda x, y: x.kron(y)]))
    return Case([draw(arrays(a)), draw(arrays(b))], f, lambda x, y: lazy_torch().kron(x, y))


@st.composite
def tensordot_case(draw: Any) -> Case:
    a = draw(shapes(min_side=0))
    if draw(st.booleans()):                              # dims as an int
        k = draw(st.integers(0, len(a)))
        b = a[len(a) - k:] + draw(shapes(max_dims=2, min_side=0))
        dims: Any = k
    else:                                                # dims as two lists
        free = draw(shapes(max_dims=2, min_side=0))
        da = draw(st.permutations(range(len(a))).map(lambda p: list(p)))
        k = draw(st.integers(0, len(a)))
        da = da[:k]
        order = draw(st.permutations(range(k + len(free))))
        sizes = [a[i] for i in da] + list(free)
        b = tuple(sizes[i] for i in order)
        db = [list(order).index(j) for j in range(k)]
        dims = (da, db)
    return Case([draw(arrays(a)), draw(arrays(b))], lambda x, y: nl.tensordot(x, y, dims),
                lambda x, y: lazy_torch().tensordot(x, y, dims))


@st.composite
def inner_case(draw: Any) -> Case:
    n = draw(st.integers(0, 3))
    a = draw(shapes(max_dims=2)) + (n,)
    b = draw(shapes(max_dims=2)) + (n,)
    if draw(st.integers(0, 4)) == 0:
        a = ()
    f = draw(st.sampled_from([nl.inner, lambda x, y: x.inner(y)]))
    return Case([draw(arrays(a)), draw(arrays(b))], f, lambda x, y: lazy_torch().inner(x, y))


CASES = {"cross": cross_case(), "kron": kron_case(), "tensordot": tensordot_case(),
         "inner": inner_case()}


# ============================================================================
# Gradients, parity, dtype, double backward
# ============================================================================
test_gradcheck = gradcheck_test(CASES, when=lambda case: all(a.size for a in case.arrays))
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES, max_examples=5)


# ============================================================================
# Integers, cross's default dim, errors
# ============================================================================
INTEGER = [("cross", lambda T, a, b: T.cross(a, b, dim=1)),
           ("kron", lambda T, a, b: T.kron(a, b)),
           ("tensordot", lambda T, a, b: T.tensordot(a, b, ([1], [1]))),
           ("inner", lambda T, a, b: T.inner(a, b))]


@pytest.mark.parametrize("name, f", INTEGER, ids=[n for n, _ in INTEGER])
def test_integer_inputs(torch, name: str, f: Callable) -> None:
    a = np.arange(6).reshape(2, 3) - 2
    b = (np.arange(6).reshape(2, 3) * 5) % 7
    check_parity(torch, lambda x, y: f(nl, x, y), lambda x, y: f(torch, x, y), [a, b])


def test_cross_without_dim_takes_the_first_dim_of_size_3_and_warns(torch) -> None:
    a, b = np.random.default_rng(0).standard_normal((2, 3, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_parity(torch, nl.cross, torch.cross, [a, b])
    with pytest.warns(UserWarning, match="dim"):
        nl.cross(nl.tensor(a), nl.tensor(b))


BAD = [("cross_size", lambda T: T.cross(T.ones(2, 4), T.ones(2, 4), dim=1)),
       ("cross_ndim", lambda T: T.cross(T.ones(2, 3), T.ones(3), dim=-1)),
       ("tensordot_sizes", lambda T: T.tensordot(T.ones(2, 3), T.ones(2, 3), dims=1)),
       ("tensordot_dtypes", lambda T: T.tensordot(T.ones(2), T.ones(2, dtype=T.float64), 1)),
       ("inner_sizes", lambda T: T.inner(T.ones(2, 3), T.ones(2)))]


@pytest.mark.parametrize("name, f", BAD, ids=[n for n, _ in BAD])
def test_bad_arguments_raise_as_torch(torch, name: str, f: Callable) -> None:
    with pytest.raises(RuntimeError):
        f(torch)
    with pytest.raises(RuntimeError, match=name.split("_")[0]):
        f(nl)


def test_tensordot_rejects_bad_dims() -> None:
    with pytest.raises(ValueError, match="dims >= 0"):
        nl.tensordot(nl.ones(2), nl.ones(2), -1)
    with pytest.raises(ValueError, match="same length"):
        nl.tensordot(nl.ones(2, 2), nl.ones(2, 2), ([0, 1], [0]))
    with pytest.raises(TypeError, match="pair of lists"):
        nl.tensordot(nl.ones(2), nl.ones(2), "x")


def test_tensordot_dims_as_a_tensor(torch) -> None:
    a, b = np.ones((2, 3)), np.ones((3, 2))
    check_parity(torch, lambda x, y: nl.tensordot(x, y, nl.tensor([[1], [0]])),
                 lambda x, y: torch.tensordot(x, y, torch.tensor([[1], [0]])), [a, b])
    check_parity(torch, lambda x, y: nl.tensordot(x, y, nl.tensor(1)),
                 lambda x, y: torch.tensordot(x, y, torch.tensor(1)), [a, b])
