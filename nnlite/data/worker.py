"""The worker process of a ``DataLoader`` (``num_workers > 0``), and ``get_worker_info``.

A worker is started by the main process with its own copy of the dataset (inherited with
``fork``, unpickled with ``spawn`` or ``forkserver``). It seeds its random number
generators, calls ``worker_init_fn(worker_id)``, then serves tasks from its index queue
until it is told to stop:

* ``(send_idx, index)`` -- fetch that batch (an int64 index array, one index, or ``None``
  for the next batch of an iterable-style dataset) and send the batch back on its
  connection, tagged ``send_idx`` (``transfer.py``); an exception is sent as an
  ``ExceptionWrapper`` (an exception in ``worker_init_fn`` answers every task), the end of
  an iterable dataset as :class:`IterableDatasetStopIteration`;
* :class:`ResumeIteration` -- a new epoch of persistent workers: acknowledge, start over;
* ``None`` -- exit.

Seeds, as torch's: the main process draws one ``base_seed`` per epoch from the loader's
generator; worker ``i`` seeds nnlite's global generator (``nl.manual_seed``) and Python's
``random`` with ``base_seed + i``, and NumPy's legacy global generator with
``SeedSequence([i, base_seed & 0xffffffff, base_seed >> 32, 0]).generate_state(4)`` --
the same four words torch's ``_generate_state`` gives. So random transforms in workers
repeat run after run, and no two workers draw the same numbers.

A worker exits by itself when its parent process is gone (it checks between tasks), and
quietly on ``KeyboardInterrupt`` (Ctrl-C reaches the whole process group; the main process
raises it). As in torch, its BLAS uses one thread.
"""
from __future__ import annotations

import contextlib
import os
import queue
import random
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

from . import transfer
from .fetch import make_fetcher

__all__ = ["WorkerInfo", "get_worker_info"]

CHECK_INTERVAL = 5.0
"""Seconds a worker waits for a task before checking that its parent is still alive."""

_current: "WorkerInfo | None" = None


class WorkerInfo:
    """What :func:`get_worker_info` returns in a worker: ``id`` (0 to ``num_workers - 1``),
    ``num_workers``, ``seed`` (``base_seed + id``: nnlite's and Python's generators were
    seeded with it) and ``dataset`` (this process's copy of the dataset). Read-only, as
    torch's.

    Example:
        >>> info = WorkerInfo(id=0, num_workers=2, seed=7, dataset=None)
        >>> info.num_workers
        2
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any

    def __init__(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_keys", tuple(kwargs))

    def __setattr__(self, key: str, value: Any) -> None:
        raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._keys)
        return f"{type(self).__name__}({items})"


def get_worker_info() -> WorkerInfo | None:
    """In a ``DataLoader`` worker process, its :class:`WorkerInfo`; in the main process,
    ``None``.

    An ``IterableDataset`` uses it to give each worker its share of the stream (otherwise
    each worker yields the whole stream), and a ``worker_init_fn`` to set up each worker.

    Example:
        >>> class Shards(IterableDataset):
        ...     def __iter__(self):
        ...         info = get_worker_info()
        ...         k, n = (0, 1) if info is None else (info.id, info.num_workers)
        ...         return iter(range(k, 100, n))
    """
    return _current


@contextlib.contextmanager
def as_worker(info: WorkerInfo | None) -> Iterator[None]:
    """Make ``info`` what :func:`get_worker_info` returns inside the block (None: no-op)."""
    global _current
    if info is None:
        yield
        return
    previous, _current = _current, info
    try:
        yield
    finally:
        _current = previous


# ============================================================================
# Messages between the main process and a worker
# ============================================================================
@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """Sent by worker ``worker_id`` when its copy of an iterable dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Sent to a persistent worker at a new epoch; it sends it back when ready."""


# ============================================================================
# Seeds
# ============================================================================
def numpy_seed(base_seed: int, worker_id: int) -> np.ndarray:
    """The seed of NumPy's legacy global generator in worker ``worker_id`` (torch's
    ``_generate_state``, which is NumPy's SeedSequence hash)."""
    entropy = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4)


def seed_worker(base_seed: int, worker_id: int) -> int:
    """Seed this process's generators for worker ``worker_id``; returns its seed."""
    from ..random import manual_seed
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(numpy_seed(base_seed, worker_id))
    return seed


def _one_blas_thread() -> None:
    """One BLAS thread per worker (torch sets one thread in its workers), if reachable."""
    from ..tuning import set_num_threads
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            set_num_threads(1)
        except Exception:         # a BLAS the process cannot control: keep its threads
            pass


# ============================================================================
# The loop
# ============================================================================
def worker_loop(fetch_args: tuple, dataset: Any, index_queue: Any, conn: Any,
                done_event: Any, base_seed: int, init_fn: Callable | None, worker_id: int,
                num_workers: int) -> None:
    """The body of worker process ``worker_id`` (see the module docstring).

    Args:
        fetch_args: ``make_fetcher``'s arguments after ``dataset``: (iterable,
            auto_collation, collate_fn, vectorised, drop_last, batch_size) with the
            dataset given separately.
        dataset: this worker's copy of the dataset.
        index_queue: tasks from the main process (a ``multiprocessing.Queue``).
        conn: where batches go (the worker's end of a socket pair).
        done_event: set by the main process when it shuts the workers down.
        base_seed, init_fn, worker_id, num_workers: as the loader's.
    """
    try:
        _one_blas_thread()
        seed = seed_worker(base_seed, worker_id)
        info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        with as_worker(info):
            _serve(fetch_args, dataset, index_queue, conn, done_event, init_fn, worker_id)
    except KeyboardInterrupt:
        pass                      # the main process raises it
    except (BrokenPipeError, ConnectionResetError):
        pass                      # the main process closed the connection: it is gone
    finally:
        conn.close()


def _serve(fetch_args: tuple, dataset: Any, index_queue: Any, conn: Any, done_event: Any,
           init_fn: Callable | None, worker_id: int) -> None:
    """Call ``init_fn``, then answer tasks until ``None`` (or the parent is gone)."""
    iterable = fetch_args[0]
    where = f"in DataLoader worker process {worker_id}"
    init_error = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = make_fetcher(fetch_args[0], dataset, *fetch_args[1:])
    except Exception:
        init_error = transfer.ExceptionWrapper(where=where)   # the answer to every task
    parent = os.getppid()
    iteration_end = False
    while True:
        try:
            task = index_queue.get(timeout=CHECK_INTERVAL)
        except queue.Empty:
            if os.getppid() != parent:          # orphaned: the main process died
                return
            continue
        if task is None:
            return
        if isinstance(task, ResumeIteration):
            _send(conn, task, None, where)
            iteration_end = False
            if init_error is None:
                fetcher = make_fetcher(fetch_args[0], dataset, *fetch_args[1:])
            continue
        if done_event.is_set() or iteration_end:
            continue                            # shutting down / stream over: wait for None
        send_idx, index = task
        if init_error is not None:
            data = init_error
        else:
            try:
                data = fetcher.fetch(index)
            except StopIteration:
                if not iterable:
                    data = transfer.ExceptionWrapper(where=where)
                else:
                    data = IterableDatasetStopIteration(worker_id)
                    iteration_end = True
            except Exception:
                data = transfer.ExceptionWrapper(where=where)
        _send(conn, send_idx, data, where)
        del data, task, index


def _send(conn: Any, tag: Any, data: Any, where: str) -> None:
    """Send a result tagged ``tag``; if it cannot be pickled, send that error instead."""
    try:
        packed = transfer.pack(data, tag)
    except Exception:
        packed = transfer.pack(transfer.ExceptionWrapper(where=where), tag)
    packed.send(conn)
