"""Tests of nnlite/ops/grids.py: meshgrid cartesian_prod combinations tril_indices
triu_indices broadcast_tensors broadcast_shapes block_diag atleast_1d/2d/3d.

The differentiable ones run over ``CASES`` (hypothesis draws the inputs; float64
gradcheck, torch parity of values and gradients, double backward, float32); the index
and shape makers are compared with torch on drawn sizes; empty inputs, meshgrid's
default indexing and bad arguments are checked separately.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, errors_test, float32_test, gradcheck_test, lazy_torch,
    parity_test)
from ._shape_helpers import arrays, randn, shapes


@st.composite
def vectors(draw: Any, min_count: int = 1, max_count: int = 3, zero_d: bool = False) -> list:
    """1-D float arrays (0-d ones too if ``zero_d``), sizes 0 to 3."""
    count = draw(st.integers(min_count, max_count))
    out = []
    for _ in range(count):
        if zero_d and draw(st.booleans()):
            out.append(draw(arrays(())))
        else:
            out.append(draw(arrays((draw(st.integers(0, 3)),))))
    return out


# ============================================================================
# The cases
# ============================================================================
@st.composite
def meshgrid_case(draw: Any) -> Case:
    vs = draw(vectors(zero_d=True))
    indexing = draw(st.sampled_from(["ij", "xy"]))
    as_list = draw(st.booleans())
    return Case(vs, lambda *t: nl.meshgrid(list(t) if as_list else t, indexing=indexing),
                lambda *t: lazy_torch().meshgrid(*t, indexing=indexing))


@st.composite
def cartesian_prod_case(draw: Any) -> Case:
    return Case(draw(vectors()), nl.cartesian_prod, lambda *t: lazy_torch().cartesian_prod(*t))


@st.composite
def combinations_case(draw: Any) -> Case:
    (v,) = draw(vectors(1, 1))
    v = np.concatenate([v, draw(arrays((draw(st.integers(0, 2)),)))])
    r = draw(st.integers(1, 4))                  # r = 0: a constant (SPECIAL)
    rep = draw(st.booleans())
    return Case([v], lambda t: nl.combinations(t, r, rep),
                lambda t: lazy_torch().combinations(t, r, rep))


@st.composite
def broadcast_tensors_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    count = draw(st.integers(1, 3))
    out = []
    for _ in range(count):
        s = [1 if draw(st.booleans()) else n for n in shape]
        out.append(draw(arrays(tuple(s[draw(st.integers(0, len(s))):]))))
    return Case(out, lambda *t: nl.broadcast_tensors(*t),
                lambda *t: lazy_torch().broadcast_tensors(*t))


@st.composite
def block_diag_case(draw: Any) -> Case:
    count = draw(st.integers(1, 3))
    # no empty blocks here: torch's gradient puts them at the wrong offsets (the values
    # are right, and are checked in test_special_inputs_as_torch)
    blocks = [draw(arrays(draw(shapes(max_dims=2)))) for _ in range(count)]
    return Case(blocks, nl.block_diag, lambda *t: lazy_torch().block_diag(*t))


@st.composite
def atleast_case(draw: Any) -> Case:
    k = draw(st.sampled_from([1, 2, 3]))
    ts = [draw(arrays(draw(shapes(max_dims=4)))) for _ in range(draw(st.integers(1, 3)))]
    name = f"atleast_{k}d"
    return Case(ts, lambda *t: getattr(nl, name)(*t), lambda *t: getattr(lazy_torch(), name)(*t))


CASES = {"meshgrid": meshgrid_case(), "cartesian_prod": cartesian_prod_case(),
         "combinations": combinations_case(), "broadcast_tensors": broadcast_tensors_case(),
         "block_diag": block_diag_case(), "atleast": atleast_case()}


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
test_gradcheck = gradcheck_test(CASES)
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES)


# ============================================================================
# Index and shape makers
# ============================================================================
@given(row=st.integers(0, 6), col=st.integers(0, 6), offset=st.integers(-7, 7),
       upper=st.booleans(), dtype=st.sampled_from([None, "int32", "int64"]))
def test_tril_triu_indices_match_torch(torch, row: int, col: int, offset: int, upper: bool,
                                       dtype: Any) -> None:
    name = "triu_indices" if upper else "tril_indices"
    kw = {} if dtype is None else {"dtype": getattr(nl, dtype)}
    tkw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    ours = getattr(nl, name)(row, col, offset, **kw)
    theirs = getattr(torch, name)(row, col, offset, **tkw)
    assert ours.dtype == theirs.numpy().dtype and ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@given(data=st.data())
def test_broadcast_shapes_matches_torch(torch, data: Any) -> None:
    shape = data.draw(shapes(min_side=0))
    args = []
    for _ in range(data.draw(st.integers(0, 3))):
        s = [1 if data.draw(st.booleans()) else n for n in shape]
        s = tuple(s[data.draw(st.integers(0, len(s))):])
        args.append(s[0] if len(s) == 1 and data.draw(st.booleans()) else s)
    assert nl.broadcast_shapes(*args) == tuple(torch.broadcast_shapes(*args))


def test_meshgrid_without_indexing_is_ij_and_warns_as_torch(torch) -> None:
    a, b = np.arange(2.0), np.arange(3.0)
    with pytest.warns(UserWarning, match=r"it will be required to pass the indexing"):
        ours = nl.meshgrid(nl.tensor(a), nl.tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.meshgrid(torch.tensor(a), torch.tensor(b))
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.numpy(), t.numpy())
    assert ours[0].shape == (2, 3)


SPECIAL = [
    ("meshgrid_int", lambda T: T.meshgrid(T.tensor([1, 2]), T.tensor([3, 4, 5]),
                                          indexing="xy")),
    ("cartesian_prod_one", lambda T: T.cartesian_prod(T.tensor([1, 2]))),
    ("cartesian_prod_empty", lambda T: T.cartesian_prod(T.tensor([1, 2]),
                                                        T.tensor([], dtype=T.int64))),
    ("combinations_r0", lambda T: T.combinations(T.tensor([1.0, 2.0]), 0)),
    ("combinations_too_long", lambda T: T.combinations(T.tensor([1.0, 2.0]), 3)),
    ("combinations_empty", lambda T: T.combinations(T.zeros(0))),
    ("block_diag_promotes", lambda T: T.block_diag(T.ones(1, 1, dtype=T.int32),
                                                   T.ones(2, 1, dtype=T.float64))),
    ("block_diag_none", lambda T: T.block_diag()),
    ("block_diag_empty_blocks", lambda T: T.block_diag(T.tensor(5.0), T.zeros(0), T.zeros(0, 2),
                                                       T.zeros(2, 0), T.tensor(6.0))),
    ("block_diag_mixed", lambda T: T.block_diag(T.ones(2, 2), T.tensor([[5.0, 6]]),
                                                T.tensor(7.0), T.tensor([8.0, 9]))),
    ("broadcast_tensors_dtypes", lambda T: T.broadcast_tensors(T.tensor([[1], [2]]),
                                                               T.tensor([3.0, 4, 5]))),
    ("broadcast_tensors_none", lambda T: T.broadcast_tensors()),
    ("atleast_list", lambda T: T.atleast_2d([T.tensor(1.0), T.ones(3)])),
    ("atleast_none", lambda T: T.atleast_3d()),
]


@pytest.mark.parametrize("name, f", SPECIAL, ids=[n for n, _ in SPECIAL])
def test_special_inputs_as_torch(torch, name: str, f: Callable) -> None:
    ours, theirs = f(nl), f(torch)
    if isinstance(theirs, torch.Tensor):
        ours, theirs = (ours,), (theirs,)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert o.shape == tuple(t.shape) and o.dtype == t.numpy().dtype, (o.shape, o.dtype,
                                                                          t.shape, t.dtype)
        np.testing.assert_array_equal(o.numpy(), t.numpy())


def test_atleast_single_tensor_comes_back_alone() -> None:
    x = nl.tensor(randn((2,)))
    assert isinstance(nl.atleast_1d(x), nl.Tensor) and nl.atleast_1d(x) is x
    assert nl.atleast_3d(x).shape == (1, 2, 1)
    assert isinstance(nl.atleast_1d(x, x), tuple)


# ============================================================================
# Bad input
# ============================================================================
V = nl.tensor([1.0, 2.0])
BAD = [
    ("meshgrid_dtype", lambda: nl.meshgrid(V, nl.tensor([1, 2]), indexing="ij"), TypeError,
     r"meshgrid expects all tensors to have the same dtype, got float32 \(tensor 0\) and "
     r"int64 \(tensor 1\)"),
    ("meshgrid_2d", lambda: nl.meshgrid(V, nl.zeros(2, 2), indexing="ij"), ValueError,
     r"meshgrid: expected 0D or 1D tensors, but tensor 1 has shape \(2, 2\)"),
    ("meshgrid_indexing", lambda: nl.meshgrid(V, indexing="foo"), ValueError,
     r'indexing must be one of "xy" or "ij", but received: foo'),
    ("meshgrid_empty", lambda: nl.meshgrid(indexing="ij"), ValueError, r"non-empty list"),
    ("cartesian_prod_0d", lambda: nl.cartesian_prod(V, nl.tensor(1.0)), ValueError,
     r"cartesian_prod: expect a 1D vector, but got shape \(\)"),
    ("cartesian_prod_none", lambda: nl.cartesian_prod(), ValueError, r"non-empty list"),
    ("combinations_negative", lambda: nl.combinations(V, -1), ValueError,
     r"expect a non-negative number for r, but got -1"),
    ("combinations_2d", lambda: nl.combinations(nl.zeros(2, 2)), ValueError,
     r"combinations: expect a 1D vector, but got shape \(2, 2\)"),
    ("tril_indices_row", lambda: nl.tril_indices(-1, 3), ValueError,
     r"tril_indices: row must be non-negative, got -1"),
    ("triu_indices_dtype", lambda: nl.triu_indices(3, 3, dtype=nl.float32), TypeError,
     r"triu_indices: not implemented for dtype float32"),
    ("tril_indices_device", lambda: nl.tril_indices(3, 3, device="cuda"), RuntimeError,
     r"tril_indices"),
    ("broadcast_shapes", lambda: nl.broadcast_shapes((2,), (3,)), ValueError,
     r"broadcast_shapes: shapes \[\(2,\), \(3,\)\] cannot be broadcast together"),
    ("broadcast_shapes_negative", lambda: nl.broadcast_shapes((2,), (-1,)), ValueError,
     r"shape \(-1,\) \(argument 1\) has a negative size"),
    ("broadcast_tensors", lambda: nl.broadcast_tensors(V, nl.ones(3)), ValueError,
     r"shapes \[\(2,\), \(3,\)\] cannot be broadcast together"),
    ("block_diag_3d", lambda: nl.block_diag(nl.ones(2, 2, 2)), ValueError,
     r"block_diag: input tensors must have 2 or fewer dimensions; input 0 has shape "
     r"\(2, 2, 2\)"),
]


test_bad_input_raises_a_clear_error = errors_test(BAD)


def test_block_diag_gradient_with_empty_blocks() -> None:
    a, b = (nl.tensor(v, dtype=nl.float64, requires_grad=True) for v in (5.0, 6.0))
    y = nl.block_diag(a, nl.zeros(0, dtype=nl.float64), b)          # (3, 2): rows 0 and 2
    g = np.arange(6.0).reshape(3, 2)
    y.backward(nl.tensor(g))
    assert a.grad.item() == g[0, 0] and b.grad.item() == g[2, 1]
