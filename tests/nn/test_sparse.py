"""Tests of nnlite/nn/sparse.py: embedding / Embedding and embedding_bag / EmbeddingBag.

Parity with torch on copied weights (float64): outputs, weight gradients and per-sample
weight gradients, with padding_idx, max_norm (the in-place renormalisation of the
table), scale_grad_by_freq, every bag mode and input form; from_pretrained; float64
gradchecks with hypothesis-drawn shapes; double backward of the lookup; bad input.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlite as nl
from nnlite.nn.sparse import Embedding, EmbeddingBag, embedding, embedding_bag

RTOL, ATOL = 1e-10, 1e-12


def _close(ours, theirs, what=""):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.array if isinstance(ours, nl.Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape, (what, ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=what)


IDS = np.array([[1, 2, 0, 4], [4, 3, 2, 9], [0, 0, 7, 4]])

EMB_CASES = [dict(), dict(padding_idx=0), dict(padding_idx=-1), dict(max_norm=1.0),
             dict(max_norm=1.5, norm_type=1.0), dict(max_norm=0.5, norm_type=float("inf")),
             dict(scale_grad_by_freq=True), dict(scale_grad_by_freq=True, padding_idx=4),
             dict(padding_idx=2, max_norm=2.0)]


@pytest.mark.parametrize("kwargs", EMB_CASES)
def test_embedding_matches_torch(torch, kwargs):
    theirs = torch.nn.Embedding(10, 4, **kwargs).double()
    ours = Embedding(10, 4, dtype=nl.float64, **kwargs)
    ours.load_state_dict({k: v.detach().numpy() * 2 for k, v in theirs.state_dict().items()})
    with torch.no_grad():
        theirs.weight.mul_(2)                                  # norms above max_norm
    assert repr(ours) == repr(theirs)
    y, ty = ours(nl.tensor(IDS)), theirs(torch.tensor(IDS))
    _close(y, ty, "output")
    _close(ours.weight, theirs.weight, "weight after renorm")
    g = np.random.default_rng(0).standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    _close(ours.weight.grad, theirs.weight.grad, "weight grad")


def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    m = Embedding(6, 3, padding_idx=2)
    assert np.all(m.weight.array[2] == 0) and np.all(m.weight.array[[0, 1, 3, 4, 5]] != 0)
    m(nl.tensor([2, 2, 1])).sum().backward()
    assert np.all(m.weight.grad[2] == 0) and np.all(m.weight.grad[1] == 1)
    w = Embedding(1000, 50).weight.array
    assert w.dtype == np.float32 and abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


def test_embedding_from_pretrained(torch):
    w = np.random.default_rng(1).standard_normal((5, 3))
    t = nl.tensor(w)
    m = Embedding.from_pretrained(t)
    tm = torch.nn.Embedding.from_pretrained(torch.tensor(w))
    assert not m.weight.requires_grad and repr(m) == repr(tm)
    _close(m(nl.tensor([[4, 0]])), tm(torch.tensor([[4, 0]])))
    assert not m(nl.tensor([1])).requires_grad
    t.array[1] = 7.0                                            # shares the array
    assert np.all(m(nl.tensor([1])).array == 7.0)
    m = Embedding.from_pretrained(w, freeze=False, padding_idx=1, max_norm=3.0)
    assert m.weight.requires_grad and np.all(m.weight.array[1] != 0)   # padding row kept
    m(nl.tensor([1, 3])).sum().backward()
    assert np.all(m.weight.grad[1] == 0) and np.all(m.weight.grad[3] == 1)
    with pytest.raises(ValueError, match="2-D"):
        Embedding.from_pretrained(np.zeros(3))


@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=3), V=st.integers(1, 5),
       D=st.integers(1, 4), padding=st.booleans())
def test_embedding_gradcheck(shape, V, D, padding):
    rng = np.random.default_rng(len(shape) * 100 + V * 10 + D)
    ids = rng.integers(0, V, tuple(shape))
    w = nl.tensor(rng.standard_normal((V, D)), requires_grad=True)
    pad = int(rng.integers(0, V)) if padding else None
    # The padding row gets no gradient by design: mask its lookups out of the output so
    # that the numerical derivative is zero there too. (scale_grad_by_freq is not a
    # derivative either: it is checked against torch instead.)
    keep = nl.tensor((ids != pad)[..., None].astype(np.float64))
    assert nl.gradcheck(lambda w: embedding(ids, w, pad) * keep, [w])


def test_embedding_double_backward_matches_torch(torch):
    w_np = np.random.default_rng(2).standard_normal((6, 3))
    ids = np.array([[1, 2, 1], [5, 1, 0]])
    w, tw = nl.tensor(w_np, requires_grad=True), torch.tensor(w_np, requires_grad=True)
    (g,) = nl.autograd.grad((embedding(ids, w, padding_idx=0) ** 3).sum(), w,
                            create_graph=True)
    (tg,) = torch.autograd.grad((torch.nn.functional.embedding(torch.tensor(ids), tw,
                                                               padding_idx=0) ** 3).sum(),
                                tw, create_graph=True)
    _close(g, tg)
    (g * g).sum().backward()
    (tg * tg).sum().backward()
    _close(w.grad, tw.grad)


def test_embedding_bad_input():
    w = nl.randn(10, 3)
    with pytest.raises(IndexError, match=r"\[0, 9\] \(num_embeddings=10\), got ids in "
                                         r"\[1, 10\]"):
        embedding(nl.tensor([1, 10]), w)
    with pytest.raises(IndexError, match=r"num_embeddings=10.*\[-1, 2\]"):
        Embedding(10, 3)(nl.tensor([[2, -1]]))
    with pytest.raises(TypeError, match="integer token ids.*float32"):
        embedding(nl.tensor([1.0, 2.0]), w)
    with pytest.raises(ValueError, match=r"2-D.*\(10,\)"):
        embedding(nl.tensor([1]), nl.randn(10))
    with pytest.raises(ValueError, match="padding_idx must be within num_embeddings"):
        Embedding(10, 3, padding_idx=10)
    with pytest.raises(ValueError, match="num_embeddings must be a positive int"):
        Embedding(0, 3)
    assert embedding(nl.tensor(np.zeros((0,), np.int64)), w).shape == (0, 3)


# ============================================================================
# embedding_bag
# ============================================================================
FLAT = np.array([1, 2, 1, 4, 0, 3, 9, 1, 1, 6])
BAG_INPUTS = {
    "2d": (IDS, None, False),
    "offsets": (FLAT, np.array([0, 3, 3, 6]), False),          # bag 1 is empty
    "last_offset": (FLAT, np.array([0, 4, 4, 10]), True),
}
BAG_CASES = [(mode, form, pad, extra)
             for mode, form, pad in itertools.product(["sum", "mean", "max"], BAG_INPUTS,
                                                      [None, 1])
             for extra in ([{}, {"max_norm": 1.0}] if mode != "max" else [{}])] + [
    ("sum", "offsets", None, {"psw": True}), ("sum", "2d", 1, {"psw": True}),
    ("sum", "last_offset", 4, {"psw": True, "scale_grad_by_freq": True}),
    ("mean", "offsets", 1, {"scale_grad_by_freq": True}),
    ("max", "2d", None, {"max_norm": 2.0, "norm_type": 1.0})]


@pytest.mark.parametrize("mode,form,pad,extra", BAG_CASES)
def test_embedding_bag_matches_torch(torch, mode, form, pad, extra):
    extra = dict(extra)
    ids, offsets, last = BAG_INPUTS[form]
    psw = extra.pop("psw", False)
    # torch 2.13's CPU embedding_bag divides by the wrong counts with scale_grad_by_freq
    # (pytorch/pytorch#190063): compare with its unscaled gradient divided by the counts
    freq = extra.pop("scale_grad_by_freq", False)
    theirs = torch.nn.EmbeddingBag(10, 3, mode=mode, include_last_offset=last,
                                   padding_idx=pad, **extra).double()
    extra["scale_grad_by_freq"] = freq
    ours = EmbeddingBag(10, 3, mode=mode, include_last_offset=last, padding_idx=pad,
                        dtype=nl.float64, **extra)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs).replace("3, mode", "3, scale_grad_by_freq=True, mode"
                                              if freq else "3, mode")
    rng = np.random.default_rng(3)
    w_np = rng.standard_normal(ids.shape)
    w, tw = nl.tensor(w_np, requires_grad=True), torch.tensor(w_np, requires_grad=True)
    args = (nl.tensor(ids), None if offsets is None else nl.tensor(offsets))
    targs = (torch.tensor(ids), None if offsets is None else torch.tensor(offsets))
    y = ours(*args, per_sample_weights=w if psw else None)
    ty = theirs(*targs, per_sample_weights=tw if psw else None)
    _close(y, ty, "output")
    _close(ours.weight, theirs.weight, "weight after renorm")
    g = rng.standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.tensor(g))
    want = theirs.weight.grad.numpy()
    if freq:
        want = want / np.maximum(np.bincount(ids.ravel(), minlength=10), 1)[:, None]
    _close(ours.weight.grad, want, "weight grad")
    if psw:
        _close(w.grad, tw.grad, "per_sample_weights grad")


@given(mode=st.sampled_from(["sum", "mean", "max"]),
       lengths=st.lists(st.integers(0, 3), min_size=1, max_size=4),
       V=st.integers(1, 6), D=st.integers(1, 3), padding=st.booleans(), psw=st.booleans())
def test_embedding_bag_gradcheck(mode, lengths, V, D, padding, psw):
    rng = np.random.default_rng(sum(lengths) * 100 + V * 10 + D)
    ids = rng.integers(0, V, sum(lengths))
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    w = nl.tensor(rng.standard_normal((V, D)), requires_grad=True)
    pad = int(rng.integers(0, V)) if padding else None
    inputs = [w]
    if psw and mode == "sum":
        inputs.append(nl.tensor(rng.standard_normal(ids.shape), requires_grad=True))

    def f(w, psw=None):
        return embedding_bag(ids, w, offsets, mode=mode, per_sample_weights=psw,
                             padding_idx=pad)

    assert nl.gradcheck(f, inputs)


def test_embedding_bag_from_pretrained_and_init(torch):
    w = np.random.default_rng(4).standard_normal((5, 2))
    m = EmbeddingBag.from_pretrained(w, mode="sum")
    tm = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="sum")
    assert not m.weight.requires_grad and repr(m) == repr(tm)
    _close(m(nl.tensor([[1, 2], [4, 4]])), tm(torch.tensor([[1, 2], [4, 4]])))
    assert EmbeddingBag.from_pretrained(w, freeze=False).weight.requires_grad
    assert np.all(EmbeddingBag(6, 3, padding_idx=5).weight.array[5] == 0)


def test_embedding_bag_bad_input():
    w = nl.randn(10, 3)
    ids = nl.tensor([1, 2, 3, 4])
    with pytest.raises(ValueError, match="only supported for mode='sum'"):
        embedding_bag(ids, w, nl.tensor([0, 2]), per_sample_weights=nl.ones(4))
    with pytest.raises(ValueError, match="offsets\\[0\\] has to be 0"):
        embedding_bag(ids, w, nl.tensor([1, 2]))
    with pytest.raises(ValueError, match="offsets must be None"):
        embedding_bag(nl.tensor([[1, 2]]), w, nl.tensor([0]))
    with pytest.raises(ValueError, match="offsets has to be a 1-D tensor"):
        embedding_bag(ids, w)
    with pytest.raises(ValueError, match="non-decreasing"):
        embedding_bag(ids, w, nl.tensor([0, 3, 2]))
    with pytest.raises(ValueError, match="mode has to be one of"):
        EmbeddingBag(10, 3, mode="median")
    with pytest.raises(ValueError, match="max mode does not support"):
        embedding_bag(ids, w, nl.tensor([0]), mode="max", scale_grad_by_freq=True)
    with pytest.raises(ValueError, match=r"shape of input \(4,\), got \(3,\)"):
        embedding_bag(ids, w, nl.tensor([0]), mode="sum", per_sample_weights=nl.ones(3))
    with pytest.raises(IndexError, match="num_embeddings=10"):
        embedding_bag(nl.tensor([[1, 12]]), w)
    with pytest.raises(TypeError, match="integer token ids"):
        embedding_bag(nl.tensor([[1.0]]), w)
