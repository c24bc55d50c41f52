"""Datasets for the worker-process tests (test_loader_iter.py), at module level so that a
worker started with "spawn" can unpickle them. Each item says which process made it."""
from __future__ import annotations

import os
import random
import time

import numpy as np

import nnlite as nl
from nnlite.data import Dataset, IterableDataset, get_worker_info


class Probe(Dataset):
    """Item i: ``[i, worker id (-1 in the main process), pid, NumPy legacy draw, Python
    random draw, nnlite draw]``; raises ``error`` at index ``error_at``; sleeps ``sleep``
    seconds per item."""

    def __init__(self, n: int = 8, error_at: int | None = None,
                 error: BaseException | None = None, sleep: float = 0.0) -> None:
        self.n, self.error_at, self.error, self.sleep = n, error_at, error, sleep

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> np.ndarray:
        if i == self.error_at:
            raise self.error
        if self.sleep:
            time.sleep(self.sleep)
        info = get_worker_info()
        return np.array([i, -1 if info is None else info.id, os.getpid(),
                         np.random.randint(1000), random.randrange(1000),
                         int(nl.randint(0, 1000, (1,)).item())])


class Range(IterableDataset):
    """torch's documented sharding example: each worker yields its share of [start, end)."""

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per = -(-(self.end - self.start) // info.num_workers)
        lo = self.start + info.id * per
        return iter(range(lo, min(lo + per, self.end)))


class Unsharded(IterableDataset):
    """Every worker yields the whole stream (torch duplicates it too)."""

    def __iter__(self):
        return iter(range(5))


class TwoArgError(Exception):
    """An exception that cannot be rebuilt from one message."""

    def __init__(self, a: str, b: str) -> None:
        super().__init__(a, b)


def record_init(worker_id: int) -> None:
    """A worker_init_fn: keeps what it saw on the worker's dataset copy."""
    info = get_worker_info()
    info.dataset.init_seen = (worker_id, info.id, info.num_workers, info.seed)


class InitSeen(Dataset):
    """Item i: what ``record_init`` saw in this worker."""

    init_seen = None

    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int) -> np.ndarray:
        return np.array(self.init_seen, dtype=np.int64)


def fail_in_worker_1(worker_id: int) -> None:
    """A worker_init_fn that fails in worker 1."""
    if worker_id == 1:
        raise RuntimeError("init failed")


def collate_samples(samples: list) -> object:
    """A custom collate_fn (so the loader takes the per-sample path)."""
    from nnlite.data import default_collate
    return default_collate(samples)


def _rebuild_in_worker_only() -> "MainRefuses":
    if get_worker_info() is None:
        raise ValueError("cannot be rebuilt in the main process")
    return MainRefuses()


class MainRefuses:
    """Pickles in a worker, cannot be unpickled in the main process."""

    def __reduce__(self):
        return (_rebuild_in_worker_only, ())


def refuse_batch_1(samples: list) -> object:
    """A collate_fn whose batch containing item 1 cannot reach the main process."""
    from nnlite.data import default_collate
    batch = default_collate(samples)
    return MainRefuses() if 1 in batch.numpy()[:, 0].tolist() else batch
