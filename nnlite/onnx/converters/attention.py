"""Converters of attention: scaled dot-product attention and the multi-head core.

Notation (as ``nnlite/ops/attention.py``): N batch, H heads, L query length, S key
length, E model size, D = E / H. The graph follows nnlite's kernel step by step:

    A = q k^T * scale + mask        (N, H, L, S)
    P = softmax(A) over S, times ``alive`` (0 for a row masked everywhere)
    y = P v                         (N, H, L, D)

The multi-head core reads q, k, v packed in token layout (L, N, c*E) (or (N, L, c*E)
with batch_first): a Reshape to (.., c, H, D) with 0 for the two token dims keeps both
dynamic, a Transpose puts heads first, a Gather takes one slot.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...ops import attention as att
from ..graph import Graph

__all__ = ["TABLE"]


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


TABLE = {
    att.ScaledDotProductAttention: scaled_dot_product_attention,
    att.MultiheadAttentionCore: multihead_attention_core,
}
