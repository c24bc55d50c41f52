"""Sampling indices from discrete distributions: multinomial.

Notation: p holds R rows of C non-negative weights (a 1-D input is one row); a row need
not sum to 1. Draws come from ``generator`` or the global generator of
``nnlite.random`` (seeded by ``nl.manual_seed``), NumPy's PCG64, so the samples differ
from torch's for the same seed while following the same distribution.

- With replacement: inverse CDF. The row's cumulative weights, scaled to end at 1, are
  searched for uniform draws u in [0, 1): category c is drawn when
  cdf_{c-1} <= u < cdf_c, with probability p_c / sum(p). All rows are searched at once:
  row r is shifted by 2r, so the rows stay apart in one sorted array.
- Without replacement: the exponential race (as torch): with E_c ~ Exp(1), the order of
  p_c / E_c, largest first, is the order in which sequential draws without replacement
  would pick the categories; the first ``num_samples`` are taken. Categories of weight 0
  come last (in index order), so asking for more samples than nonzero weights returns
  them after the others, as torch does.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as _random
from ..factories import as_tensor
from ..tensor import Tensor, from_numpy

MAX_CATEGORIES = 2 ** 24


def _check(p: np.ndarray, num_samples: Any, replacement: bool) -> None:
    if p.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, "
                           f"got: {p.dtype}")
    if p.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {p.shape}")
    if not isinstance(num_samples, (int, np.integer)) or isinstance(num_samples, bool):
        raise TypeError(f"multinomial: num_samples must be an int, got "
                        f"{type(num_samples).__name__}")
    if p.shape[-1] > MAX_CATEGORIES:
        raise RuntimeError(f"multinomial: number of categories cannot exceed 2^24, got "
                           f"{p.shape[-1]}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples, got "
                           f"num_samples={num_samples}")
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) "
                           f"samples without replacement (num_samples={num_samples}, "
                           f"{p.shape[-1]} categories)")


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: np.random.Generator | None = None) -> Tensor:
    """Indices drawn from the categorical distributions given by the rows of ``input``.

    Args:
        input (Tensor): (C) or (R, C) non-negative, finite floating weights; each row
            needs a positive sum and need not sum to 1.
        num_samples (int): draws per row, positive; at most C without replacement.
        replacement (bool): draw with replacement. Default: False.
        generator (np.random.Generator, optional): the source of randomness (keyword
            only). Default: None, the global generator (``nl.manual_seed``).

    Returns:
        int64 category indices, (num_samples) or (R, num_samples). Not differentiable.

    Raises:
        RuntimeError: a weight is negative, inf or nan; a row sums to 0; more samples
            than categories without replacement; a non-floating input (as torch).

    Example:
        >>> _ = nl.manual_seed(0)
        >>> nl.multinomial(nl.tensor([0.0, 1.0, 0.0]), 2, replacement=True)
        tensor([1, 1])
    """
    p = as_tensor(input).array
    _check(p, num_samples, replacement)
    n, c = int(num_samples), p.shape[-1]
    rows = p.reshape(-1, c).astype(np.float64)
    if rows.size and not (np.isfinite(rows).all() and (rows >= 0).all()):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` "
                           "or element < 0")
    total = rows.sum(axis=1)
    if (total <= 0).any():
        raise RuntimeError(f"multinomial: invalid multinomial distribution (sum of "
                           f"probabilities <= 0) in row {int(np.argmax(total <= 0))}")
    gen = generator or _random.default_generator()
    r = rows.shape[0]
    if r == 0:
        return from_numpy(np.zeros((0, n), np.int64))
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]                                    # ends at exactly 1
        shift = 2.0 * np.arange(r)[:, None]                   # row r lives in [2r, 2r + 1]
        found = np.searchsorted((cdf + shift).ravel(), (gen.random((r, n)) + shift).ravel(),
                                side="right").reshape(r, n)
        idx = found - np.arange(r)[:, None] * c
        last = c - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)   # the last positive weight
        idx = np.minimum(idx, last[:, None])                  # u rounded up to 1 (rare)
    else:
        race = gen.standard_exponential((r, c))
        with np.errstate(divide="ignore", invalid="ignore"):
            keys = np.where(rows > 0, rows / race, 0.0)
        idx = np.argsort(-keys, axis=1, kind="stable")[:, :n]
    idx = idx.astype(np.int64, copy=False)
    return from_numpy(idx.reshape(p.shape[:-1] + (n,)))
