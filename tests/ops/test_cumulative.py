"""Tests of nnlite/ops/cumulative.py: cumsum cumprod.

Hypothesis draws the shape, the dim and the spelling (function or Tensor method); the
checks are float64 gradcheck, torch parity of values and gradients, float32 kept and
double backward against torch. cumprod's gradient with zeros in the input (one, two,
all, at the ends) is compared with torch to first and second order.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import Case, double_backward_test, gradcheck_test, parity_test
from ._parity import check_double_backward, check_float32, check_parity, gradcheck
from ._shape_helpers import arrays, dim_of, randn, shapes


@st.composite
def scan_case(draw: Any, name: str) -> Case:
    shape = draw(shapes(min_side=0))
    dim = draw(dim_of(len(shape)))
    f = draw(st.sampled_from([lambda x: getattr(nl, name)(x, dim),
                              lambda x: getattr(x, name)(dim),
                              lambda x: getattr(nl, name)(x, dim=dim, dtype=np.float64)]))

    def th(x: Any) -> Any:
        import torch
        return getattr(torch, name)(x, dim)
    return Case([draw(arrays(shape))], f, th)


CASES = {"cumsum": scan_case("cumsum"), "cumprod": scan_case("cumprod")}


# ============================================================================
# Gradients, parity, dtype, double backward
# ============================================================================
test_gradcheck = gradcheck_test(CASES)
test_torch_parity = parity_test(CASES)
test_double_backward = double_backward_test(CASES, max_examples=5)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("shape, dim", [((3, 4), 1), ((4,), 0), ((), 0), ((2, 3, 2), -2)])
def test_float32_stays_float32(name: str, shape: tuple, dim: int) -> None:
    check_float32(lambda x: getattr(nl, name)(x, dim), [randn(shape)])


def test_dtype_argument_casts_first_and_the_gradient_keeps_the_input_dtype() -> None:
    x = nl.tensor(randn((3,)).astype(np.float32), requires_grad=True)
    y = nl.cumsum(x, 0, dtype=np.float64)
    assert y.dtype == np.float64
    y.sum().backward()
    assert np.asarray(x.grad).dtype == np.float32


# ============================================================================
# cumprod with zeros: exact gradients (no nan or inf), first and second order
# ============================================================================
ZEROS = {"none": [1.5, -2.0, 0.5, 3.0], "first": [0.0, -2.0, 0.5, 3.0],
         "middle": [1.5, 0.0, 0.5, 3.0], "last": [1.5, -2.0, 0.5, 0.0],
         "two": [1.5, 0.0, 0.5, 0.0], "adjacent": [0.0, 0.0, 2.0, 3.0],
         "all": [0.0, 0.0, 0.0, 0.0]}


@pytest.mark.parametrize("zeros", list(ZEROS), ids=list(ZEROS))
@pytest.mark.parametrize("dim", [0, 1])
def test_cumprod_with_zeros_matches_torch(torch, zeros: str, dim: int) -> None:
    row = np.array(ZEROS[zeros])
    x = np.stack([row, np.roll(row, 1), randn((4,))])            # (3, 4)
    x = x if dim == 1 else x.T.copy()
    with np.errstate(all="raise"):                                # no 0/0, no inf
        check_parity(torch, lambda t: nl.cumprod(t, dim), lambda t: torch.cumprod(t, dim), [x])
    check_double_backward(torch, lambda t: nl.cumprod(t, dim), lambda t: torch.cumprod(t, dim),
                          [x])
    gradcheck(lambda t: nl.cumprod(t, dim), [x])


# ============================================================================
# Integers, 0-d, empty, names
# ============================================================================
@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_, np.uint8])
def test_integer_and_bool_inputs_give_int64_as_torch(torch, name: str, dtype: Any) -> None:
    a = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    ours = getattr(nl, name)(nl.tensor(a), 1)
    theirs = getattr(torch, name)(torch.tensor(a), 1)
    assert ours.dtype == np.int64 == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert getattr(nl, name)(nl.tensor(a), 0, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("name", list(CASES))
def test_zero_dim_and_empty_inputs(torch, name: str) -> None:
    for a, dim in ((np.array(2.5), 0), (np.array(2.5), -1), (np.zeros((2, 0)), 1),
                   (np.zeros((0, 3)), 1)):
        check_parity(torch, lambda t: getattr(nl, name)(t, dim),
                     lambda t: getattr(torch, name)(t, dim), [a])


def test_grad_fn_names() -> None:
    x = nl.tensor(randn((3,)), requires_grad=True)
    assert nl.cumsum(x, 0).grad_fn.name() == "CumSumBackward"
    assert nl.cumprod(x, 0).grad_fn.name() == "CumProdBackward"


@pytest.mark.parametrize("name", list(CASES))
def test_bad_dim_raises_a_clear_error(name: str) -> None:
    with pytest.raises(IndexError, match=rf"{name}: dim 2 is out of range for a tensor with 2"):
        getattr(nl, name)(nl.ones(2, 3), 2)
    with pytest.raises(TypeError):
        getattr(nl, name)(nl.ones(2, 3))                       # dim is required, as torch
