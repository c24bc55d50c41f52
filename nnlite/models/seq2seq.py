"""Seq2Seq with attention, from Bahdanau, Cho & Bengio, "Neural Machine Translation by
Jointly Learning to Align and Translate", ICLR 2015.

The encoder is a bidirectional RNN; the annotation of source word j joins its forward
and backward states (section 3.2). The decoder is an RNN that, before each word, looks
back at all annotations through an alignment model -- additive attention -- and reads
their weighted average (section 3.1, appendix A.2):

    h_j  = [h->_j ; h<-_j]                                     annotations (B, S, D*H)
    s_0  = tanh(W_s [h->_S ; h<-_1])                          first decoder state
    e_ij = v_a^T tanh(W_a s_{i-1} + U_a h_j)                  alignment scores
    a_ij = softmax_j(e_ij)            padding positions j get weight 0 (and gradient 0)
    c_i  = sum_j a_ij h_j                                      context vector
    s_i  = f(s_{i-1}, [E y_{i-1} ; c_i])                      f a GRU (the paper's) or LSTM cell
    p(y_i | y_<i, x) = softmax(W_o [s_i ; c_i ; E y_{i-1}] + b_o)

The paper's output layer has a maxout hidden layer between [s_i ; c_i ; E y_{i-1}] and
the softmax; here it is the linear read-out alone. ``U_a h_j`` does not depend on i and
is computed once per sentence.

Training uses teacher forcing: the decoder is fed the reference y_{i-1}; with
``teacher_forcing_ratio < 1`` each step instead feeds, with probability
1 - ratio, the decoder's own previous prediction (Bengio et al. 2015's scheduled
sampling, drawn once per step for the whole batch from nnlite's generator).

Decoding: ``greedy_decode`` and ``beam_search`` (with the length penalty of Wu et al.
2016, GNMT: score / ((5 + |Y|) / 6)^alpha). ``beam_search`` lives in ``decoding.py``,
shared with ``TransformerSeq2Seq``; it is importable from here too.

Token layout (``nnlite.data.datasets.synthetic``): 0 <pad>, 1 <bos>, 2 <eos>. Decoded
sequences start after <bos>, end with <eos> and are padded with <pad> after it.

Notation in the shape comments: B batch, S source length, T target length, E embed_dim,
H hidden_size, D = 2 if bidirectional else 1, A attention size, V vocabulary, K beams.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import nnlite as nl
from nnlite import nn
import nnlite.nn.functional as F
from nnlite.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from nnlite.random import default_generator
from nnlite.tensor import Tensor

from ._tokens import token_ids
from .decoding import beam_search, gnmt_length_penalty

__all__ = ["Seq2Seq", "Encoder", "AdditiveAttention", "AttnDecoder", "beam_search",
           "gnmt_length_penalty"]

_RNNS = {"gru": (nn.GRU, nn.GRUCell), "lstm": (nn.LSTM, nn.LSTMCell)}




# ============================================================================
# Encoder: a (bidirectional) RNN over the source
# ============================================================================
class Encoder(nn.Module):
    """Embed the source and run a GRU/LSTM over it; padded steps are skipped (packed).

    Shape:
        src (B, S) ids -> annotations (B, S, D*H) (zero at padding), final (B, D*H): the
        last layer's final state of each direction, joined.
    """

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int, num_layers: int,
                 cell: str, bidirectional: bool, dropout: float, pad_idx: int) -> None:
        super().__init__()
        rnn = _RNNS[cell][0]
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_idx)
        self.dropout = nn.Dropout(dropout)
        self.rnn = rnn(embed_dim, hidden_size, num_layers, batch_first=True,
                       dropout=dropout if num_layers > 1 else 0.0,
                       bidirectional=bidirectional)
        self.pad_idx, self.cell = pad_idx, cell

    def forward(self, src: np.ndarray) -> tuple:
        B, S = src.shape
        lengths = (src != self.pad_idx).sum(axis=1)                 # (B,)
        x = self.dropout(self.embedding(src))                       # (B, S, E)
        if lengths.min() < S:                                       # skip padded steps
            if lengths.min() == 0:
                raise ValueError(f"Seq2Seq: every source sentence needs a non-padding "
                                 f"token, got lengths {lengths.tolist()}")
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            out, state = self.rnn(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=S)
        else:
            out, state = self.rnn(x)                                # (B, S, D*H)
        h_n = state[0] if self.cell == "lstm" else state            # (layers*D, B, H)
        D = 2 if self.rnn.bidirectional else 1
        last = h_n[-D:]                                             # (D, B, H)
        final = last.transpose(0, 1).reshape(B, -1)                 # (B, D*H)
        return out, final


# ============================================================================
# Alignment model: additive attention
# ============================================================================
class AdditiveAttention(nn.Module):
    """e_j = v^T tanh(W q + U k_j), a = softmax(e) over unmasked j, context = sum a_j k_j.

    Args:
        query_size (int): size of q (the decoder state).
        key_size (int): size of each k_j (an annotation).
        attn_size (int): A, the hidden size of the alignment model.

    Shape:
        query (B, Hq), keys (B, S, K), keys_proj (B, S, A) = ``project_keys(keys)``,
        mask (B, S) bool, True at padding -> context (B, K), weights (B, S).
    """

    def __init__(self, query_size: int, key_size: int, attn_size: int) -> None:
        super().__init__()
        self.W_a = nn.Linear(query_size, attn_size, bias=False)
        self.U_a = nn.Linear(key_size, attn_size)
        self.v_a = nn.Linear(attn_size, 1, bias=False)

    def project_keys(self, keys: Tensor) -> Tensor:
        """U_a h_j for every j: computed once per source sentence."""
        return self.U_a(keys)                                       # (B, S, A)

    def forward(self, query: Tensor, keys: Tensor, keys_proj: Tensor,
                mask: np.ndarray | None = None) -> tuple:
        B, S, A = keys_proj.shape
        q = self.W_a(query).reshape(B, 1, A)                        # (B, 1, A)
        e = self.v_a(F.tanh(q + keys_proj)).reshape(B, S)           # (B, S)
        if mask is not None:
            e = e.masked_fill(mask, float("-inf"))
        a = F.softmax(e, dim=1)                                     # (B, S)
        context = (a.reshape(B, 1, S) @ keys).reshape(B, -1)        # (B, K)
        return context, a


# ============================================================================
# Decoder: one step of the attentive RNN
# ============================================================================
class AttnDecoder(nn.Module):
    """The decoder of section 3.1: attention from s_{i-1}, then the cell, then the
    read-out. ``step`` advances one word; the state is s (GRU) or (s, m) (LSTM).

    Shape:
        y_prev (B,) ids, state (B, H) or two of them, keys (B, S, D*H) ->
        state, features (B, H + D*H + E) = [s_i ; c_i ; E y_{i-1}], weights (B, S).
        ``out(features)`` -> logits (B, V).
    """

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int, key_size: int,
                 attn_size: int, cell: str, dropout: float, pad_idx: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_idx)
        self.attention = AdditiveAttention(hidden_size, key_size, attn_size)
        self.cell = _RNNS[cell][1](embed_dim + key_size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size + key_size + embed_dim, vocab_size)
        self.kind = cell

    def step(self, y_prev: np.ndarray, state: Any, keys: Tensor, keys_proj: Tensor,
             mask: np.ndarray | None) -> tuple:
        s_prev = state[0] if self.kind == "lstm" else state          # (B, H)
        e = self.dropout(self.embedding(y_prev))                     # (B, E)
        c, a = self.attention(s_prev, keys, keys_proj, mask)         # (B, D*H), (B, S)
        state = self.cell(nl.cat([e, c], dim=1), state)              # (B, H)
        s = state[0] if self.kind == "lstm" else state
        features = self.dropout(nl.cat([s, c, e], dim=1))            # (B, H + D*H + E)
        return state, features, a


# ============================================================================
# The model
# ============================================================================
class Seq2Seq(nn.Module):
    """Bahdanau et al. (2015)'s encoder-decoder with additive attention (see the module
    docstring).

    Args:
        src_vocab (int): source vocabulary size.
        tgt_vocab (int): target vocabulary size.
        embed_dim (int): E, word embeddings of both sides. Default: 256 (paper: 620).
        hidden_size (int): H, of each encoder direction and of the decoder.
            Default: 512 (paper: 1000).
        num_layers (int): encoder layers. Default: 1.
        cell (str): 'gru' (the paper's gated unit) or 'lstm'. Default: 'gru'.
        bidirectional (bool): bidirectional encoder. Default: True.
        attn_size (int, optional): A. Default: hidden_size.
        dropout (float): on embeddings and the read-out features. Default: 0.0.
        pad_idx, bos_idx, eos_idx (int): special tokens. Default: 0, 1, 2.

    Shape:
        src (B, S) ids, tgt_in (B, T) ids (<bos> y_1 .. y_{T-1}) -> logits (B, T, V).

    Attributes:
        encoder (Encoder), bridge (Linear D*H -> H: W_s), decoder (AttnDecoder). Layers
        keep torch's default initialisation (the paper: orthogonal recurrent weights and
        N(0, 0.01^2) elsewhere).

    Example:
        >>> model = Seq2Seq(20, 20, embed_dim=32, hidden_size=64)
        >>> src, tgt = nl.randint(3, 20, (4, 7)), nl.randint(3, 20, (4, 9))
        >>> model(src, tgt[:, :-1]).shape
        (4, 8, 20)
        >>> model.beam_search(src, beam_size=4, max_len=10).shape[0]
        4
    """

    def __init__(self, src_vocab: int, tgt_vocab: int, embed_dim: int = 256,
                 hidden_size: int = 512, num_layers: int = 1, cell: str = "gru",
                 bidirectional: bool = True, attn_size: int | None = None,
                 dropout: float = 0.0, pad_idx: int = 0, bos_idx: int = 1,
                 eos_idx: int = 2) -> None:
        super().__init__()
        if cell not in _RNNS:
            raise ValueError(f"Seq2Seq: cell must be 'gru' or 'lstm', got {cell!r}")
        D = 2 if bidirectional else 1
        self.encoder = Encoder(src_vocab, embed_dim, hidden_size, num_layers, cell,
                               bidirectional, dropout, pad_idx)
        self.bridge = nn.Linear(D * hidden_size, hidden_size)
        self.decoder = AttnDecoder(tgt_vocab, embed_dim, hidden_size, D * hidden_size,
                                   attn_size or hidden_size, cell, dropout, pad_idx)
        self.cell, self.tgt_vocab = cell, tgt_vocab
        self.pad_idx, self.bos_idx, self.eos_idx = pad_idx, bos_idx, eos_idx

    # ---- encoder side ----------------------------------------------------------
    def encode(self, src: Any) -> tuple:
        """(state s_0, keys h (B, S, D*H), keys_proj U_a h (B, S, A), padding mask (B, S))."""
        src = token_ids(src, "Seq2Seq", "src")
        keys, final = self.encoder(src)                            # (B, S, D*H), (B, D*H)
        s0 = F.tanh(self.bridge(final))                            # (B, H)
        state = (s0, nl.zeros_like(s0)) if self.cell == "lstm" else s0
        mask = src == self.pad_idx                                  # (B, S)
        return state, keys, self.decoder.attention.project_keys(keys), mask

    # ---- training --------------------------------------------------------------
    def forward(self, src: Any, tgt_in: Any, teacher_forcing_ratio: float = 1.0) -> Tensor:
        """Logits for every target position, feeding ``tgt_in`` (teacher forcing) or,
        with probability ``1 - teacher_forcing_ratio`` per step, the previous argmax."""
        tgt_in = token_ids(tgt_in, "Seq2Seq", "tgt_in")
        state, keys, keys_proj, mask = self.encode(src)
        if tgt_in.shape[0] != keys.shape[0]:
            raise ValueError(f"Seq2Seq: src and tgt_in must have the same batch size, got "
                             f"{keys.shape[0]} and {tgt_in.shape[0]}")
        T = tgt_in.shape[1]
        teacher = default_generator().random(T) < teacher_forcing_ratio   # (T,)
        features, y_prev = [], tgt_in[:, 0]
        for t in range(T):
            if teacher[t] or t == 0:
                y_prev = tgt_in[:, t]
            state, f, _ = self.decoder.step(y_prev, state, keys, keys_proj, mask)
            features.append(f)                                     # (B, H + D*H + E)
            if t + 1 < T and not teacher[t + 1]:                   # feed our own guess
                y_prev = self.decoder.out(f).array.argmax(axis=1)
        return self.decoder.out(nl.stack(features, dim=1))         # (B, T, V)

    # ---- decoding --------------------------------------------------------------
    def _step_fn(self, keys: Tensor, keys_proj: Tensor, mask: np.ndarray) -> Callable:
        def step(tokens: np.ndarray, state: Any) -> tuple:
            state, f, _ = self.decoder.step(tokens[:, -1], state, keys, keys_proj, mask)
            return F.log_softmax(self.decoder.out(f), dim=1).array, state   # (B', V)
        return step

    def _reorder(self, state: Any, rows: np.ndarray) -> Any:
        if self.cell == "lstm":
            return (state[0][rows], state[1][rows])
        return state[rows]

    @nl.no_grad()
    def greedy_decode(self, src: Any, max_len: int = 50) -> Tensor:
        """The most likely next word at every step, until <eos> or ``max_len`` words.

        Returns:
            int64 Tensor (B, <= max_len): the words after <bos>, <eos> included, <pad>
            after it. Call ``model.eval()`` first (dropout).
        """
        state, keys, keys_proj, mask = self.encode(src)
        return Tensor(beam_search(self._step_fn(keys, keys_proj, mask), state, self._reorder,
                                  keys.shape[0], 1, max_len, self.bos_idx, self.eos_idx,
                                  self.pad_idx))

    @nl.no_grad()
    def beam_search(self, src: Any, beam_size: int = 5, max_len: int = 50,
                    length_penalty: float = 0.6) -> Tensor:
        """Beam search (``decoding.beam_search``) over ``beam_size`` hypotheses per sentence.

        Args:
            src (B, S) ids. beam_size (int): K. Default: 5.
            max_len (int): most words generated, <eos> included. Default: 50.
            length_penalty (float): alpha of the GNMT penalty (0: raw log-probability).
                Default: 0.6.

        Returns:
            int64 Tensor (B, <= max_len), as ``greedy_decode``.
        """
        state, keys, keys_proj, mask = self.encode(src)
        B, K = keys.shape[0], beam_size
        rows = np.repeat(np.arange(B), K)                          # each sentence K times
        state = self._reorder(state, rows)                         # (B*K, H)
        keys, keys_proj, mask = keys[rows], keys_proj[rows], mask[rows]
        return Tensor(beam_search(self._step_fn(keys, keys_proj, mask), state, self._reorder,
                                  B, K, max_len, self.bos_idx, self.eos_idx, self.pad_idx,
                                  length_penalty))
