"""``nn.parallel``: ``DistributedDataParallel`` (data-parallel training over processes, on
MPI: see ``distributed.py`` and :mod:`nnlite.distributed`), and ``DataParallel`` (and
``data_parallel``), identity wrappers on nnlite's one device, the CPU (``data_parallel.py``).

    model = nn.parallel.DistributedDataParallel(model)   # after dist.init_process_group()
    model = nn.DataParallel(model)       # runs as before; state_dict keys get "module."
"""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "data_parallel", "DistributedDataParallel"]
