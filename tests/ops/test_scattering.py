"""Tests of nnlite/ops/scattering.py: index_add index_copy index_put masked_scatter and
their in-place ``_`` forms.

``CASES`` draws each op's arguments (hypothesis) and runs the same call in nnlite (the
function, the method or the in-place method on a clone, drawn) and in torch: float64
gradcheck, torch parity of values and gradients, double backward, float32. Repeated
indices (added with ``index_add`` / ``accumulate=True``, last write winning otherwise),
the in-place rules, empty and 0-d inputs and bad arguments are checked separately.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, errors_test, float32_test, gradcheck_test, lazy_torch,
    parity_test, seeded_rng)
from ._parity import check_parity
from ._shape_helpers import arrays, dim_of, randn, shapes


def _spelling(draw: Any, name: str) -> Callable:
    """``nl.<name>(x, ...)``, ``x.<name>(...)`` or ``x.clone().<name>_(...)``: all three
    must give the same result and gradients."""
    how = draw(st.sampled_from(["function", "method", "inplace"]))
    if how == "function":
        return lambda x, *a, **k: getattr(nl, name)(x, *a, **k)
    if how == "method":
        return lambda x, *a, **k: getattr(x, name)(*a, **k)
    return lambda x, *a, **k: getattr(x.clone(), name + "_")(*a, **k)


# ============================================================================
# The cases
# ============================================================================
@st.composite
def index_add_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    dim = draw(dim_of(len(shape)))
    n = shape[dim]
    k = draw(st.integers(0, 5))
    rng = seeded_rng(draw)
    idx = rng.integers(0, n, k)                     # repeats allowed: they add up
    sshape = list(shape)
    sshape[dim] = k
    alpha = draw(st.sampled_from([1, 2.5, -1]))
    f = _spelling(draw, "index_add")
    return Case([draw(arrays(shape)), idx, draw(arrays(sshape))],
                lambda x, i, s: f(x, dim, nl.tensor(i), s, alpha=alpha),
                lambda x, i, s: lazy_torch().index_add(x, dim, i, s, alpha=alpha))


@st.composite
def index_copy_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    dim = draw(dim_of(len(shape)))
    n = shape[dim]
    rng = seeded_rng(draw)
    idx = rng.permutation(n)[:draw(st.integers(0, n))]      # distinct positions
    sshape = list(shape)
    sshape[dim] = idx.size
    f = _spelling(draw, "index_copy")
    return Case([draw(arrays(shape)), idx, draw(arrays(sshape))],
                lambda x, i, s: f(x, dim, nl.tensor(i), s),
                lambda x, i, s: lazy_torch().index_copy(x, dim, i, s))


@st.composite
def index_put_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    rng = seeded_rng(draw)
    accumulate = draw(st.booleans())
    kind = draw(st.sampled_from(["int", "int2", "mask"])) if len(shape) > 1 else \
        draw(st.sampled_from(["int", "mask"]))
    if kind == "mask":
        width = draw(st.integers(1, len(shape)))
        index = [rng.random(shape[:width]) < 0.5]
    elif kind == "int":
        k = draw(st.integers(0, 4))
        index = [rng.integers(-shape[0], shape[0], k) if accumulate
                 else rng.permutation(shape[0])[:k]]
    else:                                       # two index arrays broadcast together
        flat = rng.permutation(shape[0] * shape[1])[:draw(st.integers(0, 4))]
        rows, cols = np.unravel_index(flat, shape[:2])
        index = [rows.astype(np.int64), cols.astype(np.int64)]
    target = np.zeros(shape)[tuple(index)].shape
    vshape = target[draw(st.integers(0, len(target))):]
    vshape = tuple(1 if draw(st.booleans()) else s for s in vshape)
    f = _spelling(draw, "index_put")
    m = len(index)
    return Case([draw(arrays(shape)), *index, draw(arrays(vshape))],
                lambda x, *a: f(x, tuple(nl.tensor(i) for i in a[:m]), a[m], accumulate),
                lambda x, *a: lazy_torch().index_put(x, tuple(a[:m]), a[m], accumulate))


@st.composite
def masked_scatter_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    rng = seeded_rng(draw)
    mshape = tuple(1 if draw(st.booleans()) else s for s in shape)
    mask = rng.random(mshape) < 0.5
    k = int(np.broadcast_to(mask, shape).sum())
    src = draw(arrays((k + draw(st.integers(0, 3)),)))
    if draw(st.booleans()) and src.size:
        src = src.reshape(1, -1)
    f = draw(st.sampled_from([nl.masked_scatter,
                              lambda x, m, s: x.masked_scatter(m, s),
                              lambda x, m, s: x.clone().masked_scatter_(m, s)]))
    return Case([draw(arrays(shape)), mask, src], lambda x, m, s: f(x, nl.tensor(m), s),
                lambda x, m, s: lazy_torch().masked_scatter(x, m, s))


CASES = {"index_add": index_add_case(), "index_copy": index_copy_case(),
         "index_put": index_put_case(), "masked_scatter": masked_scatter_case()}


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
test_gradcheck = gradcheck_test(CASES)
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES)


# ============================================================================
# Repeated indices: added, or the last write wins (as torch on the CPU)
# ============================================================================
REPEATS = [
    ("index_add", lambda T, x, s: T.index_add(x, 0, T.tensor([0, 0, 2, 0]), s)),
    ("index_add_alpha", lambda T, x, s: T.index_add(x, 0, T.tensor([1, 1, 1, 1]), s,
                                                    alpha=-0.5)),
    ("index_copy", lambda T, x, s: T.index_copy(x, 0, T.tensor([2, 0, 2, 2]), s)),
    ("index_put_accumulate", lambda T, x, s: T.index_put(
        x, (T.tensor([0, 0, -3, 1]),), s, accumulate=True)),
    ("index_put_last_wins", lambda T, x, s: T.index_put(
        x, (T.tensor([0, 0, -3, 1]),), s, accumulate=False)),
    ("index_put_2d_last_wins", lambda T, x, s: T.index_put(
        x, (T.tensor([0, 0, 0, 1]), T.tensor([1, 1, 1, 0])), s[:, 0])),
]


@pytest.mark.parametrize("name, f", REPEATS, ids=[n for n, _ in REPEATS])
def test_repeated_indices_as_torch(torch, name: str, f: Callable) -> None:
    check_parity(torch, lambda x, s: f(nl, x, s), lambda x, s: f(torch, x, s),
                 [randn((3, 2)), randn((4, 2), 1)])


def test_index_put_accumulate_sums_every_repeat() -> None:
    x = nl.zeros(3)
    y = nl.index_put(x, (nl.tensor([1, 1, 1]),), nl.tensor([1.0, 2.0, 4.0]), accumulate=True)
    np.testing.assert_array_equal(y.numpy(), [0.0, 7.0, 0.0])
    z = nl.index_put(x, (nl.tensor([1, 1, 1]),), nl.tensor([1.0, 2.0, 4.0]))
    np.testing.assert_array_equal(z.numpy(), [0.0, 4.0, 0.0])


# ============================================================================
# In place, integer dtypes, 0-d and empty inputs
# ============================================================================
def test_inplace_forms_write_into_the_tensor_and_record_the_graph() -> None:
    x = nl.zeros(2, 3)
    y = x.index_add_(1, nl.tensor([0, 0]), nl.ones(2, 2))
    assert y is x
    np.testing.assert_array_equal(x.numpy(), [[2, 0, 0], [2, 0, 0]])
    w = nl.tensor(randn((2, 3)), requires_grad=True)
    s = nl.tensor(randn((1, 3), 1), requires_grad=True)
    h = w * 2
    h.index_copy_(0, nl.tensor([1]), s)
    h.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[2, 2, 2], [0, 0, 0]])
    np.testing.assert_array_equal(s.grad.numpy(), [[1, 1, 1]])
    with pytest.raises(RuntimeError, match=r"index_put_: in-place operation on a leaf"):
        w.index_put_((nl.tensor([0]),), nl.tensor(1.0))
    with nl.no_grad():
        w.masked_scatter_(nl.tensor([True, False, False]),
                          nl.tensor([9.0, 8.0], dtype=nl.float64))
    np.testing.assert_array_equal(w.numpy()[:, 0], [9.0, 8.0])


SPECIAL = [
    ("index_add_0d", lambda T, x: T.index_add(x, 0, T.tensor([0]), x * 2)),
    ("index_copy_0d", lambda T, x: T.index_copy(x, 0, T.tensor([0]), x * 2)),
    ("index_add_0d_index", lambda T, x: T.index_add(x, -1, T.tensor(1), x[..., :1])),
    ("index_put_mask_all_dims", lambda T, x: T.index_put(x, (x > 0,),
                                                         T.tensor(1.0, dtype=x.dtype))),
    ("masked_scatter_all_false", lambda T, x: T.masked_scatter(x, x > 100, x.flatten())),
]


@pytest.mark.parametrize("name, f, shape",
                         [(n, f, s) for n, f in SPECIAL
                          for s in ([()] if n.endswith("_0d") else [(2, 3), (0, 3)])])
def test_special_inputs_as_torch(torch, name: str, f: Callable, shape: tuple) -> None:
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [randn(shape)])


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_integer_tensors(torch, dtype: Any) -> None:
    a = np.arange(6).reshape(2, 3).astype(dtype)
    for f in (lambda T, x: T.index_add(x, 1, T.tensor([0, 0]), x[:, :2], alpha=3),
              lambda T, x: T.index_copy(x, 0, T.tensor([1]), x[:1]),
              lambda T, x: T.index_put(x, (T.tensor([0, 0]),), x[1], accumulate=True),
              lambda T, x: T.masked_scatter(x, x > 2, x.flatten())):
        check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [a])


# ============================================================================
# Bad input
# ============================================================================
X = nl.tensor(randn((2, 3)).astype(np.float32))
I = nl.tensor([0, 1])
BAD = [
    ("index_add_range", lambda: nl.index_add(X, 0, nl.tensor([0, 2]), nl.ones(2, 3)),
     IndexError, r"index_add: index 2 is out of bounds for dimension 0 of self of shape "
     r"\(2, 3\) with size 2"),
    ("index_add_negative", lambda: X.index_add(0, nl.tensor([0, -1]), nl.ones(2, 3)),
     IndexError, r"index -1 is out of bounds"),
    ("index_add_float_index", lambda: X.index_add(0, nl.tensor([0.0, 1.0]), nl.ones(2, 3)),
     TypeError, r"index_add: index must be an integer tensor, got dtype float32"),
    ("index_add_2d_index", lambda: X.index_add(0, nl.tensor([[0, 1]]), nl.ones(2, 3)),
     IndexError, r"index should have dimension 1 or 0, got shape \(1, 2\)"),
    ("index_add_shape", lambda: X.index_add(0, I, nl.ones(2, 2)), ValueError,
     r"source tensor shape must match self tensor shape.*self shape \(2, 3\) and source "
     r"shape \(2, 2\)"),
    ("index_add_count", lambda: X.index_add(0, I, nl.ones(3, 3)), ValueError,
     r"number of indices \(2\) should be equal to source.size\(dim\) \(3\)"),
    ("index_add_dtype", lambda: X.index_add(0, I, nl.ones(2, 3, dtype=nl.float64)),
     TypeError, r"index_add: self and source must have the same dtype, but got self float32 "
     r"and source float64"),
    ("index_add_dim", lambda: X.index_add(2, I, nl.ones(2, 3)), IndexError,
     r"index_add: dim 2 is out of range"),
    ("index_copy_int32", lambda: X.index_copy(0, nl.tensor([0], dtype=nl.int32),
                                              nl.ones(1, 3)),
     TypeError, r"index_copy: expected a long \(int64\) tensor for index"),
    ("index_copy_range", lambda: X.index_copy(1, nl.tensor([5]), nl.ones(2, 1)), IndexError,
     r"index 5 is out of bounds for dimension 1"),
    ("index_put_range", lambda: nl.index_put(X, (nl.tensor([0, 3]),), nl.tensor(5.0)),
     IndexError, r"index_put: index 3 is out of bounds for dimension 0 of the tensor of "
     r"shape \(2, 3\) with size 2"),
    ("index_put_float_index", lambda: X.index_put((nl.tensor([0.0]),), nl.tensor(5.0)),
     IndexError, r"tensors used as indices must be long, int or bool tensors; element 0 "
     r"of indices has dtype float32"),
    ("index_put_too_many", lambda: X.index_put((I, I, I), nl.tensor(5.0)), IndexError,
     r"too many indices for a tensor of shape \(2, 3\)"),
    ("index_put_values_shape", lambda: X.index_put((I,), nl.ones(2, 2)), ValueError,
     r"values of shape \(2, 2\) cannot be broadcast to the indexing result of shape "
     r"\(2, 3\)"),
    ("index_put_values_number", lambda: X.index_put((I,), 5.0), TypeError,
     r"values must be a Tensor, not float"),
    ("index_put_values_dtype", lambda: X.index_put((I,), nl.tensor(5.0, dtype=nl.float64)),
     TypeError, r"self and values must have the same dtype"),
    ("index_put_none", lambda: X.index_put((None, I), nl.tensor(5.0)), TypeError,
     r"expected a Tensor as element 0 of indices, got NoneType"),
    ("index_put_mask_shape", lambda: X.index_put((nl.tensor([True, False, True]),),
                                                 nl.tensor(1.0)),
     IndexError, r"the shape of the mask \(3,\) at index 0 does not match the shape \(2,\)"),
    ("index_put_not_tuple", lambda: X.index_put(I, nl.tensor(1.0)), TypeError,
     r"indices must be a tuple or list of tensors"),
    ("masked_scatter_int_mask", lambda: X.masked_scatter(nl.tensor([1, 0, 1]), nl.ones(6)),
     TypeError, r"masked_scatter: only supports boolean masks, but got mask with dtype int64"),
    ("masked_scatter_short", lambda: X.masked_scatter(X > -100, nl.ones(2)), RuntimeError,
     r"number of elements of source \(2, shape \(2,\)\) < number of ones in mask \(6\)"),
    ("masked_scatter_dtype", lambda: X.masked_scatter(X > 0, nl.ones(6, dtype=nl.int64)),
     TypeError, r"self and source must have the same dtype"),
    ("masked_scatter_shape", lambda: X.masked_scatter(nl.tensor([True, False]), nl.ones(6)),
     ValueError, r"mask of shape \(2,\) and input of shape \(2, 3\) cannot be broadcast"),
    ("masked_scatter__broadcast_self", lambda: nl.zeros(3).masked_scatter_(
        nl.ones(2, 3, dtype=nl.bool), nl.ones(6)), RuntimeError,
     r"masked_scatter_: output with shape \(3,\) doesn't match the broadcast shape \(2, 3\)"),
]


test_bad_input_raises_a_clear_error = errors_test(BAD)


def test_index_put_values_broadcast_to_an_empty_selection(torch) -> None:
    check_parity(torch, lambda x, v: nl.index_put(x, (nl.tensor([False]),), v),
                 lambda x, v: torch.index_put(x, (torch.tensor([False]),), v),
                 [randn((1,)), randn((1,), 1)])
    check_parity(torch, lambda x, v: nl.index_put(x, (nl.tensor([], dtype=nl.int64),), v),
                 lambda x, v: torch.index_put(x, (torch.tensor([], dtype=torch.int64),), v),
                 [randn((1,)), randn((1,), 1)])
