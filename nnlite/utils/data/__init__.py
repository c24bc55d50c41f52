"""``nnlite.utils.data``: torch.utils.data's names, the same objects as in :mod:`nnlite.data`.

A PyTorch program's data code runs with only its imports changed::

    from nnlite.utils.data import DataLoader, Dataset, TensorDataset, random_split
    import nnlite.utils.data as data
    from nnlite.utils.data.sampler import WeightedRandomSampler
    from nnlite.utils.data.distributed import DistributedSampler

The submodules ``dataset``, ``sampler``, ``dataloader`` and ``distributed`` hold what torch's
do. The DataLoader, samplers and datasets are documented in :mod:`nnlite.data`.
"""
from ...data.dataloader import DataLoader, default_collate, default_convert, get_worker_info
from ...data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset,
                             StackDataset, Subset, TensorDataset, random_split)
from ...data.distributed import DistributedSampler
from ...data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                             SubsetRandomSampler, WeightedRandomSampler)
from . import dataloader, dataset, distributed, sampler

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "DistributedSampler", "IterableDataset", "RandomSampler", "Sampler",
           "SequentialSampler", "StackDataset", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "default_collate", "default_convert", "get_worker_info",
           "random_split"]
