"""DataLoader: batches of Tensors from a dataset, in-process.

Two ways to build a batch from a batch of indices ``idx`` (an int64 array):

* **vectorised** -- if the dataset implements ``__getitems__`` (see ``dataset.py``) and no
  custom ``collate_fn`` is given, the batch is ``dataset.__getitems__(idx)``: for in-memory
  data one fancy-indexing op per field, never a Python loop over samples;
* **per sample** -- otherwise ``collate_fn([dataset[i] for i in idx])`` (``default_collate``
  stacks arrays, numbers and Tensors and recurses into tuples, lists and dicts).

Either way the leaves become Tensors with the loader's dtype rule: floating data becomes the
default dtype (float32) unless it is float64, integers become int64, bools stay bool.
(Python floats become float32, where torch would give float64.)
"""
from __future__ import annotations

import collections.abc as abc
from typing import Any, Callable, Iterator

import numpy as np

from ..tensor import Tensor, get_default_dtype
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert"]


# ============================================================================
# Collation
# ============================================================================
def _cast(arr: np.ndarray) -> np.ndarray:
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype != np.float64:
        return arr.astype(get_default_dtype(), copy=False)
    if kind in "iu" and arr.dtype != np.int64:
        return arr.astype(np.int64)
    return arr


def _to_tensor(arr: np.ndarray) -> Tensor:
    return Tensor(_cast(arr))


def _stack(arrays: list) -> np.ndarray:
    shape = arrays[0].shape
    for a in arrays:
        if a.shape != shape:
            raise RuntimeError(f"default_collate: cannot stack samples of different shapes "
                               f"{shape} and {a.shape}; make them equal (e.g. pad them with "
                               f"nnlite.data.datasets.pad_sequences) or pass a collate_fn")
    return np.stack(arrays)


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch, recursively.

    ====================================  ===============================================
    sample element                        batch element
    ====================================  ===============================================
    Tensor / ndarray of shape S           Tensor of shape (N, *S)
    Python int / bool / float             int64 / bool / float32 Tensor of shape (N,)
    NumPy scalar                          Tensor of shape (N,) (float64 stays float64)
    str / bytes                           the list of them
    dict / tuple / namedtuple / list      the same structure of collated fields
    ====================================  ===============================================
    """
    if not isinstance(batch, (list, tuple)) or not batch:
        raise TypeError(f"default_collate: expected a non-empty list of samples, got "
                        f"{type(batch).__name__}")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _to_tensor(_stack([b.array if isinstance(b, Tensor) else np.asarray(b)
                                  for b in batch]))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "USO":
            raise TypeError(f"default_collate: cannot batch arrays of dtype {elem.dtype}")
        return _to_tensor(_stack([np.asarray(b) for b in batch]))
    if isinstance(elem, np.generic):
        return _to_tensor(np.asarray(batch))
    if isinstance(elem, (bool, int, float)):
        arr = np.asarray(batch)
        if arr.dtype.kind == "f":
            arr = arr.astype(get_default_dtype())
        return _to_tensor(arr)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               "equal size")
        fields = [default_collate(list(s)) for s in zip(*batch)]
        return tuple(fields) if isinstance(elem, tuple) else fields
    raise TypeError(f"default_collate: batch must contain Tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem).__name__}")


def default_convert(data: Any) -> Any:
    """Turn the arrays (and Tensors) in an already batched structure into Tensors with the
    loader's dtype rule, recursing into tuples, lists and dicts; anything else is kept."""
    if isinstance(data, Tensor):
        return data if _cast(data.array) is data.array else Tensor(_cast(data.array))
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in "USO" else _to_tensor(data)
    if isinstance(data, abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return tuple(default_convert(d) for d in data)
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data


# ============================================================================
# DataLoader
# ============================================================================
class _Iterator:
    """One epoch: the index batches are fixed (and the random order drawn) at creation."""

    def __init__(self, fetch: Callable, batches: list) -> None:
        self._fetch, self._batches, self._pos = fetch, batches, 0

    def __iter__(self) -> "_Iterator":
        return self

    def __len__(self) -> int:
        return len(self._batches)

    def __next__(self) -> Any:
        if self._pos >= len(self._batches):
            raise StopIteration
        item = self._batches[self._pos]
        self._pos += 1
        return self._fetch(item)


class DataLoader:
    """Iterate over a dataset in batches of Tensors.

    Args:
        dataset (Dataset): any object with ``__getitem__`` and ``__len__`` (or an
            ``IterableDataset``). In-memory datasets with ``__getitems__`` are batched by
            fancy indexing.
        batch_size (int or None): samples per batch. ``None`` yields single samples
            (converted to Tensors). Default: 1.
        shuffle (bool): a new random order each epoch. Default: False.
        sampler (Sampler or iterable, optional): the index order; excludes ``shuffle``.
        batch_sampler (Sampler or iterable of index lists, optional): yields whole batches of
            indices; excludes ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers (int): must be 0 -- nnlite loads in-process. Default: 0.
        collate_fn (callable, optional): list of samples -> batch. Default:
            :func:`default_collate` (and the vectorised ``__getitems__`` path when the dataset
            has it). A custom ``collate_fn`` always receives the list of samples.
        pin_memory (bool): accepted for compatibility and ignored (no accelerator).
        drop_last (bool): drop the last incomplete batch. Default: False.
        generator (numpy.random.Generator, optional): source of the shuffling order; default
            nnlite's global generator (``nl.manual_seed``), drawn when each epoch's iterator
            is created.

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
        >>> for xb, yb in loader:   # xb: float32 Tensor (64, ...), yb: int64 Tensor (64,)
        ...     ...
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context: Any = None,
                 generator: np.random.Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False) -> None:
        if not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers option should be non-negative, got "
                             f"{num_workers!r}")
        if num_workers != 0:
            raise ValueError(
                f"DataLoader: num_workers={num_workers} is not supported: nnlite loads "
                f"batches in-process (num_workers=0). In-memory datasets are batched by one "
                f"fancy-indexing op, so worker processes would not speed them up.")
        if prefetch_factor is not None:
            raise ValueError("DataLoader: prefetch_factor option could only be specified in "
                             "multiprocessing; nnlite loads in-process (num_workers=0)")
        if persistent_workers:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0; "
                             "nnlite loads in-process (num_workers=0)")
        if timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout}")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(f"DataLoader: generator must be a numpy.random.Generator or None, "
                            f"got {type(generator).__name__}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got "
                            f"{type(collate_fn).__name__}")

        self.dataset = dataset
        self.num_workers = 0
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.generator = generator
        self._iterable = isinstance(dataset, IterableDataset)

        if self._iterable:
            if shuffle:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 "sampler and batch_sampler options")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None:
            if drop_last:
                raise ValueError("DataLoader: batch_size=None option disables auto-batching "
                                 "and is mutually exclusive with drop_last")
        elif (not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool)
              or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size should be a positive integer value or "
                             f"None, got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"DataLoader: drop_last should be a boolean value, got "
                             f"{drop_last!r}")

        if not self._iterable and sampler is None:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self._vectorised = (self.collate_fn is default_collate
                            and hasattr(dataset, "__getitems__"))

    # ---- one batch ------------------------------------------------------------
    def _fetch_one(self, index: int) -> Any:
        """batch_size=None: one sample, converted but not batched."""
        sample = self.dataset[index]
        if self.collate_fn is default_collate:
            return default_convert(sample)
        return self.collate_fn(sample)

    def _fetch(self, idx: np.ndarray) -> Any:
        if self._vectorised:
            batch = self.dataset.__getitems__(idx)
            if isinstance(batch, list):   # torch convention: a list of samples
                return default_collate(batch)
            return default_convert(batch)
        return self.collate_fn([self.dataset[int(i)] for i in idx])

    # ---- epochs -------------------------------------------------------------------
    def __iter__(self) -> Iterator:
        if self._iterable:
            return self._iter_stream()
        if self.batch_sampler is None:
            order = (self.sampler.index_array() if hasattr(self.sampler, "index_array")
                     else list(iter(self.sampler)))
            return _Iterator(self._fetch_one, [int(i) for i in order])
        if isinstance(self.batch_sampler, BatchSampler):
            batches = self.batch_sampler.index_batches()
        else:
            batches = [np.asarray(list(b), dtype=np.int64) for b in self.batch_sampler]
        return _Iterator(self._fetch, batches)

    def _iter_stream(self) -> Iterator:
        if self.batch_size is None:
            for sample in self.dataset:
                yield (default_convert(sample) if self.collate_fn is default_collate
                       else self.collate_fn(sample))
            return
        buf: list = []
        for sample in self.dataset:
            buf.append(sample)
            if len(buf) == self.batch_size:
                yield self.collate_fn(buf)
                buf = []
        if buf and not self.drop_last:
            yield self.collate_fn(buf)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)   # TypeError if the stream has no length, as in torch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is None:
            return len(self.sampler)
        return len(self.batch_sampler)

    def __repr__(self) -> str:
        return (f"DataLoader(dataset={type(self.dataset).__name__} of {self._safe_len()}, "
                f"batch_size={self.batch_size}, sampler={type(self.sampler).__name__}, "
                f"drop_last={self.drop_last}, vectorised={self._vectorised})")

    def _safe_len(self) -> str:
        try:
            return str(len(self.dataset))
        except TypeError:
            return "?"

