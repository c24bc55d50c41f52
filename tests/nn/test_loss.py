"""Tests for nnlite/nn/loss.py: the functional losses and the loss modules.

The oracle is torch.nn.functional / torch.nn (float64, rtol 1e-10, same arguments, a random
upstream gradient); those tests skip cleanly without torch. Gradient checks (float64 central
differences, shapes drawn by hypothesis), dtype preservation and the error messages need
no torch.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import nnlite as nl
from nnlite.nn import loss as L

RTOL, ATOL = 1e-10, 1e-13
LAYOUTS = {"NC": (5, 4), "NCHW": (3, 4, 2, 3), "C": (4,)}
REDUCTIONS = ["none", "mean", "sum"]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def _convert(lib, kwargs):
    """kwargs with every ndarray made a tensor of ``lib`` (nnlite or torch)."""
    return {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}


def _run(lib, fn, args, wrt, kwargs):
    tensors = [lib.tensor(a, requires_grad=i in wrt) for i, a in enumerate(args)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # torch's kl_div 'mean' warning
        out = fn(*tensors, **_convert(lib, kwargs))
    return out, tensors


def check_vs_torch(torch, name, args, kwargs, wrt=(0,), seed=0):
    """Call ``name`` from nnlite.nn.loss and torch.nn.functional on the same float64 arrays;
    the loss and the gradients of the arguments in ``wrt`` must agree."""
    import torch.nn.functional as TF
    out, ours = _run(nl, getattr(L, name), args, wrt, kwargs)
    ref, theirs = _run(torch, getattr(TF, name), args, wrt, kwargs)
    assert out.shape == tuple(ref.shape)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.array, ref.detach().numpy(), rtol=RTOL, atol=ATOL)
    gy = np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(gy)
    ref.backward(torch.tensor(gy))
    for i in wrt:
        assert ours[i].grad.shape == args[i].shape
        np.testing.assert_allclose(ours[i].grad, theirs[i].grad.numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=f"gradient of argument {i}")


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def class_problem(shape, target, ignore, seed=0):
    """Logits of ``shape`` (C on axis 1, or 0 if 1-d) and a target: int64 class indices
    (with an ignored position when ``ignore`` is set) or class probabilities."""
    rng = np.random.default_rng(seed)
    axis = 1 if len(shape) > 1 else 0
    C = shape[axis]
    x = rng.standard_normal(shape) * 2
    if target == "prob":
        return x, _softmax(rng.standard_normal(shape), axis)
    y = rng.integers(0, C, shape[:axis] + shape[axis + 1:])
    if ignore is not None:
        y.reshape(-1)[0] = ignore              # at least one ignored position
    return x, y


def _class_weight(C, seed=1):
    return np.random.default_rng(seed).uniform(0.2, 2.0, C)


# ---------------------------------------------------------------------------
# cross_entropy and nll_loss against torch: the whole option grid
# ---------------------------------------------------------------------------

def _ce_grid():
    for layout in LAYOUTS:
        for target in ["index", "prob"]:
            for ignore in ([None, -100, 1] if target == "index" else [None]):
                for weighted in [False, True]:
                    for smoothing in [0.0, 0.25]:
                        for reduction in REDUCTIONS:
                            yield pytest.param(
                                layout, target, ignore, weighted, smoothing, reduction,
                                id=f"{layout}-{target}-ign{ignore}-w{int(weighted)}-"
                                   f"ls{smoothing}-{reduction}")


@pytest.mark.parametrize("layout,target,ignore,weighted,smoothing,reduction", list(_ce_grid()))
def test_cross_entropy_matches_torch(torch, layout, target, ignore, weighted, smoothing,
                                     reduction):
    shape = LAYOUTS[layout]
    x, y = class_problem(shape, target, ignore)
    kwargs = {"reduction": reduction, "label_smoothing": smoothing}
    if ignore is not None:
        kwargs["ignore_index"] = ignore
    if weighted:
        kwargs["weight"] = _class_weight(shape[1 if len(shape) > 1 else 0])
    wrt = (0, 1) if target == "prob" else (0,)       # probability targets get a gradient too
    check_vs_torch(torch, "cross_entropy", (x, y), kwargs, wrt)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [None, -100, 1])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_nll_loss_matches_torch(torch, layout, ignore, weighted, reduction):
    shape = LAYOUTS[layout]
    x, y = class_problem(shape, "index", ignore)
    x = np.log(_softmax(x, 1 if len(shape) > 1 else 0))
    kwargs = {"reduction": reduction}
    if ignore is not None:
        kwargs["ignore_index"] = ignore
    if weighted:
        kwargs["weight"] = _class_weight(shape[1 if len(shape) > 1 else 0])
    check_vs_torch(torch, "nll_loss", (x, y), kwargs)


@pytest.mark.parametrize("name,kw", [("cross_entropy", {}),
                                     ("cross_entropy", {"label_smoothing": 0.3}),
                                     ("cross_entropy", {"weight": nl.ones(4)}),
                                     ("nll_loss", {})])
def test_all_targets_ignored_gives_nan_mean_and_zero_grad(name, kw):
    """As torch: the weighted mean over no targets is 0/0 = nan; the gradient is zero."""
    x = nl.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    out = getattr(L, name)(x, nl.tensor([-100, -100, -100]), **kw)
    assert np.isnan(out.item())
    out.backward()
    np.testing.assert_array_equal(x.grad, np.zeros((3, 4)))


def test_cross_entropy_is_one_fused_node():
    """log-softmax and the loss are one Function: its only parent is the logits' node."""
    x = nl.randn(4, 3, dtype=nl.float64, requires_grad=True)
    for target in [nl.tensor([0, 1, 2, 0]), nl.softmax(nl.randn(4, 3, dtype=nl.float64), 1)]:
        out = L.cross_entropy(x, target, label_smoothing=0.1)
        assert type(out.grad_fn).__name__ == "CrossEntropy"
        assert out.grad_fn.parents[0] is x._node


# ---------------------------------------------------------------------------
# Elementwise losses against torch
# ---------------------------------------------------------------------------
# (function, kwargs, kind of input); array-valued kwargs are named by how they are made:
# "full" = the input's shape, "last" = the input's last dim.
ELEMENTWISE = [
    ("mse_loss", {}, "real"),
    ("mse_loss", {"weight": "full"}, "real"),
    ("l1_loss", {}, "real"),
    ("l1_loss", {"weight": "full"}, "real"),
    ("smooth_l1_loss", {}, "real"),
    ("smooth_l1_loss", {"beta": 0.4}, "real"),
    ("smooth_l1_loss", {"beta": 0.0}, "real"),
    ("huber_loss", {}, "real"),
    ("huber_loss", {"delta": 0.4}, "real"),
    ("huber_loss", {"delta": 2.0, "weight": "full"}, "real"),
    ("binary_cross_entropy", {}, "prob"),
    ("binary_cross_entropy", {"weight": "full"}, "prob"),
    ("binary_cross_entropy", {"weight": "last"}, "prob"),
    ("binary_cross_entropy_with_logits", {}, "logit"),
    ("binary_cross_entropy_with_logits", {"weight": "last"}, "logit"),
    ("binary_cross_entropy_with_logits", {"pos_weight": "last"}, "logit"),
    ("binary_cross_entropy_with_logits", {"weight": "full", "pos_weight": "last"}, "logit"),
    ("kl_div", {}, "logprob"),
    ("kl_div", {"log_target": True}, "logprob"),
]
SHAPES = [(4, 3), (2, 3, 5), ()]


def _eid(case):
    name, kw, _ = case
    return name + "".join(f"-{k}={v}" for k, v in kw.items())


def elementwise_problem(shape, kind, kwargs, seed=0):
    """Input and target arrays for one elementwise loss, and kwargs with arrays."""
    rng = np.random.default_rng(seed)
    if kind == "real":
        x, t = rng.standard_normal(shape), rng.standard_normal(shape)
    elif kind == "prob":
        x, t = rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
    elif kind == "logit":
        x, t = rng.standard_normal(shape) * 3, rng.uniform(0, 1, shape)
    else:                                        # log-probabilities, positive targets
        x, t = np.log(rng.uniform(0.05, 1, shape)), rng.uniform(0.05, 1, shape)
        if kwargs.get("log_target"):
            t = np.log(t)
    arrays = {}
    for k, v in kwargs.items():
        if v == "full":
            arrays[k] = rng.uniform(0.2, 2.0, shape)
        elif v == "last":
            arrays[k] = rng.uniform(0.2, 2.0, shape[-1:])
        else:
            arrays[k] = v
    return x, t, arrays


def _elementwise_grid():
    for case in ELEMENTWISE:
        name, kw, kind = case
        reductions = REDUCTIONS + (["batchmean"] if name == "kl_div" else [])
        for shape in SHAPES:
            if shape == () and "last" in kw.values():
                continue
            for reduction in reductions:
                yield pytest.param(case, shape, reduction,
                                   id=f"{_eid(case)}-{shape}-{reduction}")


@pytest.mark.parametrize("case,shape,reduction", list(_elementwise_grid()))
def test_elementwise_loss_matches_torch(torch, case, shape, reduction):
    name, kw, kind = case
    x, t, kwargs = elementwise_problem(shape, kind, kw)
    check_vs_torch(torch, name, (x, t), dict(kwargs, reduction=reduction), wrt=(0, 1))


def test_kl_div_zero_targets_match_torch(torch):
    """xlogy(0, 0) = 0: zero target probabilities contribute nothing."""
    rng = np.random.default_rng(0)
    x = np.log(_softmax(rng.standard_normal((3, 4)), 1))
    t = _softmax(rng.standard_normal((3, 4)), 1)
    t[0, 1] = t[2, 3] = 0.0
    check_vs_torch(torch, "kl_div", (x, t), {"reduction": "batchmean"})


def test_binary_cross_entropy_clamps_log_like_torch(torch):
    """At probabilities 0 and 1 the log is clamped to -100, not -inf."""
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3])
    check_vs_torch(torch, "binary_cross_entropy", (x, t), {"reduction": "sum"})
    assert np.isfinite(L.binary_cross_entropy(nl.tensor(x), nl.tensor(t)).item())


# ---------------------------------------------------------------------------
# Stability, double backward, dtypes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["index", "prob"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_stable_for_huge_logits(torch, target, smoothing, reduction):
    rng = np.random.default_rng(0)
    x = rng.choice([-1e4, 1e4], (6, 5)) + rng.standard_normal((6, 5))
    y = (_softmax(rng.standard_normal((6, 5)), 1) if target == "prob"
         else rng.integers(0, 5, 6))
    for dtype in [np.float32, np.float64]:
        xt = nl.tensor(x.astype(dtype), requires_grad=True)
        out = L.cross_entropy(xt, y if target == "index" else y.astype(dtype),
                              label_smoothing=smoothing, reduction=reduction)
        out.sum().backward()
        assert np.isfinite(out.array).all() and np.isfinite(xt.grad).all()
    check_vs_torch(torch, "cross_entropy", (x, y),
                   {"label_smoothing": smoothing, "reduction": reduction})


@pytest.mark.parametrize("kw", [{}, {"pos_weight": "last"}], ids=["plain", "pos_weight"])
def test_bce_with_logits_stable_for_huge_logits(torch, kw):
    rng = np.random.default_rng(0)
    x = rng.choice([-1e4, 1e4], (4, 3)) + rng.standard_normal((4, 3))
    _, t, kwargs = elementwise_problem((4, 3), "logit", kw)
    check_vs_torch(torch, "binary_cross_entropy_with_logits", (x, t), kwargs, wrt=(0, 1))
    xt = nl.tensor(x.astype(np.float32), requires_grad=True)
    out = L.binary_cross_entropy_with_logits(xt, t.astype(np.float32))
    out.backward()
    assert np.isfinite(out.item()) and np.isfinite(xt.grad).all()


DOUBLE_BACKWARD = [
    ("cross_entropy", "index", {"weight": True, "label_smoothing": 0.2, "ignore_index": 1}),
    ("cross_entropy", "prob", {"weight": True, "label_smoothing": 0.2}),
    ("binary_cross_entropy", "prob", {"weight": "last"}),
    ("binary_cross_entropy_with_logits", "logit", {"pos_weight": "last"}),
    ("smooth_l1_loss", "real", {"beta": 0.5}),
    ("huber_loss", "real", {"delta": 0.5, "weight": "full"}),
    ("mse_loss", "real", {"reduction": "sum"}),
]


@pytest.mark.parametrize("name,kind,kw", DOUBLE_BACKWARD, ids=[c[0] + "-" + c[1]
                                                                for c in DOUBLE_BACKWARD])
def test_double_backward_matches_torch(torch, name, kind, kw):
    """Hessian-vector product d/dx <grad_x loss, v> under create_graph (the losses linear
    in x, nll_loss and kl_div, have no second derivative to compare)."""
    import torch.nn.functional as TF
    if name == "cross_entropy":
        x, t = class_problem((4, 3), kind, kw.get("ignore_index"))
        kwargs = dict(kw, weight=_class_weight(3)) if kw.get("weight") else dict(kw)
    else:
        x, t, kwargs = elementwise_problem((4, 3), kind, kw)
    v = np.random.default_rng(5).standard_normal(x.shape)
    results = []
    for lib, fn in [(nl, getattr(L, name)), (torch, getattr(TF, name))]:
        (xt, tt) = (lib.tensor(x, requires_grad=True), lib.tensor(t))
        (g,) = lib.autograd.grad(fn(xt, tt, **_convert(lib, kwargs)), xt, create_graph=True)
        (h,) = lib.autograd.grad((g * lib.tensor(v)).sum(), xt)
        results.append(np.asarray(h.detach().numpy()))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-9, atol=1e-12)


FLOAT32_CASES = [("cross_entropy", "index", {"label_smoothing": 0.1, "weight": True}),
                 ("cross_entropy", "prob", {"weight": True}),
                 ("nll_loss", "index", {"weight": True})] + [
    (name, kind, kw) for name, kw, kind in ELEMENTWISE]


@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("name,kind,kw", FLOAT32_CASES,
                         ids=[f"{c[0]}-{c[1]}-{sorted(c[2])}" for c in FLOAT32_CASES])
def test_float32_stays_float32(name, kind, kw, reduction):
    if kind in ("index", "prob") and name != "binary_cross_entropy":
        x, t = class_problem((5, 3), kind, None)
        kwargs = dict(kw, weight=_class_weight(3)) if kw.get("weight") else dict(kw)
    else:
        x, t, kwargs = elementwise_problem((5, 3), kind, kw)
    # float64 weights and targets are cast to the input's dtype
    xt = nl.tensor(x.astype(np.float32), requires_grad=True)
    float_target = t.dtype.kind == "f"
    tt = nl.tensor(t.astype(np.float32) if float_target else t, requires_grad=float_target)
    out = getattr(L, name)(xt, tt, reduction=reduction, **_convert(nl, kwargs))
    assert out.dtype == np.float32
    out.backward(np.ones(out.shape, np.float32))
    assert xt.grad.dtype == np.float32
    if float_target:
        assert tt.grad.dtype == np.float32


@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("name,kw,kind", ELEMENTWISE,
                         ids=[f"{c[0]}-{sorted(c[1])}" for c in ELEMENTWISE])
def test_zero_dim_float32_stays_float32(name, kw, kind, reduction):
    """0-d input and target (NumPy 1.x promotes 0-d float32 with a Python number to
    float64); the gradient reaching the non-leaf input is float32 too."""
    x, t, kwargs = elementwise_problem((), kind, kw)
    xt = nl.tensor(x.astype(np.float32), requires_grad=True)
    h = xt * 1
    h.retain_grad()
    tt = nl.tensor(t.astype(np.float32), requires_grad=True)
    out = getattr(L, name)(h, tt, reduction=reduction, **_convert(nl, kwargs))
    assert out.dtype == np.float32
    out.backward()
    assert h.grad.dtype == np.float32 and xt.grad.dtype == np.float32
    assert tt.grad is None or tt.grad.dtype == np.float32


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_unbatched_float32_stays_float32(name):
    """Input (C,), target 0-d: the loss is 0-d and so is the gradient entering the rule."""
    x = nl.tensor(np.array([0.2, -0.4, 1.0], np.float32), requires_grad=True)
    h = x * 1
    h.retain_grad()
    out = getattr(L, name)(h, nl.tensor(np.array(2)))
    assert out.dtype == np.float32
    out.backward()
    assert h.grad.dtype == np.float32 and x.grad.dtype == np.float32


# ---------------------------------------------------------------------------
# Gradient checks (float64 central differences, shapes drawn by hypothesis)
# ---------------------------------------------------------------------------

@st.composite
def class_shapes(draw):
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    if not spatial and draw(st.booleans()):
        return (c,)
    return (n, c) + spatial


@pytest.mark.parametrize("target", ["index", "prob"])
@given(shape=class_shapes(), reduction=st.sampled_from(REDUCTIONS), weighted=st.booleans(),
       smoothing=st.sampled_from([0.0, 0.3]), ignore=st.sampled_from([None, -100]),
       seed=st.integers(0, 2**16))
def test_cross_entropy_gradcheck(target, shape, reduction, weighted, smoothing, ignore, seed):
    x, y = class_problem(shape, target, ignore if target == "index" else None, seed)
    # every target ignored makes a 'mean' loss 0/0 = nan (as torch): nothing to check there
    assume(not (target == "index" and reduction == "mean" and (y == ignore).all()))
    w = nl.tensor(_class_weight(shape[1 if len(shape) > 1 else 0], seed)) if weighted else None
    xt = nl.tensor(x, requires_grad=True)
    yt = nl.tensor(y, requires_grad=target == "prob")
    nl.gradcheck(lambda a, b: L.cross_entropy(a, b, weight=w, reduction=reduction,
                                              label_smoothing=smoothing), (xt, yt))


@given(shape=class_shapes(), reduction=st.sampled_from(REDUCTIONS), weighted=st.booleans(),
       seed=st.integers(0, 2**16))
def test_nll_loss_gradcheck(shape, reduction, weighted, seed):
    x, y = class_problem(shape, "index", -100, seed)
    assume(not (reduction == "mean" and (y == -100).all()))     # 0/0 = nan, as torch
    w = nl.tensor(_class_weight(shape[1 if len(shape) > 1 else 0], seed)) if weighted else None
    nl.gradcheck(lambda a: L.nll_loss(a, nl.tensor(y), weight=w, reduction=reduction),
                 (nl.tensor(x, requires_grad=True),))


@pytest.mark.parametrize("case", ELEMENTWISE, ids=[_eid(c) for c in ELEMENTWISE])
@given(reduction=st.sampled_from(REDUCTIONS),
       shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
       seed=st.integers(0, 2**16))
def test_elementwise_gradcheck(case, reduction, shape, seed):
    name, kw, kind = case
    x, t, kwargs = elementwise_problem(shape, kind, kw, seed)
    if name in ("smooth_l1_loss", "huber_loss", "l1_loss"):
        t = x + np.where(np.abs(x - t) < 1e-3, 0.1, t - x)    # away from the kinks
    kwargs = _convert(nl, kwargs)
    nl.gradcheck(lambda a, b: getattr(L, name)(a, b, reduction=reduction, **kwargs),
                 (nl.tensor(x, requires_grad=True), nl.tensor(t, requires_grad=True)))


# ---------------------------------------------------------------------------
# Bad input: clear errors naming the argument and the shapes
# ---------------------------------------------------------------------------

def _x(*shape):
    return nl.tensor(np.random.default_rng(0).uniform(0.1, 0.9, shape))


BAD = [
    ("float class targets", lambda: L.cross_entropy(_x(4, 3), nl.tensor([0., 1, 2, 1])),
     TypeError, ["target must be class indices (int64) of shape (4,)",
                 "class probabilities of shape (4, 3)", "got float32 of shape (4,)"]),
    ("float64 class targets, spatial", lambda: L.cross_entropy(
        _x(2, 3, 5), nl.zeros(2, 5, dtype=nl.float64)),
     TypeError, ["(2, 5) or class probabilities of shape (2, 3, 5)", "float64 of shape (2, 5)"]),
    ("int probabilities", lambda: L.cross_entropy(_x(2, 3), nl.tensor([[0, 1, 0], [1, 0, 0]])),
     TypeError, ["(2, 3)", "must be floating"]),
    ("class index too big", lambda: L.cross_entropy(_x(4, 3), nl.tensor([0, 7, 2, 1])),
     IndexError, ["target value 7", "3 classes"]),
    ("negative class index", lambda: L.cross_entropy(_x(4, 3), nl.tensor([0, -1, 2, 1])),
     IndexError, ["target value -1", "3 classes", "ignore_index=-100"]),
    ("ignore_index is not a free pass", lambda: L.nll_loss(_x(2, 3), nl.tensor([5, 1]),
                                                           ignore_index=4),
     IndexError, ["target value 5", "3 classes"]),
    ("batch size mismatch", lambda: L.cross_entropy(_x(4, 3), nl.tensor([0, 1, 2, 1, 0])),
     ValueError, ["(4,)", "(4, 3)", "(5,)"]),
    ("spatial mismatch", lambda: L.cross_entropy(_x(2, 3, 4, 4), nl.zeros(2, 4, 5,
                                                                          dtype=nl.int64)),
     ValueError, ["(2, 3, 4, 4)", "(2, 4, 5)", "(2, 4, 4)"]),
    ("ignore_index with probabilities", lambda: L.cross_entropy(_x(2, 3), _x(2, 3),
                                                                ignore_index=1),
     ValueError, ["ignore_index=1", "class probabilities", "(2, 3)"]),
    ("unbatched with a batch of targets", lambda: L.cross_entropy(_x(3), nl.tensor([0, 1])),
     ValueError, ["(3,)", "(2,)"]),
    ("0-d input", lambda: L.cross_entropy(_x(), nl.tensor(0)), ValueError, ["0-d"]),
    ("int logits", lambda: L.cross_entropy(nl.tensor([[1, 2]]), nl.tensor([0])),
     TypeError, ["input", "int64"]),
    ("bool targets", lambda: L.cross_entropy(_x(2, 3), nl.tensor([True, False])),
     TypeError, ["bool"]),
    ("class weight shape", lambda: L.cross_entropy(_x(4, 3), nl.tensor([0, 1, 2, 1]),
                                                   weight=nl.ones(4)),
     ValueError, ["weight", "(3,)", "(4,)"]),
    ("label smoothing range", lambda: L.cross_entropy(_x(4, 3), nl.tensor([0, 1, 2, 1]),
                                                      label_smoothing=1.5),
     ValueError, ["label_smoothing", "1.5"]),
    ("unknown reduction", lambda: L.cross_entropy(_x(4, 3), nl.tensor([0, 1, 2, 1]),
                                                  reduction="avg"),
     ValueError, ["reduction", "'avg'", "'mean'"]),
    ("batchmean outside kl_div", lambda: L.mse_loss(_x(3), _x(3), reduction="batchmean"),
     ValueError, ["reduction", "'batchmean'"]),
    ("nll float targets", lambda: L.nll_loss(_x(2, 3), nl.tensor([0.0, 1.0])),
     TypeError, ["class indices", "(2,)", "float32"]),
    ("weight requires grad", lambda: L.nll_loss(_x(2, 3), nl.tensor([0, 1]),
                                                weight=nl.ones(3, requires_grad=True)),
     RuntimeError, ["weight", "detach"]),
    ("mse shape mismatch", lambda: L.mse_loss(_x(3, 4), _x(4)),
     ValueError, ["target of shape (4,)", "input of shape (3, 4)"]),
    ("l1 shape mismatch", lambda: L.l1_loss(_x(3, 1), _x(3, 4)),
     ValueError, ["(3, 4)", "(3, 1)"]),
    ("kl_div shape mismatch", lambda: L.kl_div(_x(2, 3), _x(3)),
     ValueError, ["(3,)", "(2, 3)"]),
    ("bce shape mismatch", lambda: L.binary_cross_entropy(_x(2, 3), _x(2, 1)),
     ValueError, ["(2, 1)", "(2, 3)"]),
    ("bce input outside [0, 1]", lambda: L.binary_cross_entropy(_x(2) * 3, _x(2)),
     ValueError, ["input", "[0, 1]", "with_logits"]),
    ("bce weight shape", lambda: L.binary_cross_entropy(_x(2, 3), _x(2, 3), weight=_x(2)),
     ValueError, ["weight of shape (2,)", "(2, 3)"]),
    ("pos_weight shape", lambda: L.binary_cross_entropy_with_logits(_x(2, 3), _x(2, 3),
                                                                    pos_weight=_x(4, 1, 1)),
     ValueError, ["pos_weight of shape (4, 1, 1)", "(2, 3)"]),
    ("mse weight shape", lambda: L.mse_loss(_x(2, 3), _x(2, 3), weight=_x(3)),
     ValueError, ["weight of shape (3,)", "(2, 3)"]),
    ("negative beta", lambda: L.smooth_l1_loss(_x(2), _x(2), beta=-1.0),
     ValueError, ["beta", "-1.0"]),
    ("non-positive delta", lambda: L.huber_loss(_x(2), _x(2), delta=0.0),
     ValueError, ["delta", "0.0"]),
    ("module reduction", lambda: L.KLDivLoss(reduction="avg"),
     ValueError, ["KLDivLoss", "'batchmean'", "'avg'"]),
]


@pytest.mark.parametrize("call,exc,fragments", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_raises_clear_error(call, exc, fragments):
    with pytest.raises(exc) as info:
        call()
    for f in fragments:
        assert f in str(info.value), f"{f!r} not in {str(info.value)!r}"


# ---------------------------------------------------------------------------
# Modules against torch modules
# ---------------------------------------------------------------------------
MODULES = [
    ("CrossEntropyLoss", {}, "index"),
    ("CrossEntropyLoss", {"weight": "class", "ignore_index": 1, "label_smoothing": 0.1,
                          "reduction": "sum"}, "index"),
    ("CrossEntropyLoss", {"weight": "class", "reduction": "none"}, "prob"),
    ("NLLLoss", {"weight": "class", "ignore_index": 2}, "logprob-index"),
    ("MSELoss", {"reduction": "sum"}, "real"),
    ("L1Loss", {}, "real"),
    ("SmoothL1Loss", {"beta": 0.5, "reduction": "none"}, "real"),
    ("HuberLoss", {"delta": 0.5}, "real"),
    ("BCELoss", {"weight": "last"}, "prob01"),
    ("BCEWithLogitsLoss", {"weight": "last", "pos_weight": "last"}, "logit"),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, "logprob"),
]


@pytest.mark.parametrize("name,kw,kind", MODULES, ids=[f"{m[0]}-{sorted(m[1])}" for m in MODULES])
def test_module_matches_torch_module(torch, name, kw, kind):
    rng = np.random.default_rng(3)
    if kind in ("index", "prob", "logprob-index"):
        x, t = class_problem((5, 4, 2), kind.split("-")[-1], None)
        if kind == "logprob-index":
            x = np.log(_softmax(x, 1))
    else:
        x, t, _ = elementwise_problem((5, 4), {"prob01": "prob"}.get(kind, kind), {})
    args = {k: (rng.uniform(0.2, 2, 4) if v in ("class", "last") else v) for k, v in kw.items()}
    ours = getattr(L, name)(**_convert(nl, args))
    theirs = getattr(torch.nn, name)(**_convert(torch, args))
    assert repr(ours) == repr(theirs)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    for k in sd:
        np.testing.assert_array_equal(sd[k], tsd[k].numpy())
    wrt = (0, 1) if t.dtype.kind == "f" else (0,)
    out, xs = _run(nl, ours, (x, t), wrt, {})
    ref, txs = _run(torch, theirs, (x, t), wrt, {})
    np.testing.assert_allclose(out.array, ref.detach().numpy(), rtol=RTOL, atol=ATOL)
    gy = rng.standard_normal(out.shape)
    out.backward(gy)
    ref.backward(torch.tensor(gy))
    for i in wrt:
        np.testing.assert_allclose(xs[i].grad, txs[i].grad.numpy(), rtol=RTOL, atol=ATOL)


def test_module_attributes_and_buffers():
    m = L.CrossEntropyLoss(weight=np.ones(3), ignore_index=0, label_smoothing=0.2)
    assert (m.reduction, m.ignore_index, m.label_smoothing) == ("mean", 0, 0.2)
    assert isinstance(m.weight, nl.Tensor) and list(m.state_dict()) == ["weight"]
    assert list(dict(m.named_parameters())) == []
    assert L.BCEWithLogitsLoss().weight is None and L.BCEWithLogitsLoss().pos_weight is None
    assert list(L.BCEWithLogitsLoss(pos_weight=nl.ones(2)).state_dict()) == ["pos_weight"]
    assert L.SmoothL1Loss(beta=0.5).beta == 0.5 and L.HuberLoss(delta=2.0).delta == 2.0
    assert L.KLDivLoss(log_target=True).log_target is True
