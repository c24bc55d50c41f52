"""Tests for nnlite/ops/predicates.py: isinf isposinf isneginf isreal signbit isclose isin
all any, and the Tensor method forms of the comparisons and logical ops; compared with
torch on hypothesis-drawn values with inf, nan, -0.0 and every dtype."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.uint8, np.bool_]


def values(dtype):
    """Arrays of ``dtype`` (floats with inf, nan and -0.0), 0-3 dims."""
    if np.dtype(dtype).kind == "f":
        elements = st.sampled_from([0.0, -0.0, 1.0, -2.5, 0.125, np.inf, -np.inf, np.nan, 3.0])
    elif dtype is np.bool_:
        elements = st.booleans()
    else:
        elements = st.integers(0 if dtype is np.uint8 else -5, 5)
    return hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                      elements=elements)


UNARY = ["isinf", "isposinf", "isneginf", "isreal", "signbit"]


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@given(data=st.data())
def test_unary_tests_match_torch(torch, name, dtype, data):
    x = data.draw(values(dtype))
    ours = getattr(nl, name)(nl.tensor(x))
    theirs = getattr(torch, name)(torch.tensor(x)).numpy()
    assert ours.dtype == np.bool_ and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.array, theirs)
    np.testing.assert_array_equal(getattr(nl.tensor(x), name)().array, theirs)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@given(data=st.data(), rtol=st.sampled_from([0.0, 1e-5, 0.5]),
       atol=st.sampled_from([0.0, 1e-8, 1.0]), equal_nan=st.booleans())
def test_isclose_matches_torch(torch, dtype, data, rtol, atol, equal_nan):
    a = data.draw(values(dtype))
    b = data.draw(values(dtype)).reshape(-1)
    b = np.resize(b, a.shape) if b.size else np.zeros(a.shape, dtype)
    if a.size and np.dtype(dtype).kind == "f":
        with np.errstate(invalid="ignore", over="ignore"):
            b = b + np.asarray(a * 1e-6, dtype)         # near misses too
    ours = nl.isclose(nl.tensor(a), nl.tensor(b), rtol, atol, equal_nan)
    theirs = torch.isclose(torch.tensor(a), torch.tensor(b), rtol, atol, equal_nan)
    np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_isclose_errors_as_torch():
    with pytest.raises(RuntimeError, match="float32 did not match int64"):
        nl.isclose(nl.ones(2), nl.tensor([1, 1]))
    with pytest.raises(RuntimeError, match="rtol must be greater than or equal to zero"):
        nl.isclose(nl.ones(2), nl.ones(2), rtol=-1.0)
    with pytest.raises(RuntimeError, match=r"isclose: operands of shapes \(2,\), \(3,\)"):
        nl.isclose(nl.ones(2), nl.ones(3))
    with pytest.raises(TypeError, match="argument 'other' must be Tensor"):
        nl.isclose(nl.ones(2), 1.0)


@pytest.mark.parametrize("dtypes", [(np.int64, np.int64), (np.float32, np.int64),
                                    (np.int32, np.float64), (np.uint8, np.int64)], ids=str)
@given(data=st.data(), invert=st.booleans())
def test_isin_matches_torch(torch, dtypes, data, invert):
    e = data.draw(values(dtypes[0]))
    t = data.draw(values(dtypes[1]))
    ours = nl.isin(nl.tensor(e), nl.tensor(t), invert=invert)
    theirs = torch.isin(torch.tensor(e), torch.tensor(t), invert=invert)
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    assert ours.shape == e.shape


def test_isin_with_numbers(torch):
    x = np.array([1, 2, 3])
    np.testing.assert_array_equal(nl.isin(nl.tensor(x), 2).array,
                                  torch.isin(torch.tensor(x), 2).numpy())
    np.testing.assert_array_equal(nl.isin(2, nl.tensor(x)).array,
                                  torch.isin(2, torch.tensor(x)).numpy())
    with pytest.raises(TypeError, match="expected a Tensor"):
        nl.isin(1, 2)
    with pytest.raises(RuntimeError, match="Bool"):             # as torch
        nl.isin(nl.tensor([True]), nl.tensor([1]))


@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False),
                                         ((0, 1), False)])
def test_all_any_match_torch(torch, name, dim, keepdim):
    x = np.array([[1.0, 0.0, np.nan], [2.0, 3.0, -1.0]])
    ours = getattr(nl, name)(nl.tensor(x), dim, keepdim)
    theirs = getattr(torch, name)(torch.tensor(x), dim=dim, keepdim=keepdim) if dim is not None \
        else getattr(torch, name)(torch.tensor(x))
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    assert ours.dtype == np.bool_


METHODS = ["ne", "lt", "le", "gt", "ge", "not_equal", "greater", "greater_equal", "less",
           "less_equal", "logical_and", "logical_or", "logical_xor"]


@pytest.mark.parametrize("name", METHODS)
def test_comparison_and_logical_methods_match_torch(torch, name):
    a, b = np.array([[1.0, 2.0, np.nan]]), np.array([[2.0], [1.0]])
    ours = getattr(nl.tensor(a), name)(nl.tensor(b))
    np.testing.assert_array_equal(ours.array, getattr(torch.tensor(a), name)(
        torch.tensor(b)).numpy())
    if not name.startswith("logical"):                  # torch's take no numbers
        np.testing.assert_array_equal(getattr(nl.tensor(a), name)(1.0).array,
                                      getattr(torch.tensor(a), name)(1.0).numpy())


@pytest.mark.parametrize("name", [m for m in METHODS if not m.startswith("logical")] + ["eq"])
def test_in_place_comparisons_write_zero_one(torch, name):
    a = np.array([1.0, 2.0, 3.0])
    t, tt = nl.tensor(a), torch.tensor(a)
    getattr(t, name + "_")(2.0)
    getattr(tt, name + "_")(2.0)
    np.testing.assert_array_equal(t.array, tt.numpy())
    assert t.dtype == np.float32 or t.dtype == np.float64


def test_unary_methods_of_existing_ops(torch):
    x = np.array([1.0, np.nan, np.inf, 0.0])
    for name in ("isnan", "isfinite", "isinf", "logical_not"):
        np.testing.assert_array_equal(getattr(nl.tensor(x), name)().array,
                                      getattr(torch.tensor(x), name)().numpy())
    i = np.array([1, 2, -3])
    for name, args in (("bitwise_not", ()), ("bitwise_and", (3,)), ("bitwise_or", (4,)),
                       ("bitwise_xor", (5,))):
        np.testing.assert_array_equal(getattr(nl.tensor(i), name)(*args).array,
                                      getattr(torch.tensor(i), name)(*args).numpy())
