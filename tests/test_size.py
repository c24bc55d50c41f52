"""Tests of nnlite/size.py: ``nl.Size`` against ``torch.Size``."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import nnlite as nl


def test_size_is_a_tuple_with_torch_repr(torch) -> None:
    s = nl.Size([2, 3])
    assert isinstance(s, tuple) and s == (2, 3) and hash(s) == hash((2, 3))
    assert repr(s) == "nnlite.Size([2, 3])" == str(s)
    assert repr(torch.Size([2, 3])) == "torch.Size([2, 3])"
    assert repr(nl.Size()) == "nnlite.Size([])" and repr(nl.Size([5])) == "nnlite.Size([5])"


def test_size_operations_keep_the_type_as_torch(torch) -> None:
    s, t = nl.Size([2, 3, 4]), torch.Size([2, 3, 4])
    for f in (lambda x: x[1:], lambda x: x + (5,), lambda x: (1,) + x, lambda x: x * 2,
              lambda x: 2 * x, lambda x: x[::-1]):
        ours, theirs = f(s), f(t)
        assert type(ours) is nl.Size and type(theirs) is torch.Size
        assert tuple(ours) == tuple(theirs)
    assert type(s[0]) is int and s[-1] == 4


def test_numel(torch) -> None:
    for sizes in ([], [0], [2, 3], [4, 1, 5]):
        assert nl.Size(sizes).numel() == torch.Size(sizes).numel()


def test_items_must_be_ints(torch) -> None:
    assert nl.Size([np.int64(2), nl.tensor(3)]) == (2, 3)
    with pytest.raises(TypeError, match=r"iterable of 'int' \(item 0 is 'float'\)"):
        nl.Size([2.5])
    with pytest.raises(TypeError):
        nl.Size(3)


def test_pickle_round_trip() -> None:
    s = nl.Size([2, 3])
    t = pickle.loads(pickle.dumps(s))
    assert type(t) is nl.Size and t == s
