"""The case tables of the op tests and the four tests run over each table.

A test file lists its ops in ``CASES``: a dict from a name to a hypothesis strategy
drawing a ``Case`` (the arrays, the call in nnlite, the same call in torch). The makers
below return the test functions that run one property of tests/ops/_parity.py over the
whole table, one pytest parameter per name; a file binds them to its own test names::

    test_gradcheck = gradcheck_test(CASES)
    test_torch_parity = parity_test(CASES)
    test_float32_stays_float32 = float32_test(CASES)
    test_double_backward = double_backward_test(CASES)

Each maker takes ``names`` (the names to run, by default all of ``CASES``),
``max_examples`` (hypothesis examples; ``None`` keeps the profile's), tolerances where
the check has them (``None`` keeps _parity's defaults) and ``quiet`` (ignore warnings
the op gives, e.g. cov's degrees of freedom).
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, NamedTuple, Sequence

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl

from ._parity import check_double_backward, check_float32, check_parity, gradcheck
from ._shape_helpers import randn


class Case(NamedTuple):
    arrays: list
    nl: Callable
    th: Callable | None     # None: no torch counterpart (the case is not in a parity run)


def lazy_torch() -> Any:
    """torch, imported when a case's torch call runs (the module imports without it)."""
    import torch
    return torch


def either(draw: Any, fn: Callable, method: Callable) -> Callable:
    """The nnlite spelling: the function or the Tensor method (both must work)."""
    return draw(st.sampled_from([fn, method]))


def seeded_rng(draw: Any) -> np.random.Generator:
    """A NumPy generator from a drawn seed."""
    return np.random.default_rng(draw(st.integers(0, 2 ** 16)))


# ---- linear-algebra inputs (test_decompositions.py, test_matrix_functions.py) -------
def lib_of(x: Any) -> Any:
    """The library of tensor ``x`` (nnlite or torch): one lambda serves both."""
    return nl if isinstance(x, nl.Tensor) else lazy_torch()


batches = st.sampled_from([(), (1,), (2,), (2, 1), (1, 3)])
seeds = st.integers(0, 2 ** 16)


def general(batch: tuple, n: int, seed: int) -> np.ndarray:
    """A batch of well-conditioned ``n x n`` matrices: standard normal plus ``n I``."""
    return randn(batch + (n, n), seed) + n * np.eye(n)


# ---- the tests over a table --------------------------------------------------------
def _tolerances(rtol: float | None, atol: float | None) -> dict:
    out = {}
    if rtol is not None:
        out["rtol"] = rtol
    if atol is not None:
        out["atol"] = atol
    return out


@contextmanager
def _quiet(quiet: bool) -> Iterator[None]:
    """Warnings ignored inside when ``quiet``; untouched otherwise."""
    if not quiet:
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _over_table(cases: Mapping[str, Any], names: Sequence[str] | None,
                max_examples: int | None, test_name: str) -> Callable:
    """The decorators of a test over the table: one parameter per name, hypothesis
    drawing ``data``, ``max_examples`` if given."""
    def decorate(fn: Callable) -> Callable:
        fn.__name__ = fn.__qualname__ = test_name
        fn = given(data=st.data())(fn)
        if max_examples is not None:
            fn = settings(max_examples=max_examples)(fn)
        return pytest.mark.parametrize("name", list(cases if names is None else names))(fn)
    return decorate


def gradcheck_test(cases: Mapping[str, Any], names: Sequence[str] | None = None, *,
                   max_examples: int | None = None,
                   when: Callable[[Case], bool] | None = None,
                   prepare: Callable[[str, Case], tuple] | None = None,
                   quiet: bool = False) -> Callable:
    """float64 gradcheck of every drawn case. ``when(case)``: check only the cases it
    accepts (e.g. not empty). ``prepare(name, case)``: the ``(fn, arrays)`` to check, by
    default ``(case.nl, case.arrays)``."""
    @_over_table(cases, names, max_examples, "test_gradcheck")
    def test(name: str, data: Any) -> None:
        case = data.draw(cases[name])
        if when is not None and not when(case):
            return
        fn, arrays = prepare(name, case) if prepare else (case.nl, case.arrays)
        with _quiet(quiet):
            gradcheck(fn, arrays)
    return test


def parity_test(cases: Mapping[str, Any], names: Sequence[str] | None = None, *,
                max_examples: int | None = None, rtol: float | None = None,
                atol: float | None = None, quiet: bool = False) -> Callable:
    """Values, dtypes and gradients of every drawn case equal torch's (check_parity)."""
    tol = _tolerances(rtol, atol)

    @_over_table(cases, names, max_examples, "test_torch_parity")
    def test(torch: Any, name: str, data: Any) -> None:
        case = data.draw(cases[name])
        with _quiet(quiet):
            check_parity(torch, case.nl, case.th, case.arrays, **tol)
    return test


def float32_test(cases: Mapping[str, Any], names: Sequence[str] | None = None, *,
                 max_examples: int | None = 5,
                 create_graph: bool | Callable[[str], bool] = True,
                 quiet: bool = False) -> Callable:
    """float32 in, float32 out and float32 gradients (check_float32); ``create_graph``
    (or ``create_graph(name)``): the ops differentiated twice."""
    @_over_table(cases, names, max_examples, "test_float32_stays_float32")
    def test(name: str, data: Any) -> None:
        case = data.draw(cases[name])
        twice = create_graph(name) if callable(create_graph) else create_graph
        with _quiet(quiet):
            check_float32(case.nl, case.arrays, create_graph=twice)
    return test


def double_backward_test(cases: Mapping[str, Any], names: Sequence[str] | None = None, *,
                         max_examples: int | None = 8, rtol: float | None = None,
                         atol: float | None = None, quiet: bool = False) -> Callable:
    """Gradients taken with create_graph=True and second-order gradients equal torch's
    (check_double_backward)."""
    tol = _tolerances(rtol, atol)

    @_over_table(cases, names, max_examples, "test_double_backward")
    def test(torch: Any, name: str, data: Any) -> None:
        case = data.draw(cases[name])
        with _quiet(quiet):
            check_double_backward(torch, case.nl, case.th, case.arrays, **tol)
    return test


def errors_test(bad: Sequence[tuple]) -> Callable:
    """Each ``(name, call, exc, match)`` of ``bad``: ``call()`` raises ``exc`` with a
    message matching ``match`` (one pytest parameter per name)."""
    @pytest.mark.parametrize("name, call, exc, match", bad, ids=[b[0] for b in bad])
    def test(name: str, call: Callable, exc: type, match: str) -> None:
        with pytest.raises(exc, match=match):
            call()
    test.__name__ = test.__qualname__ = "test_bad_input_raises_a_clear_error"
    return test
