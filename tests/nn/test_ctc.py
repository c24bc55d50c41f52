"""Tests for the CTC loss: F.ctc_loss (nnlite/ops/ctc.py) and CTCLoss (nnlite/nn/loss.py).

Oracles: torch (float64 losses and gradients, with respect to the logits under a
log_softmax and to the log-probabilities themselves, every reduction, padded and
concatenated targets, blank, zero_infinity, unbatched input), a brute-force sum over all
alignments for tiny problems, float64 gradient checks of the logits with hypothesis
shapes, and argument errors.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnlite as nl
import nnlite.nn as nn
import nnlite.nn.functional as F
from tests.ops._parity import assert_close, gradcheck

REDUCTIONS = ["none", "mean", "sum"]


def _problem(T, N, C, S, in_len, tgt_len, seed=0, blank=0, repeats=False):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((T, N, C))
    labels = [c for c in range(C) if c != blank]
    targets = rng.choice(labels, (N, S))
    if repeats and S > 1:
        targets[:, 1] = targets[:, 0]                    # a repeated label needs a blank
    return logits, targets, np.array(in_len), np.array(tgt_len)


def _both(torch, logits, targets, in_len, tgt_len, through_log_softmax, concat, **kw):
    """Loss and gradient in nnlite and torch."""
    out = []
    for lib in (nl, torch):
        x = lib.tensor(logits, requires_grad=True)
        lp = x.log_softmax(-1) if through_log_softmax else x
        if concat:
            tg = lib.tensor(np.concatenate([targets[n, :tgt_len[n]]
                                            for n in range(len(tgt_len))]))
        else:
            tg = lib.tensor(targets)
        il, tl = lib.tensor(in_len), lib.tensor(tgt_len)
        fn = F.ctc_loss if lib is nl else torch.nn.functional.ctc_loss
        y = fn(lp, tg, il, tl, **kw)
        g = np.random.default_rng(1).standard_normal(tuple(y.shape))
        y.backward(lib.tensor(g))
        out.append((y, x.grad))
    return out


CASES = [  # T, N, C, S, input lengths, target lengths
    (12, 4, 6, 5, [12, 10, 7, 12], [5, 3, 0, 4]),
    (6, 3, 5, 4, [6, 4, 6], [4, 3, 2]),
    (1, 2, 3, 1, [1, 1], [1, 0]),
    (9, 1, 4, 3, [9], [3]),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("through_log_softmax", [True, False], ids=["logits", "log_probs"])
@pytest.mark.parametrize("concat", [False, True], ids=["padded", "concatenated"])
def test_parity(torch, case, reduction, through_log_softmax, concat):
    logits, targets, il, tl = _problem(*case, repeats=True)
    (y, g), (ty, tg) = _both(torch, logits, targets, il, tl, through_log_softmax, concat,
                             reduction=reduction)
    assert_close(y, ty, "loss", rtol=1e-10, atol=1e-12)
    assert y.dtype == np.float64
    assert_close(g, tg, "gradient", rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("blank", [2, 4])
def test_blank_parity(torch, blank):
    logits, targets, il, tl = _problem(8, 3, 5, 3, [8, 8, 6], [3, 3, 2], blank=blank)
    (y, g), (ty, tg) = _both(torch, logits, targets, il, tl, True, False, blank=blank,
                             reduction="none")
    assert_close(y, ty, "loss")
    assert_close(g, tg, "gradient", rtol=1e-9)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_impossible_alignment(torch, reduction, zero_infinity):
    # sequence 0 needs 5 labels (+1 blank between the repeat) in 4 steps: infinite loss
    logits, targets, il, tl = _problem(6, 3, 5, 5, [4, 6, 6], [5, 3, 2], repeats=True)
    (y, g), (ty, tg) = _both(torch, logits, targets, il, tl, True, False,
                             reduction=reduction, zero_infinity=zero_infinity)
    assert_close(y, ty, "loss")
    assert_close(g, tg, "gradient", rtol=1e-9)
    if zero_infinity:
        assert np.all(np.isfinite(g.array))


def test_unbatched_parity(torch):
    logits, targets, il, tl = _problem(7, 1, 5, 3, [7], [3])
    for lib, fn in ((nl, F.ctc_loss), (torch, torch.nn.functional.ctc_loss)):
        x = lib.tensor(logits[:, 0], requires_grad=True)
        y = fn(x.log_softmax(-1), lib.tensor(targets[0]), lib.tensor(7), lib.tensor(3),
               reduction="none")
        y.backward()
        if lib is nl:
            ours = (y, x.grad)
        else:
            theirs = (y, x.grad)
    assert ours[0].shape == ()
    assert_close(ours[0], theirs[0], "loss")
    assert_close(ours[1], theirs[1], "gradient", rtol=1e-9)


def _brute_force(lp, target, blank):
    """-log sum over every path of length T that collapses to ``target``."""
    T, C = lp.shape
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        collapsed = [c for i, c in enumerate(path) if c != blank
                     and (i == 0 or c != path[i - 1])]
        if collapsed == list(target):
            total += np.exp(sum(lp[t, c] for t, c in enumerate(path)))
    return -np.log(total)


@pytest.mark.parametrize("target", [[1], [1, 2], [2, 2], [1, 2, 1]])
def test_against_brute_force(target):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3))
    lp = x - np.log(np.exp(x).sum(1, keepdims=True))
    ours = F.ctc_loss(nl.tensor(lp), nl.tensor([target]), [5], [len(target)],
                      reduction="sum")
    np.testing.assert_allclose(ours.item(), _brute_force(lp, target, 0), rtol=1e-12)


@settings(max_examples=10)
@given(T=st.integers(1, 6), N=st.integers(1, 3), C=st.integers(2, 4), data=st.data())
def test_gradcheck_of_logits(T, N, C, data):
    S = data.draw(st.integers(0, max(0, (T - 1) // 2)))
    tl = data.draw(st.lists(st.integers(0, S), min_size=N, max_size=N))
    il = [T] * N
    reduction = data.draw(st.sampled_from(REDUCTIONS))
    logits, targets, _, _ = _problem(T, N, C, S, il, tl, seed=data.draw(st.integers(0, 99)))
    gradcheck(lambda x: F.ctc_loss(x.log_softmax(-1), nl.tensor(targets), il, tl,
                                   reduction=reduction), [logits])


def test_module(torch):
    ours, theirs = nn.CTCLoss(blank=1, zero_infinity=True), torch.nn.CTCLoss(
        blank=1, zero_infinity=True)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    logits, targets, il, tl = _problem(8, 2, 4, 3, [8, 7], [3, 2], blank=1)
    y = ours(nl.tensor(logits).log_softmax(2), nl.tensor(targets), nl.tensor(il),
             nl.tensor(tl))
    ty = theirs(torch.tensor(logits).log_softmax(2), torch.tensor(targets),
                torch.tensor(il), torch.tensor(tl))
    assert_close(y, ty, "loss")


def test_float32_and_second_backward():
    x = nl.randn(6, 2, 4, requires_grad=True)
    y = F.ctc_loss(x.log_softmax(2), nl.tensor([[1, 2], [3, 3]]), [6, 6], [2, 2])
    assert y.dtype == np.float32
    (g,) = nl.autograd.grad(y, [x])
    assert g.dtype == np.float32
    y = F.ctc_loss(x.log_softmax(2), nl.tensor([[1, 2], [3, 3]]), [6, 6], [2, 2])
    with pytest.raises(RuntimeError):
        nl.autograd.grad(y, [x], create_graph=True)


def test_errors():
    lp = nl.randn(5, 2, 4).log_softmax(2)
    t = nl.tensor([[1, 2], [3, 1]])
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.ctc_loss(lp, t, [5, 5], [2, 2], reduction="avg")
    with pytest.raises(ValueError, match=r"\(T, N, C\)"):
        F.ctc_loss(nl.randn(5), t, [5, 5], [2, 2])
    with pytest.raises(ValueError, match="blank must be in label range"):
        F.ctc_loss(lp, t, [5, 5], [2, 2], blank=4)
    with pytest.raises(ValueError, match="input_lengths must be in"):
        F.ctc_loss(lp, t, [6, 5], [2, 2])
    with pytest.raises(ValueError, match="one entry per sequence"):
        F.ctc_loss(lp, t, [5], [2, 2])
    with pytest.raises(IndexError, match="differ from blank"):
        F.ctc_loss(lp, nl.tensor([[0, 2], [3, 1]]), [5, 5], [2, 2])
    with pytest.raises(ValueError, match="sum.target_lengths."):
        F.ctc_loss(lp, nl.tensor([1, 2, 3]), [5, 5], [2, 2])
    with pytest.raises(TypeError, match="integer"):
        F.ctc_loss(lp, nl.tensor([[1.0, 2.0]] * 2), [5, 5], [2, 2])
