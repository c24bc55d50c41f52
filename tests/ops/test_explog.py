"""Tests for nnlite/ops/explog.py: log2 log10 exp2 expm1 logaddexp logaddexp2 xlogy
logit.

Each op is a row of a table; every row gets a float64 gradcheck and torch parity of
values and gradients (single and double backward) on hypothesis-drawn broadcast shapes;
then the special points (0, -0, negative, inf, nan: xlogy(0, 0) = 0, logit outside
[0, 1]), integer and bool inputs, in-place forms and errors against torch."""
from __future__ import annotations

import numpy as np
import pytest

from ._binary_helpers import (Case, anywhere, away, float32_test, params, positive,
                              same, table_tests)
from ._elementwise_helpers import (binary_dtypes_test, check_dtypes_like_torch, check_edges,
                                   check_in_place, probability)

import nnlite as nl

UNARY = {
    "log2": Case(nl.log2, lambda T, x: T.log2(x), (positive,)),
    "log10": Case(nl.log10, lambda T, x: T.log10(x), (positive,)),
    "exp2": Case(nl.exp2, lambda T, x: T.exp2(x)),
    "expm1": Case(nl.expm1, lambda T, x: T.expm1(x)),
    "logit": Case(nl.logit, lambda T, x: T.logit(x), (probability,)),
    "logit_eps": Case(lambda x: nl.logit(x, eps=0.1), lambda T, x: T.logit(x, eps=0.1),
                      (lambda z: away(0.1, 0.9)(probability(z)),)),
    "xlogy_scalar_other": Case(lambda x: nl.xlogy(x, 3), lambda T, x: T.xlogy(x, 3)),
    "xlogy_scalar_self": Case(lambda x: nl.xlogy(2.5, x), lambda T, x: T.xlogy(2.5, x),
                              (positive,)),
    "methods": same(lambda x: x.log2() + x.log10() + x.exp2() + x.expm1() + x.logit(),
                    (probability,)),
    "numpy_ufuncs": Case(lambda x: np.log2(x) + np.log10(x) * np.exp2(x) - np.expm1(x),
                         lambda T, x: T.log2(x) + T.log10(x) * T.exp2(x) - T.expm1(x),
                         (positive,)),
}
BINARY = {
    "logaddexp": Case(nl.logaddexp, lambda T, a, b: T.logaddexp(a, b), (anywhere, anywhere)),
    "logaddexp2": Case(nl.logaddexp2, lambda T, a, b: T.logaddexp2(a, b),
                       (anywhere, anywhere)),
    "xlogy": Case(nl.xlogy, lambda T, a, b: T.xlogy(a, b), (anywhere, positive)),
    "methods": same(lambda a, b: a.logaddexp(b) + a.logaddexp2(b) + a.xlogy(b),
                    (positive, positive)),
    "numpy_ufuncs": Case(lambda a, b: np.logaddexp(a, b) + np.logaddexp2(a, b),
                         lambda T, a, b: T.logaddexp(a, b) + T.logaddexp2(a, b),
                         (anywhere, anywhere)),
}
ALL = params(UNARY) + params({f"{k}_2": v for k, v in BINARY.items()})

test_gradcheck, test_matches_torch, test_double_backward_matches_torch = table_tests(ALL)


test_float32_stays_float32 = float32_test(ALL, [(2, 1, 3), (4, 1)])


@pytest.mark.parametrize("case", ALL)
def test_special_points_match_torch(torch, case):
    check_edges(torch, case)


def test_xlogy_zero_times_log_zero_is_zero_unless_nan(torch):
    a = np.array([0.0, 0.0, 0.0, 1.0, 0.0, 2.0, np.nan])
    b = np.array([0.0, np.nan, -1.0, 0.0, np.inf, 3.0, 1.0])
    from ._parity import check_parity
    with np.errstate(all="ignore"):
        check_parity(torch, nl.xlogy, torch.xlogy, [a, b])
    np.testing.assert_array_equal(nl.xlogy(nl.tensor(a), nl.tensor(b)).array[:3],
                                  [0.0, np.nan, 0.0])


def test_logit_eps_gradient_is_zero_where_clamped(torch):
    from ._parity import check_parity
    x = np.array([0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0, -1.0, 2.0, np.nan])
    with np.errstate(all="ignore"):
        check_parity(torch, lambda t: nl.logit(t, eps=0.1), lambda t: torch.logit(t, eps=0.1),
                     [x])


def test_logaddexp_saturates_without_overflow(torch):
    a = np.array([1000.0, -1000.0, np.inf, -np.inf, 5.0])
    b = np.array([1000.0, -1000.0, np.inf, -np.inf, -np.inf])
    with np.errstate(over="raise"):
        y = nl.logaddexp(nl.tensor(a), nl.tensor(b))
    np.testing.assert_allclose(y.array, torch.logaddexp(torch.tensor(a), torch.tensor(b)),
                               rtol=1e-15)


UNARY_NAMES = ["log2", "log10", "exp2", "expm1", "logit"]


@pytest.mark.parametrize("name", UNARY_NAMES)
@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.bool_])
def test_integer_and_bool_inputs_give_default_float(torch, name, dtype):
    x = np.array([0, 1, 2]).astype(dtype)
    with np.errstate(all="ignore"):
        check_dtypes_like_torch(torch, getattr(nl, name), getattr(torch, name), [x])


# xlogy promotes by torch's rules (ints give float32); logaddexp(2) refuse ints
test_binary_dtypes_as_torch = binary_dtypes_test(["logaddexp", "logaddexp2", "xlogy"])


@pytest.mark.parametrize("name", [n + "_" for n in UNARY_NAMES])
def test_unary_in_place_forms(torch, name):
    check_in_place(torch, name, np.array([0.25, 0.5, 0.75]))


def test_xlogy_and_logit_in_place(torch):
    check_in_place(torch, "xlogy_", np.array([0.0, 0.5, 2.0]), np.array([0.0, 2.0, 3.0]))
    check_in_place(torch, "logit_", np.array([0.0, 0.5, 0.95]), eps=0.1)


def test_errors():
    with pytest.raises(ValueError, match=r"logaddexp: operands of shapes \(2,\), \(3,\)"):
        nl.logaddexp(nl.ones(2), nl.ones(3))
    with pytest.raises(RuntimeError, match="xlogy"):
        nl.xlogy(nl.ones(2), nl.ones(3))
    with pytest.raises(TypeError, match="expected a Tensor"):
        nl.xlogy(1.0, 2.0)
    with pytest.raises(TypeError, match="argument 'other' must be Tensor"):
        nl.logaddexp(nl.ones(2), 1.0)
    with pytest.raises(NotImplementedError, match="Long"):
        nl.logaddexp(nl.tensor([1]), nl.tensor([1]))
