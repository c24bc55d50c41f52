"""What the sequence examples share: batches of similar lengths, padding trimmed per batch,
and a learning-rate schedule that ends when training does (steps or time budget).

    sampler = BucketBatchSampler(lengths, batch_size=128)      # shuffled, little padding
    loader = DataLoader(dataset, batch_sampler=sampler)
    for src, tgt in loader:
        src = trim_padding(src)                                # (B, longest in the batch)
    fit(..., after_step=warmup_cosine(optimizer, warmup_steps=400))
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ..random import default_generator
from ..tensor import Tensor
from .training import FitState

__all__ = ["BucketBatchSampler", "trim_padding", "warmup_cosine"]


class BucketBatchSampler:
    """Batches of samples of similar length, so that little of each batch is padding.

    Shuffled (training): each epoch the indices are permuted, cut into pools of ``pool``
    batches, sorted by length inside each pool and cut into batches, and the batches are
    visited in random order. The permutations come from nnlite's generator (or
    ``generator``), so a seed fixes them and a checkpoint's random state resumes them.
    Not shuffled (evaluation): all indices sorted by length, cut into batches.

    Args:
        lengths (sequence of int): the length of each sample, ``(N,)``.
        batch_size (int): samples per batch.
        shuffle (bool): Default: True.
        pool (int): batches per sorting pool. Default: 50.
        generator (numpy.random.Generator, optional): Default: nnlite's global generator.

    Example:
        >>> s = BucketBatchSampler([5, 1, 4, 2], batch_size=2, shuffle=False)
        >>> [list(b) for b in s]
        [[1, 3], [2, 0]]
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, shuffle: bool = True,
                 pool: int = 50, generator: np.random.Generator | None = None) -> None:
        self.lengths = np.asarray(lengths).reshape(-1)
        if self.lengths.dtype.kind not in "iu" or not len(self.lengths):
            raise ValueError(f"BucketBatchSampler: lengths must be a non-empty sequence of "
                             f"ints, got {self.lengths.dtype} array of shape "
                             f"{self.lengths.shape}")
        for name, v in (("batch_size", batch_size), ("pool", pool)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"BucketBatchSampler: {name} must be an int >= 1, got {v!r}")
        self.batch_size, self.shuffle, self.pool = int(batch_size), shuffle, int(pool)
        self.generator = generator

    def index_batches(self) -> list[np.ndarray]:
        """This epoch's batches as int64 arrays."""
        b, n = self.batch_size, len(self.lengths)
        if not self.shuffle:
            order = np.argsort(self.lengths, kind="stable")
            return [order[i:i + b] for i in range(0, n, b)]
        rng = self.generator if self.generator is not None else default_generator()
        perm, size = rng.permutation(n), b * self.pool
        batches = []
        for start in range(0, n, size):
            chunk = perm[start:start + size]                       # one pool
            chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
            batches += [chunk[i:i + b] for i in range(0, len(chunk), b)]
        return [batches[i] for i in rng.permutation(len(batches))]

    def __iter__(self) -> Iterator[list[int]]:
        return iter([batch.tolist() for batch in self.index_batches()])

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)


def trim_padding(ids: Any, pad_idx: int = 0) -> np.ndarray:
    """Drop the trailing columns that are padding in every row: ``(B, L) -> (B, L')``,
    ``L'`` the longest sequence of the batch (at least 1). Returns an int64 array."""
    a = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
    if a.ndim != 2:
        raise ValueError(f"trim_padding: expected ids of shape (B, L), got shape {a.shape}")
    used = np.flatnonzero((a != pad_idx).any(axis=0))
    return a[:, :used[-1] + 1 if used.size else 1]


def warmup_cosine(optimizer: Any, warmup_steps: int = 0, final_fraction: float = 0.0
                  ) -> Callable[[FitState], None]:
    """An ``after_step`` hook for :func:`~nnlite.utils.fit`: each group's learning rate
    (the one it has now: the peak) rises linearly over ``warmup_steps`` steps, then follows
    a half cosine down to ``final_fraction`` of the peak at the end of training --
    ``FitState.progress``, so the decay also ends with a time budget. The first step's rate
    is set at once."""
    if warmup_steps < 0 or not 0.0 <= final_fraction <= 1.0:
        raise ValueError(f"warmup_cosine: need warmup_steps >= 0 and 0 <= final_fraction "
                         f"<= 1, got {warmup_steps} and {final_fraction}")
    peaks = [group["lr"] for group in optimizer.param_groups]

    def set_lr(state: FitState) -> None:
        warm = min(1.0, (state.step + 1) / warmup_steps) if warmup_steps else 1.0
        decay = final_fraction + (1.0 - final_fraction) * 0.5 * (
            1.0 + math.cos(math.pi * state.progress))
        for group, peak in zip(optimizer.param_groups, peaks):
            group["lr"] = peak * warm * decay

    set_lr(FitState())
    return set_lr
