"""Tests of nnlite/ops/selection.py: narrow nonzero argwhere.

``narrow`` (differentiable) runs the table checks on hypothesis-drawn shapes, dims and
ranges: float64 gradcheck, torch parity, float32 kept, double backward against torch.
``nonzero``/``argwhere`` (int64 positions) are compared with torch on drawn masks and on
0-d and empty inputs; bad arguments raise torch's errors with the shapes named.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl

from ._cases import errors_test
from ._parity import check_double_backward, check_float32, check_parity, gradcheck
from ._shape_helpers import arrays, dim_of, randn, shapes


@st.composite
def narrow_case(draw: Any) -> tuple:
    shape = draw(shapes(min_dims=1, min_side=0))
    dim = draw(dim_of(len(shape)))
    n = shape[dim]
    start = draw(st.integers(-n, n))
    length = draw(st.integers(0, n - start % n if n and start != n else 0))
    spell = draw(st.sampled_from(["function", "method", "tensor_start"]))

    def f(x: Any) -> Any:
        if spell == "function":
            return nl.narrow(x, dim, start, length)
        if spell == "method":
            return x.narrow(dim, start, length)
        return x.narrow(dim, nl.tensor(start), length)

    def th(x: Any) -> Any:
        return x.narrow(dim, start, length)
    return draw(arrays(shape)), f, th


@given(case=narrow_case())
def test_narrow_gradcheck(case: tuple) -> None:
    a, f, _ = case
    gradcheck(f, [a])


@given(case=narrow_case())
def test_narrow_matches_torch(torch, case: tuple) -> None:
    a, f, th = case
    check_parity(torch, f, th, [a])


@settings(max_examples=5)
@given(case=narrow_case())
def test_narrow_float32_and_double_backward(torch, case: tuple) -> None:
    a, f, th = case
    check_float32(f, [a])
    check_double_backward(torch, f, th, [a])


def test_narrow_shares_memory_as_a_view() -> None:
    x = nl.tensor(np.arange(6.0).reshape(2, 3))
    assert np.shares_memory(x.narrow(1, 1, 2).numpy(), x.numpy())


MASKS = [("bool", lambda a: a > 0.3), ("float", lambda a: np.where(a > 0, a, 0.0)),
         ("int", lambda a: (a > 0).astype(np.int32) * 3)]


@pytest.mark.parametrize("kind, make", MASKS, ids=[m[0] for m in MASKS])
@given(shape=shapes(min_side=0), seed=st.integers(0, 2 ** 16))
def test_nonzero_and_argwhere_match_torch(torch, kind: str, make: Callable, shape: tuple,
                                          seed: int) -> None:
    a = make(randn(shape, seed))
    for as_tuple in (False, True):
        check_parity(torch, lambda x: nl.nonzero(x, as_tuple=as_tuple),
                     lambda x: torch.nonzero(x, as_tuple=as_tuple), [a])
        check_parity(torch, lambda x: x.nonzero(as_tuple=as_tuple),
                     lambda x: x.nonzero(as_tuple=as_tuple), [a])
    check_parity(torch, nl.argwhere, torch.argwhere, [a])
    check_parity(torch, lambda x: x.argwhere(), lambda x: x.argwhere(), [a])


def test_nonzero_as_tuple_indexes_the_tensor() -> None:
    x = nl.tensor([[0.0, 2.0], [3.0, 0.0]])
    np.testing.assert_array_equal(x[nl.nonzero(x, as_tuple=True)].numpy(), [2.0, 3.0])
    assert nl.nonzero(x).dtype == np.int64


@pytest.mark.parametrize("value", [0.0, 5.0])
def test_nonzero_of_a_0d_tensor_as_torch(torch, value: float) -> None:
    for as_tuple in (False, True):
        check_parity(torch, lambda x: nl.nonzero(x, as_tuple=as_tuple),
                     lambda x: torch.nonzero(x, as_tuple=as_tuple), [np.array(value)])


X = nl.tensor(randn((3, 4)))
BAD = [
    ("0d", lambda: nl.narrow(nl.tensor(1.0), 0, 0, 1), RuntimeError,
     r"narrow\(\) cannot be applied to a 0-dim tensor"),
    ("dim", lambda: X.narrow(2, 0, 1), IndexError, r"narrow: dim 2 is out of range"),
    ("start", lambda: X.narrow(1, -5, 2), IndexError,
     r"narrow: start out of range \(expected to be in range of \[-4, 4\], but got -5\)"),
    ("end", lambda: X.narrow(1, 3, 2), RuntimeError,
     r"narrow: start \(3\) \+ length \(2\) exceeds dimension size \(4\)"),
    ("length", lambda: X.narrow(0, 0, -1), RuntimeError, r"narrow: length must be non-negative"),
    ("float_start", lambda: X.narrow(0, nl.tensor(1.0), 1), TypeError,
     r"narrow: start must be an int or a 0-dim integer tensor"),
]


test_bad_input_raises_a_clear_error = errors_test(BAD)
