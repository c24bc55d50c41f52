"""The op-to-node table: for each nnlite op (an autograd ``Function`` class) the converter
that writes its ONNX nodes, and for each layer converted whole (its inner ops are not
traced) the converter of the layer.

A converter is ``fn(g, op) -> name or [names]``: it reads the traced op through ``op``
(``convert.Op``), adds nodes with ``g`` (``graph.Graph``) and returns the ONNX names of
the op's outputs, in order. The files, by kind of op:

    elementwise.py  arithmetic, pointwise functions, activations, casts
    shape.py        reshape, permute, expand, tile, flip, roll, cat, stack, pad, indexing
    reduction.py    sum, mean, var, std, amax, max over a dim, logsumexp, softmax
    layers.py       conv, pooling, normalization, linear, matmul, embeddings
    attention.py    scaled dot-product attention, the multi-head core
    recurrent.py    nn.LSTM, nn.GRU, nn.RNN (whole)
"""
from __future__ import annotations

from typing import Any

from . import attention, elementwise, layers, recurrent, reduction, shape

__all__ = ["FUNCTIONS", "MODULES", "converted_whole"]

FUNCTIONS: dict = {**elementwise.TABLE, **shape.TABLE, **reduction.TABLE, **layers.TABLE,
                   **attention.TABLE}

MODULES: dict = {**layers.MODULES, **recurrent.MODULES}


def converted_whole(module: Any) -> Any:
    """The layer class ``module`` is converted as (one of ``MODULES``, whose forward it
    runs unchanged), or None: its ops are traced one by one."""
    for cls in type(module).__mro__:
        if cls in MODULES:
            return cls if type(module).forward is cls.forward else None
    return None
