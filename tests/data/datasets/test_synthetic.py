"""Tests of nnlite/data/datasets/synthetic.py: the copy / reverse / sort / addition tasks'
token layout (<bos>/<eos>/<pad>), correctness of the answers against a per-row Python oracle,
seeding, and batching."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import DataLoader
from nnlite.data.datasets import AdditionTask, CopyTask, ReverseTask, SortTask

PAD, BOS, EOS = 0, 1, 2
ORACLES = {CopyTask: lambda s: s, ReverseTask: lambda s: s[::-1], SortTask: sorted}


def _unpack(src_row, tgt_row):
    n = list(src_row).index(EOS)
    symbols = list(src_row[:n])
    assert all(v == PAD for v in src_row[n + 1:])
    assert tgt_row[0] == BOS and tgt_row[n + 1] == EOS
    assert all(v == PAD for v in tgt_row[n + 2:])
    return symbols, list(tgt_row[1:n + 1])


@pytest.mark.parametrize("cls", list(ORACLES))
@pytest.mark.parametrize("min_len", [None, 1])
def test_answers_match_the_oracle(cls, min_len):
    ds = cls(num_samples=200, seq_len=7, vocab_size=5, min_len=min_len, seed=3)
    assert ds.data.shape == (200, 8) and ds.targets.shape == (200, 9)
    assert ds.num_tokens == 8
    lengths = set()
    for src, tgt in zip(ds.data, ds.targets):
        symbols, answer = _unpack(src, tgt)
        assert all(3 <= s < 8 for s in symbols)
        assert answer == list(ORACLES[cls](symbols))
        lengths.add(len(symbols))
    assert lengths == ({7} if min_len is None else set(range(1, 8)))


def test_seeding():
    a, b = CopyTask(50, seed=1), CopyTask(50, seed=1)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, CopyTask(50, seed=2).data)
    nl.manual_seed(4)
    c = ReverseTask(50)
    nl.manual_seed(4)
    np.testing.assert_array_equal(c.data, ReverseTask(50).data)


@pytest.mark.parametrize("reverse", [False, True])
def test_addition(reverse):
    ds = AdditionTask(100, num_digits=3, reverse_target=reverse, seed=0)
    assert ds.data.shape == (100, 8) and ds.targets.shape == (100, 6)
    for (a, b), src, tgt in zip(ds.operands, ds.data, ds.targets):
        assert ds.decode(src) == f"{a:03d}+{b:03d}"
        answer = f"{a + b:04d}"
        assert ds.decode(tgt) == (answer[::-1] if reverse else answer)


def test_batches_and_decode():
    ds = SortTask(64, seq_len=5, vocab_size=4, seed=0)
    src, tgt = next(iter(DataLoader(ds, batch_size=16, shuffle=True)))
    assert src.shape == (16, 6) and tgt.shape == (16, 7) and src.array.dtype == np.int64
    assert ds.decode(ds.targets[0]) == " ".join(sorted(ds.decode(ds.data[0]).split()))
    with pytest.raises(ValueError, match="min_len"):
        CopyTask(10, seq_len=3, min_len=5)
