"""nnlite.distributed's process group and collectives: in this process (no MPI started
on import; errors before init_process_group) and on 2 processes under mpiexec
(workers/collectives.py checks every collective against its numbers)."""
import subprocess
import sys

import pytest

import nnlite as nl
import nnlite.distributed as dist

from ._mpi import ROOT, mpiexec, run_workers


def test_importing_nnlite_starts_no_mpi():
    code = ("import sys, nnlite, nnlite.distributed, nnlite.nn.parallel; "
            "assert sys.modules.get('mpi4py') is None and 'mpi4py.MPI' not in sys.modules; "
            "assert not nnlite.distributed.is_initialized()")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_without_a_process_group_the_calls_say_so():
    assert not dist.is_initialized()
    for call in (dist.get_rank, dist.get_world_size, dist.barrier, dist.destroy_process_group,
                 lambda: dist.all_reduce(nl.ones(2))):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            call()


def test_single_process_world():
    """Run without mpiexec, the group is this process alone (in a child process: MPI, once
    started, stays initialised until its process exits)."""
    mpiexec()                                           # skips without mpi4py
    code = ("import nnlite as nl, nnlite.distributed as dist\n"
            "dist.init_process_group()\n"
            "t = nl.ones(3); dist.all_reduce(t, op=dist.ReduceOp.AVG)\n"
            "assert (dist.get_rank(), dist.get_world_size(), t.tolist()) == (0, 1, [1.0] * 3)\n"
            "dist.destroy_process_group()\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


def test_collectives_on_two_processes():
    run_workers("collectives.py")
