"""DistributedSampler (nnlite/data/distributed.py): torch's indices and order, shuffled
or not, for every rank, seed and epoch, with and without drop_last; the permutation is
torch's randperm reproduced without torch."""
import numpy as np
import pytest

from nnlite.data.distributed import _torch_randperm
from nnlite.utils.data import DataLoader, DistributedSampler


@pytest.mark.parametrize("n", [1, 2, 7, 10, 101, 60_000])
def test_randperm_is_torchs(torch, n):
    for seed in (0, 1, 12345, 2 ** 32 + 5):
        g = torch.Generator()
        g.manual_seed(seed)
        np.testing.assert_array_equal(_torch_randperm(n, seed),
                                      torch.randperm(n, generator=g).numpy())


@pytest.mark.parametrize("n,replicas", [(10, 2), (11, 3), (2, 4), (1000, 3), (9, 1)])
def test_indices_are_torchs(torch, n, replicas):
    for shuffle in (True, False):
        for drop_last in (False, True):
            for rank in range(replicas):
                kw = dict(num_replicas=replicas, rank=rank, shuffle=shuffle, seed=7,
                          drop_last=drop_last)
                ours, theirs = (DistributedSampler(range(n), **kw),
                                torch.utils.data.DistributedSampler(range(n), **kw))
                for epoch in (0, 3):
                    ours.set_epoch(epoch)
                    theirs.set_epoch(epoch)
                    assert list(ours) == list(theirs), (shuffle, drop_last, rank, epoch)
                    assert len(ours) == len(theirs)


def test_shards_cover_the_data_and_change_with_the_epoch():
    shards = [DistributedSampler(range(10), num_replicas=3, rank=r) for r in range(3)]
    first = [list(s) for s in shards]
    assert all(len(s) == 4 for s in first) and set(sum(first, [])) == set(range(10))
    for s in shards:
        s.set_epoch(1)
    assert [list(s) for s in shards] != first
    loader = DataLoader(list(range(10)), batch_size=2, sampler=shards[0])
    assert sum((b.tolist() for b in loader), []) == list(shards[0])


def test_arguments():
    with pytest.raises(ValueError, match="not been initialized.*num_replicas and rank"):
        DistributedSampler(range(4))
    with pytest.raises(ValueError, match="Invalid rank 2"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="num_replicas should be a positive integer"):
        DistributedSampler(range(4), num_replicas=0, rank=0)
