"""Tests of nnlite/data/dataloader.py: batching (sizes, drop_last, the last partial batch),
shuffling (seeded by nl.manual_seed or a generator, a new order each epoch), dtypes, default
collation of tuples/dicts/namedtuples/strings, the vectorised __getitems__ path (no
per-sample __getitem__ calls), custom collate_fn, samplers, IterableDataset, and errors.
The torch keywords (workers, validation against torch itself) are in test_dataloader_torch.py."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import (BatchSampler, DataLoader, Dataset, IterableDataset,
                         SequentialSampler, SubsetRandomSampler, TensorDataset,
                         default_collate)


class CountingTensorDataset(TensorDataset):
    """Counts per-sample and per-batch fetches."""

    def __init__(self, *tensors):
        super().__init__(*tensors)
        self.item_calls = self.batch_calls = 0

    def __getitem__(self, index):
        self.item_calls += 1
        return super().__getitem__(index)

    def __getitems__(self, indices):
        self.batch_calls += 1
        return super().__getitems__(indices)


class Records(Dataset):
    """Per-sample only: dict samples with nested tuples, strings and Python numbers."""

    def __init__(self, n=5):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": np.full((2, 3), i, np.float32), "pair": (i, float(i) / 2),
                "name": f"s{i}", "flag": i % 2 == 0}


def _labels(loader):
    return np.concatenate([yb.array for _, yb in loader]).tolist()


def make(n=10):
    return CountingTensorDataset(np.arange(n * 2, dtype=np.float32).reshape(n, 2),
                                 np.arange(n))


# ---- batching ----------------------------------------------------------------------------
def test_sequential_batches_and_last_partial_batch():
    loader = DataLoader(make(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [len(yb.array) for _, yb in batches] == [4, 4, 2]
    assert batches[-1][1].array.tolist() == [8, 9]
    assert batches[0][0].shape == (4, 2)


def test_drop_last():
    loader = DataLoader(make(10), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(yb.array) for _, yb in loader] == [4, 4]
    assert len(DataLoader(make(8), batch_size=4, drop_last=True)) == 2


def test_batch_dtypes():
    ds = TensorDataset(np.zeros((4, 2), np.float64), np.zeros((4, 2), np.float16),
                       np.zeros(4, np.uint8), np.zeros(4, np.int32), np.zeros(4, bool))
    a, b, c, d, e = next(iter(DataLoader(ds, batch_size=4)))
    assert [t.array.dtype for t in (a, b, c, d, e)] == [np.float64, np.float32, np.int64,
                                                       np.int64, np.bool_]


# ---- shuffling -----------------------------------------------------------------------
def test_shuffle_is_seeded_by_manual_seed():
    loader = DataLoader(make(50), batch_size=7, shuffle=True)
    nl.manual_seed(123)
    first = _labels(loader)
    nl.manual_seed(123)
    assert _labels(loader) == first
    assert sorted(first) == list(range(50)) and first != list(range(50))


def test_shuffle_with_a_generator_and_new_order_each_epoch():
    a = DataLoader(make(50), batch_size=8, shuffle=True, generator=np.random.default_rng(7))
    b = DataLoader(make(50), batch_size=8, shuffle=True, generator=np.random.default_rng(7))
    epochs_a = [_labels(a) for _ in range(3)]
    nl.manual_seed(999)                          # the global seed does not matter here
    epochs_b = [_labels(b) for _ in range(3)]
    assert epochs_a == epochs_b
    assert epochs_a[0] != epochs_a[1] != epochs_a[2]


def test_order_is_drawn_when_the_iterator_is_created():
    loader = DataLoader(make(20), batch_size=5, shuffle=True)
    nl.manual_seed(1)
    it = iter(loader)
    nl.manual_seed(2)                            # does not change the epoch already begun
    got = np.concatenate([yb.array for _, yb in it]).tolist()
    nl.manual_seed(1)
    assert got == _labels(loader)


# ---- the vectorised path -------------------------------------------------------------------
def test_tensor_dataset_uses_one_getitems_call_per_batch_and_no_getitem():
    ds = make(100)
    loader = DataLoader(ds, batch_size=32, shuffle=True)
    assert sorted(_labels(loader)) == list(range(100))
    assert ds.item_calls == 0 and ds.batch_calls == 4


def test_custom_collate_gets_the_list_of_samples():
    ds = make(6)
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return [int(y.array) for _, y in samples]

    out = list(DataLoader(ds, batch_size=4, collate_fn=collate))
    assert out == [[0, 1, 2, 3], [4, 5]] and seen == [4, 2]
    assert ds.item_calls == 6 and ds.batch_calls == 0


# ---- per-sample datasets and default_collate -------------------------------------------
def test_per_sample_dataset_collates_dicts_tuples_strings():
    batch = next(iter(DataLoader(Records(), batch_size=3)))
    assert set(batch) == {"x", "pair", "name", "flag"}
    assert batch["x"].shape == (3, 2, 3) and batch["x"].array.dtype == np.float32
    ints, halves = batch["pair"]
    assert isinstance(batch["pair"], tuple)
    assert ints.array.dtype == np.int64 and ints.array.tolist() == [0, 1, 2]
    assert halves.array.dtype == np.float32 and halves.array.tolist() == [0.0, 0.5, 1.0]
    assert batch["name"] == ["s0", "s1", "s2"]
    assert batch["flag"].array.tolist() == [True, False, True]


def test_default_collate_namedtuple_numpy_scalars_and_errors():
    Point = collections.namedtuple("Point", "x y")
    out = default_collate([Point(1, np.float64(2.0)), Point(3, np.float64(4.0))])
    assert isinstance(out, Point) and out.y.data.dtype == np.float64
    with pytest.raises(RuntimeError, match=r"different shapes \(2,\) and \(3,\)"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object()])


def test_getitems_returning_a_list_of_samples_is_collated():
    from nnlite.data import Subset
    batch = next(iter(DataLoader(Subset(Records(), [4, 2]), batch_size=2)))
    assert batch["name"] == ["s4", "s2"] and batch["x"].shape == (2, 2, 3)


def test_batch_size_none_yields_converted_samples():
    out = list(DataLoader(make(3), batch_size=None))
    assert len(out) == 3 and out[2][0].shape == (2,) and int(out[2][1].array) == 2


# ---- samplers ------------------------------------------------------------------------------
def test_sampler_and_batch_sampler_options():
    ds = make(10)
    loader = DataLoader(ds, batch_size=2, sampler=SubsetRandomSampler([1, 3, 5],
                                                                      np.random.default_rng(0)))
    assert sorted(_labels(loader)) == [1, 3, 5] and len(loader) == 2
    custom = [[9, 0], [4]]
    assert [yb.array.tolist() for _, yb in DataLoader(ds, batch_sampler=custom)] == custom
    bs = BatchSampler(SequentialSampler(ds), 4, drop_last=True)
    assert len(DataLoader(ds, batch_sampler=bs)) == 2


def test_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(np.arange(7, dtype=np.float32))

    batches = list(DataLoader(Stream(), batch_size=3))
    assert [b.array.tolist() for b in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(list(DataLoader(Stream(), batch_size=3, drop_last=True))) == 2
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(), shuffle=True)


# ---- errors --------------------------------------------------------------------------------
def test_worker_options_are_checked_as_torch():
    with pytest.raises(ValueError, match="non-negative"):
        DataLoader(make(), num_workers=-1)
    with pytest.raises(ValueError, match="persistent_workers"):
        DataLoader(make(), persistent_workers=True)
    with pytest.raises(ValueError, match="prefetch_factor"):
        DataLoader(make(), prefetch_factor=2)
    with pytest.raises(ValueError, match="timeout"):
        DataLoader(make(), timeout=-1)
    with pytest.raises(ValueError, match="multiprocessing_context can only be used"):
        DataLoader(make(), multiprocessing_context="spawn")


@pytest.mark.parametrize("kwargs,match", [
    ({"shuffle": True, "sampler": [0, 1]}, "mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
    ({"batch_size": 0}, "batch_size should be a positive integer"),
    ({"batch_size": None, "drop_last": True}, "batch_size=None"),
    ({"drop_last": "yes"}, "drop_last should be a boolean")])
def test_option_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(make(), **kwargs)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        DataLoader(make(), shuffle=True, generator=0)
