"""DistributedDataParallel (nnlite/nn/parallel/distributed.py and reducer.py): on 2
processes under mpiexec, workers/ddp.py checks that N steps of SGD give every rank the
parameters of one process trained on the global batch (to 1e-5), no_sync, unused
parameters, BatchNorm buffers and the constructor's checks; here, what needs no MPI."""
import numpy as np
import pytest

import nnlite as nl
from nnlite import nn
from nnlite.nn.parallel import DistributedDataParallel
from nnlite.nn.parallel.reducer import assign_buckets

from ._mpi import run_workers


def test_ddp_on_two_processes():
    run_workers("ddp.py")


def test_exposed_where_torch_has_it():
    import nnlite.nn.parallel.distributed as module
    assert nn.parallel.DistributedDataParallel is DistributedDataParallel
    assert module.DistributedDataParallel is DistributedDataParallel
    assert not hasattr(nn, "DistributedDataParallel")              # as torch.nn


def test_needs_a_process_group():
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedDataParallel(nn.Linear(2, 2))


def test_buckets_as_torch_assigns_them(torch):
    """torch's assignment (runs of one dtype closed once they reach the cap, the first
    bucket of each dtype at the first cap; ordered by their first parameter), which DDP
    then reverses so that the last layers' bucket comes first."""
    import torch.distributed as tdist
    cases = [([100, 100, 300, 50, 50], [np.float32] * 5),
             ([10, 10, 10], [np.float32, np.float64, np.float32]),
             ([100, 100, 100, 100, 50, 100],
              [np.float32, np.float64, np.float32, np.float32, np.float64, np.float64])]
    for sizes, dtypes in cases:
        for first, cap in [(400, 800), (800, 800), (10 ** 6, 10 ** 6)]:
            ours = assign_buckets([nl.zeros(n, dtype=dt) for n, dt in zip(sizes, dtypes)],
                                  bucket_cap=cap, first_bucket_cap=first)
            theirs, _ = tdist._compute_bucket_assignment_by_size(
                [torch.zeros(n, dtype=getattr(torch, np.dtype(dt).name))
                 for n, dt in zip(sizes, dtypes)], [first, cap])
            assert ours == theirs[::-1], (sizes, first, cap)
