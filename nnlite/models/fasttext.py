"""FastText, from Joulin, Grave, Bojanowski & Mikolov, "Bag of Tricks for Efficient Text
Classification", EACL 2017.

A sentence is the average of the vectors of its words -- and, for word order, of its
n-grams -- and a linear classifier reads that average (section 2, Figure 1):

    h = (1 / |x|) sum_{t in x} A_t          A (V + buckets, d): words, then n-gram buckets
    y = B h                                  B (classes, d), softmax on top

N-grams are not kept in a dictionary: each is hashed into one of ``ngram_buckets`` rows
(the hashing trick, section 2.2; the paper uses 10M buckets for bigrams), with
fastText's own hash ``h = h * 116049371 + id`` over the ids of the n words. Without
buckets the model is the paper's plain "fastText"; with them, "fastText, bigram".

fastText initialises A U(-1/d, 1/d) and B to zero; the padding row is zero and
padding tokens (and n-grams touching them) are left out of the average.

Notation in the shape comments: B batch, L padded length, G = L - n + 1 n-grams per
row, d embed_dim.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from nnlite import nn
from nnlite.tensor import Tensor

from ._tokens import token_ids

__all__ = ["FastText", "hash_ngrams", "add_ngrams"]

FASTTEXT_PRIME = np.uint64(116049371)   # fastText's Dictionary::addWordNgrams multiplier




def hash_ngrams(ids: Any, num_buckets: int, n: int = 2, padding_idx: int | None = 0,
                offset: int = 0) -> np.ndarray:
    """Hash every window of ``n`` consecutive ids of each row into a bucket.

    Args:
        ids (array or Tensor): (B, L) integer token ids, padded with ``padding_idx``.
        num_buckets (int): number of buckets.
        n (int): the n-gram order. Default: 2 (bigrams).
        padding_idx (int, optional): an n-gram containing it becomes ``padding_idx``.
            Default: 0.
        offset (int): added to every bucket (the vocabulary size, so buckets follow
            the words in the embedding table). Default: 0.

    Returns:
        int64 array (B, L - n + 1) of ids in ``[offset, offset + num_buckets)`` (or
        ``padding_idx``).

    Example:
        >>> hash_ngrams([[5, 6, 7, 0]], num_buckets=100, offset=10).shape
        (1, 3)
    """
    ids = token_ids(ids, "hash_ngrams", ndim=None)
    if ids.ndim != 2:
        raise ValueError(f"hash_ngrams: expected ids of shape (B, L), got {ids.shape}")
    if num_buckets < 1 or n < 1:
        raise ValueError(f"hash_ngrams: need num_buckets >= 1 and n >= 1, got "
                         f"num_buckets={num_buckets}, n={n}")
    B, L = ids.shape
    G = max(L - n + 1, 0)
    u = ids.astype(np.uint64)
    h = u[:, :G].copy()                                          # (B, G)
    for j in range(1, n):                                        # wraps mod 2^64, as C++
        h = h * FASTTEXT_PRIME + u[:, j:j + G]
    out = (h % np.uint64(num_buckets)).astype(np.int64) + offset  # (B, G)
    if padding_idx is not None:
        pad = ids == padding_idx                                  # (B, L)
        touches_pad = np.zeros((B, G), bool)
        for j in range(n):
            touches_pad |= pad[:, j:j + G]
        out[touches_pad] = padding_idx
    return out


def add_ngrams(ids: Any, vocab_size: int, num_buckets: int, n: int = 2,
               padding_idx: int | None = 0, offsets: Any = None) -> tuple:
    """Append the hashed n-grams of each sentence to its words.

    Args:
        ids: (B, L) padded ids, or 1-D ids of all sentences one after another with
            ``offsets`` (B,) the start of each (as ``EmbeddingBag``).
        vocab_size (int): buckets come after the V word rows.
        num_buckets, n, padding_idx: as ``hash_ngrams``.
        offsets (optional): see ``ids``.

    Returns:
        ``(ids, offsets)``: (B, L + G) ids and None for padded input; for 1-D input, the
        1-D ids with each sentence's n-grams after its words, and the new offsets.
    """
    ids = token_ids(ids, "add_ngrams", ndim=None)
    if offsets is None:
        grams = hash_ngrams(ids, num_buckets, n, padding_idx, vocab_size)   # (B, G)
        return np.concatenate([ids, grams], axis=1), None                  # (B, L + G)
    if ids.ndim != 1:
        raise ValueError(f"add_ngrams: with offsets, ids must be 1-D, got shape {ids.shape}")
    starts = token_ids(offsets, "add_ngrams", ndim=None).reshape(-1)        # (B,)
    N, B = ids.shape[0], starts.shape[0]
    bag = np.searchsorted(starts, np.arange(N), side="right") - 1            # (N,)
    G = max(N - n + 1, 0)
    grams = hash_ngrams(ids[None, :], num_buckets, n, padding_idx, vocab_size)[0]  # (G,)
    inside = bag[:G] == bag[n - 1:n - 1 + G]                   # the n words share a bag
    tokens = np.concatenate([ids, grams[inside]])
    owner = np.concatenate([bag, bag[:G][inside]])
    order = np.argsort(owner, kind="stable")                   # each bag: words, then n-grams
    new_offsets = np.searchsorted(owner[order], np.arange(B), side="left")
    return tokens[order], new_offsets


class FastText(nn.Module):
    """The fastText classifier (see the module docstring).

    Args:
        vocab_size (int): V, the word vocabulary.
        embed_dim (int): d, the size of the sentence vector (10 in the paper).
        num_classes (int): outputs.
        ngram_buckets (int): rows for hashed n-grams after the V word rows; 0 uses words
            only. Default: 0.
        padding_idx (int): the padding token, left out of every average. Default: 0.
        ngram (int): n of the hashed n-grams. Default: 2.

    Shape:
        input: (B, L) padded ids, or 1-D ids with ``offsets`` (B,) -> logits (B, classes).

    Attributes:
        embedding (nn.EmbeddingBag): A, (V + ngram_buckets, d), mean mode, U(-1/d, 1/d).
        fc (Linear): B, (num_classes, d), zeros.

    Example:
        >>> model = FastText(vocab_size=5000, embed_dim=10, num_classes=2,
        ...                  ngram_buckets=100_000)
        >>> model(nl.randint(1, 5000, (8, 20))).shape
        (8, 2)
    """

    def __init__(self, vocab_size: int, embed_dim: int, num_classes: int,
                 ngram_buckets: int = 0, padding_idx: int = 0, ngram: int = 2) -> None:
        super().__init__()
        if ngram_buckets < 0 or ngram < 2:
            raise ValueError(f"FastText: need ngram_buckets >= 0 and ngram >= 2, got "
                             f"ngram_buckets={ngram_buckets}, ngram={ngram}")
        self.vocab_size, self.ngram_buckets, self.ngram = vocab_size, ngram_buckets, ngram
        self.padding_idx = padding_idx
        self.embedding = nn.EmbeddingBag(vocab_size + ngram_buckets, embed_dim, mode="mean",
                                      padding_idx=padding_idx)
        self.fc = nn.Linear(embed_dim, num_classes)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """fastText's: A U(-1/d, 1/d) (padding row zero), B and its bias zero."""
        d = self.embedding.embedding_dim
        nn.init.uniform_(self.embedding.weight, -1.0 / d, 1.0 / d)
        self.embedding.weight.array[self.padding_idx] = 0
        nn.init.zeros_(self.fc.weight)
        nn.init.zeros_(self.fc.bias)

    def forward(self, input: Any, offsets: Any = None) -> Tensor:
        ids = token_ids(input, "FastText", ndim=None)
        if self.ngram_buckets:
            ids, offsets = add_ngrams(ids, self.vocab_size, self.ngram_buckets, self.ngram,
                                      self.padding_idx, offsets)    # (B, L + G) or 1-D
        h = self.embedding(ids, offsets)                            # (B, d)
        return self.fc(h)                                           # (B, num_classes)

    def extra_repr(self) -> str:
        return (f"vocab_size={self.vocab_size}, ngram_buckets={self.ngram_buckets}, "
                f"ngram={self.ngram}")
