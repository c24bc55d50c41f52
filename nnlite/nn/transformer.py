"""The Transformer of "Attention is all you need" (Vaswani et al. 2017), with torch's
modules, argument names, masks and ``state_dict`` keys: ``TransformerEncoderLayer``,
``TransformerDecoderLayer``, ``TransformerEncoder``, ``TransformerDecoder``,
``Transformer``; and the paper's position signals, which torch does not ship:
``PositionalEncoding`` (sinusoidal) and ``LearnedPositionalEmbedding``.

Notation: S source length, T target length, N batch, E = d_model. Sequences are
(S, N, E) (or (N, S, E) with ``batch_first``), or unbatched (S, E).

An encoder layer is two residual blocks (post-norm, the paper's, unless ``norm_first``):

    x = norm1(x + dropout1(self_attn(x)))          x = x + dropout1(self_attn(norm1(x)))
    x = norm2(x + dropout2(ff(x)))                 x = x + dropout2(ff(norm2(x)))
    ff(x) = linear2(dropout(activation(linear1(x))))

A decoder layer adds a block attending to the encoder output (``memory``) between the two.

Masks are passed through to ``MultiheadAttention``: ``*_mask`` (T, S) or (N*nhead, T, S),
bool (True = may not attend) or float (added); ``*_key_padding_mask`` (N, S), bool
(True = padding) or float.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor, get_default_dtype
from ._checks import check_positive, factory_dtype
from . import functional as F
from . import init
from .attention import MultiheadAttention
from .dropout import Dropout
from .linear import Linear
from .container import ModuleList
from .module import Module
from .normalization import LayerNorm
from .parameter import Parameter

__all__ = ["TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder",
           "TransformerDecoder", "Transformer", "PositionalEncoding",
           "LearnedPositionalEmbedding"]


# ============================================================================
# Helpers: activations, clones, causal masks
# ============================================================================
def _get_activation_fn(activation: Any) -> Callable:
    if callable(activation):
        return activation
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise ValueError(f"activation should be 'relu', 'gelu' or a callable, not {activation!r}")


def _get_clones(module: Module, n: int) -> ModuleList:
    """``n`` independent deep copies of ``module`` (as torch's Transformer containers)."""
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _generate_square_subsequent_mask(sz: int, dtype: Any = None) -> Tensor:
    """(sz, sz) float mask: -inf above the diagonal (position i may not attend to j > i),
    0 elsewhere."""
    dt = get_default_dtype() if dtype is None else np.dtype(dtype)
    if dt == np.bool_:
        return Tensor(np.triu(np.ones((sz, sz), np.bool_), 1))
    return Tensor(np.triu(np.full((sz, sz), -np.inf, dt), 1))


def _mask_array(mask: Any) -> np.ndarray:
    return mask.array if isinstance(mask, Tensor) else np.asarray(mask)


def _detect_is_causal_mask(mask: Any, is_causal: bool | None, size: int) -> bool:
    """torch's rule: an explicit ``is_causal`` wins; otherwise a mask equal to the square
    subsequent mask (of its own dtype) counts as causal."""
    if is_causal is not None or mask is None:
        return bool(is_causal)
    m = _mask_array(mask)
    if m.shape != (size, size):
        return False
    causal = _generate_square_subsequent_mask(size, m.dtype).array
    return bool(np.array_equal(m, causal))


def _seq_len(x: Tensor, batch_first: bool) -> int:
    return x.shape[1] if (batch_first and x.ndim == 3) else x.shape[0]


def _check_model_input(layer: str, name: str, x: Any, d_model: int, batch_first: bool) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{layer}: {name} must be a Tensor, got {type(x).__name__}")
    if x.ndim not in (2, 3) or x.shape[-1] != d_model:
        layout = "(N, L, {0})" if batch_first else "(L, N, {0})"
        raise ValueError(f"{layer}: expected {name} of shape {layout.format(d_model)} or "
                         f"(L, {d_model}), got shape {tuple(x.shape)}")


def _batch_size(x: Tensor, batch_first: bool) -> int | None:
    """N of a batched (3-D) sequence; None for an unbatched (2-D) one."""
    return (x.shape[0] if batch_first else x.shape[1]) if x.ndim == 3 else None


def _check_masks(layer: str, nhead: int, N: int | None, attn: tuple = (),
                 padding: tuple = ()) -> None:
    """Mask shapes, checked by the argument's own name before they reach attention.

    ``attn``: (name, mask, L, S) for attention masks, (L, S) or (N*nhead, L, S)
    (unbatched: (nhead, L, S)); ``padding``: (name, mask, S) for key padding masks,
    (N, S) (unbatched: (S,)). None masks are skipped.
    """
    for name, mask, L, S in attn:
        if mask is None:
            continue
        shape = tuple(np.shape(_mask_array(mask)))
        heads = (N or 1) * nhead
        if shape not in ((L, S), (heads, L, S)):
            raise ValueError(f"{layer}: {name} must have shape (L, S) = {(L, S)} or "
                             f"({'N*nhead' if N else 'nhead'}, L, S) = {(heads, L, S)}, got "
                             f"shape {shape}")
    for name, mask, S in padding:
        want = (N, S) if N is not None else (S,)
        if mask is not None and tuple(np.shape(_mask_array(mask))) != want:
            raise ValueError(f"{layer}: {name} must have shape "
                             f"{'(N, S)' if N is not None else '(S,)'} = {want}, got shape "
                             f"{tuple(np.shape(_mask_array(mask)))}")


def _relu_or_gelu(activation: Any) -> int:
    """torch's ``activation_relu_or_gelu`` attribute: 1 relu, 2 gelu, 0 other."""
    if activation is F.relu or activation == "relu":
        return 1
    if activation is F.gelu or activation == "gelu":
        return 2
    return 0


# ============================================================================
# Layers
# ============================================================================
class _TransformerLayer(Module):
    """What the encoder and decoder layers share: their sub-layers, built in torch's
    order with torch's names, the self-attention block and the feed-forward block."""

    def _build(self, attentions: tuple, d_model: int, nhead: int, dim_feedforward: int,
               dropout: float, activation: Any, layer_norm_eps: float, batch_first: bool,
               norm_first: bool, bias: bool, device: Any, dtype: Any) -> None:
        """The attention modules named in ``attentions``, linear1, dropout, linear2,
        then one norm{i} and dropout{i} per residual block (each attention and the
        feed-forward network)."""
        name = type(self).__name__
        check_positive(name, d_model=d_model, nhead=nhead, dim_feedforward=dim_feedforward)
        kw = dict(dtype=factory_dtype(name, device, dtype))
        for attn in attentions:
            setattr(self, attn, MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                                   batch_first=batch_first, **kw))
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        blocks = range(1, len(attentions) + 2)
        for i in blocks:
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw))
        for i in blocks:
            setattr(self, f"dropout{i}", Dropout(dropout))
        self._ff_dropout = f"dropout{len(attentions) + 1}"
        self.activation = _get_activation_fn(activation)
        self.d_model, self.batch_first = d_model, batch_first

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any,
                  is_causal: bool = False) -> Tensor:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return getattr(self, self._ff_dropout)(x)


class TransformerEncoderLayer(_TransformerLayer):
    """Self-attention then a position-wise feed-forward network, each a residual block
    with layer norm (see the module docstring).

    Args:
        d_model (int): E, the model size.
        nhead (int): attention heads (must divide d_model).
        dim_feedforward (int): hidden size of the feed-forward network. Default: 2048.
        dropout (float): dropout after attention, in and after the feed-forward network,
            and on the attention weights. Default: 0.1.
        activation (str or callable): 'relu', 'gelu' or a function. Default: 'relu'.
        layer_norm_eps (float): LayerNorm's eps. Default: 1e-5.
        batch_first (bool): (N, S, E) instead of (S, N, E). Default: False.
        norm_first (bool): pre-norm (norm inside the residual branch). Default: False.
        bias (bool): biases in the linear layers and layer norms. Default: True.
        device: only ``None`` or ``"cpu"``. dtype: of the parameters. Default: None.

    Shape:
        src (S, N, E) (or (N, S, E), or (S, E)) -> output of the same shape.

    Attributes:
        self_attn, linear1 (E -> dim_feedforward), dropout, linear2, norm1, norm2,
        dropout1, dropout2: torch's names, so ``state_dict`` keys match.

    Example:
        >>> layer = nn.TransformerEncoderLayer(d_model=512, nhead=8)
        >>> layer(nl.randn(10, 32, 512)).shape
        (10, 32, 512)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self._build(("self_attn",), d_model, nhead, dim_feedforward, dropout, activation,
                    layer_norm_eps, batch_first, norm_first, bias, device, dtype)
        self.activation_relu_or_gelu = _relu_or_gelu(activation)

    def forward(self, src: Tensor, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:
        """Args: src; src_mask (S, S) or (N*nhead, S, S); src_key_padding_mask (N, S);
        is_causal: a hint that src_mask is the causal mask (as torch)."""
        name = type(self).__name__
        _check_model_input(name, "src", src, self.d_model, self.batch_first)
        S = _seq_len(src, self.batch_first)
        _check_masks(name, self.self_attn.num_heads, _batch_size(src, self.batch_first),
                     [("src_mask", src_mask, S, S)],
                     [("src_key_padding_mask", src_key_padding_mask, S)])
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x


class TransformerDecoderLayer(_TransformerLayer):
    """Masked self-attention, attention over the encoder output (``memory``), then a
    feed-forward network; each a residual block with layer norm.

    Args:
        d_model, nhead, dim_feedforward, dropout: as ``TransformerEncoderLayer``.
        activation, layer_norm_eps, batch_first: as ``TransformerEncoderLayer``.
        norm_first, bias, device, dtype: as ``TransformerEncoderLayer``.

    Shape:
        tgt (T, N, E), memory (S, N, E) (batch first: (N, T, E), (N, S, E); unbatched
        (T, E), (S, E)) -> output like tgt.

    Attributes:
        self_attn, multihead_attn, linear1, dropout, linear2: torch's names.
        norm1, norm2, norm3, dropout1, dropout2, dropout3: torch's names.

    Example:
        >>> layer = nn.TransformerDecoderLayer(d_model=512, nhead=8)
        >>> layer(nl.randn(20, 32, 512), nl.randn(10, 32, 512)).shape
        (20, 32, 512)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = "relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self._build(("self_attn", "multihead_attn"), d_model, nhead, dim_feedforward,
                    dropout, activation, layer_norm_eps, batch_first, norm_first, bias,
                    device, dtype)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None,
                memory_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> Tensor:
        """Args: tgt; memory (the encoder output); tgt_mask (T, T); memory_mask (T, S);
        tgt_key_padding_mask (N, T); memory_key_padding_mask (N, S); tgt_is_causal /
        memory_is_causal: hints that the masks are causal (as torch)."""
        name = type(self).__name__
        _check_model_input(name, "tgt", tgt, self.d_model, self.batch_first)
        _check_model_input(name, "memory", memory, self.d_model, self.batch_first)
        N = _batch_size(tgt, self.batch_first)
        if tgt.ndim != memory.ndim or N != _batch_size(memory, self.batch_first):
            raise ValueError(f"{name}: tgt and memory must both be unbatched or have the "
                             f"same batch size N (dim {0 if self.batch_first else 1}), got "
                             f"tgt {tuple(tgt.shape)} and memory {tuple(memory.shape)}")
        T, S = _seq_len(tgt, self.batch_first), _seq_len(memory, self.batch_first)
        _check_masks(name, self.self_attn.num_heads, N,
                     [("tgt_mask", tgt_mask, T, T), ("memory_mask", memory_mask, T, S)],
                     [("tgt_key_padding_mask", tgt_key_padding_mask, T),
                      ("memory_key_padding_mask", memory_key_padding_mask, S)])
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask,
                                   tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask,
                                              tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask,
                                               memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _mha_block(self, x: Tensor, mem: Tensor, attn_mask: Any, key_padding_mask: Any,
                   is_causal: bool = False) -> Tensor:
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)


# ============================================================================
# Stacks
# ============================================================================
class TransformerEncoder(Module):
    """A stack of ``num_layers`` deep copies of ``encoder_layer``, then ``norm``.

    Args:
        encoder_layer (TransformerEncoderLayer): the layer to copy (copied, not shared).
        num_layers (int): how many layers.
        norm (Module, optional): applied to the output (the pre-norm stacks need it).
            Default: None.
        enable_nested_tensor, mask_check (bool): accepted for torch compatibility; they
            select torch's nested-tensor fast path, which nnlite does not have, and have
            no effect. Default: True.

    Shape:
        src (S, N, E) (or (N, S, E), or (S, E)) -> output of the same shape.

    Example:
        >>> layer = nn.TransformerEncoderLayer(d_model=512, nhead=8)
        >>> enc = nn.TransformerEncoder(layer, num_layers=6)
        >>> enc(nl.randn(10, 32, 512)).shape
        (10, 32, 512)
    """

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        check_positive(type(self).__name__, num_layers=num_layers)
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(self, src: Tensor, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        """Args: src; mask (S, S) or (N*nhead, S, S); src_key_padding_mask (N, S);
        is_causal: None detects whether ``mask`` is the causal mask (as torch)."""
        batch_first = self.layers[0].self_attn.batch_first
        is_causal = _detect_is_causal_mask(mask, is_causal, _seq_len(src, batch_first))
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal,
                         src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    """A stack of ``num_layers`` deep copies of ``decoder_layer``, then ``norm``.

    Args:
        decoder_layer (TransformerDecoderLayer): the layer to copy.
        num_layers (int): how many layers.
        norm (Module, optional): applied to the output. Default: None.

    Shape:
        tgt (T, N, E), memory (S, N, E) -> output like tgt.

    Example:
        >>> layer = nn.TransformerDecoderLayer(d_model=512, nhead=8)
        >>> dec = nn.TransformerDecoder(layer, num_layers=6)
        >>> dec(nl.randn(20, 32, 512), nl.randn(10, 32, 512)).shape
        (20, 32, 512)
    """

    def __init__(self, decoder_layer: Module, num_layers: int,
                 norm: Module | None = None) -> None:
        super().__init__()
        check_positive(type(self).__name__, num_layers=num_layers)
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask: Any = None,
                memory_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        """Arguments as ``TransformerDecoderLayer.forward``; ``tgt_is_causal=None``
        detects whether ``tgt_mask`` is the causal mask (as torch)."""
        batch_first = self.layers[0].self_attn.batch_first
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal,
                                               _seq_len(tgt, batch_first))
        output = tgt
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask,
                         memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


# ============================================================================
# The whole model
# ============================================================================
class Transformer(Module):
    """The encoder-decoder Transformer (Vaswani et al. 2017): ``encoder`` and ``decoder``
    stacks, each ending in a LayerNorm. Token embeddings, positional encodings and the
    output projection are not part of it (as in torch); see ``PositionalEncoding``.

    Args:
        d_model (int): E. Default: 512.
        nhead (int): attention heads. Default: 8.
        num_encoder_layers (int): Default: 6.
        num_decoder_layers (int): Default: 6.
        dim_feedforward (int): Default: 2048.
        dropout (float): Default: 0.1.
        activation (str or callable): 'relu', 'gelu' or a function. Default: 'relu'.
        custom_encoder, custom_decoder (Module, optional): used instead of the stacks.
        layer_norm_eps (float): Default: 1e-5.
        batch_first (bool): (N, S, E) instead of (S, N, E). Default: False.
        norm_first (bool): pre-norm layers. Default: False.
        bias (bool): biases in linear layers and layer norms. Default: True.
        device: only ``None`` or ``"cpu"``. dtype: of the parameters. Default: None.

    Shape:
        src (S, N, E), tgt (T, N, E) (or batch first, or unbatched) -> output (T, N, E).

    Attributes:
        encoder (TransformerEncoder), decoder (TransformerDecoder); every parameter with
        more than one dim is re-initialised xavier_uniform_ (as torch).

    Example:
        >>> model = nn.Transformer(d_model=64, nhead=4, num_encoder_layers=2,
        ...                        num_decoder_layers=2, dim_feedforward=128)
        >>> tgt_mask = nn.Transformer.generate_square_subsequent_mask(7)
        >>> model(nl.randn(10, 3, 64), nl.randn(7, 3, 64), tgt_mask=tgt_mask).shape
        (7, 3, 64)
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = "relu",
                 custom_encoder: Module | None = None, custom_decoder: Module | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout,
                                            activation, layer_norm_eps, batch_first,
                                            norm_first, bias, **kw)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout,
                                            activation, layer_norm_eps, batch_first,
                                            norm_first, bias, **kw)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src: Tensor, tgt: Tensor, src_mask: Any = None, tgt_mask: Any = None,
                memory_mask: Any = None, src_key_padding_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        """Encode ``src``, decode ``tgt`` attending to it.

        Args:
            src, tgt: (S, N, E) and (T, N, E).
            src_mask, tgt_mask, memory_mask: (S, S), (T, T) (typically
                ``generate_square_subsequent_mask(T)``) and (T, S), or ``(N*nhead, ., .)``.
            src_key_padding_mask, tgt_key_padding_mask, memory_key_padding_mask: (N, S),
                (N, T) and (N, S).
            src_is_causal, tgt_is_causal, memory_is_causal: hints, as torch (None:
                detected from the mask).
        """
        name = "Transformer"
        for arg, x in (("src", src), ("tgt", tgt)):
            if not isinstance(x, Tensor):
                raise TypeError(f"{name}: {arg} must be a Tensor, got {type(x).__name__}")
        if src.ndim != tgt.ndim:
            raise ValueError(f"{name}: src and tgt must both be batched (3-D) or both "
                             f"unbatched (2-D), got shapes {tuple(src.shape)} and "
                             f"{tuple(tgt.shape)}")
        b = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[b] != tgt.shape[b]:
            raise ValueError(f"{name}: the batch number of src and tgt must be equal (dim {b}"
                             f"), got shapes {tuple(src.shape)} and {tuple(tgt.shape)}")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"{name}: the feature number of src and tgt must be equal to "
                             f"d_model={self.d_model}, got shapes {tuple(src.shape)} and "
                             f"{tuple(tgt.shape)}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None,
                                        dtype: Any = None) -> Tensor:
        """The causal mask for a sequence of length ``sz``: (sz, sz), -inf above the
        diagonal, 0 elsewhere (float, default dtype unless given).

        Example:
            >>> nn.Transformer.generate_square_subsequent_mask(3)
            tensor([[  0., -inf, -inf],
                    [  0.,   0., -inf],
                    [  0.,   0.,   0.]])
        """
        if device is not None and str(device).split(":")[0] != "cpu":
            raise ValueError(f"generate_square_subsequent_mask: nnlite runs on the CPU only, "
                             f"got device {device!r}")
        return _generate_square_subsequent_mask(sz, dtype)

    def _reset_parameters(self) -> None:
        """xavier_uniform_ for every parameter with more than one dim (as torch)."""
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)


# ============================================================================
# Position signals (the paper's; not torch modules)
# ============================================================================
def _add_positions(x: Tensor, table: Tensor, batch_first: bool, layer: str) -> Tensor:
    """x + table[:L] broadcast over the batch, L the sequence length of x."""
    if x.ndim not in (2, 3) or x.shape[-1] != table.shape[1]:
        layout = "(N, L, {0})" if batch_first else "(L, N, {0})"
        raise ValueError(f"{layer}: expected input of shape {layout.format(table.shape[1])} "
                         f"or (L, {table.shape[1]}), got shape {tuple(x.shape)}")
    L = _seq_len(x, batch_first)
    if L > table.shape[0]:
        raise ValueError(f"{layer}: sequence length {L} exceeds max_len={table.shape[0]} "
                         f"(input shape {tuple(x.shape)})")
    pos = table[:L]                                                    # (L, E)
    if x.ndim == 3 and not batch_first:
        pos = pos.reshape(L, 1, pos.shape[1])                          # (L, 1, E)
    return x + pos


class PositionalEncoding(Module):
    """Add the sinusoidal position signal of "Attention is all you need" (section 3.5),
    then dropout:

        PE[pos, 2i] = sin(pos / 10000^(2i / d_model)),
        PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model)).

    Not a torch module (the same as torch's word-language-model example). The table is a
    *non-persistent* buffer ``pe`` of shape (max_len, d_model): a function of d_model and
    max_len, it is not saved in ``state_dict`` (so checkpoints stay small and load with
    any max_len); ``.double()`` and friends cast it.

    Args:
        d_model (int): E (odd sizes work: the last column is a sine).
        dropout (float): dropout on the sum (the paper uses 0.1). Default: 0.1.
        max_len (int): the longest sequence. Default: 5000.
        batch_first (bool): inputs are (N, L, E) instead of (L, N, E). Default: False.

    Shape:
        (L, N, E) (or (N, L, E), or (L, E)) -> the same shape.

    Example:
        >>> pe = PositionalEncoding(512, dropout=0.1)
        >>> pe(nl.randn(10, 32, 512)).shape
        (10, 32, 512)
    """

    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000,
                 batch_first: bool = False, dtype: Any = None) -> None:
        super().__init__()
        check_positive(type(self).__name__, d_model=d_model, max_len=max_len)
        dt = factory_dtype(type(self).__name__, None, dtype)
        position = np.arange(max_len, dtype=np.float64)[:, None]               # (max_len, 1)
        div_term = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = np.zeros((max_len, d_model))
        pe[:, 0::2] = np.sin(position * div_term)
        pe[:, 1::2] = np.cos(position * div_term[:d_model // 2])
        self.register_buffer("pe", Tensor(pe.astype(dt)), persistent=False)
        self.dropout = Dropout(dropout)
        self.d_model, self.max_len, self.batch_first = d_model, max_len, batch_first

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(_add_positions(x, self.pe, self.batch_first, "PositionalEncoding"))

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, max_len={self.max_len}, batch_first={self.batch_first}"


class LearnedPositionalEmbedding(Module):
    """Add a learned embedding of each position (the alternative to sinusoids that "Attention
    is all you need" reports as nearly identical, Table 3 row (E); Gehring et al. 2017),
    then dropout. Not a torch module.

    Args:
        max_len (int): the longest sequence (the number of position embeddings).
        d_model (int): E.
        dropout (float): dropout on the sum. Default: 0.0.
        batch_first (bool): inputs are (N, L, E) instead of (L, N, E). Default: False.
        device, dtype: of the parameter. Default: None.

    Shape:
        (L, N, E) (or (N, L, E), or (L, E)) -> the same shape; L <= max_len.

    Attributes:
        weight (Parameter): (max_len, d_model), row p the embedding of position p,
            initialised N(0, 1) (as ``nn.Embedding``).

    Example:
        >>> pos = LearnedPositionalEmbedding(128, 512, batch_first=True)
        >>> pos(nl.randn(32, 10, 512)).shape
        (32, 10, 512)
    """

    def __init__(self, max_len: int, d_model: int, dropout: float = 0.0,
                 batch_first: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        check_positive(name, max_len=max_len, d_model=d_model)
        self.weight = Parameter(np.empty((max_len, d_model), factory_dtype(name, device, dtype)))
        self.dropout = Dropout(dropout)
        self.max_len, self.d_model, self.batch_first = max_len, d_model, batch_first
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """N(0, 1), as nn.Embedding."""
        init.normal_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(_add_positions(x, self.weight, self.batch_first,
                                           "LearnedPositionalEmbedding"))

    def extra_repr(self) -> str:
        return f"{self.max_len}, {self.d_model}, batch_first={self.batch_first}"
