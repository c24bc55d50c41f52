"""Tests of nnlite/ops/attention.py at the op level: ``scaled_dot_product_attention``
(the ``ScaledDotProductAttention`` node) and its backward op ``AttentionBackward``.
``MultiheadAttention`` and the multi-head node are tested in tests/nn/test_attention.py.

- float64 gradchecks on hypothesis-drawn small shapes (broadcast batch dims) and masks,
  of the gradient and of the gradient's own gradient (double backward);
- torch parity (float64) of outputs, gradients and second-order gradients, with bool,
  float (differentiable) and causal masks, and fully masked rows;
- on arrays alone the ops only run forward.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnlite as nl
from nnlite.ops.attention import (AttentionBackward, ScaledDotProductAttention,
                                  scaled_dot_product_attention as sdpa)

from ._parity import assert_close


def rng(seed=0):
    return np.random.default_rng(seed)


def leaf(a):
    return nl.tensor(a, requires_grad=True)


close = partial(assert_close, rtol=1e-9)        # the float64 tolerance here: rtol 1e-9


@st.composite
def attention_case(draw):
    """Broadcasting batch dims for q, k, v, small L, S, E, Ev and a mask kind."""
    batch = tuple(draw(st.lists(st.integers(1, 2), min_size=0, max_size=2)))
    qb = tuple(draw(st.sampled_from([1, n])) for n in batch)
    L, S, E, Ev = (draw(st.integers(1, 3)) for _ in range(4))
    kind = draw(st.sampled_from(["none", "bool", "float", "float_grad", "causal"]))
    return batch, qb, L, S, E, Ev, kind, draw(st.integers(0, 2 ** 16))


def _inputs(case):
    batch, qb, L, S, E, Ev, kind, seed = case
    r = rng(seed)
    xs = [leaf(r.standard_normal(qb + (L, E))), leaf(r.standard_normal(batch + (S, E))),
          leaf(r.standard_normal(batch + (S, Ev)))]
    kw = {}
    if kind == "bool":
        kw["attn_mask"] = r.random((L, S)) > 0.3            # fully masked rows allowed
    elif kind == "float":
        kw["attn_mask"] = r.standard_normal((L, S))
    elif kind == "causal":
        kw["is_causal"] = True
    elif kind == "float_grad":
        xs.append(leaf(r.standard_normal((L, S))))
    return xs, kw


def _attend(kw):
    if len(kw) == 0:
        return lambda q, k, v, m=None: sdpa(q, k, v) if m is None else sdpa(q, k, v, attn_mask=m)
    return lambda q, k, v: sdpa(q, k, v, **kw)


@given(attention_case())
def test_sdpa_gradcheck_broadcast_batch(case):
    xs, kw = _inputs(case)
    assert nl.gradcheck(_attend(kw), xs)


@given(attention_case())
def test_sdpa_double_backward_gradcheck(case):
    """The gradient itself (AttentionBackward) against central differences."""
    xs, kw = _inputs(case)
    fn = _attend(kw)
    gy = rng(1).standard_normal(fn(*xs).shape)

    def grads(*ts):
        with nl.enable_grad():                          # gradcheck perturbs under no_grad
            ts = [t if t.requires_grad else leaf(t.array) for t in ts]
            y = fn(*ts)
            return nl.autograd.grad((y * nl.tensor(gy)).sum(), ts, create_graph=True)
    assert nl.gradcheck(grads, xs)


@pytest.mark.parametrize("kind", ["none", "bool", "float_grad", "causal", "dead_row"])
def test_sdpa_matches_torch_to_second_order(torch, kind):
    F = torch.nn.functional
    shapes = [(2, 3, 4), (1, 5, 4), (2, 5, 3)]
    arrays = [rng(i).standard_normal(s) for i, s in enumerate(shapes)]
    xs = [leaf(a) for a in arrays]
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    kw, tkw = {}, {}
    if kind == "bool" or kind == "dead_row":
        m = rng(4).random((3, 5)) > 0.4
        m[:, 0] = True
        if kind == "dead_row":
            m[1] = False
        kw["attn_mask"], tkw["attn_mask"] = m, torch.tensor(m)
    elif kind == "float_grad":
        m = rng(4).standard_normal((3, 5))
        xs.append(leaf(m))
        txs.append(torch.tensor(m, requires_grad=True))
        kw["attn_mask"], tkw["attn_mask"] = xs[3], txs[3]
    elif kind == "causal":
        kw["is_causal"] = tkw["is_causal"] = True
    y = sdpa(*xs[:3], **kw)
    ty = F.scaled_dot_product_attention(*txs[:3], **tkw)
    close(y, ty)
    gy = rng(8).standard_normal(y.shape)
    gs = nl.autograd.grad((y * nl.tensor(gy)).sum(), xs, create_graph=True)
    tgs = torch.autograd.grad((ty * torch.tensor(gy)).sum(), txs, create_graph=True)
    for g, tg in zip(gs, tgs):
        close(g, tg)
    if kind == "dead_row":
        assert np.all(y.array[:, 1] == 0)
        assert np.all(gs[0].array[:, 1] == 0)
    h = nl.autograd.grad(sum((g * g).sum() for g in gs), xs)
    th = torch.autograd.grad(sum((g * g).sum() for g in tgs), txs)
    for a, b in zip(h, th):
        close(a, b, rtol=1e-8)


def test_sdpa_is_one_node_whose_backward_is_an_op():
    xs = [leaf(rng(i).standard_normal((2, 3))) for i in range(3)]
    y = sdpa(*xs)
    assert y.grad_fn.name() == "ScaledDotProductAttentionBackward"
    assert y.grad_fn.parents[:3] == tuple(x._node for x in xs)
    (g,) = nl.autograd.grad(y.sum(), xs[0], create_graph=True)
    assert g.grad_fn is not None
    assert "AttentionBackwardBackward" in {n.name() for n in _graph(g.grad_fn)}


def _graph(node):
    """Every node reachable from ``node`` (OutputEdge nodes included)."""
    seen, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        stack.extend(n.parents or ())
    return seen


def test_on_arrays_only_forward_runs():
    q, k, v = (rng(i).standard_normal((2, 3, 4)) for i in range(3))
    y = ScaledDotProductAttention.apply(q, k, v, None, None, None, 0.5)
    assert isinstance(y, np.ndarray)
    close(sdpa(nl.tensor(q), nl.tensor(k), nl.tensor(v), scale=0.5), y)
    p = np.exp(q @ k.swapaxes(-1, -2) * 0.5)
    p /= p.sum(-1, keepdims=True)
    gy = rng(5).standard_normal((2, 3, 4))
    dq, dv = AttentionBackward.apply(gy, q, k, v, None, p, None, None, 0.5,
                                     (True, False, True, False))
    assert isinstance(dq, np.ndarray) and dv.shape == v.shape
    close(dv, p.swapaxes(-1, -2) @ gy)
