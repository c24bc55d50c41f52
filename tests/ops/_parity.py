"""The one torch-parity helper of the op tests: nnlite's ``nl_fn`` against torch's
``th_fn``, both called on leaves built from the same arrays.

Inputs: a float array becomes a leaf that requires grad (float64 unless a check says
otherwise); an integer or bool array is a constant (an index, a mask, a condition).
``torch`` is the module the session fixture ``torch`` (tests/conftest.py) returns, so a
test that takes that fixture skips cleanly without PyTorch. An op may return a Tensor or
a tuple/list of Tensors; every output is compared. A gradient that is ``None`` (the
input was not used) and torch's symbolic zero tensors count as zeros. Values are
compared with ``assert_close``: equal shapes, then ``|ours - torch's| <= atol + rtol *
|torch's|`` elementwise (NaN equals NaN), float64 tolerances ``RTOL``/``ATOL`` unless a
call passes its own.

The checks:

- ``check_parity``: every output has torch's shape, values and dtype; for a seeded
  random upstream gradient of every output that requires grad (in both libraries), the
  gradient of every float input equals torch's.
- ``check_double_backward``: for a seeded random upstream gradient ``gy`` of every
  floating output (itself a leaf), the gradients ``g = grad(y, x, gy)`` taken with
  ``create_graph=True`` equal torch's; then ``s = sum(g * v)`` (``v`` seeded random,
  one per input) is differentiable where torch's is, and its gradients with respect to
  every input and to every ``gy`` equal torch's.
- ``check_float32``: float32 inputs give float32 floating outputs and float32 gradients
  on arrays; for ops that can be differentiated twice, also float32 gradients taken with
  ``create_graph=True`` and float32 second-order gradients (with respect to the inputs
  and to the upstream gradients).
- ``gradcheck``: ``nl.gradcheck`` (float64 central differences) on leaves built from
  the arrays.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

import nnlite as nl

RTOL, ATOL = 1e-10, 1e-12


# ---- inputs and outputs ----------------------------------------------------------
def leaves(arrays: Sequence[Any], dtype: Any = None) -> list:
    """nnlite leaves: float arrays (cast to ``dtype`` if given) require grad. Each is a
    copy (gradcheck writes into its inputs)."""
    out = []
    for a in arrays:
        a = np.array(a)
        if a.dtype.kind == "f" and dtype is not None:
            a = a.astype(dtype)
        out.append(nl.tensor(a, requires_grad=a.dtype.kind == "f"))
    return out


def both_leaves(torch: Any, arrays: Sequence[Any]) -> tuple:
    """nnlite leaves (float64) and torch leaves holding the same values."""
    xs = leaves(arrays)
    return xs, [torch.tensor(x.array.copy(), requires_grad=x.requires_grad) for x in xs]


def outputs(out: Any) -> list:
    """An op's outputs as a list (one Tensor, or a tuple/list of them)."""
    return list(out) if isinstance(out, (tuple, list)) else [out]


def to_numpy(t: Any, like: Any = None) -> np.ndarray:
    """A value or gradient of either library as an array: ``None`` (an unused input) and
    torch's symbolic zero tensors are zeros (of ``like``'s shape for ``None``)."""
    if t is None:
        return np.zeros(np.shape(like))
    if hasattr(t, "_is_zerotensor") and t._is_zerotensor():
        return np.zeros(tuple(t.shape))
    if isinstance(t, nl.Tensor):
        return np.asarray(t.array)
    if hasattr(t, "detach"):
        return t.detach().numpy()
    return np.asarray(t)


def assert_close(ours: Any, theirs: Any, what: str = "", rtol: float = RTOL,
                 atol: float = ATOL) -> None:
    """Equal shapes, then values within ``atol + rtol * |theirs|`` (NaN equals NaN)."""
    a, b = to_numpy(ours), to_numpy(theirs)
    assert a.shape == b.shape, f"{what}: nnlite shape {a.shape}, torch shape {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def _total(terms: list) -> Any:
    """The sum of Tensors, None for none."""
    return sum(terms[1:], terms[0]) if terms else None


def _requires_grad(t: Any) -> bool:
    return t is not None and t.requires_grad


# ---- checks ------------------------------------------------------------------------
def check_parity(torch: Any, nl_fn: Callable, th_fn: Callable, arrays: Sequence[Any],
                 seed: int = 0, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Outputs (shapes, values, dtypes) and every float input's gradient for a random
    upstream gradient (``default_rng(seed)``) equal torch's."""
    xs, ts = both_leaves(torch, arrays)
    ys, yts = outputs(nl_fn(*xs)), outputs(th_fn(*ts))
    assert len(ys) == len(yts), f"{len(ys)} outputs, torch gives {len(yts)}"
    for k, (y, yt) in enumerate(zip(ys, yts)):
        assert isinstance(y, nl.Tensor), f"output {k} is a {type(y).__name__}"
        assert_close(y, yt, f"output {k}", rtol, atol)
        assert y.dtype == to_numpy(yt).dtype, (
            f"output {k}: dtype {y.dtype}, torch's {to_numpy(yt).dtype}")
    rng = np.random.default_rng(seed)
    live = [(y, yt, rng.standard_normal(y.shape)) for y, yt in zip(ys, yts)
            if y.requires_grad and yt.requires_grad]
    diff = [i for i, x in enumerate(xs) if x.requires_grad]
    if not live or not diff:
        return
    gs = nl.autograd.grad([y for y, _, _ in live], [xs[i] for i in diff],
                          [g for _, _, g in live], allow_unused=True)
    tgs = torch.autograd.grad([yt for _, yt, _ in live], [ts[i] for i in diff],
                              [torch.tensor(g) for _, _, g in live], allow_unused=True)
    for i, g, tg in zip(diff, gs, tgs):
        assert_close(to_numpy(g, xs[i]), to_numpy(tg, xs[i]), f"gradient of input {i}",
                     rtol, atol)


def _second_order(lib: Any, xs: list, ys: list, gys: list, vs: list) -> tuple:
    """In ``lib`` (nnlite or torch): the gradients of ``ys`` w.r.t. ``xs`` for upstream
    ``gys`` (leaves) taken with create_graph=True, then the gradients of ``sum(g * v)``
    w.r.t. ``xs`` and the upstream gradients (None where it has no graph); and whether
    it has one."""
    gy = [lib.tensor(g.copy(), requires_grad=True) for g in gys]
    gs = lib.autograd.grad(ys, xs, gy, create_graph=True, allow_unused=True)
    s = _total([(g * lib.tensor(v)).sum() for g, v in zip(gs, vs) if g is not None])
    graph = _requires_grad(s)
    second = (lib.autograd.grad(s, xs + gy, allow_unused=True) if graph
              else [None] * (len(xs) + len(gy)))
    return gs, second, graph


def check_double_backward(torch: Any, nl_fn: Callable, th_fn: Callable,
                          arrays: Sequence[Any], seed: int = 0, rtol: float = RTOL,
                          atol: float = ATOL, second_tol: tuple | None = None) -> None:
    """The gradients taken with create_graph=True, and the gradients of their random
    contraction ``sum(g * v)`` w.r.t. the inputs and the upstream gradients, equal
    torch's (``v`` then ``gy`` drawn from ``default_rng(seed)``). ``second_tol``:
    ``(rtol, atol)`` of the second-order gradients, by default ``(rtol, atol)``."""
    rtol2, atol2 = second_tol or (rtol, atol)
    xs_all, ts_all = both_leaves(torch, arrays)
    ys = [y for y in outputs(nl_fn(*xs_all)) if y.dtype.kind == "f"]
    yts = [y for y in outputs(th_fn(*ts_all)) if y.is_floating_point()]
    diff = [i for i, x in enumerate(xs_all) if x.requires_grad]
    xs, ts = [xs_all[i] for i in diff], [ts_all[i] for i in diff]
    rng = np.random.default_rng(seed)
    vs = [rng.standard_normal(x.shape) for x in xs]
    gys = [rng.standard_normal(y.shape) for y in ys]
    first, second, graph = _second_order(nl, xs, ys, gys, vs)
    tfirst, tsecond, tgraph = _second_order(torch, ts, yts, gys, vs)
    for i, x, g, tg in zip(diff, xs, first, tfirst):
        assert_close(to_numpy(g, x), to_numpy(tg, x), f"create_graph gradient of input {i}",
                     rtol, atol)
    assert graph or not tgraph, "the gradients are not differentiable; torch's are"
    names = [f"input {i}" for i in diff] + [f"upstream gradient {k}" for k in range(len(ys))]
    for name, like, h, th in zip(names, xs + ys, second, tsecond):
        assert_close(to_numpy(h, like), to_numpy(th, like),
                     f"second-order gradient w.r.t. {name}", rtol2, atol2)


def _assert_float32(grads: Sequence[Any], what: str) -> None:
    for i, g in enumerate(grads):
        assert g is None or g.dtype == np.float32, f"{what} {i} has dtype {g.dtype}"


def check_float32(nl_fn: Callable, arrays: Sequence[Any], seed: int = 0,
                  create_graph: bool = True) -> None:
    """float32 in, float32 out, float32 gradients on arrays (for a random upstream
    gradient, ``default_rng(seed)``); with ``create_graph`` (ops that can be
    differentiated twice) also float32 gradients as Tensors and float32 second-order
    gradients w.r.t. the inputs and the upstream gradients."""
    xs = leaves(arrays, np.float32)
    ys = [y for y in outputs(nl_fn(*xs)) if isinstance(y, nl.Tensor) and y.dtype.kind == "f"]
    assert ys, "no floating output"
    for k, y in enumerate(ys):
        assert y.dtype == np.float32, f"float32 inputs gave output {k} of dtype {y.dtype}"
    diff = [x for x in xs if x.requires_grad]
    live = [y for y in ys if y.requires_grad]
    if not diff or not live:
        return
    rng = np.random.default_rng(seed)
    gys = [nl.tensor(rng.standard_normal(y.shape).astype(np.float32), requires_grad=True)
           for y in live]
    _assert_float32(nl.autograd.grad(live, diff, gys, retain_graph=create_graph,
                                     allow_unused=True), "gradient")
    if not create_graph:
        return
    gs = nl.autograd.grad(live, diff, gys, create_graph=True, allow_unused=True)
    _assert_float32(gs, "create_graph gradient")
    s = _total([g.sum() for g in gs if _requires_grad(g)])
    if s is not None:
        _assert_float32(nl.autograd.grad(s, diff + gys, allow_unused=True),
                        "second-order gradient")


def gradcheck(nl_fn: Callable, arrays: Sequence[Any]) -> None:
    """``nl.gradcheck`` on float64 leaves built from ``arrays`` (ints stay constants)."""
    assert nl.gradcheck(nl_fn, leaves(arrays))
