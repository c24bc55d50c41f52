"""Tests for nnlite/ops/linalg.py: matmul (and ``@``) with NumPy's rules for 1-D and
batched operands, mm, bmm, dot, outer.

Each form is a row of ``CASES`` with its own shape strategy (batch dims broadcast
against each other, size-1 and size-0 sides, 1-D operands on either side); every row
gets a float64 gradcheck, torch parity of values and gradients, double backward against
torch, and the float32 check. ``FIXED`` lists the shape pairs every release must handle,
checked the same way. The oracle is torch (skipped without it).
"""
from __future__ import annotations

import numpy as np
import pytest
from ._binary_helpers import (Case, check_double_backward, check_float32, check_gradcheck,
                             check_parity, draw_arrays, make_arrays, params, same, table_tests)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl

SIDE = st.integers(0, 3)                 # n, k, m: includes empty products


@st.composite
def matmul_shapes(draw, vectors=True, max_batch_dims=2):
    """(a, b) for a @ b: broadcast batch dims, and a 1-D a or b when ``vectors``."""
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    batch = draw(hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=0, max_dims=max_batch_dims, min_side=1, max_side=3))
    ba, bb = batch.input_shapes
    a_vec = vectors and draw(st.booleans())
    b_vec = vectors and draw(st.booleans())
    a = (k,) if a_vec else ba + (n, k)
    b = (k,) if b_vec else bb + (k, m)
    return a, b


@st.composite
def bmm_shapes(draw):
    bs, n, k, m = draw(SIDE), draw(SIDE), draw(SIDE), draw(SIDE)
    return (bs, n, k), (bs, k, m)


def _2d(draw_):
    n, k, m = draw_(SIDE), draw_(SIDE), draw_(SIDE)
    return (n, k), (k, m)


def _vectors(same_length):
    @st.composite
    def draw(draw_):
        k = draw_(SIDE)
        return (k,), ((k,) if same_length else (draw_(SIDE),))
    return draw()


CONST = np.arange(12, dtype=np.float32).reshape(4, 3) / 8     # a float32 NumPy operand

CASES = {
    "matmul": Case(nl.matmul, lambda T, a, b: T.matmul(a, b), (np.asarray,) * 2,
                   matmul_shapes()),
    "operator": same(lambda a, b: a @ b, (np.asarray,) * 2, shapes=matmul_shapes()),
    "method": same(lambda a, b: a.matmul(b), (np.asarray,) * 2, shapes=matmul_shapes()),
    "mm": Case(nl.mm, lambda T, a, b: T.mm(a, b), (np.asarray,) * 2, st.composite(_2d)()),
    "bmm": Case(nl.bmm, lambda T, a, b: T.bmm(a, b), (np.asarray,) * 2, bmm_shapes()),
    "dot": Case(nl.dot, lambda T, a, b: T.dot(a, b), (np.asarray,) * 2, _vectors(True)),
    "outer": Case(nl.outer, lambda T, a, b: T.outer(a, b), (np.asarray,) * 2,
                  _vectors(False)),
    # (torch's matmul does not promote: its constant is cast to the tensor's dtype)
    "ndarray_rmatmul": Case(lambda b: CONST @ b, lambda T, b: T.tensor(CONST, dtype=b.dtype) @ b,
                            (np.asarray,), st.sampled_from([((3,),), ((3, 2),),
                                                            ((2, 3, 1),)])),
    "matmul_ndarray": Case(lambda a: a @ CONST, lambda T, a: a @ T.tensor(CONST, dtype=a.dtype),
                           (np.asarray,), st.sampled_from([((4,),), ((2, 4),),
                                                           ((3, 1, 4),)])),
    "chain": same(lambda a, b: (a @ b) @ b.mT, (np.asarray,) * 2,
                  shapes=matmul_shapes(vectors=False)),
}

FIXED = [
    ((4,), (4,)),                     # 1-D @ 1-D: a scalar
    ((4,), (4, 3)),                   # 1-D @ 2-D
    ((2, 4), (4,)),                   # 2-D @ 1-D
    ((2, 4), (4, 3)),                 # 2-D @ 2-D
    ((2, 1, 3, 4), (5, 4, 2)),        # batch dims broadcast: (2, 5, 3, 2)
    ((4,), (2, 4, 3)),                # 1-D with batched
    ((2, 3, 4), (4,)),                # batched with 1-D
    ((1, 3, 4), (2, 1, 4, 2)),        # size-1 batch dims on both sides
    ((3, 0), (0, 2)),                 # empty inner dim: zeros
    ((0, 3), (3, 2)),                 # empty output
]
FIXED_IDS = [f"{a}@{b}" for a, b in FIXED]
MATMUL = CASES["matmul"]


# ---- every form: gradcheck, torch parity, double backward, float32 ------------------
test_gradcheck, test_matches_torch, test_double_backward_matches_torch = table_tests(
    params(CASES))


@pytest.mark.parametrize("case", params(CASES))
@given(data=st.data())
def test_float32_stays_float32(case, data):
    check_float32(case, draw_arrays(data, case))


@pytest.mark.parametrize("shapes", FIXED, ids=FIXED_IDS)
def test_fixed_shapes(torch, shapes):
    arrays = make_arrays(MATMUL, shapes)
    check_gradcheck(MATMUL, arrays)
    check_parity(torch, MATMUL, arrays)
    check_double_backward(torch, MATMUL, arrays)
    check_float32(MATMUL, arrays)


@pytest.mark.parametrize("shapes", FIXED, ids=FIXED_IDS)
def test_output_shape_follows_numpy(shapes):
    a, b = (np.ones(s) for s in shapes)
    assert nl.matmul(nl.tensor(a), nl.tensor(b)).shape == np.matmul(a, b).shape


def test_only_the_requested_gradient_is_computed():
    a = nl.tensor(np.ones((2, 3)), requires_grad=True)
    b = nl.tensor(np.ones((3, 4)))                                    # a constant
    (ga,) = nl.autograd.grad((a @ b).sum(), a)
    np.testing.assert_array_equal(ga.array, np.full((2, 3), 4.0))


# ---- bad input -------------------------------------------------------------------
@pytest.mark.parametrize("a, b, message", [
    ((2, 3), (4, 5), r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied \(3 != 4\)"),
    ((3,), (4,), r"matmul: shapes \(3,\) and \(4,\) cannot be multiplied \(3 != 4\)"),
    ((2, 3), (2,), r"matmul: shapes \(2, 3\) and \(2,\) cannot be multiplied \(3 != 2\)"),
    ((5,), (4, 3, 2), r"matmul: shapes \(5,\) and \(4, 3, 2\) cannot be multiplied"),
    ((2, 3, 4), (3, 4, 5), r"matmul: batch dims of shapes \(2, 3, 4\) and \(3, 4, 5\) cannot "
                           r"be broadcast together"),
    ((), (3,), r"matmul: both arguments must be at least 1-D, got shapes \(\) and \(3,\)"),
], ids=["inner", "vectors", "matrix-vector", "vector-batched", "batch", "0-d"])
def test_matmul_errors_name_both_shapes(a, b, message):
    x, y = nl.ones(*a), nl.ones(*b)
    with pytest.raises(ValueError, match=message):
        nl.matmul(x, y)
    with pytest.raises(ValueError, match=message):
        x @ y


@pytest.mark.parametrize("fn, a, b, message", [
    (nl.mm, (2, 3, 4), (4, 2), r"mm: expected 2-D tensors, got shapes \(2, 3, 4\) and \(4, 2\)"),
    (nl.bmm, (2, 3, 4), (3, 4, 2), r"bmm: expected 3-D tensors with the same batch size, got "
                                   r"shapes \(2, 3, 4\) and \(3, 4, 2\)"),
    (nl.bmm, (3, 4), (4, 2), r"bmm: expected 3-D tensors"),
    (nl.dot, (2, 3), (3,), r"dot: expected 1-D tensors, got shapes \(2, 3\) and \(3,\)"),
    (nl.dot, (3,), (4,), r"matmul: shapes \(3,\) and \(4,\) cannot be multiplied"),
    (nl.outer, (2, 2), (3,), r"outer: expected 1-D tensors, got shapes \(2, 2\) and \(3,\)"),
], ids=["mm", "bmm-batch", "bmm-2d", "dot-2d", "dot-length", "outer-2d"])
def test_product_errors_name_the_op_and_shapes(fn, a, b, message):
    with pytest.raises(ValueError, match=message):
        fn(nl.ones(*a), nl.ones(*b))
