"""Tests of nnlite/data/dataset.py: TensorDataset, Subset, ConcatDataset (including its
batched __getitems__ across parts), StackDataset, ChainDataset, random_split (integer and
fractional lengths, as torch) and kfold_split."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import (ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset,
                         StackDataset, Subset, TensorDataset, kfold_split, random_split)


class Squares(Dataset):
    """A per-sample-only dataset: no __getitems__."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return np.float32(i * i), i


def test_tensor_dataset_items_and_batches():
    x = nl.tensor(np.arange(12.0).reshape(6, 2))
    y = np.arange(6)
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    xi, yi = ds[4]
    assert isinstance(xi, nl.Tensor) and xi.array.tolist() == [8.0, 9.0] and int(yi.array) == 4
    xb, yb = ds.__getitems__([5, 0, 5])
    assert xb.tolist() == [[10, 11], [0, 1], [10, 11]] and yb.tolist() == [5, 0, 5]
    with pytest.raises(IndexError, match="index 6 is out of range for a dataset of size 6"):
        ds.__getitems__([1, 6])


def test_tensor_dataset_validates_sizes():
    with pytest.raises(ValueError, match=r"size mismatch.*\[3, 4\]"):
        TensorDataset(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(np.float32(1))


def test_subset_and_its_batch_path():
    ds = TensorDataset(np.arange(10) * 10)
    sub = Subset(ds, [7, 2, 9])
    assert len(sub) == 3 and int(sub[0][0].array) == 70
    assert sub.__getitems__([2, 0])[0].tolist() == [90, 70]
    plain = Subset(Squares(5), [4, 1])
    assert plain.__getitems__([0, 1]) == [(16.0, 4), (1.0, 1)]   # torch's list of samples


def test_concat_dataset_indexing_and_batch_order():
    a, b = TensorDataset(np.arange(3)), TensorDataset(np.arange(100, 104))
    cat = a + b
    assert isinstance(cat, ConcatDataset) and len(cat) == 7
    assert cat.cumulative_sizes == [3, 7]
    assert int(cat[3][0].array) == 100 and int(cat[-1][0].array) == 103
    with pytest.raises(IndexError):
        cat[7]
    idx = [6, 0, 4, 2, 3, -7]
    assert cat.__getitems__(idx)[0].tolist() == [103, 0, 101, 2, 100, 0]
    mixed = ConcatDataset([a, Squares(2)])
    out = mixed.__getitems__([3, 0])
    assert isinstance(out, list) and out[0] == (0.0, 0)


def test_random_split_lengths_and_disjointness():
    ds = TensorDataset(np.arange(10))
    parts = random_split(ds, [3, 7], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [3, 7]
    joined = np.concatenate([p.indices for p in parts])
    assert sorted(joined.tolist()) == list(range(10))
    again = random_split(ds, [3, 7], generator=np.random.default_rng(0))
    assert parts[0].indices.tolist() == again[0].indices.tolist()


def test_random_split_fractions_as_torch():
    ds = TensorDataset(np.arange(11))
    # floor(11 * f) = 3, 3, 4, then the 1 left over goes round-robin to the first split
    assert [len(p) for p in random_split(ds, [0.3, 0.3, 0.4])] == [4, 3, 4]
    assert [len(p) for p in random_split(ds, [0.5, 0.5])] == [6, 5]
    with pytest.warns(UserWarning, match="length of split at index 1 is 0"):
        random_split(TensorDataset(np.arange(2)), [0.99, 0.01])
    with pytest.raises(ValueError, match=r"sum of input lengths \(9\)"):
        random_split(ds, [4, 5])


@pytest.mark.parametrize("fractions", [[0.3, 0.3, 0.4], [0.5, 0.5], [0.1] * 10, [0.25, 0.75]])
@pytest.mark.parametrize("n", [7, 11, 100])
def test_random_split_fraction_sizes_equal_torch(torch, fractions, n):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = [len(p) for p in random_split(TensorDataset(np.arange(n)), fractions)]
        theirs = [len(p) for p in torch.utils.data.random_split(range(n), fractions)]
    assert ours == theirs


def test_random_split_uses_the_global_seed():
    ds = TensorDataset(np.arange(20))
    nl.manual_seed(1)
    a = random_split(ds, [10, 10])[0].indices
    nl.manual_seed(1)
    b = random_split(ds, [10, 10])[0].indices
    assert a.tolist() == b.tolist()


def test_kfold_split():
    folds = kfold_split(TensorDataset(np.arange(23)), k=5, generator=np.random.default_rng(1))
    tests = [f[1].indices for f in folds]
    assert sorted(np.concatenate(tests).tolist()) == list(range(23))
    assert sorted(len(t) for t in tests) == [4, 4, 5, 5, 5]
    for train, test in folds:
        assert len(train) + len(test) == 23 and not set(train.indices) & set(test.indices)
    with pytest.raises(ValueError, match="k must be"):
        kfold_split(TensorDataset(np.arange(3)), k=1)


# ---- StackDataset and ChainDataset -----------------------------------------------------------
def test_stack_dataset_tuples_dicts_and_batches():
    x = TensorDataset(np.arange(8.0).reshape(4, 2))
    y = TensorDataset(np.arange(4))
    pair = StackDataset(x, y)
    assert len(pair) == 4 and pair[1][0][0].numpy().tolist() == [2.0, 3.0]
    named = StackDataset(image=x, label=y)
    assert set(named[0]) == {"image", "label"}
    batch = next(iter(DataLoader(named, batch_size=3)))       # one __getitems__ per part
    assert batch["image"][0].shape == (3, 2) and batch["label"][0].numpy().tolist() == [0, 1, 2]
    mixed = next(iter(DataLoader(StackDataset(x, Squares(4)), batch_size=2)))
    assert mixed[1][1].numpy().tolist() == [0, 1]               # per-sample part: collated
    with pytest.raises(ValueError, match="size mismatch"):
        StackDataset(x, Squares(3))
    with pytest.raises(ValueError, match="both"):
        StackDataset(x, label=y)


class Count(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_chain_dataset_and_iterable_addition():
    chain = Count(2) + Count(3)
    assert isinstance(chain, ChainDataset) and list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    with pytest.raises(TypeError, match="only supports IterableDataset"):
        list(ChainDataset([Count(1), Squares(2)]))
