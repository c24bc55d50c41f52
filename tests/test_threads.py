"""nl.set_num_threads / get_num_threads (nnlite/tuning.py): the BLAS thread count changes at
run time, through threadpoolctl when installed and through ctypes on the loaded BLAS
otherwise; with neither, a warning and no change."""
import numpy as np
import pytest

import nnlite as nl
from nnlite import tuning


@pytest.fixture
def restore_threads():
    before = nl.get_num_threads()
    yield before
    nl.set_num_threads(before)


def _blas_reachable():
    return bool(tuning._blas_controls())


def test_set_and_get_num_threads(restore_threads):
    nl.set_num_threads(1)
    assert nl.get_num_threads() == 1
    a = np.random.default_rng(0).standard_normal((64, 64))
    np.testing.assert_allclose((nl.tensor(a) @ nl.tensor(a)).numpy(), a @ a, rtol=1e-12)
    nl.set_num_threads(restore_threads)
    assert nl.get_num_threads() == restore_threads


@pytest.mark.skipif(not _blas_reachable(), reason="no OpenBLAS/MKL/BLIS among the loaded "
                                                  "libraries")
def test_ctypes_route_without_threadpoolctl(restore_threads, monkeypatch):
    monkeypatch.setattr(tuning, "_threadpoolctl", lambda: None)
    nl.set_num_threads(1)
    assert nl.get_num_threads() == 1
    kind, _, get_n = tuning._blas_controls()[0]
    assert kind in ("openblas", "mkl", "blis") and get_n() == 1
    nl.set_num_threads(2)
    assert nl.get_num_threads() == 2


def test_threadpoolctl_and_ctypes_agree(restore_threads):
    tpc = pytest.importorskip("threadpoolctl")
    if not _blas_reachable():
        pytest.skip("no BLAS reachable through ctypes")
    nl.set_num_threads(1)
    info = [i for i in tpc.threadpool_info() if i["user_api"] == "blas"]
    assert info and all(i["num_threads"] == 1 for i in info)
    assert all(get_n() == 1 for _, _, get_n in tuning._blas_controls())


def test_no_blas_reachable_warns_and_changes_nothing(restore_threads, monkeypatch):
    monkeypatch.setattr(tuning, "_threadpoolctl", lambda: None)
    monkeypatch.setattr(tuning, "_loaded_libraries", lambda: [])
    with pytest.warns(RuntimeWarning, match="could not reach the BLAS"):
        nl.set_num_threads(1)
    assert nl.get_num_threads() >= 1


def test_loaded_libraries_fallback_without_proc(tmp_path):
    libs = tuning._loaded_libraries(str(tmp_path / "no-such-maps"))
    assert isinstance(libs, list)                        # NumPy's bundled libraries, if any


@pytest.mark.parametrize("bad,match", [(0, "positive"), (-2, "positive"), (1.5, "int"),
                                       (True, "int"), ("2", "int")])
def test_thread_counts_are_checked_as_torch(bad, match):
    with pytest.raises(RuntimeError, match=match):
        nl.set_num_threads(bad)
    with pytest.raises(RuntimeError, match=match):
        nl.set_num_interop_threads(bad)


def test_interop_threads_are_one():
    assert nl.get_num_interop_threads() == 1
    nl.set_num_interop_threads(4)
    assert nl.get_num_interop_threads() == 1
