"""Tests of nnlite/ops/matrix_functions.py: matrix_exp matrix_power multi_dot vecdot cross
(linalg and top-level) linalg.diagonal matrix_norm linalg.norm cond tensorinv tensorsolve.

As in test_decompositions.py: a table of hypothesis strategies, each drawing the input
arrays (well-conditioned where an inverse is taken) and the call in both libraries,
then one test per property over the table.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl

from ._cases import (
    Case, batches, double_backward_test, float32_test, general, gradcheck_test,
    lazy_torch, lib_of, parity_test, seeds)
from ._shape_helpers import randn


@st.composite
def matrix_exp_case(draw: Any) -> Case:
    scale = draw(st.sampled_from([0.1, 1.0, 4.0]))       # 4.0: the squaring steps run
    a = scale * randn(draw(batches) + (draw(st.integers(1, 4)),) * 2, draw(seeds))
    f = draw(st.sampled_from([lambda x: lib_of(x).linalg.matrix_exp(x),
                              lambda x: lib_of(x).matrix_exp(x), lambda x: x.matrix_exp()]))
    return Case([a], f, f)


@st.composite
def matrix_power_case(draw: Any) -> Case:
    n = draw(st.integers(-3, 4))
    a = general(draw(batches), draw(st.integers(1, 4)), draw(seeds)) / 3
    f = draw(st.sampled_from([lambda x: lib_of(x).linalg.matrix_power(x, n),
                              lambda x: lib_of(x).matrix_power(x, n),
                              lambda x: x.matrix_power(n)]))
    return Case([a], f, f)


@st.composite
def multi_dot_case(draw: Any) -> Case:
    k = draw(st.integers(2, 5))
    dims = [draw(st.integers(1, 4)) for _ in range(k + 1)]
    shapes = [(dims[i], dims[i + 1]) for i in range(k)]
    if draw(st.booleans()):
        shapes[0] = shapes[0][1:]
    if draw(st.booleans()):
        shapes[-1] = shapes[-1][:1]
    seed = draw(seeds)
    arrays = [randn(s, seed + i) for i, s in enumerate(shapes)]
    return Case(arrays, lambda *xs: lib_of(xs[0]).linalg.multi_dot(list(xs)),
                lambda *xs: lib_of(xs[0]).linalg.multi_dot(list(xs)))


@st.composite
def vecdot_case(draw: Any) -> Case:
    batch = draw(batches)
    n = draw(st.integers(1, 4))
    dim = draw(st.sampled_from([-1, 0] if not batch else [-1, 0, -2]))
    x = randn(batch + (n,), draw(seeds))
    y = randn((n,) if dim == -1 else batch + (n,), draw(seeds))
    f = lambda a, b: lib_of(a).linalg.vecdot(a, b, dim=dim)
    return Case([x, y], f, f)


@st.composite
def cross_case(draw: Any) -> Case:
    batch = draw(batches)
    x = randn(batch + (3,), draw(seeds))
    y = randn((1,) * len(batch) + (3,) if draw(st.booleans()) else batch + (3,), draw(seeds))
    f = draw(st.sampled_from([lambda a, b: lib_of(a).linalg.cross(a, b),
                              lambda a, b: lib_of(a).cross(a, b, dim=-1),
                              lambda a, b: a.cross(b, dim=-1)]))
    return Case([x, y], f, f)


@st.composite
def diagonal_case(draw: Any) -> Case:
    a = randn(draw(batches) + (3, 4), draw(seeds))
    off = draw(st.integers(-2, 2))
    f = lambda x: lib_of(x).linalg.diagonal(x, offset=off)
    return Case([a], f, f)


ORDS = ["fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2]


@st.composite
def matrix_norm_case(draw: Any) -> Case:
    a = randn(draw(batches) + (draw(st.integers(1, 4)), draw(st.integers(1, 4))),
              draw(seeds))
    ord_ = draw(st.sampled_from(ORDS))
    keepdim = draw(st.booleans())
    dim = draw(st.sampled_from([(-2, -1), (-1, -2)] + ([(0, -1)] if a.ndim > 2 else [])))
    f = lambda x: lib_of(x).linalg.matrix_norm(x, ord_, dim, keepdim)
    return Case([a], f, f)


@st.composite
def norm_case(draw: Any) -> Case:
    shape = draw(st.sampled_from([(4,), (3, 4), (2, 3, 4)]))
    a = randn(shape, draw(seeds))
    if len(shape) == 1:
        ord_, dim = draw(st.sampled_from([None, 1, 2, 3.5, math.inf])), None
    elif len(shape) == 2:
        ord_, dim = draw(st.sampled_from([None, "fro", "nuc", 1, 2, -math.inf])), None
    else:
        ord_, dim = draw(st.sampled_from([(None, None), (2, -1), ("fro", (0, 2)),
                                          (-2, (1, 2)), (1, 0)]))
    keepdim = draw(st.booleans())
    f = lambda x: lib_of(x).linalg.norm(x, ord_, dim, keepdim)
    return Case([a], f, f)


@st.composite
def cond_case(draw: Any) -> Case:
    p = draw(st.sampled_from([None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf]))
    n = draw(st.integers(1, 4))
    a = general(draw(batches), n, draw(seeds))
    f = lambda x: lib_of(x).linalg.cond(x, p)

    def th(x: Any) -> Any:          # torch 2.13's cond fails on backward for these p
        T = lazy_torch()
        if p in (None, 2, -2, "nuc"):
            return T.linalg.cond(x, p)
        return T.linalg.matrix_norm(x, p) * T.linalg.matrix_norm(T.linalg.inv(x), p)

    return Case([a], f, th)


@st.composite
def tensorinv_case(draw: Any) -> Case:
    shape, ind = draw(st.sampled_from([((4, 2, 2), 1), ((2, 3, 6), 2), ((2, 2, 4), 2)]))
    n = int(np.prod(shape[:ind]))
    a = general((), n, draw(seeds)).reshape(shape)
    f = lambda x: lib_of(x).linalg.tensorinv(x, ind=ind)
    return Case([a], f, f)


@st.composite
def tensorsolve_case(draw: Any) -> Case:
    a = general((), 6, draw(seeds)).reshape(2, 3, 6)
    b = randn((2, 3), draw(seeds))
    f = lambda x, y: lib_of(x).linalg.tensorsolve(x, y)
    return Case([a, b], f, f)


CASES = {"matrix_exp": matrix_exp_case(), "matrix_power": matrix_power_case(),
         "multi_dot": multi_dot_case(), "vecdot": vecdot_case(), "cross": cross_case(),
         "diagonal": diagonal_case(), "matrix_norm": matrix_norm_case(),
         "norm": norm_case(), "cond": cond_case(), "tensorinv": tensorinv_case(),
         "tensorsolve": tensorsolve_case()}
# the norms' VectorNorm is differentiable once (nnlite/ops/norms.py)
DOUBLE = ["matrix_exp", "matrix_power", "multi_dot", "vecdot", "cross", "diagonal",
          "tensorinv", "tensorsolve"]


test_gradcheck = gradcheck_test(CASES, max_examples=15)
test_torch_parity = parity_test(CASES, rtol=1e-8, atol=1e-10)
test_float32_stays_float32 = float32_test(CASES, create_graph=lambda name: name in DOUBLE)
test_double_backward = double_backward_test(CASES, DOUBLE, max_examples=5, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", list(CASES))
@settings(max_examples=5)
@given(data=st.data())
def test_float32_parity(torch, name: str, data: Any) -> None:
    case = data.draw(CASES[name])
    ours = case.nl(*[nl.tensor(a.astype(np.float32)) for a in case.arrays])
    theirs = case.th(*[torch.tensor(a.astype(np.float32)) for a in case.arrays])
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=2e-4, atol=2e-4)


# ============================================================================
# Semantics and errors
# ============================================================================
def test_matrix_exp_of_known_matrices() -> None:
    t = 0.7
    rot = nl.linalg.matrix_exp(nl.tensor([[0.0, -t], [t, 0.0]], dtype=nl.float64))
    np.testing.assert_allclose(rot.array, [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]],
                               atol=1e-15)
    big = nl.linalg.matrix_exp(nl.tensor(np.diag([30.0, -30.0])))
    np.testing.assert_allclose(big.array, np.diag(np.exp([30.0, -30.0])), rtol=1e-13)


def test_matrix_power_zero_is_the_identity_with_zero_gradient(torch) -> None:
    x = nl.tensor(randn((2, 3, 3), 0), requires_grad=True)
    y = nl.linalg.matrix_power(x, 0)
    np.testing.assert_array_equal(y.array, np.broadcast_to(np.eye(3), (2, 3, 3)))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, 0)
    nan = nl.tensor([[np.nan, 1.0], [0.0, 1.0]])
    np.testing.assert_array_equal(nl.linalg.matrix_power(nan, 0).array, np.eye(2))


def test_multi_dot_picks_the_cheap_order() -> None:
    """(a b) c costs 10*100*5 + 10*5*50; a (b c) costs 100*5*50 + 10*100*50: same value."""
    a, b, c = (nl.tensor(randn(s, i)) for i, s in enumerate([(10, 100), (100, 5), (5, 50)]))
    np.testing.assert_allclose(nl.linalg.multi_dot([a, b, c]).array,
                               (a.array @ b.array) @ c.array, rtol=1e-12)


def test_top_level_cross_default_dim(torch) -> None:
    a, b = randn((3, 2), 0), randn((3, 2), 1)
    np.testing.assert_allclose(nl.cross(nl.tensor(a), nl.tensor(b)).array,
                               torch.cross(torch.tensor(a), torch.tensor(b), dim=0).numpy())


def test_errors() -> None:
    with pytest.raises(ValueError, match="same number of dimensions"):
        nl.linalg.cross(nl.ones(1, 3), nl.ones(3))
    with pytest.raises(ValueError, match="length 3"):
        nl.linalg.cross(nl.ones(2), nl.ones(2))
    with pytest.raises(RuntimeError, match="at least 2 tensors"):
        nl.linalg.multi_dot([nl.ones(2)])
    with pytest.raises(ValueError, match=r"tensors 0 and 1.*cannot be multiplied"):
        nl.linalg.multi_dot([nl.ones(2, 3), nl.ones(2, 3)])
    with pytest.raises(RuntimeError, match="Order"):
        nl.linalg.matrix_norm(nl.ones(2, 2), 3)
    with pytest.raises(RuntimeError, match="1D or 2D"):
        nl.linalg.norm(nl.ones(2, 2, 2), 2)
    with pytest.raises(TypeError, match="n must be an int"):
        nl.linalg.matrix_power(nl.ones(2, 2), 1.5)
    with pytest.raises(ValueError, match="square"):
        nl.linalg.matrix_exp(nl.ones(2, 3))
    with pytest.raises(nl.linalg.LinAlgError):
        nl.linalg.matrix_power(nl.ones(2, 2), -1)
    with pytest.raises(ValueError, match="prod"):
        nl.linalg.tensorinv(nl.ones(2, 3), ind=1)
