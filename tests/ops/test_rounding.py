"""Tests for nnlite/ops/rounding.py: floor, ceil, round (decimals), trunc, fix, frac.

Each op is a row of ``UNARY``; every row gets a float64 gradcheck and torch parity of
values and gradients (single and double backward) on hypothesis-drawn shapes, with
values on quarter points (away from the jumps); then the special points, integer and
bool inputs, the in-place forms and the errors are compared with torch."""
from __future__ import annotations

import numpy as np
import pytest

from ._binary_helpers import Case, float32_test, params, same, table_tests
from ._elementwise_helpers import (check_dtypes_like_torch, check_edges, check_in_place,
                                   off_integers)

import nnlite as nl

Q = (off_integers,)

UNARY = {
    "floor": Case(nl.floor, lambda T, x: T.floor(x), Q),
    "ceil": Case(nl.ceil, lambda T, x: T.ceil(x), Q),
    "round": Case(nl.round, lambda T, x: T.round(x), Q),
    "round_decimals": Case(lambda x: nl.round(x * 0.4, decimals=1),
                           lambda T, x: T.round(x * 0.4, decimals=1), Q),
    "round_negative_decimals": Case(lambda x: nl.round(x * 40, decimals=-1),
                                    lambda T, x: T.round(x * 40, decimals=-1), Q),
    "trunc": Case(nl.trunc, lambda T, x: T.trunc(x), Q),
    "fix": Case(nl.fix, lambda T, x: T.fix(x), Q),
    "frac": Case(nl.frac, lambda T, x: T.frac(x), Q),
    "methods": same(lambda x: x.floor() + x.ceil() + x.round() + x.trunc() + x.frac()
                    + x.fix(), Q),
    "numpy_ufuncs": Case(lambda x: np.floor(x) + np.ceil(x) + np.trunc(x) + np.rint(x),
                         lambda T, x: T.floor(x) + T.ceil(x) + T.trunc(x) + T.round(x), Q),
}
ALL = params(UNARY)

test_gradcheck, test_matches_torch, test_double_backward_matches_torch = table_tests(ALL)


test_float32_stays_float32 = float32_test(ALL, [(3, 4)])


@pytest.mark.parametrize("case", ALL)
def test_special_points_match_torch(torch, case):
    """Halves round to even, -0.0 keeps its sign, inf and nan pass (frac(inf) is nan),
    and the gradient is exactly 0 (1 for frac) everywhere."""
    check_edges(torch, case, np.concatenate([[0.5, 1.5, 2.5, -0.5, -1.5, 1e300], np.array(
        [0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan])]))


def test_zero_gradient_even_where_upstream_is_nan():
    x = nl.tensor([0.5, 1.5], dtype=nl.float64, requires_grad=True)
    for fn in (nl.floor, nl.ceil, nl.round, nl.trunc):
        (g,) = nl.autograd.grad(fn(x), x, nl.tensor([np.nan, np.inf], dtype=nl.float64))
        np.testing.assert_array_equal(g.array, [0.0, 0.0])


def test_round_decimals_matches_torch_far_and_near(torch):
    x = np.array([0.125, 0.135, 1.005, 2.675, -0.125, 1e300, 3.4e38, np.inf])
    for dt in (np.float32, np.float64):
        for d in (-2, -1, 1, 2, 3, 400):
            with np.errstate(all="ignore"):
                ours = nl.round(nl.tensor(x.astype(dt)), decimals=d)
                theirs = torch.round(torch.tensor(x.astype(dt)), decimals=d)
            np.testing.assert_array_equal(ours.array, theirs.numpy(), err_msg=f"{dt} {d}")


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "fix", "frac"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_integer_and_bool_inputs_as_torch(torch, name, dtype):
    """Integers come back as an equal copy of their dtype; bools (and frac of integers)
    raise NotImplementedError-compatible errors, as torch."""
    x = np.array([0, 1, 3, 7]).astype(dtype)
    check_dtypes_like_torch(torch, getattr(nl, name), getattr(torch, name), [x])


def test_integer_result_is_a_copy():
    x = nl.tensor([1, 2])
    y = nl.floor(x)
    y.array[0] = 9
    assert x.array[0] == 1


def test_round_decimals_of_integers_raises_as_torch(torch):
    check_dtypes_like_torch(torch, lambda x: nl.round(x, decimals=1),
                            lambda x: torch.round(x, decimals=1), [np.array([1, 2])])
    with pytest.raises(TypeError, match="decimals"):
        nl.round(nl.ones(2), decimals=1.5)


@pytest.mark.parametrize("name", ["floor_", "ceil_", "round_", "trunc_", "fix_", "frac_"])
def test_in_place_forms(torch, name):
    check_in_place(torch, name, np.array([-1.75, -0.5, 0.25, 1.5, 2.5]))
    if name != "frac_":
        check_in_place(torch, name, np.array([-2, 0, 3]))


def test_round_in_place_with_decimals(torch):
    check_in_place(torch, "round_", np.array([0.125, 1.26, -3.333]), decimals=2)


@pytest.mark.parametrize("fn", [nl.floor, nl.ceil, nl.round, nl.trunc, nl.frac],
                         ids=lambda f: f.__name__)
def test_non_tensor_argument_raises_type_error(fn):
    with pytest.raises(TypeError, match=rf"{fn.__name__}\(\): argument 'input' must be "
                                        r"Tensor, not float"):
        fn(2.5)
