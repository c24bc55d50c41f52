"""Tests of nnlite/data/loader_iter.py with worker processes (and worker.py's side of them):
the batches and order of num_workers=0 for a given seed; iterable datasets sharded as in
torch; worker_init_fn, get_worker_info and the workers' seeds; a worker's exception raised
with its id and traceback, as torch; persistent workers; workers ending when the iterator or
loader is deleted, when a worker is killed, on a timeout and on KeyboardInterrupt; "spawn".

Worker start-up is the cost here (fork: tens of ms; spawn: about a second), so the datasets
are tiny and the worker counts 1 or 2. The datasets are in _worker_datasets.py, at module
level, so that any start method can pickle them; the tests that pass local classes or lambdas
ask for "fork"."""
from __future__ import annotations

import multiprocessing
import os
import pickle
import random
import signal
import sys
import threading
import traceback

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import (BatchSampler, DataLoader, SequentialSampler, TensorDataset,
                         get_worker_info)
from nnlite.data import transfer
from nnlite.data.worker import numpy_seed

from ._worker_datasets import (InitSeen, Probe, Range, TwoArgError, Unsharded,
                               collate_samples, fail_in_worker_1, record_init, refuse_batch_1)


needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="needs the fork start method")
FORK = {"multiprocessing_context": "fork"}   # local classes and lambdas reach the workers


def _data(n=23):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


def _as_list(batch):
    if isinstance(batch, (tuple, list)):
        return [_as_list(b) for b in batch]
    return batch.numpy().tolist() if hasattr(batch, "numpy") else batch


def _epochs(loader, n=1):
    return [[_as_list(b) for b in loader] for _ in range(n)]


def _rows(loader):
    return np.concatenate([b.numpy() for b in loader])


def _release(err):
    """Drop what a caught exception's traceback holds (the loader's iterator among it):
    torch's re-raise leaves a frame <-> traceback cycle, and a torch iterator collected in a
    cycle waits 5 s per worker to shut down."""
    traceback.clear_frames(err.tb)


def _first_draw(seed):
    """The base seed a loader with generator default_rng(seed) draws first."""
    return int(np.random.default_rng(seed).integers(0, 2 ** 63))


# ---- the same batches in the same order as num_workers=0 --------------------------------------
@pytest.mark.parametrize("workers", [{"num_workers": 1}, {"num_workers": 2},
                                     {"num_workers": 2, "persistent_workers": True,
                                      "prefetch_factor": 1}],
                         ids=["1", "2", "2-persistent"])
def test_shuffled_batches_as_without_workers(workers):
    def run(**kw):
        return _epochs(DataLoader(_data(), batch_size=4, shuffle=True,
                                  generator=np.random.default_rng(5), **kw), 2)

    plain = run()
    assert run(**workers) == plain
    assert plain[0] != plain[1]                         # two epochs, two orders


def test_the_global_generator_gives_the_same_batches_and_stream():
    def run(**kw):
        nl.manual_seed(3)
        batches = _epochs(DataLoader(_data(), batch_size=5, shuffle=True, **kw), 2)
        return batches, nl.rand(3).numpy().tolist()     # the stream after two epochs

    assert run(num_workers=2) == run()


@pytest.mark.parametrize("kwargs", [
    {"batch_size": None}, {"batch_size": 4, "drop_last": True},
    {"batch_size": 4, "collate_fn": collate_samples},
    {"batch_sampler": BatchSampler(SequentialSampler(range(23)), 5, drop_last=False)}],
    ids=["no-batching", "drop_last", "per-sample", "batch_sampler"])
def test_other_batchings_as_without_workers(kwargs):
    assert _epochs(DataLoader(_data(), num_workers=2, **kwargs)) == \
        _epochs(DataLoader(_data(), **kwargs))


def test_in_order_false_gives_every_batch():
    labels = [yb for _, yb in _epochs(DataLoader(_data(), batch_size=4, num_workers=2,
                                                 in_order=False))[0]]
    assert sorted(sum(labels, [])) == list(range(23))


@needs_fork
@pytest.mark.parametrize("share_bytes", [1 << 40, 1 << 20], ids=["socket", "shared"])
def test_large_batches_arrive_whole_and_writable(monkeypatch, share_bytes):
    monkeypatch.setattr(transfer, "SHARE_BYTES", share_bytes)     # the forked workers see it
    x = np.random.default_rng(0).random((64, 3, 64, 64), dtype=np.float32)
    loader = DataLoader(TensorDataset(x, np.arange(64)), batch_size=32, num_workers=2, **FORK)
    batches = list(loader)                           # 1.5 MB each
    assert np.array_equal(np.concatenate([xb.numpy() for xb, _ in batches]), x)
    assert batches[0][0].dtype == nl.float32 and batches[0][1].dtype == nl.int64
    batches[0][0].numpy()[0] = 1.0                   # writable, and outlives the workers


# ---- iterable-style datasets, as torch --------------------------------------------------------
@needs_fork
@pytest.mark.parametrize("dataset,num_workers,batch_size,drop_last", [
    ("range", 1, 2, False), ("range", 2, 2, False), ("range", 2, 4, True),
    ("range", 2, None, False), ("unsharded", 2, 2, False)])
def test_iterable_dataset_as_torch(torch, dataset, num_workers, batch_size, drop_last):
    class TorchRange(torch.utils.data.IterableDataset):
        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            per = -(-11 // info.num_workers)
            lo = 3 + info.id * per
            return iter(range(lo, min(lo + per, 14)))

    class TorchUnsharded(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(5))

    ours, theirs = ((Range(3, 14), TorchRange()) if dataset == "range"
                    else (Unsharded(), TorchUnsharded()))
    kwargs = {"num_workers": num_workers, "batch_size": batch_size, "drop_last": drop_last,
              **FORK}
    expected = [b.tolist() if hasattr(b, "tolist") else b
                for b in torch.utils.data.DataLoader(theirs, **kwargs)]
    assert _epochs(DataLoader(ours, **kwargs))[0] == expected


# ---- worker_init_fn, get_worker_info, seeds ------------------------------------------------
def test_worker_init_fn_sees_its_worker_info():
    loader = DataLoader(InitSeen(), batch_size=1, num_workers=2, worker_init_fn=record_init,
                        generator=np.random.default_rng(7))
    base = _first_draw(7)
    seen = [tuple(b.numpy()[0].tolist()) for b in loader]
    assert seen == [(0, 0, 2, base), (1, 1, 2, base + 1)] * 2    # batches alternate
    assert get_worker_info() is None


def test_each_workers_generators_are_seeded_from_the_base_seed():
    def run():
        return _rows(DataLoader(Probe(8), batch_size=2, num_workers=2,
                                generator=np.random.default_rng(1)))

    first, second = run(), run()
    assert np.array_equal(first[:, [0, 1, 3, 4, 5]], second[:, [0, 1, 3, 4, 5]])
    base = _first_draw(1)
    state = random.getstate()
    try:
        for wid in (0, 1):
            rows = first[first[:, 1] == wid]                 # items 0, 1, 4, 5 / 2, 3, 6, 7
            legacy = np.random.RandomState(numpy_seed(base, wid)).randint(1000, size=4)
            random.seed(base + wid)
            py = [random.randrange(1000) for _ in range(4)]
            ours = nl.manual_seed(base + wid).integers(0, 1000, size=4)
            assert rows[:, 3].tolist() == legacy.tolist()
            assert rows[:, 4].tolist() == py
            assert rows[:, 5].tolist() == ours.tolist()
    finally:
        random.setstate(state)
    assert not np.array_equal(first[first[:, 1] == 0, 3:], first[first[:, 1] == 1, 3:])


# ---- errors in workers ------------------------------------------------------------------------
def test_a_worker_exception_names_the_worker_and_keeps_the_traceback():
    it = iter(DataLoader(Probe(8, error_at=5, error=ValueError("bad index 5")), batch_size=2,
                         num_workers=2))
    assert [next(it).numpy()[:, 0].tolist() for _ in range(2)] == [[0, 1], [2, 3]]
    with pytest.raises(ValueError) as err:
        next(it)                                         # batch [4, 5]: worker 0
    msg = str(err.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 0.\n"
                          "Original Traceback (most recent call last):\n")
    assert "_worker_datasets.py" in msg and "in __getitem__" in msg
    assert msg.rstrip().endswith("ValueError: bad index 5")
    assert next(it).numpy()[:, 0].tolist() == [6, 7]     # the epoch goes on, as in torch


@pytest.mark.parametrize("error", [ValueError("bad index 5"), KeyError("no such key"),
                                   TwoArgError("a", "b")], ids=["ValueError", "KeyError",
                                                                "two-argument"])
def test_worker_exceptions_as_torch(torch, error):
    def first_error(loader_cls):
        with pytest.raises(Exception) as err:
            list(loader_cls(Probe(8, error_at=5, error=error), batch_size=2, num_workers=2))
        lines, kind = str(err.value).splitlines(), type(err.value)
        _release(err)
        return kind, lines[:2], lines[-1]

    assert first_error(DataLoader) == first_error(torch.utils.data.DataLoader)


def test_worker_init_fn_errors_as_torch(torch):
    def first_error(loader_cls):
        with pytest.raises(Exception) as err:
            list(loader_cls(Probe(4), batch_size=1, num_workers=2,
                            worker_init_fn=fail_in_worker_1))
        kind, first_line = type(err.value), str(err.value).splitlines()[0]
        _release(err)
        return kind, first_line

    ours = first_error(DataLoader)
    assert ours == (RuntimeError, "Caught RuntimeError in DataLoader worker process 1.")
    assert ours == first_error(torch.utils.data.DataLoader)


@needs_fork
def test_exceptions_that_cannot_cross_become_runtime_errors():
    class LocalError(Exception):                        # its class cannot be pickled
        pass

    with pytest.raises(RuntimeError, match="Caught LocalError in DataLoader worker process 1"):
        list(DataLoader(Probe(4, error_at=1, error=LocalError("x")), num_workers=2, **FORK))
    unpicklable = DataLoader(_data(4), batch_size=2, num_workers=1, **FORK,
                             collate_fn=lambda samples: (lambda: samples))
    with pytest.raises((pickle.PicklingError, AttributeError),
                       match="Caught .* in DataLoader worker process 0"):
        list(unpicklable)


def test_a_batch_not_rebuilt_in_the_main_process_fails_in_its_turn():
    it = iter(DataLoader(Probe(6), batch_size=1, num_workers=2, collate_fn=refuse_batch_1))
    assert next(it).numpy()[0, 0] == 0
    with pytest.raises(ValueError, match="in the main process, unpickling a batch of "
                                         "DataLoader worker process 1"):
        next(it)
    assert [b.numpy()[0, 0] for b in it] == [2, 3, 4, 5]


def test_a_failed_worker_init_fn_answers_every_task_of_its_worker():
    loader = DataLoader(Probe(4), batch_size=1, num_workers=2, worker_init_fn=fail_in_worker_1)
    outcomes = []
    it = iter(loader)
    for _ in range(4):
        try:
            outcomes.append(int(next(it).numpy()[0, 0]))
        except RuntimeError as e:
            outcomes.append(str(e).splitlines()[0])
    assert outcomes == [0, "Caught RuntimeError in DataLoader worker process 1.", 2,
                        "Caught RuntimeError in DataLoader worker process 1."]


# ---- persistent workers and the end of workers ------------------------------------------------
def test_persistent_workers_serve_every_epoch_and_end_with_the_loader():
    kwargs = {"batch_size": 2, "shuffle": True, "generator": np.random.default_rng(2)}
    loader = DataLoader(Probe(8), num_workers=2, persistent_workers=True, **kwargs)
    epochs = [_rows(loader) for _ in range(2)]
    procs = list(loader._iterator._workers)
    assert {p.pid for p in procs} == set(epochs[0][:, 2]) == set(epochs[1][:, 2])
    plain = DataLoader(Probe(8), **{**kwargs, "generator": np.random.default_rng(2)})
    assert [e[:, 0].tolist() for e in epochs] == [_rows(plain)[:, 0].tolist()
                                                   for _ in range(2)]
    by_index = [e[np.argsort(e[:, 0])] for e in epochs]
    assert not np.array_equal(by_index[0][:, 3:], by_index[1][:, 3:])   # streams go on
    partial = iter(loader)
    next(partial)                                # a new epoch while batches are in flight:
    assert len(list(iter(loader))) == 4          # the leftovers are dropped
    assert all(p.is_alive() for p in procs)
    del loader, partial
    assert not any(p.is_alive() for p in procs)


def test_workers_end_with_the_epoch_or_the_deleted_iterator():
    loader = DataLoader(_data(), batch_size=2, num_workers=2)
    it = iter(loader)
    procs = list(it._workers)
    list(it)
    assert not any(p.is_alive() for p in procs)
    with pytest.raises(StopIteration):
        next(it)
    it = iter(loader)                                   # deleted mid-epoch, batches in flight
    next(it)
    procs = list(it._workers)
    del it
    assert not any(p.is_alive() for p in procs)


def test_a_killed_worker_is_reported():
    it = iter(DataLoader(Probe(16, sleep=0.02), batch_size=2, num_workers=2))
    next(it)
    victim = it._workers[1]
    os.kill(victim.pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match=rf"DataLoader worker \(pid\(s\) {victim.pid}\) "
                                           rf"exited unexpectedly \(killed by signal SIGKILL"):
        list(it)
    assert not any(p.is_alive() for p in it._workers)   # the other one was shut down
    with pytest.raises(RuntimeError, match="worker processes were shut down"):
        next(it)


def test_timeout():
    loader = DataLoader(Probe(2, sleep=0.4), batch_size=1, num_workers=1, timeout=0.05)
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.05 seconds$"):
        next(iter(loader))


def test_keyboard_interrupt_ends_the_workers():
    it = iter(DataLoader(Probe(40, sleep=0.1), batch_size=1, num_workers=2))
    procs = list(it._workers)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        for _ in it:               # 2 s of loading, interrupted after 0.2 s
            pass
    timer.join()
    assert not any(p.is_alive() for p in procs)


def test_prefetch_factor_zero_is_refused_at_iteration():
    loader = DataLoader(_data(), num_workers=1, prefetch_factor=0)   # accepted, as torch
    with pytest.raises(ValueError, match="prefetch_factor must be a positive integer"):
        iter(loader)


# ---- the spawn start method ------------------------------------------------------------------
@needs_fork
def test_spawn_gives_the_batches_and_draws_of_fork():
    kwargs = {"batch_size": 3, "shuffle": True, "num_workers": 1}
    spawned = _rows(DataLoader(Probe(7), multiprocessing_context="spawn",
                               generator=np.random.default_rng(4), **kwargs))
    forked = _rows(DataLoader(Probe(7), generator=np.random.default_rng(4), **FORK, **kwargs))
    plain = _rows(DataLoader(Probe(7), batch_size=3, shuffle=True,
                             generator=np.random.default_rng(4)))
    assert spawned[:, 0].tolist() == plain[:, 0].tolist()
    assert np.array_equal(spawned[:, [0, 1, 3, 4, 5]], forked[:, [0, 1, 3, 4, 5]])


def test_spawn_explains_an_unpicklable_collate_fn():
    loader = DataLoader(Probe(4), num_workers=1, collate_fn=lambda b: b,
                        multiprocessing_context="spawn")
    with pytest.raises((pickle.PicklingError, AttributeError)) as err:
        iter(loader)
    if sys.version_info >= (3, 11):
        assert "define them at module level" in " ".join(err.value.__notes__)
