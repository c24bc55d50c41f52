"""The iterators behind ``iter(loader)``: one epoch of batches, loaded in the main process
(``num_workers=0``) or by worker processes (torch's ``_SingleProcessDataLoaderIter`` and
``_MultiProcessingDataLoaderIter``).

Every epoch first draws ``base_seed`` from the loader's generator (nnlite's global one by
default), then draws the epoch's order from the sampler: in both modes, so that the order
of a seeded run does not depend on ``num_workers``. Worker ``i`` seeds its generators from
``base_seed + i`` (see ``worker.py``).

With workers (torch's design): each worker has an index queue; the main process sends the
index batches to the workers in turn, keeping ``prefetch_factor`` batches per worker in
flight, and hands the results out in the order they were sent (``in_order``), whichever
worker finishes first. An iterable-style dataset is copied into every worker, which yields
its own stream (use :func:`~nnlite.data.get_worker_info` to shard it); the batches of the
workers alternate, and a worker whose stream ends drops out.

The main process waits on the workers' connections and on their process sentinels at once,
so a worker that dies (killed, crashed) is reported at once: "DataLoader worker (pid(s)
...) exited unexpectedly". The workers are shut down (told to stop, then terminated if they
do not within :data:`SHUTDOWN_TIMEOUT` seconds) when the epoch ends (unless
``persistent_workers``), when the iterator is deleted (for persistent workers: with its
loader), on ``KeyboardInterrupt`` in the main process, and at interpreter exit.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import time
import warnings
import weakref
from typing import TYPE_CHECKING, Any, Iterator, NoReturn

import numpy as np

from ..random import default_generator
from . import transfer
from .fetch import make_fetcher
from .sampler import index_chunks
from .worker import IterableDatasetStopIteration, ResumeIteration, worker_loop

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .dataloader import DataLoader

__all__ = ["SingleProcessLoaderIter", "MultiProcessingLoaderIter", "loader_length"]

SHUTDOWN_TIMEOUT = 5.0
"""Seconds the workers get to exit when told to, before they are terminated."""


def draw_base_seed(generator: np.random.Generator | None) -> int:
    """One draw of ``[0, 2**63)`` from ``generator`` (default: nnlite's global generator),
    as torch draws its workers' base seed."""
    rng = default_generator() if generator is None else generator
    return int(rng.integers(0, 2 ** 63))


def loader_length(iterable: bool, dataset: Any, batch_size: int | None, drop_last: bool,
                  index_sampler: Any) -> int:
    """Batches per epoch: ``len(index_sampler)``, or for an iterable-style dataset its
    reported ``len`` cut into batches (a ``TypeError`` if it has none, as in torch)."""
    if not iterable:
        return len(index_sampler)
    n = len(dataset)
    if batch_size is None:
        return n
    return n // batch_size if drop_last else -(-n // batch_size)


def _index_batches(batch_sampler: Any) -> Iterator[np.ndarray]:
    """This epoch's index batches as int64 arrays, the order drawn now, cut lazily."""
    if hasattr(batch_sampler, "iter_index_batches"):
        return batch_sampler.iter_index_batches()
    if hasattr(batch_sampler, "index_batches"):
        return iter(batch_sampler.index_batches())
    return (np.asarray(list(b), dtype=np.int64) for b in iter(batch_sampler))


# ============================================================================
# What both iterators share
# ============================================================================
class _BaseLoaderIter:
    """One epoch; the loader's settings copied (not the loader: a persistent iterator is
    held by its loader, and must not hold it back)."""

    def __init__(self, loader: "DataLoader") -> None:
        self._dataset = loader.dataset
        self._iterable = loader._iterable
        self._auto_collation = loader._auto_collation
        self._index_sampler = loader._index_sampler
        self._batch_size, self._drop_last = loader.batch_size, loader.drop_last
        self._generator = loader.generator
        self._num_workers = loader.num_workers
        self._fetch_args = (loader._iterable, loader._auto_collation, loader.collate_fn,
                            loader._vectorised, loader.drop_last, loader.batch_size)
        self._base_seed = self._start_epoch(loader)

    def _start_epoch(self, loader: "DataLoader") -> int:
        """Draw the base seed, then the epoch's order; returns the base seed."""
        base_seed = draw_base_seed(self._generator)
        if self._iterable:
            self._tasks: Iterator = itertools.repeat(None)
        elif self._auto_collation:
            self._tasks = _index_batches(self._index_sampler)
        else:
            self._tasks = (i for chunk in index_chunks(self._index_sampler)
                           for i in chunk.tolist())
        self._num_yielded = 0
        self._reported_length = loader._reported_length
        return base_seed

    def __iter__(self) -> "_BaseLoaderIter":
        return self

    def __len__(self) -> int:
        return loader_length(self._iterable, self._dataset, self._batch_size,
                             self._drop_last, self._index_sampler)

    def _next_data(self) -> Any:
        """The next batch: each subclass (in-process or worker processes) defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define _next_data")

    def __next__(self) -> Any:
        data = self._next_data()
        self._num_yielded += 1
        reported = self._reported_length
        if reported is not None and self._num_yielded > reported:
            msg = (f"Length of IterableDataset {self._dataset} was reported to be {reported} "
                   f"(when accessing len(dataloader)), but {self._num_yielded} samples have "
                   f"been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not "
                        "properly configuring the IterableDataset replica at each worker "
                        "(see nnlite.data.get_worker_info).")
            warnings.warn(msg, UserWarning, stacklevel=2)
        return data

    def __getstate__(self) -> None:
        raise TypeError(f"{type(self).__name__} cannot be pickled")


class SingleProcessLoaderIter(_BaseLoaderIter):
    """An epoch loaded in the main process (``num_workers=0``)."""

    def __init__(self, loader: "DataLoader") -> None:
        super().__init__(loader)
        self._fetcher = make_fetcher(self._fetch_args[0], self._dataset, *self._fetch_args[1:])

    def _next_data(self) -> Any:
        return self._fetcher.fetch(next(self._tasks))


# ============================================================================
# Worker processes
# ============================================================================
def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _explain_start_error(error: BaseException, ctx: Any) -> None:
    """Add to a pickling error raised when a worker starts what it means."""
    if ctx.get_start_method() != "fork" and hasattr(error, "add_note"):
        error.add_note(f"DataLoader: with the {ctx.get_start_method()!r} start method, the "
                       f"dataset, collate_fn and worker_init_fn are pickled to reach the "
                       f"worker processes: define them at module level (no lambdas or local "
                       f"functions), or pass multiprocessing_context='fork' (Linux).")


class MultiProcessingLoaderIter(_BaseLoaderIter):
    """An epoch loaded by ``loader.num_workers`` worker processes (see the module docstring);
    with ``persistent_workers`` the same iterator (and workers) serves every epoch."""

    def __init__(self, loader: "DataLoader") -> None:
        self._shutdown = True                  # nothing to shut down until workers exist
        prefetch = loader.prefetch_factor
        if not _is_int(prefetch) or prefetch <= 0:
            raise ValueError(f"DataLoader: prefetch_factor must be a positive integer to load "
                             f"with worker processes (num_workers={loader.num_workers}), got "
                             f"prefetch_factor={prefetch!r}")
        super().__init__(loader)
        self._prefetch_factor = int(prefetch)
        self._in_order, self._persistent = loader.in_order, loader.persistent_workers
        self._timeout = loader.timeout
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        n = self._num_workers
        self._done_event = ctx.Event()
        self._workers: list = []
        self._index_queues: list = []
        self._conns: list["Connection | None"] = []
        self._exit_expected = [False] * n      # told to stop: its exit is no error
        self._finished = False
        # The finalizer holds the queues, connections and processes: when this iterator is
        # collected, even in a reference cycle, they are still intact to shut the workers
        # down; it also runs at interpreter exit.
        self._finalizer = weakref.finalize(self, _shut_down, self._workers,
                                           self._index_queues, self._conns,
                                           self._done_event, os.getpid())
        self._shutdown = False
        try:
            for i in range(n):
                index_queue = ctx.Queue()
                index_queue.cancel_join_thread()
                here, there = ctx.Pipe(duplex=True)     # a socket pair: can pass descriptors
                self._index_queues.append(index_queue)
                self._conns.append(here)
                w = ctx.Process(target=worker_loop, name=f"nnlite-data-worker-{i}",
                                args=(self._fetch_args, self._dataset, index_queue, there,
                                      self._done_event, self._base_seed, loader.worker_init_fn,
                                      i, n), daemon=True)
                try:
                    w.start()
                finally:
                    there.close()
                self._workers.append(w)
        except BaseException as e:
            self._shutdown_workers()
            if isinstance(e, (pickle.PicklingError, AttributeError, TypeError)):
                _explain_start_error(e, ctx)
            raise
        self._reset(loader, first_iter=True)

    # ---- epochs ---------------------------------------------------------------------------
    def _reset(self, loader: "DataLoader", first_iter: bool = False) -> None:
        """Start an epoch: on the first, the workers are fresh; on a later one (persistent
        workers) they are told to start over and the previous epoch's leftovers dropped."""
        if not first_iter:
            self._start_epoch(loader)    # the seed drawn is not used: the workers keep theirs
        self._send_idx = 0               # the next task to send
        self._rcvd_idx = 0               # the next task to hand out
        self._task_info: dict[int, tuple] = {}   # send_idx -> (worker,) or (worker, data)
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        self._finished = False
        if not first_iter:
            for q in self._index_queues:
                q.put(ResumeIteration())
            waiting = self._num_workers
            try:
                while waiting > 0:
                    _, idx, _ = self._get_data()
                    if isinstance(idx, ResumeIteration):
                        waiting -= 1
            except BaseException:        # interrupted, timed out: the next epoch starts anew
                self._shutdown_workers()
                raise
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def __next__(self) -> Any:
        if self._shutdown and not self._finished:
            raise RuntimeError("DataLoader: this iterator's worker processes were shut down "
                               "(after a worker died or an interrupt); start a new epoch "
                               "with iter(loader)")
        try:
            return super().__next__()
        except KeyboardInterrupt:
            self._shutdown_workers()
            raise

    def _next_data(self) -> Any:
        while True:
            # skip the tasks of workers whose stream ended (iterable-style datasets)
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                self._finished = True
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:    # arrived earlier
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            worker_id, idx, data = self._get_data()
            if isinstance(idx, ResumeIteration):
                continue                                       # not of this epoch
            if isinstance(data, IterableDatasetStopIteration):
                if self._persistent:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    return self._process_data(data, self._task_info.pop(idx)[0])
                self._task_info[idx] += (data,)               # keep it until its turn
            else:
                del self._task_info[idx]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _try_put_index(self) -> None:
        """Send the next task to the next active worker (in turn; with ``in_order=False``,
        to one with room), if there is a task and a worker."""
        max_tasks = self._prefetch_factor * self._num_workers
        try:
            index = next(self._tasks)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id] and (
                    self._in_order or self._workers_num_tasks[worker_id]
                    < max_tasks // sum(self._workers_status)):
                break
        else:
            return
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._workers_num_tasks[worker_id] += 1
        self._send_idx += 1

    def _process_data(self, data: Any, worker_id: int) -> Any:
        self._workers_num_tasks[worker_id] -= 1
        self._try_put_index()
        if isinstance(data, transfer.ExceptionWrapper):
            data.reraise()
        return data

    # ---- receiving ------------------------------------------------------------------------
    def _get_data(self) -> tuple[int, Any, Any]:
        """The next message from any worker: (worker id, send idx, data). Raises if a worker
        died, or after ``timeout`` seconds without one (``timeout > 0``)."""
        from multiprocessing.connection import Connection, wait
        watch: dict[Any, int] = {}
        for i, conn in enumerate(self._conns):
            if conn is not None:
                watch[conn] = i
        for i, w in enumerate(self._workers):
            if not self._exit_expected[i]:
                watch[w.sentinel] = i
        ready = wait(list(watch), self._timeout if self._timeout > 0 else None)
        if not ready:
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
        conns = [r for r in ready if isinstance(r, Connection)]
        if conns:       # data first: a worker may have sent its last batch, then died
            worker_id = watch[conns[0]]
            try:
                idx, data = transfer.recv(conns[0])
            except (EOFError, OSError) as e:      # its end closed: it has exited
                self._raise_dead_workers([worker_id], e)
            except transfer.RecvError as e:       # raised in its turn, as a worker's error
                cause = e.__cause__
                idx, data = e.tag, transfer.ExceptionWrapper(
                    (type(cause), cause, cause.__traceback__),
                    where=f"in the main process, unpickling a batch of DataLoader worker "
                          f"process {worker_id}")
            return worker_id, idx, data
        self._raise_dead_workers([watch[r] for r in ready], None)
        raise AssertionError("unreachable")

    def _raise_dead_workers(self, ended: list[int], cause: BaseException | None) -> NoReturn:
        """Workers ``ended`` have exited (their sentinel or connection said so) without
        being told to: shut the others down and say which died (torch's message, with how
        each ended)."""
        for i in ended:           # reap them: the sentinel may be ready a moment early
            self._workers[i].join(timeout=SHUTDOWN_TIMEOUT)
        dead = [i for i, w in enumerate(self._workers)
                if not self._exit_expected[i] and not w.is_alive()] or ended
        details = ", ".join(_exit_reason(self._workers[i].exitcode) for i in dead)
        pids = ", ".join(str(self._workers[i].pid) for i in dead)
        for i in dead:
            self._exit_expected[i] = True
        self._shutdown_workers()
        raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly "
                           f"({details})") from cause

    def _mark_worker_as_unavailable(self, worker_id: int) -> None:
        """A worker whose stream ended (it has sent its last message): let it exit."""
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False
        self._exit_expected[worker_id] = True
        conn = self._conns[worker_id]
        if conn is not None:
            conn.close()
            self._conns[worker_id] = None

    # ---- shutting down --------------------------------------------------------------------
    def _shutdown_workers(self) -> None:
        """Stop the workers now (see :func:`_shut_down`); the iterator is done."""
        if getattr(self, "_shutdown", True):
            return
        self._shutdown = True
        self._finalizer()


def _shut_down(workers: list, index_queues: list, conns: list, done_event: Any,
               pid: int) -> None:
    """Tell every worker to stop, read and drop what they still send while they exit,
    terminate those still running after SHUTDOWN_TIMEOUT, close the queues and connections.
    Nothing in another process (a forked child that inherited the iterator)."""
    if os.getpid() != pid:
        return
    try:
        done_event.set()
        for q in index_queues:
            q.put(None)
        _drain(workers, conns, time.monotonic() + SHUTDOWN_TIMEOUT)
    finally:
        for w in workers:
            if w.is_alive():
                w.terminate()
            w.join(timeout=SHUTDOWN_TIMEOUT)
        for q in index_queues:
            q.cancel_join_thread()
            q.close()
        for i, conn in enumerate(conns):
            if conn is not None:
                conn.close()
                conns[i] = None


def _drain(workers: list, conns: list, deadline: float) -> None:
    """Until the workers have exited (or the deadline), receive and drop their results, so
    that none is left blocked sending a batch."""
    from multiprocessing.connection import Connection, wait
    while True:
        running = [i for i, w in enumerate(workers) if w.is_alive()]
        left = deadline - time.monotonic()
        if not running or left <= 0:
            return
        watch: dict[Any, int] = {workers[i].sentinel: i for i in running}
        watch.update({conns[i]: i for i in running if conns[i] is not None})
        for r in wait(list(watch), left):
            if isinstance(r, Connection):
                try:
                    transfer.recv(r)
                except transfer.RecvError:       # read whole: the connection is fine
                    pass
                except Exception:                # ended (EOF)
                    r.close()
                    conns[watch[r]] = None


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        import signal
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"
