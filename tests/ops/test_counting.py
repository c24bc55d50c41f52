"""Tests of nnlite/ops/counting.py: unique unique_consecutive bincount histc histogram
searchsorted bucketize count_nonzero.

Values come from a few small integers (so duplicates, runs and ties on bin edges and
boundaries are common) or continuous draws; each call runs in nnlite (function or
method, drawn) and torch, and every output (values, int64 inverse and counts, dtypes)
must match. bincount's weights are the one gradient here (gradcheck; torch records no
derivative for bincount). NaN,
empty and 0-d inputs, and bad arguments are checked separately.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl

from ._cases import errors_test
from ._parity import gradcheck
from ._shape_helpers import dim_of, randn, shapes


def _rng(draw: Any) -> np.random.Generator:
    return np.random.default_rng(draw(st.integers(0, 2 ** 16)))


def _small_ints(draw: Any, shape: tuple, dtype: Any) -> np.ndarray:
    """Values from {-2, ..., 2}: many repeats; as ``dtype`` (float: -2.0, ..., 2.0)."""
    return _rng(draw).integers(-2, 3, shape).astype(dtype)


DTYPES = [np.float64, np.float32, np.int64, np.int32]


# ============================================================================
# unique, unique_consecutive
# ============================================================================
@given(data=st.data())
@pytest.mark.parametrize("consecutive", [False, True])
def test_unique_matches_torch(torch, consecutive: bool, data: Any) -> None:
    shape = data.draw(shapes(min_side=0))
    a = _small_ints(data.draw, shape, data.draw(st.sampled_from(DTYPES)))
    dim = data.draw(st.one_of(st.none(), dim_of(len(shape)))) if shape else None
    if dim is not None and any(n == 0 for k, n in enumerate(shape) if k != dim % len(shape)):
        dim = None                  # torch refuses 0-sized dims outside dim (tested below)
    inv, cnt = data.draw(st.booleans()), data.draw(st.booleans())
    method = data.draw(st.booleans())
    if consecutive:
        ours = (nl.tensor(a).unique_consecutive(inv, cnt, dim) if method
                else nl.unique_consecutive(nl.tensor(a), inv, cnt, dim))
        theirs = torch.unique_consecutive(torch.tensor(a), return_inverse=inv,
                                          return_counts=cnt, dim=dim)
    else:
        ours = (nl.tensor(a).unique(True, inv, cnt, dim) if method
                else nl.unique(nl.tensor(a), return_inverse=inv, return_counts=cnt, dim=dim))
        theirs = torch.unique(torch.tensor(a), sorted=True, return_inverse=inv,
                              return_counts=cnt, dim=dim)
    _same(ours, theirs)


def _same(ours: Any, theirs: Any) -> None:
    """Equal structure (Tensor or tuple), shapes, dtypes and values (NaN equal NaN)."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
        return
    t = theirs.numpy()
    assert isinstance(ours, nl.Tensor)
    assert ours.shape == t.shape and ours.dtype == t.dtype, (ours.shape, ours.dtype, t.shape,
                                                             t.dtype)
    np.testing.assert_array_equal(ours.numpy(), t)


UNIQUE_SPECIAL = [
    ("nan_each_distinct", lambda T: T.unique(T.tensor([3.0, 1, np.nan, 3, np.nan, 1]),
                                             return_inverse=True, return_counts=True)),
    ("nan_rows_distinct", lambda T: T.unique(T.tensor([[2.0, np.nan], [2.0, np.nan]]), dim=0,
                                             return_counts=True)),
    ("nan_runs", lambda T: T.unique_consecutive(T.tensor([1.0, np.nan, np.nan, 1]),
                                                return_counts=True)),
    ("signed_zero", lambda T: T.unique(T.tensor([0.0, -0.0, 1.0]), return_counts=True)),
    ("bool", lambda T: T.unique(T.tensor([True, False, True]), return_inverse=True)),
    ("0d", lambda T: T.unique(T.tensor(3), return_inverse=True, return_counts=True)),
    ("0d_consecutive", lambda T: T.unique_consecutive(T.tensor(3), return_inverse=True)),
    ("empty", lambda T: T.unique(T.zeros(0), return_inverse=True, return_counts=True)),
    ("empty_dim", lambda T: T.unique(T.zeros(0, 3), dim=0, return_inverse=True,
                                     return_counts=True)),
    ("negative_dim", lambda T: T.unique(T.tensor([[3, 1], [1, 3], [3, 1]]), dim=-1,
                                        return_inverse=True)),
    ("rows_sorted_lexicographically", lambda T: T.unique(
        T.tensor([[1, 2], [0, 5], [1, 0], [0, 5]]), dim=0, return_inverse=True)),
    ("2d_inverse", lambda T: T.unique(T.tensor([[1, 2], [1, 2], [0, 5]]),
                                      return_inverse=True)),
]


@pytest.mark.parametrize("name, f", UNIQUE_SPECIAL, ids=[n for n, _ in UNIQUE_SPECIAL])
def test_unique_special_inputs_as_torch(torch, name: str, f: Callable) -> None:
    _same(f(nl), f(torch))


def test_unique_sorts_even_when_sorted_is_false(torch) -> None:
    a = np.random.default_rng(0).integers(0, 30, 100)
    _same(nl.unique(nl.tensor(a), sorted=False), torch.unique(torch.tensor(a), sorted=False))


# ============================================================================
# bincount (differentiable in weights)
# ============================================================================
@given(data=st.data())
def test_bincount_matches_torch(torch, data: Any) -> None:
    rng = _rng(data.draw)
    x = rng.integers(0, 6, data.draw(st.integers(0, 12)))
    minlength = data.draw(st.integers(0, 8))
    wdtype = data.draw(st.sampled_from([None, np.float64, np.float32, np.int64]))
    if wdtype is None:
        _same(nl.bincount(nl.tensor(x), minlength=minlength),
              torch.bincount(torch.tensor(x), minlength=minlength))
        return
    w = rng.standard_normal(x.size).astype(wdtype) if wdtype != np.int64 else \
        rng.integers(-3, 4, x.size)
    ours = nl.tensor(x).bincount(nl.tensor(w), minlength)
    theirs = torch.bincount(torch.tensor(x), torch.tensor(w), minlength)
    assert ours.dtype == theirs.numpy().dtype and ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


@given(data=st.data())
def test_bincount_weights_gradcheck(data: Any) -> None:
    rng = _rng(data.draw)
    x = rng.integers(0, 5, data.draw(st.integers(1, 10)))
    gradcheck(lambda w: nl.bincount(nl.tensor(x), w, 2), [rng.standard_normal(x.size)])


@pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.int16])
def test_bincount_of_narrow_integers(torch, dtype: Any) -> None:
    x = np.array([3, 1, 2, 3, 1, 5], dtype)
    _same(nl.bincount(nl.tensor(x)), torch.bincount(torch.tensor(x)))


# ============================================================================
# histc, histogram
# ============================================================================
@given(data=st.data())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_histc_matches_torch(torch, dtype: Any, data: Any) -> None:
    rng = _rng(data.draw)
    shape = data.draw(shapes(min_side=0))
    a = (rng.integers(-4, 5, shape) / 2 if data.draw(st.booleans())
         else rng.standard_normal(shape)).astype(dtype)
    bins = data.draw(st.integers(1, 9))
    lo, hi = sorted([float(data.draw(st.integers(-4, 4))) / 2 for _ in range(2)])
    if data.draw(st.booleans()):
        lo = hi = 0.0                               # the data's range
    ours = nl.tensor(a).histc(bins, lo, hi) if data.draw(st.booleans()) else \
        nl.histc(nl.tensor(a), bins=bins, min=lo, max=hi)
    _same(ours, torch.histc(torch.tensor(a), bins=bins, min=lo, max=hi))


@given(data=st.data())
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_histogram_matches_torch(torch, dtype: Any, data: Any) -> None:
    rng = _rng(data.draw)
    shape = data.draw(shapes(min_side=0))
    edges_given = data.draw(st.booleans())
    # values on the edges only with explicit edges: computed edges (linspace) can differ
    # from torch's vectorised linspace in the last bit, which moves such a value a bin
    a = (rng.integers(-4, 5, shape) / 2 if edges_given and data.draw(st.booleans())
         else rng.standard_normal(shape)).astype(dtype)
    kw: dict = {}
    if data.draw(st.booleans()):
        kw["weight"] = rng.random(shape).astype(dtype)
    kw["density"] = data.draw(st.booleans())
    if edges_given:
        bins: Any = np.sort(rng.integers(-6, 7, data.draw(st.integers(2, 6))) / 3).astype(
            dtype)
        bins = np.unique(bins) if bins.size > 2 and len(np.unique(bins)) >= 2 else \
            np.array([-1.0, 1.0], dtype)
    else:
        bins = data.draw(st.integers(1, 7))
        if a.size == 1:             # the range [x - 0.5, x + 0.5]: x on no edge if bins odd
            bins = bins | 1
        if data.draw(st.booleans()):
            kw["range"] = tuple(sorted([data.draw(st.integers(-3, 3)) / 2 for _ in range(2)]))
    with np.errstate(invalid="ignore", divide="ignore"):
        ours = nl.histogram(nl.tensor(a), nl.tensor(bins) if isinstance(bins, np.ndarray)
                            else bins, **{k: nl.tensor(v) if k == "weight" else v
                                          for k, v in kw.items()})
    theirs = torch.histogram(torch.tensor(a), torch.tensor(bins) if isinstance(
        bins, np.ndarray) else bins, **{k: torch.tensor(v) if k == "weight" else v
                                        for k, v in kw.items()})
    assert ours.hist is ours[0] and ours.bin_edges is ours[1]
    # float32 edges: torch's vectorised linspace may differ in the last bit
    rtol, atol = (1e-5, 1e-7) if dtype == np.float32 else (1e-12, 1e-15)
    for o, t in zip(ours, theirs):
        assert o.shape == tuple(t.shape) and o.dtype == t.numpy().dtype
        np.testing.assert_allclose(o.numpy(), t.numpy(), rtol=rtol, atol=atol, equal_nan=True)


# ============================================================================
# searchsorted, bucketize
# ============================================================================
@given(data=st.data())
def test_searchsorted_matches_torch(torch, data: Any) -> None:
    rng = _rng(data.draw)
    lead = data.draw(shapes(max_dims=2)) if data.draw(st.booleans()) else ()
    m = data.draw(st.integers(0, 6))
    seq = np.sort(rng.integers(-3, 4, lead + (m,)), axis=-1)
    vshape = lead + (data.draw(st.integers(0, 4)),) if lead else \
        data.draw(shapes(max_dims=2, min_side=0))
    values = rng.integers(-4, 5, vshape)
    sdtype, vdtype = (data.draw(st.sampled_from([np.int64, np.float32, np.float64]))
                      for _ in range(2))
    seq, values = seq.astype(sdtype), values.astype(vdtype)
    if vdtype != np.int64 and data.draw(st.booleans()):
        values = values + 0.5
    kw: dict = {"out_int32": data.draw(st.booleans())}
    side = data.draw(st.sampled_from(["right=True", "right=False", "side='left'",
                                      "side='right'"]))
    kw.update(eval(f"dict({side})"))
    sorter = None
    if data.draw(st.booleans()) and m:
        perm = np.argsort(rng.random(seq.shape), axis=-1)
        order = np.argsort(perm, axis=-1)
        seq = np.take_along_axis(seq, perm, -1)     # shuffled; sorter puts it back
        sorter = order
    _same(nl.searchsorted(nl.tensor(seq), nl.tensor(values), **kw,
                          sorter=None if sorter is None else nl.tensor(sorter)),
          torch.searchsorted(torch.tensor(seq), torch.tensor(values), **kw,
                             sorter=None if sorter is None else torch.tensor(sorter)))


@given(data=st.data())
def test_bucketize_matches_torch(torch, data: Any) -> None:
    rng = _rng(data.draw)
    b = np.sort(rng.integers(-3, 4, data.draw(st.integers(0, 6))))
    x = rng.integers(-4, 5, data.draw(shapes(min_side=0))).astype(
        data.draw(st.sampled_from([np.int64, np.float64])))
    right, i32 = data.draw(st.booleans()), data.draw(st.booleans())
    _same(nl.bucketize(nl.tensor(x), nl.tensor(b), right=right, out_int32=i32),
          torch.bucketize(torch.tensor(x), torch.tensor(b), right=right, out_int32=i32))


SEARCH_SPECIAL = [
    ("scalar", lambda T: T.searchsorted(T.tensor([1, 3, 5, 7]), 5)),
    ("float_scalar_in_ints", lambda T: T.searchsorted(T.tensor([1, 3, 5, 7]), 5.5)),
    ("0d_value", lambda T: T.searchsorted(T.tensor([1, 3, 5, 7]), T.tensor(5), right=True)),
    ("nan", lambda T: T.searchsorted(T.tensor([1.0, np.nan]), T.tensor([np.nan, 2.0, 0.0]))),
    ("nan_right", lambda T: T.searchsorted(T.tensor([1.0, 2.0, np.nan]),
                                           T.tensor([np.nan, 2.0]), right=True)),
    ("empty_sequence", lambda T: T.searchsorted(T.zeros(0), T.tensor([1.0]))),
    ("empty_rows", lambda T: T.searchsorted(T.zeros(2, 0), T.zeros(2, 3))),
    ("bucketize_scalar", lambda T: T.bucketize(5, T.tensor([1, 3, 5, 7]))),
]


@pytest.mark.parametrize("name, f", SEARCH_SPECIAL, ids=[n for n, _ in SEARCH_SPECIAL])
def test_search_special_inputs_as_torch(torch, name: str, f: Callable) -> None:
    _same(f(nl), f(torch))


# ============================================================================
# count_nonzero
# ============================================================================
@given(data=st.data())
def test_count_nonzero_matches_torch(torch, data: Any) -> None:
    shape = data.draw(shapes(min_side=0))
    a = _small_ints(data.draw, shape, data.draw(st.sampled_from(DTYPES + [np.bool_])))
    n = max(len(shape), 1)
    dim = data.draw(st.one_of(st.none(), dim_of(len(shape)),
                              st.lists(st.integers(0, n - 1), unique=True, max_size=n).map(
                                  tuple)))
    ours = nl.tensor(a).count_nonzero(dim) if data.draw(st.booleans()) else \
        nl.count_nonzero(nl.tensor(a), dim=dim)
    _same(ours, torch.count_nonzero(torch.tensor(a), dim=dim))


def test_count_nonzero_counts_nan(torch) -> None:
    _same(nl.count_nonzero(nl.tensor([0.0, np.nan, -0.0])),
          torch.count_nonzero(torch.tensor([0.0, np.nan, -0.0])))


# ============================================================================
# Bad input
# ============================================================================
F = nl.tensor([1.0, 2.0, 1.0])
S = nl.tensor([1, 3, 5])
BAD = [
    ("unique_zero_size", lambda: nl.unique(nl.zeros(2, 0), dim=0), RuntimeError,
     r"unique: there are 0 sized dimensions, and they aren't selected.*shape \(2, 0\)"),
    ("unique_dim", lambda: nl.unique(nl.zeros(2, 2), dim=2), IndexError,
     r"unique: dim 2 is out of range"),
    ("bincount_negative", lambda: nl.bincount(nl.tensor([-1, 2])), RuntimeError,
     r"bincount only supports 1-d non-negative integral inputs \(got shape \(2,\), "
     r"minimum -1\)"),
    ("bincount_2d", lambda: nl.bincount(nl.tensor([[1, 2]])), RuntimeError,
     r"1-d non-negative integral inputs \(got shape \(1, 2\)\)"),
    ("bincount_float", lambda: nl.bincount(F), TypeError,
     r"bincount: not implemented for dtype float32"),
    ("bincount_weights", lambda: nl.bincount(S, nl.ones(2)), ValueError,
     r"weights of shape \(2,\) for input of shape \(3,\)"),
    ("bincount_minlength", lambda: nl.bincount(S, minlength=-1), RuntimeError,
     r"minlength should be >= 0"),
    ("histc_int", lambda: nl.histc(S, 4), TypeError, r"histc: not implemented for dtype int64"),
    ("histc_bins", lambda: F.histc(0), RuntimeError, r"histc: bins must be > 0, but got 0"),
    ("histc_range", lambda: F.histc(3, min=3, max=1), RuntimeError,
     r"histc: max must be larger than min"),
    ("histc_nan", lambda: nl.histc(nl.tensor([1.0, np.nan]), 3), RuntimeError,
     r"histc: range of \[nan, nan\] is not finite"),
    ("histc_inf", lambda: nl.histc(nl.tensor([1.0, np.inf]), 3), RuntimeError,
     r"range of \[1.0, inf\] is not finite"),
    ("histogram_bins_dtype", lambda: nl.histogram(F, nl.tensor([0.0, 3.0], dtype=nl.float64)),
     TypeError, r"input and bins should have the same dtype, got input float32 and bins "
     r"float64"),
    ("histogram_one_edge", lambda: nl.histogram(F, nl.tensor([0.0])), RuntimeError,
     r"histogram: bins must be > 0, but got 0"),
    ("histogram_decreasing", lambda: nl.histogram(F, nl.tensor([0.0, 2.0, 1.0])), ValueError,
     r"bin edges must increase monotonically"),
    ("histogram_range", lambda: nl.histogram(F, 4, range=(3.0, 1.0)), RuntimeError,
     r"min should not exceed max, but got min 3.0 max 1.0"),
    ("histogram_weight", lambda: nl.histogram(F, 4, weight=nl.ones(2)), ValueError,
     r"weight of shape \(2,\) should have as many elements as the input of shape \(3,\)"),
    ("histogram_weight_dtype", lambda: nl.histogram(F, 4, weight=S), TypeError,
     r"weight should have the input's dtype"),
    ("histogram_int", lambda: nl.histogram(S, 4), TypeError, r"histogram: not implemented"),
    ("searchsorted_side", lambda: nl.searchsorted(S, S, side="lft"), ValueError,
     r"side can only be 'left' or 'right', but got 'lft'"),
    ("searchsorted_opposite", lambda: nl.searchsorted(S, S, side="left", right=True),
     ValueError, r"side and right can't be set to opposites"),
    ("searchsorted_rows", lambda: nl.searchsorted(nl.zeros(2, 3), nl.zeros(3, 1)), ValueError,
     r"first N-1 dimensions.*boundaries of shape \(2, 3\) and input of shape \(3, 1\)"),
    ("searchsorted_scalar_rows", lambda: nl.searchsorted(nl.zeros(2, 3), 3), ValueError,
     r"input value can be a scalar only when the boundaries tensor is 1-D"),
    ("searchsorted_0d", lambda: nl.searchsorted(nl.tensor(1.0), F), RuntimeError,
     r"boundaries tensor should have positive dimension"),
    ("searchsorted_sorter_dtype", lambda: nl.searchsorted(S, S, sorter=nl.tensor([0.0, 1, 2])),
     TypeError, r"sorter must be a tensor of long dtype but got dtype float32"),
    ("searchsorted_sorter_shape", lambda: nl.searchsorted(S, S, sorter=nl.tensor([0, 1])),
     ValueError, r"boundary and sorter must have the same size, but got boundary shape "
     r"\(3,\) and sorter shape \(2,\)"),
    ("searchsorted_sorter_range", lambda: nl.searchsorted(S, S, sorter=nl.tensor([0, 1, 3])),
     IndexError, r"sorter index out of range"),
    ("searchsorted_bool", lambda: nl.searchsorted(nl.tensor([True, False]), nl.tensor([True])),
     TypeError, r"searchsorted: not implemented for dtype bool"),
    ("bucketize_2d", lambda: nl.bucketize(nl.tensor(5), nl.tensor([[1, 2]])), ValueError,
     r"boundaries tensor must be 1 dimension, but got shape \(1, 2\)"),
    ("count_nonzero_dim", lambda: nl.count_nonzero(F, 1), IndexError,
     r"count_nonzero: dim 1 is out of range"),
    ("count_nonzero_repeat", lambda: nl.count_nonzero(nl.zeros(2, 2), (0, -2)), RuntimeError,
     r"count_nonzero: dim \(0, -2\) names a dim more than once"),
]


test_bad_input_raises_a_clear_error = errors_test(BAD)


def test_counts_carry_no_gradient() -> None:
    x = nl.tensor(randn((5,)), requires_grad=True)
    for y in (nl.unique(x), nl.histc(x, 3), nl.histogram(x, 3).hist,
              nl.searchsorted(x.detach().sort().values, x), nl.count_nonzero(x)):
        assert not y.requires_grad
