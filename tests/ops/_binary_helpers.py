"""Shared helpers of tests/ops/test_arithmetic.py, test_pointwise.py and test_linalg.py.

An op under test is a ``Case``: the nnlite function, the torch function of the same
inputs (``th(torch, *xs)``), and one *domain* per input, which maps a standard-normal
array to the values the op is tested on (kept away from kinks and poles, so central
differences and both libraries agree). Bool arrays are constants (a ``where``
condition); float arrays require grad. The checks, each run on the same arrays, are
those of tests/ops/_parity.py on the case's two functions: ``check_gradcheck``
(``gradcheck``), ``check_parity``, ``check_double_backward``, ``check_float32``;
``table_tests`` makes the first three the tests of a whole table.

Shapes are small (gradcheck costs two forwards per element): at most 3 dims of at most 4,
with size-1 and size-0 axes, broadcast against each other.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from . import _parity


# ---- domains: standard normal z -> test values ---------------------------------
def anywhere(z: np.ndarray) -> np.ndarray:
    return z


def positive(z: np.ndarray) -> np.ndarray:
    """(0.2, ...): for log, sqrt, rsqrt, bases of a real power."""
    return np.abs(z) + 0.2


def away(*points: float, margin: float = 0.02) -> Callable[[np.ndarray], np.ndarray]:
    """Values at least ``margin`` from each of ``points`` (kinks, poles, thresholds)."""
    def f(z: np.ndarray) -> np.ndarray:
        z = np.array(z, dtype=np.float64)
        for p in points:
            near = np.abs(z - p) < margin
            z[near] = p + np.where(z[near] >= p, margin, -margin)
        return z
    f.__name__ = f"away{points}"
    return f


def grid(offset: float) -> Callable[[np.ndarray], np.ndarray]:
    """Multiples of 0.05 plus ``offset``: inputs on grid(0) and grid(0.025) are never
    within 0.025 of each other, so maximum/minimum have no ties."""
    def f(z: np.ndarray) -> np.ndarray:
        return np.round(np.asarray(z) * 20) / 20 + offset
    f.__name__ = f"grid{offset}"
    return f


def boolean(z: np.ndarray) -> np.ndarray:
    """A bool constant (a where condition)."""
    return np.asarray(z) > 0


# ---- cases ----------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """An op under test: ``nl(*tensors)``, ``th(torch, *tensors)``, a domain per input,
    and optionally a strategy drawing the inputs' shapes (default: mutually
    broadcastable elementwise shapes)."""

    nl: Callable[..., Any]
    th: Callable[..., Any]
    domains: tuple = (anywhere,)
    shapes: st.SearchStrategy | None = None


def same(fn: Callable[..., Any], domains: tuple = (anywhere,), **kw: Any) -> Case:
    """A case whose expression reads the same in both libraries (``lambda x: 2 - x``)."""
    return Case(fn, lambda T, *xs: fn(*xs), domains, **kw)


def params(table: dict) -> list:
    return [pytest.param(case, id=name) for name, case in table.items()]


def elementwise_shapes(n: int, min_side: int = 0) -> st.SearchStrategy:
    """``n`` small shapes that broadcast together (0-3 dims, sides ``min_side``-4)."""
    if n == 1:
        return hnp.array_shapes(min_dims=0, max_dims=3, min_side=min_side,
                                max_side=4).map(lambda s: (s,))
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=3, min_side=min_side, max_side=4).map(
        lambda r: r.input_shapes)


def bounded_shapes(n: int) -> st.SearchStrategy:
    """A shape and ``n - 1`` shapes that broadcast to it (torch's clamp with tensor
    bounds keeps x's shape), no size-0 axes (its backward cannot broadcast to them)."""
    @st.composite
    def draw(draw_: Any) -> tuple:
        x = draw_(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
        into_x = hnp.broadcastable_shapes(x, min_dims=0, max_dims=len(x),
                                          min_side=1).filter(
            lambda s: np.broadcast_shapes(x, s) == x)
        return (x,) + tuple(draw_(into_x) for _ in range(n - 1))
    return draw()


def draw_arrays(data: st.DataObject, case: Case) -> list:
    """Draw the shapes and a seed, and build the case's float64 (or bool) inputs."""
    strategy = case.shapes if case.shapes is not None else elementwise_shapes(
        len(case.domains))
    shapes = data.draw(strategy, label="shapes")
    seed = data.draw(st.integers(0, 2 ** 16), label="seed")
    return make_arrays(case, shapes, seed)


def make_arrays(case: Case, shapes: Sequence[tuple], seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    return [dom(rng.standard_normal(shape)) for dom, shape in zip(case.domains, shapes)]


# ---- checks: tests/ops/_parity.py's on a case's two functions (seeds 1-3: a
# different random upstream gradient for each check) ----------------------------------
def check_gradcheck(case: Case, arrays: Sequence[np.ndarray]) -> None:
    _parity.gradcheck(case.nl, arrays)


def check_parity(torch: Any, case: Case, arrays: Sequence[np.ndarray]) -> None:
    _parity.check_parity(torch, case.nl, partial(case.th, torch), arrays, seed=1)


def check_double_backward(torch: Any, case: Case, arrays: Sequence[np.ndarray]) -> None:
    _parity.check_double_backward(torch, case.nl, partial(case.th, torch), arrays, seed=2)


def check_float32(case: Case, arrays: Sequence[np.ndarray]) -> None:
    _parity.check_float32(case.nl, arrays, seed=3)


# ---- the tests every table gets --------------------------------------------------------
def table_tests(cases: list) -> tuple:
    """``test_gradcheck``, ``test_matches_torch`` and ``test_double_backward_matches_torch``
    over ``cases`` (from ``params``), each on hypothesis-drawn inputs; a test module binds
    them to those names, and pytest collects them there."""
    @pytest.mark.parametrize("case", cases)
    @given(data=st.data())
    def test_gradcheck(case: Case, data: st.DataObject) -> None:
        check_gradcheck(case, draw_arrays(data, case))

    @pytest.mark.parametrize("case", cases)
    @given(data=st.data())
    def test_matches_torch(torch: Any, case: Case, data: st.DataObject) -> None:
        check_parity(torch, case, draw_arrays(data, case))

    @pytest.mark.parametrize("case", cases)
    @given(data=st.data())
    def test_double_backward_matches_torch(torch: Any, case: Case,
                                           data: st.DataObject) -> None:
        check_double_backward(torch, case, draw_arrays(data, case))

    return test_gradcheck, test_matches_torch, test_double_backward_matches_torch


def float32_test(cases: list, shapes: Sequence[tuple]) -> Callable:
    """``test_float32_stays_float32`` over ``cases``: check_float32 on inputs of
    ``shapes`` (the first one per input), then on 0-d inputs."""
    @pytest.mark.parametrize("case", cases)
    def test_float32_stays_float32(case: Case) -> None:
        check_float32(case, make_arrays(case, list(shapes)[:len(case.domains)]))
        check_float32(case, make_arrays(case, [()] * len(case.domains)))

    return test_float32_stays_float32
