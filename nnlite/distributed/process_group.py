"""The process group: which processes train together, and the MPI communicator that links
them.

``init_process_group(backend="mpi")`` makes the *default group* of every process that
``mpiexec`` started (``COMM_WORLD``). It is the only group (torch's ``new_group`` is not
offered), so every ``group=`` argument takes None or that group. mpi4py is imported (and
MPI initialised) by ``init_process_group``, never by importing nnlite; MPI is finalised
when the process exits (mpi4py's exit handler), not by ``destroy_process_group``, as in
torch's MPI backend.

``ProcessGroup`` also holds the array-level operations the rest of nnlite builds on
(collectives on contiguous NumPy arrays, in place): ``collectives.py`` wraps them for
Tensors, ``DistributedDataParallel`` and ``SyncBatchNorm`` call them directly.
"""
from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np

__all__ = ["ProcessGroup", "init_process_group", "destroy_process_group", "is_available",
           "is_mpi_available", "is_initialized", "get_rank", "get_world_size", "get_backend"]

_default: "ProcessGroup | None" = None

NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to call "
                   "init_process_group.")


def _mpi() -> Any:
    """mpi4py's ``MPI`` module (importing it initialises MPI), or a clear ImportError."""
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise ImportError(f"nnlite.distributed needs mpi4py and an MPI library: pip install "
                          f"mpi4py mpich (or pip install -e \".[distributed]\"); the import "
                          f"failed with: {err}") from None
    return MPI


class ProcessGroup:
    """A group of processes and its communicator: a duplicate of ``COMM_WORLD``, so
    nnlite's messages never mix with a program's own use of mpi4py.

    ``rank()`` and ``size()`` are torch's ``ProcessGroup`` methods; the array methods
    below work in place on C-contiguous NumPy arrays and are what the Tensor collectives
    and ``DistributedDataParallel`` use.
    """

    def __init__(self, comm: Any) -> None:
        self.comm, self.MPI = comm, _mpi()
        self._rank, self._size = comm.Get_rank(), comm.Get_size()

    def rank(self) -> int:
        """This process's rank in the group, in ``[0, size())``."""
        return self._rank

    def size(self) -> int:
        """The number of processes in the group."""
        return self._size

    def name(self) -> str:
        """The backend's name, ``"mpi"``."""
        return "mpi"

    def __repr__(self) -> str:
        return f"ProcessGroup(backend='mpi', rank={self._rank}, size={self._size})"

    # ---- array collectives (contiguous arrays, in place) ------------------------------
    def allreduce(self, a: np.ndarray, op: Any = None) -> None:
        """Reduce ``a`` over the group (default: sum) and leave the result in every
        process's ``a``."""
        self.comm.Allreduce(self.MPI.IN_PLACE, a, op=op or self.MPI.SUM)

    def iallreduce(self, a: np.ndarray, op: Any = None) -> Any:
        """``allreduce`` started without waiting: returns the MPI request (``Wait()``
        before reading ``a``)."""
        return self.comm.Iallreduce(self.MPI.IN_PLACE, a, op=op or self.MPI.SUM)

    def bcast(self, a: np.ndarray, src: int = 0) -> None:
        """Copy ``a`` of process ``src`` into ``a`` of every process."""
        self.comm.Bcast(a, root=src)

    def allgather(self, a: np.ndarray) -> np.ndarray:
        """Every process's ``a``, stacked in rank order: ``(size(), *a.shape)``."""
        out = np.empty((self._size,) + a.shape, a.dtype)
        self.comm.Allgather(a, out)
        return out

    def allgather_object(self, obj: Any) -> list:
        """Every process's ``obj`` (small Python values: shapes, counts), in rank order."""
        return self.comm.allgather(obj)

    def barrier(self) -> None:
        """Wait until every process of the group has reached this call."""
        self.comm.Barrier()


def is_available() -> bool:
    """True if the distributed package can be used: mpi4py is installed (it is not
    imported, and MPI not initialised, by this check)."""
    try:
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):        # a broken or blocked entry in sys.modules
        return False


def is_mpi_available() -> bool:
    """True if the MPI backend is available (mpi4py is installed); nnlite's only backend."""
    return is_available()


def is_initialized() -> bool:
    """True between ``init_process_group`` and ``destroy_process_group``."""
    return _default is not None


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: Any = None, world_size: int = -1, rank: int = -1,
                       store: Any = None, group_name: str = "", pg_options: Any = None,
                       device_id: Any = None) -> None:
    """Make the default process group of all the processes ``mpiexec`` started.

    Start the program with ``mpiexec -n 2 python train.py`` (or on several machines with a
    hostfile: ``mpiexec -f hosts -n 8 python train.py``); each process then calls this.
    Run without ``mpiexec``, the group is the process alone (world size 1).

    Args:
        backend (str, optional): ``"mpi"`` (nnlite's one backend, on mpi4py). Default: None
            (``"mpi"``). ``"gloo"``, ``"nccl"``, ... raise a ValueError.
        init_method (str, optional): accepted and unused: MPI's launcher does the
            rendezvous that ``env://`` or ``tcp://`` does in torch. Default: None.
        timeout (datetime.timedelta, optional): accepted and unused (MPI collectives have
            no timeout, as in torch's MPI backend). Default: None.
        world_size (int): the number of processes expected; -1 (default) takes MPI's.
            Another number than MPI's raises a ValueError.
        rank (int): this process's rank; -1 (default) takes MPI's. Another number raises.
        store: must be None (MPI needs no key-value store). Default: None.
        group_name, pg_options: accepted and unused. device_id: None or ``"cpu"``.

    Raises:
        ValueError: initialised twice, an unknown backend, or ``world_size`` / ``rank``
            that disagree with what ``mpiexec`` started.
        ImportError: mpi4py is not installed.

    Example:
        >>> import nnlite.distributed as dist
        >>> dist.init_process_group(backend="mpi")          # doctest: +SKIP
        >>> dist.get_rank(), dist.get_world_size()          # doctest: +SKIP
        (0, 2)
    """
    global _default
    if _default is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(f"init_process_group: backend must be 'mpi' (nnlite's one backend, on "
                         f"mpi4py; launch the processes with mpiexec), got backend={backend!r}")
    if store is not None:
        raise ValueError("init_process_group: store must be None: the MPI backend needs no "
                         "key-value store (mpiexec does the rendezvous)")
    if device_id is not None and str(device_id) != "cpu":
        raise ValueError(f"init_process_group: device_id must be None or 'cpu' (nnlite runs "
                         f"on the CPU), got {device_id!r}")
    MPI = _mpi()
    world = MPI.COMM_WORLD
    for name, given, actual in (("world_size", world_size, world.Get_size()),
                                ("rank", rank, world.Get_rank())):
        if given != -1 and given != actual:
            raise ValueError(f"init_process_group: {name}={given}, but MPI says {actual} "
                             f"(mpiexec sets both: leave {name} at -1, or start "
                             f"{'that many processes' if name == 'world_size' else 'them so'})")
    _default = ProcessGroup(world.Dup())


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Free the default group's communicator; ``is_initialized()`` is then False and
    ``init_process_group`` may be called again. MPI itself stays initialised until the
    process exits.

    Args:
        group (ProcessGroup, optional): None or the default group. Default: None.
    """
    global _default
    pg = _group(group, "destroy_process_group")
    pg.comm.Free()
    _default = None


def _group(group: ProcessGroup | None, who: str) -> ProcessGroup:
    """The default group (``group`` must be None or it); raises if there is none."""
    if _default is None:
        raise ValueError(NOT_INITIALIZED)
    if group is not None and group is not _default:
        raise ValueError(f"{who}: group must be None or the default process group (nnlite "
                         f"has no other groups), got {group!r}")
    return _default


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in the default group, from 0 to ``world_size - 1``.

    Raises:
        ValueError: the default group has not been initialised (as torch).
    """
    return _group(group, "get_rank").rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of processes in the default group.

    Raises:
        ValueError: the default group has not been initialised (as torch).
    """
    return _group(group, "get_world_size").size()


def get_backend(group: ProcessGroup | None = None) -> str:
    """The default group's backend, ``"mpi"``."""
    return _group(group, "get_backend").name()
