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
    attention.py    scaled dot-product attention, the multi-head core, and
                    nn.MultiheadAttention whole when its masks are graph inputs
    recurrent.py    nn.LSTM, nn.GRU, nn.RNN (whole)
"""
from __future__ import annotations

from typing import Any

from . import attention, elementwise, layers, recurrent, reduction, shape

__all__ = ["FUNCTIONS", "MODULES", "converted_whole"]

FUNCTIONS: dict = {**elementwise.TABLE, **shape.TABLE, **reduction.TABLE, **layers.TABLE,
                   **attention.TABLE}

MODULES: dict = {**layers.MODULES, **recurrent.MODULES, **attention.MODULES}

# layers converted whole only for some calls: class -> fn(module, args, kwargs, depends)
WHEN: dict = {**attention.WHEN}


def converted_whole(module: Any, args: tuple, kwargs: dict, depends: Any) -> Any:
    """The layer class this call of ``module`` is converted as (one of ``MODULES``, whose
    forward the module runs unchanged, and for which ``WHEN`` agrees), or None: its ops
    are traced one by one. ``depends(tensor)`` tells whether a Tensor was computed from
    the graph's inputs."""
    for cls in type(module).__mro__:
        if cls in MODULES:
            if type(module).forward is not cls.forward:
                return None
            when = WHEN.get(cls)
            return cls if when is None or when(module, args, kwargs, depends) else None
    return None
