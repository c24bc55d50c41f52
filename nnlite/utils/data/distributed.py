"""``nnlite.utils.data.distributed``: ``DistributedSampler`` (from :mod:`nnlite.data.sampler`;
nnlite runs in one process, so its default world is one replica)."""
from ...data.sampler import DistributedSampler

__all__ = ["DistributedSampler"]
