"""``DistributedSampler``: each process of a data-parallel job visits its own share of the
dataset, as torch's ``torch.utils.data.distributed.DistributedSampler`` does -- the same
indices, in the same order, for the same seed and epoch.

The shuffled order is torch's ``randperm(n)`` from a generator seeded with ``seed + epoch``
(``_torch_randperm``): torch's CPU generator is MT19937, seeded as ``init_genrand`` does,
and its ``randperm`` is a Fisher-Yates shuffle that takes one 32-bit output per swap,
``i <-> i + r % (n - i)``. NumPy's ``MT19937`` bit generator, given that state, produces
the same outputs, so no torch is needed to reproduce the order.
"""
from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np

from ..distributed import process_group as _pg
from .sampler import Sampler, _ints, _is_int

__all__ = ["DistributedSampler"]

_SMALL_N = (2 ** 32 - 1) // 20      # torch's randperm: below this, one 32-bit draw per swap


def _mt19937(seed: int) -> np.random.MT19937:
    """NumPy's MT19937 in the state C++'s ``std::mt19937(seed)`` (and torch's CPU
    generator after ``manual_seed(seed)``) starts from: ``init_genrand`` of the seed's low
    32 bits."""
    key = [seed & 0xFFFFFFFF]
    for i in range(1, 624):
        prev = key[-1]
        key.append((1812433253 * (prev ^ (prev >> 30)) + i) & 0xFFFFFFFF)
    bg = np.random.MT19937()
    bg.state = {"bit_generator": "MT19937",
                "state": {"key": np.array(key, np.uint32), "pos": 624}}
    return bg


def _torch_randperm(n: int, seed: int) -> np.ndarray:
    """``torch.randperm(n, generator=torch.Generator().manual_seed(seed))`` as int64,
    without torch. Below 214,748,364 elements (every dataset in practice): the shuffle
    checked against torch in the tests; above, torch's other branch (an inside-out shuffle
    with 64-bit draws), written from its source and not checked against torch."""
    bg = _mt19937(seed)
    if n < _SMALL_N:
        idx = list(range(n))
        draws = (bg.random_raw(max(n - 1, 0)) % np.arange(n, 1, -1, dtype=np.uint64))
        for i, z in enumerate(draws.tolist()):      # sequential swaps: no vector form
            j = i + z
            idx[i], idx[j] = idx[j], idx[i]
        return np.array(idx, dtype=np.int64)
    raw = bg.random_raw(2 * n).reshape(n, 2)                  # (hi, lo) 32-bit halves
    r64 = (raw[:, 0] << np.uint64(32)) | raw[:, 1]
    out = np.empty(n, np.int64)
    for i, r in enumerate(r64.tolist()):
        z = r % (i + 1)
        out[i] = out[z]
        out[z] = i
    return out


class DistributedSampler(Sampler[int]):
    """The share of the dataset's indices that process ``rank`` of ``num_replicas`` visits,
    with torch's indices and order.

    Each epoch the indices are shuffled by a permutation seeded with ``seed + epoch``
    (identical on every process; call :meth:`set_epoch` at the start of each epoch, or
    every epoch repeats the order), then padded by repeating indices from the start so that
    every process gets ``ceil(len / num_replicas)`` of them (or, with ``drop_last=True``,
    trimmed to a multiple of ``num_replicas``); process ``r`` takes positions
    ``r, r + num_replicas, ...``.

    Args:
        dataset (Dataset): what to sample from (only its ``len`` is used).
        num_replicas (int, optional): number of processes. Default: None (the default
            process group's world size; raises a ValueError if there is no group).
        rank (int, optional): this process's rank in ``[0, num_replicas)``. Default: None
            (the default process group's rank).
        shuffle (bool): shuffle the indices each epoch. Default: True.
        seed (int): the seed of the permutations, the same on every process. Default: 0.
        drop_last (bool): drop the tail instead of padding it. Default: False.

    Example:
        >>> s = DistributedSampler(range(10), num_replicas=2, rank=1, shuffle=False)
        >>> list(s)
        [1, 3, 5, 7, 9]
        >>> sampler = DistributedSampler(train_set)              # doctest: +SKIP
        >>> loader = DataLoader(train_set, batch_size=64, sampler=sampler)  # doctest: +SKIP
        >>> for epoch in range(epochs):                          # doctest: +SKIP
        ...     sampler.set_epoch(epoch)
    """

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            if not _pg.is_initialized():
                raise ValueError(f"DistributedSampler: {_pg.NOT_INITIALIZED} (or pass "
                                 f"num_replicas and rank)")
            num_replicas = _pg.get_world_size() if num_replicas is None else num_replicas
            rank = _pg.get_rank() if rank is None else rank
        if not _is_int(num_replicas) or num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas should be a positive integer, "
                             f"but got num_replicas={num_replicas!r}")
        if not _is_int(rank) or rank >= num_replicas or rank < 0:
            raise ValueError(f"DistributedSampler: Invalid rank {rank}, rank should be in the "
                             f"interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.epoch, self.drop_last, self.shuffle, self.seed = 0, drop_last, shuffle, seed
        n = len(dataset)
        if drop_last and n % self.num_replicas:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Make the next epoch's order the permutation seeded by ``seed + epoch``."""
        self.epoch = epoch

    def index_chunks(self) -> Iterator[np.ndarray]:
        """This epoch's share of the indices, as one int64 array."""
        n = len(self.dataset)
        if self.shuffle:
            idx = _torch_randperm(n, self.seed + self.epoch)
        else:
            idx = np.arange(n, dtype=np.int64)
        if self.drop_last:
            idx = idx[:self.total_size]
        elif self.total_size > n:
            idx = np.resize(idx, self.total_size)       # repeats from the start
        return iter([idx[self.rank:self.total_size:self.num_replicas]])

    def __iter__(self) -> Iterator[int]:
        return _ints(self.index_chunks())

    def __len__(self) -> int:
        return self.num_samples
