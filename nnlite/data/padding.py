"""Padding of batched token ids: ``trim_padding`` drops the columns that are padding in every
row, so a batch is only as wide as its longest sequence.

    loader = DataLoader(dataset, batch_sampler=BucketBatchSampler(lengths, 128))
    for src, tgt in loader:                      # (B, L): padded to the dataset's longest
        src = trim_padding(src)                  # (B, L'): to the batch's longest
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["trim_padding"]


def trim_padding(ids: Any, pad_idx: int = 0) -> np.ndarray:
    """Drop the trailing columns that are padding in every row: ``(B, L) -> (B, L')``,
    ``L'`` the longest sequence of the batch (at least 1).

    Args:
        ids (array or Tensor): ``(B, L)`` token ids, padded at the end of each row.
        pad_idx (int): the padding id. Default: 0.

    Returns:
        np.ndarray: the ids ``(B, L')``, a view of ``ids``.

    Example:
        >>> trim_padding(np.array([[5, 6, 0], [7, 0, 0]])).tolist()
        [[5, 6], [7, 0]]
    """
    a = ids.array if isinstance(ids, Tensor) else np.asarray(ids)
    if a.ndim != 2:
        raise ValueError(f"trim_padding: expected ids of shape (B, L), got shape {a.shape}")
    used = np.flatnonzero((a != pad_idx).any(axis=0))
    return a[:, :used[-1] + 1 if used.size else 1]
