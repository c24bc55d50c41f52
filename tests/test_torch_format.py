"""Tests for nnlite/_torch_format.py: ``nl.load`` of files written by ``torch.save``.

Files written by torch itself (the ``torch`` fixture skips without it) check the values,
the dtypes, shared storages, optimizer states and a ResNet-18 against torch; files
written byte by byte here (no torch needed) check that a payload is refused before it
runs and that malformed files raise clear errors.
"""
import collections
import io
import os
import pickle
import sys
import tarfile
import zipfile

import numpy as np
import pytest

import nnlite as nl
from nnlite import _torch_format, models
from nnlite.serialization import add_safe_globals, clear_safe_globals, safe_globals

FORMATS = ["zip", "legacy"]


def torch_save(torch, obj, path, fmt="zip", **kwargs):
    torch.save(obj, path, _use_new_zipfile_serialization=(fmt == "zip"), **kwargs)
    return path


def as_numpy(torch, t):
    """What nnlite loads a torch tensor as: bfloat16/float8 widened to float32,
    complex32 to complex64, conj/neg bits resolved."""
    t = t.detach().resolve_conj().resolve_neg()
    if t.dtype in (torch.bfloat16,) or "float8" in str(t.dtype):
        t = t.float()
    if t.dtype == torch.complex32:
        t = t.to(torch.complex64)
    return t.numpy()


# =============================================================================
# files written by torch
# =============================================================================

DTYPES = ["float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "uint16", "uint32", "uint64", "bool", "complex128", "complex64",
          "complex32", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
          "float8_e8m0fnu"]


def _values(torch, name):
    """Every bit pattern for the narrow floats (NaN, inf, subnormals, -0 included),
    random values otherwise."""
    dtype = getattr(torch, name)
    g = torch.Generator().manual_seed(0)
    if dtype.itemsize == 1 and dtype.is_floating_point:
        return torch.arange(256, dtype=torch.uint8).view(dtype).reshape(16, 16)
    if name == "bfloat16":
        return torch.randint(-2**15, 2**15, (64, 3), dtype=torch.int16, generator=g).view(dtype)
    if name == "bool":
        return torch.rand(4, 5, generator=g) > 0.5
    if name.startswith("complex"):
        return torch.randn(4, 3, dtype=torch.complex64, generator=g).to(dtype)
    if dtype.is_floating_point:
        return torch.randn(4, 5, generator=g).to(dtype)
    info = torch.iinfo(dtype)
    lo, hi = max(info.min, -2**62), min(info.max, 2**62)
    return torch.randint(lo, hi, (4, 5), dtype=torch.int64, generator=g).to(dtype)


@pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_dtype_loads_with_torchs_values(torch, tmp_path, fmt):
    tensors = collections.OrderedDict((name, _values(torch, name)) for name in DTYPES)
    loaded = nl.load(torch_save(torch, tensors, tmp_path / "dtypes.pt", fmt))
    assert type(loaded) is collections.OrderedDict and list(loaded) == DTYPES
    for name, t in tensors.items():
        expected = as_numpy(torch, t)
        got = loaded[name]
        assert type(got) is np.ndarray and got.dtype == expected.dtype, name
        assert got.shape == expected.shape, name
        np.testing.assert_array_equal(got, expected, err_msg=name)       # NaNs alike too
        if got.dtype.kind == "f":
            np.testing.assert_array_equal(np.signbit(got), np.signbit(expected), err_msg=name)


@pytest.mark.parametrize("fmt", FORMATS)
def test_shared_storages_stay_shared_views(torch, tmp_path, fmt):
    base = torch.arange(24.0).reshape(4, 6)
    obj = {"base": base, "rows": base[1:3], "cols": base[:, ::2], "t": base.t(),
           "narrow": base.view(-1)[5:11], "expand": base[0, :1].expand(3, 4),
           "alone": torch.ones(3), "same": base}
    loaded = nl.load(torch_save(torch, obj, tmp_path / "views.pt", fmt))
    for key, t in obj.items():
        np.testing.assert_array_equal(loaded[key], t.numpy(), err_msg=key)
        assert loaded[key].strides == tuple(s * 4 for s in t.stride()), key
    for key in ("rows", "cols", "t", "narrow", "expand", "same"):
        assert np.shares_memory(loaded["base"], loaded[key]), key
    assert not np.shares_memory(loaded["base"], loaded["alone"])
    loaded["base"][1, 0] = -1.0                   # one storage, as in torch
    assert loaded["rows"][0, 0] == -1.0 and loaded["t"][0, 1] == -1.0


@pytest.mark.parametrize("fmt", FORMATS)
def test_containers_scalars_and_torch_objects(torch, tmp_path, fmt):
    obj = {"epoch": 7, "lr": 0.25, "name": "run-1", "done": False, "none": None,
           "shape": torch.Size([2, 3]), "device": torch.device("cpu"),
           "cuda": torch.device("cuda", 1), "dtype": torch.float16, "half": torch.bfloat16,
           "nested": [1, (2.5, "x"), {"k": [torch.zeros(2)]}], 3: "int key",
           "bytes": b"\x00\xffraw", "set": {1, 2}, "complex": 1 - 2j,
           "scalar": torch.tensor(3.5), "empty": torch.zeros(0, 4)}
    loaded = nl.load(torch_save(torch, obj, tmp_path / "misc.pt", fmt))
    assert list(loaded) == list(obj)
    for key in ("epoch", "lr", "name", "done", "none", "bytes", "set", "complex"):
        assert loaded[key] == obj[key] and type(loaded[key]) is type(obj[key]), key
    assert loaded[3] == "int key"
    assert isinstance(loaded["shape"], nl.Size) and loaded["shape"] == (2, 3)
    assert loaded["device"] == nl.device("cpu") and loaded["cuda"] == nl.device("cuda", 1)
    assert loaded["dtype"] == nl.float16 and loaded["half"] == nl.float32   # as it loads
    assert loaded["nested"][:2] == [1, (2.5, "x")]
    np.testing.assert_array_equal(loaded["nested"][2]["k"][0], np.zeros(2, np.float32))
    assert loaded["scalar"].shape == () and loaded["scalar"] == 3.5
    assert loaded["empty"].shape == (0, 4)


def test_parameters_and_conjugate_views(torch, tmp_path):
    p = torch.nn.Parameter(torch.randn(3, 2))
    c, d = torch.randn(4, dtype=torch.complex64), torch.randn(3, dtype=torch.complex64)
    obj = {"p": p, "conj": c.conj(), "neg": d.conj().imag}     # lazy conj and neg bits
    assert obj["conj"].is_conj() and obj["neg"].is_neg()
    loaded = nl.load(torch_save(torch, obj, tmp_path / "p.pt"))
    np.testing.assert_array_equal(loaded["p"], p.detach().numpy())
    assert type(loaded["p"]) is np.ndarray
    np.testing.assert_array_equal(loaded["conj"], c.conj().resolve_conj().numpy())
    np.testing.assert_array_equal(loaded["neg"], -d.imag.numpy())


def test_model_state_dict_loads_into_nnlite_model(torch, tmp_path):
    torch.manual_seed(0)
    ref = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4),
                              torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(16, 5))
    ref(torch.randn(2, 3, 4, 4))                       # running statistics move
    ref.eval()
    sd = nl.load(torch_save(torch, ref.state_dict(), tmp_path / "model.pth"))
    assert type(sd) is collections.OrderedDict and list(sd) == list(ref.state_dict())
    ours = nl.nn.Sequential(nl.nn.Conv2d(3, 4, 3), nl.nn.BatchNorm2d(4), nl.nn.ReLU(),
                            nl.nn.Flatten(), nl.nn.Linear(16, 5)).eval()
    ours.load_state_dict(sd)
    x = np.random.randn(2, 3, 4, 4).astype(np.float32)
    with torch.no_grad():
        expected = ref(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(nl.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_optimizer_state_loads_and_training_continues_as_in_torch(torch, tmp_path):
    rng = np.random.default_rng(0)
    init = [rng.standard_normal((3, 2)), rng.standard_normal(3)]
    grads = [[rng.standard_normal(a.shape) for a in init] for _ in range(6)]
    tparams = [torch.tensor(a, requires_grad=True) for a in init]
    topt = torch.optim.Adam(tparams, lr=0.01, betas=(0.8, 0.9))
    for step in grads[:3]:
        for p, g in zip(tparams, step):
            p.grad = torch.from_numpy(g)
        topt.step()
    path = torch_save(torch, {"model": [p.detach() for p in tparams],
                              "optimizer": topt.state_dict(), "epoch": 3}, tmp_path / "ck.pt")
    ck = nl.load(path)
    state = ck["optimizer"]
    assert sorted(state["state"]) == [0, 1] and state["param_groups"][0]["params"] == [0, 1]
    assert state["param_groups"][0]["betas"] == (0.8, 0.9)
    assert state["state"][0]["step"].shape == ()
    np.testing.assert_array_equal(state["state"][1]["exp_avg"],
                                  topt.state_dict()["state"][1]["exp_avg"].numpy())

    params = [nl.nn.Parameter(nl.tensor(a)) for a in ck["model"]]
    opt = nl.optim.Adam(params, lr=0.5)
    opt.load_state_dict(state)                         # lr and betas come from the file
    for step in grads[3:]:
        for p, t, g in zip(params, tparams, step):
            p.grad = nl.tensor(g)
            t.grad = torch.from_numpy(g)
        opt.step()
        topt.step()
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_resnet18_from_a_torch_file_gives_torchs_logits(torch, tmp_path):
    """A torchvision-layout ResNet-18 saved by torch.save, loaded by nnlite without torch,
    into nnlite.models.resnet18: the logits equal torch's to 1e-6 (float64)."""
    from .models._torch_reference import REFERENCES
    torch.manual_seed(0)
    ref = REFERENCES["resnet18"]()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():                  # non-trivial BatchNorm statistics, so eval counts
        for m in ref.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
    ref = ref.double().eval()
    path = torch_save(torch, ref.state_dict(), tmp_path / "resnet18.pth")

    ours = models.resnet18().double().eval()
    result = ours.load_state_dict(nl.load(path))
    assert not result.missing_keys and not result.unexpected_keys
    x = np.random.default_rng(0).standard_normal((2, 3, 32, 32))
    with torch.no_grad():
        expected = ref(torch.from_numpy(x)).numpy()
    with nl.no_grad():
        got = ours(nl.tensor(x)).numpy()
    assert got.dtype == np.float64 and got.shape == (2, 1000)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_loading_never_imports_torch(torch, tmp_path, monkeypatch):
    path = torch_save(torch, {"w": torch.ones(2, 3), "b": torch.zeros(3, dtype=torch.bfloat16)},
                      tmp_path / "w.pt")
    legacy = torch_save(torch, {"w": torch.ones(2)}, tmp_path / "legacy.pt", "legacy")
    monkeypatch.setitem(sys.modules, "torch", None)       # ``import torch`` now fails
    assert nl.load(path)["w"].shape == (2, 3)
    assert nl.load(legacy)["w"].shape == (2,)


def test_mmap_maps_storages_copy_on_write(torch, tmp_path):
    path = torch_save(torch, {"w": torch.arange(6.0), "h": torch.ones(2, dtype=torch.bfloat16)},
                      tmp_path / "m.pt")
    before = path.read_bytes()
    loaded = nl.load(path, mmap=True)
    base = loaded["w"]
    while base is not None and not isinstance(base, np.memmap):
        base = getattr(base, "base", None)
    assert isinstance(base, np.memmap)
    loaded["w"][0] = 42.0                             # writable, and the file is unchanged
    assert path.read_bytes() == before
    np.testing.assert_array_equal(loaded["h"], [1.0, 1.0])


def test_load_arguments_on_torch_files(torch, tmp_path):
    path = torch_save(torch, {"w": torch.ones(2)}, tmp_path / "w.pt")
    for kw in [{"map_location": "cpu"}, {"map_location": {"cuda:0": "cpu"}},
               {"map_location": torch.device("cpu")}, {"weights_only": True},
               {"encoding": "latin1"}]:
        np.testing.assert_array_equal(nl.load(path, **kw)["w"], [1.0, 1.0])
    assert nl.load(path, map_location=lambda a, loc: a * 3)["w"].tolist() == [3.0, 3.0]
    with pytest.raises(RuntimeError, match="CPU"):
        nl.load(path, map_location="cuda:0")
    with pytest.raises(ValueError, match="weights_only=False"):
        nl.load(path, weights_only=False)


def test_file_objects_from_any_position(torch, tmp_path):
    for fmt in FORMATS:
        buf = io.BytesIO()
        buf.write(b"header bytes before the checkpoint")
        torch.save({"w": torch.arange(3)}, buf, _use_new_zipfile_serialization=(fmt == "zip"))
        buf.seek(len(b"header bytes before the checkpoint"))
        np.testing.assert_array_equal(nl.load(buf)["w"], [0, 1, 2])


def test_user_classes_load_only_when_allowed(torch, tmp_path):
    path = torch_save(torch, {"config": Config(depth=18, dtype=torch.float64),
                              "w": torch.ones(1)}, tmp_path / "c.pt")
    with pytest.raises(pickle.UnpicklingError, match=r"test_torch_format\.Config.*"
                                                     r"add_safe_globals"):
        nl.load(path)
    with safe_globals([Config]):
        loaded = nl.load(path)
    assert isinstance(loaded["config"], Config) and loaded["config"].depth == 18
    assert loaded["config"].dtype == np.float64
    with pytest.raises(pickle.UnpicklingError):                   # the list was restored
        nl.load(path)


class Config:
    def __init__(self, depth, dtype):
        self.depth, self.dtype = depth, dtype


# =============================================================================
# payloads: refused, and never run
# =============================================================================

def _touch(path):
    """A payload's side effect, in a module the allow-list does not name."""
    open(path, "w").close()


class Payload:
    def __init__(self, call, *args):
        self.call, self.args = call, args

    def __reduce__(self):
        return (self.call, self.args)


def _payloads(marker):
    import subprocess
    return {
        "posix.system": Payload(os.system, f"touch {marker}"),
        "builtins.eval": Payload(eval, f"open({str(marker)!r}, 'w')"),
        "builtins.exec": Payload(exec, f"open({str(marker)!r}, 'w')"),
        "subprocess.call": Payload(subprocess.call, ["touch", str(marker)]),
        "tests.test_torch_format._touch": Payload(_touch, str(marker)),
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("protocol", [2, 4])
def test_payloads_are_refused_and_never_run(torch, tmp_path, fmt, protocol):
    marker = tmp_path / "pwned"
    for name, payload in _payloads(marker).items():
        path = tmp_path / "evil.pt"
        torch_save(torch, {"w": torch.ones(2), "x": payload}, path, fmt,
                   pickle_protocol=protocol)
        with pytest.raises(pickle.UnpicklingError, match=name.replace(".", r"\.")) as info:
            nl.load(path)
        assert isinstance(info.value, ValueError)
        assert "evil.pt" in str(info.value)
        assert not marker.exists(), f"{name} ran"


def test_blocked_modules_stay_refused_when_allowed(torch, tmp_path):
    marker = tmp_path / "pwned"
    path = torch_save(torch, [Payload(os.system, f"touch {marker}")], tmp_path / "evil.pt")
    with safe_globals([os.system, (os.system, "os.system")]):
        with pytest.raises(pickle.UnpicklingError, match="never loaded"):
            nl.load(path)
    assert not marker.exists()


# ---- files written byte by byte (no torch needed) ----------------------------------------

def G(module, name):
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def S(text):
    raw = text.encode()
    return b"X" + len(raw).to_bytes(4, "little") + raw


def I(n):
    return b"J" + n.to_bytes(4, "little", signed=True)


def L(n):
    raw = n.to_bytes(8, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw


PROTO, STOP, MARK, TUPLE, REDUCE = b"\x80\x02", b".", b"(", b"t", b"R"


def tensor_pickle(numel=4, size=(4,), stride=(1,), offset=0, storage_class="FloatStorage"):
    """A pickle of {"w": tensor} as torch writes it, with its storage '0'."""
    def ints(xs):
        return MARK + b"".join(I(x) for x in xs) + TUPLE
    storage = (MARK + S("storage") + G("torch", storage_class) + S("0") + S("cpu") + I(numel)
               + TUPLE + b"Q")
    args = (MARK + storage + I(offset) + ints(size) + ints(stride) + b"\x89"
            + G("collections", "OrderedDict") + b")" + REDUCE + TUPLE)
    return (PROTO + b"}" + S("w") + G("torch._utils", "_rebuild_tensor_v2") + args + REDUCE
            + b"s" + STOP)


def torch_zip(path, pickled, records=None, byteorder=b"little"):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("archive/data.pkl", pickled)
        zf.writestr("archive/byteorder", byteorder)
        for name, data in (records or {}).items():
            zf.writestr(f"archive/data/{name}", data)
        zf.writestr("archive/version", b"3\n")
    return path


def test_a_handwritten_file_loads_without_torch(tmp_path):
    data = np.arange(4, dtype="<f4")
    path = torch_zip(tmp_path / "w.pt", tensor_pickle(), {"0": data.tobytes()})
    np.testing.assert_array_equal(nl.load(path)["w"], data)
    big = torch_zip(tmp_path / "big.pt", tensor_pickle(), {"0": data.astype(">f4").tobytes()},
                    byteorder=b"big")
    loaded = nl.load(big)["w"]
    assert loaded.dtype == np.float32 and loaded.dtype.isnative
    np.testing.assert_array_equal(loaded, data)


def test_stand_ins_cannot_be_changed_by_the_file(tmp_path):
    target = _torch_format._GLOBALS["torch._utils._rebuild_tensor_v2"]
    state_dict = b"}" + S("value") + G("builtins", "set") + b"s"
    for state in (state_dict, b"N" + state_dict + b"\x86"):      # __dict__, then slots
        path = torch_zip(tmp_path / "b.pt", PROTO + G("torch._utils", "_rebuild_tensor_v2")
                         + state + b"b" + STOP)
        with pytest.raises(ValueError):
            nl.load(path)
    assert target.value is _torch_format._rebuild_tensor_v2


@pytest.mark.parametrize("pickled, message", [
    (PROTO + G("builtins", "bytearray") + L(10**15) + b"\x85" + REDUCE + STOP, "bytearray"),
    (PROTO + b"N" + b"r" + (2**32 - 1).to_bytes(4, "little") + STOP, "memo index"),
    (PROTO + G("torch", "Tensor") + b")" + b"\x81" + STOP, "NEWOBJ"),
    (PROTO + MARK + S("module") + S("x") + TUPLE + b"Q" + STOP, "not a storage"),
    (PROTO + G("torch", "FloatStorage") + b")" + REDUCE + STOP, "not a function"),
    (PROTO + S("os") + S("system") + b"\x93" + STOP, r"'os\.system'"),   # STACK_GLOBAL
    (PROTO + G("torch._utils", "_rebuild_qtensor") + b")" + REDUCE + STOP, "quantized"),
    (PROTO + b"]", "STOP"),                                              # truncated
    (tensor_pickle(storage_class="QInt8Storage"), "quantized"),
])
def test_malicious_or_unsupported_pickles_raise_clear_errors(tmp_path, pickled, message):
    path = torch_zip(tmp_path / "bad.pt", pickled, {"0": bytes(16)})
    with pytest.raises(ValueError, match=message) as info:
        nl.load(path)
    assert "bad.pt" in str(info.value)


@pytest.mark.parametrize("kwargs, records, message", [
    ({}, {}, "record 'data/0' is missing"),
    ({}, {"0": bytes(12)}, "holds 12 bytes, its storage 16"),
    ({"size": (5,)}, {"0": bytes(16)}, "reaches element 4 of a storage of 4"),
    ({"size": (2, 2), "stride": (3, 1)}, {"0": bytes(16)}, "reaches element 4"),
    ({"offset": -1}, {"0": bytes(16)}, "offset -1"),
    ({"size": (2,), "stride": (1, 1)}, {"0": bytes(16)}, "stride"),
])
def test_inconsistent_tensors_and_storages_raise(tmp_path, kwargs, records, message):
    path = torch_zip(tmp_path / "bad.pt", tensor_pickle(**kwargs), records)
    with pytest.raises(ValueError, match=message):
        nl.load(path)


def test_corrupt_and_other_archives(torch, tmp_path):
    path = torch_save(torch, {"w": torch.randn(1000)}, tmp_path / "w.pt")
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 40):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=r"w\.pt"):
            nl.load(path)
    flipped = bytearray(data)
    flipped[data.index(b"/data/0") + 200] ^= 0xFF   # inside the storage's bytes
    path.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="CRC|corrupt"):
        nl.load(path)

    legacy = torch_save(torch, {"w": torch.randn(100)}, tmp_path / "l.pt", "legacy")
    ldata = legacy.read_bytes()
    legacy.write_bytes(ldata[:-50])
    with pytest.raises(ValueError, match=r"l\.pt.*legacy"):
        nl.load(legacy)

    script = torch_zip(tmp_path / "script.pt", tensor_pickle(), {"0": bytes(16)})
    with zipfile.ZipFile(script, "a") as zf:           # what torch.jit.save adds
        zf.writestr("archive/constants.pkl", PROTO + b")" + STOP)
        zf.writestr("archive/code/__torch__.py", b"class Linear(Module): ...")
    with pytest.raises(ValueError, match="TorchScript"):
        nl.load(script)

    tar = tmp_path / "old.tar"
    with tarfile.open(tar, "w") as tf:
        tf.add(legacy, arcname="pickle")
    with pytest.raises(ValueError, match="tar archive"):
        nl.load(tar)


@pytest.mark.parametrize("fmt", FORMATS)
def test_damaged_files_raise_value_errors_only(torch, fmt):
    """Seeded random damage (bytes overwritten, cut out, the file cut short) to a
    state_dict and an optimizer state: each load succeeds or raises a ValueError."""
    import random
    sd = collections.OrderedDict(a=torch.randn(3, 4), b=torch.arange(5),
                                 c=torch.ones(2, dtype=torch.bfloat16))
    sd["view"] = sd["a"][1:]
    opt = {"state": {0: {"step": torch.tensor(2.0), "m": torch.zeros(3)}},
           "param_groups": [{"lr": 0.1, "betas": (0.9, 0.99), "params": [0]}]}
    files = []
    for obj in (sd, opt):
        buf = io.BytesIO()
        torch.save(obj, buf, _use_new_zipfile_serialization=(fmt == "zip"))
        files.append(buf.getvalue())
    rng = random.Random(0)
    for _ in range(400):
        data = bytearray(rng.choice(files))
        kind = rng.random()
        if kind < 0.5:
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind < 0.8:
            cut = rng.randrange(len(data))
            del data[cut:cut + rng.randint(1, 20)]
        else:
            del data[rng.randrange(len(data)):]
        try:
            nl.load(io.BytesIO(bytes(data)))
        except ValueError:
            pass


def test_refused_error_is_an_unpickling_and_a_value_error():
    assert issubclass(_torch_format.RefusedError, pickle.UnpicklingError)
    assert issubclass(_torch_format.RefusedError, ValueError)


def test_safe_globals_helpers_round_trip():
    clear_safe_globals()
    add_safe_globals([Config])
    try:
        assert "tests.test_torch_format.Config" in _torch_format._user_globals()
    finally:
        clear_safe_globals()
