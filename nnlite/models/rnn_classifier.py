"""LSTMClassifier: a recurrent N->1 sentence classifier -- a (bidirectional) LSTM reads the
words of a sentence and one vector sums it up for a softmax layer -- after the sequential
baselines of Tai, Socher & Manning, "Improved Semantic Representations From Tree-Structured
Long Short-Term Memory Networks", ACL 2015 (section 5.2, Table 2).

A sentence of n words w_1 .. w_n is read left to right (and, bidirectional, right to left
by a second LSTM); the sentence vector is read off the hidden states, and a softmax layer
classifies it (section 2, and the paper's code, sentiment/LSTMSentiment.lua):

    x_t = E w_t                                       E (V, k): word vectors
    h->_t = LSTM->(x_t, h->_{t-1})                    t = 1 .. n      forward
    h<-_t = LSTM<-(x_t, h<-_{t+1})                    t = n .. 1      backward
    z = [h->_n ; h<-_1]                               pooling='last'  (the paper)
    z = max_t [h->_t ; h<-_t]                         pooling='max'   (over time, per unit)
    y = softmax(W (z o r) + b)                        r a dropout mask (p = 0.5) on z

'last' is what Tai et al. feed their softmax: the forward LSTM's state after the last
word and the backward LSTM's state after the first word. 'max' takes, for every unit, its
largest value over the time steps of the sentence (as TextCNN's 1-max pooling does over
its feature maps); it sees every step, not only the ends.

Variable-length batches: the padded word vectors ``(B, T, k)`` are packed
(``nn.utils.rnn.pack_padded_sequence``) with each sentence's length, so the LSTM runs each
sentence for exactly its own steps: padding changes neither the final states (``h_n`` is
each sentence's state at its own last word) nor the outputs, and a sentence gives the
same logits alone as in any batch. The lengths come from the padding (``padding_idx`` at
the end of each row) unless given.

Tai et al.'s settings (binary SST): 300-d GloVe vectors fine-tuned, hidden size 150 for the
bidirectional LSTM (168 for the unidirectional one, so both have ~316k LSTM parameters),
dropout 0.5 on z, AdaGrad (learning rate 0.05, word vectors 0.1), mini-batches of 25, L2
1e-4, the epoch with the best dev accuracy. (Their code shares the weights of the two
directions; here each direction has its own, as ``nn.LSTM(bidirectional=True)`` does.)

Initialisation: word vectors U(-0.25, 0.25) with a zero padding row (Kim 2014's code, as
in TextCNN: no pretrained vectors ship with nnlite); the LSTM and the output layer keep
PyTorch's defaults, U(-1/sqrt(H), 1/sqrt(H)) and U(-1/sqrt(D H), 1/sqrt(D H)).

Notation in the shape comments: B batch, T padded sentence length, N = sum of the
lengths (the packed rows), k embed_dim, H hidden_size, D directions (2 if bidirectional).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlite import nn
from nnlite.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence
from nnlite.tensor import Tensor

from ._tokens import token_ids
from .textcnn import random_word_vectors

__all__ = ["LSTMClassifier", "POOLINGS", "lengths_from_padding"]

POOLINGS = ("last", "max")


def lengths_from_padding(ids: np.ndarray, padding_idx: int = 0) -> np.ndarray:
    """The length of each row of ``ids`` (B, T), padded at the end with ``padding_idx``:
    the position after its last non-padding token. A row of padding only raises."""
    real = ids != padding_idx                                   # (B, T)
    lengths = np.where(real.any(axis=1),
                       ids.shape[1] - np.argmax(real[:, ::-1], axis=1), 0)   # (B,)
    if ids.size and lengths.min() == 0:
        rows = np.flatnonzero(lengths == 0)[:5].tolist()
        raise ValueError(f"LSTMClassifier: rows {rows} of the input are padding only "
                         f"(padding_idx={padding_idx}): every sentence needs a word")
    return lengths.astype(np.int64)


class LSTMClassifier(nn.Module):
    """A (bi)LSTM sentence classifier (see the module docstring).

    Args:
        vocab_size (int): V, rows of the embedding table.
        num_classes (int): outputs of the softmax layer.
        embed_dim (int): k, the word-vector size. Default: 300.
        hidden_size (int): H, per direction. Default: 150.
        num_layers (int): stacked LSTM layers (dropout ``dropout`` between them).
            Default: 1.
        bidirectional (bool): a second LSTM reads right to left. Default: True.
        pooling (str): 'last' (the final states of both directions, the paper's) or 'max'
            (each unit's maximum over time). Default: 'last'.
        dropout (float): on the sentence vector z (and between LSTM layers). Default: 0.5.
        embed_dropout (float): on the word vectors x_t. Default: 0.0.
        padding_idx (int): the padding token; its vector is zero and never trained.
            Default: 0.

    Shape:
        input: token ids (B, T), padded at the end with ``padding_idx``; lengths (B,)
        optional (default: from the padding) -> logits (B, num_classes).

    Attributes:
        embedding (nn.Embedding): (V, k).
        lstm (nn.LSTM): ``batch_first``; ``weight_ih_l0`` (4H, k), ``weight_hh_l0`` (4H, H),
            and the ``_reverse`` copies if bidirectional.
        fc (nn.Linear): (num_classes, D * H).

    Example:
        >>> model = LSTMClassifier(vocab_size=5000, num_classes=2, embed_dim=50,
        ...                        hidden_size=32)
        >>> ids = nl.randint(1, 5000, (8, 20))
        >>> ids[0, 12:] = 0                                  # a shorter sentence, padded
        >>> model(ids).shape
        (8, 2)
        >>> model(ids, lengths=[12] + [20] * 7).shape        # the same, lengths given
        (8, 2)
    """

    def __init__(self, vocab_size: int, num_classes: int, embed_dim: int = 300,
                 hidden_size: int = 150, num_layers: int = 1, bidirectional: bool = True,
                 pooling: str = "last", dropout: float = 0.5, embed_dropout: float = 0.0,
                 padding_idx: int = 0) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"LSTMClassifier: pooling must be one of {POOLINGS}, got "
                             f"{pooling!r}")
        if not 0 <= padding_idx < vocab_size:
            raise ValueError(f"LSTMClassifier: padding_idx must be in [0, vocab_size = "
                             f"{vocab_size}), got {padding_idx}")
        self.pooling = pooling
        self.padding_idx = padding_idx
        self.directions = 2 if bidirectional else 1
        vectors = random_word_vectors(vocab_size, embed_dim, padding_idx)
        self.embedding = nn.Embedding.from_pretrained(vectors, freeze=False,
                                                      padding_idx=padding_idx)
        self.embed_dropout = nn.Dropout(embed_dropout)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0,
                            bidirectional=bidirectional)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(self.directions * hidden_size, num_classes)

    def lengths(self, ids: np.ndarray, lengths: Any = None) -> np.ndarray:
        """Each sentence's length (B,): ``lengths`` checked against ``ids`` (B, T), or found
        from the padding."""
        if lengths is None:
            return lengths_from_padding(ids, self.padding_idx)
        n = np.asarray(lengths.array if isinstance(lengths, Tensor) else lengths)
        if n.shape != ids.shape[:1] or (n.size and n.dtype.kind not in "iu"):
            raise ValueError(f"LSTMClassifier: lengths must be {ids.shape[0]} ints, one per "
                             f"row of the input {ids.shape}; got {n.dtype} array of shape "
                             f"{n.shape}")
        if n.size and (n.min() < 1 or n.max() > ids.shape[1]):
            raise ValueError(f"LSTMClassifier: lengths must be in [1, T = {ids.shape[1]}] "
                             f"for input of shape {ids.shape}; got {n.min()} .. {n.max()}")
        return n.astype(np.int64)

    def encode(self, input: Any, lengths: Any = None) -> Tensor:
        """The sentence vectors z (B, D * H), before dropout and the softmax layer."""
        ids = token_ids(input, "LSTMClassifier")                   # (B, T)
        lengths = self.lengths(ids, lengths)                       # (B,)
        ids = ids[:, :int(lengths.max())]                          # (B, T') no all-pad tail
        x = self.embed_dropout(self.embedding(ids))                # (B, T', k)
        packed = pack_padded_sequence(x, lengths, batch_first=True,
                                      enforce_sorted=False)        # data (N, k)
        output, (h_n, _) = self.lstm(packed)    # data (N, D*H); h_n (layers*D, B, H)
        return self.pool(output, h_n)                              # (B, D*H)

    def pool(self, output: PackedSequence, h_n: Tensor) -> Tensor:
        """The sentence vector from the LSTM's outputs: 'last' -> the top layer's final
        state of each direction, [h->_n ; h<-_1]; 'max' -> each unit's maximum over the
        sentence's own steps."""
        if self.pooling == "last":
            top = h_n[-self.directions:]                           # (D, B, H) top layer
            return top.transpose(0, 1).reshape(top.shape[1], -1)   # (B, D*H) fwd, then bwd
        # padded steps are -inf, so the maximum is taken over each sentence's own steps
        padded, _ = pad_packed_sequence(output, batch_first=True,
                                        padding_value=-np.inf)     # (B, T', D*H)
        return padded.amax(dim=1)                                  # (B, D*H)

    def forward(self, input: Any, lengths: Any = None) -> Tensor:
        z = self.encode(input, lengths)                            # (B, D*H)
        return self.fc(self.dropout(z))                            # (B, num_classes)

    def extra_repr(self) -> str:
        return f"pooling={self.pooling!r}"
