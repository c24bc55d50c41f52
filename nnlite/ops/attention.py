"""Scaled dot-product attention as fused autograd nodes.

Notation (Vaswani et al. 2017, "Attention is all you need"):
    B...   leading batch dims (for multi-head attention: N, H)
    L, S   query (target) and key (source) lengths
    E, Ev  query/key and value feature sizes; D = E / H per head in multi-head attention
    scale  1 / sqrt(E) unless given
    A = q k^T * scale + mask        (B.., L, S)  scores; mask is additive (0 or -inf for a
                                                 bool mask, any float for a float mask)
    P = softmax(A) over S            attention weights; a row whose mask is -inf everywhere
                                     gets P = 0 (so output 0), as torch's SDPA
    y = (P * keep) v                 (B.., L, Ev); keep is the dropout mask scaled by
                                     1/(1-p), or 1

Backward, with gy = dLoss/dy (closed forms; the softmax Jacobian is never built):
    dv = (P * keep)^T gy
    dP = (gy v^T) * keep
    dA = P * (dP - sum_S(dP * P))    softmax backward
    dq = dA k * scale,   dk = dA^T q * scale,   dmask = dA

One node computes the scores, the softmax and the weighted sum: nothing of size
(B.., L, S) but P (and the dropout mask) is kept for backward.

``MultiheadAttentionCore`` runs the same kernel on per-head *views* of the projected
inputs in token layout, (L, N, E) or (N, L, E): (L, N, E) -> (L, N, H, D) is a reshape and
(N, H, L, D) a transpose of that view, which ``np.matmul`` reads with strides, so the head
split, the head merge and the gradients of the packed QKV projection cost no copies.

The SDPA node's backward is an op of its own, ``AttentionBackward`` (the closed forms
above, on arrays, with the saved P); its backward, the second-order rule, recomputes P
from q and k with generic ops, so one rule serves backward and ``create_graph=True``.
The multi-head nodes run their backward on arrays and, under ``create_graph=True``, on
Tensors with P recomputed by differentiable ops; so every node can be differentiated
twice.

Sections: array kernels -- the composite form -- masks and dropout -- the SDPA node --
the multi-head nodes -- scaled_dot_product_attention.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..random import default_generator
from ..tensor import Function, Tensor
from ..factories import as_tensor
from .pointwise import Where
from .reduction import softmax
from . import buffers as _buf

__all__ = ["scaled_dot_product_attention", "ScaledDotProductAttention", "AttentionBackward",
           "MultiheadAttentionCore", "HeadsBackward", "additive_mask", "dropout_keep"]


# ============================================================================
# Array kernels
# ============================================================================
def _rowsum(a: np.ndarray) -> np.ndarray:
    """sum over the last axis, keepdims. A matrix-vector product with ones: NumPy's
    reduction over a short last axis runs a slow strided loop per row (4x slower here)."""
    return np.matmul(a, np.ones((a.shape[-1], 1), a.dtype))


def _mm(a: np.ndarray, b: np.ndarray, out: Any = None) -> np.ndarray:
    """a @ b into ``out``, or into a reused array (``buffers.py``)."""
    return _buf.matmul(a, b) if out is None else np.matmul(a, b, out=out)


def _softmax_(a: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place (stable: the row max is subtracted first)."""
    if a.shape[-1] == 0:
        return a
    a -= np.fmax.reduce(a, axis=-1, keepdims=True)    # fmax: faster than max on short rows
    np.exp(a, out=a)
    z = _rowsum(a)
    np.reciprocal(z, out=z)
    a *= z
    return a


def _attend(q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: float, mask: Any,
            alive: Any, keep: Any, out: Any = None) -> tuple:
    """Forward kernel on arrays: returns (y, P). ``mask``: additive scores mask or None;
    ``alive``: 0/1 per row (rows whose mask is all -inf get P = 0) or None; ``keep``:
    scaled dropout mask or None; ``out``: where to write y (may be a strided view)."""
    a = _mm(q, np.swapaxes(k, -1, -2))                                 # (B.., L, S)
    a *= a.dtype.type(scale)
    if mask is not None:
        if np.broadcast_shapes(a.shape, mask.shape) == a.shape:
            a += mask
        else:                                       # the mask has more batch dims
            a = a + mask
    p = _softmax_(a)
    if alive is not None:
        p *= alive
    pd = p if keep is None else np.multiply(p, keep, out=_buf.empty(p.shape, p.dtype))
    return _mm(pd, v, out), p


def _attend_backward(gy: Any, q: np.ndarray, k: np.ndarray, v: np.ndarray,
                     p: np.ndarray, keep: Any, scale: float, want: tuple,
                     outs: tuple = (None, None, None), gw: Any = None) -> tuple:
    """Backward kernel on arrays: (dq, dk, dv, dA) for the inputs in ``want`` (four
    bools); ``outs`` optionally gives where to write dq, dk, dv (strided views). dA is
    the gradient of the scores (that of an additive float mask). ``gw``: the gradient of
    the weights P * keep, or None; ``gy`` is None when only the weights have one."""
    want_q, want_k, want_v, want_mask = want
    dq = dk = dv = da = None
    if want_v:
        if gy is None:                      # the weights do not depend on v
            dv = np.zeros_like(v) if outs[2] is None else outs[2]
            dv[...] = 0
        else:
            pd = p if keep is None else np.multiply(p, keep, out=_buf.empty(p.shape, p.dtype))
            dv = _mm(np.swapaxes(pd, -1, -2), gy, outs[2])               # (B.., S, Ev)
    if want_q or want_k or want_mask:
        if gy is None:
            dp = np.empty_like(p)
            dp[...] = gw
        else:
            dp = _mm(gy, np.swapaxes(v, -1, -2))                        # (B.., L, S)
            if gw is not None:
                dp += gw
        if keep is not None:
            dp *= keep
        # sum_S(dP * P) with no (.., L, S) temporary; einsum rather than np.vecdot (NumPy 2
        # only), as fast on these shapes
        dp -= np.einsum("...s,...s->...", dp, p)[..., None]
        dp *= p                                                          # dA
        if want_mask:
            da = dp.copy() if (want_q or want_k) else dp
        dp *= dp.dtype.type(scale)
        if want_q:
            dq = _mm(dp, k, outs[0])                                     # (B.., L, E)
        if want_k:
            dk = _mm(np.swapaxes(dp, -1, -2), q, outs[1])                # (B.., S, E)
    return dq, dk, dv, da


# ============================================================================
# The composite form (differentiable ops): double backward, and the unfused baseline
# ============================================================================
def attention_composite(q: Tensor, k: Tensor, v: Tensor, scale: float, mask: Any = None,
                        alive: Any = None, keep: Any = None) -> tuple:
    """The forward of the fused kernel from generic nnlite ops; returns (y, P)."""
    a = (q @ k.swapaxes(-1, -2)) * scale
    if mask is not None:
        a = a + mask
    p = softmax(a, -1)
    if alive is not None:
        p = p * alive
    pd = p if keep is None else p * keep
    return pd @ v, p


# ============================================================================
# Masks and dropout
# ============================================================================
def additive_mask(mask: Any, dtype: np.dtype, name: str = "attn_mask",
                  true_means_keep: bool = True) -> np.ndarray:
    """A bool or float mask as an additive float array of ``dtype``.

    A bool mask becomes 0 where a position takes part and -inf where it does not: with
    ``true_means_keep`` (SDPA) True marks the positions that take part, otherwise
    (MultiheadAttention's attn_mask and key_padding_mask) True marks those masked out.
    A float mask is returned as is (cast to ``dtype``).
    """
    m = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype == np.bool_:
        take = m if true_means_keep else ~m
        return np.where(take, dtype.type(0), dtype.type(-np.inf))
    if m.dtype.kind != "f":
        raise TypeError(f"{name}: only bool and floating masks are supported, got dtype "
                        f"{m.dtype}")
    return m.astype(dtype, copy=False)


def dead_rows(mask: np.ndarray | None) -> tuple:
    """(mask, alive): rows of an additive mask that are -inf everywhere get a zero mask
    (so the softmax is finite) and alive = 0 (so their weights are 0), as torch's SDPA.
    ``alive`` is None when no row is dead."""
    if mask is None or mask.shape[-1] == 0:
        return mask, None
    dead = np.all(mask == -np.inf, axis=-1, keepdims=True)
    if not dead.any():
        return mask, None
    return np.where(dead, mask.dtype.type(0), mask), (~dead).astype(mask.dtype)


def dropout_keep(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray | None:
    """The scaled dropout mask keep/(1-p) from nnlite's generator; None when p == 0."""
    if p == 0.0:
        return None
    if p == 1.0:
        return np.zeros(shape, dtype)
    keep = default_generator().random(shape, dtype=np.float32) >= np.float32(p)
    return np.multiply(keep, dtype.type(1.0 / (1.0 - p)), dtype=dtype)


# ============================================================================
# SDPA: q (B.., L, E), k (B.., S, E), v (B.., S, Ev), batch dims broadcast
# ============================================================================
class ScaledDotProductAttention(Function):
    """y = softmax(q k^T * scale + mask) v in one node (see the module notation).

    Arguments: q, k, v; the additive mask (a Tensor when it gets a gradient, else an
    array or None); alive and keep (arrays or None); scale. Batch dims broadcast (the
    engine sums each gradient back to its input's shape). Backward is
    ``AttentionBackward``, an op of its own, so it can be differentiated again.
    """
    broadcasts = True

    @staticmethod
    def forward(ctx, q, k, v, mask, alive, keep, scale):
        ctx.scale = scale
        y, p = _attend(q, k, v, scale, _revive(mask, alive), alive, keep)
        ctx.save_for_backward(q, k, v, mask, alive, keep, p)
        return y

    @staticmethod
    def backward(ctx, gy):
        q, k, v, mask, alive, keep, p = ctx.saved_tensors
        want = ctx.needs_input_grad[:4]
        grads = iter(AttentionBackward.apply(gy, q, k, v, mask, p, alive, keep, ctx.scale,
                                             want))
        return tuple([next(grads) if w else None for w in want])


class AttentionBackward(Function):
    """The gradients (dq, dk, dv, dmask) of ``ScaledDotProductAttention`` (those in
    ``want`` only, in that order) from gy and the forward's P: the closed forms of the
    module notation, on the batch dims of the scores (not yet summed back to broadcast
    inputs). Its backward, the second-order rule, recomputes P from q, k and the mask
    with generic ops (``_second_order``)."""
    broadcasts = True

    @staticmethod
    def forward(ctx, gy, q, k, v, mask, p, alive, keep, scale, want):
        ctx.scale, ctx.want = scale, want
        ctx.save_for_backward(gy, q, k, v, mask, alive, keep)
        grads = _attend_backward(gy, q, k, v, p, keep, scale, want)
        return tuple([g for g in grads if g is not None])

    @staticmethod
    def backward(ctx, *ggs):
        gy, q, k, v, mask, alive, keep = ctx.saved_tensors
        ggs = iter(ggs)
        gq, gk, gv, gm = (next(ggs) if w else None for w in ctx.want)
        g_gy, _, g_q, g_k, g_v, g_m = _second_order(gy, None, q, k, v, mask, alive, keep,
                                                    ctx.scale, gq, gk, gv, gm)
        need = ctx.needs_input_grad
        return tuple([g if n else None for g, n in zip((g_gy, g_q, g_k, g_v, g_m), need)])


def _second_order(gy: Any, gw: Any, q: Any, k: Any, v: Any, mask: Any, alive: Any,
                  keep: Any, scale: float, gq: Any, gk: Any, gv: Any, gm: Any) -> tuple:
    """The gradients of (gy, gw, q, k, v, mask) of <gq, dq> + <gk, dk> + <gv, dv> + <gm, dA>,
    (dq, dk, dv, dA) the attention's backward closed forms (``None`` terms are absent),
    gw the gradient of the weights W = P * keep (None: none).
    With dP = (gy v^T + gw) * keep, c = sum_S(dP * P), dA = P * (dP - c):
        G_dA = (gq k^T + q gk^T) * scale + gm
        G_dP = P * (G_dA - sum_S(G_dA * P))
        G_P  = G_dA * (dP - c) - sum_S(G_dA * P) * dP + (gy gv^T) * keep
        G_gy = (G_dP * keep) v + W gv,   G_v = (G_dP * keep)^T gy,   G_gw = G_dP * keep
        G_q  = dA gk * scale + G_A k * scale,   G_k = dA^T gq * scale + G_A^T q * scale
        G_A  = P * (G_P - sum_S(G_P * P)) = G_mask         (softmax backward)
    P is recomputed from q, k and the mask with generic ops (the row max is a constant),
    so the rule runs on arrays and, recorded, on Tensors."""
    kt = k.swapaxes(-1, -2)
    a = (q @ kt) * scale
    if mask is not None:
        a = a + _revive(mask, alive)
    e = np.exp(a - np.asarray(a).max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    if alive is not None:
        p = p * alive
    w = p if keep is None else p * keep
    dp = None if gy is None else gy @ v.swapaxes(-1, -2)
    if gw is not None:
        dp = _plus(dp, gw)
    if keep is not None:
        dp = dp * keep
    c = (dp * p).sum(axis=-1, keepdims=True)
    da = p * (dp - c)
    gda = gm
    if gq is not None:
        gda = _plus(gda, (gq @ kt) * scale)
    if gk is not None:
        gda = _plus(gda, (q @ gk.swapaxes(-1, -2)) * scale)
    g_gy = g_gw = g_v = g_p = None
    if gda is not None:
        s = (gda * p).sum(axis=-1, keepdims=True)
        gdp = p * (gda - s)
        if keep is not None:
            gdp = gdp * keep
        if gy is not None:
            g_gy = gdp @ v
            g_v = gdp.swapaxes(-1, -2) @ gy
        g_gw = gdp
        g_p = gda * (dp - c) - s * dp
    if gv is not None and gy is not None:
        g_gy = _plus(g_gy, w @ gv)
        gw = gy @ gv.swapaxes(-1, -2)
        g_p = _plus(g_p, gw if keep is None else gw * keep)
    g_q = None if gk is None else (da @ gk) * scale
    g_k = None if gq is None else (da.swapaxes(-1, -2) @ gq) * scale
    g_a = None
    if g_p is not None:
        g_a = p * (g_p - (g_p * p).sum(axis=-1, keepdims=True))
        g_q = _plus(g_q, (g_a @ k) * scale)
        g_k = _plus(g_k, (g_a.swapaxes(-1, -2) @ q) * scale)
    return g_gy, g_gw, g_q, g_k, g_v, g_a


def _plus(a: Any, b: Any) -> Any:
    """a + b, where a may be None (no term yet)."""
    return b if a is None else a + b


def _revive(mask: Any, alive: Any) -> Any:
    """The additive mask with its dead rows zeroed (as ``dead_rows``); differentiable
    on a Tensor mask."""
    if mask is None or alive is None:
        return mask
    return Where.apply(mask, mask.dtype.type(0), alive != 0)


# ============================================================================
# The multi-head core: q, k, v given in token layout, heads as strided views
# ============================================================================
# How the inputs of the core hold q, k, v: (input index, slot, number of slots).
_PACKINGS = {1: ((0, 0, 3), (0, 1, 3), (0, 2, 3)),      # one (T, N, 3E) projection
             2: ((0, 0, 1), (1, 0, 2), (1, 1, 2)),      # q; k and v packed (T, N, 2E)
             3: ((0, 0, 1), (1, 0, 1), (2, 0, 1))}      # q, k, v each (T, N, E)


def split_heads(x: Any, slot: int, nslots: int, num_heads: int, batch_first: bool) -> Any:
    """Token layout (T, N, nslots*E) (or (N, T, ...) with batch_first) -> the (N, H, T, D)
    view of slot ``slot``; works on arrays (a view) and on Tensors (recorded ops)."""
    t0, t1, c = x.shape
    h = x.reshape(t0, t1, nslots, num_heads, c // (nslots * num_heads))[:, :, slot]
    perm = (0, 2, 1, 3) if batch_first else (1, 2, 0, 3)
    return h.transpose(perm) if isinstance(h, np.ndarray) else h.permute(perm)


def merge_heads(h: Any, batch_first: bool) -> Any:
    """(N, H, T, D) -> token layout (T, N, H*D) or (N, T, H*D) (arrays or Tensors)."""
    perm = (0, 2, 1, 3) if batch_first else (2, 0, 1, 3)
    t = h.transpose(perm) if isinstance(h, np.ndarray) else h.permute(perm)
    return t.reshape(t.shape[0], t.shape[1], -1)


def _views(xs: tuple, num_heads: int, batch_first: bool) -> list:
    """The (N, H, T, D) head views of q, k, v in the inputs (arrays or Tensors)."""
    return [split_heads(xs[i], s, n, num_heads, batch_first) for i, s, n in _PACKINGS[len(xs)]]


def _present(*xs: Any) -> tuple:
    """The inputs given (x1 and x2 are None when packed into x0 or x1)."""
    return tuple([x for x in xs if x is not None])


class MultiheadAttentionCore(Function):
    """The attention of all heads at once, between the in- and out-projections.

    Arguments: the inputs in token layout (T, N, c*E) (or (N, T, c*E) with
    ``batch_first``): one packed qkv projection x0 (self-attention; x1 = x2 = None), q
    and a packed kv (key is value; x2 = None), or q, k, v; then num_heads, batch_first,
    scale, mask (additive, broadcastable to (N, H, L, S)), alive, keep (dropout mask
    (N, H, L, S)) and ``weights``: None, "heads" or "average".
    Outputs: y (L, N, E) (or (N, L, E)), the heads merged, ready for the out-projection;
    with ``weights``, also W = P * keep, (N, H, L, S) or averaged over heads (N, L, S).
    Backward is ``HeadsBackward``, an op of its own.
    """

    @staticmethod
    def forward(ctx, x0, x1, x2, num_heads, batch_first, scale, mask, alive, keep, weights):
        ctx.num_heads, ctx.batch_first, ctx.scale = num_heads, batch_first, scale
        ctx.weights = weights
        q, k, v = _views(_present(x0, x1, x2), num_heads, batch_first)
        N, H, L, D = q.shape
        t0, t1 = (N, L) if batch_first else (L, N)
        y = _buf.empty((t0, t1, H, D), q.dtype)
        yh = y.transpose((0, 2, 1, 3) if batch_first else (1, 2, 0, 3))
        _, p = _attend(q, k, v, scale, mask, alive, keep, out=yh)
        ctx.save_for_backward(x0, x1, x2, mask, alive, keep, p)
        y = y.reshape(t0, t1, H * D)
        if weights is None:
            return y
        w = p if keep is None else p * keep
        return y, (w.mean(axis=1) if weights == "average" else w)

    @staticmethod
    def backward(ctx, gy, gw=None):
        x0, x1, x2, mask, alive, keep, p = ctx.saved_tensors
        if gw is not None and ctx.weights == "average":
            gw = gw.reshape(gw.shape[:1] + (1,) + gw.shape[1:]) * (1.0 / ctx.num_heads)
        want = ctx.needs_input_grad[:3]
        grads = iter(HeadsBackward.apply(gy, gw, x0, x1, x2, mask, p, alive, keep,
                                         ctx.num_heads, ctx.batch_first, ctx.scale, want))
        return tuple([next(grads) if w else None for w in want])


class HeadsBackward(Function):
    """The gradients of the inputs of ``MultiheadAttentionCore`` (those in ``want``
    only), from gy and gw (either may be None) and the forward's P: the closed forms of
    the module notation on head views, written into gradient arrays in the inputs'
    layout. Its backward, the second-order rule, recomputes P (``_second_order``); the
    weights' gradient is summed back to gw's shape by the engine (``broadcasts``)."""
    broadcasts = True

    @staticmethod
    def forward(ctx, gy, gw, x0, x1, x2, mask, p, alive, keep, num_heads, batch_first,
                scale, want):
        ctx.num_heads, ctx.batch_first, ctx.scale, ctx.want = num_heads, batch_first, scale, want
        ctx.save_for_backward(gy, gw, x0, x1, x2, mask, alive, keep)
        xs = _present(x0, x1, x2)
        packing = _PACKINGS[len(xs)]
        bufs = [_buf.empty(x.shape, x.dtype) if want[i] else None for i, x in enumerate(xs)]
        outs = tuple([None if bufs[i] is None else split_heads(bufs[i], s, n, num_heads,
                                                                batch_first)
                      for i, s, n in packing])
        q, k, v = _views(xs, num_heads, batch_first)
        gyh = None if gy is None else split_heads(gy, 0, 1, num_heads, batch_first)
        _attend_backward(gyh, q, k, v, p, keep, scale,
                         tuple([want[i] for i, _, _ in packing]) + (False,), outs, gw)
        return tuple([b for b in bufs if b is not None])

    @staticmethod
    def backward(ctx, *ggs):
        gy, gw, x0, x1, x2, mask, alive, keep = ctx.saved_tensors
        xs = _present(x0, x1, x2)
        H, bf = ctx.num_heads, ctx.batch_first
        ggs = iter(ggs)
        gxs = [next(ggs) if w else None for w in ctx.want[:len(xs)]]
        heads = [None if gxs[i] is None else split_heads(gxs[i], s, n, H, bf)
                 for i, s, n in _PACKINGS[len(xs)]]
        q, k, v = _views(xs, H, bf)
        gyh = None if gy is None else split_heads(gy, 0, 1, H, bf)
        g_gy, g_gw, g_q, g_k, g_v, _ = _second_order(gyh, gw, q, k, v, mask, alive, keep,
                                                     ctx.scale, *heads, None)
        need = ctx.needs_input_grad
        g_gy = merge_heads(g_gy, bf) if need[0] and g_gy is not None else None
        g_gw = g_gw if need[1] else None
        return (g_gy, g_gw) + _assemble(xs, (g_q, g_k, g_v), need[2:5], bf)


def _assemble(xs: tuple, heads: tuple, need: tuple, batch_first: bool) -> tuple:
    """Head gradients (dq, dk, dv) (N, H, T, D) (None: zero) -> the gradients of the
    inputs in token layout, the slots of a packed input side by side (``MergeSlots``)."""
    grads = []
    for i, x in enumerate(xs):
        slots = [j for j, (src, _, _) in enumerate(_PACKINGS[len(xs)]) if src == i]
        if not need[i] or all(heads[j] is None for j in slots):
            grads.append(None)
            continue
        parts = [merge_heads(heads[j], batch_first) if heads[j] is not None else None
                 for j in slots]
        like = next(t for t in parts if t is not None)
        parts = [like * 0 if t is None else t for t in parts]
        grads.append(parts[0] if len(parts) == 1 else MergeSlots.apply(*parts))
    return tuple(grads)


class MergeSlots(Function):
    """y = the inputs (T, N, E) side by side (T, N, c*E);  gx_i = gy's slot i."""

    @staticmethod
    def forward(ctx, *parts):
        ctx.size = parts[0].shape[-1]
        return np.concatenate(parts, axis=-1)

    @staticmethod
    def backward(ctx, gy):
        E = ctx.size
        return tuple([gy[..., i * E:(i + 1) * E] for i in range(gy.shape[-1] // E)])


# ============================================================================
# scaled_dot_product_attention
# ============================================================================
def _shape_str(shape: tuple) -> str:
    return str(tuple(shape))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Any = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None) -> Tensor:
    """softmax(query key^T * scale + mask) value, in one fused node.

    Args:
        query (Tensor): ``(*, L, E)``.
        key (Tensor): ``(*, S, E)``.
        value (Tensor): ``(*, S, Ev)``. The leading dims of the three broadcast together.
        attn_mask (optional): broadcastable to ``(*, L, S)``. A bool mask marks with True
            the positions that take part in attention (False ones get weight 0); a float
            mask is added to the scores (and gets a gradient if it requires one).
            A query whose keys are all masked out gets weight 0 everywhere and output 0
            (as torch). Default: None.
        dropout_p (float): dropout probability on the attention weights; applied
            whenever > 0 (there is no training flag, as in torch). Default: 0.0.
        is_causal (bool): mask out key j > query i (a lower-triangular (L, S) mask,
            aligned top left); may not be combined with ``attn_mask``. Default: False.
        scale (float, optional): Default: 1 / sqrt(E).

    Shape:
        output (*, L, Ev), * the broadcast of the inputs' leading dims.

    Example:
        >>> q, k, v = nl.randn(2, 8, 5, 16), nl.randn(2, 8, 7, 16), nl.randn(2, 8, 7, 4)
        >>> scaled_dot_product_attention(q, k, v).shape
        (2, 8, 5, 4)
    """
    op = "scaled_dot_product_attention"
    q, k, v = as_tensor(query), as_tensor(key), as_tensor(value)
    for name, t in (("query", q), ("key", k), ("value", v)):
        if t.ndim < 2:
            raise ValueError(f"{op}: {name} must have at least 2 dims (*, length, features), "
                             f"got shape {_shape_str(t.shape)}")
        if t.dtype.kind != "f":
            raise TypeError(f"{op}: {name} must be floating, got dtype {t.dtype}")
    if not q.dtype == k.dtype == v.dtype:
        raise TypeError(f"{op}: query, key and value must have the same dtype, got "
                        f"{q.dtype}, {k.dtype} and {v.dtype}")
    L, E = q.shape[-2:]
    S = k.shape[-2]
    if k.shape[-1] != E:
        raise ValueError(f"{op}: query and key must have the same feature size E, got "
                         f"query {_shape_str(q.shape)} and key {_shape_str(k.shape)}")
    if v.shape[-2] != S:
        raise ValueError(f"{op}: key and value must have the same length S, got key "
                         f"{_shape_str(k.shape)} and value {_shape_str(v.shape)}")
    try:
        batch = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"{op}: the batch dims of query {_shape_str(q.shape)}, key "
                         f"{_shape_str(k.shape)} and value {_shape_str(v.shape)} cannot be "
                         f"broadcast together") from None
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{op}: dropout_p must be in [0, 1], got {dropout_p}")
    scale = 1.0 / math.sqrt(E) if scale is None else float(scale)
    dt = q.dtype
    mask = mask_input = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(f"{op}: Explicit attn_mask should not be set when "
                               f"is_causal=True")
        mask = np.triu(np.full((L, S), -np.inf, dt), 1)
    elif attn_mask is not None:
        mshape = tuple(np.shape(attn_mask.array if isinstance(attn_mask, Tensor)
                                else attn_mask))
        try:
            ok = np.broadcast_shapes(mshape, batch + (L, S))[-2:] == (L, S)
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{op}: attn_mask of shape {mshape} cannot be broadcast to "
                             f"the attention scores (*, L, S) = {batch + (L, S)}")
        mask = additive_mask(attn_mask, dt)
        if isinstance(attn_mask, Tensor) and attn_mask.requires_grad \
                and attn_mask.dtype.kind == "f":
            mask_input = attn_mask if attn_mask.dtype == dt else attn_mask.astype(dt)
    mask, alive = dead_rows(mask)
    out_batch = batch if mask is None else np.broadcast_shapes(batch, mask.shape[:-2])
    keep = dropout_keep(out_batch + (L, S), float(dropout_p), dt)
    return ScaledDotProductAttention.apply(q, k, v, mask if mask_input is None else mask_input,
                                           alive, keep, scale)
