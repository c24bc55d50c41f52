"""What every worker script shares: ``main(fn)`` initialises the process group, runs
``fn(rank, world)``, prints ``ok <rank>``, and on an exception prints the traceback and
aborts the whole job (so the other process does not wait forever in a collective)."""
import sys
import traceback

import numpy as np

import nnlite as nl
import nnlite.distributed as dist


def main(fn) -> None:
    dist.init_process_group(backend="mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    try:
        fn(rank, world)
    except BaseException:
        print(f"rank {rank} failed:\n{traceback.format_exc()}", flush=True)
        sys.stdout.flush()
        from mpi4py import MPI
        MPI.COMM_WORLD.Abort(1)
    dist.barrier()
    print(f"ok {rank}", flush=True)


def gathered(a: np.ndarray) -> list:
    """Every process's ``a``, in rank order."""
    t = nl.from_numpy(np.ascontiguousarray(a))
    out = [nl.zeros_like(t) for _ in range(dist.get_world_size())]
    dist.all_gather(out, t)
    return [o.numpy() for o in out]


def same_on_all_ranks(a: np.ndarray) -> bool:
    """True if ``a`` is identical on every process."""
    every = gathered(a)
    return all(np.array_equal(every[0], e) for e in every)
