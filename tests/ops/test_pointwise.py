"""Tests for nnlite/ops/pointwise.py: exp log ... activations, clamp, maximum, minimum,
where, and erf (its array kernels are tested in test_special.py).

Every op is one row of a table (``UNARY``, ``BINARY``); each check runs over the whole
table: float64 gradcheck on hypothesis-drawn shapes, torch parity of values and
gradients, double backward against torch, float32 in -> float32 out and gradients.
Values are drawn away from kinks (relu, abs, clamp bounds, the softplus threshold) so
central differences are meaningful; the kinks themselves are compared with torch
separately. The oracle is torch (skipped without it) or ``math.erf``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from ._binary_helpers import (Case, anywhere, away, boolean, bounded_shapes, check_float32,
                             check_parity, grid, make_arrays, params, positive, same,
                             table_tests)
from ._parity import assert_close

import nnlite as nl


def above_minus_half(z):
    """(-0.5, ...): inside log1p's domain with room for central differences."""
    return np.abs(z) - 0.5


def lower_bound(z):
    """Tensor clamp bounds: lo on the 0.05 grid, below -0.1 (x is on the 0.025 grid)."""
    return -np.abs(grid(0.0)(z)) - 0.1


def upper_bound(z):
    return np.abs(grid(0.0)(z)) + 0.1


def F(T):
    return T.nn.functional


AWAY0 = (away(0.0),)

UNARY = {
    "exp": Case(nl.exp, lambda T, x: T.exp(x)),
    "log": Case(nl.log, lambda T, x: T.log(x), (positive,)),
    "log1p": Case(nl.log1p, lambda T, x: T.log1p(x), (above_minus_half,)),
    "sqrt": Case(nl.sqrt, lambda T, x: T.sqrt(x), (positive,)),
    "rsqrt": Case(nl.rsqrt, lambda T, x: T.rsqrt(x), (positive,)),
    "abs": Case(nl.abs, lambda T, x: T.abs(x), AWAY0),
    "abs_builtin": same(abs, AWAY0),
    "sign": Case(nl.sign, lambda T, x: T.sign(x), AWAY0),
    "sin": Case(nl.sin, lambda T, x: T.sin(x)),
    "cos": Case(nl.cos, lambda T, x: T.cos(x)),
    "erf": Case(nl.erf, lambda T, x: T.erf(x)),
    "tanh": Case(nl.tanh, lambda T, x: T.tanh(x)),
    "sigmoid": Case(nl.sigmoid, lambda T, x: T.sigmoid(x)),
    "square": Case(nl.square, lambda T, x: T.square(x)),
    "relu": Case(nl.relu, lambda T, x: T.relu(x), AWAY0),
    "leaky_relu": Case(nl.leaky_relu, lambda T, x: F(T).leaky_relu(x), AWAY0),
    "leaky_relu_slope": Case(lambda x: nl.leaky_relu(x, 0.2),
                             lambda T, x: F(T).leaky_relu(x, 0.2), AWAY0),
    "elu": Case(nl.elu, lambda T, x: F(T).elu(x), AWAY0),
    "elu_alpha": Case(lambda x: nl.elu(x, alpha=0.7), lambda T, x: F(T).elu(x, alpha=0.7),
                      AWAY0),
    "gelu": Case(nl.gelu, lambda T, x: F(T).gelu(x)),
    "gelu_tanh": Case(lambda x: nl.gelu(x, approximate="tanh"),
                      lambda T, x: F(T).gelu(x, approximate="tanh")),
    "softplus": Case(nl.softplus, lambda T, x: F(T).softplus(x)),
    "softplus_beta_threshold": Case(   # linear where 2x > 1.5, i.e. x > 0.75
        lambda x: nl.softplus(x, beta=2.0, threshold=1.5),
        lambda T, x: F(T).softplus(x, beta=2.0, threshold=1.5), (away(0.75),)),
    "clamp": Case(lambda x: nl.clamp(x, -0.5, 0.5), lambda T, x: T.clamp(x, -0.5, 0.5),
                  (away(-0.5, 0.5),)),
    "clamp_min": Case(lambda x: nl.clamp(x, min=-0.5), lambda T, x: T.clamp(x, min=-0.5),
                      (away(-0.5),)),
    "clamp_max": Case(lambda x: nl.clamp(x, max=0.5), lambda T, x: T.clamp(x, max=0.5),
                      (away(0.5),)),
    "clip_method": same(lambda x: x.clip(-0.5, 0.5), (away(-0.5, 0.5),)),
    "methods": same(lambda x: x.exp().tanh().sigmoid().relu().sqrt()),
    "numpy_ufuncs": Case(lambda x: np.tanh(np.exp(np.sin(x)) * 0.5),
                         lambda T, x: T.tanh(T.exp(T.sin(x)) * 0.5)),
}

BINARY = {
    "maximum": Case(nl.maximum, lambda T, a, b: T.maximum(a, b), (grid(0.0), grid(0.025))),
    "minimum": Case(nl.minimum, lambda T, a, b: T.minimum(a, b), (grid(0.0), grid(0.025))),
    "maximum_method": same(lambda a, b: a.maximum(b), (grid(0.0), grid(0.025))),
    "maximum_scalar": Case(lambda a: nl.maximum(a, 0.3),
                           lambda T, a: T.maximum(a, T.tensor(0.3, dtype=a.dtype)),
                           (away(0.3),)),
    "minimum_rscalar": Case(lambda a: nl.minimum(0.3, a),
                            lambda T, a: T.minimum(T.tensor(0.3, dtype=a.dtype), a),
                            (away(0.3),)),
    "where": Case(nl.where, lambda T, c, a, b: T.where(c, a, b),
                  (boolean, anywhere, anywhere)),
    "where_scalar": Case(lambda c, a: nl.where(c, a, 0.5), lambda T, c, a: T.where(c, a, 0.5),
                         (boolean, anywhere)),
    "clamp_tensor_bounds": Case(nl.clamp, lambda T, x, lo, hi: T.clamp(x, lo, hi),
                                (grid(0.025), lower_bound, upper_bound), bounded_shapes(3)),
    "clamp_tensor_min": Case(lambda x, lo: nl.clamp(x, min=lo),
                             lambda T, x, lo: T.clamp(x, min=lo), (grid(0.025), lower_bound),
                             bounded_shapes(2)),
}

ALL = params(UNARY) + params(BINARY)


# ---- every op: gradcheck, torch parity, double backward, float32 -----------------
test_gradcheck, test_matches_torch, test_double_backward_matches_torch = table_tests(
    ALL)


BROADCAST_SHAPES = [(2, 1, 3), (4, 1), (3,)]


@pytest.mark.parametrize("case", ALL)
def test_float32_stays_float32(case):
    arrays = make_arrays(case, BROADCAST_SHAPES[:len(case.domains)][::-1])
    check_float32(case, arrays)


@pytest.mark.parametrize("case", ALL)
def test_zero_dim_float32_stays_float32(case):
    """0-d inputs too: NumPy 1.x promotes 0-d float32 with a Python number to float64."""
    check_float32(case, make_arrays(case, [()] * len(case.domains)))


@pytest.mark.parametrize("case", params(UNARY))
def test_values_at_kinks_match_torch(torch, case):
    """Subgradient conventions at the kinks (relu'(0) = 0, clamp passes at its bounds,
    softplus at its threshold ...), and inf/nan at the edge of a domain, match torch."""
    x = np.array([-1.0, -0.5, 0.0, 0.5, 0.75, 1.0, 2.0])
    with np.errstate(all="ignore"):
        check_parity(torch, Case(case.nl, case.th), [x])


def test_maximum_minimum_split_ties_as_torch(torch):
    a = np.array([1.0, 2.0, 3.0, -1.0])
    b = np.array([1.0, 0.0, 3.0, 5.0])
    for name in ("maximum", "minimum"):
        check_parity(torch, BINARY[name], [a, b])


def test_where_condition_broadcasts_over_both_branches(torch):
    cond = np.array([[True], [False], [True]])                      # (3, 1)
    a, b = np.arange(4.0), np.array(7.0)                              # (4,), ()
    check_parity(torch, BINARY["where"], [cond, a, b])
    assert nl.where(nl.tensor(cond), nl.tensor(a), nl.tensor(b)).shape == (3, 4)
    assert torch.where(torch.tensor(cond), torch.tensor(a), torch.tensor(b)).shape == (3, 4)


def test_where_two_numbers_has_default_dtype():
    y = nl.where(nl.tensor([True, False]), 1.0, 0.0)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.array, [1.0, 0.0])


@pytest.mark.parametrize("fn", [nl.sigmoid, nl.softplus, nl.tanh, nl.exp, nl.gelu],
                         ids=lambda f: f.__name__)
def test_saturating_ops_do_not_warn_or_overflow(torch, fn):
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 700.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        if fn is nl.exp:
            x = x[x < 700]
        y = fn(nl.tensor(x, requires_grad=True))
        y.backward(np.ones(y.shape))
    ty = getattr(torch.nn.functional, fn.__name__, None) or getattr(torch, fn.__name__)
    np.testing.assert_allclose(y.array, ty(torch.tensor(x)).numpy(), rtol=1e-12, atol=0)


# ---- bad input -------------------------------------------------------------------
@pytest.mark.parametrize("op", [nl.maximum, nl.minimum], ids=lambda f: f.__name__)
def test_binary_broadcast_error_names_op_and_shapes(op):
    with pytest.raises(ValueError, match=rf"{op.__name__}: operands of shapes \(2, 3\) and "
                                         r"\(4,\) cannot be broadcast together"):
        op(nl.ones(2, 3), nl.ones(4))


def test_where_rejects_non_bool_condition():
    x = nl.ones(3)
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, got dtype "
                                        "float32"):
        nl.where(x, x, x)
    with pytest.raises(TypeError, match="int64"):
        nl.where(nl.tensor([1, 0, 1]), x, x)


def test_where_broadcast_error_names_all_shapes():
    with pytest.raises(ValueError, match=r"where: condition \(3,\), a \(2,\) and b \(\) "
                                         r"cannot be broadcast together"):
        nl.where(nl.tensor([True, False, True]), nl.ones(2), 1.0)


def test_clamp_requires_a_bound():
    with pytest.raises(ValueError, match="clamp: at least one of min and max must be given"):
        nl.clamp(nl.ones(3))


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got "
                                         "'erf'"):
        nl.gelu(nl.ones(3), approximate="erf")


def test_erf_on_arrays_returns_arrays():
    y = nl.erf(np.array([0.5, -0.5]))
    assert isinstance(y, np.ndarray)
    assert_close(y, [math.erf(0.5), -math.erf(0.5)], "erf")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_keep_where_equals_np_where(dtype):
    """relu's backward masks by bits: exactly np.where(mask, g, 0), inf and nan included,
    on strided and broadcast gradients, and on 0-d ones."""
    from nnlite.ops._util import keep_where
    rng = np.random.default_rng(0)
    g = rng.standard_normal((6, 8)).astype(dtype)
    g[0, :4] = [np.inf, -np.inf, np.nan, -0.0]
    mask = rng.random((6, 8)) < 0.5
    mask[0, :4] = False
    for gg, m in [(g, mask), (g[:, ::2], mask[:, ::2]), (g.T, mask.T),
                  (np.broadcast_to(dtype(3), (6, 8)), mask), (g[1, 1], np.True_)]:
        out = keep_where(gg, np.array(m, copy=True) if m.ndim else m)
        assert out.dtype == dtype and out.shape == gg.shape
        np.testing.assert_array_equal(out, np.where(m, gg, dtype(0)))
    assert not np.signbit(keep_where(g, mask.copy())[0, 3])       # masked -0.0 becomes +0


def test_relu_backward_zero_where_gradient_is_inf():
    x = nl.tensor([-1.0, 2.0], requires_grad=True)
    nl.relu(x).backward(nl.tensor([np.inf, np.inf]))
    np.testing.assert_array_equal(x.grad, [0.0, np.inf])
