"""Converters of attention: scaled dot-product attention and the multi-head core.

Notation (as ``nnlite/ops/attention.py``): N batch, H heads, L query length, S key
length, E model size, D = E / H. The graph follows nnlite's kernel step by step:

    A = q k^T * scale + mask        (N, H, L, S)
    P = softmax(A) over S, times ``alive`` (0 for a row masked everywhere)
    y = P v                         (N, H, L, D)

The multi-head core reads q, k, v packed in token layout (L, N, c*E) (or (N, L, c*E)
with batch_first): a Reshape to (.., c, H, D) with 0 for the two token dims keeps both
dynamic, a Transpose puts heads first, a Gather takes one slot.

``nn.MultiheadAttention`` converts whole when a mask it gets is computed from the graph's
inputs (a padding mask fed to the model, say): its forward turns masks into additive
arrays in NumPy, which the tracer cannot follow, so the converter builds them in the graph.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...nn.attention import MultiheadAttention
from ...ops import attention as att
from ...tensor import Tensor
from ..graph import Graph

__all__ = ["TABLE", "MODULES", "WHEN"]


def _attend(g: Graph, q: str, k: str, v: str, k_rank: int, scale: float,
            mask: str | None, alive: str | None, dt: np.dtype) -> tuple:
    """(y, P) from head-first q (.., L, D), k (.., S, D), v (.., S, Dv); ``mask`` and
    ``alive`` are names (or None) of arrays of dtype ``dt``."""
    kt = g.transpose(k, list(range(k_rank - 2)) + [k_rank - 1, k_rank - 2])
    a = g.node("Mul", [g.node("MatMul", [q, kt]), g.scalar(scale, dt)])
    if mask is not None:
        a = g.node("Add", [a, mask])
    p = g.node("Softmax", [a], axis=-1)
    if alive is not None:
        p = g.node("Mul", [p, alive])
    return g.node("MatMul", [p, v]), p


def _name(g: Graph, op: Any, v: Any, dt: np.dtype) -> str | None:
    """A mask-like argument's name in dtype ``dt`` (None for None)."""
    if v is None:
        return None
    return op.name(v) if v.dtype == dt else g.cast(op.name(v), dt)


def _no_dropout(op: Any, keep: Any) -> None:
    if keep is not None:
        op.fail("dropout on the attention weights (training mode) is not supported; the "
                "exporter runs the model in eval mode, so it was asked for explicitly")


def scaled_dot_product_attention(g: Graph, op: Any) -> str:
    mask, alive, keep, scale = op.get(3), op.get(4), op.get(5), float(op.plain(6))
    _no_dropout(op, keep)
    dt = op.out().dtype
    m, a = _name(g, op, mask, dt), _name(g, op, alive, dt)
    if m is not None and a is not None:          # dead rows: the mask's row zeroed
        live = g.node("Not", [g.node("Equal", [a, g.scalar(0, dt)])])
        m = g.node("Where", [live, m, g.scalar(0, dt)])
    y, _ = _attend(g, op.x(0), op.x(1), op.x(2), op.v(1).ndim, scale, m, a, dt)
    return y


def multihead_attention_core(g: Graph, op: Any) -> Any:
    """All heads at once between the in- and out-projections (see the module doc)."""
    xs = [i for i in (0, 1, 2) if op.get(i) is not None]
    H, bf, scale = int(op.plain(3)), bool(op.plain(4)), float(op.plain(5))
    mask, alive, keep, weights = op.get(6), op.get(7), op.get(8), op.plain(9)
    _no_dropout(op, keep)
    dt = op.out(0).dtype
    heads: dict = {}

    def split(i: int, slot: int, nslots: int) -> str:
        """(N, H, T, D) of slot ``slot`` of input ``i``."""
        if i not in heads:
            D = op.v(i).shape[-1] // (nslots * H)
            r = g.node("Reshape", [op.x(i), g.ints([0, 0, nslots, H, D])])
            heads[i] = g.transpose(r, [2, 0, 3, 1, 4] if bf else [2, 1, 3, 0, 4])
        return g.node("Gather", [heads[i], g.scalar(slot, np.int64)], axis=0)

    q, k, v = (split(xs[i], s, n) for i, s, n in att._PACKINGS[len(xs)])
    y, p = _attend(g, q, k, v, 4, scale, _name(g, op, mask, dt), _name(g, op, alive, dt), dt)
    y = g.transpose(y, [0, 2, 1, 3] if bf else [2, 0, 1, 3])          # token layout
    y = g.node("Reshape", [y, g.ints([0, 0, -1])])                    # (., ., E)
    if weights is None:
        return y
    if weights == "average":
        p = g.reduce("ReduceMean", p, [1], False)                     # (N, L, S)
    return [y, p]


# ============================================================================
# nn.MultiheadAttention whole, for masks that are inputs of the graph
# ============================================================================
def masks_from_inputs(module: Any, args: tuple, kwargs: dict, depends: Any) -> bool:
    """Whether a call of ``nn.MultiheadAttention`` gets a mask computed from the graph's
    inputs (``key_padding_mask`` or ``attn_mask`` a Tensor): the layer then converts
    whole, since its own forward turns masks into arrays, which the tracer cannot follow."""
    for name, pos in (("key_padding_mask", 3), ("attn_mask", 5)):
        m = kwargs.get(name, args[pos] if len(args) > pos else None)
        if isinstance(m, Tensor) and depends(m):
            return True
    return False


def _additive(g: Graph, op: Any, v: Any, dt: np.dtype) -> str:
    """A bool mask (True = masked) as 0 / -inf of ``dt``; a float mask cast to ``dt``."""
    name = op.name(v)
    if v.dtype == np.bool_:
        return g.node("Where", [name, g.scalar(-np.inf, dt), g.scalar(0, dt)])
    if v.dtype.kind != "f":
        op.fail(f"a mask of dtype {v.dtype} is not supported (bool or float)")
    return name if v.dtype == dt else g.cast(name, dt)


def multihead_attention_module(g: Graph, op: Any) -> list:
    """nn.MultiheadAttention's forward (``ops/multi_head_attention.py``) in ONNX ops, the
    masks built in the graph: projections, heads, scores + mask (rows masked everywhere
    give zero weights, as nnlite), softmax, values, out-projection."""
    m = op.module
    q, k, v = op.v("query", 0), op.v("key", 1), op.v("value", 2)
    kpm, need = op.get("key_padding_mask", 3), op.get("need_weights", 4, True)
    am, average = op.get("attn_mask", 5), op.get("average_attn_weights", 6, True)
    is_causal = op.get("is_causal", 7, False)
    if m.bias_k is not None or m.add_zero_attn:
        op.fail("add_bias_kv and add_zero_attn are not supported with masks that are inputs")
    if q.ndim != 3:
        op.fail("unbatched inputs are not supported with masks that are inputs")
    E, H, bf, dt = m.embed_dim, m.num_heads, m.batch_first, q.dtype
    D = E // H
    b = None if m.in_proj_bias is None else op.param(m.in_proj_bias)

    def project(x: Any, i: int) -> str:
        """x W_i^T + b_i, then (N, H, T, D)."""
        if m._qkv_same_embed_dim:
            w = g.slice(op.param(m.in_proj_weight), [i * E], [(i + 1) * E], [0])
        else:
            w = op.param((m.q_proj_weight, m.k_proj_weight, m.v_proj_weight)[i])
        y = g.node("MatMul", [op.name(x), g.transpose(w, [1, 0])])
        if b is not None:
            y = g.node("Add", [y, g.slice(b, [i * E], [(i + 1) * E], [0])])
        y = g.node("Reshape", [y, g.ints([0, 0, H, D])])
        return g.transpose(y, [0, 2, 1, 3] if bf else [1, 2, 0, 3])

    qh, kh, vh = project(q, 0), project(k, 1), project(v, 2)
    mask = None
    if is_causal and kpm is None and not need:         # nnlite's hint: its own causal mask
        L, S = q.shape[1 if bf else 0], k.shape[1 if bf else 0]
        if q.dynamic[1 if bf else 0] or k.dynamic[1 if bf else 0]:
            op.fail("is_causal with a dynamic sequence length is not supported")
        mask = g.const(np.triu(np.full((L, S), -np.inf, dt), 1))
    elif am is not None:
        mask = _additive(g, op, am, dt)
        if am.ndim == 3:                                 # (N*H, L, S) -> (N, H, L, S)
            mask = g.node("Reshape", [mask, g.node("Concat", [
                g.ints([-1, H]), g.shape_dims(mask, 1, 3)], axis=0)])
    if kpm is not None:
        pad = g.unsqueeze(_additive(g, op, kpm, dt), [1, 2])          # (N, 1, 1, S)
        mask = pad if mask is None else g.node("Add", [mask, pad])
    alive = None
    if mask is not None:                                 # rows masked everywhere
        live = g.node("Not", [g.node("Equal", [mask, g.scalar(-np.inf, dt)])])
        alive = g.reduce("ReduceMax", g.cast(live, dt), [-1], True)   # 1, or 0 if dead
        mask = g.node("Where", [g.node("Equal", [alive, g.scalar(0, dt)]),
                                g.scalar(0, dt), mask])
    y, p = _attend(g, qh, kh, vh, 4, 1.0 / float(np.sqrt(D)), mask, alive, dt)
    y = g.node("Reshape", [g.transpose(y, [0, 2, 1, 3] if bf else [2, 0, 1, 3]),
                           g.ints([0, 0, E])])
    y = g.node("MatMul", [y, g.transpose(op.param(m.out_proj.weight), [1, 0])])
    if m.out_proj.bias is not None:
        y = g.node("Add", [y, op.param(m.out_proj.bias)])
    if not need:
        return [y]
    return [y, g.reduce("ReduceMean", p, [1], False) if average else p]


TABLE = {
    att.ScaledDotProductAttention: scaled_dot_product_attention,
    att.MultiheadAttentionCore: multihead_attention_core,
}

MODULES = {MultiheadAttention: multihead_attention_module}
WHEN = {MultiheadAttention: masks_from_inputs}
