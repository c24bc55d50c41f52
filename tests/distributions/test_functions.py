"""The package's special functions and linear algebra (``_functions.py``) against torch
and central differences: lgamma, digamma, erfinv, expm1, floor, atan, tan, xlogy,
gammainc, cholesky, triangular solves."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl
from nnlite.distributions import _functions as F
from tests.ops._parity import check_parity, gradcheck

R = np.random.default_rng(5)
POS = R.uniform(0.05, 12.0, (3, 4))
UNIT = R.uniform(-0.99, 0.99, (3, 4))


@pytest.mark.parametrize("ours,theirs,x", [
    (F.lgamma, lambda t: t.lgamma(), POS),
    (F.digamma, lambda t: t.digamma(), POS),
    (F.erfinv, lambda t: t.erfinv(), UNIT),
    (F.expm1, lambda t: t.expm1(), R.standard_normal((3, 4))),
    (F.atan, lambda t: t.atan(), R.standard_normal((3, 4)) * 3),
    (F.tan, lambda t: t.tan(), UNIT * 1.4),
    (F.floor, lambda t: t.floor(), R.standard_normal((3, 4)) * 3),
], ids=["lgamma", "digamma", "erfinv", "expm1", "atan", "tan", "floor"])
def test_unary_parity_and_gradcheck(torch, ours, theirs, x):
    check_parity(torch, ours, theirs, [x], rtol=1e-9, atol=1e-11)
    if ours is not F.floor:
        gradcheck(ours, [x])


def test_special_values(torch):
    x = np.array([-2.5, -0.5, 1e-8, 0.5, 1.0, 2.0, 30.0, 1e5])
    t = torch.tensor(x)
    np.testing.assert_allclose(F.digamma_array(x), t.digamma().numpy(), rtol=1e-11)
    np.testing.assert_allclose(F.lgamma_array(x), t.lgamma().numpy(), rtol=1e-13)
    np.testing.assert_allclose(F.trigamma_array(x), torch.polygamma(1, t).numpy(), rtol=1e-8)
    u = np.array([-1.0, -0.999999, 0.0, 1e-300, 0.5, 1 - 1e-12, 1.0])
    np.testing.assert_allclose(F.erfinv_array(u), torch.tensor(u).erfinv().numpy(), rtol=1e-13)
    assert np.isnan(F.erfinv_array(np.array(1.5)))


def test_xlogy(torch):
    x = np.array([0.0, 1.0, 2.5, 0.0])
    y = np.array([0.0, 2.0, 0.3, 4.0])
    check_parity(torch, F.xlogy, torch.xlogy, [x, y], rtol=1e-12)


def test_gammainc(torch):
    a, x = R.uniform(0.2, 30, 12), R.uniform(0.0, 40, 12)
    out = F.gammainc(nl.tensor(a), nl.tensor(x))
    np.testing.assert_allclose(out.numpy(), torch.special.gammainc(torch.tensor(a),
                                                                   torch.tensor(x)).numpy(),
                               rtol=1e-8, atol=1e-14)
    check_parity(torch, lambda x_: F.gammainc(nl.tensor(a), x_),
                 lambda x_: torch.special.gammainc(torch.tensor(a), x_), [x], rtol=1e-8)
    assert nl.gradcheck(F.gammainc, [nl.tensor(a[:5], requires_grad=True),
                                     nl.tensor(x[:5] + 0.1, requires_grad=True)],
                        atol=1e-6, rtol=1e-4)


def _spd(batch, n):
    L = np.tril(R.standard_normal(batch + (n, n)) * 0.3)
    L[..., np.arange(n), np.arange(n)] = R.uniform(0.5, 1.5, batch + (n,))
    return L @ np.swapaxes(L, -1, -2), L


@settings(max_examples=10, deadline=None)
@given(batch=st.lists(st.integers(1, 3), max_size=2).map(tuple), n=st.integers(1, 4))
def test_cholesky_hypothesis(batch, n):
    A, _ = _spd(batch, n)
    sym = lambda a: F.cholesky((a + a.transpose(-1, -2)) / 2)           # noqa: E731
    np.testing.assert_allclose(sym(nl.tensor(A)).numpy(), np.linalg.cholesky(A), rtol=1e-12)
    gradcheck(sym, [A])


def test_cholesky_parity(torch):
    A, _ = _spd((2,), 3)
    check_parity(torch, lambda a: F.cholesky((a + a.transpose(-1, -2)) / 2),
                 lambda a: torch.linalg.cholesky((a + a.transpose(-1, -2)) / 2), [A], rtol=1e-9)
    with pytest.raises(RuntimeError, match="not positive-definite"):
        F.cholesky(nl.tensor([[1.0, 2.0], [2.0, 1.0]]))


@settings(max_examples=10, deadline=None)
@given(lb=st.lists(st.integers(1, 3), max_size=2).map(tuple),
       bb=st.lists(st.integers(1, 3), max_size=2).map(tuple), n=st.integers(1, 4),
       k=st.integers(1, 3))
def test_solve_lower_hypothesis(lb, bb, n, k):
    try:
        np.broadcast_shapes(lb, bb)
    except ValueError:
        return
    _, L = _spd(lb, n)
    B = R.standard_normal(bb + (n, k))
    gradcheck(lambda l, b: F.solve_lower(l.tril(), b), [L, B])


def test_solve_lower_parity(torch):
    _, L = _spd((2,), 3)
    B = R.standard_normal((4, 1, 3, 2))
    check_parity(torch, F.solve_lower,
                 lambda l, b: torch.linalg.solve_triangular(l, b, upper=False), [L, B],
                 rtol=1e-9)
