"""Tests of nnlite/ops/statistics.py: median nanmedian mode quantile nanquantile nansum
nanmean std_mean var_mean aminmax cov corrcoef.

Each entry of ``CASES`` is a hypothesis strategy drawing a ``Case``: the input arrays
(continuous values, so no ties) and the same call in nnlite (the function or the Tensor
method, drawn) and in torch. One test per property runs over the whole table (float64
gradcheck, torch parity of values, dtypes, indices and gradients, float32 kept, double
backward); ties, NaN, empty and 0-d inputs, and bad arguments are checked separately
against torch.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, float32_test, gradcheck_test, lazy_torch, parity_test)
from ._parity import check_double_backward, check_parity
from ._shape_helpers import arrays, dim_of, randn, shapes


def _either(draw: Any, name: str, *args: Any, **kwargs: Any) -> Callable:
    """``nl.name(x, ...)`` or ``x.name(...)``, drawn (both must work)."""
    return draw(st.sampled_from([lambda x: getattr(nl, name)(x, *args, **kwargs),
                                 lambda x: getattr(x, name)(*args, **kwargs)]))


def _with_nans(a: np.ndarray, draw: Any) -> np.ndarray:
    """``a`` with some elements (drawn) replaced by NaN."""
    mask = np.array(draw(st.lists(st.booleans(), min_size=a.size, max_size=a.size)), bool)
    out = a.copy()
    out.reshape(-1)[mask] = np.nan
    return out


# ============================================================================
# The cases
# ============================================================================
@st.composite
def median_case(draw: Any, name: str) -> Case:
    shape = draw(shapes())
    if draw(st.booleans()):
        f = _either(draw, name)
        return Case([draw(arrays(shape))], f, lambda x: getattr(lazy_torch(), name)(x))
    dim, keepdim = draw(dim_of(len(shape))), draw(st.booleans())
    f = _either(draw, name, dim, keepdim)
    return Case([draw(arrays(shape))], f,
                lambda x: getattr(lazy_torch(), name)(x, dim, keepdim))


@st.composite
def mode_case(draw: Any) -> Case:
    shape = draw(shapes())
    dim, keepdim = draw(dim_of(len(shape))), draw(st.booleans())
    f = _either(draw, "mode", dim, keepdim)
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().mode(x, dim, keepdim))


INTERPOLATIONS = ["linear", "lower", "higher", "midpoint", "nearest"]


@st.composite
def quantile_case(draw: Any, name: str) -> Case:
    shape = draw(shapes())
    dim = draw(st.one_of(st.none(), dim_of(len(shape))))
    keepdim = draw(st.booleans())
    interpolation = draw(st.sampled_from(INTERPOLATIONS))
    qs = draw(st.one_of(st.floats(0, 1),
                        st.lists(st.floats(0, 1), min_size=0, max_size=3).map(np.array),
                        st.floats(0, 1).map(np.array)))

    def q(lib: Any, x: Any) -> Any:
        return qs if isinstance(qs, float) else lib.tensor(qs, dtype=x.dtype)
    f = draw(st.sampled_from([
        lambda x: getattr(nl, name)(x, q(nl, x), dim, keepdim, interpolation=interpolation),
        lambda x: getattr(x, name)(q(nl, x), dim, keepdim, interpolation=interpolation)]))
    return Case([draw(arrays(shape))], f,
                lambda x: getattr(lazy_torch(), name)(x, q(lazy_torch(), x), dim, keepdim,
                                                  interpolation=interpolation))


@st.composite
def nan_reduction_case(draw: Any, name: str) -> Case:
    """nansum / nanmean of arrays holding NaNs (never a slice of NaNs only for nanmean)."""
    shape = draw(shapes())
    dim = draw(st.one_of(st.none(), dim_of(len(shape)),
                         st.lists(dim_of(len(shape)), min_size=1, max_size=2, unique=True)
                         .filter(lambda ds: len({d % max(len(shape), 1) for d in ds})
                                 == len(ds))))
    keepdim = draw(st.booleans())
    a = draw(arrays(shape))
    if name == "nansum":
        a = _with_nans(a, draw)
    f = _either(draw, name, dim, keepdim)
    return Case([a], f, lambda x: getattr(lazy_torch(), name)(x, dim, keepdim))


@st.composite
def moments_case(draw: Any, name: str) -> Case:
    shape = draw(shapes(min_dims=1, min_side=2))
    dim = draw(st.one_of(st.none(), dim_of(len(shape))))
    keepdim = draw(st.booleans())
    correction = draw(st.sampled_from([0, 1]))
    f = lambda x: getattr(nl, name)(x, dim, keepdim=keepdim, correction=correction)  # noqa
    return Case([draw(arrays(shape))], f,
                lambda x: getattr(lazy_torch(), name)(x, dim, keepdim=keepdim,
                                                  correction=correction))


@st.composite
def aminmax_case(draw: Any) -> Case:
    shape = draw(shapes())
    dim = draw(st.one_of(st.none(), dim_of(len(shape))))
    keepdim = draw(st.booleans())
    f = _either(draw, "aminmax", dim=dim, keepdim=keepdim)
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().aminmax(x, dim=dim,
                                                                     keepdim=keepdim))


@st.composite
def cov_case(draw: Any) -> Case:
    shape = draw(st.sampled_from([(5,), (1, 4), (3, 5), (2, 3)]))
    n = shape[-1]
    correction = draw(st.sampled_from([0, 1, 2]))
    fw = draw(st.one_of(st.none(), st.lists(st.integers(1, 3), min_size=n, max_size=n)
                        .map(lambda v: np.array(v, np.int64))))
    use_aw = draw(st.booleans())
    args = [draw(arrays(shape))]
    if use_aw:
        args.append(np.abs(draw(arrays((n,)))) + 0.5)

    def call(lib: Any, x: Any, aw: Any = None) -> Any:
        f = None if fw is None else lib.tensor(fw)
        return lib.cov(x, correction=correction, fweights=f, aweights=aw)
    return Case(args, lambda *t: call(nl, *t), lambda *t: call(lazy_torch(), *t))


@st.composite
def corrcoef_case(draw: Any) -> Case:
    shape = draw(st.sampled_from([(4,), (2, 5), (3, 4)]))
    f = _either(draw, "corrcoef")
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().corrcoef(x))


CASES = {"median": median_case("median"), "nanmedian": median_case("nanmedian"),
         "mode": mode_case(), "quantile": quantile_case("quantile"),
         "nanquantile": quantile_case("nanquantile"),
         "nansum": nan_reduction_case("nansum"), "nanmean": nan_reduction_case("nanmean"),
         "var_mean": moments_case("var_mean"), "std_mean": moments_case("std_mean"),
         "aminmax": aminmax_case(), "cov": cov_case(), "corrcoef": corrcoef_case()}


def _floats(out: Any) -> Any:
    """The floating outputs (gradcheck differentiates those only)."""
    outs = out if isinstance(out, tuple) else (out,)
    return tuple(o for o in outs if o.dtype.kind == "f")


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
test_gradcheck = gradcheck_test(CASES, quiet=True,                # cov's degrees of freedom
                                prepare=lambda name, case: (lambda *x: _floats(case.nl(*x)),
                                                            case.arrays))
test_torch_parity = parity_test(CASES, quiet=True)
test_float32_stays_float32 = float32_test(CASES, quiet=True)
test_double_backward = double_backward_test(CASES, max_examples=5, quiet=True)


def test_float32_values_match_torch(torch) -> None:
    x = randn((4, 7)).astype(np.float32)
    for f in (lambda T, t: T.quantile(t, 0.3, 1), lambda T, t: T.nanmean(t, 0),
              lambda T, t: T.median(t, 1).values, lambda T, t: T.cov(t)):
        ours, theirs = f(nl, nl.tensor(x)), f(torch, torch.tensor(x))
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


# ============================================================================
# Ties: torch's index choice
# ============================================================================
def test_median_ties_take_the_stable_middle_index_as_torch(torch) -> None:
    rng = np.random.default_rng(0)
    for n in list(range(1, 12)) + [31, 64]:
        a = rng.integers(0, 3, (5, n)).astype(np.float64)
        check_parity(torch, lambda x: nl.median(x, 1), lambda x: torch.median(x, 1), [a])
        check_parity(torch, lambda x: nl.nanmedian(x, 1), lambda x: torch.nanmedian(x, 1),
                     [a])
        check_parity(torch, lambda x: nl.median(x), lambda x: torch.median(x), [a])


def test_median_without_dim_shares_the_gradient_among_ties_as_torch(torch) -> None:
    a = np.array([[2.0, 1.0, 2.0], [3.0, 2.0, 0.0]])
    check_parity(torch, lambda x: nl.median(x), lambda x: torch.median(x), [a])
    check_double_backward(torch, lambda x: nl.median(x), lambda x: torch.median(x), [a])


def test_mode_ties_as_torch_on_dims_up_to_16(torch) -> None:
    """The smallest of the most frequent values, at its last index (torch's insertion
    sort on dims of at most 16 elements; beyond, torch's index depends on its sort)."""
    rng = np.random.default_rng(1)
    for n in range(1, 17):
        a = rng.integers(0, 4, (6, n)).astype(np.float64)
        check_parity(torch, lambda x: nl.mode(x, 1), lambda x: torch.mode(x, 1), [a])
        check_parity(torch, lambda x: nl.mode(x, 0), lambda x: torch.mode(x, 0), [a])


def test_mode_on_long_dims_gives_the_last_index_of_the_mode() -> None:
    a = np.zeros(40)
    a[[3, 17, 39]] = 2.0
    values, indices = nl.mode(nl.tensor(a))
    assert values.item() == 0.0 and indices.item() == 38


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.uint8])
def test_integer_inputs(torch, dtype: Any) -> None:
    a = (np.arange(24).reshape(4, 6) * 7 % 5).astype(dtype)
    for f in (lambda T, x: T.median(x, 1), lambda T, x: T.mode(x, 0),
              lambda T, x: T.nansum(x, 1), lambda T, x: T.aminmax(x, dim=0)):
        if dtype is np.bool_ and f is not None:
            try:
                f(torch, torch.tensor(a))
            except RuntimeError:
                continue
        check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [a])
    if dtype is not np.bool_:
        check_parity(torch, lambda x: nl.median(x), lambda x: torch.median(x), [a])
        ours, theirs = nl.cov(nl.tensor(a)), torch.cov(torch.tensor(a))
        assert ours.dtype == np.float32 == theirs.numpy().dtype
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


# ============================================================================
# NaN
# ============================================================================
NANS = np.array([[1.0, np.nan, 3.0, 2.0, np.nan], [np.nan] * 5, [4.0, 1.0, 1.0, 0.0, 2.0],
                 [np.nan, 2.0, 2.0, np.nan, np.nan]])
NAN_OPS = [("median_dim", lambda T, x: T.median(x, 1)),
           ("median_dim0", lambda T, x: T.median(x, 0)),
           ("median", lambda T, x: T.median(x)),
           ("median_row", lambda T, x: T.median(x[2])),
           ("nanmedian", lambda T, x: T.nanmedian(x)),
           ("nanmedian_row", lambda T, x: T.nanmedian(x[0])),
           ("nanmedian_dim_values", lambda T, x: T.nanmedian(x, 1).values.detach()),
           ("nanmedian_dim0", lambda T, x: T.nanmedian(x, 0)),
           ("quantile", lambda T, x: T.quantile(x, 0.4, 1)),
           ("nanquantile", lambda T, x: T.nanquantile(x, 0.4, 1)),
           ("nanquantile_all", lambda T, x: T.nanquantile(x, T.tensor([0.1, 0.9],
                                                                        dtype=x.dtype))),
           ("nansum", lambda T, x: T.nansum(x, 1)),
           ("nanmean", lambda T, x: T.nanmean(x, 1)),
           ("nanmean_all", lambda T, x: T.nanmean(x)),
           ("aminmax", lambda T, x: T.aminmax(x, dim=1)),
           ("mode_no_nan_row", lambda T, x: T.mode(x[2]))]


@pytest.mark.parametrize("name, f", NAN_OPS, ids=[n for n, _ in NAN_OPS])
def test_nan_as_torch(torch, name: str, f: Callable) -> None:
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [NANS])


def test_nanmedian_of_nans_only_gives_nan_at_the_first_index() -> None:
    """torch's index there depends on the length (0 up to 3 elements, then others);
    nnlite's is always that of the first element."""
    values, indices = nl.nanmedian(nl.tensor([[np.nan] * 6]), 1)
    assert np.isnan(values.item()) and indices.item() == 0


def test_mode_counts_nans_as_one_value() -> None:
    values, indices = nl.mode(nl.tensor([np.nan, 2.0, np.nan, 2.0, np.nan]))
    assert np.isnan(values.item()) and indices.item() == 4


# ============================================================================
# 0-d, empty
# ============================================================================
ZERO_D = [("median", lambda T, x: T.median(x)), ("median_dim", lambda T, x: T.median(x, 0)),
          ("nanmedian_dim", lambda T, x: T.nanmedian(x, -1, True)),
          ("mode", lambda T, x: T.mode(x)), ("quantile", lambda T, x: T.quantile(x, 0.5)),
          ("quantile_dim", lambda T, x: T.quantile(x, 0.5, 0, True)),
          ("nansum", lambda T, x: T.nansum(x)), ("nanmean", lambda T, x: T.nanmean(x, 0)),
          ("aminmax", lambda T, x: T.aminmax(x)), ("aminmax_dim", lambda T, x: T.aminmax(x, dim=0)),
          ("cov", lambda T, x: T.cov(x, correction=0))]


@pytest.mark.parametrize("name, f", ZERO_D, ids=[n for n, _ in ZERO_D])
def test_zero_dim_input_as_torch(torch, name: str, f: Callable) -> None:
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [np.array(1.5)])


EMPTY = [("median", lambda T, x: T.median(x)), ("nanmedian", lambda T, x: T.nanmedian(x)),
         ("median_dim", lambda T, x: T.median(x, 1)), ("mode", lambda T, x: T.mode(x, 1)),
         ("nansum", lambda T, x: T.nansum(x, 1)), ("nanmean", lambda T, x: T.nanmean(x, 1)),
         ("var_mean", lambda T, x: T.var_mean(x, 0)), ("aminmax", lambda T, x: T.aminmax(x, dim=1)),
         ("quantile_q_empty", lambda T, x: T.quantile(T.ones(3, dtype=x.dtype),
                                                      T.zeros(0, dtype=x.dtype)))]


@pytest.mark.parametrize("name, f", EMPTY, ids=[n for n, _ in EMPTY])
def test_empty_input_as_torch(torch, name: str, f: Callable) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [np.zeros((0, 3))])


EMPTY_ERRORS = [("median_dim", lambda T, x: T.median(x, 1), IndexError),
                ("mode", lambda T, x: T.mode(x, 1), IndexError),
                ("quantile", lambda T, x: T.quantile(x, 0.5), RuntimeError),
                ("aminmax", lambda T, x: T.aminmax(x), RuntimeError),
                ("aminmax_dim", lambda T, x: T.aminmax(x, dim=1), IndexError)]


@pytest.mark.parametrize("name, f, error", EMPTY_ERRORS, ids=[n for n, _, _ in EMPTY_ERRORS])
def test_empty_reductions_raise_as_torch(torch, name: str, f: Callable, error: type) -> None:
    with pytest.raises(error):
        f(torch, torch.zeros(0, 0))
    with pytest.raises((error, ValueError), match=name.split("_")[0]):
        f(nl, nl.zeros(0, 0))


# ============================================================================
# Bad arguments
# ============================================================================
def test_quantile_rejects_bad_arguments() -> None:
    x = nl.randn(3, 4)
    with pytest.raises(ValueError, match=r"range \[0, 1\]"):
        nl.quantile(x, 1.5)
    with pytest.raises(ValueError, match=r"range \[0, 1\]"):
        nl.quantile(x, nl.tensor([0.5, -0.1]))
    with pytest.raises(TypeError, match="same dtype"):
        nl.quantile(x, nl.tensor([0.5], dtype=nl.float64))
    with pytest.raises(ValueError, match="1D"):
        nl.quantile(x, nl.ones(2, 2) * 0.5)
    with pytest.raises(ValueError, match="interpolation must be one of"):
        nl.quantile(x, 0.5, interpolation="cubic")
    with pytest.raises(TypeError, match="float or double"):
        nl.quantile(nl.tensor([1, 2]), 0.5)
    with pytest.raises(IndexError, match="out of range"):
        nl.quantile(x, 0.5, dim=2)


def test_other_bad_arguments() -> None:
    with pytest.raises(TypeError, match="floating"):
        nl.nanmean(nl.tensor([1, 2]))
    with pytest.raises(TypeError, match="dim must be an int"):
        nl.aminmax(nl.ones(2, 2), dim=(0, 1))
    with pytest.raises(ValueError, match="two or fewer dimensions"):
        nl.cov(nl.ones(2, 2, 2))
    with pytest.raises(TypeError, match="bool"):
        nl.cov(nl.tensor([True, False]))
    with pytest.raises(TypeError, match="integral"):
        nl.cov(nl.ones(2, 3), fweights=nl.ones(3))
    with pytest.raises(TypeError, match="floating point"):
        nl.cov(nl.ones(2, 3), aweights=nl.tensor([1, 1, 1]))
    with pytest.raises(ValueError, match="same numel"):
        nl.cov(nl.ones(2, 3), fweights=nl.tensor([1, 1]))
    with pytest.raises(ValueError, match="cannot be negative"):
        nl.cov(nl.ones(2, 3), fweights=nl.tensor([1, -1, 1]))
    with pytest.raises(ValueError, match="sum to zero"):
        nl.cov(nl.ones(2, 3), fweights=nl.tensor([0, 0, 0]))
    with pytest.raises(IndexError, match="out of range"):
        nl.median(nl.ones(2, 2), 2)


def test_cov_warns_when_the_degrees_of_freedom_are_not_positive(torch) -> None:
    with pytest.warns(UserWarning, match="degrees of freedom"):
        ours = nl.cov(nl.tensor([[1.0, 2.0]]), correction=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.cov(torch.tensor([[1.0, 2.0]]), correction=2)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ============================================================================
# Result types and the overloads
# ============================================================================
def test_result_types() -> None:
    x = nl.tensor(randn((3, 4)), requires_grad=True)
    for r in (nl.median(x, 1), nl.nanmedian(x, 1), nl.mode(x, 1)):
        values, indices = r
        assert r.values is values and r.indices is indices
        assert indices.dtype == np.int64 and not indices.requires_grad
    r = nl.aminmax(x)
    assert r.min is r[0] and r.max is r[1]
    assert type(nl.var_mean(x)) is tuple and type(nl.std_mean(x, 0)) is tuple


def test_var_mean_overloads_as_torch(torch) -> None:
    a = randn((3, 4))
    for f in (lambda T, x: T.var_mean(x, False), lambda T, x: T.std_mean(x, 1, False, True),
              lambda T, x: T.var_mean(x, [0, 1], unbiased=True),
              lambda T, x: T.std_mean(x, dim=0, correction=2)):
        check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [a])


@pytest.mark.parametrize("interpolation", INTERPOLATIONS)
def test_quantile_ties_as_torch(torch, interpolation: str) -> None:
    """Equal values: the gradient goes where torch's sort puts them, which is the stable
    order on dims of up to 16 elements (beyond, torch's default sort is not stable: the
    values agree, the gradient may go to another of the equal elements)."""
    rng = np.random.default_rng(2)
    for n in range(1, 17):
        a = rng.integers(0, 3, (3, n)).astype(np.float64)
        for q in (0.0, 0.3, 0.5, 0.75, 1.0):
            check_parity(torch, lambda x: nl.quantile(x, q, 1, interpolation=interpolation),
                         lambda x: torch.quantile(x, q, 1, interpolation=interpolation), [a])
    a = rng.integers(0, 3, (3, 40)).astype(np.float64)
    ours = nl.quantile(nl.tensor(a), 0.3, 1, interpolation=interpolation)
    theirs = torch.quantile(torch.tensor(a), 0.3, 1, interpolation=interpolation)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_nansum_and_nanmean_take_numpy_names() -> None:
    a = np.array([[1.0, np.nan], [2.0, 3.0]])
    for name in ("nansum", "nanmean"):
        f = getattr(nl, name)
        np.testing.assert_array_equal(f(nl.tensor(a), axis=0, keepdims=True).numpy(),
                                      f(nl.tensor(a), 0, True).numpy())
