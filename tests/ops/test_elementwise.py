"""Tests for nnlite/ops/elementwise.py: reciprocal positive sgn copysign heaviside
float_power true_divide lerp addcmul addcdiv nan_to_num clamp_min clamp_max.

Differentiable ops are rows of a table: float64 gradcheck and torch parity of values
and gradients (single and double backward) on hypothesis-drawn broadcast shapes; then
special points, dtypes, in-place forms and errors against torch."""
from __future__ import annotations

import numpy as np
import pytest

from ._binary_helpers import (Case, anywhere, away, float32_test, params, 
                              positive, same, table_tests)
from ._elementwise_helpers import (check_dtypes_like_torch, check_edges, check_in_place,
                                   nonzero)
from ._parity import check_parity

import nnlite as nl

AWAY0 = away(0.0, margin=0.05)

UNARY = {
    "reciprocal": Case(nl.reciprocal, lambda T, x: T.reciprocal(x), (nonzero,)),
    "positive": Case(nl.positive, lambda T, x: T.positive(x)),
    "sgn": Case(nl.sgn, lambda T, x: T.sgn(x), (AWAY0,)),
    "copysign_number": Case(lambda x: nl.copysign(x, -1.0), lambda T, x: T.copysign(x, -1.0),
                            (AWAY0,)),
    "nan_to_num": Case(nl.nan_to_num, lambda T, x: T.nan_to_num(x)),
    "clamp_min": Case(lambda x: nl.clamp_min(x, 0.3), lambda T, x: T.clamp_min(x, 0.3),
                      (away(0.3),)),
    "clamp_max": Case(lambda x: nl.clamp_max(x, 0.3), lambda T, x: T.clamp_max(x, 0.3),
                      (away(0.3),)),
    "lerp_number_weight": Case(lambda x: nl.lerp(x, x * 3 + 1, 0.3),
                               lambda T, x: T.lerp(x, x * 3 + 1, 0.3)),
    "lerp_big_weight": Case(lambda x: nl.lerp(x, x * x, 0.8),
                            lambda T, x: T.lerp(x, x * x, 0.8)),
    "true_divide_number": Case(lambda x: nl.true_divide(x, 4), lambda T, x: T.true_divide(x, 4)),
    "methods": same(lambda x: x.reciprocal() + x.sgn() + x.copysign(2.0) + x.nan_to_num()
                    + x.lerp(x * 2, 0.5) + x.true_divide(3), (nonzero,)),
    "numpy_ufuncs": Case(lambda x: np.reciprocal(x) + np.copysign(x, -2.0) + np.positive(x),
                         lambda T, x: T.reciprocal(x) + T.copysign(x, -2.0) + T.positive(x),
                         (nonzero,)),
}
BINARY = {
    "copysign": Case(nl.copysign, lambda T, a, b: T.copysign(a, b), (AWAY0, AWAY0)),
    "true_divide": Case(nl.true_divide, lambda T, a, b: T.true_divide(a, b),
                        (anywhere, nonzero)),
    "lerp": Case(nl.lerp, lambda T, a, b, w: T.lerp(a, b, w), (anywhere, anywhere, anywhere)),
    "addcmul": Case(lambda x, a, b: nl.addcmul(x, a, b, value=0.5),
                    lambda T, x, a, b: T.addcmul(x, a, b, value=0.5),
                    (anywhere, anywhere, anywhere)),
    "addcdiv": Case(lambda x, a, b: nl.addcdiv(x, a, b, value=-2),
                    lambda T, x, a, b: T.addcdiv(x, a, b, value=-2),
                    (anywhere, anywhere, nonzero)),
    "clamp_min_tensor": Case(nl.clamp_min, lambda T, x, m: T.clamp_min(x, m),
                             (lambda z: np.round(np.asarray(z) * 20) / 20 + 0.025,
                              lambda z: np.round(np.asarray(z) * 20) / 20),
                             ),
    "methods": same(lambda x, a, b: x.addcmul(a, b) + x.addcdiv(a, b, value=3)
                    + x.lerp(a, b), (anywhere, anywhere, nonzero)),
}
ALL = params(UNARY) + params({f"{k}_n": v for k, v in BINARY.items()})

test_gradcheck, test_matches_torch, test_double_backward_matches_torch = table_tests(ALL)


test_float32_stays_float32 = float32_test(ALL, [(2, 1, 3), (4, 1), (1, 3)])


@pytest.mark.parametrize("case", ALL)
def test_special_points_match_torch(torch, case):
    """0, -0, inf, nan: reciprocal(0) = inf, copysign's gradient 0 at 0 and nan at inf,
    nan_to_num's gradient 0 where x is not finite, lerp at both ends."""
    check_edges(torch, case)


def test_float_power_is_float64_with_torch_gradients(torch):
    rng = np.random.default_rng(0)
    a, b = np.abs(rng.standard_normal((3, 4))) + 0.2, rng.standard_normal((4,))
    check_parity(torch, nl.float_power, torch.float_power, [a, b])
    check_parity(torch, lambda x: nl.float_power(x, 3), lambda x: torch.float_power(x, 3), [a])
    check_parity(torch, lambda x: nl.float_power(2, x), lambda x: torch.float_power(2, x), [b])
    edges = np.array([0.0, 0.0, 1.0, -1.0, 0.0, 2.0, np.inf, -np.inf])
    exps = np.array([0.0, -1.0, 0.0, 0.0, 2.0, np.nan, np.inf, -np.inf])
    with np.errstate(all="ignore"):
        check_parity(torch, nl.float_power, torch.float_power, [edges, exps])
    x32 = nl.tensor(a.astype(np.float32), requires_grad=True)
    y = nl.float_power(x32, 2.0)
    assert y.dtype == np.float64
    y.sum().backward()
    assert x32.grad.dtype == np.float32


@pytest.mark.parametrize("name", ["copysign", "float_power", "true_divide", "heaviside"])
@pytest.mark.parametrize("dtypes", [(np.int64, np.int64), (np.bool_, np.bool_),
                                    (np.float32, np.int64), (np.float64, np.float32),
                                    (np.int32, np.float64)], ids=str)
def test_binary_dtypes_as_torch(torch, name, dtypes):
    a = np.array([1, 0, -3]).astype(dtypes[0])
    b = np.array([2, 1, 1]).astype(dtypes[1])
    check_dtypes_like_torch(torch, getattr(nl, name), getattr(torch, name), [a, b])


@pytest.mark.parametrize("name", ["reciprocal", "positive", "sgn", "nan_to_num"])
@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.bool_])
def test_unary_dtypes_as_torch(torch, name, dtype):
    x = np.array([0, 1, 2]).astype(dtype)
    check_dtypes_like_torch(torch, getattr(nl, name), getattr(torch, name), [x])


@pytest.mark.parametrize("dtypes", [(np.int64, np.int64, np.int64),
                                    (np.int64, np.float32, np.int64),
                                    (np.float32, np.float64, np.float32),
                                    (np.float64, np.int32, np.int32)], ids=str)
@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_fused_dtypes_as_torch(torch, name, dtypes):
    """Promotion over the three tensors; addcdiv refuses two integer tensors."""
    x, a, b = (np.array([1, 2, 3]).astype(d) for d in dtypes)
    check_dtypes_like_torch(torch, lambda *t: getattr(nl, name)(*t, value=2),
                            lambda *t: getattr(torch, name)(*t, value=2), [x, a, b])


def test_heaviside_values_and_no_gradient(torch):
    x = np.array([-1.0, 0.0, 2.0, np.nan, -0.0])
    v = np.array([0.5])
    y = nl.heaviside(nl.tensor(x, requires_grad=True), nl.tensor(v))
    np.testing.assert_array_equal(y.array, torch.heaviside(torch.tensor(x), torch.tensor(v)))
    assert not y.requires_grad
    with pytest.raises(RuntimeError, match="different dtypes"):
        nl.heaviside(nl.ones(2), nl.ones(2, dtype=nl.float64))


def test_positive_returns_the_input_and_refuses_bool():
    x = nl.ones(2)
    assert nl.positive(x) is x and x.positive() is x
    with pytest.raises(RuntimeError, match="bool"):
        nl.positive(nl.tensor([True]))


def test_nan_to_num_defaults_and_arguments(torch):
    x = np.array([np.nan, np.inf, -np.inf, 1.0])
    for dt in (np.float16, np.float32, np.float64):
        for kw in ({}, {"nan": 2.0}, {"posinf": 1e300, "neginf": -5.0}):
            with np.errstate(over="ignore"):
                ours = nl.nan_to_num(nl.tensor(x.astype(dt)), **kw)
                theirs = torch.nan_to_num(torch.tensor(x.astype(dt)), **kw)
            np.testing.assert_array_equal(ours.array, theirs.numpy())
            assert ours.dtype == dt


def test_lerp_dtype_rules_and_errors():
    with pytest.raises(RuntimeError, match="expected dtype float32 for `end`"):
        nl.lerp(nl.ones(2), nl.ones(2, dtype=nl.float64), 0.5)
    with pytest.raises(RuntimeError, match="expected dtype float32 for `weight`"):
        nl.lerp(nl.ones(2), nl.ones(2), nl.ones(2, dtype=nl.float64))
    with pytest.raises(NotImplementedError, match="Long"):
        nl.lerp(nl.tensor([1]), nl.tensor([2]), 0.5)
    with pytest.raises(ValueError, match=r"lerp: operands of shapes \(2,\), \(3,\)"):
        nl.lerp(nl.ones(2), nl.ones(3), 0.5)


def test_fused_broadcast_errors():
    with pytest.raises(RuntimeError, match=r"addcmul: operands of shapes \(2,\), \(3,\), "
                                           r"\(2,\)"):
        nl.addcmul(nl.ones(2), nl.ones(3), nl.ones(2))
    with pytest.raises(RuntimeError, match="integer division with addcdiv"):
        nl.addcdiv(nl.ones(2), nl.tensor([1, 2]), nl.tensor([1, 2]))


IN_PLACE = [("reciprocal_", ()), ("sgn_", ()), ("nan_to_num_", ()),
            ("copysign_", (np.array([-1.0, 1.0, -0.0]),)),
            ("true_divide_", (np.array([2.0, -4.0, 8.0]),)),
            ("lerp_", (np.array([2.0, -4.0, 8.0]), 0.25)),
            ("addcmul_", (np.array([2.0, -4.0, 8.0]), np.array([1.0, 2.0, 3.0]))),
            ("addcdiv_", (np.array([2.0, -4.0, 8.0]), np.array([1.0, 2.0, 3.0]))),
            ("fmod_", (np.array([0.3, 0.7, 1.1]),)), ("remainder_", (1.5,))]


@pytest.mark.parametrize("name,args", IN_PLACE, ids=[n for n, _ in IN_PLACE])
def test_in_place_forms(torch, name, args):
    check_in_place(torch, name, np.array([0.25, -0.5, 1.75]), *args)


def test_float_power_in_place_needs_float64(torch):
    check_in_place(torch, "float_power_", np.array([0.25, 0.5, 1.75]), 2.0)
    with pytest.raises(RuntimeError, match="requires dtype float64"):
        nl.ones(2).float_power_(2)
    with pytest.raises(RuntimeError, match="can't be cast"):
        nl.tensor([1, 2]).reciprocal_()


def test_method_forms_of_existing_ops(torch):
    x = nl.tensor([1.5, -2.5]), torch.tensor([1.5, -2.5])
    for name, args in (("fmod", (1.0,)), ("remainder", (1.0,)), ("erf", ())):
        np.testing.assert_allclose(getattr(x[0], name)(*args).array,
                                   getattr(x[1], name)(*args).numpy(), rtol=1e-6)
