"""``get_worker_info``: what a dataset sees of the loader's worker while a batch is loaded.

nnlite loads batches in the main process. With ``num_workers=0`` there is no worker and
:func:`get_worker_info` returns ``None``, as in torch's main process. With ``num_workers > 0``
(until worker processes land) the ``DataLoader`` loads in-process as *one* worker: while it
calls ``worker_init_fn`` and while it fetches a batch, :func:`get_worker_info` returns a
:class:`WorkerInfo` with ``id=0`` and ``num_workers=1`` -- so a dataset that splits its work
by ``num_workers`` keeps all of it.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

__all__ = ["WorkerInfo", "get_worker_info"]

_current: "WorkerInfo | None" = None


class WorkerInfo:
    """The loading worker's ``id``, ``num_workers``, ``seed`` and ``dataset``; read-only, as
    torch's."""

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
    """The :class:`WorkerInfo` of the worker loading now, or ``None`` outside one.

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
