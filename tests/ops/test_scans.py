"""Tests of nnlite/ops/scans.py: cummax cummin logcumsumexp diff.

Hypothesis draws the shape, the dim, the arguments and the spelling (function or Tensor
method); the checks are float64 gradcheck, torch parity of values, indices and
gradients, float32 kept and double backward against torch. Ties and NaN in cummax /
cummin, logcumsumexp's stability, integer and bool inputs, 0-d and empty inputs and bad
arguments are checked separately.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, float32_test, gradcheck_test, lazy_torch, parity_test)
from ._parity import check_parity
from ._shape_helpers import arrays, dim_of, randn, shapes


@st.composite
def scan_case(draw: Any, name: str) -> Case:
    shape = draw(shapes(min_side=0))
    dim = draw(dim_of(len(shape)))
    f = draw(st.sampled_from([lambda x: getattr(nl, name)(x, dim),
                              lambda x: getattr(x, name)(dim)]))
    return Case([draw(arrays(shape))], f, lambda x: getattr(lazy_torch(), name)(x, dim))


@st.composite
def diff_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, min_side=0))
    dim = draw(dim_of(len(shape)))
    n = draw(st.integers(0, 4))
    d = dim % len(shape)
    extra = []
    for _ in range(2):
        if draw(st.booleans()):
            side = shape[:d] + (draw(st.integers(0, 2)),) + shape[d + 1:]
            extra.append(draw(arrays(side)))
        else:
            extra.append(None)
    pre, app = extra
    arrs = [draw(arrays(shape))] + [a for a in extra if a is not None]

    def call(lib: Any, method: bool, x: Any, *rest: Any) -> Any:
        it = iter(rest)
        p = next(it) if pre is not None else None
        a = next(it) if app is not None else None
        if method:
            return x.diff(n, dim, p, a)
        return lib.diff(x, n=n, dim=dim, prepend=p, append=a)
    method = draw(st.booleans())
    return Case(arrs, lambda *t: call(nl, method, *t), lambda *t: call(lazy_torch(), False, *t))


CASES = {"cummax": scan_case("cummax"), "cummin": scan_case("cummin"),
         "logcumsumexp": scan_case("logcumsumexp"), "diff": diff_case()}


def _floats(out: Any) -> Any:
    outs = out if isinstance(out, tuple) else (out,)
    return tuple(o for o in outs if o.dtype.kind == "f")


# ============================================================================
# Gradients, parity, dtype, double backward
# ============================================================================
test_gradcheck = gradcheck_test(CASES, when=lambda case: all(a.size for a in case.arrays),
                                prepare=lambda name, case: (lambda *x: _floats(case.nl(*x)),
                                                            case.arrays))
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES)


# ============================================================================
# cummax / cummin: ties, NaN, integers
# ============================================================================
TIES = np.array([[1.0, 2.0, 2.0, 1.0, 3.0, 3.0, 3.0, 0.0, 3.0],
                 [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
                 [0.0, -1.0, 0.0, -1.0, -1.0, 2.0, -1.0, 2.0, 0.0]])
NANS = np.array([[1.0, np.nan, 3.0, np.nan, 2.0, 0.0], [np.nan, 1.0, 2.0, 3.0, 4.0, 5.0],
                 [-np.inf, np.inf, 1.0, np.inf, np.nan, np.inf]])


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("values", [TIES, NANS], ids=["ties", "nan"])
@pytest.mark.parametrize("dim", [0, 1])
def test_ties_and_nan_take_torch_indices(torch, name: str, values: np.ndarray,
                                         dim: int) -> None:
    """Equal to the running extremum: the later element takes over; a NaN propagates
    with the index of the last NaN seen. The gradient goes (and adds up) there."""
    check_parity(torch, lambda x: getattr(nl, name)(x, dim),
                 lambda x: getattr(torch, name)(x, dim), [values])


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_integer_and_bool_inputs(torch, name: str, dtype: Any) -> None:
    a = (np.arange(24).reshape(4, 6) * 7 % 5).astype(dtype)
    check_parity(torch, lambda x: getattr(nl, name)(x, 1),
                 lambda x: getattr(torch, name)(x, 1), [a])


def test_cummax_gradient_adds_up_at_a_repeated_index() -> None:
    x = nl.tensor([3.0, 1.0, 2.0], requires_grad=True)
    nl.cummax(x, 0).values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 0.0, 0.0])


# ============================================================================
# logcumsumexp: stable
# ============================================================================
def test_logcumsumexp_does_not_overflow(torch) -> None:
    a = np.array([[1000.0, 1000.0, -1000.0, 0.0], [-np.inf, -np.inf, 0.0, -np.inf],
                  [-1e4, -1e4, -1e4, 1e4]])
    check_parity(torch, lambda x: nl.logcumsumexp(x, 1), lambda x: torch.logcumsumexp(x, 1),
                 [a])
    y = nl.logcumsumexp(nl.tensor(a[0].astype(np.float32)), 0)
    assert y.dtype == np.float32 and np.isfinite(y.numpy()).all()


def test_logcumsumexp_rejects_integers(torch) -> None:
    with pytest.raises(NotImplementedError):
        torch.logcumsumexp(torch.tensor([1, 2]), 0)
    with pytest.raises(NotImplementedError, match="logcumsumexp"):
        nl.logcumsumexp(nl.tensor([1, 2]), 0)


# ============================================================================
# diff
# ============================================================================
DIFF = [("bool", lambda T, x: T.diff(x > 0)), ("int", lambda T, x: T.diff(T.tensor([1, 4, 9, 16]), 2)),
        ("n_past_size", lambda T, x: T.diff(x, 5, 0)),
        ("promote", lambda T, x: T.diff(T.tensor([1, 2]), prepend=T.tensor([1.5]))),
        ("n0", lambda T, x: T.diff(x, 0))]


@pytest.mark.parametrize("name, f", DIFF, ids=[n for n, _ in DIFF])
def test_diff_as_torch(torch, name: str, f: Callable) -> None:
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [randn((3, 4))])


def test_diff_rejects_bad_arguments(torch) -> None:
    for lib in (nl, torch):
        with pytest.raises(RuntimeError, match="at least one-dimensional"):
            lib.diff(lib.tensor(1.0))
        with pytest.raises(RuntimeError, match="non-negative"):
            lib.diff(lib.tensor([1.0, 2.0]), n=-1)
        with pytest.raises(RuntimeError, match="same"):
            lib.diff(lib.ones(2, 2), prepend=lib.ones(2))
    with pytest.raises(IndexError, match="out of range"):
        nl.diff(nl.ones(2), dim=1)


# ============================================================================
# 0-d, empty, names
# ============================================================================
ZERO_D = [("cummax", lambda T, x: T.cummax(x, 0)), ("cummin", lambda T, x: T.cummin(x, -1)),
          ("logcumsumexp", lambda T, x: T.logcumsumexp(x, 0))]


@pytest.mark.parametrize("name, f", ZERO_D, ids=[n for n, _ in ZERO_D])
def test_zero_dim_input_as_torch(torch, name: str, f: Callable) -> None:
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [np.array(1.5)])


def test_results_have_values_and_indices() -> None:
    x = nl.tensor(randn((3, 4)), requires_grad=True)
    for r in (nl.cummax(x, 1), nl.cummin(x, 0)):
        values, indices = r
        assert r.values is values and r.indices is indices
        assert indices.dtype == np.int64 and not indices.requires_grad
