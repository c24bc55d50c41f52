"""Tests for the margin and embedding losses (nnlite/ops/margin_losses.py) and their
modules (nnlite/nn/loss.py): MarginRanking, HingeEmbedding, SoftMargin, CosineEmbedding,
MultiMargin, MultiLabelMargin, MultiLabelSoftMargin, TripletMargin,
TripletMarginWithDistance.

Oracles: torch (float64 losses and gradients of every differentiable argument, for each
reduction, with weights and options), float64 gradient checks with hypothesis shapes
(inputs kept off the hinges' kinks), module reprs and state_dicts, argument errors.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl
import nnlite.nn as nn
import nnlite.nn.functional as F
from tests.ops._parity import check_parity, gradcheck

REDUCTIONS = ["none", "mean", "sum"]
N, C = 5, 4


def _problem(name, seed=0, n=N, c=C):
    """(arrays, kwargs for both libraries) of a loss; float arrays are differentiated."""
    rng = np.random.default_rng(seed)
    pm = lambda *s: rng.choice([-1.0, 1.0], s)                       # noqa: E731
    if name == "margin_ranking_loss":
        return [rng.standard_normal(n), rng.standard_normal(n), pm(n)], dict(margin=0.3)
    if name == "hinge_embedding_loss":
        return [rng.standard_normal((n, c)), pm(n, c).astype(np.int64)], dict(margin=0.7)
    if name == "soft_margin_loss":
        return [rng.standard_normal((n, c)) * 3, pm(n, c)], {}
    if name == "cosine_embedding_loss":
        return [rng.standard_normal((n, c)), rng.standard_normal((n, c)),
                pm(n).astype(np.int64)], dict(margin=0.2)
    if name == "multi_margin_loss":
        return [rng.standard_normal((n, c)), rng.integers(0, c, n)], dict(margin=0.8)
    if name == "multilabel_margin_loss":
        t = rng.integers(-1, c, (n, c))
        t[0] = np.arange(c)                                          # all classes targets
        t[-1, 0] = -1 if n > 1 else 0                                # none
        return [rng.standard_normal((n, c)), t], {}
    if name == "multilabel_soft_margin_loss":
        return [rng.standard_normal((n, c)), rng.integers(0, 2, (n, c)).astype(float)], {}
    if name in ("triplet_margin_loss", "triplet_margin_with_distance_loss"):
        return [rng.standard_normal((n, c)) for _ in range(3)], dict(margin=1.5)
    raise KeyError(name)


NAMES = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
         "cosine_embedding_loss", "multi_margin_loss", "multilabel_margin_loss",
         "multilabel_soft_margin_loss", "triplet_margin_loss",
         "triplet_margin_with_distance_loss"]


def _call(lib_F, name, kw, reduction):
    if name == "soft_margin_loss":             # its target is not differentiable (torch)
        return lambda x, t: lib_F.soft_margin_loss(x, t.detach(), reduction=reduction, **kw)
    return lambda *a: getattr(lib_F, name)(*a, reduction=reduction, **kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", NAMES)
def test_functional_parity(torch, name, reduction):
    arrays, kw = _problem(name)
    check_parity(torch, _call(F, name, kw, reduction),
                 _call(torch.nn.functional, name, kw, reduction), arrays)


OPTIONS = [  # (name, extra kwargs of both libraries)
    ("multi_margin_loss", dict(p=2)),
    ("multi_margin_loss", dict(p=2, margin=2.0, weight="weight")),
    ("multi_margin_loss", dict(weight="weight")),
    ("multilabel_soft_margin_loss", dict(weight="weight")),
    ("triplet_margin_loss", dict(p=1, swap=True, eps=1e-3)),
    ("triplet_margin_loss", dict(p=3)),
    ("triplet_margin_with_distance_loss", dict(swap=True)),
    ("cosine_embedding_loss", dict(margin=-0.5)),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,extra", OPTIONS, ids=[f"{n}-{sorted(e)}" for n, e in OPTIONS])
def test_options_parity(torch, name, extra, reduction):
    arrays, kw = _problem(name, seed=1)
    w = np.random.default_rng(9).uniform(0.2, 2.0, C)
    ours = {**kw, **{k: (nl.tensor(w) if v == "weight" else v) for k, v in extra.items()}}
    theirs = {**kw, **{k: (torch.tensor(w) if v == "weight" else v)
                       for k, v in extra.items()}}
    check_parity(torch, _call(F, name, ours, reduction),
                 _call(torch.nn.functional, name, theirs, reduction), arrays)


def test_triplet_with_a_custom_distance(torch):
    arrays, _ = _problem("triplet_margin_with_distance_loss", seed=2)
    check_parity(torch,
                 lambda a, p, n: F.triplet_margin_with_distance_loss(
                     a, p, n, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v),
                     margin=0.5, reduction="none"),
                 lambda a, p, n: torch.nn.functional.triplet_margin_with_distance_loss(
                     a, p, n, distance_function=lambda u, v: 1 - torch.cosine_similarity(u, v),
                     margin=0.5, reduction="none"), arrays)


@pytest.mark.parametrize("name", ["cosine_embedding_loss", "multi_margin_loss",
                                  "multilabel_margin_loss", "multilabel_soft_margin_loss",
                                  "triplet_margin_loss", "margin_ranking_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_unbatched_parity(torch, name, reduction):
    arrays, kw = _problem(name, seed=3)
    if name == "margin_ranking_loss":
        arrays = [a[0] for a in arrays]                              # 0-d
    else:
        arrays = [a[0] for a in arrays]
    check_parity(torch, _call(F, name, kw, reduction),
                 _call(torch.nn.functional, name, kw, reduction), arrays)


def _off_kinks(name, arrays):
    """Inputs moved away from the hinges (where the loss has no derivative)."""
    if name == "hinge_embedding_loss":
        x = arrays[0]
        arrays[0] = np.where(np.abs(0.7 - x) < 0.05, x + 0.2, x)
    return arrays


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=10)
@given(n=st.integers(1, 4), c=st.integers(2, 4), reduction=st.sampled_from(REDUCTIONS),
       seed=st.integers(0, 2**16))
def test_gradcheck(name, n, c, reduction, seed):
    arrays, kw = _problem(name, seed, n, c)
    arrays = _off_kinks(name, arrays)
    if name == "soft_margin_loss":
        arrays[1] = arrays[1].astype(np.int64)           # a constant target
    gradcheck(_call(F, name, kw, reduction), arrays)


MODULES = [  # (class, args, forward arrays' problem)
    ("MarginRankingLoss", dict(margin=0.3), "margin_ranking_loss"),
    ("HingeEmbeddingLoss", dict(margin=0.7), "hinge_embedding_loss"),
    ("SoftMarginLoss", dict(), "soft_margin_loss"),
    ("CosineEmbeddingLoss", dict(margin=0.2), "cosine_embedding_loss"),
    ("MultiMarginLoss", dict(p=2, margin=0.8), "multi_margin_loss"),
    ("MultiLabelMarginLoss", dict(), "multilabel_margin_loss"),
    ("MultiLabelSoftMarginLoss", dict(), "multilabel_soft_margin_loss"),
    ("TripletMarginLoss", dict(margin=1.5, p=1.0, swap=True), "triplet_margin_loss"),
    ("TripletMarginWithDistanceLoss", dict(margin=1.5),
     "triplet_margin_with_distance_loss"),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("cls,kw,problem", MODULES, ids=[m[0] for m in MODULES])
def test_module_parity(torch, cls, kw, problem, reduction):
    ours = getattr(nn, cls)(reduction=reduction, **kw)
    theirs = getattr(torch.nn, cls)(reduction=reduction, **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    arrays, _ = _problem(problem, seed=4)
    if problem == "soft_margin_loss":
        ours_f, theirs_f = ours, theirs
        ours, theirs = (lambda x, t: ours_f(x, t.detach())), (lambda x, t: theirs_f(x, t.detach()))
    check_parity(torch, ours, theirs, arrays)


@pytest.mark.parametrize("cls", ["MultiMarginLoss", "MultiLabelSoftMarginLoss"])
def test_weighted_module_state_dict(torch, cls):
    w = np.linspace(0.5, 2.0, C)
    ours, theirs = getattr(nn, cls)(weight=nl.tensor(w)), getattr(torch.nn, cls)(
        weight=torch.tensor(w))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    arrays, _ = _problem("multi_margin_loss" if cls == "MultiMarginLoss"
                         else "multilabel_soft_margin_loss", seed=5)
    check_parity(torch, ours, theirs, arrays)


def test_float32_stays_float32():
    x = nl.randn(3, 4, requires_grad=True)
    for loss in (F.soft_margin_loss(x, nl.ones(3, 4)),
                 F.multi_margin_loss(x, nl.tensor([0, 1, 2])),
                 F.multilabel_soft_margin_loss(x, nl.ones(3, 4)),
                 F.triplet_margin_loss(x, nl.randn(3, 4), nl.randn(3, 4)),
                 F.cosine_embedding_loss(x, nl.randn(3, 4), nl.tensor([1, -1, 1]))):
        assert loss.dtype == np.float32
        loss.backward()
        assert x.grad.dtype == np.float32


def test_errors():
    x = nl.randn(3, 4)
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.soft_margin_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="same dimension"):
        F.margin_ranking_loss(nl.randn(3), nl.randn(3), nl.randn(3, 1))
    with pytest.raises(ValueError, match="1D target tensor expects 2D input"):
        F.cosine_embedding_loss(nl.randn(3, 4, 2), nl.randn(3, 4, 2), nl.ones(3))
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        F.multi_margin_loss(x, nl.tensor([0, 1, 2]), p=3)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="expected weight to be None or 1D"):
        nn.MultiMarginLoss(weight=nl.ones(2, 2))
    with pytest.raises(IndexError, match="target out of range"):
        F.multi_margin_loss(x, nl.tensor([0, 4, 1]))
    with pytest.raises(ValueError, match="inconsistent target size"):
        F.multi_margin_loss(x, nl.tensor([0, 1]))
    with pytest.raises(ValueError, match="inconsistent weight size"):
        F.multi_margin_loss(x, nl.tensor([0, 1, 2]), weight=nl.ones(3))
    with pytest.raises(TypeError, match="integer"):
        F.multilabel_margin_loss(x, nl.zeros(3, 4))
    with pytest.raises(IndexError, match="out of range"):
        F.multilabel_margin_loss(x, nl.tensor([[5, -1, 0, 0]] * 3))
    with pytest.raises(ValueError, match="same number of dimensions"):
        F.triplet_margin_loss(x, nl.randn(4), x)
    with pytest.raises(ValueError, match="margin to be greater than 0"):
        F.triplet_margin_with_distance_loss(x, x, x, margin=0.0)
    with pytest.raises(ValueError, match="margin to be greater than 0"):
        nn.TripletMarginLoss(margin=-1.0)
    with pytest.raises(ValueError, match="does not match input of shape"):
        F.soft_margin_loss(x, nl.ones(4))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument"):
        F.soft_margin_loss(x, nl.ones(3, 4, requires_grad=True))


def test_multilabel_soft_margin_weight_gradient(torch):
    """torch's multilabel_soft_margin_loss is a composition: its weight is differentiable."""
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((3, C)), rng.integers(0, 2, (3, C)).astype(float),
              rng.uniform(0.5, 2.0, C)]
    check_parity(torch, lambda x, t, w: F.multilabel_soft_margin_loss(x, t, weight=w),
                 lambda x, t, w: torch.nn.functional.multilabel_soft_margin_loss(x, t,
                                                                                 weight=w),
                 arrays)
