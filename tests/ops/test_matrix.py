"""Tests of nnlite/ops/matrix.py: t tril triu diag diagonal trace addmm.

Each entry of ``CASES`` is a hypothesis strategy drawing a ``Case``: the input arrays and
the same call in nnlite (the function or the Tensor method, drawn) and in torch. One
test per property runs over the whole table: float64 gradcheck, torch parity of values
and gradients, float32 kept, double backward against torch.
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
from ._shape_helpers import arrays, randn, shapes


# ============================================================================
# The cases
# ============================================================================
@st.composite
def tri_case(draw: Any, name: str) -> Case:
    shape = draw(shapes(min_dims=2, max_dims=4, min_side=0))
    k = draw(st.integers(-4, 4))
    f = either(draw, lambda x: getattr(nl, name)(x, k), lambda x: getattr(x, name)(k))
    return Case([draw(arrays(shape))], f, lambda x: getattr(lazy_torch(), name)(x, k))


@st.composite
def diagonal_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=2, max_dims=4, min_side=0))
    n = len(shape)
    d1, d2 = draw(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2).filter(
        lambda ds: ds[0] % n != ds[1] % n))
    k = draw(st.integers(-4, 4))
    f = either(draw, lambda x: nl.diagonal(x, k, d1, d2), lambda x: x.diagonal(k, d1, d2))
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().diagonal(x, k, d1, d2))


@st.composite
def diag_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, max_dims=2, min_side=0))
    k = draw(st.integers(-3, 3))
    f = either(draw, lambda x: nl.diag(x, k), lambda x: x.diag(k))
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().diag(x, k))


@st.composite
def trace_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=2, max_dims=2, min_side=0))
    f = either(draw, nl.trace, lambda x: x.trace())
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().trace(x))


@st.composite
def t_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=0, max_dims=2, min_side=0))
    f = either(draw, nl.t, lambda x: x.t())
    return Case([draw(arrays(shape))], f, lambda x: x.t())


@st.composite
def addmm_case(draw: Any) -> Case:
    n, m, p = draw(st.tuples(*[st.integers(1, 4)] * 3))
    in_shape = draw(st.sampled_from([(n, p), (p,), (1, p), (n, 1), ()]))
    beta, alpha = draw(st.sampled_from([(1, 1), (0.5, 2.0), (0, 1.5), (-1, 1)]))
    f = either(draw, lambda c, a, b: nl.addmm(c, a, b, beta=beta, alpha=alpha),
                lambda c, a, b: c.addmm(a, b, beta=beta, alpha=alpha)
                if c.ndim == 2 else nl.addmm(c, a, b, beta=beta, alpha=alpha))
    arrs = [draw(arrays(in_shape)), draw(arrays((n, m))), draw(arrays((m, p)))]
    return Case(arrs, f, lambda c, a, b: lazy_torch().addmm(c, a, b, beta=beta, alpha=alpha))


@st.composite
def mm_case(draw: Any) -> Case:
    n, m, p = draw(st.tuples(*[st.integers(1, 4)] * 3))
    return Case([draw(arrays((n, m))), draw(arrays((m, p)))], lambda a, b: a.mm(b),
                lambda a, b: a.mm(b))


CASES = {"tril": tri_case("tril"), "triu": tri_case("triu"), "diagonal": diagonal_case(),
         "diag": diag_case(), "trace": trace_case(), "t": t_case(), "addmm": addmm_case(),
         "mm_method": mm_case()}


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
test_gradcheck = gradcheck_test(CASES)
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES, max_examples=5)


# ============================================================================
# Semantics to match torch: integer dtypes, names, beta=0
# ============================================================================
INTEGER = [("tril", lambda T, x: T.tril(x, -1)), ("triu", lambda T, x: T.triu(x, 1)),
           ("diag", lambda T, x: T.diag(x)), ("diagonal", lambda T, x: T.diagonal(x, 0, 1, 0)),
           ("trace", lambda T, x: T.trace(x))]


@pytest.mark.parametrize("name, f, dtype",
                         [(n, f, d) for n, f in INTEGER for d in (np.int32, np.int64, np.bool_)
                          if not (n == "trace" and d is np.bool_)])      # torch: no bool trace
def test_integer_and_bool_inputs_match_torch(torch, name: str, f: Callable,
                                             dtype: Any) -> None:
    a = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    ours, theirs = f(nl, nl.tensor(a)), f(torch, torch.tensor(a))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == theirs.numpy().dtype


def test_diag_of_a_vector_places_it_on_an_offset_diagonal() -> None:
    y = nl.diag(nl.tensor([1.0, 2.0]), -1)
    np.testing.assert_array_equal(y.numpy(), np.diag([1.0, 2.0], -1))


def test_addmm_with_beta_zero_ignores_nan_in_the_input(torch) -> None:
    c = np.full((2, 3), np.nan)
    a, b = randn((2, 4)), randn((4, 3), 1)
    check_parity(torch, lambda c, a, b: nl.addmm(c, a, b, beta=0),
                 lambda c, a, b: torch.addmm(c, a, b, beta=0), [c, a, b])


def test_grad_fn_names() -> None:
    x = nl.tensor(randn((3, 3)), requires_grad=True)
    assert nl.tril(x).grad_fn.name() == "TrilBackward"
    assert nl.triu(x).grad_fn.name() == "TriuBackward"
    assert nl.diagonal(x).grad_fn.name() == "DiagonalBackward"


# ============================================================================
# Bad input
# ============================================================================
X = nl.tensor(randn((2, 3, 4)))
BAD = [
    ("tril_1d", lambda: nl.tril(nl.ones(3)), RuntimeError,
     r"tril: input tensor must have at least 2 dimensions, got shape \(3,\)"),
    ("triu_0d", lambda: nl.ones(()).triu(), RuntimeError, r"triu: .*at least 2"),
    ("t_3d", lambda: X.t(), RuntimeError,
     r"t\(\) expects a tensor with <= 2 dimensions, but self is 3D"),
    ("mm_3d", lambda: X.mm(X), ValueError, r"mm: expected 2-D tensors"),
    ("diag_3d", lambda: nl.diag(X), RuntimeError, r"diag: supports 1-D or 2-D tensors, got 3-D"),
    ("diag_0d", lambda: nl.diag(nl.tensor(1.0)), RuntimeError, r"got 0-D"),
    ("diagonal_same", lambda: X.diagonal(0, 2, -1), RuntimeError,
     r"diagonal: dimensions cannot be identical"),
    ("diagonal_range", lambda: X.diagonal(0, 0, 3), IndexError, r"diagonal: dim 3"),
    ("diagonal_1d", lambda: nl.diagonal(nl.ones(3)), RuntimeError, r"at least 2 dimensions"),
    ("trace_1d", lambda: nl.trace(nl.ones(3)), RuntimeError,
     r"trace: expected a matrix, but got a tensor with 1 dims"),
    ("addmm_mat1", lambda: nl.addmm(nl.zeros(3), X, nl.ones(4, 3)), RuntimeError,
     r"addmm: mat1 must be a matrix, got a 3-D tensor"),
    ("addmm_shapes", lambda: nl.addmm(nl.zeros(3), nl.ones(2, 3), nl.ones(4, 3)),
     RuntimeError, r"addmm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x3\)"),
    ("addmm_input", lambda: nl.addmm(nl.zeros(4), nl.ones(2, 3), nl.ones(3, 3)),
     RuntimeError, r"addmm: input of shape \(4,\) cannot be broadcast to .*\(2, 3\)"),
]


test_bad_input_raises_a_clear_error = errors_test(BAD)
