"""Tests of nnlite/ops/sorting.py: sort argsort msort topk kthvalue.

Each entry of ``CASES`` is a hypothesis strategy drawing a ``Case``: the input array
(continuous values, so no ties) and the same call in nnlite (the function or the Tensor
method, drawn) and in torch. One test per property runs over the whole table; ties, NaN,
0-d and empty inputs, and bad arguments are checked separately against torch.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, either, errors_test, float32_test, gradcheck_test,
    lazy_torch, parity_test)
from ._parity import check_parity
from ._shape_helpers import arrays, dim_of, randn, shapes


# ============================================================================
# The cases
# ============================================================================
@st.composite
def sort_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    dim = draw(dim_of(len(shape)))
    desc, stable = draw(st.booleans()), draw(st.booleans())
    f = either(draw, lambda x: nl.sort(x, dim, desc, stable=stable),
                lambda x: x.sort(dim, desc, stable=stable))
    return Case([draw(arrays(shape))], f,
                lambda x: lazy_torch().sort(x, dim=dim, descending=desc, stable=stable))


@st.composite
def argsort_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    dim = draw(dim_of(len(shape)))
    desc = draw(st.booleans())
    f = either(draw, lambda x: nl.argsort(x, dim, desc), lambda x: x.argsort(dim, desc))
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().argsort(x, dim, desc))


@st.composite
def msort_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, min_side=0))
    f = either(draw, nl.msort, lambda x: x.msort())
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().msort(x))


@st.composite
def topk_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    dim = draw(dim_of(len(shape)))
    n = shape[dim] if shape else 1
    k = draw(st.integers(0, n))
    largest = draw(st.booleans())
    f = either(draw, lambda x: nl.topk(x, k, dim, largest),
                lambda x: x.topk(k, dim, largest, True))
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().topk(x, k, dim, largest))


@st.composite
def kthvalue_case(draw: Any) -> Case:
    shape = draw(shapes())
    dim = draw(dim_of(len(shape)))
    n = shape[dim] if shape else 1
    k = draw(st.integers(1, n))
    keepdim = draw(st.booleans())
    f = either(draw, lambda x: nl.kthvalue(x, k, dim, keepdim),
                lambda x: x.kthvalue(k, dim, keepdim))
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().kthvalue(x, k, dim, keepdim))


CASES = {"sort": sort_case(), "argsort": argsort_case(), "msort": msort_case(),
         "topk": topk_case(), "kthvalue": kthvalue_case()}
GRAD = [n for n in CASES if n != "argsort"]


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
test_gradcheck = gradcheck_test(CASES, GRAD, prepare=lambda name, case: (
    lambda x: case.nl(x)[0] if name != "msort" else case.nl(x), case.arrays))
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES, GRAD)
test_double_backward = double_backward_test(CASES, GRAD, max_examples=5)


# ============================================================================
# Semantics to match torch: ties (stable), NaN, 0-d, integers, result type
# ============================================================================
TIES = np.array([[2.0, 1.0, 2.0, 0.0, 1.0, 2.0], [5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
                 [-1.0, 3.0, -1.0, 3.0, 0.0, 0.0]])


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, 1])
def test_stable_sort_keeps_the_order_of_ties_as_torch(torch, descending: bool,
                                                      dim: int) -> None:
    check_parity(torch, lambda x: nl.sort(x, dim, descending, stable=True),
                 lambda x: torch.sort(x, dim=dim, descending=descending, stable=True), [TIES])
    check_parity(torch, lambda x: nl.argsort(x, dim, descending, stable=True),
                 lambda x: torch.argsort(x, dim=dim, descending=descending, stable=True),
                 [TIES])


NAN = np.array([3.0, np.nan, 1.0, -np.inf, 2.0, np.inf])
NAN_OPS = [("sort", lambda T, x: T.sort(x)),
           ("sort_desc", lambda T, x: T.sort(x, descending=True)),
           ("argsort", lambda T, x: T.argsort(x)),
           ("topk", lambda T, x: T.topk(x, 3)),
           ("topk_smallest", lambda T, x: T.topk(x, 3, largest=False)),
           ("kthvalue_last", lambda T, x: T.kthvalue(x, 6)),
           ("kthvalue", lambda T, x: T.kthvalue(x, 2))]


@pytest.mark.parametrize("name, f", NAN_OPS, ids=[n for n, _ in NAN_OPS])
def test_nan_ranks_above_every_number_as_torch(torch, name: str, f: Callable) -> None:
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [NAN])


ZERO_D = [("sort", lambda T, x: T.sort(x)), ("argsort", lambda T, x: T.argsort(x)),
          ("topk1", lambda T, x: T.topk(x, 1)), ("topk0", lambda T, x: T.topk(x, 0)),
          ("kthvalue", lambda T, x: T.kthvalue(x, 1, 0))]


@pytest.mark.parametrize("name, f", ZERO_D, ids=[n for n, _ in ZERO_D])
def test_zero_dim_input_as_torch(torch, name: str, f: Callable) -> None:
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [np.array(1.5)])


INTEGER = [("sort", lambda T, x: T.sort(x, dim=1, stable=True)),
           ("argsort", lambda T, x: T.argsort(x, dim=0, descending=True, stable=True)),
           ("topk", lambda T, x: T.topk(x, 1, 0))]


@pytest.mark.parametrize("name, f, dtype",
                         [(n, f, d) for n, f in INTEGER for d in (np.int64, np.int32, np.bool_)
                          if not (n == "topk" and d is np.bool_)])     # torch: no bool topk
def test_integer_and_bool_inputs(torch, name: str, f: Callable, dtype: Any) -> None:
    a = (np.arange(12).reshape(3, 4) * 7 % 5).astype(dtype)
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [a])


def test_results_have_values_and_indices_and_grad_fn_names() -> None:
    x = nl.tensor(randn((3, 4)), requires_grad=True)
    for r, name in ((nl.sort(x), "SortBackward"), (nl.topk(x, 2), "TopKBackward"),
                    (nl.kthvalue(x, 2), "KthValueBackward")):
        values, indices = r
        assert r.values is values and r.indices is indices
        assert indices.dtype == np.int64 and not indices.requires_grad
        assert values.grad_fn.name() == name


def test_topk_gradient_goes_to_the_chosen_positions() -> None:
    x = nl.tensor([1.0, 5.0, 3.0, 4.0], requires_grad=True)
    nl.topk(x, 2).values.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [0.0, 1.0, 0.0, 1.0])


# ============================================================================
# Bad input
# ============================================================================
X = nl.tensor(randn((2, 3)))
BAD = [
    ("sort_dim", lambda: nl.sort(X, 2), IndexError, r"sort: dim 2 is out of range"),
    ("argsort_dim", lambda: X.argsort(-3), IndexError, r"argsort: dim -3"),
    ("topk_k", lambda: nl.topk(X, 4), RuntimeError,
     r"topk: selected index k out of range: k=4 for dim -1 of size 3"),
    ("topk_negative", lambda: X.topk(-1), RuntimeError, r"topk: selected index k out of range"),
    ("topk_float", lambda: X.topk(1.0), TypeError, r"topk: k must be an int"),
    ("kthvalue_k", lambda: nl.kthvalue(X, 0), RuntimeError,
     r"kthvalue: selected number k out of range: k=0"),
    ("kthvalue_big", lambda: X.kthvalue(3, 0), RuntimeError, r"k=3 for dim 0 of size 2"),
    ("kthvalue_dim", lambda: X.kthvalue(1, 2), IndexError, r"kthvalue: dim 2"),
]


test_bad_input_raises_a_clear_error = errors_test(BAD)
