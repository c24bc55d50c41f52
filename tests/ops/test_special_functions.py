"""Tests for nnlite/ops/special_functions.py: erfc, erfinv, lgamma, digamma, polygamma and
their array kernels.

Each op is a row of a table; every row gets a float64 gradcheck and torch parity of
values and gradients (single and double backward) on hypothesis-drawn shapes; the kernels
are compared with torch on wide grids (1e-12 relative in float64, poles and reflection
included) and with Python's math module; then special points, integer and bool inputs,
in-place forms and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ._binary_helpers import Case, float32_test, params, positive, same, table_tests
from ._elementwise_helpers import (check_dtypes_like_torch, check_edges, check_in_place,
                                   inside)
from ._parity import assert_close

import nnlite as nl
from nnlite.ops.special_functions import (digamma_array, erfinv_array, lgamma_array,
                                          polygamma_array)


def half_integers(z):
    """k + 1/2 for k in about [-6, 6]: away from the poles of lgamma and digamma."""
    return np.floor(np.asarray(z) * 3) + 0.5


UNARY = {
    "erfc": Case(nl.erfc, lambda T, x: T.erfc(x)),
    "erfinv": Case(nl.erfinv, lambda T, x: T.erfinv(x), (inside(0.95),)),
    "lgamma": Case(nl.lgamma, lambda T, x: T.lgamma(x), (positive,)),
    "lgamma_negative": Case(nl.lgamma, lambda T, x: T.lgamma(x), (half_integers,)),
    "digamma": Case(nl.digamma, lambda T, x: T.digamma(x), (positive,)),
    "digamma_negative": Case(nl.digamma, lambda T, x: T.digamma(x), (half_integers,)),
    "polygamma1": Case(lambda x: nl.polygamma(1, x), lambda T, x: T.polygamma(1, x),
                       (positive,)),
    "polygamma3": Case(lambda x: nl.polygamma(3, x), lambda T, x: T.polygamma(3, x),
                       (positive,)),
    "methods": same(lambda x: x.erfc() + x.erfinv() + x.lgamma() + x.digamma()
                    + x.polygamma(2), (lambda z: inside(0.4)(z) + 0.5,)),
}
ALL = params(UNARY)

test_gradcheck, test_matches_torch, test_double_backward_matches_torch = table_tests(ALL)


test_float32_stays_float32 = float32_test(ALL, [(3, 4)])


@pytest.mark.parametrize("case", ALL)
def test_special_points_match_torch(torch, case):
    """Poles (lgamma = +inf, digamma = -inf at +0, +inf at -0, nan at negative
    integers), +-1 for erfinv, inf and nan: values and gradients as torch's."""
    check_edges(torch, case, np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, -2.5, 0.5, 1e-300,
                                       10.0, 13.0, 40.25, -40.5, -35.0, 1e10, 1e20, 0.7,
                                       -0.7, 0.999999, np.inf, -np.inf, np.nan]))


# ---- the kernels against torch on wide grids ------------------------------------------
GRID = np.concatenate([np.linspace(-60, 60, 4001), np.geomspace(1e-8, 1e8, 500),
                       -np.geomspace(1e-8, 30, 500) - 0.123, [1.0, 2.0, 3.0, 0.5, 1.5]])


@pytest.mark.parametrize("name,kernel", [("lgamma", lgamma_array),
                                         ("digamma", digamma_array)])
def test_kernel_matches_torch_to_1e12(torch, name, kernel):
    ours = kernel(GRID)
    theirs = getattr(torch, name)(torch.tensor(GRID)).numpy()
    # relative accuracy, except near the zeros of the function (cancellation there)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-13, equal_nan=True)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_polygamma_kernel_matches_torch(torch, n):
    x = GRID[(GRID > -20) & (GRID < 1e6)]
    ours = polygamma_array(n, x)
    theirs = torch.polygamma(n, torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0, equal_nan=True)


def test_erfinv_kernel_inverts_erf_and_matches_torch(torch):
    """To 1e-13 for |y| <= 0.999; nearer to +-1 erfinv is ill-conditioned (its slope
    grows as exp(x**2)), so the last ulp of erf decides: 1e-11 up to 1 - 1e-6."""
    central = np.linspace(-0.999, 0.999, 4001)
    tails = np.concatenate([1 - np.geomspace(1e-6, 1e-3, 200), -1 + np.geomspace(1e-6, 1e-3,
                                                                                 200)])
    for y, rtol in ((central, 1e-13), (tails, 1e-11)):
        np.testing.assert_allclose(erfinv_array(y), torch.erfinv(torch.tensor(y)).numpy(),
                                   rtol=rtol, atol=1e-300)
    edges = np.array([1.0, -1.0, 1.5, -1.5, 0.0, -0.0, np.nan])
    np.testing.assert_array_equal(erfinv_array(edges), [np.inf, -np.inf, np.nan, np.nan, 0.0,
                                                        -0.0, np.nan])
    np.testing.assert_allclose([math.erf(v) for v in erfinv_array(central)], central,
                               rtol=1e-14, atol=1e-16)


@given(hnp.arrays(np.float64, st.integers(1, 20),
                  elements=st.floats(0.01, 170, allow_nan=False)))
def test_lgamma_kernel_matches_math(x):
    np.testing.assert_allclose(lgamma_array(x), [math.lgamma(v) for v in x], rtol=1e-12,
                               atol=1e-13)


def test_lgamma_and_digamma_poles():
    x = np.array([0.0, -0.0, -1.0, -7.0, -50.0, np.inf, -np.inf, np.nan])
    np.testing.assert_array_equal(lgamma_array(x), [np.inf] * 7 + [np.nan])
    np.testing.assert_array_equal(digamma_array(x), [-np.inf, np.inf, np.nan, np.nan,
                                                     np.nan, np.inf, np.nan, np.nan])


# ---- dtypes, in place, errors ------------------------------------------------------------
NAMES = ["erfc", "erfinv", "lgamma", "digamma"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_integer_and_bool_inputs_give_default_float(torch, name, dtype):
    x = np.array([0, 1, 2]).astype(dtype)
    check_dtypes_like_torch(torch, getattr(nl, name), getattr(torch, name), [x])


@pytest.mark.parametrize("name", [n + "_" for n in NAMES])
def test_in_place_forms(torch, name):
    check_in_place(torch, name, np.array([0.25, -0.5, 0.75]))


def test_polygamma_in_place_and_method(torch):
    check_in_place(torch, "polygamma_", np.array([0.25, 1.5, 3.75]), 1)
    x = nl.tensor([0.5, 2.0], dtype=nl.float64)
    assert_close(x.polygamma(2), torch.tensor([0.5, 2.0], dtype=torch.float64).polygamma(2),
                 "polygamma method")


def test_polygamma_errors():
    with pytest.raises(RuntimeError, match="negative n"):
        nl.polygamma(-1, nl.ones(2))
    with pytest.raises(TypeError, match="'n' must be int"):
        nl.polygamma(1.5, nl.ones(2))
    with pytest.raises(TypeError, match="argument 'input' must be Tensor"):
        nl.lgamma(2.0)


def test_erfinv_exact_to_the_tails_and_normal_icdf(torch):
    """Newton on log erfc above |x| = 0.5: torch's value to the last digits at
    1 - 1e-12 and 1 - 1e-15, where erf rounds to 1 (Normal.icdf uses this op)."""
    u = np.array([-1.0, -0.999999, 0.0, 1e-300, 0.5, 0.7, 1 - 1e-12, 1 - 1e-15, 1.0])
    np.testing.assert_allclose(nl.erfinv(nl.tensor(u)).numpy(),
                               torch.tensor(u).erfinv().numpy(), rtol=1e-13)
    assert np.isnan(nl.erfinv(nl.tensor(1.5, dtype=nl.float64)).item())
    q = np.array([1e-15, 0.3, 1 - 1e-12])
    icdf = nl.distributions.Normal(0.0, 1.0).icdf(nl.tensor(q))
    np.testing.assert_allclose(icdf.numpy(), torch.distributions.Normal(0.0, 1.0).icdf(
        torch.tensor(q)).numpy(), rtol=1e-10)
