"""Tests of nnlite/ops/indexing.py: x[index] (ints, slices with steps, None, Ellipsis,
bool masks, integer arrays with repeated entries, mixed), index_select, masked_fill,
gather, scatter_add, one_hot, and Tensor.__setitem__ under no_grad.

Each entry of ``CASES`` is a hypothesis strategy drawing a ``Case``: the input arrays and
the same call in nnlite and in torch (``th`` is None where torch has no equivalent, e.g.
negative slice steps). One test per property runs over the whole table.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, either, errors_test, float32_test, gradcheck_test,
    parity_test)
from ._parity import check_parity, gradcheck
from ._shape_helpers import arrays, dim_of, randn, shapes


def th_index(index: Any) -> Any:
    """The same index for torch: arrays and nnlite Tensors become torch tensors."""
    import torch
    if isinstance(index, tuple):
        return tuple(th_index(i) for i in index)
    if isinstance(index, nl.Tensor):
        return torch.tensor(index.array)
    if isinstance(index, np.ndarray):
        return torch.tensor(index)
    if isinstance(index, list):                         # nnlite reads a list as an array
        arr = np.asarray(index)
        return torch.tensor(arr if arr.size else arr.astype(np.int64))
    return index


def getitem_case(index: Any, x: np.ndarray) -> Case:
    return Case([x], lambda t: t[index], lambda t: t[th_index(index)])


def _wrap(draw: Any, arr: np.ndarray) -> Any:
    """An integer or bool index as an ndarray, a list or an nnlite Tensor."""
    return draw(st.sampled_from([arr, arr.tolist(), nl.tensor(arr)]))


# ============================================================================
# x[index]
# ============================================================================
@st.composite
def int_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    k = draw(st.integers(1, len(shape)))
    index = tuple(draw(st.integers(-n, n - 1)) for n in shape[:k])
    return getitem_case(index if k > 1 else index[0], draw(arrays(shape)))


def _slice(draw: Any, n: int, steps: list) -> slice:
    bound = st.none() | st.integers(-n - 1, n + 1)
    return slice(draw(bound), draw(bound), draw(st.sampled_from(steps)))


@st.composite
def slice_case(draw: Any, negative: bool = False) -> Case:
    shape = draw(shapes(min_dims=1, min_side=0))
    steps = [None, 1, 2, 3] + ([-1, -2] if negative else [])
    index = tuple(_slice(draw, n, steps) for n in shape[:draw(st.integers(1, len(shape)))])
    x = draw(arrays(shape))
    if negative:                                        # torch has no negative steps
        return Case([x], lambda t: t[index], None)
    return getitem_case(index, x)


@st.composite
def none_ellipsis_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    nd = len(shape)
    head = draw(st.integers(0, nd))                     # dims indexed before the Ellipsis
    tail = draw(st.integers(0, nd - head))              # and after it

    def items(sizes: tuple) -> list:
        out: list = [None] if draw(st.booleans()) else []
        for n in sizes:
            out.append(draw(st.sampled_from([draw(st.integers(-n, n - 1)),
                                             _slice(draw, n, [None, 2])])))
            out += [None] if draw(st.booleans()) else []
        return out
    index = tuple(items(shape[:head]) + [Ellipsis] + items(shape[nd - tail:]))
    return getitem_case(index, draw(arrays(shape)))


@st.composite
def mask_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    k = draw(st.integers(1, len(shape)))
    mask = np.random.default_rng(draw(st.integers(0, 99))).random(shape[:k]) < 0.5
    return getitem_case(draw(st.sampled_from([mask, nl.tensor(mask)])), draw(arrays(shape)))


@st.composite
def int_array_case(draw: Any) -> Case:
    """Integer arrays with repeated entries: the gradient must accumulate."""
    shape = draw(shapes(min_dims=1))
    n = shape[0]
    idx = np.array(draw(st.lists(st.integers(-n, n - 1), max_size=6)), np.int64)
    if draw(st.booleans()) and idx.size % 2 == 0:
        idx = idx.reshape(2, -1)                        # a 2-d index array
    return getitem_case(_wrap(draw, idx), draw(arrays(shape)))


@st.composite
def mixed_case(draw: Any) -> Case:
    """Basic and advanced indices together (torch and NumPy place the result dims alike)."""
    shape = draw(shapes(min_dims=2))
    idx = [np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)))
           for n in shape[:2]]
    idx[1] = idx[1][:1].repeat(len(idx[0])) if draw(st.booleans()) else idx[1]
    form = draw(st.sampled_from(["slice_array", "array_slice", "ellipsis_array", "int_array",
                                 "array_none", "arrays_apart"]))
    if form == "slice_array":
        index = (slice(None, None, 2), idx[1])
    elif form == "array_slice":
        index = (idx[0], slice(1, None))
    elif form == "ellipsis_array":
        index = (Ellipsis, idx[0][:1].repeat(3) % shape[-1])
    elif form == "int_array":
        index = (-1, idx[1])
    elif form == "array_none":
        index = (idx[0], None)
    else:                                               # arrays broadcast, a slice between
        if len(shape) < 3:
            shape = shape + (2,)
        index = (idx[0], slice(None), np.array([[0], [-1]]))
    return getitem_case(index, draw(arrays(shape)))


# ============================================================================
# index_select, masked_fill, gather, scatter_add
# ============================================================================
@st.composite
def index_select_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    d = draw(dim_of(len(shape)))
    idx = np.array(draw(st.lists(st.integers(0, shape[d] - 1), max_size=6)), np.int64)
    index = _wrap(draw, idx)

    def th(t: Any) -> Any:
        import torch
        return torch.index_select(t, d, torch.tensor(idx))
    return Case([draw(arrays(shape))], lambda t: nl.index_select(t, d, index), th)


@st.composite
def masked_fill_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    k = draw(st.integers(0, len(shape)))
    mshape = tuple(n if draw(st.booleans()) else 1 for n in shape[len(shape) - k:])
    mask = np.random.default_rng(draw(st.integers(0, 99))).random(mshape) < 0.5
    value = draw(st.sampled_from([0.0, -2.5]))
    m = draw(st.sampled_from([mask, nl.tensor(mask)]))
    f = draw(st.sampled_from([lambda t: nl.masked_fill(t, m, value),
                              lambda t: t.masked_fill(m, value),
                              lambda t: t.masked_fill(m, nl.tensor(value))]))

    def th(t: Any) -> Any:
        import torch
        return t.masked_fill(torch.tensor(mask), value)
    return Case([draw(arrays(shape))], f, th)


@st.composite
def _index_for(draw: Any, shape: tuple, d: int, bound: tuple) -> np.ndarray:
    """An index of ndim len(shape), sizes within ``bound`` except along d, values in
    [0, shape[d])."""
    ishape = tuple(draw(st.integers(0, 4 if i == d else b)) for i, b in enumerate(bound))
    rng = np.random.default_rng(draw(st.integers(0, 99)))
    return rng.integers(0, shape[d], ishape)


@st.composite
def gather_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    d = draw(dim_of(len(shape)))
    idx = draw(_index_for(shape, d % len(shape), shape))
    index = draw(st.sampled_from([idx, nl.tensor(idx)]))
    f = either(draw, lambda t: nl.gather(t, d, index), lambda t: t.gather(d, index))

    def th(t: Any) -> Any:
        import torch
        return torch.gather(t, d, torch.tensor(idx))
    return Case([draw(arrays(shape))], f, th)


@st.composite
def scatter_add_case(draw: Any, larger_src: bool = False) -> Case:
    """torch's backward cannot give src a gradient when src is larger than the index
    (it returns the index's shape), so that case is gradchecked only."""
    shape = draw(shapes(min_dims=1))
    d = draw(dim_of(len(shape)))
    idx = draw(_index_for(shape, d % len(shape), shape))
    sshape = tuple(n + draw(st.integers(0, 1)) if larger_src else n for n in idx.shape)
    f = either(draw, lambda t, s: nl.scatter_add(t, d, idx, s),
                lambda t, s: t.scatter_add(d, nl.tensor(idx), s))

    def th(t: Any, s: Any) -> Any:
        import torch
        return torch.scatter_add(t, d, torch.tensor(idx), s)
    return Case([draw(arrays(shape)), draw(arrays(sshape))], f, None if larger_src else th)


CASES = {
    "int": int_case(), "slice": slice_case(), "slice_negative_step": slice_case(True),
    "none_ellipsis": none_ellipsis_case(), "bool_mask": mask_case(),
    "int_array_repeated": int_array_case(), "mixed": mixed_case(),
    "index_select": index_select_case(), "masked_fill": masked_fill_case(),
    "gather": gather_case(), "scatter_add": scatter_add_case(),
    "scatter_add_larger_src": scatter_add_case(larger_src=True),
}
PARITY = [n for n in CASES if n not in ("slice_negative_step", "scatter_add_larger_src")]


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
test_gradcheck = gradcheck_test(CASES)
test_torch_parity = parity_test(CASES, PARITY)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES, PARITY, max_examples=5)


@given(data=st.data())
def test_negative_steps_match_numpy(data: Any) -> None:
    case = data.draw(CASES["slice_negative_step"])
    x = nl.tensor(case.arrays[0], requires_grad=True)
    y = case.nl(x)
    ref = case.nl(case.arrays[0])                        # the same index on the ndarray
    np.testing.assert_array_equal(y.array, ref)
    y.backward(np.arange(y.numel(), dtype=np.float64).reshape(y.shape) + 1)
    expected = np.zeros(x.shape)
    case.nl(expected)[...] = np.arange(y.numel()).reshape(y.shape) + 1   # basic: a view
    np.testing.assert_array_equal(x.grad, expected)


# ============================================================================
# getitem backward: slices, and repeated integer indices that must accumulate
# ============================================================================
BACKWARD = [("slices", (slice(1, 3), slice(None, None, 2))),
            ("row_repeated", ([0, 0, 2, 0],)),
            ("array_repeated_2d", (np.array([[1, 1], [0, 1]]),)),
            ("tensor_repeated_then_slice", (nl.tensor([2, 2, 2]), slice(1, None))),
            ("pairs_repeated", (np.array([0, 0, 1]), np.array([3, 3, 3]))),
            ("ellipsis_repeated", (Ellipsis, [1, 1, 1, 0])),
            ("bool_tensor", (nl.tensor(np.array([True, False, True])),))]


@pytest.mark.parametrize("name, index", BACKWARD, ids=[n for n, _ in BACKWARD])
def test_getitem_backward_matches_torch(torch, name: str, index: tuple) -> None:
    check_parity(torch, lambda t: t[index], lambda t: t[th_index(index)], [randn((3, 4))])


@pytest.mark.parametrize("mask_shape", [(3, 4), (4,), (3, 1), ()])
def test_masked_fill_value_tensor_gets_its_gradient(torch, mask_shape: tuple) -> None:
    """A 0-d value tensor is an input too: its gradient sums gy over the masked spots."""
    mask = np.random.default_rng(1).random(mask_shape) < 0.5
    check_parity(torch, lambda t, v: t.masked_fill(nl.tensor(mask), v),
                 lambda t, v: t.masked_fill(torch.tensor(mask), v),
                 [randn((3, 4)), np.array(0.5)])
    gradcheck(lambda t, v: nl.masked_fill(t, mask, v), [randn((3, 4)), np.array(0.5)])


def test_repeated_indices_accumulate() -> None:
    x = nl.tensor(np.zeros(3), requires_grad=True)
    x[[1, 1, 1, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 3.0, 1.0])


# ============================================================================
# one_hot and __setitem__
# ============================================================================
@given(shape=shapes(max_dims=2, min_side=0), num=st.integers(1, 5), seed=st.integers(0, 99),
       as_tensor=st.booleans())
def test_one_hot_matches_torch(torch, shape: tuple, num: int, seed: int, as_tensor: bool) -> None:
    import torch.nn.functional as F
    idx = np.random.default_rng(seed).integers(0, num, shape)
    arg = nl.tensor(idx) if as_tensor else idx
    for classes in ((num,) if idx.size == 0 else (num, -1)):
        ours = nl.one_hot(arg, classes)
        theirs = F.one_hot(torch.tensor(idx), classes)
        assert ours.dtype == np.int64
        np.testing.assert_array_equal(ours.array, theirs.numpy())


SETITEM = [("int", 1, 7.0), ("slice_step", (slice(None), slice(None, None, 2)), -1.0),
           ("list", [0, 2], np.array([1.0, 2.0, 3.0, 4.0])),
           ("int_tensor", nl.tensor([2, 0]), nl.tensor(np.full((2, 4), 5.0))),
           ("bool_tensor", nl.tensor(np.array([True, False, True])), 0.5),
           ("mixed", (nl.tensor([0, 1]), slice(1, 3)), nl.tensor(-2.0)),
           ("ellipsis_none", (Ellipsis, 3), np.array([9.0, 8.0, 7.0]))]


@pytest.mark.parametrize("name, index, value", SETITEM, ids=[s[0] for s in SETITEM])
def test_setitem_under_no_grad(name: str, index: Any, value: Any) -> None:
    a = randn((3, 4))
    x = nl.tensor(a.copy(), requires_grad=True)
    with nl.no_grad():
        x[index] = value
    expected = a.copy()
    expected[_np_index(index)] = value.array if isinstance(value, nl.Tensor) else value
    np.testing.assert_array_equal(x.array, expected)
    assert x.requires_grad and x.is_leaf
    (x * 2).sum().backward()                            # still a working leaf
    np.testing.assert_array_equal(x.grad, np.full((3, 4), 2.0))
    with pytest.raises(RuntimeError, match="__setitem__: in-place operation on a leaf"):
        x[index] = value
    plain = nl.tensor(a.copy())                         # no grad: allowed anywhere
    plain[index] = value
    np.testing.assert_array_equal(plain.array, expected)


def _np_index(index: Any) -> Any:
    if isinstance(index, tuple):
        return tuple(_np_index(i) for i in index)
    return index.array if isinstance(index, nl.Tensor) else index


# ============================================================================
# Bad input
# ============================================================================
X = nl.tensor(randn((2, 3)))
BAD = [
    ("getitem_out_of_bounds", lambda: X[2], IndexError, r"getitem: .*shape \(2, 3\)"),
    ("getitem_array_out_of_bounds", lambda: X[:, [0, 3]], IndexError,
     r"getitem: .*shape \(2, 3\)"),
    ("getitem_too_many", lambda: X[0, 0, 0], IndexError, r"getitem: .*shape \(2, 3\)"),
    ("getitem_float_array", lambda: X[np.array([0.0, 1.0])], IndexError,
     r"getitem: .*integer or bool, got dtype float64"),
    ("getitem_float_tensor", lambda: X[nl.tensor([0.5])], IndexError, r"float32"),
    ("getitem_mask_shape", lambda: X[np.array([True, False, True])], IndexError,
     r"getitem: .*shape \(2, 3\)"),
    ("index_select_range", lambda: nl.index_select(X, 1, [0, 3]), IndexError,
     r"index_select: index out of range \[0, 3\] for dim 1 of size 3"),
    ("index_select_negative", lambda: nl.index_select(X, 0, [-1]), IndexError,
     r"index_select: index out of range"),
    ("index_select_float", lambda: nl.index_select(X, 0, np.array([0.0])), TypeError,
     r"index_select: index must be an integer tensor, got dtype float64"),
    ("index_select_2d", lambda: nl.index_select(X, 0, [[0]]), IndexError,
     r"index_select: index must be 0-d or 1-d, got shape \(1, 1\)"),
    ("index_select_dim", lambda: nl.index_select(X, 2, [0]), IndexError, r"index_select: dim 2"),
    ("masked_fill_not_bool", lambda: X.masked_fill(np.array([1, 0, 1]), 0.0), TypeError,
     r"masked_fill: mask must be a bool tensor, got dtype int64"),
    ("masked_fill_shape", lambda: X.masked_fill(np.ones((2, 2), bool), 0.0), ValueError,
     r"masked_fill: mask of shape \(2, 2\) cannot be broadcast to the input shape \(2, 3\)"),
    ("masked_fill_bigger", lambda: X.masked_fill(np.ones((4, 2, 3), bool), 0.0), ValueError,
     r"masked_fill: mask of shape \(4, 2, 3\)"),
    ("masked_fill_value", lambda: X.masked_fill(np.ones(3, bool), nl.ones(3)), ValueError,
     r"masked_fill: value must be a number or a 0-dim tensor, got shape \(3,\)"),
    ("gather_range", lambda: X.gather(1, np.array([[0, 3]])), IndexError,
     r"gather: index out of range \[0, 3\] for dim 1 of size 3"),
    ("gather_negative", lambda: X.gather(1, np.array([[-1]])), IndexError,
     r"gather: index out of range \[-1, -1\]"),
    ("gather_float", lambda: X.gather(0, np.array([[0.0]])), TypeError,
     r"gather: index must be an integer tensor, got dtype float64"),
    ("gather_ndim", lambda: X.gather(0, np.array([0])), ValueError,
     r"gather: index has 1 dims but the input has 2 \(shape \(2, 3\)\)"),
    ("gather_too_big", lambda: X.gather(0, np.zeros((1, 4), np.int64)), ValueError,
     r"gather: index shape \(1, 4\) is larger than the input shape \(2, 3\) in dim 1"),
    ("gather_dim", lambda: X.gather(2, np.zeros((1, 1), np.int64)), IndexError, r"gather: dim 2"),
    ("scatter_add_range", lambda: X.scatter_add(0, np.array([[2]]), nl.ones(1, 1)), IndexError,
     r"scatter_add: index out of range \[2, 2\] for dim 0 of size 2"),
    ("scatter_add_float", lambda: X.scatter_add(0, np.array([[0.0]]), nl.ones(1, 1)),
     TypeError, r"scatter_add: index must be an integer tensor"),
    ("scatter_add_src", lambda: X.scatter_add(0, np.zeros((1, 2), np.int64), nl.ones(1, 1)),
     ValueError, r"scatter_add: index shape \(1, 2\) must not exceed src shape \(1, 1\)"),
    ("one_hot_range", lambda: nl.one_hot(nl.tensor([0, 3]), 3), IndexError,
     r"one_hot: class values must be in \[0, 3\), got \[0, 3\]"),
    ("one_hot_negative", lambda: nl.one_hot(np.array([-1, 0]), 3), IndexError,
     r"one_hot: class values"),
    ("one_hot_float", lambda: nl.one_hot(nl.tensor([0.0, 1.0]), 3), TypeError,
     r"one_hot: expected an integer tensor of class indices, got dtype float32"),
]


test_bad_input_raises_a_clear_error = errors_test(BAD)
