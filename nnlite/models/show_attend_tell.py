"""Show, Attend and Tell, from Xu, Ba, Kiros, Cho, Courville, Salakhutdinov, Zemel & Bengio,
"Show, Attend and Tell: Neural Image Caption Generation with Visual Attention", ICML 2015.

A 1 -> N network: one image in, a sequence of words out. The encoder turns the image into
L annotation vectors a_1 .. a_L in R^D, one per location of its last feature map (section
3.1.1; the paper takes the 14 x 14 x 512 conv5_4 map of a pre-trained VGG; here a small CNN
trained from scratch, its map pooled to ``grid_rows`` rows, each location's row and column
appended as sinusoids: ``GridPositions``). The decoder is an LSTM that, before each word,
looks at the locations through soft attention (sections 3.1.2, 4.2):

    a        = [CNN(image) ; positions]          annotations (B, L, D)
    h_0      = tanh(f_init,h(mean_i a_i))        c_0 = tanh(f_init,c(mean_i a_i))  (initial state)
    e_ti     = w^T tanh(W_a a_i + W_h h_{t-1})   alignment scores (eq. 4, f_att: additive)
    alpha_ti = softmax_i(e_ti)                   attention weights (eq. 5)
    beta_t   = sigmoid(f_beta(h_{t-1}))          gating scalar (section 4.2.1)
    z_t      = beta_t sum_i alpha_ti a_i         context vector (eq. 6, 13)
    h_t, c_t = LSTM([E y_{t-1} ; z_t], (h_{t-1}, c_{t-1}))                         (eq. 1-3)
    p(y_t | a, y_<t) = softmax(L_o tanh(E y_{t-1} + L_h h_t + L_z z_t))   deep output (eq. 7)

Eq. 7 has no tanh; the authors' code (arctic-captions) has it, and so does this file.
``f_att`` is the alignment model of Bahdanau et al. (``seq2seq.AdditiveAttention``).

Training (section 4.2.1) minimises the negative log-likelihood of the reference words,
fed the reference y_{t-1} (teacher forcing), plus the doubly stochastic regularisation

    lambda sum_i (1 - sum_t alpha_ti)^2       (eq. 14: ``doubly_stochastic_penalty``)

which asks each location to be looked at about once over the sequence. Decoding is greedy
or beam search (``decoding.beam_search``); both return, with the words, the attention map
of each emitted word.

Token layout (``nnlite.data.datasets.MultiDigitMNIST`` and the synthetic tasks): 0 <pad>,
1 <bos>, 2 <eos>. Decoded sequences start after <bos>, end with <eos> and are padded with
<pad> after it.

Notation in the shape comments: B batch, C channels, H x W image, h x w the feature grid,
L = h * w locations, D feature size, T words, E embed_dim, M hidden_size, A attn_size,
V vocabulary, K beams.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable, Sequence

import numpy as np

import nnlite as nl
from nnlite import nn
import nnlite.nn.functional as F
from nnlite.tensor import Tensor

from ._tokens import token_ids
from .decoding import beam_search
from .seq2seq import AdditiveAttention

__all__ = ["ShowAttendTell", "ConvEncoder", "GridPositions", "AttentionLSTMDecoder",
           "CaptionOutput", "Caption", "doubly_stochastic_penalty"]

CaptionOutput = namedtuple("CaptionOutput", ["logits", "attention"])
CaptionOutput.__doc__ = ("What ``ShowAttendTell`` returns in training: the word logits "
                         "(B, T, V) and the attention weights alpha (B, T, h, w).")
Caption = namedtuple("Caption", ["tokens", "attention"])
Caption.__doc__ = ("What ``ShowAttendTell`` decodes: the int64 tokens (B, t) after <bos> "
                   "(<eos>, then <pad>) and the attention map (B, t, h, w) each was emitted "
                   "with (zero at padding).")


# ============================================================================
# Encoder: the annotation vectors (section 3.1.1)
# ============================================================================
class ConvBlock(nn.Module):
    """conv 3x3 (same padding) -> BatchNorm -> ReLU -> optional 2x2 max-pool.

    Shape:
        (B, C_in, H, W) -> (B, C_out, H', W'), halved with ``pool``.
    """

    def __init__(self, in_channels: int, out_channels: int, pool: bool) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)
        self.pool = nn.MaxPool2d(2) if pool else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        return self.pool(F.relu(self.bn(self.conv(x))))


class ConvEncoder(nn.Module):
    """A small CNN: one ``ConvBlock`` per entry of ``channels``, all but the last pooling
    (each halves the height and width), then a max over rows down to ``grid_rows`` rows.

    Args:
        in_channels (int): image channels.
        channels (sequence of int): output channels of the blocks; the last is D.
        grid_rows (int): h, rows of the feature grid (the columns stay w = W / 2^(n-1)).

    Shape:
        (B, C, H, W) -> features (B, h, w, D).
    """

    def __init__(self, in_channels: int, channels: Sequence[int], grid_rows: int) -> None:
        super().__init__()
        chans = [in_channels, *channels]
        self.blocks = nn.Sequential(*[ConvBlock(chans[k], chans[k + 1], k + 1 < len(channels))
                                      for k in range(len(channels))])
        self.grid = nn.AdaptiveMaxPool2d((grid_rows, None))
        self.stride = 2 ** (len(channels) - 1)

    def forward(self, images: Tensor) -> Tensor:
        x = self.grid(self.blocks(images))                          # (B, D, h, w)
        return x.permute(0, 2, 3, 1)                                # (B, h, w, D)


class GridPositions(nn.Module):
    """Append where each location is to its annotation: the sinusoids of "Attention is all
    you need" (section 3.5) of its column index (``size // 2`` channels) and of its row index
    (the rest).

    Reading a string needs to know where the next character is; the paper's VGG map carries
    position implicitly (zero padding seen through 16 layers), a small CNN's barely does.
    Attention-OCR (Wojna et al. 2017) appends one-hot coordinates for the same reason;
    sinusoids do it for any grid size.

    Args:
        size (int): P, channels appended (>= 2).

    Shape:
        (B, h, w, D) -> (B, h, w, D + P).
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    @staticmethod
    def sinusoids(n: int, d: int) -> np.ndarray:
        """(n, d): PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...)."""
        pos = np.arange(n, dtype=np.float64)[:, None]                      # (n, 1)
        freq = np.exp(np.arange(0, d, 2) * (-np.log(10000.0) / d))         # (ceil(d/2),)
        pe = np.zeros((n, d))
        pe[:, 0::2] = np.sin(pos * freq)
        pe[:, 1::2] = np.cos(pos * freq[:d // 2])
        return pe

    def forward(self, features: Tensor) -> Tensor:
        B, h, w, D = features.shape
        dc = self.size // 2
        cols = np.broadcast_to(self.sinusoids(w, dc)[None], (h, w, dc))   # (h, w, P/2)
        rows = np.broadcast_to(self.sinusoids(h, self.size - dc)[:, None],
                               (h, w, self.size - dc))                     # (h, w, P - P/2)
        grid = np.concatenate([cols, rows], axis=2).astype(features.dtype) # (h, w, P)
        grid = Tensor(np.ascontiguousarray(np.broadcast_to(grid, (B, h, w, self.size))))
        return nl.cat([features, grid], dim=3)                             # (B, h, w, D + P)

    def extra_repr(self) -> str:
        return f"size={self.size}"


# ============================================================================
# Decoder: an LSTM with soft attention (section 3.1.2)
# ============================================================================
class AttentionLSTMDecoder(nn.Module):
    """One word at a time: attention from h_{t-1}, the gate beta, the LSTM, the deep output.

    Args:
        vocab_size (int): V. feature_size (int): D. embed_dim (int): E.
        hidden_size (int): M. attn_size (int): A. gate (bool): use beta_t.
        dropout (float): before L_o. pad_idx (int): the embedding's padding row.

    Shape:
        ``init_state(a)``: a (B, L, D) -> (h_0, c_0), each (B, M).
        ``step(y_prev, state, a, a_proj)``: y_prev (B,) ids -> state, h_t (B, M), z_t
        (B, D), alpha_t (B, L). ``output(emb, h, z)``: (..., E), (..., M), (..., D) with any
        leading dims -> logits (..., V).
    """

    def __init__(self, vocab_size: int, feature_size: int, embed_dim: int, hidden_size: int,
                 attn_size: int, gate: bool, dropout: float, pad_idx: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_idx)   # E
        self.init_h = nn.Linear(feature_size, hidden_size)                          # f_init,h
        self.init_c = nn.Linear(feature_size, hidden_size)                          # f_init,c
        self.attention = AdditiveAttention(hidden_size, feature_size, attn_size)    # f_att
        self.f_beta = nn.Linear(hidden_size, 1) if gate else None                   # f_beta
        self.cell = nn.LSTMCell(embed_dim + feature_size, hidden_size)
        self.L_h = nn.Linear(hidden_size, embed_dim)
        self.L_z = nn.Linear(feature_size, embed_dim)
        self.dropout = nn.Dropout(dropout)
        self.L_o = nn.Linear(embed_dim, vocab_size)

    def init_state(self, a: Tensor) -> tuple:
        mean = a.mean(dim=1)                                        # (B, D)
        return F.tanh(self.init_h(mean)), F.tanh(self.init_c(mean))  # (B, M) each

    def step(self, y_prev: np.ndarray, state: tuple, a: Tensor, a_proj: Tensor) -> tuple:
        h_prev = state[0]                                           # (B, M)
        z, alpha = self.attention(h_prev, a, a_proj)                # (B, D), (B, L)
        if self.f_beta is not None:
            z = F.sigmoid(self.f_beta(h_prev)) * z                  # (B, 1) * (B, D)
        emb = self.embedding(y_prev)                                # (B, E)
        state = self.cell(nl.cat([emb, z], dim=1), state)          # (B, M) each
        return state, emb, z, alpha

    def output(self, emb: Tensor, h: Tensor, z: Tensor) -> Tensor:
        deep = F.tanh(emb + self.L_h(h) + self.L_z(z))             # (..., E)
        return self.L_o(self.dropout(deep))                         # (..., V)


# ============================================================================
# The regulariser of eq. 14
# ============================================================================
def doubly_stochastic_penalty(attention: Tensor, mask: Any = None, tau: float = 1.0) -> Tensor:
    """sum_i (tau - sum_t alpha_ti)^2, averaged over the batch (eq. 14 without its lambda).

    Args:
        attention (Tensor): alpha, (B, T, h, w) or (B, T, L).
        mask (array, optional): (B, T) bool, True at the steps that count (the real words
            and <eos>); padded steps are left out of sum_t. Default: all steps.
        tau (float): the attention each location should get over the sequence. Default: 1.0
            (the paper's).

    Returns:
        Tensor: a scalar.
    """
    B, T = attention.shape[:2]
    alpha = attention.reshape(B, T, -1)                             # (B, T, L)
    if mask is not None:
        m = np.asarray(mask.array if isinstance(mask, Tensor) else mask)
        if m.shape != (B, T):
            raise ValueError(f"doubly_stochastic_penalty: mask must be (B, T) = {(B, T)}, got "
                             f"{m.shape}")
        alpha = alpha * Tensor(m.astype(alpha.dtype)[:, :, None])   # (B, T, L)
    return ((tau - alpha.sum(dim=1)) ** 2).sum(dim=1).mean()


# ============================================================================
# The model
# ============================================================================
class ShowAttendTell(nn.Module):
    """Xu et al. (2015)'s image-to-sequence model with soft attention (see the module
    docstring).

    Args:
        vocab_size (int): V, including the special tokens.
        in_channels (int): image channels. Default: 1.
        channels (sequence of int): the encoder's blocks. Default: (16, 32, 64, 128) -- a
            32 x 160 image gives a 4 x 20 map, pooled to ``grid_rows`` x 20.
        grid_rows (int): h, rows of the attention grid. Default: 1.
        position_dim (int): P, sinusoids of each location's column and row appended to
            its features (``GridPositions``), so D = channels[-1] + P; 0: none. Default: 16.
        embed_dim (int): E, word embeddings and the deep output. Default: 64 (paper: 512).
        hidden_size (int): M, the LSTM's. Default: 256 (paper: 1800 on Flickr8k).
        attn_size (int, optional): A, of the alignment model. Default: hidden_size.
        gate (bool): the gating scalar beta_t. Default: True.
        dropout (float): before the output layer L_o. Default: 0.0.
        pad_idx, bos_idx, eos_idx (int): special tokens. Default: 0, 1, 2.

    Shape:
        images (B, C, H, W), tokens_in (B, T) (<bos> y_1 .. y_{T-1}) ->
        ``CaptionOutput(logits (B, T, V), attention (B, T, h, w))``.

    Attributes:
        encoder (ConvEncoder), positions (GridPositions or None), decoder
        (AttentionLSTMDecoder). Layers keep torch's default initialisation (the paper does
        not give its own).

    Example:
        >>> model = ShowAttendTell(13, channels=(8, 16), hidden_size=32)
        >>> images, tokens = nl.randn(4, 1, 32, 64), nl.randint(3, 13, (4, 6))
        >>> out = model(images, tokens[:, :-1])
        >>> out.logits.shape, out.attention.shape
        ((4, 5, 13), (4, 5, 1, 32))
        >>> model.eval().greedy_decode(images, max_len=6).tokens.shape[0]
        4
    """

    def __init__(self, vocab_size: int, in_channels: int = 1,
                 channels: Sequence[int] = (16, 32, 64, 128), grid_rows: int = 1,
                 position_dim: int = 16, embed_dim: int = 64, hidden_size: int = 256,
                 attn_size: int | None = None, gate: bool = True, dropout: float = 0.0,
                 pad_idx: int = 0, bos_idx: int = 1, eos_idx: int = 2) -> None:
        super().__init__()
        channels = tuple(int(c) for c in channels)
        if not channels or min(channels) < 1:
            raise ValueError(f"ShowAttendTell: channels must be a non-empty sequence of "
                             f"positive ints, got {channels}")
        if grid_rows < 1:
            raise ValueError(f"ShowAttendTell: grid_rows must be >= 1, got {grid_rows}")
        if position_dim < 0 or position_dim == 1:
            raise ValueError(f"ShowAttendTell: position_dim must be 0 or >= 2, got "
                             f"{position_dim}")
        for name, idx in (("pad_idx", pad_idx), ("bos_idx", bos_idx), ("eos_idx", eos_idx)):
            if not 0 <= idx < vocab_size:
                raise ValueError(f"ShowAttendTell: {name}={idx} is outside the vocabulary "
                                 f"of {vocab_size} tokens")
        self.encoder = ConvEncoder(in_channels, channels, grid_rows)
        self.positions = GridPositions(position_dim) if position_dim else None
        self.decoder = AttentionLSTMDecoder(vocab_size, channels[-1] + position_dim,
                                            embed_dim, hidden_size, attn_size or hidden_size,
                                            gate, dropout, pad_idx)
        self.vocab_size, self.in_channels = vocab_size, in_channels
        self.pad_idx, self.bos_idx, self.eos_idx = pad_idx, bos_idx, eos_idx

    # ---- encoder side ----------------------------------------------------------
    def encode(self, images: Tensor) -> Tensor:
        """The annotation vectors on their grid: (B, C, H, W) -> (B, h, w, D)."""
        if not isinstance(images, Tensor):
            images = nl.tensor(np.asarray(images, np.float32))
        if images.ndim != 4 or images.shape[1] != self.in_channels:
            raise ValueError(f"ShowAttendTell: expected images of shape (B, "
                             f"{self.in_channels}, H, W), got {tuple(images.shape)}")
        if min(images.shape[2:]) < self.encoder.stride:
            raise ValueError(f"ShowAttendTell: images of {images.shape[2]} x {images.shape[3]} "
                             f"are smaller than the encoder's stride {self.encoder.stride}")
        features = self.encoder(images)                             # (B, h, w, C_last)
        if self.positions is not None:
            features = self.positions(features)                     # (B, h, w, D)
        return features

    # ---- training ----------------------------------------------------------------
    def decode(self, features: Tensor, tokens_in: Any) -> CaptionOutput:
        """Teacher forcing: feed ``tokens_in`` (B, T) word by word over ``features``
        (B, h, w, D); the logits (B, T, V) and attention (B, T, h, w) of every step."""
        tokens_in = token_ids(tokens_in, "ShowAttendTell", "tokens_in")
        B, gh, gw, D = features.shape
        if tokens_in.shape[0] != B:
            raise ValueError(f"ShowAttendTell: images and tokens_in must have the same batch "
                             f"size, got {B} and {tokens_in.shape[0]}")
        a = features.reshape(B, gh * gw, D)                         # (B, L, D)
        a_proj = self.decoder.attention.project_keys(a)             # (B, L, A): once
        state = self.decoder.init_state(a)
        hs, zs, embs, alphas = [], [], [], []
        for t in range(tokens_in.shape[1]):
            state, emb, z, alpha = self.decoder.step(tokens_in[:, t], state, a, a_proj)
            hs.append(state[0])
            zs.append(z)
            embs.append(emb)
            alphas.append(alpha)
        logits = self.decoder.output(nl.stack(embs, dim=1), nl.stack(hs, dim=1),
                                     nl.stack(zs, dim=1))           # (B, T, V)
        attention = nl.stack(alphas, dim=1).reshape(B, -1, gh, gw)  # (B, T, h, w)
        return CaptionOutput(logits, attention)

    def forward(self, images: Tensor, tokens_in: Any) -> CaptionOutput:
        """``decode(encode(images), tokens_in)``."""
        return self.decode(self.encode(images), tokens_in)

    # ---- decoding --------------------------------------------------------------
    def _step_fn(self, a: Tensor, a_proj: Tensor) -> Callable:
        def step(tokens: np.ndarray, state: tuple) -> tuple:
            state, emb, z, _ = self.decoder.step(tokens[:, -1], state, a, a_proj)
            logits = self.decoder.output(emb, state[0], z)          # (B', V)
            return F.log_softmax(logits, dim=1).array, state
        return step

    @staticmethod
    def _reorder(state: tuple, rows: np.ndarray) -> tuple:
        return state[0][rows], state[1][rows]

    @nl.no_grad()
    def search(self, features: Tensor, beam_size: int = 1, max_len: int = 50,
               length_penalty: float = 0.0) -> Caption:
        """Decode from encoded ``features`` (B, h, w, D): greedy with ``beam_size=1``, else
        beam search (``decoding.beam_search``). The attention of each emitted word is that
        of a teacher-forced pass over the chosen words (the same computation the search
        made for the surviving hypothesis).

        Returns:
            Caption(tokens (B, t <= max_len), attention (B, t, h, w)).
        """
        B, gh, gw, D = features.shape
        K = int(beam_size)
        rows = np.repeat(np.arange(B), K)                           # each image K times
        a = features.reshape(B, gh * gw, D)[rows]                   # (B*K, L, D)
        a_proj = self.decoder.attention.project_keys(a)             # (B*K, L, A)
        tokens = beam_search(self._step_fn(a, a_proj), self.decoder.init_state(a),
                             self._reorder, B, K, max_len, self.bos_idx, self.eos_idx,
                             self.pad_idx, length_penalty)          # (B, t)
        bos = np.full((B, 1), self.bos_idx, np.int64)
        fed = np.concatenate([bos, tokens[:, :-1]], axis=1)         # (B, t): <bos> y_1 ..
        attention = self.decode(features, fed).attention.array      # (B, t, h, w)
        attention = attention * (tokens != self.pad_idx)[:, :, None, None]
        return Caption(Tensor(tokens), Tensor(attention))

    @nl.no_grad()
    def greedy_decode(self, images: Tensor, max_len: int = 50) -> Caption:
        """The most likely next word at every step, until <eos> or ``max_len`` words. Call
        ``model.eval()`` first (BatchNorm, dropout).

        Returns:
            Caption(tokens (B, t <= max_len), attention (B, t, h, w)).
        """
        return self.search(self.encode(images), 1, max_len)

    @nl.no_grad()
    def beam_search(self, images: Tensor, beam_size: int = 3, max_len: int = 50,
                    length_penalty: float = 0.0) -> Caption:
        """Beam search over ``beam_size`` hypotheses per image (the paper decodes with a
        beam, section 5.2). ``length_penalty``: alpha of the GNMT penalty (0: the summed
        log-probability). Default: 3, 50, 0.0.

        Returns:
            Caption(tokens (B, t <= max_len), attention (B, t, h, w)).
        """
        return self.search(self.encode(images), beam_size, max_len, length_penalty)
