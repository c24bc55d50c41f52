"""Tests for nnlite/ops/activation.py: silu mish hardswish hardsigmoid hardtanh relu6
prelu selu softsign logsigmoid tanhshrink softmin glu.

Every function is one row of ``UNARY`` or ``OTHER`` (tests/ops/_binary_helpers.py's
``Case``): float64 gradcheck on hypothesis-drawn shapes, torch parity of values and
gradients, double backward against torch, float32 in -> float32 out. Values are drawn
away from the kinks; the kinks themselves, and inf and nan inputs, are compared with
torch separately (torch selects the gradient there, so nan never leaks through a 0).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl
import nnlite.nn.functional as F
from . import _parity
from ._binary_helpers import (Case, anywhere, away, check_float32, check_parity, make_arrays,
                              params, table_tests)
from ._parity import assert_close, gradcheck


def TF(T: Any) -> Any:
    return T.nn.functional


def _with_last_dim_even() -> st.SearchStrategy:
    """One shape (1-3 dims, sizes 0-4) whose last dim is even (glu halves it)."""
    return hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4).map(
        lambda s: (s[:-1] + (2 * (s[-1] // 2),),))


def _prelu_shapes() -> st.SearchStrategy:
    """x (N, C, *) with weight (C,) or (1,); or any x with weight (1,) or ()."""
    @st.composite
    def draw(draw_: Any) -> tuple:
        x = draw_(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
        options = [(1,), ()] + ([(x[1],)] if len(x) >= 2 else [])
        return x, draw_(st.sampled_from(options))
    return draw()


UNARY = {
    "silu": Case(F.silu, lambda T, x: TF(T).silu(x)),
    "mish": Case(F.mish, lambda T, x: TF(T).mish(x)),
    "selu": Case(nl.selu, lambda T, x: T.selu(x), (away(0.0),)),
    "selu_F": Case(F.selu, lambda T, x: TF(T).selu(x), (away(0.0),)),
    "softsign": Case(F.softsign, lambda T, x: TF(T).softsign(x)),
    "logsigmoid": Case(F.logsigmoid, lambda T, x: TF(T).logsigmoid(x)),
    "hardtanh": Case(F.hardtanh, lambda T, x: TF(T).hardtanh(x), (away(-1.0, 1.0),)),
    "hardtanh_bounds": Case(lambda x: F.hardtanh(x, -0.5, 2.0),
                            lambda T, x: TF(T).hardtanh(x, -0.5, 2.0), (away(-0.5, 2.0),)),
    "relu6": Case(F.relu6, lambda T, x: TF(T).relu6(x), (lambda z: away(0.0, 6.0)(z * 4),)),
    "hardswish": Case(F.hardswish, lambda T, x: TF(T).hardswish(x),
                      (lambda z: away(-3.0, 3.0)(z * 3),)),
    "tanhshrink": Case(F.tanhshrink, lambda T, x: TF(T).tanhshrink(x)),
    "softmin": Case(lambda x: F.softmin(x, -1), lambda T, x: TF(T).softmin(x, -1)),
}

OTHER = {
    "prelu": Case(F.prelu, lambda T, x, w: TF(T).prelu(x, w), (away(0.0), anywhere),
                  _prelu_shapes()),
    "prelu_method": Case(lambda x, w: x.prelu(w), lambda T, x, w: x.prelu(w),
                         (away(0.0), anywhere), _prelu_shapes()),
    "glu": Case(F.glu, lambda T, x: TF(T).glu(x), (anywhere,), _with_last_dim_even()),
}

ALL = params(UNARY) + params(OTHER)

# ---- every function: gradcheck, torch parity, double backward, float32 --------------
test_gradcheck, test_matches_torch, test_double_backward_matches_torch = table_tests(ALL)


F32_SHAPES = {1: [(2, 3, 4)], 2: [(2, 3, 2), (3,)]}      # x, and prelu's per-channel weight


@pytest.mark.parametrize("case", ALL)
def test_float32_stays_float32(case: Case) -> None:
    check_float32(case, make_arrays(case, F32_SHAPES[len(case.domains)]))


@pytest.mark.parametrize("case", params(UNARY))
def test_zero_dim_float32_stays_float32(case: Case) -> None:
    """0-d inputs too: NumPy 1.x promotes 0-d float32 with a Python number to float64."""
    check_float32(case, make_arrays(case, [()]))


# ---- hardsigmoid: torch's double-precision gradient uses a float32 1/6 -----------------
def test_hardsigmoid_values_and_gradient(torch) -> None:
    """Values match torch to float64 precision; the gradient is gy / 6 exactly, which torch
    computes with the float32 constant 1.0f / 6.0f (a relative error of 3e-8), so that
    comparison uses rtol 1e-7."""
    x = away(-3.0, 3.0)(np.random.default_rng(0).standard_normal((3, 4, 5)) * 4)
    case = Case(F.hardsigmoid, lambda T, x: TF(T).hardsigmoid(x))
    gradcheck(F.hardsigmoid, [x])
    _parity.check_parity(torch, F.hardsigmoid, TF(torch).hardsigmoid, [x], rtol=1e-7)
    y = F.hardsigmoid(nl.tensor(x))
    assert_close(y, TF(torch).hardsigmoid(torch.tensor(x)), "values")
    check_float32(case, [x])


# ---- kinks, inf and nan: torch's conventions -------------------------------------------
KINKS = np.array([-7.0, -6.0, -4.0, -3.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 6.0,
                  7.0, np.inf, -np.inf, np.nan])


@pytest.mark.parametrize("case", params({**UNARY, "hardsigmoid": Case(
    F.hardsigmoid, lambda T, x: TF(T).hardsigmoid(x))}))
def test_values_at_kinks_inf_and_nan_match_torch(torch, case: Case) -> None:
    x = KINKS
    if case.nl is F.softsign:      # torch's composite gives nan at +-inf; nnlite the limit 0
        x = x[np.isfinite(x) | np.isnan(x)]
    with np.errstate(all="ignore"):
        _parity.check_parity(torch, case.nl, lambda t: case.th(torch, t), [x],
                             rtol=1e-7 if case.nl is F.hardsigmoid else _parity.RTOL)


def test_nan_upstream_gradient_does_not_leak_where_the_gradient_is_zero(torch) -> None:
    x = np.array([-5.0, -1.0, 0.5, 5.0])
    gy = np.array([np.nan, 1.0, 1.0, np.inf])
    for f, th in ((F.hardtanh, TF(torch).hardtanh), (F.relu6, TF(torch).relu6),
                  (F.hardsigmoid, TF(torch).hardsigmoid), (F.hardswish, TF(torch).hardswish)):
        xx, tx = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        f(xx).backward(gy)
        th(tx).backward(torch.tensor(gy))
        assert_close(xx.grad, tx.grad, f.__name__, rtol=1e-7)


def test_prelu_per_channel_weight_gets_the_summed_gradient(torch) -> None:
    check_parity(torch, OTHER["prelu"], [np.random.default_rng(1).standard_normal((4, 3, 5)),
                                         np.array([0.1, -0.2, 0.3])])


def test_grad_fn_names() -> None:
    x = nl.tensor(np.ones(4), requires_grad=True)
    for f, name in ((F.silu, "SiluBackward"), (F.mish, "MishBackward"),
                    (F.hardswish, "HardswishBackward"), (F.relu6, "HardtanhBackward"),
                    (F.selu, "SeluBackward"), (F.logsigmoid, "LogSigmoidBackward")):
        assert f(x).grad_fn.name() == name


# ---- bad input --------------------------------------------------------------------------
def test_bad_arguments_raise_as_torch() -> None:
    with pytest.raises(RuntimeError, match=r"glu does not support scalars"):
        F.glu(nl.tensor(1.0))
    with pytest.raises(RuntimeError, match=r"glu: halving dimension must be even, but "
                                           r"dimension 1 is size 3"):
        F.glu(nl.ones(2, 3))
    with pytest.raises(ValueError, match=r"hardtanh: min_val cannot be greater than max_val"):
        F.hardtanh(nl.ones(2), 2.0, 1.0)
    with pytest.raises(RuntimeError, match=r"prelu: mismatch .* found 2 parameters .* "
                                           r"channel size 3 \(input shape \(2, 3\)\)"):
        F.prelu(nl.ones(2, 3), nl.ones(2))
    with pytest.raises(RuntimeError, match=r"prelu: expected `weight` to be a scalar or 1D"):
        F.prelu(nl.ones(2, 3), nl.ones(1, 3))
