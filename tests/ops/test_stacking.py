"""Tests of nnlite/ops/stacking.py: hstack vstack row_stack dstack column_stack fliplr
flipud rot90.

Hypothesis draws the shapes (0-d to 3-D, size-0 axes included), k and the dims; the
checks are float64 gradcheck, torch parity of values, dtypes and gradients, float32 kept
and double backward. Dtype promotion and bad arguments are checked against torch.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, float32_test, gradcheck_test, lazy_torch, parity_test)
from ._shape_helpers import arrays, randn, shapes


@st.composite
def stack_case(draw: Any, name: str) -> Case:
    """Two or three tensors that ``name`` can join: same shape but for the joined dim."""
    nd = draw(st.integers(0, 3))
    base = list(draw(shapes(min_dims=nd, max_dims=nd, min_side=1)))
    count = draw(st.integers(1, 3))
    joined = {"hstack": 0 if nd <= 1 else 1, "vstack": 0, "row_stack": 0,
              "dstack": 2, "column_stack": 1}[name]
    arrs = []
    for _ in range(count):
        s = list(base)
        if name == "column_stack" and nd <= 1:
            pass                                    # 0-d / 1-D: columns of one length
        elif name in ("vstack", "row_stack") and nd <= 1:
            pass                                    # rows of one length
        elif name == "dstack" and nd <= 2:
            pass
        elif len(s) > joined:
            s[joined] = draw(st.integers(0, 3))
        arrs.append(draw(arrays(tuple(s))))
    return Case(arrs, lambda *t: getattr(nl, name)(list(t)),
                lambda *t: getattr(lazy_torch(), name)(list(t)))


@st.composite
def flip_case(draw: Any, name: str) -> Case:
    shape = draw(shapes(min_dims=2 if name == "fliplr" else 1, min_side=0))
    f = draw(st.sampled_from([getattr(nl, name), lambda x: getattr(x, name)()]))
    return Case([draw(arrays(shape))], f, lambda x: getattr(lazy_torch(), name)(x))


@st.composite
def rot90_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=2, min_side=0))
    k = draw(st.integers(-5, 5))
    d0, d1 = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=2,
                           max_size=2).filter(lambda d: d[0] % len(shape) != d[1] % len(shape)))
    f = draw(st.sampled_from([lambda x: nl.rot90(x, k, [d0, d1]),
                              lambda x: x.rot90(k, (d0, d1))]))
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().rot90(x, k, [d0, d1]))


CASES = {**{n: stack_case(n) for n in ("hstack", "vstack", "row_stack", "dstack",
                                       "column_stack")},
         "fliplr": flip_case("fliplr"), "flipud": flip_case("flipud"), "rot90": rot90_case()}


# ============================================================================
# Gradients, parity, dtype, double backward
# ============================================================================
test_gradcheck = gradcheck_test(CASES, when=lambda case: any(a.size for a in case.arrays))
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES, max_examples=5)


# ============================================================================
# Dtypes, errors
# ============================================================================
@pytest.mark.parametrize("name", ["hstack", "vstack", "row_stack", "dstack", "column_stack"])
def test_dtypes_promote_as_torch(torch, name: str) -> None:
    a, b = np.array([1, 2], np.int32), np.array([True, False])
    c = np.array([0.5, 1.5], np.float32)
    for xs in ([a, b], [a, c], [b, b]):
        ours = getattr(nl, name)([nl.tensor(x) for x in xs])
        theirs = getattr(torch, name)([torch.tensor(x) for x in xs])
        assert ours.dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


BAD = [("fliplr_1d", lambda T: T.fliplr(T.ones(3))),
       ("flipud_0d", lambda T: T.flipud(T.tensor(1.0))),
       ("rot90_1d", lambda T: T.rot90(T.ones(3))),
       ("rot90_same_dims", lambda T: T.rot90(T.ones(2, 2), 1, [1, 1])),
       ("rot90_three_dims", lambda T: T.rot90(T.ones(2, 2, 2), 1, [0, 1, 2])),
       ("hstack_mismatch", lambda T: T.hstack([T.ones(2, 2), T.ones(3, 2)])),
       ("vstack_empty_list", lambda T: T.vstack([]))]


@pytest.mark.parametrize("name, f", BAD, ids=[n for n, _ in BAD])
def test_bad_arguments_raise_as_torch(torch, name: str, f: Callable) -> None:
    with pytest.raises(RuntimeError):
        f(torch)
    with pytest.raises((RuntimeError, ValueError), match=name.split("_")[0]):
        f(nl)


def test_rot90_by_zero_is_a_copy() -> None:
    x = nl.tensor(randn((2, 3)))
    y = nl.rot90(x, 4)
    assert y is not x and np.array_equal(y.numpy(), x.numpy())
