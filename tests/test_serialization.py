"""Tests for nnlite/serialization.py: checkpoint round trips, atomic writes, bad files."""
import collections
import io
import json
import math
import os
import pathlib
import pickle
import zipfile

import numpy as np
import pytest

from nnlite.serialization import load, save


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def assert_same(a, b, where="root"):
    """Deep equality that also checks types, dtypes, shapes and key order."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, f"{where}: dtype {a.dtype} != {b.dtype}"
        assert a.shape == b.shape, f"{where}: shape {a.shape} != {b.shape}"
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and a == b, where
    elif isinstance(a, dict):
        assert list(a.keys()) == list(b.keys()), f"{where}: keys {list(a)} != {list(b)}"
        for (ka, va), kb in zip(a.items(), b.keys()):
            assert type(ka) is type(kb), f"{where}: key {ka!r} type changed"
            assert_same(va, b[kb], f"{where}[{ka!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def roundtrip(obj, tmp_path):
    path = tmp_path / "ckpt.npz"
    save(obj, path)
    return load(path)


class FakeTensor:
    """Stands in for nnlite.Tensor: an object whose ``.data`` is an ndarray."""

    def __init__(self, data):
        self.data = np.asarray(data)


class NumpyOnly:
    """An object exposing only ``.numpy()`` (as a torch tensor does)."""

    def __init__(self, data):
        self._data = np.asarray(data)

    def numpy(self):
        return self._data


def write_zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)


def npy_bytes(arr, allow_pickle=False):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def structure_bytes(root):
    doc = {"format": "nnlite.checkpoint", "version": 1, "root": root}
    return npy_bytes(np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8))


# ---------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------

def test_model_state_dict_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    sd = collections.OrderedDict([
        ("features.0.weight", rng.standard_normal((6, 1, 5, 5)).astype(np.float32)),
        ("features.0.bias", np.zeros(6, np.float32)),
        ("bn.running_mean", np.zeros(6, np.float32)),
        ("bn.num_batches_tracked", np.array(7, dtype=np.int64)),  # 0-d
        ("classifier.weight", rng.standard_normal((10, 84)).astype(np.float32)),
    ])
    out = roundtrip(sd, tmp_path)
    assert_same(sd, out)
    assert out["features.0.weight"].dtype == np.float32
    assert out["bn.num_batches_tracked"].shape == ()


def test_optimizer_state_dict_keeps_int_keys(tmp_path):
    sd = {
        "state": {0: {"momentum_buffer": np.ones((3, 2))},
                  1: {"momentum_buffer": None}},
        "param_groups": [{"lr": 0.1, "momentum": 0.9, "nesterov": False,
                          "weight_decay": 0, "params": [0, 1]}],
    }
    out = roundtrip(sd, tmp_path)
    assert_same(sd, out)
    assert list(out["state"]) == [0, 1]
    assert isinstance(out["param_groups"][0]["weight_decay"], int)
    assert isinstance(out["param_groups"][0]["lr"], float)


def test_int_and_str_keys_that_print_alike_stay_apart(tmp_path):
    obj = {0: np.array([1.0]), "0": np.array([2.0]), "a/b": np.array([3.0]),
           "a": {"b": np.array([4.0])}, "": np.array([5.0])}
    assert_same(obj, roundtrip(obj, tmp_path))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int32,
                                   np.int64, np.uint8, np.bool_, np.complex64])
@pytest.mark.parametrize("shape", [(), (0,), (1,), (3, 1, 2)])
def test_array_dtypes_and_shapes_roundtrip(tmp_path, dtype, shape):
    arr = (np.arange(int(np.prod(shape))) % 3).reshape(shape).astype(dtype)
    out = roundtrip({"x": arr}, tmp_path)["x"]
    assert_same(arr, out)
    assert out.flags.writeable


def test_non_contiguous_arrays_roundtrip(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    obj = [base.T, base[:, ::2], np.asfortranarray(base)]
    out = roundtrip(obj, tmp_path)
    for a, b in zip(obj, out):
        np.testing.assert_array_equal(a, b)


def test_scalars_none_strings_and_nested_containers(tmp_path):
    obj = [
        {"epoch": 3, "best": 0.25, "done": True, "note": "héllo / wörld", "extra": None},
        (1, 2.5, "x", (None, [])),
        [],
        {},
        collections.OrderedDict([("b", 1), ("a", 2)]),
        {"nan": float("nan"), "inf": float("-inf"), "neg0": -0.0, "big": 2 ** 80},
        {None: 1, True: 2, 1.5: 3},
    ]
    assert_same(obj, roundtrip(obj, tmp_path))


def test_numpy_scalars_stay_numpy_scalars(tmp_path):
    obj = {"a": np.float32(1.5), "b": np.int64(-3), "c": np.bool_(True)}
    out = roundtrip(obj, tmp_path)
    assert_same(obj, out)


def test_dict_vs_ordereddict_and_key_order(tmp_path):
    obj = {"plain": {"z": 1, "a": 2, "m": 3}, "ordered": collections.OrderedDict(z=1, a=2)}
    out = roundtrip(obj, tmp_path)
    assert type(out["plain"]) is dict
    assert type(out["ordered"]) is collections.OrderedDict
    assert list(out["plain"]) == ["z", "a", "m"]


def test_top_level_array_and_scalar(tmp_path):
    assert_same(np.eye(3), roundtrip(np.eye(3), tmp_path))
    assert roundtrip(42, tmp_path) == 42
    assert roundtrip(None, tmp_path) is None


def test_tensor_like_objects_are_stored_as_arrays(tmp_path):
    obj = {"w": FakeTensor(np.ones((2, 2), np.float32)), "b": NumpyOnly([1, 2])}
    out = roundtrip(obj, tmp_path)
    assert type(out["w"]) is np.ndarray and out["w"].dtype == np.float32
    np.testing.assert_array_equal(out["b"], [1, 2])


def test_entries_are_readable_by_plain_numpy(tmp_path):
    path = tmp_path / "m.npz"
    save({"fc1.weight": np.ones(2), "state": {0: {"buf": np.zeros(1)}}}, path)
    with np.load(path, allow_pickle=False) as npz:
        assert "fc1.weight" in npz.files
        assert "state/0/buf" in npz.files


# ---------------------------------------------------------------------------
# files, paths and atomic writes
# ---------------------------------------------------------------------------

def test_exact_filename_is_kept(tmp_path):
    for name in ["weights", "weights.ckpt", "weights.npz"]:
        save({"x": np.ones(1)}, tmp_path / name)
        assert (tmp_path / name).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights", "weights.ckpt",
                                                          "weights.npz"]


def test_str_and_pathlib_paths(tmp_path):
    obj = {"x": np.arange(3)}
    save(obj, str(tmp_path / "a.npz"))
    assert_same(obj, load(pathlib.Path(tmp_path / "a.npz")))
    save(obj, pathlib.Path(tmp_path / "b.npz"))
    assert_same(obj, load(str(tmp_path / "b.npz")))


def test_file_objects(tmp_path):
    obj = {"x": np.arange(3, dtype=np.float32), "n": 1}
    buf = io.BytesIO()
    save(obj, buf)
    assert not buf.closed
    buf.seek(0)
    assert_same(obj, load(buf))
    assert not buf.closed

    path = tmp_path / "f.npz"
    with open(path, "wb") as fh:
        save(obj, fh)
    with open(path, "rb") as fh:
        assert_same(obj, load(fh))


def test_overwrite_replaces_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"v": 1}, path)
    save({"v": 2}, path)
    assert load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["ckpt.npz"]


def test_saved_file_gets_umask_permissions(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"v": 1}, path)
    mask = os.umask(0)
    os.umask(mask)
    assert (path.stat().st_mode & 0o777) == (0o666 & ~mask)


def test_unserialisable_object_leaves_existing_file_untouched(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"v": np.arange(4)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"set at 'layers/1/w'"):
        save({"layers": [{"w": np.ones(1)}, {"w": {1, 2}}]}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.npz"]


def test_object_array_is_refused_naming_the_key(tmp_path):
    path = tmp_path / "ckpt.npz"
    with pytest.raises(TypeError, match=r"state/0/buf.*object"):
        save({"state": {0: {"buf": np.array([1, "a"], dtype=object)}}}, path)
    assert not path.exists()
    assert os.listdir(tmp_path) == []


def test_bad_key_type_is_refused(tmp_path):
    with pytest.raises(TypeError, match="key"):
        save({(1, 2): np.ones(1)}, tmp_path / "x.npz")


def test_reference_cycle_is_refused(tmp_path):
    a = []
    a.append(a)
    with pytest.raises(ValueError, match="cycle"):
        save(a, tmp_path / "x.npz")


def test_failure_while_writing_cleans_up_temp_and_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    save({"v": np.arange(4)}, path)
    before = path.read_bytes()
    real_write = np.lib.format.write_array
    calls = []

    def failing_write(fp, arr, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # structure written, first array half-way
            fp.write(b"partial")
            raise OSError("disk full (simulated)")
        return real_write(fp, arr, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", failing_write)
    with pytest.raises(OSError, match="disk full"):
        save({"v": np.arange(100), "w": np.ones(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.npz"]


# ---------------------------------------------------------------------------
# bad files
# ---------------------------------------------------------------------------

def test_truncated_file_raises_clear_error(tmp_path):
    path = tmp_path / "ckpt.npz"
    save({"w": np.random.default_rng(0).standard_normal(1000)}, path)
    data = path.read_bytes()
    for cut in [len(data) // 2, len(data) - 10, 10]:
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=r"ckpt\.npz.*(truncated|corrupt)"):
            load(path)


def test_garbage_file_raises_clear_error(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"this is not a checkpoint at all" * 10)
    with pytest.raises(ValueError, match=r"junk\.npz.*not a valid nnlite checkpoint"):
        load(path)


def test_empty_file_raises_clear_error(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.npz.*empty file"):
        load(path)


def test_single_npy_file_is_refused(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.ones(3))
    with pytest.raises(ValueError, match="not a valid nnlite checkpoint"):
        load(path)


def test_plain_npz_without_structure_is_refused(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, a=np.ones(3))
    with pytest.raises(ValueError, match="missing structure entry"):
        load(path)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.npz")


class _Boom:
    def __reduce__(self):  # would run on unpickling
        return (os.system, ("echo pwned > /dev/null",))


def test_pickled_object_array_is_refused_without_unpickling(tmp_path, monkeypatch):
    path = tmp_path / "evil.npz"
    write_zip(path, {
        "__nnlite_structure__.npy": structure_bytes(
            {"t": "dict", "items": [[{"t": "str", "v": "w"}, {"t": "array", "entry": "w"}]]}),
        "w.npy": npy_bytes(np.array([_Boom()], dtype=object), allow_pickle=True),
    })

    def no_unpickling(*args, **kwargs):
        raise AssertionError("load tried to unpickle")

    monkeypatch.setattr(pickle, "load", no_unpickling)
    monkeypatch.setattr(pickle, "loads", no_unpickling)
    with pytest.raises(ValueError, match=r"'w'.*pickled"):
        load(path)


def test_pickled_structure_entry_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    write_zip(path, {"__nnlite_structure__.npy":
                     npy_bytes(np.array([{"t": "none"}], dtype=object), allow_pickle=True)})
    with pytest.raises(ValueError, match="pickled"):
        load(path)


@pytest.mark.parametrize("payload, message", [
    (npy_bytes(np.zeros(3, np.float32)), "expected a 1-D uint8"),
    (npy_bytes(np.frombuffer(b"{not json", np.uint8)), "not UTF-8 JSON"),
    (npy_bytes(np.frombuffer(b'{"format": "other", "version": 1}', np.uint8)), "format"),
    (npy_bytes(np.frombuffer(b'{"format": "nnlite.checkpoint", "version": 99}', np.uint8)),
     "version 99"),
    (structure_bytes({"t": "array", "entry": "ghost"}), "'ghost', which is missing"),
    (structure_bytes({"t": "mystery"}), "malformed structure node"),
    (structure_bytes({"t": "list"}), "malformed container"),
    (structure_bytes({"t": "int", "v": "3"}), "malformed structure node"),
])
def test_malformed_structure_raises_clear_error(tmp_path, payload, message):
    path = tmp_path / "bad.npz"
    write_zip(path, {"__nnlite_structure__.npy": payload})
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    assert "bad.npz" in str(info.value)
