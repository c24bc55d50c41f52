"""Tests of nnlite/data/sampler.py: sequential, random (with/without replacement, more
samples than items, seeded by nl.manual_seed or a generator, drawn at iter() time, lazily in
chunks), subset, weighted, batch, distributed (against torch) and bucket (similar lengths)
samplers."""
from __future__ import annotations

import math

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import (BatchSampler, BucketBatchSampler, DataLoader, DistributedSampler,
                         RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                         TensorDataset, WeightedRandomSampler)
from nnlite.data import sampler as sampler_module

DATA = range(10)


def test_sequential():
    assert list(SequentialSampler(DATA)) == list(range(10)) and len(SequentialSampler(DATA)) == 10


def test_random_is_a_permutation_and_seeded():
    nl.manual_seed(0)
    a = list(RandomSampler(DATA))
    nl.manual_seed(0)
    b = list(RandomSampler(DATA))
    assert a == b and sorted(a) == list(range(10)) and a != list(range(10))
    s = RandomSampler(DATA, generator=np.random.default_rng(5))
    first, second = list(s), list(s)
    assert first != second                                   # a new order every epoch
    assert first == list(RandomSampler(DATA, generator=np.random.default_rng(5)))


def test_random_draws_when_the_iterator_is_created():
    s = RandomSampler(DATA)
    nl.manual_seed(3)
    it = iter(s)
    nl.manual_seed(99)            # reseeding after iter() must not change this epoch
    nl.manual_seed(3)
    assert list(it) == list(s)


def test_random_num_samples_and_replacement():
    s = RandomSampler(range(4), num_samples=10, generator=np.random.default_rng(0))
    out = list(s)
    assert len(out) == 10 == len(s)
    assert sorted(out[:4]) == sorted(out[4:8]) == [0, 1, 2, 3]   # chained permutations
    r = list(RandomSampler(range(3), replacement=True, num_samples=50,
                           generator=np.random.default_rng(0)))
    assert len(r) == 50 and set(r) == {0, 1, 2}
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        RandomSampler(range(3), generator=42)


def test_huge_num_samples_are_drawn_a_chunk_at_a_time():
    # torch's program asked for num_samples giving a 74.5 GiB index array
    huge = 10 ** 13
    s = RandomSampler(range(7), replacement=True, num_samples=huge)
    chunks = s.index_chunks()
    first = next(chunks)
    assert len(first) == sampler_module.CHUNK and first.max() < 7 and len(s) == huge
    it = iter(s)
    assert [next(it) for _ in range(5)] != [] and len(BatchSampler(s, 3, False)) == -(-huge // 3)
    batch = next(iter(BatchSampler(s, 3, drop_last=False)))
    assert len(batch) == 3
    w = WeightedRandomSampler([1.0, 0.0, 3.0], num_samples=huge)
    assert set(next(w.index_chunks()).tolist()) == {0, 2}
    chained = RandomSampler(range(5), num_samples=huge)        # without replacement
    assert sorted(next(chained.index_chunks()).tolist()) == list(range(5))


@pytest.mark.parametrize("make", [
    lambda g: RandomSampler(range(50), replacement=True, num_samples=1000, generator=g),
    lambda g: RandomSampler(range(50), num_samples=333, generator=g),
    lambda g: WeightedRandomSampler(np.arange(1.0, 51.0), 1000, generator=g)])
def test_the_draws_do_not_depend_on_the_chunk_size(make, monkeypatch):
    whole = list(make(np.random.default_rng(3)))
    monkeypatch.setattr(sampler_module, "CHUNK", 7)
    assert list(make(np.random.default_rng(3))) == whole
    assert make(np.random.default_rng(3)).index_array().tolist() == whole


def test_an_epoch_begun_is_not_changed_by_other_draws_from_the_global_generator():
    s = RandomSampler(range(100), replacement=True, num_samples=20000)
    nl.manual_seed(4)
    expected = list(s)
    nl.manual_seed(4)
    it = iter(s)
    got = []
    for _ in range(20000):
        got.append(next(it))
        nl.randn(2)                              # e.g. dropout between batches
    assert got == expected


def test_batch_sampler_cuts_batches_across_chunks(monkeypatch):
    monkeypatch.setattr(sampler_module, "CHUNK", 4)
    b = BatchSampler(SequentialSampler(range(11)), 3, drop_last=False)
    assert list(b) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10]]
    assert [x.tolist() for x in b.iter_index_batches()] == list(b)
    assert list(BatchSampler(SequentialSampler(range(11)), 3, drop_last=True))[-1] == [6, 7, 8]


def test_sampler_is_a_generic_base_as_torch():
    class Odd(Sampler[int]):
        def __init__(self, data_source):
            super().__init__(data_source)        # older torch code passes it on
            self.n = len(data_source)

        def __iter__(self):
            return iter(range(1, self.n, 2))

    assert list(Odd(range(6))) == [1, 3, 5]
    assert Odd(range(6)).index_array().tolist() == [1, 3, 5]


@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (9, 3, False),
                                                  (2, 4, False), (11, 4, True)])
def test_distributed_sampler_shards_as_torch(torch, n, replicas, drop_last):
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = torch.utils.data.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                                     drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_distributed_sampler_shuffles_by_seed_and_epoch():
    shards = [DistributedSampler(range(10), 2, r, seed=7) for r in range(2)]
    first = [list(s) for s in shards]
    assert sorted(first[0] + first[1]) == list(range(10))
    assert [list(s) for s in shards] == first             # same epoch, same order
    for s in shards:
        s.set_epoch(1)
    assert [list(s) for s in shards] != first
    assert len(DistributedSampler(range(4), 1, 0)) == 4
    with pytest.raises(ValueError, match="Invalid rank 2"):
        DistributedSampler(range(4), num_replicas=2, rank=2)


def test_subset_random():
    s = SubsetRandomSampler([5, 7, 9], generator=np.random.default_rng(0))
    assert sorted(s) == [5, 7, 9] and len(s) == 3


def test_weighted():
    s = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=4000,
                              generator=np.random.default_rng(0))
    counts = np.bincount(list(s), minlength=3)
    assert counts[0] == 0 and abs(counts[2] / counts[1] - 3) < 0.4
    assert sorted(WeightedRandomSampler([1, 1, 1], 3, replacement=False)) == [0, 1, 2]
    with pytest.raises(ValueError, match="without replacement"):
        WeightedRandomSampler([1, 0], 2, replacement=False)
    with pytest.raises(ValueError, match="non-negative"):
        WeightedRandomSampler([-1, 2], 2)
    with pytest.raises(ValueError, match="1d sequence"):
        WeightedRandomSampler([[1, 2]], 2)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1, 2], True)


@pytest.mark.parametrize("drop_last,expected", [
    (False, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]),
    (True, [[0, 1, 2], [3, 4, 5], [6, 7, 8]])])
def test_batch_sampler(drop_last, expected):
    b = BatchSampler(SequentialSampler(DATA), 3, drop_last)
    assert list(b) == expected and len(b) == len(expected)
    assert [x.tolist() for x in b.index_batches()] == expected
    plain = BatchSampler([4, 3, 2, 1], 3, drop_last)           # any iterable of indices
    assert list(plain) == ([[4, 3, 2], [1]] if not drop_last else [[4, 3, 2]])


def test_batch_sampler_validation():
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(DATA, 0, False)
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(DATA, True, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        BatchSampler(DATA, 2, 0)


def _lengths(n=1000, seed=0):
    return np.random.default_rng(seed).integers(1, 60, size=n)


def test_bucket_sampler_visits_every_index_once_in_batches_of_similar_length():
    lengths = _lengths()
    sampler = BucketBatchSampler(lengths, batch_size=32, pool=10)
    batches = sampler.index_batches()
    assert len(batches) == len(sampler) == math.ceil(1000 / 32)
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    assert all(len(b) <= 32 for b in batches)
    # sorted inside a pool: a batch spans far fewer lengths than a random batch would
    spans = [lengths[b].max() - lengths[b].min() for b in batches if len(b) == 32]
    assert np.mean(spans) < 10
    assert (np.diff(lengths[batches[0]]) >= 0).all()


def test_bucket_sampler_is_seeded_by_nnlite_and_reshuffles_each_epoch():
    lengths = _lengths()
    nl.manual_seed(3)
    first = [b.tolist() for b in BucketBatchSampler(lengths, 16).index_batches()]
    nl.manual_seed(3)
    sampler = BucketBatchSampler(lengths, 16)
    assert [b.tolist() for b in sampler.index_batches()] == first
    assert [b.tolist() for b in sampler.index_batches()] != first
    own = BucketBatchSampler(lengths, 16, generator=np.random.default_rng(0)).index_batches()
    assert [b.tolist() for b in own] != first


def test_bucket_sampler_without_shuffle_sorts_by_length_and_feeds_a_dataloader():
    lengths = np.array([5, 1, 4, 2, 3])
    sampler = BucketBatchSampler(lengths, batch_size=2, shuffle=False)
    assert list(sampler) == [[1, 3], [4, 2], [0]]
    loader = DataLoader(TensorDataset(lengths), batch_sampler=sampler)
    assert [b[0].array.tolist() for b in loader] == [[1, 2], [3, 4], [5]]


@pytest.mark.parametrize("kwargs", [{"lengths": []}, {"lengths": [1.5, 2.0]},
                                    {"batch_size": 0}, {"pool": 0}])
def test_bucket_sampler_rejects_bad_arguments(kwargs):
    args = {"lengths": [1, 2, 3], "batch_size": 2, **kwargs}
    with pytest.raises(ValueError, match="BucketBatchSampler"):
        BucketBatchSampler(**args)
