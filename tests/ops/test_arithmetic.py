"""Tests for nnlite/ops/arithmetic.py: + - * / ** neg, casts, comparisons and logic, and
for ``nl.gradcheck`` itself.

Differentiable ops are rows of two tables, ``BINARY`` (two broadcast tensors) and
``WITH_CONSTANTS`` (a tensor with Python/NumPy scalars or arrays on either side, the
reflected operators, unary ``-``); every row gets a float64 gradcheck on
hypothesis-drawn shapes, torch parity of values and gradients, double backward against
torch, and a float32 check (float32 in -> float32 out and float32 gradients, also with
NumPy float64 scalars). Comparisons and logic are compared with torch on drawn shapes with
ties. The oracle is torch (skipped without it).
"""
from __future__ import annotations

import numpy as np
import pytest
from ._binary_helpers import (Case, anywhere, away, check_float32, check_parity, draw_arrays,
                             elementwise_shapes, make_arrays, params, positive, same,
                             table_tests)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl
from nnlite.autograd.function import once_differentiable
from nnlite.gradcheck import GradcheckError
from nnlite.ops import astype, logical_xor      # not exported at the top level

NONZERO = away(0.0, margin=0.2)        # divisors: 1/b**2 stays moderate


def _broadcasts(*shapes):
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


ARRAY_SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4).map(
    lambda s: (s,))

BINARY = {
    "add": Case(nl.add, lambda T, a, b: T.add(a, b), (anywhere, anywhere)),
    "sub": Case(nl.sub, lambda T, a, b: T.sub(a, b), (anywhere, anywhere)),
    "mul": Case(nl.mul, lambda T, a, b: T.mul(a, b), (anywhere, anywhere)),
    "div": Case(nl.div, lambda T, a, b: T.div(a, b), (anywhere, NONZERO)),
    "pow": Case(nl.pow, lambda T, a, b: T.pow(a, b), (positive, anywhere)),
    "add_alpha": Case(lambda a, b: nl.add(a, b, alpha=0.5),
                      lambda T, a, b: T.add(a, b, alpha=0.5), (anywhere, anywhere)),
    "sub_alpha": Case(lambda a, b: nl.sub(a, b, alpha=2),
                      lambda T, a, b: T.sub(a, b, alpha=2), (anywhere, anywhere)),
    "op_add": same(lambda a, b: a + b, (anywhere, anywhere)),
    "op_sub": same(lambda a, b: a - b, (anywhere, anywhere)),
    "op_mul": same(lambda a, b: a * b, (anywhere, anywhere)),
    "op_div": same(lambda a, b: a / b, (anywhere, NONZERO)),
    "op_pow": same(lambda a, b: a ** b, (positive, anywhere)),
    "methods": same(lambda a, b: a.add(b).mul(b).sub(a, alpha=3).div(b), (anywhere, NONZERO)),
    "same_input_twice": same(lambda a, b: a * a + a / b - a, (anywhere, NONZERO)),
    # remainder / fmod: the drawn values are never within central differences' reach of a
    # jump (a / b an integer)
    "remainder": Case(nl.remainder, lambda T, a, b: T.remainder(a, b), (anywhere, NONZERO)),
    "fmod": Case(nl.fmod, lambda T, a, b: T.fmod(a, b), (anywhere, NONZERO)),
    "op_mod": same(lambda a, b: a % b, (anywhere, NONZERO)),
}

WITH_CONSTANTS = {
    "neg": Case(nl.neg, lambda T, x: T.neg(x)),
    "op_neg": same(lambda x: -x),
    "clone": Case(nl.clone, lambda T, x: T.clone(x)),
    "add_scalar": same(lambda x: x + 2.5),
    "radd": same(lambda x: 2.5 + x),
    "sub_scalar": same(lambda x: x - 1),
    "rsub": same(lambda x: 2 - x),
    "mul_scalar": same(lambda x: x * 3),
    "rmul": same(lambda x: 0.5 * x),
    "div_scalar": same(lambda x: x / 4),
    "rdiv": same(lambda x: 2 / x, (NONZERO,)),
    "pow_0": same(lambda x: x ** 0),
    "pow_1": same(lambda x: x ** 1),
    "pow_2": same(lambda x: x ** 2),
    "pow_3": same(lambda x: x ** 3),
    "pow_half": same(lambda x: x ** 0.5, (positive,)),
    "pow_negative": same(lambda x: x ** -1.5, (positive,)),
    "rpow": same(lambda x: 2 ** x),
    "add_alpha_scalar": Case(lambda x: nl.add(x, 2.0, alpha=3), lambda T, x: T.add(x, 2.0,
                                                                                    alpha=3)),
    "np_float64_mul": same(lambda x: x * np.float64(2.0)),
    "np_float64_radd": same(lambda x: np.float64(2) + x),
    "np_float64_rsub": same(lambda x: np.float64(2) - x),
    "np_float64_rdiv": same(lambda x: np.float64(3) / x, (NONZERO,)),
    "np_float64_pow": same(lambda x: x ** np.float64(2)),
    "np_float64_rpow": same(lambda x: np.float64(2) ** x),
    "np_int_mul": same(lambda x: x * np.int64(3)),
    # float32 NumPy arrays on either side (a float64 array would, as in torch, promote);
    # x has >= 1 dim: torch lets a 0-d float64 tensor take a float32 1-d tensor's dtype,
    # NumPy (and nnlite) give float64
    "np_array_rmul": Case(lambda x: np.array([1.5], np.float32) * x,
                          lambda T, x: T.tensor([1.5], dtype=T.float32) * x,
                          shapes=ARRAY_SHAPES),
    "np_array_radd": Case(lambda x: np.array([[-1.0], [2.0]], np.float32) + x,
                          lambda T, x: T.tensor([[-1.0], [2.0]], dtype=T.float32) + x,
                          shapes=ARRAY_SHAPES.filter(lambda s: _broadcasts(s[0], (2, 1)))),
    "np_array_sub": Case(lambda x: x - np.array([0.5], np.float32),
                         lambda T, x: x - T.tensor([0.5], dtype=T.float32),
                         shapes=ARRAY_SHAPES),
}

DIFFERENTIABLE = params(BINARY) + params(WITH_CONSTANTS)


# ---- every differentiable op: gradcheck, torch parity, double backward, float32 ---
test_gradcheck, test_matches_torch, test_double_backward_matches_torch = table_tests(
    DIFFERENTIABLE)


@pytest.mark.parametrize("case", DIFFERENTIABLE)
def test_float32_stays_float32(case):
    shapes = [(2, 1, 3), (4, 1)][:len(case.domains)]
    check_float32(case, make_arrays(case, shapes))


@pytest.mark.parametrize("case", DIFFERENTIABLE)
def test_zero_dim_float32_stays_float32(case):
    """0-d inputs too: NumPy 1.x promotes 0-d float32 with a Python number to float64."""
    check_float32(case, make_arrays(case, [()] * len(case.domains)))


@pytest.mark.parametrize("case", DIFFERENTIABLE)
def test_float64_stays_float64(case):
    xs = [nl.tensor(a) for a in make_arrays(case, [(3,), (3,)][:len(case.domains)])]
    assert case.nl(*xs).dtype == np.float64


def test_pow_zero_exponent_gradient_is_zero_at_zero(torch):
    """d/dx x**0 = 0 everywhere, also at x = 0 (not 0 * inf = nan), as torch."""
    check_parity(torch, WITH_CONSTANTS["pow_0"], [np.array([0.0, 1.5, -2.0])])


def test_pow_exponent_gradient_is_zero_where_the_base_is_zero(torch):
    """d/db a**b = a**b log a is 0 (not 0 * -inf = nan) at a = 0, b > 0, as torch."""
    with np.errstate(divide="ignore"):                 # d/da at a = 0, b = 0.5 is inf
        check_parity(torch, BINARY["pow"], [np.array([0.0, 0.0, 2.0]), np.array([2.0, 0.5, 3.0])])


def test_pow_with_0d_array_exponent_keeps_float32():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    y = x ** np.array(3.0)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.array, [1.0, 8.0])


def test_gradients_of_broadcast_inputs_are_summed_back(torch):
    case = BINARY["mul"]
    check_parity(torch, case, make_arrays(case, [(2, 1, 3, 1), (4, 1, 5)]))
    a = nl.ones(2, 1, 3, 1, requires_grad=True)
    b = nl.ones(4, 1, 5, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (2, 1, 3, 1) and b.grad.shape == (4, 1, 5)
    np.testing.assert_array_equal(a.grad, np.full((2, 1, 3, 1), 20.0))
    np.testing.assert_array_equal(b.grad, np.full((4, 1, 5), 6.0))


def test_size_zero_broadcast_gives_empty_gradients():
    a = nl.tensor(np.ones((0, 3)), requires_grad=True)
    b = nl.tensor(np.ones(3), requires_grad=True)
    ga, gb = nl.autograd.grad((a * b).sum(), [a, b])
    assert ga.shape == (0, 3) and gb.shape == (3,)
    np.testing.assert_array_equal(gb.array, np.zeros(3))


def test_ops_do_not_mutate_inputs_or_upstream_gradient():
    a = np.random.default_rng(1).standard_normal((2, 3))
    b = np.random.default_rng(2).standard_normal(3) + 3
    x, y = nl.tensor(a, requires_grad=True), nl.tensor(b, requires_grad=True)
    out = (x * y + x / y - y ** 2 + (-x)) ** 2
    gy = np.ones(out.shape)
    out.backward(gy)
    np.testing.assert_array_equal(x.array, a)
    np.testing.assert_array_equal(y.array, b)
    np.testing.assert_array_equal(gy, np.ones(out.shape))


def test_0d_gradients_accumulate():
    """Three gradient contributions to one 0-d tensor, first and second order (0-d
    results were NumPy scalars, which the engine's in-place sum dropped)."""
    x = nl.tensor(np.array(2.0), requires_grad=True)
    (x * x + x * x + x * x).backward()
    assert x.grad == 12.0
    (g,) = nl.autograd.grad(x * x * x, x, create_graph=True)
    (h,) = nl.autograd.grad(g, x)
    assert h.item() == 12.0                                        # d2/dx2 x**3 = 6x


# ---- casts and copies -----------------------------------------------------------
@pytest.mark.parametrize("src, dst", [(np.float32, np.float64), (np.float64, np.float32),
                                      (np.float64, np.float16)])
def test_astype_between_floats_casts_the_gradient_back(torch, src, dst):
    a = np.array([[0.5, -1.25, 3.0]], dtype=src)
    x = nl.tensor(a, requires_grad=True)
    y = astype(x, dst)
    assert y.dtype == dst
    gy = np.array([[1.0, 2.0, -3.0]], dtype=dst)
    y.backward(gy)
    assert x.grad.dtype == src
    tx = torch.tensor(a, requires_grad=True)
    tx.to(getattr(torch, np.dtype(dst).name)).backward(torch.tensor(gy))
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    np.testing.assert_array_equal(y.array, a.astype(dst))


def test_astype_methods_and_second_order():
    x = nl.tensor([1.5, -2.0], dtype=np.float32, requires_grad=True)
    y = x.double() * x.double()
    assert y.dtype == np.float64
    (g,) = nl.autograd.grad(y.sum(), x, create_graph=True)
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g.array, [3.0, -4.0])
    (h,) = nl.autograd.grad(g.sum(), x)
    assert h.dtype == np.float32
    np.testing.assert_array_equal(h.array, [2.0, 2.0])
    assert x.float() is x and x.to(np.float32) is x                  # same dtype: no copy


def test_astype_to_integer_or_bool_is_not_differentiable():
    x = nl.tensor([1.7, -2.2, 0.0], requires_grad=True)
    for dtype, expect in [(np.int64, [1, -2, 0]), (np.bool_, [True, True, False])]:
        y = astype(x, dtype)
        assert y.dtype == dtype and not y.requires_grad
        np.testing.assert_array_equal(y.array, expect)
    assert x.long().dtype == np.int64 and x.int().dtype == np.int32


def test_clone_copies_the_data():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    y = nl.clone(x)
    assert y.array is not x.array and not np.shares_memory(y.array, x.array)
    assert x.clone().grad_fn is not None


@pytest.mark.parametrize("mode", [None, "floor", "trunc"])
@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_div_rounding_modes_and_integer_division_match_torch(torch, mode, dtype):
    """Integer true division gives the default float dtype; rounding keeps integers."""
    a = np.array([7, -7, 7.5, -7.5, 0, 9]).astype(dtype)
    b = np.array([2, 2, -2, -2, 3, -4]).astype(dtype)
    y = nl.div(nl.tensor(a), nl.tensor(b), rounding_mode=mode)
    ty = torch.div(torch.tensor(a), torch.tensor(b), rounding_mode=mode).numpy()
    assert y.dtype == ty.dtype
    np.testing.assert_allclose(y.array, ty, rtol=1e-7 if ty.dtype == np.float32 else 0)
    assert not y.requires_grad


# ---- comparisons and logic: bool results, no gradient ---------------------------
def ties(z):
    """-1, 0 or 1: equal elements are common."""
    return np.clip(np.round(z), -1, 1)


TIES2 = (ties, ties)
COMPARISONS = {
    "eq": Case(nl.eq, lambda T, a, b: T.eq(a, b), TIES2),
    "ne": Case(nl.ne, lambda T, a, b: T.ne(a, b), TIES2),
    "lt": Case(nl.lt, lambda T, a, b: T.lt(a, b), TIES2),
    "le": Case(nl.le, lambda T, a, b: T.le(a, b), TIES2),
    "gt": Case(nl.gt, lambda T, a, b: T.gt(a, b), TIES2),
    "ge": Case(nl.ge, lambda T, a, b: T.ge(a, b), TIES2),
    "op_eq": same(lambda a, b: a == b, TIES2),
    "op_ne": same(lambda a, b: a != b, TIES2),
    "op_lt": same(lambda a, b: a < b, TIES2),
    "op_le": same(lambda a, b: a <= b, TIES2),
    "op_gt": same(lambda a, b: a > b, TIES2),
    "op_ge": same(lambda a, b: a >= b, TIES2),
    "scalar_gt": same(lambda a: a > 0, (ties,)),
    "reflected_scalar_lt": same(lambda a: 0 < a, (ties,)),
    "scalar_eq": same(lambda a: a == 1.0, (ties,)),
    "logical_and": Case(nl.logical_and, lambda T, a, b: T.logical_and(a, b), TIES2),
    "logical_or": Case(nl.logical_or, lambda T, a, b: T.logical_or(a, b), TIES2),
    "logical_xor": Case(logical_xor, lambda T, a, b: T.logical_xor(a, b), TIES2),
    "logical_not": Case(nl.logical_not, lambda T, a: T.logical_not(a), (ties,)),
    "logical_and_bool": Case(lambda a, b: nl.logical_and(a > 0, b > 0),
                             lambda T, a, b: T.logical_and(a > 0, b > 0), TIES2),
    "logical_not_bool": same(lambda a: nl.logical_not(a > 0) if isinstance(a, nl.Tensor)
                             else (a > 0).logical_not(), (ties,)),
    "op_and_bool": same(lambda a, b: (a > 0) & (b < 0), TIES2),
    "op_or_bool": same(lambda a, b: (a > 0) | (b < 0), TIES2),
    "op_xor_bool": same(lambda a, b: (a > 0) ^ (b < 0), TIES2),
    "op_invert_bool": same(lambda a: ~(a > 0), (ties,)),
}


@pytest.mark.parametrize("case", params(COMPARISONS))
@given(data=st.data())
def test_comparisons_match_torch(torch, case, data):
    arrays = draw_arrays(data, case)
    xs = [nl.tensor(a, requires_grad=True) for a in arrays]
    y = case.nl(*xs)
    ty = case.th(torch, *[torch.tensor(a) for a in arrays])
    assert y.dtype == np.bool_ and not y.requires_grad
    np.testing.assert_array_equal(y.array, ty.numpy())
    assert y.shape == tuple(ty.shape)


@pytest.mark.parametrize("op", ["__and__", "__or__", "__xor__"])
def test_bitwise_operators_on_integers_match_torch(torch, op):
    a, b = np.array([0, 1, 2, 3, 6]), np.array([3, 3, 1, 2, 5])
    y = getattr(nl.tensor(a), op)(nl.tensor(b))
    np.testing.assert_array_equal(y.array, getattr(torch.tensor(a), op)(torch.tensor(b)).numpy())
    np.testing.assert_array_equal((~nl.tensor(a)).array, (~torch.tensor(a)).numpy())


def test_nan_inf_predicates_and_whole_tensor_comparisons():
    x = nl.tensor([1.0, np.nan, np.inf, -np.inf])
    np.testing.assert_array_equal(nl.isnan(x).array, [False, True, False, False])
    np.testing.assert_array_equal(nl.isfinite(x).array, [True, False, False, False])
    a = nl.tensor([1.0, 2.0])
    assert nl.allclose(a, a + 1e-9) and not nl.allclose(a, a + 1e-3)
    assert nl.equal(a, nl.tensor([1.0, 2.0])) and not nl.equal(a, nl.tensor([[1.0, 2.0]]))


# ---- bad input -------------------------------------------------------------------
BROADCAST_ERRORS = {
    "add": nl.add, "sub": nl.sub, "mul": nl.mul, "div": nl.div, "pow": nl.pow,
    "eq": nl.eq, "lt": nl.lt, "ge": nl.ge, "logical_and": nl.logical_and,
}
OPERATOR_ERRORS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
}


@pytest.mark.parametrize("name, op", list(BROADCAST_ERRORS.items()) +
                         list(OPERATOR_ERRORS.items()),
                         ids=list(BROADCAST_ERRORS) + [f"op_{k}" for k in OPERATOR_ERRORS])
def test_broadcast_error_names_op_and_both_shapes(name, op):
    with pytest.raises(ValueError, match=rf"^{name}: operands of shapes \(2, 3\) and \(4,\) "
                                         r"cannot be broadcast together$"):
        op(nl.ones(2, 3), nl.ones(4))


def test_broadcast_error_with_numpy_operand():
    with pytest.raises(ValueError, match=r"mul: operands of shapes \(2,\) and \(3,\)"):
        nl.ones(2) * np.ones(3, np.float32)


def test_div_rejects_unknown_rounding_mode():
    with pytest.raises(ValueError, match="div: rounding_mode must be None, 'floor' or "
                                         "'trunc', got 'round'"):
        nl.div(nl.ones(2), nl.ones(2), rounding_mode="round")


# ---- gradcheck itself, and ops that cannot be differentiated twice ------------------
class _Square(nl.Function):
    """y = x**2;  gx = 2 x gy  (times ``factor``: 2 makes the rule deliberately wrong)"""

    @staticmethod
    def forward(ctx, x, factor=1.0):
        ctx.save_for_backward(x)
        ctx.factor = factor
        return x * x

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * x * (2 * ctx.factor)


class _FirstOrderOnly(_Square):
    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        return _Square.backward(ctx, gy)


def test_gradcheck_accepts_a_correct_backward():
    x = nl.tensor([0.1, -3.0, 0.5, 1.0], dtype=np.float64, requires_grad=True)
    assert nl.gradcheck(lambda t: _Square.apply(t), (x,))


def test_gradcheck_names_the_worst_element_of_a_wrong_backward():
    # the backward returns twice the gradient: |error| = |2 x g| for a scalar upstream g,
    # largest at the element of largest |x|, index 1
    x = nl.tensor([0.1, -3.0, 0.5, 1.0], dtype=np.float64, requires_grad=True)
    y = nl.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match=r"gradient of input 0 \(shape \(4,\)\) is wrong; "
                                             r"worst element \(1,\): analytical -?[\d.]+, "
                                             r"numerical -?[\d.]+") as err:
        nl.gradcheck(lambda t, u: _Square.apply(t, 2.0).sum() + (u * u).sum(), (x, y))
    assert "4 of 4 elements out of tolerance" in str(err.value)
    assert isinstance(err.value, AssertionError)


def test_gradcheck_checks_each_input_separately():
    x = nl.tensor([0.5, 2.0], dtype=np.float64, requires_grad=True)
    w = nl.tensor([[1.0, -0.5, 0.25]], dtype=np.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match=r"gradient of input 1 \(shape \(1, 3\)\) is wrong; "
                                             r"worst element \(0, 0\)"):
        nl.gradcheck(lambda a, b: (a.sum() * _Square.apply(b, 2.0).sum()), (x, w))


def test_create_graph_through_a_first_order_only_op_raises():
    x = nl.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    y = _FirstOrderOnly.apply(x).sum()
    (g,) = nl.autograd.grad(y, x)                                     # first order is fine
    np.testing.assert_array_equal(g.array, [2.0, 4.0])
    y = _FirstOrderOnly.apply(x).sum()
    with pytest.raises(RuntimeError, match="_FirstOrderOnlyBackward cannot be differentiated "
                                           "twice"):
        nl.autograd.grad(y, x, create_graph=True)


def test_every_op_here_supports_double_backward():
    """No Function in arithmetic/pointwise/linalg opts out of create_graph, so the double
    backward tests above cover all of them."""
    from nnlite.ops import arithmetic, linalg, pointwise
    fns = [c for m in (arithmetic, linalg, pointwise) for c in vars(m).values()
           if isinstance(c, type) and issubclass(c, nl.Function) and c is not nl.Function]
    assert fns and all(f.double_backward for f in fns)


def test_elementwise_shapes_include_size_zero_and_size_one_axes():
    """The strategy the tables draw from covers the broadcasting corner cases."""
    seen = set()

    @given(elementwise_shapes(2))
    def collect(shapes):
        seen.update(n for s in shapes for n in s)

    collect()
    assert {0, 1} <= seen
