"""BucketBatchSampler, trim_padding and warmup_cosine (nnlite/utils/sequences.py)."""
import math

import numpy as np
import pytest

import nnlite as nl
from nnlite import nn, optim
from nnlite.data import DataLoader, TensorDataset
from nnlite.utils import BucketBatchSampler, FitState, trim_padding, warmup_cosine


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
    assert [b[0].data.tolist() for b in loader] == [[1, 2], [3, 4], [5]]


@pytest.mark.parametrize("kwargs", [{"lengths": []}, {"lengths": [1.5, 2.0]},
                                    {"batch_size": 0}, {"pool": 0}])
def test_bucket_sampler_rejects_bad_arguments(kwargs):
    args = {"lengths": [1, 2, 3], "batch_size": 2, **kwargs}
    with pytest.raises(ValueError, match="BucketBatchSampler"):
        BucketBatchSampler(**args)


def test_trim_padding_keeps_the_longest_row():
    ids = np.array([[5, 6, 0, 0, 0], [7, 0, 0, 0, 0]])
    assert trim_padding(ids).tolist() == [[5, 6], [7, 0]]
    assert trim_padding(nl.tensor(ids), pad_idx=9).shape == (2, 5)
    assert trim_padding(np.zeros((3, 4), np.int64)).shape == (3, 1)
    with pytest.raises(ValueError, match=r"\(B, L\)"):
        trim_padding(np.zeros(4, np.int64))


def _optimizer(lr=0.1):
    return optim.SGD(nn.Linear(2, 2).parameters(), lr=lr)


def test_warmup_cosine_warms_up_linearly_then_decays_to_the_final_fraction():
    opt = _optimizer()
    hook = warmup_cosine(opt, warmup_steps=4, final_fraction=0.1)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 / 4)      # the first step's rate
    state = FitState(epochs=2, steps_per_epoch=10)
    for step in range(1, 21):                   # after step s, the rate of step s + 1
        state.step = step
        hook(state)
        warm = min(1.0, (step + 1) / 4)
        cosine = 0.5 * (1 + math.cos(math.pi * step / 20))
        assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * warm * (0.1 + 0.9 * cosine))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)          # final_fraction * peak


def test_warmup_cosine_ends_with_the_time_budget():
    opt = _optimizer(1.0)
    hook = warmup_cosine(opt)
    hook(FitState(epochs=100, steps_per_epoch=100, step=10, train_time=30.0, time_budget=60.0))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5)            # half-way by time
    with pytest.raises(ValueError, match="warmup_cosine"):
        warmup_cosine(opt, warmup_steps=-1)
