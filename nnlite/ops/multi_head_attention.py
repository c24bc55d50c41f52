"""``multi_head_attention_forward``: multi-head attention (Vaswani et al. 2017) with the
given weights, torch's function of the same name; ``nn.MultiheadAttention`` calls it.

Notation: L target length, S source length, N batch, E embed_dim, H num_heads,
D = E / H the size of a head. Inputs are (L, N, E) (or (N, L, E) with ``batch_first``),
or unbatched (L, E).

    q = query W_q^T + b_q,   k = key W_k^T + b_k,   v = value W_v^T + b_v
    head_h = softmax(q_h k_h^T / sqrt(D) + mask) v_h        for h = 1..H, at once
    output = concat(head_1 .. head_H) W_o^T + b_o

For self-attention (``query is key is value``) the three projections are one matmul with
the (3E, E) ``in_proj_weight``; for ``key is value`` k and v are one (2E, E) matmul. The
heads are strided views of the projection output (no copies); all heads attend in one
fused node (``MultiheadAttentionCore`` in ``attention.py``). The masks are described in
``nnlite/nn/attention.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from . import attention as _attn
from .linear import linear
from .shape import cat

__all__ = ["multi_head_attention_forward"]


# ============================================================================
# Checks
# ============================================================================
def _shape(x: Any) -> tuple:
    return tuple(np.shape(x.array if isinstance(x, Tensor) else x))


def _check_inputs(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Any,
                  attn_mask: Any, num_heads: int, batch_first: bool) -> bool:
    """torch's ``_mha_shape_check``, plus the batch and length agreements; returns whether
    the inputs are batched."""
    op = "multi_head_attention_forward"
    qs, ks, vs = query.shape, key.shape, value.shape
    layout = "(N, L, E)" if batch_first else "(L, N, E)"
    if len(qs) == 3:
        if len(ks) != 3 or len(vs) != 3:
            raise ValueError(f"{op}: for batched (3-D) query {qs}, expected key and value to "
                             f"be 3-D {layout}, got shapes {ks} and {vs}")
        if key_padding_mask is not None and len(_shape(key_padding_mask)) != 2:
            raise ValueError(f"{op}: for batched (3-D) query, expected key_padding_mask of "
                             f"shape (N, S), got shape {_shape(key_padding_mask)}")
        b = 0 if batch_first else 1
        if ks[b] != qs[b] or vs[b] != qs[b]:
            raise ValueError(f"{op}: query, key and value must have the same batch size "
                             f"(dim {b} of {layout}), got query {qs}, key {ks}, value {vs}")
    elif len(qs) == 2:
        if len(ks) != 2 or len(vs) != 2:
            raise ValueError(f"{op}: for unbatched (2-D) query {qs}, expected key and value "
                             f"to be 2-D (S, E), got shapes {ks} and {vs}")
        if key_padding_mask is not None and len(_shape(key_padding_mask)) != 1:
            raise ValueError(f"{op}: for unbatched (2-D) query, expected key_padding_mask of "
                             f"shape (S,), got shape {_shape(key_padding_mask)}")
        if attn_mask is not None and len(_shape(attn_mask)) == 3:
            want = (num_heads, qs[0], ks[0])
            if _shape(attn_mask) != want:
                raise ValueError(f"{op}: for unbatched (2-D) query, expected a 3-D attn_mask "
                                 f"of shape {want} (num_heads, L, S), got shape "
                                 f"{_shape(attn_mask)}")
    else:
        raise ValueError(f"{op}: query should be unbatched 2-D (L, E) or batched 3-D "
                         f"{layout}, got shape {qs}")
    s = 1 if (len(qs) == 3 and batch_first) else 0
    if ks[s] != vs[s]:
        raise ValueError(f"{op}: key and value must have the same length S, got key {ks} and "
                         f"value {vs}")
    if attn_mask is not None and len(_shape(attn_mask)) not in (2, 3):
        raise ValueError(f"{op}: attn_mask must be 2-D (L, S) or 3-D (N*num_heads, L, S), "
                         f"got shape {_shape(attn_mask)}")
    return len(qs) == 3


def _check_last(op: str, name: str, x: Tensor, size: int) -> None:
    if x.shape[-1] != size:
        raise ValueError(f"{op}: expected {name} with last dim {size}, got shape "
                         f"{tuple(x.shape)}")


def _unsqueeze_batch(x: Tensor, batch_first: bool) -> Tensor:
    return x.reshape((1,) + x.shape if batch_first else x.shape[:1] + (1,) + x.shape[1:])


def _seq_cat(x: Tensor, extra: Tensor, batch_first: bool) -> Tensor:
    """Append ``extra`` (1, 1, E), broadcast over the batch, as one more source position."""
    N = x.shape[0] if batch_first else x.shape[1]
    return cat([x, extra.expand(N, 1, x.shape[2]) if batch_first
                else extra.expand(1, N, x.shape[2])], 1 if batch_first else 0)


def _pad_last(m: np.ndarray | None, n: int) -> np.ndarray | None:
    """Append ``n`` zero columns (attend) to an additive mask."""
    if m is None or n == 0:
        return m
    return np.concatenate([m, np.zeros(m.shape[:-1] + (n,), m.dtype)], axis=-1)


# ============================================================================
# The functional form
# ============================================================================
def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float,
        out_proj_weight: Tensor, out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Any = None, need_weights: bool = True, attn_mask: Any = None,
        use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
        k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None,
        static_k: Tensor | None = None, static_v: Tensor | None = None,
        average_attn_weights: bool = True, is_causal: bool = False, *,
        batch_first: bool = False) -> tuple:
    """Multi-head attention with the given weights (torch's function of the same name).

    Args:
        query (Tensor): (L, N, E), or (N, L, E) with ``batch_first``, or unbatched (L, E).
        key (Tensor): (S, N, kdim) (or (N, S, kdim)) or (S, kdim).
        value (Tensor): (S, N, vdim) (or (N, S, vdim)) or (S, vdim).
        embed_dim_to_check (int): E, checked against the query.
        num_heads (int): H; must divide E.
        in_proj_weight (Tensor or None): (3E, E) packed q/k/v projection.
        in_proj_bias (Tensor or None): (3E,).
        bias_k, bias_v (Tensor or None): (1, 1, E), appended to k and v as one more
            source position (both or neither).
        add_zero_attn (bool): append a zero key and value as one more source position.
        dropout_p (float): dropout on the attention weights (in training only).
        out_proj_weight (Tensor): (E, E). out_proj_bias (Tensor or None): (E,).
        training (bool): apply dropout. Default: True.
        key_padding_mask (optional): (N, S) or (S,); bool True = ignore that key, or
            float added. Default: None.
        need_weights (bool): also return the attention weights. Default: True.
        attn_mask (optional): (L, S) or (N*H, L, S); bool True = may not attend, or
            float added. Default: None.
        use_separate_proj_weight (bool): use q/k/v_proj_weight ((E, E), (E, kdim),
            (E, vdim)) instead of in_proj_weight. Default: False.
        static_k, static_v (Tensor or None): (N*H, S, D) keys / values used as they are
            instead of projecting ``key`` / ``value``. Default: None.
        average_attn_weights (bool): average the returned weights over the heads.
            Default: True.
        is_causal (bool): a hint that ``attn_mask`` is the causal mask; requires
            ``attn_mask`` (as torch). Default: False.
        batch_first (bool, keyword only): inputs are (N, L, E) (an nnlite extension:
            torch's function is always (L, N, E)). Default: False.

    Returns:
        (output, weights): output (L, N, E) (or (N, L, E), or (L, E)); weights
        (N, L, S) averaged or (N, H, L, S) (unbatched: (L, S) or (H, L, S)), after
        dropout as torch, or None when ``need_weights`` is False.
    """
    op = "multi_head_attention_forward"
    q_in, k_in, v_in = query, key, value
    is_batched = _check_inputs(query, key, value, key_padding_mask, attn_mask, num_heads,
                               batch_first)
    if not is_batched:
        query = _unsqueeze_batch(query, batch_first)
        key = query if k_in is q_in else _unsqueeze_batch(key, batch_first)
        value = key if v_in is k_in else _unsqueeze_batch(value, batch_first)
        if key_padding_mask is not None:
            key_padding_mask = np.asarray(_shape_data(key_padding_mask))[None]
    if batch_first:
        bsz, tgt_len, embed_dim = query.shape
        src_len = key.shape[1]
    else:
        tgt_len, bsz, embed_dim = query.shape
        src_len = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise ValueError(f"{op}: was expecting embedding dimension of {embed_dim_to_check}, "
                         f"but got query of shape {tuple(q_in.shape)}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise ValueError(f"{op}: embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    dt = query.dtype
    if dt.kind != "f":
        raise TypeError(f"{op}: query must be floating, got dtype {dt}")

    # ---- masks: one additive array broadcastable to (N, H, L, S) ----------------------
    kpm = None
    if key_padding_mask is not None:
        if _shape(key_padding_mask) != (bsz, src_len):
            raise ValueError(f"{op}: expected key_padding_mask of shape (N, S) = "
                             f"{(bsz, src_len)}, got shape {_shape(key_padding_mask)}")
        kpm = _attn.additive_mask(key_padding_mask, dt, "key_padding_mask", False)
    if is_causal and attn_mask is None:
        raise RuntimeError(f"{op}: Need attn_mask if specifying the is_causal hint. You may "
                           f"use the Transformer module method "
                           f"`generate_square_subsequent_mask` to create this mask.")
    causal = is_causal and kpm is None and not need_weights      # the hint, as torch
    am = None
    if attn_mask is not None and not causal:
        ms = _shape(attn_mask)
        want = (tgt_len, src_len) if len(ms) == 2 else (bsz * num_heads, tgt_len, src_len)
        if ms != want:
            raise ValueError(f"{op}: the shape of the {len(ms)}D attn_mask is {ms}, but "
                             f"should be {want}")
        am = _attn.additive_mask(attn_mask, dt, "attn_mask", False)
        if am.ndim == 3:
            am = am.reshape(bsz, num_heads, tgt_len, src_len)

    # ---- in-projection --------------------------------------------------------------
    E = embed_dim
    b = in_proj_bias
    bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
    extra = int(bias_k is not None) + int(bool(add_zero_attn))
    if (bias_k is None) != (bias_v is None):
        raise ValueError(f"{op}: bias_k and bias_v must be given together")
    packed = not use_separate_proj_weight and extra == 0 and static_k is None \
        and static_v is None
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise ValueError(f"{op}: use_separate_proj_weight is False but in_proj_weight "
                             f"is None")
        _check_last(op, "key", key, E)
        _check_last(op, "value", value, E)
        W = in_proj_weight
        wq, wk, wv = W[:E], W[E:2 * E], W[2 * E:]
    else:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise ValueError(f"{op}: use_separate_proj_weight is True but q_proj_weight, "
                             f"k_proj_weight or v_proj_weight is None")
        _check_last(op, "key", key, k_proj_weight.shape[1])
        _check_last(op, "value", value, v_proj_weight.shape[1])
        wq, wk, wv = q_proj_weight, k_proj_weight, v_proj_weight
    if packed and query is key and key is value:
        inputs = (linear(query, W, b),)                          # (L, N, 3E): one matmul
    elif packed and key is value:
        inputs = (linear(query, wq, bq), linear(key, W[E:], None if b is None else b[E:]))
    else:
        q = linear(query, wq, bq)
        k = _static(static_k, bsz, num_heads, head_dim, batch_first, "static_k") \
            if static_k is not None else linear(key, wk, bk)
        v = _static(static_v, bsz, num_heads, head_dim, batch_first, "static_v") \
            if static_v is not None else linear(value, wv, bv)
        if bias_k is not None:
            if static_k is not None or static_v is not None:
                raise ValueError(f"{op}: bias cannot be added to static key or value")
            k, v = _seq_cat(k, bias_k, batch_first), _seq_cat(v, bias_v, batch_first)
        if add_zero_attn:
            zero = Tensor(np.zeros((1, 1, E), dt))
            k, v = _seq_cat(k, zero, batch_first), _seq_cat(v, zero, batch_first)
        inputs = (q, k, v)
        src_len = k.shape[1] if batch_first else k.shape[0]
        if v.shape != k.shape:
            raise ValueError(f"{op}: static_k and static_v give keys {tuple(k.shape)} and "
                             f"values {tuple(v.shape)} of different shapes")
        am, kpm = _pad_last(am, extra), _pad_last(kpm, extra)

    # ---- attention ---------------------------------------------------------------------
    if causal:
        mask = np.triu(np.full((tgt_len, src_len), -np.inf, dt), 1)
    elif kpm is None:
        mask = am
    else:
        kpm = kpm.reshape(bsz, 1, 1, src_len)
        mask = kpm if am is None else am + kpm
    mask, alive = _attn.dead_rows(mask)
    p = float(dropout_p) if training else 0.0
    keep = _attn.dropout_keep((bsz, num_heads, tgt_len, src_len), p, dt)
    scale = 1.0 / float(np.sqrt(head_dim))
    mode = ("average" if average_attn_weights else "heads") if need_weights else None
    inputs += (None,) * (3 - len(inputs))
    out = _attn.MultiheadAttentionCore.apply(*inputs, num_heads, batch_first, scale, mask,
                                             alive, keep, mode)   # (L, N, E)
    weights = None
    if need_weights:
        out, weights = out
    out = linear(out, out_proj_weight, out_proj_bias)
    if not is_batched:
        out = out.reshape(out.shape[1:] if batch_first else out.shape[:1] + out.shape[2:])
        if weights is not None:
            weights = weights.reshape(weights.shape[1:])
    return out, weights


def _shape_data(m: Any) -> np.ndarray:
    return m.array if isinstance(m, Tensor) else np.asarray(m)


def _static(t: Tensor, bsz: int, num_heads: int, head_dim: int, batch_first: bool,
            name: str) -> Tensor:
    """static_k / static_v (N*H, S, D) -> token layout (S, N, E) or (N, S, E)."""
    shape = tuple(t.shape)
    if len(shape) != 3 or shape[0] != bsz * num_heads or shape[2] != head_dim:
        raise ValueError(f"multi_head_attention_forward: expected {name} of shape "
                         f"(N*num_heads, S, head_dim) = ({bsz * num_heads}, S, {head_dim}), "
                         f"got shape {shape}")
    t = t.reshape(bsz, num_heads, shape[1], head_dim)
    t = t.permute(0, 2, 1, 3) if batch_first else t.permute(2, 0, 1, 3)
    return t.reshape(t.shape[0], t.shape[1], num_heads * head_dim)
