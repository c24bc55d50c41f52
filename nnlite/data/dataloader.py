"""DataLoader: batches of Tensors from a dataset, in the main process or in worker processes.

Two ways to build a batch from a batch of indices ``idx`` (an int64 array; see ``fetch.py``):

* **vectorised** -- if the dataset implements ``__getitems__`` (see ``dataset.py``) and no
  custom ``collate_fn`` is given, the batch is ``dataset.__getitems__(idx)``: for in-memory
  data one fancy-indexing op per field, never a Python loop over samples;
* **per sample** -- otherwise ``collate_fn([dataset[i] for i in idx])`` (``default_collate``
  stacks arrays, numbers and Tensors and recurses into tuples, lists and dicts; see
  ``collate.py``).

The epoch's order is drawn when its iterator is created (``iter(loader)``), and its batches
are cut from the sampler lazily, so a sampler of 10**12 indices costs a chunk of memory, not
the whole epoch. ``num_workers > 0`` loads in worker processes, with torch's design: the
iterators are in ``loader_iter.py``, the worker's side in ``worker.py``, and how a batch
crosses between processes in ``transfer.py``.
"""
from __future__ import annotations

import multiprocessing
import os
import warnings
from typing import Any, Callable, Generic, TypeVar

import numpy as np

from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .loader_iter import MultiProcessingLoaderIter, SingleProcessLoaderIter, loader_length
from .sampler import BatchSampler, RandomSampler, SequentialSampler
from .worker import get_worker_info

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

T_co = TypeVar("T_co", covariant=True)


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
        num_workers (int): how many worker processes load batches; 0 loads them in the main
            process. Default: 0. With workers, the batches and their order are those of
            ``num_workers=0`` (map-style datasets; random transforms draw from each worker's
            own seeded generators, so their values differ, as in torch); see
            :func:`get_worker_info` for iterable-style datasets.
        collate_fn (callable, optional): list of samples -> batch. Default:
            :func:`default_collate` (and the vectorised ``__getitems__`` path when the dataset
            has it). A custom ``collate_fn`` always receives the list of samples.
        pin_memory (bool): accepted; no effect (nnlite runs on the CPU). Default: False.
        drop_last (bool): drop the last incomplete batch. Default: False.
        timeout (float): with workers, the seconds to wait for a batch before raising
            ``RuntimeError("DataLoader timed out after ...")``; 0 waits as long as the
            workers live. Non-negative; no effect with ``num_workers=0``. Default: 0.
        worker_init_fn (callable, optional): called in each worker as
            ``worker_init_fn(worker_id)`` after its generators are seeded and before its
            first batch (:func:`get_worker_info` works there). Not called with
            ``num_workers=0``, as in torch. Default: None.
        multiprocessing_context (str or context, optional): the start method of the workers
            ("fork", "spawn", "forkserver") or a ``multiprocessing`` context; needs
            ``num_workers > 0``. Default: ``multiprocessing``'s default ("fork" on Linux
            before Python 3.14). With "spawn" and "forkserver" the dataset, ``collate_fn`` and
            ``worker_init_fn`` are pickled, so they must be defined at module level.
        generator (numpy.random.Generator, optional): source of the shuffling order; default
            nnlite's global generator (``nl.manual_seed``). Each epoch (each ``iter(loader)``)
            draws the workers' base seed from it (also with ``num_workers=0``, as torch), then
            the sampler draws the order.
        prefetch_factor (int, optional): batches loaded in advance per worker; only with
            ``num_workers > 0``. Default: 2 with workers, None without.
        persistent_workers (bool): keep the workers (and their copies of the dataset)
            between epochs, instead of starting them at each ``iter(loader)``; they end
            when the loader is deleted. Only with ``num_workers > 0``. Default: False.
        pin_memory_device (str): accepted; no effect. Default: ``""``.
        in_order (bool): with workers, hand batches out in the sampler's order (True) or
            as they arrive (False: faster when some batches are slow, but not repeatable).
            Default: True.

    A worker's exception is raised in the main process with the worker's id and its
    traceback ("Caught ValueError in DataLoader worker process 1. Original Traceback ...");
    a worker that dies raises ``RuntimeError("DataLoader worker (pid(s) ...) exited
    unexpectedly")``. Workers end with their epoch (or with the loader, if persistent),
    when the iterator is deleted, on ``KeyboardInterrupt`` and at interpreter exit.

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
        >>> for xb, yb in loader:   # xb: float32 Tensor (64, ...), yb: int64 Tensor (64,)
        ...     ...
        >>> loader = DataLoader(dataset, batch_size=128, shuffle=True, num_workers=2,
        ...                     persistent_workers=True)      # augmentations in 2 processes
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
        self._iterator: MultiProcessingLoaderIter | None = None   # persistent workers
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
        self._initialized = True
        self._check_worker_number_rationality()

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

    def _check_worker_number_rationality(self) -> None:
        """Warn, as torch, when there are more workers than CPUs this process may use."""
        if self.num_workers == 0:
            return
        affinity = hasattr(os, "sched_getaffinity")
        cpus = len(os.sched_getaffinity(0)) if affinity else os.cpu_count()
        if cpus is None or self.num_workers > cpus:
            unchecked = "" if affinity else " (`cpuset` is not taken into account)"
            suggestion = (f"Our suggested max number of worker in current system is "
                          f"{cpus}{unchecked}, which is smaller than what this DataLoader is "
                          f"going to create."
                          if cpus is not None else "DataLoader is not able to compute a "
                          "suggested max number of worker in current system.")
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes "
                          f"in total. {suggestion} Please be aware that excessive worker "
                          f"creation might get DataLoader running slow or even freeze, lower "
                          f"the worker number to avoid potential slowness/freeze if "
                          f"necessary.", UserWarning, stacklevel=3)

    # ---- iteration ---------------------------------------------------------------------
    def _get_iterator(self) -> SingleProcessLoaderIter | MultiProcessingLoaderIter:
        if self.num_workers == 0:
            return SingleProcessLoaderIter(self)
        self._check_worker_number_rationality()
        return MultiProcessingLoaderIter(self)

    def __iter__(self) -> SingleProcessLoaderIter | MultiProcessingLoaderIter:
        """A new epoch: its base seed and order are drawn now. With persistent workers the
        same iterator (and workers) is reused, unless its workers were shut down."""
        if not (self.persistent_workers and self.num_workers > 0):
            return self._get_iterator()
        it = self._iterator
        if it is None or it._shutdown:
            it = self._get_iterator()
            object.__setattr__(self, "_iterator", it)
        else:
            it._reset(self)
        return it

    def __len__(self) -> int:
        if self._iterable:   # TypeError if the stream has no length, as in torch
            object.__setattr__(self, "_reported_length", len(self.dataset))
        return loader_length(self._iterable, self.dataset, self.batch_size, self.drop_last,
                             self._index_sampler)

    def __repr__(self) -> str:
        return (f"DataLoader(dataset={type(self.dataset).__name__} of {self._safe_len()}, "
                f"batch_size={self.batch_size}, sampler={type(self.sampler).__name__}, "
                f"drop_last={self.drop_last}, vectorised={self._vectorised})")

    def _safe_len(self) -> str:
        try:
            return str(len(self.dataset))
        except TypeError:
            return "?"
