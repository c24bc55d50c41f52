"""``nnlite.utils.data.distributed``: ``DistributedSampler``, from
:mod:`nnlite.data.distributed` (torch's ``torch.utils.data.distributed``)."""
from ...data.distributed import DistributedSampler

__all__ = ["DistributedSampler"]
