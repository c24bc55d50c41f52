"""DataLoader: batches of Tensors from a dataset, in-process.

Two ways to build a batch from a batch of indices ``idx`` (an int64 array):

* **vectorised** -- if the dataset implements ``__getitems__`` (see ``dataset.py``) and no
  custom ``collate_fn`` is given, the batch is ``dataset.__getitems__(idx)``: for in-memory
  data one fancy-indexing op per field, never a Python loop over samples;
* **per sample** -- otherwise ``collate_fn([dataset[i] for i in idx])`` (``default_collate``
  stacks arrays, numbers and Tensors and recurses into tuples, lists and dicts; see
  ``collate.py``).

The epoch's order is drawn when its iterator is created (``iter(loader)``), and its batches
are cut from the sampler lazily, so a sampler of 10**12 indices costs a chunk of memory, not
the whole epoch. Worker processes are not implemented yet: ``num_workers > 0`` warns once
and loads in the main process (see :class:`DataLoader` and ``worker.py``).
"""
from __future__ import annotations

import copy
import itertools
import multiprocessing
import warnings
from typing import Any, Callable, Generic, Iterator, TypeVar

import numpy as np

from ..random import default_generator
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, index_chunks
from .worker import WorkerInfo, as_worker, get_worker_info

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

T_co = TypeVar("T_co", covariant=True)

_warned_in_process = False


def _warn_in_process(num_workers: int, worker_init_fn: Callable | None) -> None:
    """Say once per process that ``num_workers > 0`` loads in the main process."""
    global _warned_in_process
    if _warned_in_process:
        return
    _warned_in_process = True
    init = (" worker_init_fn is called once, as worker 0 of 1, before the first batch."
            if worker_init_fn is not None else "")
    warnings.warn(f"DataLoader: num_workers={num_workers}: nnlite loads batches in the main "
                  f"process (as one worker) until worker processes are supported; the batches "
                  f"and their order are the same.{init}", UserWarning, stacklevel=3)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_context(context: Any, num_workers: int) -> Any:
    """torch's checks of ``multiprocessing_context``; a start-method name becomes a context."""
    if context is None:
        return None
    if num_workers == 0:
        raise ValueError(f"DataLoader: multiprocessing_context can only be used with "
                         f"multi-process loading (num_workers > 0), but got "
                         f"num_workers={num_workers}")
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(f"DataLoader: multiprocessing_context option should specify a "
                             f"valid start method in {methods!r}, but got "
                             f"multiprocessing_context={context!r}")
        context = multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError(f"DataLoader: multiprocessing_context option should be a valid context "
                        f"object or a string specifying the start method, but got "
                        f"multiprocessing_context={context!r}")
    return context


class _LoaderIter:
    """One epoch of a loader: ``next()`` fetches the next batch (as the worker, if any)."""

    def __init__(self, loader: "DataLoader", items: Iterator, worker: WorkerInfo | None
                 ) -> None:
        self._loader, self._items, self._worker = loader, items, worker
        self._yielded = 0

    def __iter__(self) -> "_LoaderIter":
        return self

    def __len__(self) -> int:
        return len(self._loader)

    def __next__(self) -> Any:
        if self._worker is None:
            item = next(self._items)
        else:
            with as_worker(self._worker):
                item = next(self._items)
        self._yielded += 1
        reported = self._loader._reported_length
        if reported is not None and self._yielded > reported:
            warnings.warn(f"Length of IterableDataset {self._loader.dataset} was reported to be "
                          f"{reported} (when accessing len(dataloader)), but {self._yielded} "
                          f"samples have been fetched.", UserWarning, stacklevel=2)
        return item


class DataLoader(Generic[T_co]):
    """Iterate over a dataset in batches of Tensors. Every torch keyword is accepted, with
    torch's checks.

    Args:
        dataset (Dataset): any object with ``__getitem__`` and ``__len__`` (or an
            ``IterableDataset``). In-memory datasets with ``__getitems__`` are batched by
            fancy indexing.
        batch_size (int or None): samples per batch. ``None`` yields single samples
            (converted to Tensors by ``default_convert``). Default: 1.
        shuffle (bool): a new random order each epoch. Default: False.
        sampler (Sampler or iterable, optional): the index order; excludes ``shuffle``.
        batch_sampler (Sampler or iterable of index lists, optional): yields whole batches of
            indices; excludes ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers (int): worker processes are not implemented yet: a value above 0 warns
            once per process and loads in the main process as one worker (``id=0``,
            ``num_workers=1``). The batches and their order are those of ``num_workers=0``.
            Default: 0.
        collate_fn (callable, optional): list of samples -> batch. Default:
            :func:`default_collate` (and the vectorised ``__getitems__`` path when the dataset
            has it). A custom ``collate_fn`` always receives the list of samples.
        pin_memory (bool): accepted; no effect (nnlite runs on the CPU). Default: False.
        drop_last (bool): drop the last incomplete batch. Default: False.
        timeout (float): non-negative; no effect in-process. Default: 0.
        worker_init_fn (callable, optional): with ``num_workers > 0``, called once as
            ``worker_init_fn(0)`` before the first batch of the first epoch, with
            :func:`get_worker_info` describing the in-process worker (its ``seed`` is the
            next draw of ``generator``, read from a copy so that the random stream is left as
            with ``num_workers=0``). As in torch, not called with ``num_workers=0``.
        multiprocessing_context (str or context, optional): checked as torch does (a start
            method needs ``num_workers > 0``); no effect in-process.
        generator (numpy.random.Generator, optional): source of the shuffling order; default
            nnlite's global generator (``nl.manual_seed``), drawn when each epoch's iterator
            is created.
        prefetch_factor (int, optional): only with ``num_workers > 0`` (default then 2);
            no effect in-process.
        persistent_workers (bool): only with ``num_workers > 0``; the in-process worker
            always persists. Default: False.
        pin_memory_device (str): accepted; no effect. Default: ``""``.
        in_order (bool): accepted; batches always come in order in-process. Default: True.

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
        >>> for xb, yb in loader:   # xb: float32 Tensor (64, ...), yb: int64 Tensor (64,)
        ...     ...
    """

    _frozen = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
               "persistent_workers")

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context: Any = None,
                 generator: np.random.Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        self._check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise TypeError(f"DataLoader: generator must be a numpy.random.Generator or None, "
                            f"got {type(generator).__name__}")
        for name, fn in (("collate_fn", collate_fn), ("worker_init_fn", worker_init_fn)):
            if fn is not None and not callable(fn):
                raise TypeError(f"DataLoader: {name} must be callable, got "
                                f"{type(fn).__name__}")
        self.multiprocessing_context = _check_context(multiprocessing_context, num_workers)
        self.dataset = dataset
        self.num_workers = int(num_workers)
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None \
            else prefetch_factor
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        self.timeout, self.worker_init_fn, self.in_order = timeout, worker_init_fn, in_order
        self.generator = generator
        self.persistent_workers = persistent_workers
        self._iterable = isinstance(dataset, IterableDataset)
        self._worker: WorkerInfo | None = None
        self._reported_length: int | None = None

        batch_size, drop_last = self._check_batching(shuffle, sampler, batch_sampler,
                                                     batch_size, drop_last)
        if sampler is None and not self._iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._vectorised = (collate_fn is default_collate and self.batch_sampler is not None
                            and hasattr(dataset, "__getitems__"))
        if num_workers > 0:
            _warn_in_process(num_workers, worker_init_fn)
        self._initialized = True

    # ---- argument checks (torch's, in torch's order) -------------------------------------
    @staticmethod
    def _check_workers(num_workers: int, timeout: float, prefetch_factor: int | None,
                       persistent_workers: bool) -> None:
        if not _is_int(num_workers) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers option should be non-negative; use "
                             f"num_workers=0 to disable multiprocessing (got {num_workers!r})")
        if timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got {timeout}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("DataLoader: prefetch_factor option could only be specified in "
                             "multiprocessing. let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError(f"DataLoader: prefetch_factor option should be non-negative, got "
                             f"{prefetch_factor}")
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")

    def _check_batching(self, shuffle: Any, sampler: Any, batch_sampler: Any,
                        batch_size: Any, drop_last: Any) -> tuple[int | None, bool]:
        if self._iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            return None, False
        if batch_size is None:
            if drop_last:
                raise ValueError("DataLoader: batch_size=None option disables auto-batching "
                                 "and is mutually exclusive with drop_last")
        elif not _is_int(batch_size) or batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size should be a positive integer value, but "
                             f"got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"DataLoader: drop_last should be a boolean value, but got "
                             f"drop_last={drop_last!r}")
        return batch_size, drop_last

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_initialized", False) and name in self._frozen:
            raise ValueError(f"{name} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        object.__setattr__(self, name, value)

    @property
    def _auto_collation(self) -> bool:
        """Batches are collated (torch's name): a batch size or a batch sampler is given."""
        return self.batch_sampler is not None or (self._iterable and
                                                  self.batch_size is not None)

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self._auto_collation else self.sampler

    # ---- batches ----------------------------------------------------------------------
    def _fetch(self, idx: np.ndarray) -> Any:
        if self._vectorised:
            batch = self.dataset.__getitems__(idx)
            if isinstance(batch, list):   # torch convention: a list of samples
                return default_collate(batch)
            return default_convert(batch)
        return self.collate_fn([self.dataset[i] for i in idx.tolist()])

    def _index_batches(self) -> Iterator[np.ndarray]:
        """This epoch's index batches, the order drawn now, cut lazily."""
        bs = self.batch_sampler
        if hasattr(bs, "iter_index_batches"):
            return bs.iter_index_batches()
        if hasattr(bs, "index_batches"):
            return iter(bs.index_batches())
        batches = iter(bs)
        return (np.asarray(list(b), dtype=np.int64) for b in batches)

    def _samples(self, indices: Iterator[int]) -> Iterator[Any]:
        for i in indices:
            yield self.collate_fn(self.dataset[i])

    def _stream(self) -> Iterator[Any]:
        """An IterableDataset: ``iter(dataset)`` is called at the first ``next()``."""
        samples = iter(self.dataset)
        if self.batch_size is None:
            for sample in samples:
                yield self.collate_fn(sample)
            return
        while True:
            batch = list(itertools.islice(samples, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)

    def _start_worker(self) -> WorkerInfo | None:
        """The in-process worker (``num_workers > 0``), started at the first iteration."""
        if self.num_workers == 0:
            return None
        if self._worker is None:
            # the seed is the generator's next draw, taken from a copy: loading with
            # workers leaves the random stream (and so the batches) as without them
            rng = copy.deepcopy(default_generator() if self.generator is None
                                else self.generator)
            worker = WorkerInfo(id=0, num_workers=1, seed=int(rng.integers(0, 2 ** 63)),
                                dataset=self.dataset)
            object.__setattr__(self, "_worker", worker)
            if self.worker_init_fn is not None:
                with as_worker(worker):
                    self.worker_init_fn(0)
        return self._worker

    def __iter__(self) -> _LoaderIter:
        worker = self._start_worker()
        if self._iterable:
            items: Iterator = self._stream()
        elif self.batch_sampler is None:
            chunks = index_chunks(self.sampler)
            items = self._samples(i for chunk in chunks for i in chunk.tolist())
        else:
            items = map(self._fetch, self._index_batches())
        return _LoaderIter(self, items, worker)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)   # TypeError if the stream has no length, as in torch
            object.__setattr__(self, "_reported_length", n)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self._index_sampler)

    def __repr__(self) -> str:
        return (f"DataLoader(dataset={type(self.dataset).__name__} of {self._safe_len()}, "
                f"batch_size={self.batch_size}, sampler={type(self.sampler).__name__}, "
                f"drop_last={self.drop_last}, vectorised={self._vectorised})")

    def _safe_len(self) -> str:
        try:
            return str(len(self.dataset))
        except TypeError:
            return "?"
