"""Tests of nnlite/utils/data/: torch.utils.data's names and submodules, each the same object
as in nnlite.data, and a torch-style data script run with only its imports changed."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

import nnlite
import nnlite.data
import nnlite.utils.data

# torch.utils.data.__all__ without the DataPipes (deprecated in torch) and private names
NOT_OFFERED = {"DFIterDataPipe", "DataChunk", "IterDataPipe", "MapDataPipe",
               "functional_datapipe", "guaranteed_datapipes_determinism", "non_deterministic",
               "runtime_validation", "runtime_validation_disabled", "argument_validation",
               "_DatasetKind"}


def test_torch_names_are_offered(torch):
    wanted = set(torch.utils.data.__all__) - NOT_OFFERED
    assert wanted <= set(nnlite.utils.data.__all__)
    assert set(nnlite.utils.data.__all__) - wanted == set()


@pytest.mark.parametrize("sub", ["dataset", "sampler", "dataloader", "distributed"])
def test_submodules_offer_what_torchs_do(torch, sub):
    ours = importlib.import_module(f"nnlite.utils.data.{sub}")
    theirs = importlib.import_module(f"torch.utils.data.{sub}")
    names = set(getattr(theirs, "__all__", ["DistributedSampler"]))
    assert names <= set(dir(ours)), names - set(dir(ours))


def test_every_name_is_the_object_of_nnlite_data():
    for name in nnlite.utils.data.__all__:
        assert getattr(nnlite.utils.data, name) is getattr(nnlite.data, name), name
    from nnlite.utils.data.dataloader import DataLoader
    from nnlite.utils.data.distributed import DistributedSampler
    from nnlite.utils.data.sampler import WeightedRandomSampler
    assert DataLoader is nnlite.data.DataLoader
    assert DistributedSampler is nnlite.data.DistributedSampler
    assert WeightedRandomSampler is nnlite.data.WeightedRandomSampler


def test_reachable_as_an_attribute_after_import_nnlite():
    assert nnlite.utils.data.DataLoader is nnlite.data.DataLoader


def test_a_torch_style_data_script_runs_with_its_imports_changed():
    import nnlite as torch
    from nnlite.utils.data import DataLoader, Dataset, random_split

    class Pairs(Dataset):
        def __init__(self, n):
            self.x = torch.randn(n, 3)

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return self.x[i], np.int64(i % 2)

    g = np.random.default_rng(0)
    train, val = random_split(Pairs(20), [0.8, 0.2], generator=g)
    loader = torch.utils.data.DataLoader(train, batch_size=4, shuffle=True, num_workers=0,
                                         pin_memory=True, drop_last=True)
    shapes = [(xb.shape, yb.shape) for xb, yb in loader]
    assert shapes == [((4, 3), (4,))] * 4 and len(DataLoader(val, batch_size=3)) == 2
