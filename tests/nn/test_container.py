"""Tests for nnlite/nn/container.py: Sequential (indexing, slicing, editing, an OrderedDict
of named modules), ModuleList, ModuleDict, and ParameterList / ParameterDict against torch
(state_dict keys, repr). Tests that need torch skip cleanly without it."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn


def test_sequential_indexing_and_editing():
    a, b, c, d = nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2), nn.Tanh()
    s = nn.Sequential(a, b, c)
    assert len(s) == 3 and list(s) == [a, b, c] and s[-1] is c
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    assert list(sub._modules) == ["1", "2"]             # slices keep their names, as torch
    with pytest.raises(IndexError, match="out of range"):
        s[3]
    s[1] = d
    assert s[1] is d
    s.append(b)
    assert list(s) == [a, d, c, b]
    s.insert(0, c)
    assert list(s) == [c, a, d, c, b] and list(s._modules) == ["0", "1", "2", "3", "4"]
    s.insert(-1, d)
    assert list(s) == [c, a, d, c, d, b]
    del s[0]
    assert list(s) == [a, d, c, d, b] and list(s._modules) == ["0", "1", "2", "3", "4"]
    del s[1:3]
    assert list(s) == [a, d, b]
    assert s.pop(1) is d and list(s) == [a, b]
    s.extend([c])
    assert list(s) == [a, b, c]
    t = s + nn.Sequential(d)
    assert list(t) == [a, b, c, d] and len(s) == 3
    with pytest.raises(ValueError, match="Sequential"):
        s + [d]
    with pytest.raises(IndexError):
        s.insert(10, d)


def test_sequential_from_ordered_dict_and_forward():
    s = nn.Sequential(OrderedDict([("fc", nn.Linear(3, 2)), ("act", nn.Tanh())]))
    assert list(s.state_dict()) == ["fc.weight", "fc.bias"]
    assert s.fc is s[0]
    x = nl.randn(4, 3)
    np.testing.assert_allclose(s(x).array, np.tanh(F.linear(x, s.fc.weight, s.fc.bias).array),
                               rtol=1e-6)


def test_module_list():
    layers = [nn.Linear(2, 2) for _ in range(3)]
    ml = nn.ModuleList(layers[:2])
    assert len(ml) == 2 and ml[-1] is layers[1]
    ml.append(layers[2])
    assert list(ml) == layers and ml.index(layers[2]) == 2
    ml.insert(0, nn.ReLU())
    assert isinstance(ml[0], nn.ReLU) and list(ml._modules) == ["0", "1", "2", "3"]
    assert isinstance(ml[1:], nn.ModuleList) and list(ml[1:]) == layers
    del ml[0]
    assert list(ml) == layers and list(ml._modules) == ["0", "1", "2"]
    ml[0] = nn.Tanh()
    assert isinstance(ml[0], nn.Tanh)
    ml.extend([nn.ReLU()])
    ml += [nn.ReLU()]
    assert len(ml) == 5
    assert len(list(ml.parameters())) == 4
    with pytest.raises(ValueError, match="not in the ModuleList"):
        ml.index(nn.ReLU())
    with pytest.raises(TypeError, match="iterable"):
        ml.extend(nn.ReLU())
    with pytest.raises(IndexError):
        ml[7]
    with pytest.raises(NotImplementedError):
        ml(nl.ones(1))


def test_module_dict():
    md = nn.ModuleDict({"a": nn.Linear(1, 1), "b": nn.ReLU()})
    assert list(md.keys()) == ["a", "b"] and "a" in md and "z" not in md and len(md) == 2
    md.update([("c", nn.Tanh())])
    md.update(OrderedDict(d=nn.Linear(1, 1)))
    assert list(md) == ["a", "b", "c", "d"]
    assert [type(v).__name__ for v in md.values()] == ["Linear", "ReLU", "Tanh", "Linear"]
    assert [k for k, _ in md.items()] == ["a", "b", "c", "d"]
    assert isinstance(md.pop("b"), nn.ReLU) and "b" not in md
    assert list(md.state_dict()) == ["a.weight", "a.bias", "d.weight", "d.bias"]
    with pytest.raises(ValueError, match="length"):
        md.update([("x", nn.ReLU(), 3)])
    md.clear()
    assert len(md) == 0


def test_parameter_list_and_dict_match_torch(torch):
    def make(T):
        m = T.nn.Module()
        m.plist = T.nn.ParameterList([T.nn.Parameter(T.ones(2)), T.zeros(3)])
        m.pdict = T.nn.ParameterDict({"w": T.nn.Parameter(T.ones(2, 2))})
        m.pdict["b"] = T.zeros(2)
        m.plist.append(T.ones(1))
        return m

    m, tm = make(nl), make(torch)
    assert list(m.state_dict()) == list(tm.state_dict())
    assert all(isinstance(p, nn.Parameter) for p in m.plist)
    assert len(m.plist) == 3 and m.plist[-1].shape == (1,)
    assert list(m.pdict.keys()) == ["w", "b"] and "w" in m.pdict and len(m.pdict) == 2
    assert isinstance(m.pdict["b"], nn.Parameter)
    assert m.pdict.get("zz") is None
    assert m.pdict.pop("w").shape == (2, 2) and list(m.pdict) == ["b"]
    assert "Parameter containing: [float32 of size 2x2]" not in repr(m.pdict)
    assert "(b): Parameter containing: [float32 of size 2]" in repr(m)
    with pytest.raises(RuntimeError, match="should not be called"):
        m.plist()
