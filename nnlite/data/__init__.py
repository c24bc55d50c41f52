"""nnlite.data: datasets, samplers, the DataLoader and image transforms -- torch.utils.data's
and torchvision's names, NumPy underneath.

    from nnlite.data import DataLoader, TensorDataset, random_split
    from nnlite.data import transforms as T
    from nnlite.data.datasets import MNIST

In-memory datasets implement ``__getitems__(indices)`` and the DataLoader fetches each batch
with one fancy-indexing op (see ``dataset.py``). Datasets read from the repository's ``data/``
folder by default (or ``$NNLITE_DATA``); see ``download.py``.
"""
from . import datasets, transforms
from .dataloader import DataLoader, default_collate, default_convert, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset,
                      Subset, TensorDataset, kfold_split, random_split)
from .download import (DataFileError, DatasetNotFoundError, check_integrity, default_root,
                       download_url)
from .padding import trim_padding
from .sampler import (BatchSampler, BucketBatchSampler, DistributedSampler, RandomSampler,
                      Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler)
from .worker import WorkerInfo

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split", "kfold_split", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler", "DistributedSampler", "BucketBatchSampler", "trim_padding",
           "DataLoader", "default_collate", "default_convert", "get_worker_info", "WorkerInfo",
           "datasets", "transforms", "default_root", "download_url", "check_integrity",
           "DatasetNotFoundError", "DataFileError"]
