"""ops/buffers.py: large arrays are reused once nothing holds them, never while a view
or a tensor does; the pool stays under its limit; its helpers compute what NumPy does."""
import numpy as np
import pytest

import nnlite as nl
from nnlite.ops import buffers

F32 = np.dtype(np.float32)
BIG = (256, 256)                                   # 256 KiB of float32: pooled


@pytest.fixture(autouse=True)
def clean_pool():
    buffers.empty_cache()
    yield
    buffers.empty_cache()


def test_an_array_comes_back_only_when_nothing_holds_it():
    a = buffers.empty(BIG, F32)
    b = buffers.empty(BIG, F32)
    assert a is not b                              # a is in use
    first = id(a)
    del a
    assert id(buffers.empty(BIG, F32)) == first    # free again: reused
    c = buffers.empty(BIG, F32)
    view = c[1:]
    cid = id(c)
    del c
    assert id(buffers.empty(BIG, F32)) != cid      # a view keeps it in use
    del view


def test_a_tensor_holding_an_array_keeps_it_and_writes_restart_its_version():
    t = nl.relu(nl.ones(*BIG))
    arr = t.array
    with nl.no_grad():
        t.add_(1)
    assert t._version == 1
    del arr
    assert buffers.empty(BIG, F32) is not t.array  # held by the tensor
    aid = id(t.array)
    del t
    u = buffers.empty(BIG, F32)
    assert id(u) == aid
    assert nl.Tensor(u)._version == 0


def test_small_arrays_are_not_pooled_and_the_limit_holds(monkeypatch):
    before = buffers.held_bytes()
    buffers.empty((10,), F32)
    assert buffers.held_bytes() == before
    monkeypatch.setattr(buffers, "LIMIT", 3 * 256 * 1024)
    keep = [buffers.empty(BIG, F32) for _ in range(3)]
    assert buffers.held_bytes() == 3 * 256 * 1024
    extra = buffers.empty(BIG, F32)                # no room, none free: not pooled
    assert buffers.held_bytes() == 3 * 256 * 1024
    del keep[0]
    other = buffers.empty((512, 128), np.float64)  # a new shape: the free one is dropped
    assert buffers.held_bytes() <= 3 * 256 * 1024
    assert other.shape == (512, 128) and extra.shape == BIG


def test_matmul_contiguous_zeros_full_match_numpy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 64, 300)).astype(np.float32)
    b = rng.standard_normal((300, 500)).astype(np.float32)
    np.testing.assert_allclose(buffers.matmul(a, b), a @ b, rtol=1e-5)
    t = rng.standard_normal((300, 400)).T
    c = buffers.contiguous(t)
    assert c.flags.c_contiguous and np.array_equal(c, t)
    x = np.ones(5)
    assert buffers.contiguous(x) is x
    assert not buffers.zeros(BIG, F32).any()
    assert (buffers.full(BIG, 2.5, F32) == 2.5).all()
    assert buffers.empty(7, np.bool_).shape == (7,)
