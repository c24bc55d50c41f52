"""Samplers: the order in which a DataLoader visits a dataset's indices.

Random samplers draw from ``generator`` (a ``numpy.random.Generator``) or, if it is None, from
nnlite's global generator (``nl.manual_seed``) *when the iterator is created* -- so each epoch
(each ``iter(loader)``) gets a new order, and a seeded run repeats exactly.

Besides the torch protocol (``__iter__`` yielding ints, ``__len__``) the samplers here offer
``index_array()``: the epoch's indices as one int64 array, which ``BatchSampler`` cuts into
batches with slicing rather than a Python loop over samples. ``BucketBatchSampler`` makes
batches of samples of similar lengths, so that little of each batch is padding.
"""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from ..random import default_generator
from ..tensor import Tensor
from .dataset import as_index_array

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "BucketBatchSampler"]


def _check_generator(generator: Any, who: str) -> None:
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"{who}: generator must be a numpy.random.Generator or None, got "
                        f"{type(generator).__name__}")


def _resolve(generator: np.random.Generator | None) -> np.random.Generator:
    return default_generator() if generator is None else generator


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices) and usually ``__len__``."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def index_array(self) -> np.ndarray:
        """This epoch's indices as an int64 array (draws a new order for random samplers)."""
        return np.fromiter(iter(self), dtype=np.int64)


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def index_array(self) -> np.ndarray:
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the dataset's indices.

    Args:
        data_source (Dataset): what to sample from.
        replacement (bool): draw with replacement. Default: False.
        num_samples (int, optional): how many indices per epoch; default ``len(data_source)``.
            Without replacement and larger than the dataset, whole permutations are chained
            (as torch does).
        generator (numpy.random.Generator, optional): default nnlite's global generator.
    """

    def __init__(self, data_source: Any, replacement: bool = False,
                 num_samples: int | None = None,
                 generator: np.random.Generator | None = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, got "
                            f"{replacement!r}")
        _check_generator(generator, "RandomSampler")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.num_samples, (int, np.integer)) or self.num_samples <= 0:
            raise ValueError(f"RandomSampler: num_samples should be a positive integer value, "
                             f"got {self.num_samples!r}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def index_array(self) -> np.ndarray:
        n, m = len(self.data_source), self.num_samples
        rng = _resolve(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=m, dtype=np.int64)
        perms = [rng.permutation(n) for _ in range(m // n)]
        if m % n:
            perms.append(rng.permutation(n)[:m % n])
        return np.concatenate(perms).astype(np.int64, copy=False)

    def __iter__(self) -> Iterator[int]:
        return iter(self.index_array().tolist())   # drawn now, not at the first next()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order, without replacement."""

    def __init__(self, indices: Sequence[int],
                 generator: np.random.Generator | None = None) -> None:
        _check_generator(generator, "SubsetRandomSampler")
        self.indices = as_index_array(indices)
        self.generator = generator

    def index_array(self) -> np.ndarray:
        return self.indices[_resolve(self.generator).permutation(len(self.indices))]

    def __iter__(self) -> Iterator[int]:
        return iter(self.index_array().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """Indices ``0..len(weights)-1`` drawn with probabilities proportional to ``weights``.

    Args:
        weights (sequence of float): non-negative, not all zero.
        num_samples (int): how many to draw per epoch.
        replacement (bool): Default: True.
        generator (numpy.random.Generator, optional).
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: np.random.Generator | None = None) -> None:
        w = np.asarray(weights.array if isinstance(weights, Tensor) else weights,
                       dtype=np.float64)
        if w.ndim != 1 or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-D sequence of "
                             f"non-negative finite numbers, not all zero; got shape {w.shape}")
        if not isinstance(num_samples, (int, np.integer)) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples should be a positive "
                             f"integer value, got {num_samples!r}")
        if not replacement and num_samples > int((w > 0).sum()):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples "
                             f"without replacement from {int((w > 0).sum())} non-zero weights")
        _check_generator(generator, "WeightedRandomSampler")
        self.weights, self.num_samples = w, int(num_samples)
        self.replacement, self.generator = replacement, generator

    def index_array(self) -> np.ndarray:
        return _resolve(self.generator).choice(len(self.weights), size=self.num_samples,
                                               replace=self.replacement,
                                               p=self.weights / self.weights.sum())

    def __iter__(self) -> Iterator[int]:
        return iter(self.index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups a sampler's indices into lists of ``batch_size``.

    Args:
        sampler (Sampler or iterable): the index order.
        batch_size (int): positive.
        drop_last (bool): drop the last batch if it is smaller than ``batch_size``.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        if (not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool)
                or batch_size <= 0):
            raise ValueError(f"BatchSampler: batch_size should be a positive integer value, "
                             f"got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, got "
                             f"drop_last={drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def index_batches(self) -> list[np.ndarray]:
        """This epoch's batches as int64 arrays, cut by slicing one index array."""
        if hasattr(self.sampler, "index_array"):
            idx = self.sampler.index_array()
        else:
            idx = np.fromiter(iter(self.sampler), dtype=np.int64)
        b = self.batch_size
        stop = (len(idx) // b) * b if self.drop_last else len(idx)
        return [idx[i:i + b] for i in range(0, stop, b)]

    def __iter__(self) -> Iterator[list[int]]:
        return iter([batch.tolist() for batch in self.index_batches()])

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


class BucketBatchSampler(Sampler):
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
        >>> loader = DataLoader(dataset, batch_sampler=s)          # doctest: +SKIP
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
        _check_generator(generator, "BucketBatchSampler")
        self.batch_size, self.shuffle, self.pool = int(batch_size), shuffle, int(pool)
        self.generator = generator

    def index_batches(self) -> list[np.ndarray]:
        """This epoch's batches as int64 arrays."""
        b, n = self.batch_size, len(self.lengths)
        if not self.shuffle:
            order = np.argsort(self.lengths, kind="stable")
            return [order[i:i + b] for i in range(0, n, b)]
        rng = _resolve(self.generator)
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
