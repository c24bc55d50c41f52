"""Multi-head attention (Vaswani et al. 2017): the ``MultiheadAttention`` layer. Its maths
and the fused computation are in ``nnlite/ops/multi_head_attention.py`` (the functional
form ``multi_head_attention_forward``, re-exported here).

Masks, as torch's MultiheadAttention (note: True means *masked out* here, the opposite
of ``scaled_dot_product_attention``):
    attn_mask: (L, S) or (N*H, L, S); bool (True = may not attend) or float (added).
    key_padding_mask: (N, S); bool (True = padding, ignored) or float (added).
Masks are constants (they get no gradient). A query whose keys are all masked gets
attention weights 0 and output ``b_o`` (torch gives the same with ``need_weights=False``
and NaN with ``need_weights=True``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.multi_head_attention import multi_head_attention_forward
from ..tensor import Tensor
from ._checks import check_positive, factory_dtype
from . import init
from .linear import Linear
from .module import Module
from .parameter import Parameter

__all__ = ["MultiheadAttention", "multi_head_attention_forward"]


# ============================================================================
# The module
# ============================================================================
class MultiheadAttention(Module):
    """Multi-head attention: H heads attend in parallel to different projections of the
    keys and values; their outputs are concatenated and projected (see the module
    docstring for the maths and the masks).

    Args:
        embed_dim (int): E, the model size (query features and output features).
        num_heads (int): H; each head has size E / H, so H must divide E.
        dropout (float): dropout probability on the attention weights. Default: 0.0.
        bias (bool): learn biases of the in- and out-projections. Default: True.
        add_bias_kv (bool): learn ``bias_k``, ``bias_v`` (1, 1, E), appended to the
            projected keys and values as one more source position. Default: False.
        add_zero_attn (bool): append a zero key and value as one more source position.
            Default: False.
        kdim (int, optional): key features. Default: None (= E).
        vdim (int, optional): value features. Default: None (= E).
        batch_first (bool): inputs and output are (N, L, E) instead of (L, N, E).
            Default: False.
        device: only ``None`` or ``"cpu"``. dtype: of the parameters. Default: None.

    Shape:
        query (L, N, E), key (S, N, kdim), value (S, N, vdim) (batch first: (N, L, E)...;
        unbatched: (L, E), (S, kdim), (S, vdim)) -> output like query, weights (N, L, S)
        averaged over heads or (N, H, L, S).

    Attributes:
        in_proj_weight (3E, E): the packed q, k, v projections, when kdim == vdim == E;
            otherwise q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight
            (E, vdim). Initialised ``xavier_uniform_``. (torch's names and layouts.)
        in_proj_bias (3E,): zeros. out_proj (Linear E -> E): Linear's init, bias zeros.
        bias_k, bias_v (1, 1, E): ``xavier_normal_``, with add_bias_kv.

    Example:
        >>> mha = nn.MultiheadAttention(128, 4, batch_first=True)
        >>> x = nl.randn(32, 64, 128)
        >>> out, w = mha(x, x, x)
        >>> out.shape, w.shape
        ((32, 64, 128), (32, 64, 64))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = "MultiheadAttention"
        check_positive(name, embed_dim=embed_dim, num_heads=num_heads)
        kdim = embed_dim if kdim is None else kdim
        vdim = embed_dim if vdim is None else vdim
        check_positive(name, kdim=kdim, vdim=vdim)
        if embed_dim % num_heads:
            raise ValueError(f"{name}: embed_dim must be divisible by num_heads, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads}")
        if isinstance(dropout, bool) or not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{name}: dropout probability has to be between 0 and 1, but "
                             f"got {dropout}")
        dt = factory_dtype(name, device, dtype)
        self.embed_dim, self.kdim, self.vdim = int(embed_dim), int(kdim), int(vdim)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.num_heads = int(num_heads)
        self.dropout = float(dropout)
        self.batch_first = batch_first
        self.head_dim = self.embed_dim // self.num_heads
        E = self.embed_dim
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(np.empty((E, E), dt))
            self.k_proj_weight = Parameter(np.empty((E, self.kdim), dt))
            self.v_proj_weight = Parameter(np.empty((E, self.vdim), dt))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(np.empty((3 * E, E), dt))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(np.empty((3 * E,), dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(E, E, bias=bias, dtype=dt)
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, E), dt))
            self.bias_v = Parameter(np.empty((1, 1, E), dt))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """torch's init: ``xavier_uniform_`` projections, zero biases, ``xavier_normal_``
        bias_k/v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    reset_parameters = _reset_parameters

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None,
                average_attn_weights: bool = True, is_causal: bool = False) -> tuple:
        """Attend from ``query`` to ``key``/``value``; returns ``(output, weights)``
        (weights None unless ``need_weights``). Shapes and masks: see the class docstring.
        """
        name = f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"
        for arg, t, n in (("query", query, self.embed_dim), ("key", key, self.kdim),
                          ("value", value, self.vdim)):
            if not isinstance(t, Tensor):
                raise TypeError(f"{name}: {arg} must be a Tensor, got {type(t).__name__}")
            if t.ndim not in (2, 3) or t.shape[-1] != n:
                layout = "(N, L, {})" if self.batch_first else "(L, N, {})"
                raise ValueError(f"{name}: expected {arg} of shape {layout.format(n)} or "
                                 f"(L, {n}), got shape {tuple(t.shape)}")
        kw = {}
        if not self._qkv_same_embed_dim:
            kw = dict(use_separate_proj_weight=True, q_proj_weight=self.q_proj_weight,
                      k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight)
        return multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, average_attn_weights=average_attn_weights,
            is_causal=is_causal, batch_first=self.batch_first and query.ndim == 3, **kw)

    def extra_repr(self) -> str:
        s = f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if not self._qkv_same_embed_dim:
            s += f", kdim={self.kdim}, vdim={self.vdim}"
        if self.bias_k is not None:
            s += ", add_bias_kv=True"
        if self.add_zero_attn:
            s += ", add_zero_attn=True"
        if self.batch_first:
            s += ", batch_first=True"
        return s
