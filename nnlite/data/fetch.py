"""Fetchers: what one batch is, made alike by the main process (``num_workers=0``) and by
each worker process (torch's ``_utils/fetch.py``).

* :class:`MapFetcher` -- map-style datasets. With auto-collation (a ``batch_size`` or a
  ``batch_sampler``) ``fetch(idx)`` takes an int64 array of indices and returns
  ``dataset.__getitems__(idx)`` (the vectorised path: the default ``collate_fn`` and a
  dataset that has the method) or ``collate_fn([dataset[i] for i in idx])``; without it,
  ``fetch(i)`` returns ``collate_fn(dataset[i])`` for one index.
* :class:`IterableFetcher` -- iterable-style datasets. ``fetch()`` takes the next
  ``batch_size`` samples of ``iter(dataset)`` (called at the first fetch) and collates them;
  it raises ``StopIteration`` when the stream is exhausted: after a short last batch, or at
  once if ``drop_last`` drops it.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator

from .collate import default_collate, default_convert

__all__ = ["MapFetcher", "IterableFetcher", "make_fetcher"]


class MapFetcher:
    """Batches of a map-style dataset by index (see the module docstring)."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 vectorised: bool) -> None:
        self.dataset, self.auto_collation = dataset, auto_collation
        self.collate_fn, self.vectorised = collate_fn, vectorised

    def fetch(self, index: Any) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.vectorised:
            batch = self.dataset.__getitems__(index)
            if isinstance(batch, list):   # torch convention: a list of samples
                return default_collate(batch)
            return default_convert(batch)
        return self.collate_fn([self.dataset[i] for i in index.tolist()])


class IterableFetcher:
    """Batches of an iterable-style dataset, in stream order (see the module docstring)."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool, batch_size: int | None) -> None:
        self.dataset, self.auto_collation = dataset, auto_collation
        self.collate_fn, self.drop_last, self.batch_size = collate_fn, drop_last, batch_size
        self._samples: Iterator | None = None
        self.ended = False

    def fetch(self, index: Any = None) -> Any:
        if self.ended:
            raise StopIteration
        if self._samples is None:
            self._samples = iter(self.dataset)
        if not self.auto_collation:
            return self.collate_fn(next(self._samples))
        batch = list(itertools.islice(self._samples, self.batch_size))
        if len(batch) < self.batch_size:
            self.ended = True
        if not batch or (self.drop_last and len(batch) < self.batch_size):
            raise StopIteration
        return self.collate_fn(batch)


def make_fetcher(iterable: bool, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 vectorised: bool, drop_last: bool, batch_size: int | None
                 ) -> MapFetcher | IterableFetcher:
    """The fetcher for a dataset of either kind (the loader's settings as arguments, so that
    a worker process builds it from plain values)."""
    if iterable:
        return IterableFetcher(dataset, auto_collation, collate_fn, drop_last, batch_size)
    return MapFetcher(dataset, auto_collation, collate_fn, vectorised)

