"""Samplers: the order in which a DataLoader visits a dataset's indices.

Random samplers draw from ``generator`` (a ``numpy.random.Generator``) or, if it is None, from
nnlite's global generator (``nl.manual_seed``) *when the iterator is created* -- so each epoch
(each ``iter(loader)``) gets a new order, and a seeded run repeats exactly. As torch's
``RandomSampler`` does, a sampler that draws more than one permutation's worth takes one seed
from that generator at ``iter()`` and draws the epoch from a generator of its own, so that
nothing else that uses the global generator between batches (dropout, augmentation) changes
the order of an epoch already begun.

Besides the torch protocol (``__iter__`` yielding ints, ``__len__``) the samplers here offer
``index_chunks()``: the epoch's indices as int64 arrays, drawn lazily a chunk at a time, so that
``RandomSampler(replacement=True, num_samples=10**12)`` never holds more than a chunk;
``BatchSampler`` cuts them into batches by slicing rather than a Python loop over samples.
``index_array()`` is the whole epoch as one array. ``BucketBatchSampler`` makes batches of
samples of similar lengths, so that little of each batch is padding.
"""
from __future__ import annotations

import itertools
from typing import Any, Generic, Iterable, Iterator, Sequence, TypeVar

import numpy as np

from ..random import default_generator
from ..tensor import Tensor
from .dataset import as_index_array

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "BucketBatchSampler", "index_chunks"]

T_co = TypeVar("T_co", covariant=True)

CHUNK = 4096   # indices drawn at a time; the random stream does not depend on it


def _check_generator(generator: Any, who: str) -> None:
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"{who}: generator must be a numpy.random.Generator or None, got "
                        f"{type(generator).__name__}")


def _resolve(generator: np.random.Generator | None) -> np.random.Generator:
    return default_generator() if generator is None else generator


def _epoch_generator(generator: np.random.Generator | None) -> np.random.Generator:
    """A generator of the epoch's own, seeded by one draw from ``generator`` (or the global
    one) now."""
    return np.random.default_rng(int(_resolve(generator).integers(0, 2 ** 63)))


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def index_chunks(sampler: Iterable) -> Iterator[np.ndarray]:
    """The indices of one epoch of ``sampler`` (a Sampler or any iterable of ints) as int64
    arrays of at most a few thousand indices each (a sampler's own chunks if it has
    ``index_chunks``). The epoch's randomness is drawn by this call."""
    if hasattr(sampler, "index_chunks"):
        return sampler.index_chunks()
    return _cut_iterator(iter(sampler))


def _cut_iterator(it: Iterator) -> Iterator[np.ndarray]:
    while True:
        chunk = np.fromiter(itertools.islice(it, CHUNK), dtype=np.int64)
        if not len(chunk):
            return
        yield chunk


def _ints(chunks: Iterator[np.ndarray]) -> Iterator[int]:
    for chunk in chunks:
        yield from chunk.tolist()


class Sampler(Generic[T_co]):
    """Base class: subclasses define ``__iter__`` (indices) and usually ``__len__``.

    ``Sampler[int]`` works in annotations and as a base, as in torch. ``data_source`` is
    accepted and ignored (older torch code passes it to ``super().__init__``).
    """

    def __init__(self, data_source: Any = None) -> None:
        """``data_source`` is accepted and ignored (torch removed it in 2.2)."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def index_chunks(self) -> Iterator[np.ndarray]:
        """This epoch's indices as int64 arrays (drawn now for random samplers)."""
        return _cut_iterator(iter(self))

    def index_array(self) -> np.ndarray:
        """This epoch's indices as one int64 array (draws a new order for random samplers)."""
        chunks = list(self.index_chunks())
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int64)


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def index_chunks(self) -> Iterator[np.ndarray]:
        n = len(self.data_source)
        return (np.arange(i, min(i + CHUNK, n), dtype=np.int64) for i in range(0, n, CHUNK))

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random order of the dataset's indices.

    Args:
        data_source (Dataset): what to sample from.
        replacement (bool): draw with replacement. Default: False.
        num_samples (int, optional): how many indices per epoch; default ``len(data_source)``.
            Without replacement and larger than the dataset, whole permutations are chained
            (as torch does).
        generator (numpy.random.Generator, optional): default nnlite's global generator.

    Each epoch takes one seed from ``generator`` when its iterator is created and draws from
    a generator of its own, lazily: with replacement, a few thousand indices at a time
    (torch draws 32 at a time), so ``num_samples`` may be far larger than memory; without,
    one permutation of the dataset at a time.

    Example:
        >>> s = RandomSampler(range(10), replacement=True, num_samples=10**12)
        >>> first = next(iter(s))           # draws one chunk, not 10**12 indices
    """

    def __init__(self, data_source: Any, replacement: bool = False,
                 num_samples: int | None = None,
                 generator: np.random.Generator | None = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, got "
                            f"replacement={replacement!r}")
        _check_generator(generator, "RandomSampler")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not _is_int(self.num_samples) or self.num_samples <= 0:
            raise ValueError(f"RandomSampler: num_samples should be a positive integer value, "
                             f"but got num_samples={self.num_samples!r}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def index_chunks(self) -> Iterator[np.ndarray]:
        return self._draw(_epoch_generator(self.generator), len(self.data_source),
                          int(self.num_samples))

    def _draw(self, rng: np.random.Generator, n: int, m: int) -> Iterator[np.ndarray]:
        if self.replacement:
            for start in range(0, m, CHUNK):
                yield rng.integers(0, n, size=min(CHUNK, m - start), dtype=np.int64)
            return
        for _ in range(m // n):
            yield rng.permutation(n)
        if m % n:
            yield rng.permutation(n)[:m % n]

    def __iter__(self) -> Iterator[int]:
        return _ints(self.index_chunks())      # the seed is drawn now, not at the first next()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order, without replacement.

    Args:
        indices (sequence of int): the indices to visit.
        generator (numpy.random.Generator, optional): default nnlite's global generator;
            the permutation is drawn when the iterator is created.
    """

    def __init__(self, indices: Sequence[int],
                 generator: np.random.Generator | None = None) -> None:
        _check_generator(generator, "SubsetRandomSampler")
        self.indices = as_index_array(indices)
        self.generator = generator

    def index_chunks(self) -> Iterator[np.ndarray]:
        return iter([self.indices[_resolve(self.generator).permutation(len(self.indices))]])

    def __iter__(self) -> Iterator[int]:
        return _ints(self.index_chunks())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """Indices ``0..len(weights)-1`` drawn with probabilities proportional to ``weights``.

    Args:
        weights (sequence of float): non-negative, not all zero.
        num_samples (int): how many to draw per epoch.
        replacement (bool): Default: True. With replacement the draws are made lazily, a
            few thousand at a time, from a generator seeded at ``iter()`` (as
            :class:`RandomSampler`), so ``num_samples`` may be far larger than memory.
        generator (numpy.random.Generator, optional): default nnlite's global generator.

    Example:
        >>> s = WeightedRandomSampler([0.1, 0.9], num_samples=5, replacement=True)
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: np.random.Generator | None = None) -> None:
        if not _is_int(num_samples) or num_samples <= 0:
            raise ValueError(f"WeightedRandomSampler: num_samples should be a positive "
                             f"integer value, but got num_samples={num_samples!r}")
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler: replacement should be a boolean value, "
                             f"but got replacement={replacement!r}")
        w = np.asarray(weights.array if isinstance(weights, Tensor) else weights,
                       dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights should be a 1d sequence but given "
                             f"weights have shape {w.shape}")
        if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError("WeightedRandomSampler: weights must be non-negative finite "
                             "numbers, not all zero")
        if not replacement and num_samples > int((w > 0).sum()):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples "
                             f"without replacement from {int((w > 0).sum())} non-zero weights")
        _check_generator(generator, "WeightedRandomSampler")
        self.weights, self.num_samples = w, int(num_samples)
        self.replacement, self.generator = replacement, generator

    def index_chunks(self) -> Iterator[np.ndarray]:
        rng = _epoch_generator(self.generator)
        if not self.replacement:      # at most len(weights) indices: one draw
            return iter([rng.choice(len(self.weights), size=self.num_samples, replace=False,
                                    p=self.weights / self.weights.sum())])
        return self._draw(rng)

    def _draw(self, rng: np.random.Generator) -> Iterator[np.ndarray]:
        cdf = np.cumsum(self.weights)
        cdf /= cdf[-1]
        last = len(cdf) - 1
        for start in range(0, self.num_samples, CHUNK):
            u = rng.random(min(CHUNK, self.num_samples - start))
            yield np.minimum(np.searchsorted(cdf, u, side="right"), last).astype(np.int64)

    def __iter__(self) -> Iterator[int]:
        return _ints(self.index_chunks())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list]):
    """Groups a sampler's indices into lists of ``batch_size``.

    Args:
        sampler (Sampler or iterable): the index order.
        batch_size (int): positive.
        drop_last (bool): drop the last batch if it is smaller than ``batch_size``.

    ``iter_index_batches()`` yields the batches as int64 arrays, cut lazily from the
    sampler's chunks (what ``DataLoader`` uses); ``__iter__`` yields lists, as torch.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        if not _is_int(batch_size) or batch_size <= 0:
            raise ValueError(f"BatchSampler: batch_size should be a positive integer value, "
                             f"but got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, int(batch_size), drop_last

    def iter_index_batches(self) -> Iterator[np.ndarray]:
        """This epoch's batches as int64 arrays, drawn (the order fixed) by this call and cut
        lazily from the sampler's chunks."""
        return self._cut(index_chunks(self.sampler))

    def _cut(self, chunks: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
        b, rest = self.batch_size, np.zeros(0, np.int64)
        for chunk in chunks:
            if len(rest):
                chunk = np.concatenate([rest, chunk])
            full = len(chunk) - len(chunk) % b
            for i in range(0, full, b):
                yield chunk[i:i + b]
            rest = chunk[full:]
        if len(rest) and not self.drop_last:
            yield rest

    def index_batches(self) -> list[np.ndarray]:
        """This epoch's batches as a list of int64 arrays."""
        return list(self.iter_index_batches())

    def __iter__(self) -> Iterator[list[int]]:
        return (batch.tolist() for batch in self.iter_index_batches())

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


class BucketBatchSampler(Sampler[list]):
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

    def iter_index_batches(self) -> Iterator[np.ndarray]:
        """This epoch's batches (drawn by this call) as an iterator of int64 arrays."""
        return iter(self.index_batches())

    def __iter__(self) -> Iterator[list[int]]:
        return iter([batch.tolist() for batch in self.index_batches()])

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)
