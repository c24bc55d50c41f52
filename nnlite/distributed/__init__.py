"""``nnlite.distributed``: data-parallel training over processes, on MPI (mpi4py), with the
names of ``torch.distributed``.

    # mpiexec -n 2 python train.py          (each process runs the same script)
    import nnlite.distributed as dist
    from nnlite.nn.parallel import DistributedDataParallel as DDP
    from nnlite.utils.data import DataLoader, DistributedSampler

    dist.init_process_group(backend="mpi")
    model = DDP(model)                       # rank 0's weights on every process
    sampler = DistributedSampler(train_set)  # each process its share of the data
    loader = DataLoader(train_set, batch_size=64, sampler=sampler)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for x, y in loader:                  # backward averages the gradients
            ...

* ``process_group.py``  ``init_process_group``, ``destroy_process_group``,
  ``is_initialized``, ``get_rank``, ``get_world_size``, and the ``ProcessGroup`` (the MPI
  communicator and its array collectives)
* ``collectives.py``    ``all_reduce``, ``broadcast``, ``all_gather``, ``barrier``,
  ``ReduceOp`` and ``Work`` (``async_op=True``)

Importing this package does not import mpi4py or initialise MPI: ``init_process_group``
does. mpi4py and an MPI library are an optional extra: ``pip install -e ".[distributed]"``
(the ``mpi4py`` and ``mpich`` wheels).
"""
from .collectives import ReduceOp, Work, all_gather, all_reduce, barrier, broadcast
from .process_group import (ProcessGroup, destroy_process_group, get_backend, get_rank,
                            get_world_size, init_process_group, is_available, is_initialized,
                            is_mpi_available)

__all__ = ["init_process_group", "destroy_process_group", "is_available", "is_mpi_available",
           "is_initialized", "get_rank", "get_world_size", "get_backend", "all_reduce",
           "broadcast", "all_gather", "barrier", "ReduceOp", "Work", "ProcessGroup"]
