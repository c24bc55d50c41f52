"""nnlite/random.py: the global generator (manual_seed) and torch's Generator class, a
NumPy Generator that reseeds in place and goes wherever a generator= argument does."""
import copy
import pickle

import numpy as np
import pytest

import nnlite as nl
from nnlite.devices import DeviceError
from nnlite.utils.data import DataLoader, RandomSampler, TensorDataset, random_split


def test_generator_api_like_torch(torch):
    ours, theirs = nl.Generator(), torch.Generator()
    assert ours.initial_seed() == theirs.initial_seed() == 67280421310721
    assert ours.manual_seed(42) is ours and theirs.manual_seed(42) is theirs
    assert ours.initial_seed() == theirs.initial_seed() == 42
    assert ours.manual_seed(-1).initial_seed() == theirs.manual_seed(-1).initial_seed()
    assert str(ours.device) == str(theirs.device) == "cpu"
    for g, uint8 in ((ours, nl.uint8), (theirs, torch.uint8)):
        assert g.get_state().dtype == uint8
        assert g.seed() == g.initial_seed()


def test_generator_is_a_numpy_generator_and_reseeds_in_place():
    g = nl.Generator()
    assert isinstance(g, np.random.Generator)
    fresh = nl.Generator().random(3)                    # a new one starts from a fixed seed
    np.testing.assert_array_equal(g.random(3), fresh)
    a = g.manual_seed(7).random(4)
    np.testing.assert_array_equal(g.manual_seed(7).random(4), a)
    np.testing.assert_array_equal(a, np.random.default_rng(7).random(4))


def test_state_round_trips():
    g = nl.Generator().manual_seed(3)
    g.standard_normal()                                  # leaves a buffered draw
    state = g.get_state()
    assert isinstance(state, nl.Tensor) and state.shape == (40,)
    a = g.integers(0, 1000, 5)
    assert g.set_state(state) is g
    np.testing.assert_array_equal(g.integers(0, 1000, 5), a)
    with pytest.raises(RuntimeError, match="40 bytes"):
        g.set_state(nl.zeros(3))


def test_copies_and_pickles_keep_the_class_and_stream():
    g = nl.Generator().manual_seed(5)
    for h in (copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        assert type(h) is nl.Generator and h.initial_seed() == 5
        np.testing.assert_array_equal(h.random(3), copy.deepcopy(g).random(3))


def test_refuses_a_gpu_and_a_bad_seed():
    with pytest.raises(DeviceError, match="CPU only"):
        nl.Generator(device="cuda")
    assert nl.Generator(device=nl.device("cpu")).device == nl.device("cpu")
    with pytest.raises(TypeError):
        nl.Generator().manual_seed(1.5)


def test_generator_arguments_take_it():
    ds = TensorDataset(nl.arange(20))
    split = lambda: [list(map(int, s.indices))
                     for s in random_split(ds, [0.75, 0.25],
                                           generator=nl.Generator().manual_seed(42))]
    assert split() == split()
    order = lambda: [int(b[0][0]) for b in DataLoader(
        ds, batch_size=1, shuffle=True, generator=nl.Generator().manual_seed(1))]
    assert order() == order() and sorted(order()) == list(range(20))
    assert list(RandomSampler(range(5), generator=nl.Generator().manual_seed(0))) == \
        list(RandomSampler(range(5), generator=nl.Generator().manual_seed(0)))
    np.testing.assert_array_equal(nl.randn(3, generator=nl.Generator().manual_seed(0)).numpy(),
                                  nl.randn(3, generator=nl.Generator().manual_seed(0)).numpy())
    assert nl.randperm(6, generator=nl.Generator()).tolist() == \
        nl.randperm(6, generator=nl.Generator()).tolist()
