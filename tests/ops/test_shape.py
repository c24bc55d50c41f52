"""Tests of nnlite/ops/shape.py: reshape/view flatten unflatten squeeze unsqueeze
transpose swapaxes permute movedim T mT expand broadcast_to repeat tile flip roll
cat/concatenate stack split chunk unbind pad.

Each entry of ``CASES`` is a hypothesis strategy drawing a ``Case``: the input arrays and
the same call in nnlite (``nl``, the function or the Tensor method, drawn) and in torch
(``th``). One test per property runs over the whole table.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import strategies as st

import nnlite as nl

from ._cases import (
    Case, double_backward_test, either, errors_test, float32_test, gradcheck_test,
    lazy_torch, parity_test)
from ._parity import check_double_backward
from ._shape_helpers import arrays, dim_of, randn, shapes


def _signed(draw: Any, dims: list, ndim: int) -> tuple:
    """``dims`` with some of them spelled negative."""
    return tuple(d - ndim if draw(st.booleans()) else d for d in dims)


def _divisors(n: int) -> list:
    return [d for d in range(1, n + 1) if n % d == 0]


# ============================================================================
# The cases
# ============================================================================
@st.composite
def reshape_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    n = int(np.prod(shape))
    if n == 0:
        target = draw(st.sampled_from([(0,), (2, 0), (0, 3, 1)]))
    else:
        target, rest = [], n
        while rest > 1 and len(target) < 3:
            target.append(draw(st.sampled_from(_divisors(rest))))
            rest //= target[-1]
        target = draw(st.permutations(target + [rest]))
        if draw(st.booleans()):
            target[draw(st.integers(0, len(target) - 1))] = -1
    target = tuple(target)
    f = either(draw, lambda x: nl.reshape(x, target), lambda x: x.view(*target))
    return Case([draw(arrays(shape))], f, lambda x: x.reshape(target))


@st.composite
def flatten_case(draw: Any) -> Case:
    shape = draw(shapes(max_dims=4, max_side=3, min_side=0))
    nd = max(len(shape), 1)
    s = draw(st.integers(0, nd - 1))
    e = draw(st.integers(s, nd - 1))
    s, e = _signed(draw, [s, e], nd)
    f = either(draw, lambda x: nl.flatten(x, s, e), lambda x: x.flatten(s, e))
    return Case([draw(arrays(shape))], f, lambda x: x.flatten(s, e))


@st.composite
def unflatten_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1))
    d = draw(dim_of(len(shape)))
    a = draw(st.sampled_from(_divisors(shape[d])))
    sizes = draw(st.sampled_from([(a, shape[d] // a), (-1, shape[d] // a), (a, -1, 1)]))
    return Case([draw(arrays(shape))], lambda x: nl.unflatten(x, d, sizes),
                lambda x: x.unflatten(d, sizes))


@st.composite
def squeeze_case(draw: Any) -> Case:
    shape = draw(shapes(max_dims=4, max_side=2))
    nd = len(shape)
    dims = draw(st.none() | dim_of(nd) |
                st.lists(st.integers(0, max(nd, 1) - 1), min_size=1, unique=True)
                .map(tuple))
    f = either(draw, lambda x: nl.squeeze(x, dims), lambda x: x.squeeze(dims))
    th = (lambda x: x.squeeze()) if dims is None else (lambda x: x.squeeze(dims))
    return Case([draw(arrays(shape))], f, th)


@st.composite
def unsqueeze_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    d = draw(st.integers(-len(shape) - 1, len(shape)))
    f = either(draw, lambda x: nl.unsqueeze(x, d), lambda x: x.unsqueeze(d))
    return Case([draw(arrays(shape))], f, lambda x: x.unsqueeze(d))


@st.composite
def transpose_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, min_side=0))
    a, b = draw(dim_of(len(shape))), draw(dim_of(len(shape)))
    f = draw(st.sampled_from([lambda x: nl.transpose(x, a, b), lambda x: x.transpose(a, b),
                              lambda x: nl.swapaxes(x, a, b), lambda x: x.swapaxes(a, b)]))
    return Case([draw(arrays(shape))], f, lambda x: x.transpose(a, b))


@st.composite
def permute_case(draw: Any) -> Case:
    shape = draw(shapes(max_dims=4, max_side=3, min_side=0))
    perm = _signed(draw, draw(st.permutations(range(len(shape)))), len(shape))
    f = draw(st.sampled_from([lambda x: nl.permute(x, perm), lambda x: x.permute(*perm),
                              lambda x: x.permute(perm)]))
    return Case([draw(arrays(shape))], f, lambda x: x.permute(perm))


@st.composite
def movedim_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, max_dims=4, max_side=3))
    nd = len(shape)
    k = draw(st.integers(1, nd))
    src = _signed(draw, draw(st.permutations(range(nd)))[:k], nd)
    dst = _signed(draw, draw(st.permutations(range(nd)))[:k], nd)
    if k == 1 and draw(st.booleans()):
        src, dst = src[0], dst[0]
    return Case([draw(arrays(shape))], lambda x: nl.movedim(x, src, dst),
                lambda x: lazy_torch().movedim(x, src, dst))


@st.composite
def t_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    return Case([draw(arrays(shape))], lambda x: x.T,   # torch's T warns unless 2-d
                lambda x: x.permute(tuple(range(x.ndim - 1, -1, -1))))


@st.composite
def mt_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=2, max_dims=4, max_side=3, min_side=0))
    return Case([draw(arrays(shape))], lambda x: x.mT, lambda x: x.mT)


@st.composite
def expand_case(draw: Any) -> Case:
    shape = draw(shapes(max_dims=3, max_side=3))
    lead = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    sizes = lead + tuple(draw(st.sampled_from([-1, n] if n != 1 else [-1, 1, 0, 3]))
                         for n in shape)
    f = draw(st.sampled_from([lambda x: nl.expand(x, sizes), lambda x: x.expand(*sizes),
                              lambda x: x.expand(sizes)]))
    return Case([draw(arrays(shape))], f, lambda x: x.expand(sizes))


@st.composite
def broadcast_to_case(draw: Any) -> Case:
    shape = draw(shapes(max_dims=3, max_side=3))
    target = tuple(draw(st.lists(st.integers(1, 3), max_size=2))) + tuple(
        draw(st.sampled_from([1, 2, 3])) if n == 1 else n for n in shape)
    f = either(draw, lambda x: nl.broadcast_to(x, target), lambda x: x.broadcast_to(target))
    return Case([draw(arrays(shape))], f, lambda x: x.broadcast_to(target))


@st.composite
def repeat_case(draw: Any) -> Case:
    shape = draw(shapes(max_dims=3, max_side=3, min_side=0))
    reps = tuple(draw(st.lists(st.integers(0, 3), min_size=len(shape),
                               max_size=len(shape) + 1)))
    f = draw(st.sampled_from([lambda x: nl.repeat(x, reps), lambda x: x.repeat(*reps)]))
    return Case([draw(arrays(shape))], f, lambda x: x.repeat(reps))


@st.composite
def tile_case(draw: Any) -> Case:
    shape = draw(shapes(max_dims=3, max_side=3, min_side=0))
    reps = tuple(draw(st.lists(st.integers(0, 3), min_size=1, max_size=4)))
    f = either(draw, lambda x: nl.tile(x, reps), lambda x: x.tile(*reps))
    return Case([draw(arrays(shape))], f, lambda x: x.tile(reps))


@st.composite
def flip_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    nd = max(len(shape), 1)
    dims = _signed(draw, draw(st.lists(st.integers(0, nd - 1), unique=True)), nd)
    f = draw(st.sampled_from([lambda x: nl.flip(x, dims), lambda x: x.flip(*dims),
                              lambda x: x.flip(dims)]))
    return Case([draw(arrays(shape))], f, lambda x: x.flip(dims))


@st.composite
def roll_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    nd = len(shape)
    if nd == 0 or draw(st.booleans()):                  # flattened
        shift = draw(st.integers(-5, 5))
        f = either(draw, lambda x: nl.roll(x, shift), lambda x: x.roll(shift))
        return Case([draw(arrays(shape))], f, lambda x: x.roll(shift))
    dims = draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=3))
    shifts = tuple(draw(st.integers(-5, 5)) for _ in dims)
    if len(dims) == 1 and draw(st.booleans()):
        dims, shifts = dims[0], shifts[0]
    else:
        dims = tuple(dims)
    f = either(draw, lambda x: nl.roll(x, shifts, dims), lambda x: x.roll(shifts, dims))
    return Case([draw(arrays(shape))], f, lambda x: x.roll(shifts, dims))


@st.composite
def cat_case(draw: Any) -> Case:
    shape = list(draw(shapes(min_dims=1)))
    d = draw(dim_of(len(shape)))
    pieces = []
    for _ in range(draw(st.integers(1, 3))):
        shape[d] = draw(st.integers(0, 3))              # an empty piece now and then
        pieces.append(draw(arrays(shape)))
    f = draw(st.sampled_from([lambda *xs: nl.cat(xs, d), lambda *xs: nl.cat(list(xs), dim=d),
                              lambda *xs: nl.concatenate(xs, axis=d),
                              lambda *xs: nl.concat(xs, d)]))
    return Case(pieces, f, lambda *xs: lazy_torch().cat(xs, d))


@st.composite
def stack_case(draw: Any) -> Case:
    shape = draw(shapes(min_side=0))
    d = draw(st.integers(-len(shape) - 1, len(shape)))
    pieces = [draw(arrays(shape)) for _ in range(draw(st.integers(1, 3)))]
    f = draw(st.sampled_from([lambda *xs: nl.stack(xs, d), lambda *xs: nl.stack(xs, axis=d)]))
    return Case(pieces, f, lambda *xs: lazy_torch().stack(xs, d))


@st.composite
def split_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, min_side=0, max_side=5))
    d = draw(dim_of(len(shape)))
    n = shape[d]
    if draw(st.booleans()):
        arg = draw(st.integers(1, 4))
    else:                                               # sections, zeros allowed
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        arg = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    f = either(draw, lambda x: nl.split(x, arg, d), lambda x: x.split(arg, d))
    return Case([draw(arrays(shape))], f, lambda x: x.split(arg, d))


@st.composite
def chunk_case(draw: Any) -> Case:
    shape = draw(shapes(min_dims=1, min_side=0, max_side=5))
    d = draw(dim_of(len(shape)))
    k = draw(st.integers(1, 5))
    f = either(draw, lambda x: nl.chunk(x, k, d), lambda x: x.chunk(k, d))
    return Case([draw(arrays(shape))], f, lambda x: x.chunk(k, d))


@st.composite
def unbind_case(draw: Any) -> Case:
    shape = list(draw(shapes(min_dims=1, min_side=0)))
    d = draw(dim_of(len(shape)))
    shape[d] = max(shape[d], 1)                        # at least one piece
    return Case([draw(arrays(shape))], lambda x: nl.unbind(x, d), lambda x: x.unbind(d))


def _th_pad(pad: tuple, mode: str, value: float = 0.0) -> Callable:
    def f(x: Any) -> Any:
        import torch.nn.functional as F
        kw = {"value": value} if mode == "constant" else {}
        return F.pad(x, pad, mode=mode, **kw)
    return f


@st.composite
def pad_constant_case(draw: Any) -> Case:
    shape = draw(shapes(max_dims=3, max_side=3, min_side=0))
    k = draw(st.integers(0, len(shape)))
    pad = tuple(draw(st.lists(st.integers(0, 2), min_size=2 * k, max_size=2 * k)))
    value = draw(st.sampled_from([0.0, -1.5, 2.0]))
    f = draw(st.sampled_from([lambda x: nl.pad(x, pad, value=value),
                              lambda x: nl.pad(x, pad, "constant", value)]))
    return Case([draw(arrays(shape))], f, _th_pad(pad, "constant", value))


def pad_indexed_case(mode: str) -> st.SearchStrategy:
    """torch pads the last k dims of a (k+1)- or (k+2)-dim input in these modes."""
    @st.composite
    def case(draw: Any) -> Case:
        k = draw(st.integers(1, 2))
        shape = draw(shapes(min_dims=k + 1, max_dims=k + 2, min_side=2, max_side=3))
        pad = []
        for n in shape[::-1][:k]:                      # last dim first, as F.pad
            hi = {"reflect": n - 1, "replicate": 3, "circular": n}[mode]
            pad += [draw(st.integers(0, hi)), draw(st.integers(0, hi))]
        pad = tuple(pad)
        return Case([draw(arrays(shape))], lambda x: nl.pad(x, pad, mode), _th_pad(pad, mode))
    return case()


CASES = {
    "reshape": reshape_case(), "flatten": flatten_case(), "unflatten": unflatten_case(),
    "squeeze": squeeze_case(), "unsqueeze": unsqueeze_case(), "transpose": transpose_case(),
    "permute": permute_case(), "movedim": movedim_case(), "T": t_case(), "mT": mt_case(),
    "expand": expand_case(), "broadcast_to": broadcast_to_case(), "repeat": repeat_case(),
    "tile": tile_case(), "flip": flip_case(), "roll": roll_case(), "cat": cat_case(),
    "stack": stack_case(), "split": split_case(), "chunk": chunk_case(),
    "unbind": unbind_case(), "pad_constant": pad_constant_case(),
    "pad_reflect": pad_indexed_case("reflect"), "pad_replicate": pad_indexed_case("replicate"),
    "pad_circular": pad_indexed_case("circular"),
}


# ============================================================================
# Gradients, parity, dtype, double backward: one test each, over the table
# ============================================================================
test_gradcheck = gradcheck_test(CASES)
test_torch_parity = parity_test(CASES)
test_float32_stays_float32 = float32_test(CASES)
test_double_backward = double_backward_test(CASES, max_examples=5)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_indexed_pad_double_backward_matches_torch(torch, mode: str) -> None:
    check_double_backward(torch, lambda x: nl.pad(x, (1, 2, 2, 1), mode),
                          lambda x: torch.nn.functional.pad(x, (1, 2, 2, 1), mode=mode),
                          [randn((2, 3, 4))])


NUMPY_SPELLING = [("squeeze", lambda x: nl.squeeze(x, axis=(0, 2)), np.squeeze, {"axis": (0, 2)}),
                  ("unsqueeze", lambda x: nl.unsqueeze(x, axis=-1), np.expand_dims, {"axis": -1}),
                  ("roll", lambda x: nl.roll(x, 2, axis=1), np.roll, {"shift": 2, "axis": 1}),
                  ("swapaxes", lambda x: nl.swapaxes(x, 0, 2), np.swapaxes,
                   {"axis1": 0, "axis2": 2}),
                  ("moveaxis", lambda x: nl.movedim(x, (0, 1), (2, 0)), np.moveaxis,
                   {"source": (0, 1), "destination": (2, 0)}),
                  ("concatenate", lambda x: nl.concatenate([x, x], axis=-1),
                   lambda a, axis: np.concatenate([a, a], axis=axis), {"axis": -1}),
                  ("stack", lambda x: nl.stack([x, x], axis=1),
                   lambda a, axis: np.stack([a, a], axis=axis), {"axis": 1}),
                  ("tile", lambda x: nl.tile(x, (2, 1)), np.tile, {"reps": (2, 1)})]


@pytest.mark.parametrize("name, f, np_fn, kw", NUMPY_SPELLING,
                         ids=[n for n, *_ in NUMPY_SPELLING])
def test_numpy_spellings_match_numpy(name: str, f: Callable, np_fn: Callable,
                                     kw: dict) -> None:
    a = randn((1, 3, 1))
    np.testing.assert_array_equal(f(nl.tensor(a)).array, np_fn(a, **kw))


# ============================================================================
# Pieces of split / chunk / unbind each get their own gradient
# ============================================================================
PIECES = [("split_int", lambda x: x.split(2, 1)),
          ("split_sections", lambda x: x.split([1, 0, 4], 1)),
          ("chunk", lambda x: x.chunk(3, 1)),
          ("unbind", lambda x: nl.unbind(x, 1) if isinstance(x, nl.Tensor) else x.unbind(1))]


@pytest.mark.parametrize("name, f", PIECES, ids=[n for n, _ in PIECES])
def test_each_piece_gets_its_gradient(torch, name: str, f: Callable) -> None:
    """Weight piece i by i + 1 and leave piece 1 unused: each piece's slice of x.grad
    holds its weight (zero for the unused one), as in torch."""
    a = randn((2, 5, 3))
    x, t = nl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    for pieces in (f(x), f(t)):
        sum((p * (i + 1)).sum() for i, p in enumerate(pieces) if i != 1).backward()
    weights = [np.full(p.shape, 0.0 if i == 1 else i + 1.0) for i, p in enumerate(f(x))]
    expected = (np.stack(weights, 1) if name == "unbind" else np.concatenate(weights, 1))
    np.testing.assert_array_equal(x.grad, expected)
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_empty_dim_split_and_chunk_match_torch(torch) -> None:
    a = np.zeros((0, 2))
    for f in (lambda x: x.split(2), lambda x: x.split([0]), lambda x: x.chunk(3)):
        ours, theirs = f(nl.tensor(a)), f(torch.tensor(a))
        assert [p.shape for p in ours] == [tuple(p.shape) for p in theirs]


# ============================================================================
# Bad input
# ============================================================================
X = nl.tensor(randn((2, 3, 4)))
BAD = [
    ("reshape", lambda: nl.reshape(X, 5, 5), ValueError, r"reshape: shape \(5, 5\).*\(2, 3, 4\)"),
    ("view", lambda: X.view(-1, 5), ValueError, r"reshape: shape \(-1, 5\).*\(2, 3, 4\)"),
    ("reshape_two_minus_ones", lambda: X.reshape(-1, -1), ValueError, r"reshape"),
    ("flatten_dim", lambda: X.flatten(3), IndexError, r"flatten: dim 3"),
    ("flatten_order", lambda: X.flatten(2, 1), ValueError, r"flatten: start_dim"),
    ("unflatten_dim", lambda: nl.unflatten(X, 3, (1, 4)), IndexError, r"unflatten: dim 3"),
    ("unflatten_sizes", lambda: nl.unflatten(X, 2, (3, 2)), ValueError,
     r"unflatten: sizes \(3, 2\).*size 4"),
    ("squeeze", lambda: X.squeeze(-4), IndexError, r"squeeze: dim -4"),
    ("squeeze_dim_and_axis", lambda: nl.squeeze(X, 0, axis=0), TypeError,
     r"squeeze: pass dim or axis, not both"),
    ("unsqueeze", lambda: X.unsqueeze(4), IndexError, r"unsqueeze: dim 4"),
    ("transpose", lambda: X.transpose(0, 3), IndexError, r"transpose: dim 3"),
    ("swapaxes", lambda: nl.swapaxes(X, -4, 0), IndexError, r"transpose: dim -4"),
    ("permute_range", lambda: X.permute(0, 1, 3), IndexError, r"permute: dim 3"),
    ("permute_repeat", lambda: X.permute(0, 1, 1), ValueError,
     r"permute: dims \(0, 1, 1\) are not a permutation.*\(2, 3, 4\)"),
    ("permute_count", lambda: X.permute(1, 0), ValueError, r"not a permutation"),
    ("movedim_range", lambda: nl.movedim(X, 0, 3), IndexError, r"movedim: dim 3"),
    ("movedim_repeat", lambda: nl.movedim(X, (0, 0), (1, 2)), ValueError, r"movedim: repeated"),
    ("expand", lambda: X.expand(3, 3, 4), ValueError, r"expand: shape \(2, 3, 4\).*\(3, 3, 4\)"),
    ("expand_fewer", lambda: X.expand(3, 4), ValueError, r"expand: the number of sizes"),
    ("broadcast_to", lambda: X.broadcast_to((2, 1, 4)), ValueError,
     r"broadcast_to: shape \(2, 3, 4\)"),
    ("repeat", lambda: X.repeat(2, 2), ValueError, r"repeat: number of repeat dims"),
    ("flip_range", lambda: X.flip(3), IndexError, r"flip: dim 3"),
    ("flip_repeat", lambda: X.flip(0, -3), ValueError, r"flip: dims \(0, -3\)"),
    ("roll_dim", lambda: X.roll(1, 3), IndexError, r"roll: dim 3"),
    ("roll_lengths", lambda: X.roll((1, 2), (0,)), ValueError, r"roll: shifts"),
    ("cat_shapes", lambda: nl.cat([X, nl.zeros(2, 4, 4)], 2), ValueError,
     r"cat: sizes.*tensor 0 has shape \(2, 3, 4\), tensor 1 has shape \(2, 4, 4\)"),
    ("cat_ndim", lambda: nl.cat([X, nl.zeros(2, 3)]), ValueError, r"cat: .*\(2, 3\)"),
    ("cat_dim", lambda: nl.cat([X, X], 3), IndexError, r"cat: dim 3"),
    ("cat_scalar", lambda: nl.cat([nl.tensor(1.0)]), ValueError, r"cat: zero-dimensional"),
    ("cat_empty_list", lambda: nl.cat([]), ValueError, r"cat: expected a non-empty"),
    ("cat_tensor", lambda: nl.cat(X), TypeError, r"cat: expected a sequence"),
    ("stack_shapes", lambda: nl.stack([X, X[:1]]), ValueError,
     r"stack: .*\(2, 3, 4\) at entry 0 and \(1, 3, 4\) at entry 1"),
    ("stack_dim", lambda: nl.stack([X, X], 4), IndexError, r"stack: dim 4"),
    ("split_sections", lambda: X.split([1, 1], 1), ValueError,
     r"split: sections \[1, 1\] sum to 2 but dim 1 has size 3"),
    ("split_size", lambda: X.split(0), ValueError, r"split: split_size must be positive"),
    ("split_dim", lambda: X.split(1, 3), IndexError, r"split: dim 3"),
    ("chunk", lambda: X.chunk(0), ValueError, r"chunk: chunks must be positive"),
    ("unbind", lambda: nl.unbind(X, 3), IndexError, r"unbind: dim 3"),
    ("pad_odd", lambda: nl.pad(X, (1, 1, 1)), ValueError, r"pad: padding length 3.*\(2, 3, 4\)"),
    ("pad_long", lambda: nl.pad(X, (1,) * 8), ValueError, r"pad: padding length 8"),
    ("pad_mode", lambda: nl.pad(X, (1, 1), "mirror"), ValueError, r"pad: mode.*'mirror'"),
    ("pad_reflect", lambda: nl.pad(X, (4, 0), "reflect"), ValueError,
     r"pad: reflect padding \(4, 0\).*size 4"),
    ("pad_circular", lambda: nl.pad(X, (0, 5), "circular"), ValueError,
     r"pad: circular padding \(0, 5\).*size 4"),
    ("pad_replicate_empty", lambda: nl.pad(nl.zeros(2, 0), (1, 1), "replicate"), ValueError,
     r"pad: cannot replicate-pad a dim of size 0 \(input shape \(2, 0\)\)"),
    ("roll_scalar", lambda: nl.roll(nl.tensor(1.0), 1, 0), IndexError, r"roll: .*0-dim"),
    ("movedim_lengths", lambda: nl.movedim(X, (0, 1), 2), ValueError,
     r"movedim: source \(0, 1\) and destination \(2,\)"),
]


test_bad_input_raises_a_clear_error = errors_test(BAD)
