"""Datasets: the indexable collections a DataLoader draws from.

A map-style dataset has ``__len__`` and ``__getitem__(i) -> sample``. An in-memory dataset may
also implement the **batch protocol**::

    __getitems__(indices: np.ndarray[int64]) -> batch

returning the *whole batch* already stacked -- a tuple (or dict) of arrays/Tensors whose first
axis is ``len(indices)`` -- computed by one fancy-indexing op per field. ``DataLoader`` then
fetches each batch with one call instead of a Python loop over samples. (A ``__getitems__``
that returns a ``list`` is taken, as in torch 2.x, to be a list of samples and is collated.)
``TensorDataset``, ``Subset``, ``ConcatDataset`` and ``StackDataset`` of such datasets, and
the in-memory datasets in ``nnlite.data.datasets``, implement it.
"""
from __future__ import annotations

import bisect
import math
import warnings
from typing import Any, Generic, Iterable, Iterator, Sequence, TypeVar

import numpy as np

from ..random import default_generator
from ..tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split", "kfold_split", "as_index_array"]

T_co = TypeVar("T_co", covariant=True)


def as_index_array(indices: Any) -> np.ndarray:
    """``indices`` as a 1-D int64 array (accepts lists, ranges, arrays, Tensors)."""
    if isinstance(indices, Tensor):
        indices = indices.array
    if isinstance(indices, range):
        return np.arange(indices.start, indices.stop, indices.step, dtype=np.int64)
    arr = np.asarray(indices)
    if arr.size == 0:
        return arr.astype(np.int64).reshape(0)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(f"indices must be a 1-D sequence of ints, got dtype {arr.dtype} and "
                        f"shape {arr.shape}")
    return arr.astype(np.int64, copy=False)


def check_bounds(idx: np.ndarray, n: int, who: str) -> np.ndarray:
    """``idx`` (int64 positions, negatives counting from the end), or an IndexError naming
    ``who``, the bad index and the dataset's size ``n``."""
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx[(idx >= n) | (idx < -n)][0]
        raise IndexError(f"{who}: index {bad} is out of range for a dataset of size {n}")
    return idx


# ============================================================================
# Base classes
# ============================================================================
class Dataset(Generic[T_co]):
    """Base of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.

    ``a + b`` is ``ConcatDataset([a, b])``. Optionally define ``__getitems__`` (see the module
    doc) so ``DataLoader`` fetches a batch with one fancy-indexing op. ``Dataset[T]`` works in
    annotations and as a base, as in torch.
    """

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A dataset that is a stream: subclasses define ``__iter__``. ``DataLoader`` batches it
    in order; ``shuffle`` and samplers do not apply. ``a + b`` is ``ChainDataset([a, b])``."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: Dataset) -> "ChainDataset":
        return ChainDataset([self, other])

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate it, do not "
                        f"index it")


# ============================================================================
# TensorDataset
# ============================================================================
class TensorDataset(Dataset):
    """Samples are the ``i``-th rows of equally long tensors (or arrays).

    Args:
        *tensors: Tensors or ndarrays with the same size of axis 0.

    ``dataset[i]`` returns a tuple of Tensors (``tensors[k][i]``); ``__getitems__`` returns the
    batch as a tuple of arrays, one fancy index per tensor.

    Example:
        >>> ds = TensorDataset(nl.randn(100, 3), nl.arange(100))
        >>> x, y = ds[0]
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        arrays = []
        for k, t in enumerate(tensors):
            a = t.array if isinstance(t, Tensor) else np.asarray(t)
            if a.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {k} is 0-d; every tensor needs a "
                                 f"first axis indexing the samples")
            arrays.append(a)
        sizes = [a.shape[0] for a in arrays]
        if len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: first axes are "
                             f"{sizes}; they must all be equal")
        self.tensors = tuple(Tensor(a) for a in arrays)
        self._arrays = tuple(arrays)

    def __len__(self) -> int:
        return self._arrays[0].shape[0]

    def __getitem__(self, index: int) -> tuple:
        return tuple(Tensor(np.asarray(a[index])) for a in self._arrays)

    def __getitems__(self, indices: Any) -> tuple:
        idx = check_bounds(as_index_array(indices), len(self), "TensorDataset")
        return tuple(a[idx] for a in self._arrays)


# ============================================================================
# Subset
# ============================================================================
class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Args:
        dataset (Dataset): the whole dataset.
        indices (sequence of int): which samples to keep.
    """

    def __init__(self, dataset: Any, indices: Any) -> None:
        self.dataset = dataset
        self.indices = as_index_array(indices)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices: Any) -> Any:
        idx = self.indices[check_bounds(as_index_array(indices), len(self), "Subset")]
        if hasattr(self.dataset, "__getitems__"):
            return self.dataset.__getitems__(idx)
        return [self.dataset[int(i)] for i in idx]   # a list of samples, as in torch


# ============================================================================
# ConcatDataset and the structure helpers its batch path needs
# ============================================================================
def _tree_concat(parts: list) -> Any:
    first = parts[0]
    if isinstance(first, Tensor):
        return np.concatenate([p.array for p in parts])
    if isinstance(first, np.ndarray):
        return np.concatenate(parts)
    if isinstance(first, tuple) and not hasattr(first, "_fields"):
        return tuple(_tree_concat(list(col)) for col in zip(*parts))
    if isinstance(first, tuple):  # namedtuple
        return type(first)(*(_tree_concat(list(col)) for col in zip(*parts)))
    if isinstance(first, dict):
        return {k: _tree_concat([p[k] for p in parts]) for k in first}
    raise TypeError(f"cannot concatenate batches of type {type(first).__name__}")


def _tree_take(batch: Any, order: np.ndarray) -> Any:
    if isinstance(batch, np.ndarray):
        return batch[order]
    if isinstance(batch, tuple) and not hasattr(batch, "_fields"):
        return tuple(_tree_take(b, order) for b in batch)
    if isinstance(batch, tuple):
        return type(batch)(*(_tree_take(b, order) for b in batch))
    return {k: _tree_take(v, order) for k, v in batch.items()}


class ConcatDataset(Dataset):
    """The datasets one after another.

    Args:
        datasets (iterable of Dataset): at least one; none may be an IterableDataset.

    ``__getitems__``: if every part implements it, the batch's indices are grouped by part
    (one call per part, not per sample) and the parts' batches put back in order; otherwise
    it returns the list of samples (torch's convention), which the loader collates.
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def _locate(self, index: int) -> tuple[int, int]:
        n = len(self)
        if index < 0:
            if -index > n:
                raise IndexError(f"ConcatDataset: index {index} is out of range for a "
                                 f"dataset of size {n}")
            index += n
        if index >= n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for a dataset of "
                             f"size {n}")
        d = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[d - 1] if d > 0 else 0
        return d, index - start

    def __getitem__(self, index: int) -> Any:
        d, i = self._locate(int(index))
        return self.datasets[d][i]

    def __getitems__(self, indices: Any) -> Any:
        n = len(self)
        idx = check_bounds(as_index_array(indices), n, "ConcatDataset") % max(n, 1)
        if not all(hasattr(d, "__getitems__") for d in self.datasets):
            return [self[int(i)] for i in idx]       # a list of samples, as in torch
        which = np.searchsorted(np.asarray(self.cumulative_sizes), idx, side="right")
        starts = np.concatenate([[0], self.cumulative_sizes[:-1]]).astype(np.int64)
        order = np.argsort(which, kind="stable")
        parts, used = [], np.unique(which)
        for d in used:
            local = idx[order][which[order] == d] - starts[d]
            part = self.datasets[d].__getitems__(local)
            if isinstance(part, list):  # a torch-style list of samples: not a batch
                return [self[int(i)] for i in idx]
            parts.append(part)
        if len(parts) == 1:
            return parts[0]
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        return _tree_take(_tree_concat(parts), inverse)


# ============================================================================
# StackDataset and ChainDataset
# ============================================================================
class StackDataset(Dataset):
    """Several equally long datasets side by side: sample ``i`` is the tuple (``*args``) or
    dict (``**kwargs``) of their samples ``i``.

    Args:
        *args (Dataset): datasets whose samples are returned as a tuple, or
        **kwargs (Dataset): datasets whose samples are returned as a dict (not both).

    ``__getitems__``: if every part's ``__getitems__`` returns a batch, the tuple (dict) of
    those batches; otherwise the list of samples, which the loader collates.

    Example:
        >>> ds = StackDataset(image=images, label=labels)
        >>> ds[0]                                   # {"image": images[0], "label": labels[0]}
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:
            raise ValueError("StackDataset: supported either tuple- (via args) or dict- (via "
                             "kwargs) like input/output, but both types are given")
        if not args and not kwargs:
            raise ValueError("StackDataset: at least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        lengths = [len(d) for d in parts]
        if len(set(lengths)) != 1:
            raise ValueError(f"StackDataset: size mismatch between datasets: lengths {lengths}")
        self.datasets: tuple | dict = tuple(args) if args else dict(kwargs)
        self._length = lengths[0]

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: Any) -> Any:
        idx = check_bounds(as_index_array(indices), len(self), "StackDataset")
        named = isinstance(self.datasets, dict)
        parts = self.datasets.values() if named else self.datasets
        batches = [d.__getitems__(idx) if hasattr(d, "__getitems__") else None for d in parts]
        if any(b is None or isinstance(b, list) for b in batches):
            return [self[i] for i in idx.tolist()]        # a list of samples, as in torch
        return dict(zip(self.datasets, batches)) if named else tuple(batches)


class ChainDataset(IterableDataset):
    """Several IterableDatasets one after another, as one stream.

    Args:
        datasets (iterable of IterableDataset): the streams, in order.

    Example:
        >>> stream = ChainDataset([first, second])   # or first + second
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got "
                                f"{type(d).__name__}")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset only supports IterableDataset, got "
                                f"{type(d).__name__}")
            total += len(d)
        return total


# ============================================================================
# Splits
# ============================================================================
def _generator(generator: np.random.Generator | None) -> np.random.Generator:
    if generator is None:
        return default_generator()
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"generator must be a numpy.random.Generator or None, got "
                        f"{type(generator).__name__}")
    return generator


def random_split(dataset: Any, lengths: Sequence[int | float],
                 generator: np.random.Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    Args:
        dataset (Dataset): what to split.
        lengths (sequence): sizes summing to ``len(dataset)``, or fractions summing to 1
            (``floor(n * f)`` each, the remainder given one by one, round-robin, to the
            subsets in order -- as torch does).
        generator (numpy.random.Generator, optional): the permutation's source; default the
            nnlite generator seeded by ``nl.manual_seed``.

    Example:
        >>> train, val = random_split(ds, [0.9, 0.1], generator=np.random.default_rng(0))
    """
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1 and not all(
            isinstance(x, (int, np.integer)) for x in lengths):
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"random_split: fraction at index {i} is not between 0 and "
                                 f"1: {frac}")
        sizes = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"random_split: length of split at index {i} is 0; this might "
                              f"result in an empty dataset.", stacklevel=2)
        lengths = sizes
    if any((not isinstance(x, (int, np.integer))) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints or fractions summing "
                         f"to 1, got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal "
                         f"the length of the input dataset ({n})")
    perm = _generator(generator).permutation(n)
    offsets = np.cumsum(lengths)
    return [Subset(dataset, perm[end - length:end]) for length, end in zip(lengths, offsets)]


def kfold_split(dataset: Any, k: int = 10, generator: np.random.Generator | None = None
                ) -> list[tuple[Subset, Subset]]:
    """``k`` (train, test) pairs for k-fold cross-validation (as Kim 2014 does on MR).

    The samples are shuffled once; fold ``i`` tests on the ``i``-th of ``k`` near-equal
    parts and trains on the rest.
    """
    n = len(dataset)
    if not isinstance(k, (int, np.integer)) or not 2 <= k <= n:
        raise ValueError(f"kfold_split: k must be an int in [2, len(dataset)={n}], got {k!r}")
    perm = _generator(generator).permutation(n)
    folds = np.array_split(perm, k)
    return [(Subset(dataset, np.concatenate(folds[:i] + folds[i + 1:])), Subset(dataset, f))
            for i, f in enumerate(folds)]
