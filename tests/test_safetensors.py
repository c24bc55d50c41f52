"""Tests for nnlite/safetensors.py: safetensors files read and written with NumPy alone,
checked against the ``safetensors`` package (the "safetensors" extra) and torch where they
are installed, and against hand-made headers for the validation."""
import json
import os

import numpy as np
import pytest

import nnlite as nl
from nnlite import models
from nnlite.safetensors import (load, load_file, load_model, safe_open, save, save_file,
                                save_model)

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.uint16, np.int32, np.uint32, np.int64,
          np.uint64, np.float16, np.float32, np.float64, np.complex64]
SHAPES = [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 3, 2)]


def sample(dtype, shape, rng):
    x = rng.standard_normal(shape) * 100
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return np.asarray(x).astype(dtype)


def tensors_of_every_dtype():
    rng = np.random.default_rng(0)
    return {f"{np.dtype(d).name}_{k}": sample(d, shape, rng)
            for d in DTYPES for k, shape in enumerate(SHAPES)}


def raw_file(header, data=b""):
    """A file from a header (dict, or str/bytes written as they are) and data bytes."""
    text = header if isinstance(header, bytes) else (
        header if isinstance(header, str) else json.dumps(header)).encode()
    return len(text).to_bytes(8, "little") + text + data


# =============================================================================
# round trips
# =============================================================================

def test_every_dtype_and_shape_round_trips(tmp_path):
    tensors = tensors_of_every_dtype()
    save_file(tensors, tmp_path / "all.safetensors", metadata={"step": "10"})
    for loaded in (load_file(tmp_path / "all.safetensors"), load(save(tensors))):
        assert list(loaded) == sorted(tensors)            # name order, as the package
        for name, arr in tensors.items():
            got = loaded[name]
            assert got.dtype == arr.dtype and got.shape == arr.shape, name
            np.testing.assert_array_equal(got, arr, err_msg=name)
            assert got.flags.writeable and got.flags.owndata or got.base is not None
    with safe_open(tmp_path / "all.safetensors", framework="np") as f:
        assert f.metadata() == {"step": "10"} and f.keys() == sorted(tensors)


def test_inputs_may_be_tensors_views_and_big_endian(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    tensors = {"t": nl.tensor(base), "view": base[:, ::2], "be": base.astype(">f8"),
               "fortran": np.asfortranarray(base)}
    loaded = load(save(tensors))
    np.testing.assert_array_equal(loaded["t"], base)
    np.testing.assert_array_equal(loaded["view"], base[:, ::2])
    assert loaded["be"].dtype == np.float64 and loaded["be"].dtype.isnative
    np.testing.assert_array_equal(loaded["be"], base)
    np.testing.assert_array_equal(loaded["fortran"], base)


def test_model_state_dict_round_trip_and_save_model(tmp_path):
    model = models.lenet5()
    save_file(model.state_dict(), tmp_path / "lenet.safetensors")
    other = models.lenet5()
    other.load_state_dict(load_file(tmp_path / "lenet.safetensors"))
    for (k, a), b in zip(model.state_dict().items(), other.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)

    save_model(model, tmp_path / "m.safetensors", metadata={"epoch": "3"})
    with safe_open(tmp_path / "m.safetensors", framework="pt") as f:
        assert f.metadata() == {"format": "pt", "epoch": "3"}
    assert load_model(models.lenet5(), tmp_path / "m.safetensors") == ([], [])
    save_file({"other": np.zeros(1)}, tmp_path / "bad.safetensors")
    with pytest.raises(RuntimeError, match="other"):
        load_model(models.lenet5(), tmp_path / "bad.safetensors")
    missing, unexpected = load_model(models.lenet5(), tmp_path / "bad.safetensors",
                                     strict=False)
    assert unexpected == ["other"] and len(missing) == len(model.state_dict())


def test_nl_load_reads_safetensors_by_content(tmp_path):
    path = tmp_path / "weights.bin"                        # any name
    save_file({"w": np.ones((2, 2), np.float16)}, path)
    assert nl.load(path)["w"].dtype == np.float16


def test_safe_open_reads_tensors_and_slices(tmp_path):
    w = np.arange(60, dtype=np.int32).reshape(3, 4, 5)
    save_file({"w": w, "e": np.zeros((0, 2))}, tmp_path / "s.safetensors")
    with safe_open(tmp_path / "s.safetensors", framework="np", device="cpu") as f:
        np.testing.assert_array_equal(f.get_tensor("w"), w)
        part = f.get_slice("w")
        assert part.get_shape() == [3, 4, 5] and part.get_dtype() == "I32"
        np.testing.assert_array_equal(part[1:, ::2, 3], w[1:, ::2, 3])
        np.testing.assert_array_equal(part[2, 1, 0], w[2, 1, 0])
        assert f.get_slice("e")[:].shape == (0, 2)
        with pytest.raises(KeyError, match="'nope'"):
            f.get_tensor("nope")
    with pytest.raises(ValueError, match="framework"):
        safe_open(tmp_path / "s.safetensors", framework="tf")
    with pytest.raises(RuntimeError, match="CPU"):
        safe_open(tmp_path / "s.safetensors", framework="np", device="cuda")
    with pytest.raises(RuntimeError, match="CPU"):
        load_file(tmp_path / "s.safetensors", device="cuda:0")


# =============================================================================
# against the safetensors package and torch
# =============================================================================

def test_files_are_byte_identical_to_the_packages(tmp_path):
    st_numpy = pytest.importorskip("safetensors.numpy")
    tensors = tensors_of_every_dtype()
    assert save(tensors) == st_numpy.save(tensors)
    assert save(tensors, metadata={"é": "ü"}) == st_numpy.save(tensors, metadata={"é": "ü"})
    # (the package writes several metadata entries in a random order, nnlite in the given)
    safetensors = pytest.importorskip("safetensors")
    metadata = {"b": "1", "a": "2"}
    for content in (save(tensors, metadata), st_numpy.save(tensors, metadata)):
        path = tmp_path / "meta.safetensors"
        path.write_bytes(content)
        with safetensors.safe_open(path, "np") as theirs, safe_open(path) as ours:
            assert theirs.metadata() == ours.metadata() == metadata
            assert theirs.keys() == ours.keys()
    loaded = load(st_numpy.save(tensors))
    for name, arr in tensors.items():
        np.testing.assert_array_equal(loaded[name], arr, err_msg=name)


def test_nnlite_state_dict_loads_in_torch_and_back(torch, tmp_path):
    st_torch = pytest.importorskip("safetensors.torch")
    model = models.resnet18(num_classes=10)
    save_file(model.state_dict(), tmp_path / "nl.safetensors")
    from .models._torch_reference import REFERENCES
    ref = REFERENCES["resnet18"]()
    ref.fc = torch.nn.Linear(512, 10)
    ref.load_state_dict(st_torch.load_file(tmp_path / "nl.safetensors"))     # strict
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    model.eval(), ref.eval()
    with torch.no_grad():
        expected = ref(torch.from_numpy(x)).numpy()
    with nl.no_grad():
        got = model(nl.tensor(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())

    # torch -> nnlite
    with torch.no_grad():
        for p in ref.parameters():
            p.mul_(1.5)
    st_torch.save_file(ref.state_dict(), tmp_path / "torch.safetensors")
    model.load_state_dict(load_file(tmp_path / "torch.safetensors"))
    for k, v in ref.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[k], v.numpy(), err_msg=k)


def test_bfloat16_and_float8_from_torch_are_widened_exactly(torch, tmp_path):
    st_torch = pytest.importorskip("safetensors.torch")
    bits = torch.arange(256, dtype=torch.uint8)
    tensors = {"bf16": torch.randint(-2**15, 2**15, (500,), dtype=torch.int16
                                     ).view(torch.bfloat16),
               "e4m3": bits.clone().view(torch.float8_e4m3fn),
               "e5m2": bits.clone().view(torch.float8_e5m2)}
    if hasattr(torch, "float8_e8m0fnu"):
        tensors["e8m0"] = bits.clone().view(torch.float8_e8m0fnu)
    st_torch.save_file(tensors, tmp_path / "narrow.safetensors")
    loaded = load_file(tmp_path / "narrow.safetensors")
    for name, t in tensors.items():
        assert loaded[name].dtype == np.float32, name
        np.testing.assert_array_equal(loaded[name], t.float().numpy(), err_msg=name)
    with safe_open(tmp_path / "narrow.safetensors", framework="pt") as f:
        assert f.get_slice("bf16").get_dtype() == "BF16"
        np.testing.assert_array_equal(f.get_slice("bf16")[10:20],
                                      tensors["bf16"][10:20].float().numpy())


# =============================================================================
# bad input
# =============================================================================

GOOD = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        "b": {"dtype": "U8", "shape": [4], "data_offsets": [8, 12]}}


def _with(name, **fields):
    header = json.loads(json.dumps(GOOD))
    header[name].update(fields)
    return header


@pytest.mark.parametrize("content, message", [
    (b"\x01\x02", "fewer than the 8"),
    ((200_000_000).to_bytes(8, "little") + b"{}", "more than the 100000000 allowed"),
    ((64).to_bytes(8, "little") + b"{}", "truncated"),
    (raw_file(b"[1, 2]"), "does not start with '{'"),
    (raw_file(b"{not json}"), "not UTF-8 JSON"),
    (raw_file(b'{"a": 1, "a": 2}'), "names 'a' twice"),
    (raw_file(b"{\xff}"), "not UTF-8 JSON"),
    (raw_file({"__metadata__": {"k": 1}}), "__metadata__"),
    (raw_file({"a": [1]}), "not an object"),
    (raw_file(_with("a", dtype="F128"), bytes(12)), "dtype 'F128'"),
    (raw_file(_with("a", dtype="F4"), bytes(12)), "sub-byte"),
    (raw_file(_with("a", shape=[-2]), bytes(12)), "shape"),
    (raw_file(_with("a", shape=[True, 2]), bytes(12)), "shape"),
    (raw_file(_with("a", data_offsets=[8, 0]), bytes(12)), "data_offsets"),
    (raw_file(_with("a", shape=[3]), bytes(12)), "needs 12 bytes"),
    (raw_file(_with("b", data_offsets=[4, 8], shape=[4]), bytes(12)), "overlap"),
    (raw_file(_with("b", data_offsets=[10, 14]), bytes(14)), "gap"),
    (raw_file(GOOD, bytes(10)), r"which has 10 bytes \(truncated\?\)"),
    (raw_file(GOOD, bytes(13)), "which has 13 bytes"),
])
def test_malformed_files_raise_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as info:
        load_file(path)
    assert "bad.safetensors" in str(info.value)
    with pytest.raises(ValueError, match=message):
        load(content)


def test_bad_tensors_and_metadata_are_refused_before_writing(tmp_path):
    path = tmp_path / "w.safetensors"
    save_file({"w": np.ones(2)}, path)
    before = path.read_bytes()
    for tensors, metadata, error, message in [
        ({1: np.ones(1)}, None, TypeError, "names must be str"),
        ({"__metadata__": np.ones(1)}, None, ValueError, "reserved"),
        ({"c": np.ones(2, np.complex128)}, None, TypeError, r"tensors\['c'\].*complex128"),
        ({"o": np.array([None])}, None, TypeError, r"tensors\['o'\].*object"),
        ({"l": [1, 2]}, None, TypeError, r"tensors\['l'\] is a list"),
        ({"w": np.ones(1)}, {"k": 3}, TypeError, "metadata must map str to str"),
        ({"w": np.ones(1)}, ["k"], TypeError, "metadata must be a dict"),
        ([np.ones(1)], None, TypeError, "tensors must be a dict"),
    ]:
        with pytest.raises(error, match=message):
            save_file(tensors, path, metadata=metadata)
        with pytest.raises(error, match=message):
            save(tensors, metadata=metadata)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["w.safetensors"]
    with pytest.raises(TypeError, match="bytes"):
        load("not bytes")
