"""Tests of nnlite/data/worker.py: get_worker_info is None outside a worker, the WorkerInfo
of a block inside it, read-only as torch's, and restored after the block; the seeds of a
worker (NumPy's legacy generator seeded as torch seeds it). The worker processes themselves
are tested in test_loader_iter.py."""
import random

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import WorkerInfo, get_worker_info
from nnlite.data.worker import as_worker, numpy_seed, seed_worker


def test_worker_info_inside_and_outside_a_worker():
    assert get_worker_info() is None
    info = WorkerInfo(id=0, num_workers=1, seed=5, dataset=None)
    with as_worker(info):
        assert get_worker_info() is info
        with as_worker(None):
            assert get_worker_info() is info
    assert get_worker_info() is None
    assert repr(info) == "WorkerInfo(id=0, num_workers=1, seed=5, dataset=None)"


def test_worker_info_is_read_only_and_restored_after_an_error():
    info = WorkerInfo(id=0, num_workers=1, seed=5, dataset=None)
    with pytest.raises(RuntimeError, match="Cannot assign attributes to WorkerInfo"):
        info.id = 3
    with pytest.raises(KeyError):
        with as_worker(info):
            raise KeyError("boom")
    assert get_worker_info() is None


# ---- the seeds of a worker process ----------------------------------------------------------
@pytest.mark.parametrize("base_seed,worker_id", [(0, 0), (123456789012345, 3),
                                                 (2 ** 63 - 1, 1)])
def test_numpy_seed_is_torchs(torch, base_seed, worker_id):
    from torch.utils.data._utils.worker import _generate_state
    assert numpy_seed(base_seed, worker_id).tolist() == _generate_state(base_seed, worker_id)


def test_seed_worker_seeds_every_generator():
    state = random.getstate()
    try:
        def draws():
            return (random.random(), np.random.random(), nl.rand(1).item())

        assert seed_worker(100, 2) == 102
        first = draws()
        seed_worker(100, 2)
        assert draws() == first
        seed_worker(100, 3)
        assert all(a != b for a, b in zip(draws(), first))
    finally:
        random.setstate(state)
