"""TextCNN, from Kim, "Convolutional Neural Networks for Sentence Classification",
EMNLP 2014.

A sentence of n words is the concatenation of their k-dimensional vectors; a filter
w in R^(h k) slides over every window of h words, and each filter keeps only its largest
response (1-max pooling over time), so a sentence of any length gives one feature per
filter (section 2):

    c_i = relu(w . x_{i:i+h-1} + b)         i = 1 .. n - h + 1    one feature map
    c^  = max_i c_i                                                1-max pooling
    z   = [c^_1, ..., c^_m]                 m = num_filters * len(kernel_sizes)
    y   = W (z o r) + b                     r a dropout mask (p = 0.5) on z only
    ||W_j||_2 <= s = 3                      after each step, every row of W rescaled

Model variants (section 3.1), the ``mode`` argument:

    rand          word vectors drawn at random and trained
    static        pretrained vectors, kept fixed (only the conv and output layers learn)
    non-static    pretrained vectors, fine-tuned
    multichannel  two copies of the vectors, one fine-tuned and one fixed; each filter
                  sees both channels and their responses are added

From the paper's code (github.com/yoonkim/CNN_sentence):

* random vectors (all of them in ``rand``, the words word2vec lacks otherwise) are
  U(-0.25, 0.25); the padding row is zero and stays zero;
* every sentence is padded with h_max - 1 padding tokens on each side, so every filter
  sees the first and last words at every offset and a one-word sentence still works;
* ReLU filters start U(-0.01, 0.01) with zero bias; the softmax layer starts at zero;
* the constraint is applied after each update to the 2-D weights other than the word
  vectors, i.e. the softmax layer's, one class (one row here) at a time: a row whose norm
  exceeds s is rescaled to norm s (``max_norm_``).

Here a filter over h words of C channels is a ``Conv1d`` with ``C * k`` input channels
and kernel h over the time axis: the same sums as the paper's (h, k) 2-D filter over C
channels.

Notation in the shape comments: B batch, T padded sentence length, k embed_dim,
C channels (2 in multichannel, else 1), m num_filters.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import nnlite as nl
from nnlite import nn
import nnlite.nn.functional as F
from nnlite.random import default_generator
from nnlite.tensor import Tensor

from ._tokens import token_ids

__all__ = ["TextCNN", "MODES"]

MODES = ("rand", "static", "non-static", "multichannel")


def random_word_vectors(vocab_size: int, embed_dim: int, padding_idx: int | None = None,
                        a: float = 0.25) -> np.ndarray:
    """(vocab_size, embed_dim) vectors U(-a, a) from nnlite's generator, the padding row
    zero: the paper's code's vectors for words without a pretrained one."""
    rng = default_generator()
    dtype = nl.get_default_dtype()
    w = rng.uniform(-a, a, size=(vocab_size, embed_dim)).astype(dtype)
    if padding_idx is not None:
        w[padding_idx] = 0
    return w




class TextCNN(nn.Module):
    """Kim (2014)'s convolutional sentence classifier (see the module docstring).

    Args:
        vocab_size (int): V, rows of the embedding table.
        num_classes (int): outputs of the softmax layer.
        embed_dim (int): k, the word-vector size. Default: 300 (word2vec's).
        kernel_sizes (sequence of int): filter windows h. Default: (3, 4, 5).
        num_filters (int): feature maps per window size. Default: 100.
        dropout (float): on the penultimate layer z. Default: 0.5.
        padding_idx (int): the padding token; its vector is zero and never trained.
            Default: 0.
        mode (str): 'rand', 'static', 'non-static' or 'multichannel'. Default: 'rand'.
        pretrained (array or Tensor, optional): (V, k) word vectors for the last three
            modes (copied, not shared); without them those modes start from random
            vectors too. Must be None in 'rand' mode.

    Shape:
        input: token ids (B, T), any T >= 1 -> logits (B, num_classes).

    Attributes:
        embedding (nn.Embedding): (V, k), frozen in 'static'.
        embedding_static (nn.Embedding): the frozen channel ('multichannel' only).
        convs (ModuleList of nn.Conv1d): one per window h, weight (m, C * k, h).
        fc (Linear): (num_classes, m * len(kernel_sizes)).

    Example:
        >>> model = TextCNN(vocab_size=5000, num_classes=2, embed_dim=50)
        >>> model(nl.randint(1, 5000, (8, 20))).shape
        (8, 2)
        >>> # training step: loss.backward(); opt.step(); model.max_norm_(3.0)
    """

    def __init__(self, vocab_size: int, num_classes: int, embed_dim: int = 300,
                 kernel_sizes: Sequence[int] = (3, 4, 5), num_filters: int = 100,
                 dropout: float = 0.5, padding_idx: int = 0, mode: str = "rand",
                 pretrained: Any = None) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"TextCNN: mode must be one of {MODES}, got {mode!r}")
        kernel_sizes = tuple(int(h) for h in kernel_sizes)
        if not kernel_sizes or min(kernel_sizes) < 1:
            raise ValueError(f"TextCNN: kernel_sizes must be positive window sizes, got "
                             f"{kernel_sizes}")
        vectors = self._word_vectors(vocab_size, embed_dim, padding_idx, mode, pretrained)
        self.mode = mode
        self.kernel_sizes = kernel_sizes
        self.padding_idx = padding_idx

        # channels: the word vectors (fixed in 'static'), plus a fixed copy in 'multichannel'
        self.embedding = nn.Embedding.from_pretrained(vectors, freeze=(mode == "static"),
                                                      padding_idx=padding_idx)
        channels = 1
        if mode == "multichannel":
            self.embedding_static = nn.Embedding.from_pretrained(vectors.copy(), freeze=True,
                                                                 padding_idx=padding_idx)
            channels = 2
        self.convs = nn.ModuleList([nn.Conv1d(channels * embed_dim, num_filters, h)
                                    for h in kernel_sizes])
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(num_filters * len(kernel_sizes), num_classes)
        self.reset_parameters()

    @staticmethod
    def _word_vectors(vocab_size: int, embed_dim: int, padding_idx: int, mode: str,
                      pretrained: Any) -> np.ndarray:
        if pretrained is None:
            return random_word_vectors(vocab_size, embed_dim, padding_idx)
        if mode == "rand":
            raise ValueError("TextCNN: mode='rand' learns random word vectors; pass "
                             "pretrained vectors with mode 'static', 'non-static' or "
                             "'multichannel'")
        w = pretrained.array if isinstance(pretrained, Tensor) else np.asarray(pretrained)
        if w.shape != (vocab_size, embed_dim):
            raise ValueError(f"TextCNN: pretrained must have shape (vocab_size, embed_dim) "
                             f"= ({vocab_size}, {embed_dim}), got {w.shape}")
        return w.astype(nl.get_default_dtype(), copy=True)

    def reset_parameters(self) -> None:
        """The paper's code: ReLU filters U(-0.01, 0.01), zero biases, a zero softmax
        layer. (The word vectors are set at construction.)"""
        for conv in self.convs:
            nn.init.uniform_(conv.weight, -0.01, 0.01)
            nn.init.zeros_(conv.bias)
        nn.init.zeros_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def pad(self, ids: Any) -> Tensor:
        """h_max - 1 padding tokens on each side of every sentence (the paper's code), by
        an nnlite op (``F.pad``), so a traced forward (``nl.onnx.export``) records it."""
        p = max(self.kernel_sizes) - 1
        ids = ids if isinstance(ids, Tensor) else nl.from_numpy(np.asarray(ids))
        return F.pad(ids, (p, p), value=self.padding_idx)

    def forward(self, input: Any) -> Tensor:
        ids = self.pad(token_ids(input, "TextCNN"))               # (B, T)
        x = self.embedding(ids)                                     # (B, T, k)
        if self.mode == "multichannel":
            x = nl.cat([x, self.embedding_static(ids)], dim=2)     # (B, T, C*k)
        x = x.transpose(1, 2)                                       # (B, C*k, T)
        z = nl.cat([F.relu(conv(x)).amax(dim=2)                     # (B, m) per window h
                    for conv in self.convs], dim=1)                 # (B, m * len(h))
        return self.fc(self.dropout(z))                             # (B, num_classes)

    def max_norm_(self, s: float = 3.0) -> None:
        """The l2-norm constraint of section 2.1: rescale every row of the softmax
        layer's weight whose norm exceeds ``s`` to norm ``s``, in place. Call after each
        optimiser step."""
        w = self.fc.weight.array                                     # (classes, m * len(h))
        norms = np.sqrt((w * w).sum(axis=1, keepdims=True))         # (classes, 1)
        scale = np.where(norms > s, s / np.maximum(norms, 1e-12), 1.0)
        w *= scale.astype(w.dtype)

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}, kernel_sizes={self.kernel_sizes}"
