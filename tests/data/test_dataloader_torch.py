"""Tests of nnlite/data/dataloader.py against torch's DataLoader: the same keywords and
defaults, the same accepted and refused combinations (worker processes themselves are tested
in test_loader_iter.py), lazy epochs over huge samplers, IterableDataset lengths, and the
attributes torch freezes."""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import (DataLoader, Dataset, IterableDataset, RandomSampler, Sampler,
                         TensorDataset, WeightedRandomSampler)


def _data(n=10):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


def _labels(loader):
    return np.concatenate([yb.numpy() for _, yb in loader]).tolist()


# ---- the signature -------------------------------------------------------------------------
def test_every_torch_keyword_in_torch_order_with_torch_defaults(torch):
    ours = inspect.signature(DataLoader.__init__).parameters
    theirs = inspect.signature(torch.utils.data.DataLoader.__init__).parameters
    assert list(ours) == list(theirs)
    for name, p in theirs.items():
        assert ours[name].kind == p.kind, name
        assert ours[name].default == p.default, name


# ---- validation: refused exactly where torch refuses ------------------------------------------
CASES = [
    {}, {"shuffle": True}, {"shuffle": False, "sampler": [0, 1]},
    {"shuffle": True, "sampler": [0, 1]}, {"batch_sampler": [[0, 1]]},
    {"batch_sampler": [[0]], "batch_size": 2}, {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "drop_last": True}, {"batch_sampler": [[0]], "sampler": [0]},
    {"batch_size": None}, {"batch_size": None, "drop_last": True}, {"batch_size": 0},
    {"num_workers": -1}, {"num_workers": 2}, {"num_workers": 2, "prefetch_factor": 4},
    {"num_workers": 2, "prefetch_factor": -1}, {"prefetch_factor": 2},
    {"persistent_workers": True}, {"num_workers": 1, "persistent_workers": True},
    {"timeout": -1}, {"num_workers": 2, "timeout": 5.0},
    {"multiprocessing_context": "spawn"}, {"num_workers": 1, "multiprocessing_context": "spawn"},
    {"num_workers": 1, "multiprocessing_context": "no-such-method"},
    {"num_workers": 1, "multiprocessing_context": 3},
    {"pin_memory": True, "pin_memory_device": "cpu", "in_order": False},
]


@pytest.mark.parametrize("kwargs", CASES, ids=[str(c) for c in CASES])
def test_arguments_refused_where_torch_refuses_them(torch, kwargs):
    def outcome(loader_cls, dataset):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loader_cls(dataset, **kwargs)
        except (ValueError, TypeError) as e:
            return type(e)
        return None

    theirs = outcome(torch.utils.data.DataLoader, torch.utils.data.TensorDataset(
        torch.zeros(4, 2)))
    assert outcome(DataLoader, _data(4)) is theirs


@pytest.mark.parametrize("kwargs", [{"shuffle": True}, {"sampler": [0]},
                                    {"batch_sampler": [[0]]}])
def test_iterable_dataset_refuses_orders(torch, kwargs):
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(3))

    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(TorchStream(), **kwargs)
    with pytest.raises(ValueError, match="IterableDataset: expected unspecified"):
        DataLoader(Stream(), **kwargs)
    DataLoader(Stream(), shuffle=False)          # an explicit False is allowed, as torch


def test_attributes_torch_freezes_cannot_be_set():
    loader = DataLoader(_data(), batch_size=2)
    for name in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset"):
        with pytest.raises(ValueError, match=f"{name} attribute should not be set"):
            setattr(loader, name, None)
    loader.pin_memory = True                      # the others may be set, as in torch


def test_collate_fn_defaults_as_torch():
    assert DataLoader(_data(), batch_size=2).collate_fn is nl.data.default_collate
    assert DataLoader(_data(), batch_size=None).collate_fn is nl.data.default_convert


# ---- num_workers > 0 (construction only: the workers start at iter()) ------------------------
def test_worker_defaults_as_torch(torch):
    for kwargs in ({}, {"num_workers": 2}, {"num_workers": 2, "prefetch_factor": 5}):
        ours, theirs = DataLoader(_data(), **kwargs), torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(torch.zeros(4)), **kwargs)
        assert ours.prefetch_factor == theirs.prefetch_factor
        assert ours.persistent_workers is theirs.persistent_workers is False
        assert ours.timeout == theirs.timeout == 0


def test_too_many_workers_warn_as_torch(torch, monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    with pytest.warns(UserWarning) as ours:
        DataLoader(_data(), num_workers=3)
    with pytest.warns(UserWarning) as theirs:
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(4)),
                                    num_workers=3)
    assert str(ours[0].message) == str(theirs[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DataLoader(_data(), num_workers=2)


# ---- lazy epochs ---------------------------------------------------------------------------
def test_a_huge_sampler_is_drawn_lazily():
    ds = _data(10)
    sampler = RandomSampler(ds, replacement=True, num_samples=10 ** 15)
    loader = DataLoader(ds, batch_size=4, sampler=sampler)
    assert len(loader) == 25 * 10 ** 13
    it = iter(loader)
    xb, yb = next(it)
    assert yb.shape == (4,) and 0 <= yb.numpy().min() and yb.numpy().max() < 10
    weighted = WeightedRandomSampler([1.0, 2.0], num_samples=10 ** 15)
    assert next(iter(DataLoader(ds, batch_size=8, sampler=weighted)))[1].shape == (8,)


def test_a_custom_sampler_without_len_feeds_a_loader():
    class Evens(Sampler[int]):
        def __iter__(self):
            return iter(range(0, 10, 2))

    loader = DataLoader(_data(), batch_size=2, sampler=Evens())
    assert _labels(loader) == [0, 2, 4, 6, 8]
    with pytest.raises(TypeError):
        len(loader)


# ---- IterableDataset lengths -------------------------------------------------------------------
class Sized(IterableDataset):
    def __init__(self, n, claimed):
        self.n, self.claimed = n, claimed

    def __iter__(self):
        return iter(np.arange(self.n, dtype=np.float32))

    def __len__(self):
        return self.claimed


def test_len_of_an_iterable_dataset_loader(torch):
    for n, b, drop in [(7, 3, False), (7, 3, True), (6, 3, False), (7, None, False)]:
        ours = DataLoader(Sized(n, n), batch_size=b, drop_last=drop)
        theirs = torch.utils.data.DataLoader(list(range(n)), batch_size=b, drop_last=drop)
        assert len(ours) == len(theirs) == len(list(ours))


def test_more_samples_than_reported_warn_as_torch():
    loader = DataLoader(Sized(5, 2), batch_size=None)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(loader)


def test_generic_aliases_as_torch():
    assert DataLoader[int] is not None and Dataset[int] is not None
    assert Sampler[int] is not None and IterableDataset[int] is not None
