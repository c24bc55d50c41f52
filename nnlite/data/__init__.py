"""nnlite.data: datasets, samplers, the DataLoader and image transforms -- torch.utils.data's
and torchvision's names, NumPy underneath. ``nnlite.utils.data`` offers torch.utils.data's
names and submodules (the same objects), so a torch program's data code runs with only its
imports changed.

    from nnlite.data import DataLoader, TensorDataset, random_split
    from nnlite.data import transforms as T
    from nnlite.data.datasets import MNIST, ImageFolder
    from nnlite.data.image import open_image

In-memory datasets implement ``__getitems__(indices)`` and the DataLoader fetches each batch
with one fancy-indexing op (see ``dataset.py``); samplers draw an epoch lazily, a chunk at a
time (``sampler.py``; ``DistributedSampler``, each process's share, in ``distributed.py``);
``num_workers > 0`` loads in worker processes (``dataloader.py``, ``loader_iter.py``,
``worker.py``). Datasets read from the repository's ``data/`` folder by default (or
``$NNLITE_DATA``); see ``download.py``. Image files (PNG, PBM/PGM/PPM) are decoded with the
standard library (``image/``).
"""
from . import datasets, image, transforms
from .dataloader import DataLoader, default_collate, default_convert, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset,
                      Subset, TensorDataset, kfold_split, random_split)
from .download import (DataFileError, DatasetNotFoundError, check_integrity, default_root,
                       download_url)
from .padding import trim_padding
from .distributed import DistributedSampler
from .sampler import (BatchSampler, BucketBatchSampler, RandomSampler, Sampler,
                      SequentialSampler, SubsetRandomSampler, WeightedRandomSampler)
from .worker import WorkerInfo

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split", "kfold_split", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler", "DistributedSampler", "BucketBatchSampler", "trim_padding",
           "DataLoader", "default_collate", "default_convert", "get_worker_info", "WorkerInfo",
           "datasets", "image", "transforms", "default_root", "download_url", "check_integrity",
           "DatasetNotFoundError", "DataFileError"]
