"""Converters of the recurrent layers, taken whole: ``nn.LSTM``, ``nn.GRU``, ``nn.RNN``.

One ONNX ``LSTM`` / ``GRU`` / ``RNN`` node per layer (both directions in one node),
reading the layer's ``state_dict`` parameters: ONNX orders the gates otherwise, so each
weight goes through a ``Gather`` of its rows (ONNX Runtime folds it when it loads the
model) and the directions are stacked. Notation: T time steps, N batch, H hidden size,
D directions, G gates (4 LSTM, 3 GRU, 1 RNN).

    torch  LSTM i f g o   GRU r z n            ONNX  LSTM i o f c   GRU z r h
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...nn.recurrent import GRU, LSTM, RNN
from ...nn.utils.rnn import PackedSequence
from ..graph import Graph
from ..tracing import Slot

__all__ = ["MODULES"]

# ONNX's gate blocks, as indices of torch's blocks
_GATE_ORDER = {"LSTM": (0, 3, 1, 2), "GRU": (1, 0, 2), "RNN_TANH": (0,), "RNN_RELU": (0,)}
_ONNX_OP = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}


def _stacked(g: Graph, op: Any, tensors: list, rows: np.ndarray) -> str:
    """The directions' weights, rows reordered for ONNX, stacked: (D, G*H, ...)."""
    idx = g.const(rows)
    parts = [g.unsqueeze(g.node("Gather", [op.param(t), idx], axis=0), [0]) for t in tensors]
    return parts[0] if len(parts) == 1 else g.node("Concat", parts, axis=0)


def _bias(g: Graph, op: Any, ih: list, hh: list, rows: np.ndarray) -> str:
    """ONNX's B: per direction [Wb, Rb] concatenated, (D, 2*G*H)."""
    idx = g.const(rows)
    parts = []
    for bi, bh in zip(ih, hh):
        both = g.node("Concat", [g.node("Gather", [op.param(bi), idx], axis=0),
                                 g.node("Gather", [op.param(bh), idx], axis=0)], axis=0)
        parts.append(g.unsqueeze(both, [0]))
    return parts[0] if len(parts) == 1 else g.node("Concat", parts, axis=0)


def rnn(g: Graph, op: Any) -> list:
    m = op.module
    if isinstance(op.raw("input", 0), PackedSequence):
        op.fail("PackedSequence input is not supported (export with a padded batch)")
    if m.proj_size:
        op.fail("proj_size > 0 is not supported (ONNX's LSTM has no projection)")
    x = op.v("input", 0)
    if x.ndim not in (2, 3):
        op.fail(f"input of shape {x.shape} is not supported")
    mode, H, D, L = m.mode, m.hidden_size, 2 if m.bidirectional else 1, m.num_layers
    batched = x.ndim == 3
    seq = op.name(x)
    if not batched:
        seq = g.unsqueeze(seq, [1])                                    # (T, 1, I)
    elif m.batch_first:
        seq = g.transpose(seq, [1, 0, 2])                              # (T, N, I)
    states = _initial(g, op, mode, batched)
    rows = np.concatenate([np.arange(b * H, (b + 1) * H) for b in _GATE_ORDER[mode]])
    attrs: dict = dict(hidden_size=H, direction="bidirectional" if D == 2 else "forward")
    if mode == "GRU":
        attrs["linear_before_reset"] = 1                               # torch's GRU
    if mode.startswith("RNN"):
        attrs["activations"] = ["Tanh" if mode == "RNN_TANH" else "Relu"] * D
    finals: list = [[] for _ in range(2 if mode == "LSTM" else 1)]
    for layer in range(L):
        sfx = [f"_l{layer}" + ("_reverse" if d else "") for d in range(D)]
        W = _stacked(g, op, [getattr(m, "weight_ih" + s) for s in sfx], rows)
        R = _stacked(g, op, [getattr(m, "weight_hh" + s) for s in sfx], rows)
        B = (_bias(g, op, [getattr(m, "bias_ih" + s) for s in sfx],
                   [getattr(m, "bias_hh" + s) for s in sfx], rows) if m.bias else None)
        init = [None if h is None else g.slice(h, [layer * D], [(layer + 1) * D], [0])
                for h in states]
        n_out = 3 if mode == "LSTM" else 2
        outs = g.node(_ONNX_OP[mode], [seq, W, R, B, None] + init, n_out=n_out, **attrs)
        y = g.transpose(outs[0], [0, 2, 1, 3])                         # (T, N, D, H)
        seq = g.node("Reshape", [y, g.ints([0, 0, -1])])               # (T, N, D*H)
        for f, o in zip(finals, outs[1:]):
            f.append(o)                                                # (D, N, H)
    if not batched:
        seq = g.squeeze(seq, [1])
    elif m.batch_first:
        seq = g.transpose(seq, [1, 0, 2])
    result = [seq]
    for f in finals:                                                   # (L*D, N, H)
        h = f[0] if len(f) == 1 else g.node("Concat", f, axis=0)
        result.append(h if batched else g.squeeze(h, [1]))
    return result


def _initial(g: Graph, op: Any, mode: str, batched: bool) -> list:
    """The initial states as (L*D, N, H) names, or [None] (zeros, ONNX's default)."""
    hx = op.raw("hx", 1)
    n = 2 if mode == "LSTM" else 1
    if hx is None:
        return [None] * n
    parts = list(hx) if mode == "LSTM" else [hx]
    if len(parts) != n:
        op.fail(f"hx must hold {n} tensors")
    names = []
    for p in parts:
        if not isinstance(p, Slot):
            op.fail(f"hx holds a {type(p).__name__}, expected Tensors")
        name = op.name(op.checked_value(op.conv.value(p)))
        names.append(name if batched else g.unsqueeze(name, [1]))
    return names


MODULES = {LSTM: rnn, GRU: rnn, RNN: rnn}
