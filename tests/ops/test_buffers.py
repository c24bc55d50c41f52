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


def address(a):
    return a.__array_interface__["data"][0]


def test_an_array_comes_back_only_when_nothing_holds_it():
    a = buffers.empty(BIG, F32)
    b = buffers.empty(BIG, F32)
    assert not np.shares_memory(a, b)              # a is in use
    first = address(a)
    del a
    assert address(buffers.empty(BIG, F32)) == first   # free again: reused
    c = buffers.empty(BIG, F32)
    view = c[1:]
    cid = address(c)
    del c
    assert address(buffers.empty(BIG, F32)) != cid     # a view keeps it in use
    del view


def test_arrays_of_one_size_class_share_a_block_in_the_shape_asked_for():
    a = buffers.empty((4, 64, 256), F32)           # 256 KiB
    first = address(a)
    del a
    b = buffers.empty((250, 260), F32)              # 254 KiB: the same class
    assert b.shape == (250, 260) and b.flags.c_contiguous and address(b) == first
    c = buffers.empty((4, 64, 256), F32)           # b holds the block: a new one
    assert address(c) != first
    for n in (1 << 17, (1 << 17) + 1, 300_001, 2_867_200, 10 ** 9):
        size = buffers._size_class(n)
        assert n <= size < n * 1.125 + 1


def test_a_tensor_holding_an_array_keeps_it_and_writes_restart_its_version():
    t = nl.relu(nl.ones(*BIG))
    arr = t.array
    with nl.no_grad():
        t.add_(1)
    assert t._version == 1
    del arr
    assert not np.shares_memory(buffers.empty(BIG, F32), t.array)  # held by the tensor
    aid = address(t.array)
    del t
    u = buffers.empty(BIG, F32)
    assert address(u) == aid
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
    other = buffers.empty((512, 128), np.float64)  # a new key: the free one is dropped
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
