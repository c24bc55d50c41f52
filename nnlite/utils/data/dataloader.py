"""``nnlite.utils.data.dataloader``: the names of torch.utils.data.dataloader, from
:mod:`nnlite.data.dataloader`."""
from ...data.dataloader import DataLoader, default_collate, default_convert, get_worker_info

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]
