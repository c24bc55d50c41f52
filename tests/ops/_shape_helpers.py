"""Shared helpers of tests/ops/test_reduction.py, test_shape.py and test_indexing.py.

Each check runs one function ``nl_fn`` on nnlite tensors and ``th_fn`` on torch tensors
built from the same float64 arrays (float arrays require grad, integer and bool arrays
are constants), with a seeded random upstream gradient:

- ``check_parity``: outputs (values, shapes, dtypes) and every input's gradient agree;
- ``check_double_backward``: the gradient taken with ``create_graph=True`` is
  differentiated again, with respect to the inputs and to the upstream gradient;
- ``check_float32``: float32 inputs give float32 outputs and float32 gradients.

The hypothesis strategies draw small shapes (gradcheck costs two forwards per element)
and arrays from a drawn seed: continuous values, so no ties at a max and no kinks.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nnlite as nl

RTOL, ATOL = 1e-10, 1e-12


# ---- strategies ----------------------------------------------------------------
def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy:
    """Small shapes: size-1 axes, odd sizes, and size-0 axes when ``min_side=0``."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def randn(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(tuple(shape))


def arrays(shape: Sequence[int]) -> st.SearchStrategy:
    """A float64 standard-normal array of ``shape`` from a drawn seed."""
    return st.integers(0, 2 ** 16).map(lambda s: randn(shape, s))


def dim_of(ndim: int) -> st.SearchStrategy:
    """A valid dim of an ``ndim``-dim tensor, negative or not (0 or -1 for 0-d)."""
    n = max(ndim, 1)
    return st.integers(-n, n - 1)


# ---- running both libraries ------------------------------------------------------
def _flat(out: Any) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _leaves(arrays: Sequence[Any], dtype: Any = None) -> list:
    """nnlite leaves: float arrays (cast to ``dtype`` if given) require grad."""
    out = []
    for a in arrays:
        a = np.array(a)                    # a copy: gradcheck writes into its inputs
        if a.dtype.kind == "f" and dtype is not None:
            a = a.astype(dtype)
        out.append(nl.tensor(a, requires_grad=a.dtype.kind == "f"))
    return out


def _inputs(arrays: Sequence[Any]) -> tuple:
    """nnlite and torch leaves built from the same arrays."""
    import torch
    xs = _leaves(arrays)
    ts = [torch.tensor(x.data.copy(), requires_grad=x.requires_grad) for x in xs]
    return xs, ts


def _np(t: Any) -> np.ndarray:
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t.data)


def _close(a: Any, b: Any, what: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{what}: nnlite shape {a.shape}, torch shape {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def check_parity(nl_fn: Callable, th_fn: Callable, arrays: Sequence[Any],
                 seed: int = 0, rtol: float = RTOL) -> None:
    """Forward and gradient of ``nl_fn`` equal ``th_fn``'s (float64, random upstream)."""
    import torch
    xs, ts = _inputs(arrays)
    ys, yts = _flat(nl_fn(*xs)), _flat(th_fn(*ts))
    assert len(ys) == len(yts), f"{len(ys)} outputs, torch gives {len(yts)}"
    for k, (y, yt) in enumerate(zip(ys, yts)):
        assert isinstance(y, nl.Tensor), f"output {k} is a {type(y).__name__}"
        _close(y.data, _np(yt), f"output {k}", rtol)
        assert y.dtype == _np(yt).dtype, f"output {k}: dtype {y.dtype} vs {_np(yt).dtype}"
    rng = np.random.default_rng(seed)
    live = [(y, yt, rng.standard_normal(y.shape)) for y, yt in zip(ys, yts)
            if y.requires_grad and yt.requires_grad]
    if not live:
        return
    nl.autograd.backward([y for y, _, _ in live], [g for _, _, g in live])
    torch.autograd.backward([yt for _, yt, _ in live], [torch.tensor(g) for _, _, g in live])
    for i, (x, t) in enumerate(zip(xs, ts)):
        if t.requires_grad:
            gx = np.zeros(x.shape) if x.grad is None else x.grad
            gt = np.zeros(tuple(t.shape)) if t.grad is None else t.grad.numpy()
            _close(gx, gt, f"gradient of input {i}", rtol)


def check_double_backward(nl_fn: Callable, th_fn: Callable, arrays: Sequence[Any],
                          seed: int = 0, rtol: float = RTOL) -> None:
    """Differentiate ``gy^T J`` (taken with create_graph=True) along a random ``w``,
    with respect to the inputs and to ``gy``, and compare with torch."""
    import torch
    rng = np.random.default_rng(seed)
    xs_all, ts_all = _inputs(arrays)
    ys = [y for y in _flat(nl_fn(*xs_all)) if y.dtype.kind == "f"]
    yts = [y for y in _flat(th_fn(*ts_all)) if y.is_floating_point()]
    xs = [x for x in xs_all if x.requires_grad]
    ts = [t for t in ts_all if t.requires_grad]
    gys = [rng.standard_normal(y.shape) for y in ys]
    gy_nl = [nl.tensor(g.copy(), requires_grad=True) for g in gys]
    gy_th = [torch.tensor(g.copy(), requires_grad=True) for g in gys]
    g_nl = nl.autograd.grad(ys, xs, gy_nl, create_graph=True, allow_unused=True)
    g_th = torch.autograd.grad(yts, ts, gy_th, create_graph=True, allow_unused=True)
    ws = [rng.standard_normal(x.shape) for x in xs]
    s_nl = sum((g * nl.tensor(w)).sum() for g, w in zip(g_nl, ws) if g is not None)
    s_th = sum((g * torch.tensor(w)).sum() for g, w in zip(g_th, ws) if g is not None)
    for k, (g, gt) in enumerate(zip(g_nl, g_th)):
        _close(np.zeros(xs[k].shape) if g is None else g.data,
               np.zeros(xs[k].shape) if gt is None else _np(gt), f"first gradient {k}", rtol)
    if not (isinstance(s_th, torch.Tensor) and s_th.requires_grad):
        return                              # nothing to differentiate (e.g. empty outputs)
    assert isinstance(s_nl, nl.Tensor) and s_nl.requires_grad
    h_nl = nl.autograd.grad(s_nl, xs + gy_nl, allow_unused=True)
    h_th = torch.autograd.grad(s_th, ts + gy_th, allow_unused=True)
    for k, (h, ht, ref) in enumerate(zip(h_nl, h_th, xs + gy_nl)):
        _close(np.zeros(ref.shape) if h is None else h.data,
               np.zeros(ref.shape) if ht is None else _np(ht), f"second gradient {k}", rtol)


def check_float32(nl_fn: Callable, arrays: Sequence[Any]) -> None:
    """float32 in, float32 out, float32 gradients (seen by a hook, before the engine
    casts what reaches a leaf to the leaf's dtype)."""
    xs = _leaves(arrays, np.float32)
    seen: list = []
    for x in xs:
        if x.requires_grad:
            x.register_hook(lambda g: seen.append(np.asarray(g).dtype))
    ys = [y for y in _flat(nl_fn(*xs)) if isinstance(y, nl.Tensor) and y.dtype.kind == "f"]
    assert ys, "no floating output"
    for k, y in enumerate(ys):
        assert y.dtype == np.float32, f"output {k} has dtype {y.dtype}"
    live = [y for y in ys if y.requires_grad]
    if live:
        nl.autograd.backward(live, [np.ones(y.shape, np.float32) for y in live])
    assert all(d == np.float32 for d in seen), f"gradient dtypes {seen}"
    for i, x in enumerate(xs):
        if x.requires_grad and x.grad is not None:
            assert x.grad.dtype == np.float32, f"gradient of input {i} has dtype {x.grad.dtype}"


def gradcheck(nl_fn: Callable, arrays: Sequence[Any]) -> None:
    """``nl.gradcheck`` on float64 leaves built from ``arrays`` (ints stay constants)."""
    assert nl.gradcheck(nl_fn, _leaves(arrays))
