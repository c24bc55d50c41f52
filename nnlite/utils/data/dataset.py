"""``nnlite.utils.data.dataset``: the names of torch.utils.data.dataset, from
:mod:`nnlite.data.dataset`."""
from ...data.dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset,
                             StackDataset, Subset, TensorDataset, random_split)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]
