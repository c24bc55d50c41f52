"""Tests for nnlite/ops/trig.py: tan sinh cosh, the inverses, atan2, hypot, sinc,
deg2rad, rad2deg.

Each op is a row of a table; every row gets a float64 gradcheck and torch parity of
values and gradients (single and double backward) on hypothesis-drawn broadcast shapes,
with values inside each function's domain; then the special points (poles, domain
edges, inf, nan), integer and bool inputs, in-place forms and errors against torch."""
from __future__ import annotations

import numpy as np
import pytest

from ._binary_helpers import (Case, anywhere, float32_test, params, positive,
                              same, table_tests)
from ._elementwise_helpers import (binary_dtypes_test, check_dtypes_like_torch, check_edges,
                                   check_in_place, inside)

import nnlite as nl


def above_one(z):
    return np.abs(z) + 1.1


UNARY = {
    "tan": Case(nl.tan, lambda T, x: T.tan(x), (inside(1.2),)),
    "sinh": Case(nl.sinh, lambda T, x: T.sinh(x)),
    "cosh": Case(nl.cosh, lambda T, x: T.cosh(x)),
    "asin": Case(nl.asin, lambda T, x: T.asin(x), (inside(0.9),)),
    "acos": Case(nl.acos, lambda T, x: T.acos(x), (inside(0.9),)),
    "atan": Case(nl.atan, lambda T, x: T.atan(x)),
    "asinh": Case(nl.asinh, lambda T, x: T.asinh(x)),
    "acosh": Case(nl.acosh, lambda T, x: T.acosh(x), (above_one,)),
    "atanh": Case(nl.atanh, lambda T, x: T.atanh(x), (inside(0.9),)),
    "arcsin": Case(nl.arcsin, lambda T, x: T.arcsin(x), (inside(0.9),)),
    "arccosh": Case(nl.arccosh, lambda T, x: T.arccosh(x), (above_one,)),
    "sinc": Case(nl.sinc, lambda T, x: T.sinc(x)),
    "deg2rad": Case(nl.deg2rad, lambda T, x: T.deg2rad(x)),
    "rad2deg": Case(nl.rad2deg, lambda T, x: T.rad2deg(x)),
    "methods": same(lambda x: x.tan().sinh().asinh().atan().cosh().acosh()
                    + x.sinc().deg2rad().rad2deg(), (inside(1.0),)),
    "numpy_ufuncs": Case(lambda x: np.arctan(np.tan(x)) + np.cosh(x) * np.arcsinh(x),
                         lambda T, x: T.atan(T.tan(x)) + T.cosh(x) * T.asinh(x),
                         (inside(1.0),)),
}
BINARY = {
    "atan2": Case(nl.atan2, lambda T, a, b: T.atan2(a, b), (anywhere, positive)),
    "arctan2_left_half": Case(nl.arctan2, lambda T, a, b: T.arctan2(a, b),
                              (positive, lambda z: -np.abs(z) - 0.2)),
    "hypot": Case(nl.hypot, lambda T, a, b: T.hypot(a, b), (anywhere, positive)),
    "methods": same(lambda a, b: a.atan2(b) + a.hypot(b), (positive, positive)),
    "numpy_ufuncs": Case(lambda a, b: np.arctan2(a, b) + np.hypot(a, b),
                         lambda T, a, b: T.atan2(a, b) + T.hypot(a, b), (positive, positive)),
}
ALL = params(UNARY) + params({f"{k}_2": v for k, v in BINARY.items()})

test_gradcheck, test_matches_torch, test_double_backward_matches_torch = table_tests(ALL)


test_float32_stays_float32 = float32_test(ALL, [(2, 1, 3), (4, 1)])


@pytest.mark.parametrize("case", ALL)
def test_special_points_match_torch(torch, case):
    """Domain edges (asin'(1) = inf, acosh'(0) = nan), poles, 0 and -0 (sinc(0) = 1 with
    gradient 0; atan2's gradients 0 at the origin), inf and nan: values and gradients."""
    check_edges(torch, case)


UNARY_NAMES = ["tan", "sinh", "cosh", "asin", "acos", "atan", "asinh", "acosh", "atanh",
               "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "sinc",
               "deg2rad", "rad2deg"]


@pytest.mark.parametrize("name", UNARY_NAMES)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_integer_and_bool_inputs_give_default_float(torch, name, dtype):
    x = np.array([0, 1, 2]).astype(dtype)
    check_dtypes_like_torch(torch, getattr(nl, name), getattr(torch, name), [x])


# atan2 promotes by torch's rules (ints give float32), hypot refuses integers
test_binary_dtypes_as_torch = binary_dtypes_test(["atan2", "hypot"])


def test_default_dtype_follows_set_default_dtype():
    nl.set_default_dtype(nl.float64)
    try:
        assert nl.tan(nl.tensor([1, 2])).dtype == np.float64
    finally:
        nl.set_default_dtype(nl.float32)


@pytest.mark.parametrize("name", [n + "_" for n in UNARY_NAMES])
def test_unary_in_place_forms(torch, name):
    check_in_place(torch, name, np.array([0.25, -0.5, 0.75]) + (1.5 if "cosh" in name
                                                                 else 0.0))


@pytest.mark.parametrize("name", ["atan2_", "arctan2_", "hypot_"])
def test_binary_in_place_forms(torch, name):
    check_in_place(torch, name, np.array([0.25, -0.5, 0.75]), np.array([1.0, 2.0, -1.0]))


def test_in_place_on_integer_tensor_raises_as_torch():
    with pytest.raises(RuntimeError, match="can't be cast"):
        nl.tensor([1, 2]).tan_()


@pytest.mark.parametrize("fn", [nl.atan2, nl.hypot], ids=lambda f: f.__name__)
def test_binary_broadcast_error_names_op_and_shapes(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: operands of shapes \(2, 3\), "
                                         r"\(4,\) cannot be broadcast together"):
        fn(nl.ones(2, 3), nl.ones(4))
    with pytest.raises(RuntimeError):                     # torch's kind too
        fn(nl.ones(2, 3), nl.ones(4))


@pytest.mark.parametrize("fn", [nl.atan2, nl.hypot], ids=lambda f: f.__name__)
def test_binary_numbers_raise_type_error_as_torch(fn):
    with pytest.raises(TypeError, match="argument 'other' must be Tensor"):
        fn(nl.ones(2), 2.0)
    with pytest.raises(TypeError, match="argument 'input' must be Tensor"):
        fn(2.0, nl.ones(2))
