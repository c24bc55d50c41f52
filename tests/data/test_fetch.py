"""Tests of nnlite/data/fetch.py: the batches a fetcher makes, for map-style datasets (the
vectorised path and the per-sample path agree) and iterable-style ones (the short last batch,
drop_last, the end of the stream), as torch's fetchers make them."""
import numpy as np
import pytest

from nnlite.data import IterableDataset, TensorDataset, default_collate, default_convert
from nnlite.data.fetch import IterableFetcher, MapFetcher, make_fetcher


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def test_map_fetcher_vectorised_and_per_sample_agree():
    ds = TensorDataset(np.arange(12, dtype=np.float32).reshape(6, 2), np.arange(6))
    idx = np.array([4, 0, 5])
    fast = MapFetcher(ds, True, default_collate, vectorised=True).fetch(idx)
    slow = MapFetcher(ds, True, lambda s: default_collate(s), vectorised=False).fetch(idx)
    for a, b in zip(fast, slow):
        assert np.array_equal(a.numpy(), b.numpy()) and a.dtype == b.dtype
    one = MapFetcher(ds, False, default_convert, vectorised=False).fetch(5)
    assert one[1].item() == 5


@pytest.mark.parametrize("n,batch_size,drop_last,expected", [
    (7, 3, False, [[0, 1, 2], [3, 4, 5], [6]]), (7, 3, True, [[0, 1, 2], [3, 4, 5]]),
    (6, 3, False, [[0, 1, 2], [3, 4, 5]]), (0, 3, False, [])])
def test_iterable_fetcher_batches(n, batch_size, drop_last, expected):
    fetcher = make_fetcher(True, Stream(n), True, default_collate, False, drop_last,
                           batch_size)
    assert isinstance(fetcher, IterableFetcher)
    got = []
    while True:
        try:
            got.append(fetcher.fetch().numpy().tolist())
        except StopIteration:
            break
    assert got == expected
    with pytest.raises(StopIteration):         # and it stays ended
        fetcher.fetch()


def test_iterable_fetcher_without_batching_and_iter_called_at_the_first_fetch():
    class Counting(Stream):
        calls = 0

        def __iter__(self):
            Counting.calls += 1
            return super().__iter__()

    fetcher = IterableFetcher(Counting(2), False, default_convert, False, None)
    assert Counting.calls == 0
    assert [fetcher.fetch(), fetcher.fetch()] == [0, 1] and Counting.calls == 1
    with pytest.raises(StopIteration):
        fetcher.fetch()
