"""``nn.parallel``: ``DataParallel`` (and ``data_parallel``), identity wrappers on nnlite's
one device, the CPU; see ``data_parallel.py``.

    model = nn.DataParallel(model)       # runs as before; state_dict keys get "module."
"""
from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "data_parallel"]
