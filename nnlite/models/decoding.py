"""Decoding for the sequence models: how a trained model turns scores into tokens.

* ``sample_next``: one token per row from softmax(logits / temperature), optionally among
  the ``top_k`` largest (``CharRNN.generate``, ``TransformerLM.generate``);
* ``as_prefix``: a prompt as (B, T0) int64 ids;
* ``beam_search`` with the length penalty ``gnmt_length_penalty`` of Wu et al. 2016 (GNMT:
  score / ((5 + |Y|) / 6)^alpha); ``beam_size=1`` is greedy decoding
  (``Seq2Seq`` and ``TransformerSeq2Seq``);
* ``causal_mask``: the (T, T) mask that keeps position i from attending to j > i.

Notation in the shape comments: B batch, V vocabulary, K beams, t tokens so far.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from nnlite.nn.transformer import Transformer
from nnlite.random import default_generator
from nnlite.tensor import Tensor

__all__ = ["sample_next", "as_prefix", "beam_search", "gnmt_length_penalty", "causal_mask"]


# ============================================================================
# Sampling
# ============================================================================
def sample_next(logits: Any, temperature: float = 1.0, top_k: int | None = None,
                generator: np.random.Generator | None = None) -> np.ndarray:
    """Draw one token per row from softmax(logits / temperature).

    Sampling is the Gumbel-max trick, argmax(logits / temperature + g) with g ~ Gumbel(0,
    1): exact, vectorised over the batch, and words masked out by ``top_k`` (set to
    -inf) are never drawn.

    Args:
        logits (array or Tensor): (B, V).
        temperature (float): > 0; 0 picks the argmax (greedy). Default: 1.0.
        top_k (int, optional): sample only among the k largest logits of each row.
        generator (np.random.Generator, optional): default nnlite's global generator, so
            ``nl.manual_seed`` makes sampling repeatable.

    Returns:
        int64 array (B,).
    """
    z = logits.array if isinstance(logits, Tensor) else np.asarray(logits)
    if z.ndim != 2:
        raise ValueError(f"sample_next: expected logits of shape (B, V), got {z.shape}")
    if temperature < 0:
        raise ValueError(f"sample_next: temperature must be >= 0, got {temperature}")
    z = z.astype(np.float64)
    if top_k is not None:
        if top_k < 1:
            raise ValueError(f"sample_next: top_k must be >= 1, got {top_k}")
        if top_k < z.shape[1]:
            kth = np.partition(z, -top_k, axis=1)[:, [-top_k]]        # (B, 1) k-th largest
            z = np.where(z < kth, -np.inf, z)                          # (B, V)
    if temperature == 0:
        return z.argmax(axis=1)
    rng = default_generator() if generator is None else generator
    g = rng.gumbel(size=z.shape)                                       # (B, V)
    return np.argmax(z / temperature + g, axis=1)                      # (B,)


def as_prefix(prefix: Any, name: str) -> tuple:
    """A prompt as (B, T0) int64 ids, and whether it was one 1-D sequence."""
    ids = prefix.array if isinstance(prefix, Tensor) else np.asarray(prefix)
    if ids.dtype.kind not in "iu" or ids.ndim not in (1, 2) or ids.shape[-1] == 0:
        raise ValueError(f"{name}.generate: expected prefix_ids as integer ids of shape "
                         f"(T0,) or (B, T0) with T0 >= 1, got {ids.dtype} array of shape "
                         f"{ids.shape}")
    ids = ids.astype(np.int64)
    return (ids[None, :], True) if ids.ndim == 1 else (ids, False)


# ============================================================================
# Beam search
# ============================================================================
def gnmt_length_penalty(length: Any, alpha: float) -> Any:
    """lp(Y) = ((5 + |Y|) / 6)^alpha (Wu et al. 2016, eq. 14); alpha = 0 gives 1."""
    return ((5.0 + np.asarray(length, np.float64)) / 6.0) ** alpha


def beam_search(step: Callable, state: Any, reorder: Callable, batch_size: int,
                beam_size: int, max_len: int, bos_idx: int, eos_idx: int, pad_idx: int,
                length_penalty: float = 0.0) -> np.ndarray:
    """Batched beam search; ``beam_size=1`` is greedy decoding.

    Each sentence keeps K hypotheses, ranked by their summed log-probability. At every
    step each live hypothesis is extended by every word, and the K best of the K*V
    candidates survive (at the first step only one hypothesis exists, so the K come
    from different words). A hypothesis that produced <eos> is finished: it stays in
    the beam with its score and extends only with <pad>, at no cost. The search stops
    when every hypothesis has finished, or after ``max_len`` words; the answer is the
    hypothesis with the best score / lp(length) (``gnmt_length_penalty``).

    Args:
        step: ``step(tokens, state) -> (log_probs, state)``; ``tokens`` (B*K, t) the
            hypotheses so far (starting with <bos>), ``log_probs`` an ndarray (B*K, V)
            for the next word. Row b*K + k is hypothesis k of sentence b.
        state: the decoder state for the B*K rows (anything ``reorder`` accepts).
        reorder: ``reorder(state, rows) -> state`` keeping the given rows (the parents
            of the surviving hypotheses).
        batch_size, beam_size (int): B and K.
        max_len (int): most words generated, <eos> included.
        bos_idx, eos_idx, pad_idx (int): special tokens.
        length_penalty (float): alpha. Default: 0.0.

    Returns:
        int64 array (B, t <= max_len): the best hypothesis of each sentence without
        <bos>, <pad> after its <eos>.
    """
    if beam_size < 1 or max_len < 1:
        raise ValueError(f"beam_search: need beam_size >= 1 and max_len >= 1, got "
                         f"beam_size={beam_size}, max_len={max_len}")
    B, K = batch_size, beam_size
    tokens = np.full((B * K, 1), bos_idx, np.int64)                # (B*K, 1)
    scores = np.full((B, K), -np.inf)                              # (B, K)
    scores[:, 0] = 0.0                                             # one live hypothesis
    finished = np.zeros((B, K), bool)
    lengths = np.zeros((B, K), np.int64)
    for _ in range(max_len):
        logp, state = step(tokens, state)                          # (B*K, V)
        V = logp.shape[1]
        logp = logp.astype(np.float64).reshape(B, K, V)            # (B, K, V)
        logp[finished] = -np.inf                                   # finished: only <pad>,
        logp[finished, pad_idx] = 0.0                              # at no cost
        cand = (scores[:, :, None] + logp).reshape(B, K * V)       # (B, K*V)
        top = np.argsort(-cand, axis=1, kind="stable")[:, :K]      # (B, K)
        scores = np.take_along_axis(cand, top, axis=1)
        parent, word = top // V, top % V                           # (B, K)
        rows = (np.arange(B)[:, None] * K + parent).reshape(-1)    # (B*K,)
        tokens = np.concatenate([tokens[rows], word.reshape(-1, 1)], axis=1)
        state = reorder(state, rows)
        was_finished = np.take_along_axis(finished, parent, axis=1)
        lengths = np.take_along_axis(lengths, parent, axis=1) + ~was_finished
        finished = was_finished | (word == eos_idx)
        if finished.all():
            break
    normalised = scores / gnmt_length_penalty(lengths, length_penalty)   # (B, K)
    best = np.argmax(normalised, axis=1)                           # (B,)
    out = tokens.reshape(B, K, -1)[np.arange(B), best, 1:]         # (B, t)
    width = int(np.take_along_axis(lengths, best[:, None], axis=1).max())
    return out[:, :width]                                          # (B, longest answer)


# ============================================================================
# Masks
# ============================================================================
def causal_mask(T: int) -> Tensor:
    """(T, T) bool, True above the diagonal: position i may not attend to j > i."""
    return Transformer.generate_square_subsequent_mask(T, dtype=np.bool_)
