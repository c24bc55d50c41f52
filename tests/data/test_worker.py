"""Tests of nnlite/data/worker.py: get_worker_info is None outside a worker, the WorkerInfo
of a block inside it, read-only as torch's, and restored after the block."""
import pytest

from nnlite.data import WorkerInfo, get_worker_info
from nnlite.data.worker import as_worker


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
