"""Tests of nnlite/ops/decompositions.py: det slogdet logdet inv inverse solve
solve_triangular cholesky qr svd svdvals eigh eigvalsh pinv pinverse lstsq cholesky_solve
cholesky_inverse matrix_rank, the _ex forms, and their errors.

Each entry of ``CASES`` is a hypothesis strategy drawing a ``Case``: well-conditioned
input arrays of a drawn batch shape (general: ``X + n I``; SPD: ``X X^T + n I``;
rectangular: random, so distinct singular values), the call in nnlite and in torch, and
``sym``: which inputs the op reads as symmetric (their gradient check goes through
``X + X^T``, since the op reads one triangle only). Where the decomposition is not unique
(svd, eigh: signs of the vectors), the case compares gauge-invariant quantities:
``|U|``, ``|V|``, and ``U f(S) Vh``.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl

from ._cases import (
    batches, double_backward_test, float32_test, general, gradcheck_test,
    lazy_torch, lib_of, parity_test, seeds)
from ._parity import gradcheck
from ._shape_helpers import randn


class Case(NamedTuple):
    arrays: list
    nl: Callable
    th: Callable
    sym: tuple = ()
    tri: tuple = ()     # (index, upper): inputs read through one triangle (gradcheck)


def spd(batch: tuple, n: int, seed: int) -> np.ndarray:
    x = randn(batch + (n, n), seed)
    return x @ x.swapaxes(-1, -2) + n * np.eye(n)


def upper_tri(batch: tuple, n: int, seed: int) -> np.ndarray:
    return np.triu(randn(batch + (n, n), seed)) + 2 * n * np.eye(n)


# ============================================================================
# The cases
# ============================================================================
@st.composite
def det_case(draw: Any) -> Case:
    a = general(draw(batches), draw(st.integers(1, 4)), draw(seeds))
    f = draw(st.sampled_from([lambda x: lib_of(x).linalg.det(x), lambda x: x.det(),
                              lambda x: lib_of(x).det(x)]))
    return Case([a], f, f)


@st.composite
def slogdet_case(draw: Any) -> Case:
    a = general(draw(batches), draw(st.integers(1, 4)), draw(seeds))
    f = draw(st.sampled_from([lambda x: tuple(lib_of(x).linalg.slogdet(x)),
                              lambda x: tuple(x.slogdet())]))
    return Case([a], f, f)


@st.composite
def logdet_case(draw: Any) -> Case:
    a = spd(draw(batches), draw(st.integers(1, 4)), draw(seeds))
    f = draw(st.sampled_from([lambda x: lib_of(x).logdet(x), lambda x: x.logdet()]))
    return Case([a], f, f)


@st.composite
def inv_case(draw: Any) -> Case:
    a = general(draw(batches), draw(st.integers(1, 4)), draw(seeds))
    f = draw(st.sampled_from([lambda x: lib_of(x).linalg.inv(x), lambda x: x.inverse(),
                              lambda x: lib_of(x).inverse(x),
                              lambda x: lib_of(x).linalg.inv_ex(x)[0]]))
    return Case([a], f, f)


@st.composite
def solve_case(draw: Any) -> Case:
    n = draw(st.integers(1, 4))
    batch = draw(batches)
    a = general(batch, n, draw(seeds))
    bshape = draw(st.sampled_from([(n, 2), (n, 1), (n,), batch + (n, 3),
                                   batch[1:] + (n, 2), (3,) + batch + (n, 1)]
                                  if batch else [(n, 2), (n,), (2, n, 3)]))
    b = randn(bshape, draw(seeds))
    left = len(bshape) == 1 or draw(st.booleans())
    if not left:
        b = b.swapaxes(-1, -2)
        if b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]:    # a vector B (torch's rule):
            b, left = b.swapaxes(-1, -2), True                  # left=False raises
    return Case([a, b], lambda x, y: lib_of(x).linalg.solve(x, y, left=left),
                lambda x, y: lib_of(x).linalg.solve(x, y, left=left))


@st.composite
def solve_triangular_case(draw: Any) -> Case:
    n = draw(st.integers(1, 4))
    batch = draw(batches)
    upper, left, unit = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
    a = upper_tri(batch, n, draw(seeds)) + randn((n, n), 7)     # garbage off the triangle
    if not upper:
        a = a.swapaxes(-1, -2).copy()
    b = randn((n, 2) if left else (3, n), draw(seeds))
    f = (lambda x, y: lib_of(x).linalg.solve_triangular(x, y, upper=upper, left=left,
                                                        unitriangular=unit))
    return Case([a, b], f, f)


@st.composite
def cholesky_case(draw: Any) -> Case:
    a = spd(draw(batches), draw(st.integers(1, 4)), draw(seeds))
    upper = draw(st.booleans())
    f = draw(st.sampled_from([lambda x: lib_of(x).linalg.cholesky(x, upper=upper),
                              lambda x: lib_of(x).cholesky(x, upper),
                              lambda x: x.cholesky(upper),
                              lambda x: lib_of(x).linalg.cholesky_ex(x, upper=upper)[0]]))
    return Case([a], f, f, (0,))


@st.composite
def cholesky_solve_case(draw: Any) -> Case:
    n = draw(st.integers(1, 4))
    upper = draw(st.booleans())
    l = upper_tri(draw(batches), n, draw(seeds))
    l = l if upper else l.swapaxes(-1, -2).copy()
    b = randn((n, 2), draw(seeds))
    f = draw(st.sampled_from([lambda b, l: lib_of(b).cholesky_solve(b, l, upper),
                              lambda b, l: b.cholesky_solve(l, upper)]))
    return Case([b, l], f, f, tri=((1, upper),))


@st.composite
def cholesky_inverse_case(draw: Any) -> Case:
    n = draw(st.integers(1, 4))
    upper = draw(st.booleans())
    l = upper_tri(draw(batches), n, draw(seeds))
    l = l if upper else l.swapaxes(-1, -2).copy()
    f = lambda x: lib_of(x).cholesky_inverse(x, upper)
    return Case([l], f, f, tri=((0, upper),))


def _mn(draw: Any) -> tuple:
    return draw(st.integers(1, 4)), draw(st.integers(1, 4))


@st.composite
def qr_case(draw: Any) -> Case:
    m, n = _mn(draw)
    a = randn(draw(batches) + (m, n), draw(seeds))
    mode = draw(st.sampled_from(["reduced", "complete"] if m <= n else ["reduced"]))
    f = draw(st.sampled_from([lambda x: tuple(lib_of(x).linalg.qr(x, mode)),
                              lambda x: tuple(lib_of(x).qr(x, mode == "reduced")),
                              lambda x: tuple(x.qr(mode == "reduced"))]))
    return Case([a], f, f)


def _svd_invariants(U: Any, S: Any, Vh: Any) -> tuple:
    """Gauge-invariant: S, |U|, |Vh|, U diag(S^2) Vh (signs of the vectors cancel)."""
    return S, U.abs(), Vh.abs(), (U * (S * S).unsqueeze(-2)) @ Vh


@st.composite
def svd_case(draw: Any) -> Case:
    m, n = _mn(draw)
    a = randn(draw(batches) + (m, n), draw(seeds))
    full = draw(st.booleans())
    k = min(m, n)

    def nl_fn(x: Any) -> tuple:
        U, S, Vh = nl.linalg.svd(x, full_matrices=full)
        return _svd_invariants(U[..., :k], S, Vh[..., :k, :])

    def th_fn(x: Any) -> tuple:
        U, S, Vh = lazy_torch().linalg.svd(x, full_matrices=full)
        return _svd_invariants(U[..., :k], S, Vh[..., :k, :])

    return Case([a], nl_fn, th_fn)


@st.composite
def legacy_svd_case(draw: Any) -> Case:
    m, n = _mn(draw)
    a = randn(draw(batches) + (m, n), draw(seeds))

    def f(x: Any) -> tuple:
        U, S, V = x.svd() if isinstance(x, nl.Tensor) else x.svd()
        return _svd_invariants(U, S, V.mT if hasattr(V, "mT") else V.swapaxes(-1, -2))

    return Case([a], f, f)


@st.composite
def svdvals_case(draw: Any) -> Case:
    m, n = _mn(draw)
    a = randn(draw(batches) + (m, n), draw(seeds))
    f = lambda x: lib_of(x).linalg.svdvals(x)
    return Case([a], f, f)


@st.composite
def eigh_case(draw: Any) -> Case:
    a = spd(draw(batches), draw(st.integers(1, 4)), draw(seeds))
    uplo = draw(st.sampled_from(["L", "U"]))

    def f(x: Any) -> tuple:
        w, V = lib_of(x).linalg.eigh(x, uplo)
        return w, V.abs(), (V * (w * w).unsqueeze(-2)) @ V.swapaxes(-1, -2)

    return Case([a], f, f, (0,))


@st.composite
def eigvalsh_case(draw: Any) -> Case:
    a = spd(draw(batches), draw(st.integers(1, 4)), draw(seeds))
    uplo = draw(st.sampled_from(["L", "U"]))
    f = lambda x: lib_of(x).linalg.eigvalsh(x, uplo)
    return Case([a], f, f, (0,))


@st.composite
def pinv_case(draw: Any) -> Case:
    m, n = _mn(draw)
    a = randn(draw(batches) + (m, n), draw(seeds))
    f = draw(st.sampled_from([lambda x: lib_of(x).linalg.pinv(x), lambda x: x.pinverse(),
                              lambda x: lib_of(x).pinverse(x)]))
    return Case([a], f, f)


@st.composite
def pinv_hermitian_case(draw: Any) -> Case:
    a = spd(draw(batches), draw(st.integers(1, 4)), draw(seeds))
    f = lambda x: lib_of(x).linalg.pinv(x, hermitian=True)
    return Case([a], f, f, (0,))


@st.composite
def lstsq_case(draw: Any) -> Case:
    m = draw(st.integers(1, 5))
    n = draw(st.integers(1, m))
    batch = draw(batches)
    a = randn(batch + (m, n), draw(seeds))
    b = randn(batch + (m, 2), draw(seeds))
    driver = draw(st.sampled_from([None, "gelsy", "gelsd", "gelss", "gels"]))

    def f(x: Any, y: Any) -> tuple:
        r = lib_of(x).linalg.lstsq(x, y, driver=driver)
        return r.solution, r.residuals      # rank and singular values: a test below

    return Case([a, b], f, f)


CASES = {
    "det": det_case(), "slogdet": slogdet_case(), "logdet": logdet_case(), "inv": inv_case(),
    "solve": solve_case(), "solve_triangular": solve_triangular_case(),
    "cholesky": cholesky_case(), "cholesky_solve": cholesky_solve_case(),
    "cholesky_inverse": cholesky_inverse_case(), "qr": qr_case(), "svd": svd_case(),
    "legacy_svd": legacy_svd_case(), "svdvals": svdvals_case(), "eigh": eigh_case(),
    "eigvalsh": eigvalsh_case(), "pinv": pinv_case(),
    "pinv_hermitian": pinv_hermitian_case(), "lstsq": lstsq_case(),
}
# double backward is compared with torch where its own rule is differentiable
DOUBLE = ["det", "logdet", "inv", "solve", "solve_triangular", "cholesky", "qr", "svd",
          "svdvals", "eigh", "eigvalsh", "pinv", "cholesky_solve", "cholesky_inverse"]


def _floats(out: Any) -> Any:
    """The floating outputs (gradcheck contracts them all)."""
    outs = out if isinstance(out, tuple) else (out,)
    return tuple(y for y in outs if y.dtype.kind == "f")


def _symmetrized(case: Case) -> Callable:
    """The case's nnlite call with the inputs in ``sym`` read as ``X + X^T`` and those in
    ``tri`` as their triangle: torch's rules for these ops (and nnlite's) give the
    gradient of the full (symmetric) matrix, which central differences of one element
    see only through such a map."""
    tri = dict(case.tri)

    def fn(*xs: Any) -> Any:
        xs = [x + x.swapaxes(-1, -2) if i in case.sym else x for i, x in enumerate(xs)]
        xs = [(x.triu() if tri[i] else x.tril()) if i in tri else x for i, x in enumerate(xs)]
        return _floats(case.nl(*xs))
    return fn


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
test_gradcheck = gradcheck_test(CASES, max_examples=15, prepare=lambda name, case: (
    _symmetrized(case), [0.5 * a if i in case.sym else a for i, a in enumerate(case.arrays)]))
test_torch_parity = parity_test(CASES, rtol=1e-8, atol=1e-10)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES, DOUBLE, max_examples=5, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", list(CASES))
@settings(max_examples=5)
@given(data=st.data())
def test_float32_parity(torch, name: str, data: Any) -> None:
    """float32 values and gradients agree with torch's float32 to float32 accuracy."""
    case = data.draw(CASES[name])
    xs = [torch.tensor(a.astype(np.float32), requires_grad=True) for a in case.arrays]
    ys = [nl.tensor(a.astype(np.float32), requires_grad=True) for a in case.arrays]
    outs = [o for o in (case.nl(*ys) if isinstance(case.nl(*ys), tuple) else (case.nl(*ys),))]
    touts = case.th(*xs)
    touts = touts if isinstance(touts, tuple) else (touts,)
    for o, t in zip(outs, touts):
        assert o.dtype == np.float32 or o.dtype.kind != "f"
        np.testing.assert_allclose(o.array, t.detach().numpy(), rtol=1e-4, atol=1e-4)


def test_gradcheck_fails_on_a_wrong_rule() -> None:
    """The checker used above catches a wrong gradient (here det's, doubled)."""
    from nnlite.ops.decompositions import Det

    class BadDet(Det):
        @staticmethod
        def backward(ctx, gy):
            return 2 * Det.backward(ctx, gy)

    x = nl.tensor(general((), 3, 0), requires_grad=True)
    with pytest.raises(AssertionError):
        nl.gradcheck(BadDet.apply, [x])


# ============================================================================
# Values and semantics
# ============================================================================
def test_reconstructions() -> None:
    a = nl.tensor(randn((2, 4, 3), 1))
    Q, R = nl.linalg.qr(a)
    np.testing.assert_allclose((Q @ R).array, a.array, atol=1e-12)
    U, S, Vh = nl.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(((U * S.unsqueeze(-2)) @ Vh).array, a.array, atol=1e-12)
    U, S, V = nl.svd(a)
    np.testing.assert_allclose(((U * S.unsqueeze(-2)) @ V.mT).array, a.array, atol=1e-12)
    s = nl.tensor(spd((2,), 3, 2))
    w, V = nl.linalg.eigh(s)
    np.testing.assert_allclose(((V * w.unsqueeze(-2)) @ V.mT).array, s.array, atol=1e-12)
    L = nl.linalg.cholesky(s)
    np.testing.assert_allclose((L @ L.mT).array, s.array, atol=1e-12)


def test_det_gradient_at_a_singular_matrix_is_the_adjugate() -> None:
    """Rank n-1: the gradient (the transposed adjugate) is not zero. (torch 2.13 returns
    zeros for this exactly singular matrix; central differences agree with nnlite.)"""
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    gradcheck(nl.linalg.det, [a])
    x = nl.tensor(a, requires_grad=True)
    nl.linalg.det(x).backward()
    np.testing.assert_allclose(x.grad.array, [[4, 4, -4], [-2, -2, 2], [0, 0, 0]], atol=1e-12)


def test_legacy_svd_without_uv_and_complete(torch) -> None:
    a = randn((4, 2), 3)
    U, S, V = nl.svd(nl.tensor(a), compute_uv=False)
    tU, tS, tV = torch.svd(torch.tensor(a), compute_uv=False)
    assert U.shape == tuple(tU.shape) and V.shape == tuple(tV.shape)
    assert not U.array.any() and not V.array.any()
    np.testing.assert_allclose(S.array, tS.numpy())
    U, S, V = nl.svd(nl.tensor(a), some=False)
    assert U.shape == (4, 4) and V.shape == (2, 2)


def test_qr_modes_shapes(torch) -> None:
    a = randn((2, 5, 3), 0)
    for mode in ("reduced", "complete", "r"):
        Q, R = nl.linalg.qr(nl.tensor(a), mode)
        tQ, tR = torch.linalg.qr(torch.tensor(a), mode)
        assert Q.shape == tuple(tQ.shape) and R.shape == tuple(tR.shape)
        np.testing.assert_allclose(R.array, tR.numpy(), atol=1e-12)


@pytest.mark.parametrize("mode", ["r", "complete"])
def test_qr_not_differentiable_modes_raise_on_backward(mode: str) -> None:
    x = nl.tensor(randn((5, 3), 0), requires_grad=True)
    with pytest.raises(RuntimeError, match="qr"):
        nl.linalg.qr(x, mode)[1].sum().backward()


def test_pinv_and_matrix_rank_tolerances(torch) -> None:
    a = np.diag([1.0, 1e-3, 1e-9])
    for kw in ({}, {"rtol": 1e-4}, {"atol": 1e-2}, {"atol": 1e-2, "rtol": 1e-10},
               {"hermitian": True}):
        np.testing.assert_allclose(nl.linalg.pinv(nl.tensor(a), **kw).array,
                                   torch.linalg.pinv(torch.tensor(a), **kw).numpy())
        assert (nl.linalg.matrix_rank(nl.tensor(a), **kw).item()
                == torch.linalg.matrix_rank(torch.tensor(a), **kw).item())
    np.testing.assert_allclose(nl.pinverse(nl.tensor(a), 1e-5).array,
                               torch.pinverse(torch.tensor(a), 1e-5).numpy())


def test_lstsq_rank_deficient_and_vector_rhs(torch) -> None:
    a = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    b = np.array([1.0, 2.0, 2.0])
    for driver in ("gelsy", "gelsd"):
        ours = nl.linalg.lstsq(nl.tensor(a), nl.tensor(b), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
        np.testing.assert_allclose(ours.solution.array, theirs.solution.numpy(), atol=1e-12)
        assert ours.residuals.shape == tuple(theirs.residuals.shape)
        assert ours.rank.item() == theirs.rank.item()
        np.testing.assert_allclose(ours.singular_values.array,
                                   theirs.singular_values.numpy(), atol=1e-12)
    a = randn((2, 5, 3), 0)
    for driver in ("gelsy", "gelsd", "gelss", "gels"):
        ours = nl.linalg.lstsq(nl.tensor(a), nl.tensor(a[..., :2]), driver=driver)
        theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(a[..., :2]), driver=driver)
        for o, t in zip(ours, theirs):
            assert o.shape == tuple(t.shape) and o.dtype == t.numpy().dtype
            np.testing.assert_allclose(o.array, t.numpy(), atol=1e-10)


def test_ex_forms_report_info(torch) -> None:
    sing = np.stack([np.eye(3), np.ones((3, 3))])
    inv, info = nl.linalg.inv_ex(nl.tensor(sing))
    tinfo = torch.linalg.inv_ex(torch.tensor(sing)).info
    np.testing.assert_array_equal(info.array, tinfo.numpy())
    assert info.dtype == np.int32
    np.testing.assert_allclose(inv.array[0], np.eye(3))
    not_pd = np.stack([np.eye(3), np.diag([1.0, -1.0, 1.0])])
    L, info = nl.linalg.cholesky_ex(nl.tensor(not_pd))
    np.testing.assert_array_equal(info.array,
                                  torch.linalg.cholesky_ex(torch.tensor(not_pd)).info.numpy())
    with pytest.raises(nl.linalg.LinAlgError, match="Batch element 1"):
        nl.linalg.cholesky_ex(nl.tensor(not_pd), check_errors=True)
    with pytest.raises(nl.linalg.LinAlgError, match="Batch element 1"):
        nl.linalg.inv_ex(nl.tensor(sing), check_errors=True)


def test_logdet_of_negative_determinant_is_nan(torch) -> None:
    a = np.diag([-1.0, 2.0])
    assert np.isnan(nl.logdet(nl.tensor(a)).item())
    assert np.isnan(torch.logdet(torch.tensor(a)).item())


# ============================================================================
# Errors
# ============================================================================
def test_singular_input_raises_linalg_error() -> None:
    assert issubclass(nl.linalg.LinAlgError, RuntimeError)
    sing = nl.tensor([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(nl.linalg.LinAlgError, match="diagonal element 2 is zero"):
        nl.linalg.inv(sing)
    with pytest.raises(nl.linalg.LinAlgError, match=r"Batch element 1"):
        nl.linalg.inv(nl.stack([nl.eye(2), sing]))
    with pytest.raises(nl.linalg.LinAlgError, match="singular"):
        nl.linalg.solve(sing, nl.ones(2))
    with pytest.raises(nl.linalg.LinAlgError, match="leading minor of order 2"):
        nl.linalg.cholesky(nl.tensor([[1.0, 2.0], [2.0, 1.0]]))


@pytest.mark.parametrize("fn", [nl.linalg.det, nl.linalg.inv, nl.linalg.cholesky,
                                nl.linalg.eigh, nl.linalg.slogdet, nl.det])
def test_non_square_and_bad_dtype_raise(fn: Callable) -> None:
    with pytest.raises(ValueError, match="square matrices.*2 by 3"):
        fn(nl.ones(2, 3))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        fn(nl.ones(3))
    with pytest.raises(RuntimeError, match="floating point.*Long"):
        fn(nl.ones(3, 3, dtype=nl.int64))
    with pytest.raises(RuntimeError, match="Low precision.*Half"):
        fn(nl.ones(3, 3, dtype=nl.float16))


def test_solve_errors_name_the_shapes() -> None:
    with pytest.raises(RuntimeError, match="same dtype"):
        nl.linalg.solve(nl.eye(2, dtype=nl.float64), nl.ones(2))
    with pytest.raises(ValueError, match=r"Incompatible shapes.*\(2, 2\) and \(3, 1\)"):
        nl.linalg.solve(nl.eye(2), nl.ones(3, 1))
    with pytest.raises(ValueError, match="broadcast"):
        nl.linalg.solve(nl.eye(2).expand(3, 2, 2), nl.ones(4, 2, 1))
    with pytest.raises(ValueError, match="mode"):
        nl.linalg.qr(nl.eye(2), "full")
    with pytest.raises(ValueError, match="UPLO"):
        nl.linalg.eigh(nl.eye(2), "X")
