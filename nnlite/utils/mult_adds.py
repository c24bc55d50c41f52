"""Mult-adds of one call of a layer, counted as torchinfo counts them: each use of a
weight element is one multiply-add, a bias element one more, so a layer costs
``numel(param) * positions`` summed over its parameters, where positions is

    Conv*:    batch x output spatial size (N * H_out * W_out for Conv2d; ConvTranspose too)
    Linear*:  every leading axis of the output (N * L for an (N, L, F) input)
    RNN/LSTM/GRU (weight_ih_l0, ...): every time step of every sequence (T * N)
    others with weight/bias (BatchNorm, LayerNorm, ...): the batch size N (torchinfo's rule)
    Embedding, EmbeddingBag: 0 (a lookup multiplies nothing)
    MultiheadAttention: its Q/K/V and output projections plus 2 * L * S * E for the scores
                        and the weighted sum (one row: out_proj is not called as a module)

``summary`` sums them over leaf layers (and attention) only, so no work counts twice.
"""
from __future__ import annotations

import math

from ..nn.attention import MultiheadAttention
from ..nn.module import Module
from ..nn.sparse import Embedding, EmbeddingBag
from ..tensor import Tensor


def mult_adds(module: Module, inputs: tuple, kwargs: dict, out: list) -> int:
    """The mult-adds of one call of ``module`` whose output has shape ``out`` (the
    rules in this module's docstring)."""
    if isinstance(module, MultiheadAttention):
        return _attention_mult_adds(module, inputs, kwargs)
    if isinstance(module, (Embedding, EmbeddingBag)) or not out:
        return 0
    name, total = type(module).__name__, 0
    for pname, p in module.named_parameters():
        if pname in ("weight", "bias"):
            if "Conv" in name:                 # batch x spatial: all but the channel axis
                weight = getattr(module, "weight", None)
                k = weight.ndim - 2 if isinstance(weight, Tensor) else len(out) - 2
                positions = math.prod(out) // out[-k - 1] if len(out) > k else 1
            elif "Linear" in name:
                positions = math.prod(out[:-1])
            else:
                positions = out[0]
        elif "weight" in pname or "bias" in pname:           # weight_ih_l0, ...: per step
            positions = math.prod(out[:-1])
        else:
            continue
        total += p.numel() * positions
    return total


def _attention_mult_adds(m: MultiheadAttention, inputs: tuple, kwargs: dict) -> int:
    """Q, K, V projections + Q K^T + weights x V + output projection (with biases)."""
    qkv = list(inputs[:3]) + [kwargs.get(k) for k in ("query", "key", "value")[len(inputs):]]
    q, k, _ = qkv
    if not isinstance(q, Tensor) or not isinstance(k, Tensor):
        return 0
    E = m.embed_dim
    n_q, n_k = math.prod(q.shape[:-1]), math.prod(k.shape[:-1])     # tokens, batch included
    seq_axis = 1 if m.batch_first and k.ndim == 3 else 0
    S = k.shape[seq_axis] + (m.bias_k is not None) + bool(m.add_zero_attn)
    macs = n_q * E * E + n_k * E * (m.kdim + m.vdim)                # in projections
    macs += (n_q + 2 * n_k) * E if m.in_proj_bias is not None else 0
    macs += 2 * n_q * S * E                                         # scores, weighted sum
    macs += n_q * E * E + (n_q * E if m.out_proj.bias is not None else 0)
    return macs
