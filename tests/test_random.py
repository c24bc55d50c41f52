"""nnlite/random.py's Generator as torch's where programs see it: a fixed default seed,
manual_seed returning the generator (negative seeds wrap), copies keep the class, one
error for a GPU; test_inplace.py tests it as the generator= argument of factories,
samplers and random_split."""
import copy
import pickle

import numpy as np
import pytest

import nnlite as nl
from nnlite.devices import DeviceError
from nnlite.utils.data import DataLoader, TensorDataset, random_split


def test_generator_seeds_like_torch(torch):
    ours, theirs = nl.Generator(), torch.Generator()
    assert ours.initial_seed() == theirs.initial_seed() == 67280421310721
    assert ours.manual_seed(42) is ours and theirs.manual_seed(42) is theirs
    assert ours.initial_seed() == theirs.initial_seed() == 42
    assert ours.manual_seed(-1).initial_seed() == theirs.manual_seed(-1).initial_seed()
    assert ours.seed() == ours.initial_seed() and theirs.seed() == theirs.initial_seed()
    assert str(ours.device) == str(theirs.device) == "cpu"


def test_a_new_generator_repeats_until_seeded():
    np.testing.assert_array_equal(nl.Generator().random(3), nl.Generator().random(3))
    ds = TensorDataset(nl.arange(20))
    split = lambda g: [list(map(int, s.indices)) for s in random_split(ds, [0.75, 0.25], generator=g)]
    assert split(nl.Generator()) == split(nl.Generator())
    order = lambda: [int(b[0][0]) for b in DataLoader(ds, batch_size=1, shuffle=True,
                                                       generator=nl.Generator())]
    assert order() == order() and sorted(order()) == list(range(20))


def test_copies_and_pickles_keep_the_class_and_stream():
    g = nl.Generator().manual_seed(5)
    g.random()
    for h in (copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        assert type(h) is nl.Generator and h.initial_seed() == 5
        np.testing.assert_array_equal(h.random(3), copy.deepcopy(g).random(3))


def test_refuses_a_gpu_and_a_bad_seed():
    with pytest.raises(DeviceError, match="CPU only"):
        nl.Generator(device="cuda")
    assert nl.Generator(device=nl.device("cpu")).device == nl.device("cpu")
    with pytest.raises(TypeError):
        nl.Generator().manual_seed(1.5)


def test_rng_state_round_trips_as_a_byte_tensor(tmp_path):
    nl.manual_seed(7)
    assert nl.initial_seed() == 7
    state = nl.get_rng_state()
    assert state.dtype == nl.uint8 and state.ndim == 1
    a = nl.rand(4)
    nl.save({"rng": state}, tmp_path / "rng.pt")           # a state survives a checkpoint
    nl.set_rng_state(nl.load(tmp_path / "rng.pt")["rng"])
    assert (nl.rand(4) == a).all()
    g = nl.Generator().manual_seed(3)
    gs = g.get_state()
    b = nl.randn(3, generator=g)
    assert (nl.randn(3, generator=g.set_state(gs)) == b).all()
    with pytest.raises(TypeError, match="uint8"):
        nl.set_rng_state(nl.zeros(3))
    with pytest.raises(RuntimeError, match="not a generator state"):
        g.set_state(nl.zeros(3, dtype=nl.uint8))
