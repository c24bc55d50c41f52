"""Tests of nnlite/ops/einsum.py: einsum.

Each equation of ``EQUATIONS`` is drawn with hypothesis-drawn sizes: every letter gets a
size (0 to 4 where the equation allows it), some operands get size 1 for a shared letter
(broadcast, as torch allows), and ``...`` covers mutually broadcastable batch dims.
The checks are float64 gradcheck, torch parity of values and gradients, float32 kept
and double backward against torch; then the spellings (operand list, sublists, spaces),
dtypes and every malformed equation against torch's errors.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl

from ._parity import check_double_backward, check_float32, check_parity, gradcheck
from ._shape_helpers import randn

EQUATIONS = [
    "ij,jk->ik", "ij,jk", "bij,bjk->bik", "bhqd,bhkd->bhqk", "ij,kj->ik", "i,j->ij",
    "i,i->", "ij->", "ij->ji", "ba", "Ba", "ii->i", "ii", "iij->ji", "iji->j",
    "...ij,...jk->...ik", "...ij,...jk", "i...->...", "...ij->ij", "...i,...i->...",
    "ij,ij,ij->i", "i,jk", "ab,bc,cd->ad", "bn,anm,bm->ba", "i,->i", "->", "j...,j->...",
]


def _terms(eq: str) -> list:
    return eq.split("->")[0].split(",")


@st.composite
def einsum_case(draw: Any, eq: str) -> tuple:
    """Arrays for ``eq``: a size per letter; a shared letter may be 1 in some operand
    (not where it repeats within one operand); ``...`` broadcast batch dims."""
    terms = _terms(eq)
    letters = sorted(set("".join(terms).replace(".", "")))
    size = {c: draw(st.integers(0 if len(terms) == 1 else 1, 4)) for c in letters}
    n_ell = sum("..." in t for t in terms)
    batch = list(draw(hnp.mutually_broadcastable_shapes(
        num_shapes=max(n_ell, 1), max_dims=2, max_side=3)).input_shapes) if n_ell else []
    shapes = []
    for t in terms:
        shape = []
        for c in t.replace("...", "."):
            if c == ".":
                shape.extend(batch.pop(0))
            elif t.count(c) == 1 and draw(st.integers(0, 4)) == 0:
                shape.append(1)                             # broadcast against the others
            else:
                shape.append(size[c])
        shapes.append(tuple(shape))
    seed = draw(st.integers(0, 2 ** 16))
    return [randn(s, seed + k) for k, s in enumerate(shapes)]


def _nl(eq: str) -> Any:
    return lambda *xs: nl.einsum(eq, *xs)


def _th(eq: str) -> Any:
    def f(*xs: Any) -> Any:
        import torch
        return torch.einsum(eq, *xs)
    return f


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the equations
# ============================================================================
@pytest.mark.parametrize("eq", EQUATIONS)
@given(data=st.data())
def test_gradcheck(eq: str, data: Any) -> None:
    gradcheck(_nl(eq), data.draw(einsum_case(eq)))


@pytest.mark.parametrize("eq", EQUATIONS)
@given(data=st.data())
def test_torch_parity(torch, eq: str, data: Any) -> None:
    check_parity(torch, _nl(eq), _th(eq), data.draw(einsum_case(eq)))


@pytest.mark.parametrize("eq", EQUATIONS)
@settings(max_examples=5)
@given(data=st.data())
def test_float32_stays_float32(eq: str, data: Any) -> None:
    check_float32(_nl(eq), data.draw(einsum_case(eq)))


@pytest.mark.parametrize("eq", EQUATIONS)
@settings(max_examples=5)
@given(data=st.data())
def test_double_backward(torch, eq: str, data: Any) -> None:
    check_double_backward(torch, _nl(eq), _th(eq), data.draw(einsum_case(eq)))


# ============================================================================
# Spellings and dtypes
# ============================================================================
def test_operands_as_one_list_sublists_and_spaces_match_torch(torch) -> None:
    a, b = randn((2, 3)), randn((3, 4), 1)
    check_parity(torch, lambda x, y: nl.einsum("ij,jk", [x, y]),
                 lambda x, y: torch.einsum("ij,jk", [x, y]), [a, b])
    check_parity(torch, lambda x, y: nl.einsum(x, [0, 1], y, [1, 2], [0, 2]),
                 lambda x, y: torch.einsum(x, [0, 1], y, [1, 2], [0, 2]), [a, b])
    check_parity(torch, lambda x, y: nl.einsum(x, [27, 0], y, [0, 1]),     # implicit output
                 lambda x, y: torch.einsum(x, [27, 0], y, [0, 1]), [a, b])
    check_parity(torch, lambda x: nl.einsum(x, [..., 1]), lambda x: torch.einsum(x, [..., 1]),
                 [a])
    check_parity(torch, lambda x, y: nl.einsum(" i j , j k -> k i ", x, y),
                 lambda x, y: torch.einsum(" i j , j k -> k i ", x, y), [a, b])


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_integer_operands_as_torch(torch, dtype: Any) -> None:
    a = np.arange(6, dtype=dtype).reshape(2, 3)
    ours, theirs = nl.einsum("ij,kj->ik", nl.tensor(a), nl.tensor(a)), torch.einsum(
        "ij,kj->ik", torch.tensor(a), torch.tensor(a))
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_the_same_tensor_twice_gets_both_gradients(torch) -> None:
    check_parity(torch, lambda x: nl.einsum("ij,ij->", x, x),
                 lambda x: torch.einsum("ij,ij->", x, x), [randn((2, 3))])


def test_grad_fn_names() -> None:
    x = nl.tensor(randn((3, 3)), requires_grad=True)
    assert nl.einsum("ij,jk", x, x).grad_fn.name() == "EinsumBackward"
    assert nl.einsum("ii->i", x).grad_fn.name() == "EinsumBackward"
    assert nl.einsum("ii->i", x).grad_fn.parents[0].name() == "TakeDiagonalsBackward"


# ============================================================================
# Bad input: torch raises too (the messages name the subscript, operand and sizes)
# ============================================================================
BAD = [
    ("ij,jk", [(2, 3)], r"fewer operands were provided \(1\)"),
    ("ij", [(2, 2), (2,)], r"more operands were provided \(2\)"),
    ("ij", [(2, 2, 2)], r"number of subscripts in the equation \(2\) does not match the "
                        r"number of dimensions \(3\) for operand 0"),
    ("...ijk", [(2, 2)], r"number of subscripts in the equation \(3\) is more than the "
                         r"number of dimensions \(2\)"),
    ("ii->i", [(2, 3)], r"subscript i is repeated for operand 0 but the sizes don't match, "
                        r"2 != 3"),
    ("i,i", [(2,), (3,)], r"subscript i has size 3 for operand 1 .* size 2"),
    ("ij->ii", [(2, 2)], r"output subscript i appears more than once"),
    ("ij->k", [(2, 2)], r"output subscript k does not appear"),
    ("i.j", [(2, 3)], r"found '\.' for operand 0 that is not part of any ellipsis"),
    ("i1", [(2, 3)], r"invalid subscript '1' for operand 0"),
]


@pytest.mark.parametrize("eq, shapes, match", BAD, ids=[b[0] for b in BAD])
def test_bad_equations_raise_where_torch_does(torch, eq: str, shapes: list, match: str) -> None:
    with pytest.raises(RuntimeError, match=r"einsum\(\): (the )?" + match):
        nl.einsum(eq, *[nl.ones(s) for s in shapes])
    with pytest.raises(RuntimeError):
        torch.einsum(eq, *[torch.ones(s) for s in shapes])


def test_mixed_dtypes_and_bad_sublists_raise(torch) -> None:
    with pytest.raises(RuntimeError, match=re.escape("einsum(): expected all operands to "
                                                     "have the same dtype, got float32")):
        nl.einsum("i,i", nl.ones(2), nl.ones(2, dtype=nl.float64))
    with pytest.raises(ValueError, match=r"not within the valid range \[0, 52\)"):
        nl.einsum(nl.ones(2), [52])
    with pytest.raises(TypeError, match=r"einsum\(\): must specify the equation"):
        nl.einsum()
