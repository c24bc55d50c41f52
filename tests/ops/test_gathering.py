"""Tests of nnlite/ops/gathering.py: masked_select take take_along_dim select
repeat_interleave and Tensor.unfold.

Each entry of ``CASES`` is a hypothesis strategy drawing a ``Case``: the arrays (a float
input, then integer indices or bool masks, which stay constants), the call in nnlite (the
function or the Tensor method, drawn) and the same call in torch. One test per property
runs over the whole table (float64 gradcheck, torch parity of values, dtypes and
gradients, double backward, float32); empty tensors, repeats, 0-d inputs and bad
arguments are checked separately.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, either, errors_test, float32_test, gradcheck_test,
    lazy_torch, parity_test, seeded_rng)
from ._parity import check_parity
from ._shape_helpers import arrays, dim_of, randn, shapes


@st.composite
def broadcastable(draw: Any, shape: tuple) -> tuple:
    """A shape that broadcasts with ``shape``: some dims set to 1, leading dims dropped,
    or a new leading dim added."""
    s = [1 if draw(st.booleans()) else n for n in shape]
    cut = draw(st.integers(0, len(s)))
    s = s[cut:]
    if cut == 0 and draw(st.booleans()) and len(s) < 3:
        s = [draw(st.integers(1, 2))] + s
    return tuple(s)


# ============================================================================
# The cases
# ============================================================================
@st.composite
def masked_select_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    mshape = draw(broadcastable(shape))
    if draw(st.booleans()):
        shape, mshape = mshape, shape               # the input broadcasts instead
    mask = seeded_rng(draw).random(mshape) < 0.5
    f = either(draw, nl.masked_select, lambda x, m: x.masked_select(nl.tensor(m)))
    return Case([draw(arrays(shape)), mask], f, lambda x, m: lazy_torch().masked_select(x, m))


@st.composite
def take_case(draw: Any) -> Case:
    shape = draw(shapes())
    n = int(np.prod(shape))
    ishape = draw(shapes(max_dims=2, min_side=0))
    idx = seeded_rng(draw).integers(-n, n, ishape)
    f = either(draw, nl.take, lambda x, i: x.take(i))
    return Case([draw(arrays(shape)), idx], f, lambda x, i: lazy_torch().take(x, i))


@st.composite
def take_along_dim_case(draw: Any) -> Case:
    shape = draw(shapes())
    rng = seeded_rng(draw)
    if not shape or draw(st.booleans()):            # dim=None: both read flattened
        n = int(np.prod(shape))
        idx = rng.integers(0, n, draw(shapes(max_dims=2, min_side=0)))
        f = either(draw, nl.take_along_dim, lambda x, i: x.take_along_dim(i))
        return Case([draw(arrays(shape)), idx], f, lambda x, i: lazy_torch().take_along_dim(x, i))
    dim = draw(dim_of(len(shape)))
    n = shape[dim]
    ishape = [1 if draw(st.booleans()) else s for s in shape]
    ishape[dim] = draw(st.integers(0, 4))
    if draw(st.booleans()):                         # the input broadcasts instead
        shape = tuple(1 if i != dim % len(shape) and draw(st.booleans()) else s
                      for i, s in enumerate(shape))
    idx = rng.integers(-n, n, tuple(ishape))
    f = either(draw, lambda x, i: nl.take_along_dim(x, i, dim),
                lambda x, i: x.take_along_dim(i, dim))
    return Case([draw(arrays(shape)), idx], f, lambda x, i: lazy_torch().take_along_dim(x, i, dim))


@st.composite
def select_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    dim = draw(dim_of(len(shape)))
    n = shape[dim]
    index = draw(st.integers(-n, n - 1))
    f = either(draw, lambda x: nl.select(x, dim, index), lambda x: x.select(dim, index))
    return Case([draw(arrays(shape))], f, lambda x: lazy_torch().select(x, dim, index))


@st.composite
def repeat_interleave_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    dim = draw(st.one_of(st.none(), dim_of(len(shape)))) if shape else None
    n = (int(np.prod(shape)) if dim is None else shape[dim])
    kind = draw(st.sampled_from(["int", "tensor", "one"]))
    rng = seeded_rng(draw)
    reps: Any = (draw(st.integers(0, 3)) if kind == "int" else
                 rng.integers(0, 4, n) if kind == "tensor" else rng.integers(0, 4, 1))

    def ours(x: Any) -> Any:
        r = reps if kind == "int" else nl.tensor(reps)
        return (nl.repeat_interleave(x, r, dim) if draw(st.booleans())
                else x.repeat_interleave(r, dim))

    def theirs(x: Any) -> Any:
        torch = lazy_torch()
        return torch.repeat_interleave(x, reps if kind == "int" else torch.tensor(reps), dim)
    return Case([draw(arrays(shape))], ours, theirs)


@st.composite
def unfold_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    dim = draw(dim_of(len(shape)))
    n = shape[dim] if shape else 1
    size = draw(st.integers(0, n))
    step = draw(st.integers(1, n + 1))
    return Case([draw(arrays(shape))], lambda x: x.unfold(dim, size, step),
                lambda x: x.unfold(dim, size, step))


CASES = {"masked_select": masked_select_case(), "take": take_case(),
         "take_along_dim": take_along_dim_case(), "select": select_case(),
         "repeat_interleave": repeat_interleave_case(), "unfold": unfold_case()}


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
test_gradcheck = gradcheck_test(CASES)
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES)


# ============================================================================
# Semantics: repeats accumulate, integer dtypes, 0-d and empty inputs
# ============================================================================
def test_repeated_positions_accumulate_their_gradients() -> None:
    x = nl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    nl.take(x, nl.tensor([0, 0, -1, 2])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, 2.0])
    x.grad = None
    nl.take_along_dim(x, nl.tensor([1, 1, 1])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 3.0, 0.0])


SPECIAL = [
    ("masked_select_0d", lambda T, x: T.masked_select(x, T.tensor(True)), np.array(2.0)),
    ("masked_select_empty", lambda T, x: T.masked_select(x, x > 0), np.zeros((0, 3))),
    ("take_0d", lambda T, x: T.take(x, T.tensor(0)), np.array(2.0)),
    ("take_empty", lambda T, x: T.take(x, T.tensor([], dtype=T.int64)), np.zeros(0)),
    ("take_along_dim_neg", lambda T, x: T.take_along_dim(x, T.tensor([[0], [-1]]), 1),
     randn((2, 3))),
    ("take_along_dim_0d", lambda T, x: T.take_along_dim(x, T.tensor(0)), np.array(2.0)),
    ("select_neg", lambda T, x: T.select(x, -1, -2), randn((2, 3, 4))),
    ("select_tensor_index", lambda T, x: x.select(0, T.tensor(1)), randn((2, 3))),
    ("repeat_interleave_0d", lambda T, x: T.repeat_interleave(x, 2), np.array(3.0)),
    ("repeat_interleave_out", lambda T, x: T.repeat_interleave(
        x, T.tensor([1, 2]), dim=0, output_size=3), randn((2, 2))),
    ("repeat_interleave_0d_repeats", lambda T, x: T.repeat_interleave(x, T.tensor(2), dim=-1),
     randn((2, 2))),
    ("unfold_0d", lambda T, x: x.unfold(0, 1, 1), np.array(3.0)),
    ("unfold_empty", lambda T, x: x.unfold(0, 0, 1), np.zeros((0, 3))),
    ("unfold_neg_dim", lambda T, x: x.unfold(-2, 2, 1), randn((3, 4))),
]


@pytest.mark.parametrize("name, f, a", SPECIAL, ids=[s[0] for s in SPECIAL])
def test_special_inputs_as_torch(torch, name: str, f: Callable, a: np.ndarray) -> None:
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [a])


INTEGER = [("masked_select", lambda T, x: T.masked_select(x, x > 2)),
           ("take", lambda T, x: T.take(x, T.tensor([[5, 0]]))),
           ("take_along_dim", lambda T, x: T.take_along_dim(x, T.tensor([[2], [0]]), 1)),
           ("select", lambda T, x: T.select(x, 0, 1)),
           ("repeat_interleave", lambda T, x: T.repeat_interleave(x, 2, 1)),
           ("unfold", lambda T, x: x.unfold(1, 2, 1))]


@pytest.mark.parametrize("name, f", INTEGER, ids=[n for n, _ in INTEGER])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_integer_and_bool_inputs_keep_their_dtype(torch, name: str, f: Callable,
                                                  dtype: Any) -> None:
    a = np.arange(6).reshape(2, 3).astype(dtype)
    check_parity(torch, lambda x: f(nl, x), lambda x: f(torch, x), [a])


@pytest.mark.parametrize("repeats, dtype", [([1, 0, 3], np.int64), ([2, 1], np.int32),
                                            ([], np.int64)])
def test_repeat_interleave_of_repeats_alone(torch, repeats: list, dtype: Any) -> None:
    r = np.array(repeats, dtype)
    ours, theirs = nl.repeat_interleave(nl.tensor(r)), torch.repeat_interleave(torch.tensor(r))
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_unfold_windows_and_gradient_counts() -> None:
    x = nl.arange(7.0, dtype=nl.float64).requires_grad_()
    y = x.unfold(0, 3, 2)
    np.testing.assert_array_equal(y.numpy(), [[0, 1, 2], [2, 3, 4], [4, 5, 6]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 1, 2, 1, 2, 1, 1])


# ============================================================================
# Bad input
# ============================================================================
X = nl.tensor(randn((2, 3)))
I = nl.tensor([0, 1])
BAD = [
    ("masked_select_int_mask", lambda: nl.masked_select(X, nl.tensor([1, 0, 1])), TypeError,
     r"masked_select: expected a bool tensor for mask, got dtype int64"),
    ("masked_select_shape", lambda: X.masked_select(nl.tensor([True, False])), ValueError,
     r"masked_select: mask of shape \(2,\) and input of shape \(2, 3\)"),
    ("take_range", lambda: nl.take(X, nl.tensor([6])), IndexError,
     r"take: index 6 is out of bounds for an input of shape \(2, 3\) read as 1-D with size 6"),
    ("take_negative_range", lambda: X.take(nl.tensor([-7])), IndexError, r"index -7"),
    ("take_float_index", lambda: nl.take(X, nl.tensor([1.0])), TypeError,
     r"take: expected a long \(int64\) tensor for index, but got dtype float32"),
    ("take_int32_index", lambda: nl.take(X, nl.tensor([1], dtype=nl.int32)), TypeError,
     r"int64"),
    ("take_empty", lambda: nl.take(nl.zeros(0), nl.tensor([0])), IndexError,
     r"take: tried to take from an empty tensor"),
    ("take_along_dim_ndim", lambda: nl.take_along_dim(X, nl.tensor([0]), 1), ValueError,
     r"same number of dimensions.*input of shape \(2, 3\) and indices of shape \(1,\)"),
    ("take_along_dim_range", lambda: X.take_along_dim(nl.tensor([[3]]), 1), IndexError,
     r"index 3 is out of bounds for dim 1 of the input of shape \(2, 3\) with size 3"),
    ("take_along_dim_broadcast", lambda: X.take_along_dim(nl.tensor([[0], [1], [2]]), 1),
     ValueError, r"input of shape \(2, 3\) and indices of shape \(3, 1\) cannot be broadcast"),
    ("take_along_dim_flat_negative", lambda: X.take_along_dim(nl.tensor([-1])), IndexError,
     r"index -1 is out of bounds for dim 0 of the input of shape \(6,\)"),
    ("take_along_dim_0d_dim", lambda: nl.take_along_dim(nl.tensor(1.0), nl.tensor(0), 0),
     IndexError, r"dim 0 given but the input has no dimensions"),
    ("take_along_dim_dtype", lambda: X.take_along_dim(nl.tensor([[0]], dtype=nl.int32), 1),
     TypeError, r"take_along_dim: expected a long \(int64\) tensor for indices"),
    ("select_range", lambda: nl.select(X, 1, 3), IndexError,
     r"select\(\): index 3 out of range for tensor of size \[2, 3\] at dimension 1"),
    ("select_dim", lambda: X.select(2, 0), IndexError, r"select: dim 2 is out of range"),
    ("select_0d", lambda: nl.select(nl.tensor(1.0), 0, 0), IndexError,
     r"select\(\) cannot be applied to a 0-dim tensor"),
    ("select_float", lambda: nl.select(X, 0, 1.0), TypeError, r"select: index must be an int"),
    ("repeat_interleave_negative", lambda: X.repeat_interleave(-1), RuntimeError,
     r"repeats must be non-negative"),
    ("repeat_interleave_size", lambda: X.repeat_interleave(nl.tensor([1, 2, 3]), dim=0),
     ValueError, r"repeats must have the same size as input along dim.*repeats of shape "
     r"\(3,\) and input of shape \(2, 3\)"),
    ("repeat_interleave_float", lambda: X.repeat_interleave(nl.tensor([1.0, 2.0]), dim=0),
     TypeError, r"repeats must be an integer tensor, got dtype float32"),
    ("repeat_interleave_output_size", lambda: X.repeat_interleave(2, 0, output_size=5),
     RuntimeError, r"invalid output_size, expected 4 but got 5"),
    ("repeat_interleave_2d_repeats", lambda: nl.repeat_interleave(nl.tensor([[1, 3]])),
     ValueError, r"only accepts a 1-D vector as repeats"),
    ("repeat_interleave_0d_dim", lambda: nl.repeat_interleave(nl.tensor(3.0), 2, dim=0),
     IndexError, r"the input has no dimensions"),
    ("unfold_size", lambda: X.unfold(1, 4, 1), RuntimeError,
     r"maximum size for tensor at dimension 1 is 3 but size is 4"),
    ("unfold_step", lambda: X.unfold(1, 2, 0), RuntimeError, r"step is 0 but must be > 0"),
    ("unfold_dim", lambda: X.unfold(2, 1, 1), IndexError, r"unfold: dim 2 is out of range"),
]


test_bad_input_raises_a_clear_error = errors_test(BAD)
