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
from .dataloader import DataLoader, default_collate, default_convert
from .dataset import (ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,
                      kfold_split, random_split)
from .download import (DataFileError, DatasetNotFoundError, check_integrity, default_root,
                       download_url)
from .padding import trim_padding
from .sampler import (BatchSampler, BucketBatchSampler, RandomSampler, Sampler,
                      SequentialSampler, SubsetRandomSampler, WeightedRandomSampler)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "random_split", "kfold_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "BucketBatchSampler",
           "trim_padding", "DataLoader",
           "default_collate", "default_convert", "datasets", "transforms", "default_root",
           "download_url", "check_integrity", "DatasetNotFoundError", "DataFileError"]
