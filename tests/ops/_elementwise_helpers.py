"""Shared checks of the elementwise op tests (test_rounding.py, test_trig.py,
test_explog.py, test_special_functions.py, test_elementwise.py): domains that keep
central differences away from poles and jumps, torch parity at the special points
(0, -0, +-1, +-inf, nan), torch's output dtypes for integer and bool inputs, and the
in-place ``_`` forms (values as torch's, torch's leaf rule, the version counter)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

from ._binary_helpers import Case
from ._parity import check_parity

import nnlite as nl

# the special points every unary op is compared with torch at (values and gradients)
EDGES = np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.5, 0.5, -0.5, 1e-300, 40.25, -40.5,
                  np.inf, -np.inf, np.nan])


def off_integers(z: np.ndarray) -> np.ndarray:
    """Quarter points k/2 + 1/4: never within 1/4 of an integer or a half (the jumps of
    floor, ceil, round, trunc, frac)."""
    return np.floor(np.asarray(z) * 2) / 2 + 0.25


def inside(bound: float) -> Callable[[np.ndarray], np.ndarray]:
    """Values in (-bound, bound) (asin, atanh, erfinv, tan)."""
    def f(z: np.ndarray) -> np.ndarray:
        return np.tanh(np.asarray(z)) * bound
    f.__name__ = f"inside{bound}"
    return f


def nonzero(z: np.ndarray) -> np.ndarray:
    """|x| >= 0.3, either sign (reciprocal, divisors)."""
    z = np.asarray(z)
    return np.where(z < 0, z - 0.3, z + 0.3)


def probability(z: np.ndarray) -> np.ndarray:
    """(0.05, 0.95) (logit)."""
    return 0.05 + 0.9 / (1 + np.exp(-np.asarray(z)))


def check_edges(torch: Any, case: Case, points: np.ndarray = EDGES, **tol: Any) -> None:
    """Values and gradients at ``points`` (each input of the case gets them, rolled so
    binary ops meet every pair of neighbours) equal torch's, nan and inf included."""
    arrays = [np.roll(points, k) for k in range(len(case.domains))]
    with np.errstate(all="ignore"):
        check_parity(torch, case.nl, lambda *ts: case.th(torch, *ts), arrays, **tol)


def outcome(fn: Callable[[], Any]) -> tuple:
    """('ok', dtype, values) or ('error', exception) of ``fn()``."""
    try:
        y = fn()
    except Exception as e:                              # noqa: BLE001 (compared below)
        return ("error", e)
    arr = y.array if isinstance(y, nl.Tensor) else y.detach().numpy()
    return ("ok", arr.dtype, arr)


def check_dtypes_like_torch(torch: Any, nl_fn: Callable, th_fn: Callable,
                            arrays: list) -> None:
    """On these (integer, bool or mixed) inputs, both succeed with the same dtype and
    values, or both raise, ours an error torch's kind of code catches."""
    ours = outcome(lambda: nl_fn(*[nl.tensor(a) for a in arrays]))
    theirs = outcome(lambda: th_fn(*[torch.tensor(a) for a in arrays]))
    if theirs[0] == "error":
        assert ours[0] == "error", f"torch raises {theirs[1]!r}, nnlite gives {ours[1]}"
        assert isinstance(ours[1], type(theirs[1])) or (
            isinstance(theirs[1], RuntimeError) and isinstance(ours[1], RuntimeError)), (
            f"nnlite raises {type(ours[1]).__name__}, torch {type(theirs[1]).__name__}")
        return
    assert ours[0] == "ok", f"nnlite raises {ours[1]!r}, torch gives {theirs[1]}"
    assert ours[1] == theirs[1], f"dtype {ours[1]}, torch's {theirs[1]}"
    np.testing.assert_allclose(ours[2].astype(np.float64), theirs[2].astype(np.float64),
                               rtol=1e-6, equal_nan=True)


def _wrap(a: Any, lib: Any) -> Any:
    """An array argument as a tensor of ``lib`` (nnlite or torch); others as they are."""
    return lib.tensor(a) if isinstance(a, np.ndarray) else a


def check_in_place(torch: Any, name: str, x: np.ndarray, *args: Any, **kwargs: Any) -> None:
    """``t.name(*args)`` writes torch's values into ``t`` and returns it, bumps the version,
    is refused on a leaf that requires grad (allowed under no_grad), and on a non-leaf is
    recorded so that the gradient equals that of torch's out-of-place op."""
    t = nl.tensor(x.copy())
    tt = torch.tensor(x.copy())
    v0 = t._version
    with np.errstate(all="ignore"):
        out = getattr(t, name)(*[_wrap(a, nl) for a in args], **kwargs)
        getattr(tt, name)(*[_wrap(a, torch) for a in args], **kwargs)
    assert out is t and t._version == v0 + 1
    np.testing.assert_allclose(t.array, tt.numpy(), rtol=1e-6, equal_nan=True)
    assert t.dtype == tt.numpy().dtype
    if x.dtype.kind != "f":
        return
    leaf = nl.tensor(x.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(leaf, name)(*[_wrap(a, nl) for a in args], **kwargs)
    with nl.no_grad(), np.errstate(all="ignore"):
        getattr(leaf, name)(*[_wrap(a, nl) for a in args], **kwargs)
    assert leaf.requires_grad and leaf.is_leaf
    a = nl.tensor(x.copy(), requires_grad=True)
    ta = torch.tensor(x.copy(), requires_grad=True)
    with np.errstate(all="ignore"):
        y = getattr(a * 1.0, name)(*[_wrap(v, nl) for v in args], **kwargs)
        # torch's out-of-place op: it has no derivative for some in-place ones (asinh_)
        ty = getattr(ta * 1.0, name[:-1])(*[_wrap(v, torch) for v in args], **kwargs)
    g = np.linspace(-1.0, 1.0, x.size).reshape(x.shape)
    (ga,) = nl.autograd.grad(y, a, nl.tensor(g))
    (tga,) = torch.autograd.grad(ty, ta, torch.tensor(g))
    tga = np.zeros(x.shape) if tga._is_zerotensor() else tga.numpy()
    np.testing.assert_allclose(ga.array, tga, rtol=1e-6, atol=1e-12, equal_nan=True)


BINARY_DTYPES = [(np.int64, np.int64), (np.bool_, np.bool_), (np.float32, np.int64),
                 (np.float64, np.float32), (np.int32, np.float64)]


def binary_dtypes_test(names: list) -> Callable:
    """``test_binary_dtypes_as_torch``: each of ``names`` (a binary function of both
    libraries) on inputs of every dtype pair of ``BINARY_DTYPES`` gives torch's dtype,
    or raises where torch does (check_dtypes_like_torch)."""
    @pytest.mark.parametrize("name", names)
    @pytest.mark.parametrize("dtypes", BINARY_DTYPES, ids=str)
    def test_binary_dtypes_as_torch(torch: Any, name: str, dtypes: tuple) -> None:
        a = np.array([1, 0, 3]).astype(dtypes[0])
        b = np.array([2, 1, 1]).astype(dtypes[1])
        check_dtypes_like_torch(torch, getattr(nl, name), getattr(torch, name), [a, b])

    return test_binary_dtypes_as_torch
