"""Collectives on Tensors, with torch's signatures: ``all_reduce``, ``broadcast``,
``all_gather`` and ``barrier``, and the reduction operations ``ReduceOp``.

Each works in place on the tensor's memory, as torch's do (a tensor's ``.grad`` or a
parameter is updated where it lies), and counts as an in-place write for autograd's version
check. ``async_op=True`` starts the operation and returns a ``Work``, whose ``wait()``
completes it; otherwise the call returns None when the result is there.
"""
from __future__ import annotations

import enum
from typing import Any, Callable

import numpy as np

from ..autograd import versions as _versions
from ..tensor import Tensor
from .process_group import ProcessGroup, _group

__all__ = ["ReduceOp", "Work", "all_reduce", "broadcast", "all_gather", "barrier"]


class ReduceOp(enum.Enum):
    """How ``all_reduce`` combines the processes' tensors: ``SUM``, ``PRODUCT``, ``MIN``,
    ``MAX``, the bitwise ``BAND``, ``BOR``, ``BXOR`` (integer and bool tensors), and
    ``AVG`` (the sum divided by the world size; floating tensors)."""

    SUM = "SUM"
    AVG = "AVG"
    PRODUCT = "PRODUCT"
    MIN = "MIN"
    MAX = "MAX"
    BAND = "BAND"
    BOR = "BOR"
    BXOR = "BXOR"


_MPI_OPS = {ReduceOp.SUM: "SUM", ReduceOp.AVG: "SUM", ReduceOp.PRODUCT: "PROD",
            ReduceOp.MIN: "MIN", ReduceOp.MAX: "MAX", ReduceOp.BAND: "BAND",
            ReduceOp.BOR: "BOR", ReduceOp.BXOR: "BXOR"}


class Work:
    """A collective started with ``async_op=True``. ``wait()`` blocks until it is done
    (and the tensors hold the result); ``is_completed()`` asks without blocking."""

    def __init__(self, request: Any, finish: Callable[[], None] | None = None) -> None:
        self._request, self._finish, self._done = request, finish, False

    def wait(self, timeout: Any = None) -> bool:
        """Block until the collective has finished; returns True. ``timeout`` is accepted
        and unused (MPI requests have none)."""
        if not self._done:
            self._request.Wait()
            self._complete()
        return True

    def is_completed(self) -> bool:
        """True if the collective has finished (the result is then in place)."""
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def is_success(self) -> bool:
        """True once completed (an MPI error aborts the job instead of failing here)."""
        return self.is_completed()

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()


def _check_tensor(t: Any, name: str, who: str) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{who}: expected parameter `{name}` of type Tensor but got "
                        f"{type(t).__name__} instead")
    return t


def _contiguous(t: Tensor) -> tuple[np.ndarray, bool]:
    """The array to communicate: ``t``'s own if it is C-contiguous and writeable, else a
    copy (second value True: write it back into ``t`` afterwards)."""
    a = t.array
    if a.flags.c_contiguous and a.flags.writeable and a.ndim > 0:
        return a, False
    if not a.flags.writeable:
        raise RuntimeError(f"cannot write a collective's result into a read-only tensor of "
                           f"shape {tuple(a.shape)}")
    return np.ascontiguousarray(a).reshape(a.shape or (1,)).copy(), True


def _written(t: Tensor, buf: np.ndarray, copy_back: bool) -> Callable[[], None]:
    """What to do when the result is in ``buf``: copy it into ``t`` if it is a copy, and
    count the in-place write."""
    def finish() -> None:
        if copy_back:
            t.array[...] = buf.reshape(t.array.shape)
        _versions.bump(t.array)
    return finish


def _run(request_or_none: Any, finish: Callable[[], None], async_op: bool) -> Work | None:
    if async_op:
        return Work(request_or_none, finish)
    finish()
    return None


def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Reduce ``tensor`` over all processes, in place: afterwards every process's
    ``tensor`` holds the sum (or ``op``) of all of them.

    Args:
        tensor (Tensor): the same shape and dtype on every process.
        op (ReduceOp): Default: ``ReduceOp.SUM``.
        group (ProcessGroup, optional): None (the default group) or that group.
        async_op (bool): return a ``Work`` to ``wait()`` on. Default: False.

    Returns:
        None, or a ``Work`` with ``async_op=True``.

    Example:
        >>> t = nl.tensor([float(dist.get_rank() + 1)])    # doctest: +SKIP
        >>> dist.all_reduce(t)                               # doctest: +SKIP
        >>> t                                                # 2 processes: 1 + 2
        tensor([3.])
    """
    pg = _group(group, "all_reduce")
    _check_tensor(tensor, "tensor", "all_reduce")
    if not isinstance(op, ReduceOp):
        raise TypeError(f"all_reduce: op must be a ReduceOp (ReduceOp.SUM, ...), got {op!r}")
    kind = tensor.array.dtype.kind
    if op is ReduceOp.AVG and kind not in "fc":
        raise TypeError(f"all_reduce: ReduceOp.AVG needs a floating tensor, got dtype "
                        f"{tensor.array.dtype}")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in "iub":
        raise TypeError(f"all_reduce: {op} needs an integer or bool tensor, got dtype "
                        f"{tensor.array.dtype}")
    buf, copy_back = _contiguous(tensor)
    mpi_op = getattr(pg.MPI, _MPI_OPS[op])
    written = _written(tensor, buf, copy_back)

    def finish() -> None:
        if op is ReduceOp.AVG:
            np.divide(buf, pg.size(), out=buf)
        written()
    if async_op:
        return _run(pg.iallreduce(buf, mpi_op), finish, True)
    pg.allreduce(buf, mpi_op)
    return _run(None, finish, False)


def broadcast(tensor: Tensor, src: int | None = None, group: ProcessGroup | None = None,
              async_op: bool = False, group_src: int | None = None) -> Work | None:
    """Copy ``tensor`` of process ``src`` into ``tensor`` of every process, in place.

    Args:
        tensor (Tensor): the same shape and dtype on every process.
        src (int): the rank whose tensor is sent. ``group_src`` is the same rank, as
            torch's name for it (give one of the two).
        group (ProcessGroup, optional): None or the default group.
        async_op (bool): return a ``Work``. Default: False.

    Example:
        >>> w = nl.randn(3)                      # doctest: +SKIP
        >>> dist.broadcast(w, src=0)             # every process now has rank 0's w
    """
    pg = _group(group, "broadcast")
    _check_tensor(tensor, "tensor", "broadcast")
    src = _source(src, group_src, pg, "broadcast")
    buf, copy_back = _contiguous(tensor)
    finish = _written(tensor, buf, copy_back)
    if async_op:
        return _run(pg.comm.Ibcast(buf, root=src), finish, True)
    pg.bcast(buf, src)
    return _run(None, finish, False)


def _source(src: int | None, group_src: int | None, pg: ProcessGroup, who: str) -> int:
    if src is None and group_src is None:
        raise ValueError(f"{who}: give the source rank, src (or group_src)")
    if src is not None and group_src is not None and src != group_src:
        raise ValueError(f"{who}: src={src} and group_src={group_src} disagree (the default "
                         f"group's ranks are the global ranks)")
    rank = src if src is not None else group_src
    if not isinstance(rank, (int, np.integer)) or not 0 <= rank < pg.size():
        raise ValueError(f"{who}: src must be a rank in [0, {pg.size() - 1}], got {rank!r}")
    return int(rank)


def all_gather(tensor_list: list, tensor: Tensor, group: ProcessGroup | None = None,
               async_op: bool = False) -> Work | None:
    """Gather every process's ``tensor`` into ``tensor_list`` (rank order), on every
    process; the tensors of the list are written in place.

    Args:
        tensor_list (list of Tensor): world-size tensors of ``tensor``'s shape and dtype.
        tensor (Tensor): this process's contribution.
        group (ProcessGroup, optional): None or the default group.
        async_op (bool): return a ``Work``. Default: False.

    Example:
        >>> out = [nl.zeros(2) for _ in range(dist.get_world_size())]   # doctest: +SKIP
        >>> dist.all_gather(out, nl.full((2,), float(dist.get_rank())))   # doctest: +SKIP
        >>> out                                                           # 2 processes
        [tensor([0., 0.]), tensor([1., 1.])]
    """
    pg = _group(group, "all_gather")
    _check_tensor(tensor, "tensor", "all_gather")
    if not isinstance(tensor_list, list) or not all(isinstance(t, Tensor) for t in tensor_list):
        raise TypeError(f"all_gather: expected parameter `tensor_list` of type list[Tensor], "
                        f"got {type(tensor_list).__name__}")
    if len(tensor_list) != pg.size():
        raise ValueError(f"all_gather: tensor_list must hold world_size={pg.size()} tensors, "
                         f"got {len(tensor_list)}")
    for i, t in enumerate(tensor_list):
        if t.shape != tensor.shape or t.dtype != tensor.dtype:
            raise ValueError(f"all_gather: tensor_list[{i}] has shape {tuple(t.shape)} and "
                             f"dtype {t.dtype}; expected tensor's shape {tuple(tensor.shape)} "
                             f"and dtype {tensor.dtype}")
    send = np.ascontiguousarray(tensor.array)
    out = np.empty((pg.size(),) + send.shape, send.dtype)

    def finish() -> None:
        for t, part in zip(tensor_list, out):
            t.array[...] = part
            _versions.bump(t.array)
    if async_op:
        return _run(pg.comm.Iallgather(send, out), finish, True)
    pg.comm.Allgather(send, out)
    return _run(None, finish, False)


def barrier(group: ProcessGroup | None = None, async_op: bool = False,
            device_ids: Any = None, timeout: Any = None) -> Work | None:
    """Wait until every process of the group has called ``barrier``.

    Args:
        group (ProcessGroup, optional): None or the default group.
        async_op (bool): return a ``Work`` (``wait()`` blocks). Default: False.
        device_ids: must be None (GPU streams only). timeout: accepted and unused.

    Example:
        >>> if dist.get_rank() == 0:
        ...     prepare_data()                   # doctest: +SKIP
        >>> dist.barrier()                       # the others wait for it here
    """
    pg = _group(group, "barrier")
    if device_ids is not None:
        raise ValueError(f"barrier: device_ids must be None (nnlite's processes run on the "
                         f"CPU), got {device_ids!r}")
    if async_op:
        return Work(pg.comm.Ibarrier())
    pg.barrier()
    return None
