"""Shared helpers of tests/ops/test_arithmetic.py, test_pointwise.py and test_linalg.py.

An op under test is a ``Case``: the nnlite function, the torch function of the same
inputs (``th(torch, *xs)``), and one *domain* per input, which maps a standard-normal
array to the values the op is tested on (kept away from kinks and poles, so central
differences and both libraries agree). Bool arrays are constants (a ``where``
condition); float arrays require grad. The checks, each run on the same arrays:

- ``check_gradcheck``: ``nl.gradcheck`` in float64 (central differences);
- ``check_parity``: forward values, shape and dtype, and every input's gradient for a
  seeded random upstream gradient, against torch (float64, rtol 1e-10, atol 1e-12);
- ``check_double_backward``: the gradient taken with ``create_graph=True``, contracted
  with a random vector, differentiated again with respect to the inputs and to the
  upstream gradient, against torch;
- ``check_float32``: float32 inputs give float32 outputs, gradients and second-order
  gradients.

Shapes are small (gradcheck costs two forwards per element): at most 3 dims of at most 4,
with size-1 and size-0 axes, broadcast against each other.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl

RTOL, ATOL = 1e-10, 1e-12


# ---- domains: standard normal z -> test values ---------------------------------
def anywhere(z: np.ndarray) -> np.ndarray:
    return z


def positive(z: np.ndarray) -> np.ndarray:
    """(0.2, ...): for log, sqrt, rsqrt, bases of a real power."""
    return np.abs(z) + 0.2


def away(*points: float, margin: float = 0.02) -> Callable[[np.ndarray], np.ndarray]:
    """Values at least ``margin`` from each of ``points`` (kinks, poles, thresholds)."""
    def f(z: np.ndarray) -> np.ndarray:
        z = np.array(z, dtype=np.float64)
        for p in points:
            near = np.abs(z - p) < margin
            z[near] = p + np.where(z[near] >= p, margin, -margin)
        return z
    f.__name__ = f"away{points}"
    return f


def grid(offset: float) -> Callable[[np.ndarray], np.ndarray]:
    """Multiples of 0.05 plus ``offset``: inputs on grid(0) and grid(0.025) are never
    within 0.025 of each other, so maximum/minimum have no ties."""
    def f(z: np.ndarray) -> np.ndarray:
        return np.round(np.asarray(z) * 20) / 20 + offset
    f.__name__ = f"grid{offset}"
    return f


def boolean(z: np.ndarray) -> np.ndarray:
    """A bool constant (a where condition)."""
    return np.asarray(z) > 0


# ---- cases ----------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """An op under test: ``nl(*tensors)``, ``th(torch, *tensors)``, a domain per input,
    and optionally a strategy drawing the inputs' shapes (default: mutually
    broadcastable elementwise shapes)."""

    nl: Callable[..., Any]
    th: Callable[..., Any]
    domains: tuple = (anywhere,)
    shapes: st.SearchStrategy | None = None


def same(fn: Callable[..., Any], domains: tuple = (anywhere,), **kw: Any) -> Case:
    """A case whose expression reads the same in both libraries (``lambda x: 2 - x``)."""
    return Case(fn, lambda T, *xs: fn(*xs), domains, **kw)


def params(table: dict) -> list:
    return [pytest.param(case, id=name) for name, case in table.items()]


def elementwise_shapes(n: int, min_side: int = 0) -> st.SearchStrategy:
    """``n`` small shapes that broadcast together (0-3 dims, sides ``min_side``-4)."""
    if n == 1:
        return hnp.array_shapes(min_dims=0, max_dims=3, min_side=min_side,
                                max_side=4).map(lambda s: (s,))
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=3, min_side=min_side, max_side=4).map(
        lambda r: r.input_shapes)


def bounded_shapes(n: int) -> st.SearchStrategy:
    """A shape and ``n - 1`` shapes that broadcast to it (torch's clamp with tensor
    bounds keeps x's shape), no size-0 axes (its backward cannot broadcast to them)."""
    @st.composite
    def draw(draw_: Any) -> tuple:
        x = draw_(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
        into_x = hnp.broadcastable_shapes(x, min_dims=0, max_dims=len(x),
                                          min_side=1).filter(
            lambda s: np.broadcast_shapes(x, s) == x)
        return (x,) + tuple(draw_(into_x) for _ in range(n - 1))
    return draw()


def draw_arrays(data: st.DataObject, case: Case) -> list:
    """Draw the shapes and a seed, and build the case's float64 (or bool) inputs."""
    strategy = case.shapes if case.shapes is not None else elementwise_shapes(
        len(case.domains))
    shapes = data.draw(strategy, label="shapes")
    seed = data.draw(st.integers(0, 2 ** 16), label="seed")
    return make_arrays(case, shapes, seed)


def make_arrays(case: Case, shapes: Sequence[tuple], seed: int = 0) -> list:
    rng = np.random.default_rng(seed)
    return [dom(rng.standard_normal(shape)) for dom, shape in zip(case.domains, shapes)]


# ---- building inputs in both libraries -----------------------------------------
def _wants_grad(a: np.ndarray) -> bool:
    return a.dtype.kind == "f"


def nl_inputs(arrays: Sequence[np.ndarray], dtype: Any = None) -> list:
    out = []
    for a in arrays:
        if _wants_grad(a):
            out.append(nl.tensor(a if dtype is None else a.astype(dtype), requires_grad=True))
        else:
            out.append(nl.tensor(a))
    return out


def th_inputs(T: Any, arrays: Sequence[np.ndarray]) -> list:
    return [T.tensor(a, requires_grad=_wants_grad(a)) for a in arrays]


def _np(t: Any, like: np.ndarray | None = None) -> np.ndarray:
    """A gradient as an array (None -> zeros like ``like``)."""
    if t is None:
        return np.zeros_like(like)
    if hasattr(t, "_is_zerotensor") and t._is_zerotensor():    # torch's symbolic zeros
        return np.zeros(tuple(t.shape))
    if hasattr(t, "detach"):
        return t.detach().numpy()
    return np.asarray(t.data if isinstance(t, nl.Tensor) else t)


def assert_close(ours: Any, theirs: Any, what: str) -> None:
    a, b = np.asarray(ours), np.asarray(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != torch's {b.shape}"
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=what)


# ---- checks ---------------------------------------------------------------------
def check_gradcheck(case: Case, arrays: Sequence[np.ndarray]) -> None:
    assert nl.gradcheck(case.nl, nl_inputs(arrays))


def check_parity(torch: Any, case: Case, arrays: Sequence[np.ndarray],
                 seed: int = 0) -> None:
    xs, ts = nl_inputs(arrays), th_inputs(torch, arrays)
    y, ty = case.nl(*xs), case.th(torch, *ts)
    ty_np = ty.detach().numpy()
    assert y.dtype == ty_np.dtype, f"output dtype {y.dtype} != torch's {ty_np.dtype}"
    assert_close(y.data, ty_np, "forward")
    gy = np.random.default_rng(seed + 1).standard_normal(y.shape)
    diff = [i for i, a in enumerate(arrays) if _wants_grad(a)]
    gs = nl.autograd.grad(y, [xs[i] for i in diff], gy, allow_unused=True)
    tgs = torch.autograd.grad(ty, [ts[i] for i in diff], torch.tensor(gy), allow_unused=True)
    for i, g, tg in zip(diff, gs, tgs):
        assert_close(_np(g, arrays[i]), _np(tg, arrays[i]), f"gradient of input {i}")


def _second_order(lib: Any, grad: Callable, xs: list, gy: Any, vs: list, y: Any,
                  arrays: Sequence[np.ndarray]) -> tuple:
    """(first-order grads, second-order grads w.r.t. xs and gy), as arrays."""
    gs = grad([y], xs, [gy], create_graph=True, allow_unused=True)
    terms = [(g * v).sum() for g, v in zip(gs, vs) if g is not None]
    s = terms[0] if terms else None
    for t in terms[1:]:
        s = s + t
    wrt = xs + [gy]
    if s is None or not s.requires_grad:
        second = [None] * len(wrt)
    else:
        second = grad([s], wrt, allow_unused=True)
    likes = list(arrays) + [np.zeros(y.shape)]
    return ([_np(g, a) for g, a in zip(gs, arrays)],
            [_np(g, a) for g, a in zip(second, likes)])


def check_double_backward(torch: Any, case: Case, arrays: Sequence[np.ndarray],
                          seed: int = 0) -> None:
    rng = np.random.default_rng(seed + 2)
    diff = [i for i, a in enumerate(arrays) if _wants_grad(a)]
    vs = [rng.standard_normal(arrays[i].shape) for i in diff]
    xs, ts = nl_inputs(arrays), th_inputs(torch, arrays)
    y, ty = case.nl(*xs), case.th(torch, *ts)
    gy = rng.standard_normal(y.shape)
    first, second = _second_order(
        nl, nl.autograd.grad, [xs[i] for i in diff], nl.tensor(gy, requires_grad=True),
        [nl.tensor(v) for v in vs], y, [arrays[i] for i in diff])
    tfirst, tsecond = _second_order(
        torch, torch.autograd.grad, [ts[i] for i in diff], torch.tensor(gy, requires_grad=True),
        [torch.tensor(v) for v in vs], ty, [arrays[i] for i in diff])
    for i, g, tg in zip(diff, first, tfirst):
        assert_close(g, tg, f"create_graph gradient of input {i}")
    names = [f"input {i}" for i in diff] + ["the upstream gradient"]
    for name, g, tg in zip(names, second, tsecond):
        assert_close(g, tg, f"second-order gradient w.r.t. {name}")


def check_float32(case: Case, arrays: Sequence[np.ndarray], seed: int = 0) -> None:
    xs = nl_inputs(arrays, np.float32)
    y = case.nl(*xs)
    assert y.dtype == np.float32, f"float32 inputs gave a {y.dtype} output"
    diff = [x for x in xs if x.requires_grad]
    gy = nl.tensor(np.random.default_rng(seed + 3).standard_normal(y.shape).astype(np.float32),
                   requires_grad=True)
    gs = nl.autograd.grad(y, diff, gy, create_graph=True, allow_unused=True)
    for i, g in enumerate(gs):
        assert g is None or g.dtype == np.float32, f"gradient {i} has dtype {g.dtype}"
    terms = [g.sum() for g in gs if g is not None and g.requires_grad]
    if terms:
        s = terms[0]
        for t in terms[1:]:
            s = s + t
        for i, g in enumerate(nl.autograd.grad(s, diff + [gy], allow_unused=True)):
            assert g is None or g.dtype == np.float32, (
                f"second-order gradient {i} has dtype {g.dtype}")
