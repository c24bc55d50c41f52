"""Tests of nnlite/data/transfer.py: a batch crosses a socket pair whole (its arrays through
the socket or through shared memory, writable either way), an unpicklable one fails before
anything is sent, and ExceptionWrapper re-raises as torch's does."""
from __future__ import annotations

import multiprocessing
import pickle
import threading

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import transfer
from nnlite.data.transfer import ExceptionWrapper


def _round_trip(obj):
    """Send ``obj`` from a thread and receive it here (a large message does not fit in the
    socket's buffer, so the two ends must run at once)."""
    here, there = multiprocessing.Pipe(duplex=True)
    sender = threading.Thread(target=transfer.send, args=(there, obj, ("tag", 3)))
    sender.start()
    tag, out = transfer.recv(here)
    sender.join()
    here.close()
    there.close()
    assert tag == ("tag", 3)
    return out


def _batch():
    rng = np.random.default_rng(0)
    return (nl.tensor(rng.random((600, 500), dtype=np.float32)),     # 1.2 MB
            nl.tensor(np.arange(7)),
            {"names": ["a", "b"], "mask": np.array([True, False]), "none": None},
            np.asfortranarray(rng.random((3, 4))),                   # not C-contiguous
            np.zeros((0, 4), np.float32), 3.5)


@pytest.mark.parametrize("share_bytes", [1 << 40, 1024], ids=["socket", "shared"])
def test_a_batch_crosses_whole_and_writable(monkeypatch, share_bytes):
    monkeypatch.setattr(transfer, "SHARE_BYTES", share_bytes)
    sent = _batch()
    got = _round_trip(sent)
    assert type(got[0]) is type(sent[0]) and got[0].dtype == nl.float32
    assert np.array_equal(got[0].numpy(), sent[0].numpy())
    assert got[1].dtype == nl.int64 and got[1].numpy().tolist() == list(range(7))
    assert got[2]["names"] == ["a", "b"] and got[2]["mask"].tolist() == [True, False]
    assert got[2]["none"] is None and got[5] == 3.5
    assert np.array_equal(got[3], sent[3]) and got[4].shape == (0, 4)
    for arr in (got[0].numpy(), got[1].numpy(), got[2]["mask"]):
        assert arr.flags.writeable
    got[0].numpy()[0, 0] = -1.0                  # the copy is ours
    assert sent[0].numpy()[0, 0] != -1.0


def test_large_arrays_travel_in_shared_memory_when_the_os_allows(monkeypatch):
    monkeypatch.setattr(transfer, "SHARE_BYTES", 1 << 20)
    packed = transfer.pack(_batch())
    packed.close()
    kinds = [where[0] for where in packed.layout]
    expected = "shared" if transfer._CAN_SHARE else "pipe"
    assert kinds[0] == expected and set(kinds[1:]) == {"pipe"}


def test_an_object_not_rebuilt_here_names_its_tag_and_leaves_the_connection_usable():
    here, there = multiprocessing.Pipe(duplex=True)
    transfer.send(there, _Refused(), tag=7)
    transfer.send(there, np.arange(3), tag=8)
    with pytest.raises(transfer.RecvError) as err:
        transfer.recv(here)
    assert err.value.tag == 7 and isinstance(err.value.__cause__, ValueError)
    tag, arr = transfer.recv(here)
    assert tag == 8 and arr.tolist() == [0, 1, 2]


def test_an_unpicklable_batch_fails_before_anything_is_sent():
    with pytest.raises((pickle.PicklingError, AttributeError)):
        transfer.pack((np.zeros(3), lambda: None))


def _refuse():
    raise ValueError("not here")


class _Refused:
    def __reduce__(self):
        return (_refuse, ())


# ---- ExceptionWrapper ---------------------------------------------------------------------
def _wrapped(exc):
    try:
        raise exc
    except BaseException:
        return ExceptionWrapper(where="in DataLoader worker process 1")


class TwoArgs(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


@pytest.mark.parametrize("exc", [ValueError("bad value"), KeyError("key"), TwoArgs(1, 2),
                                 IndexError()], ids=["ValueError", "KeyError", "TwoArgs",
                                                     "IndexError"])
def test_exception_wrapper_reraises_as_torchs(torch, exc):
    from torch._utils import ExceptionWrapper as TorchWrapper

    def reraised(wrapper):
        with pytest.raises(Exception) as err:
            pickle.loads(pickle.dumps(wrapper)).reraise()
        return type(err.value), str(err.value)

    try:
        raise exc
    except BaseException:
        ours = ExceptionWrapper(where="in DataLoader worker process 1")
        theirs = TorchWrapper(where="in DataLoader worker process 1")
    assert reraised(ours) == reraised(theirs)
    kind, msg = reraised(ours)
    assert msg.startswith(f"Caught {type(exc).__name__} in DataLoader worker process 1.\n"
                          f"Original Traceback (most recent call last):\n")


def test_exception_wrapper_of_an_unpicklable_class_raises_runtime_error():
    class Local(Exception):
        pass

    wrapper = pickle.loads(pickle.dumps(_wrapped(Local("x"))))
    with pytest.raises(RuntimeError, match=r"^Caught Local in DataLoader worker process 1\.\n"
                                           r"Original Traceback") as err:
        wrapper.reraise()
    assert str(err.value).rstrip().endswith("Local: x")


def test_a_key_error_message_stays_readable():
    with pytest.raises(KeyError) as err:
        _wrapped(KeyError("k")).reraise()
    assert "\\n" not in str(err.value) and str(err.value).startswith("Caught KeyError")


def test_reraise_leaves_no_reference_cycle():
    wrapper = _wrapped(ValueError("x"))
    with pytest.raises(ValueError) as err:
        wrapper.reraise()
    frame = err.tb
    while frame.tb_next is not None:
        frame = frame.tb_next
    assert frame.tb_frame.f_code.co_name == "reraise"
    assert "exception" not in frame.tb_frame.f_locals      # the local was dropped
