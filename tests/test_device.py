"""The device idiom on a CPU-only library (nnlite/devices.py and the device parts of
tensor.py, nn/module.py, factories.py, cuda/, accelerator.py, backends/, nn/parallel/):
what a PyTorch program writes about devices runs, and asking for a GPU raises one error."""
import pickle

import numpy as np
import pytest

import nnlite as nl
from nnlite import nn
from nnlite.devices import DeviceError


# ---- nl.device ----------------------------------------------------------------------------
@pytest.mark.parametrize("args,type_,index,text", [
    (("cpu",), "cpu", None, "cpu"),
    (("cpu", 0), "cpu", 0, "cpu:0"),
    (("cuda",), "cuda", None, "cuda"),
    (("cuda:1",), "cuda", 1, "cuda:1"),
    (("mps",), "mps", None, "mps"),
])
def test_device_objects_like_torch(torch, args, type_, index, text):
    d, t = nl.device(*args), torch.device(*args)
    assert (d.type, d.index, str(d), repr(d)) == (t.type, t.index, str(t), repr(t))
    assert (d.type, d.index, str(d)) == (type_, index, text)
    assert nl.device(d) == d and hash(nl.device(*args)) == hash(d)
    assert pickle.loads(pickle.dumps(d)) == d


def test_device_equality_and_errors_follow_torch():
    assert nl.device("cpu") != nl.device("cpu", 0)           # as torch: index matters
    assert nl.device("cuda:0") == nl.device("cuda", 0)
    assert (nl.device("cpu") == "cpu") is False              # as torch: no str equality
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        nl.device("gpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        nl.device("cuda:x")
    with pytest.raises(RuntimeError, match="must not be negative"):
        nl.device("cuda", -1)
    with pytest.raises(RuntimeError, match="must not include an index"):
        nl.device("cpu:0", 1)
    with pytest.raises(TypeError):
        nl.device(None)
    with pytest.raises(AttributeError):
        nl.device("cpu").type = "cuda"


def test_device_context_manager():
    with nl.device("cpu"):
        assert nl.zeros(1).device == nl.device("cpu")
    with pytest.raises(DeviceError, match="CPU only"):
        with nl.device("cuda"):
            pass


def test_default_device():
    nl.set_default_device("cpu")
    nl.set_default_device(None)
    assert nl.get_default_device() == nl.device("cpu")
    with pytest.raises(DeviceError):
        nl.set_default_device("cuda")


def test_device_error_is_runtime_and_value_error():
    assert issubclass(DeviceError, RuntimeError) and issubclass(DeviceError, ValueError)
    assert nl.DeviceError is DeviceError


# ---- device= on every factory ----------------------------------------------------------------
FACTORIES = {
    "tensor": lambda d: nl.tensor([1.0, 2.0], device=d),
    "as_tensor": lambda d: nl.as_tensor([1.0], device=d),
    "zeros": lambda d: nl.zeros(2, 3, device=d),
    "ones": lambda d: nl.ones(2, device=d),
    "empty": lambda d: nl.empty(2, device=d),
    "full": lambda d: nl.full((2,), 3.0, device=d),
    "zeros_like": lambda d: nl.zeros_like(nl.ones(2), device=d),
    "ones_like": lambda d: nl.ones_like(nl.ones(2), device=d),
    "empty_like": lambda d: nl.empty_like(nl.ones(2), device=d),
    "full_like": lambda d: nl.full_like(nl.ones(2), 7, device=d),
    "rand_like": lambda d: nl.rand_like(nl.ones(2), device=d),
    "randn_like": lambda d: nl.randn_like(nl.ones(2), device=d),
    "randint_like": lambda d: nl.randint_like(nl.ones(2), 5, device=d),
    "arange": lambda d: nl.arange(5, device=d),
    "linspace": lambda d: nl.linspace(0, 1, 5, device=d),
    "logspace": lambda d: nl.logspace(0, 1, 5, device=d),
    "eye": lambda d: nl.eye(3, device=d),
    "rand": lambda d: nl.rand(2, device=d),
    "randn": lambda d: nl.randn(2, device=d),
    "randint": lambda d: nl.randint(0, 5, (2,), device=d),
    "randperm": lambda d: nl.randperm(4, device=d),
    "normal": lambda d: nl.normal(0.0, 1.0, (2,), device=d),
    "FloatTensor": lambda d: nl.FloatTensor([1.0], device=d),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("device", [None, "cpu", "cpu:0", nl.device("cpu"), nl.device("cpu", 0)])
def test_every_factory_accepts_the_cpu(name, device):
    t = FACTORIES[name](device)
    assert t.device == nl.device("cpu") and not t.is_cuda and t.is_cpu


@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("device", ["cuda", "cuda:0", nl.device("cuda", 1), "mps", 0])
def test_every_factory_refuses_a_gpu_with_one_clear_error(name, device):
    with pytest.raises(DeviceError, match=r"nnlite runs on the CPU only, got device '(cuda|mps)"):
        FACTORIES[name](device)


def test_layers_raise_the_same_error():
    for make in (lambda: nn.Linear(2, 2, device="cuda"), lambda: nn.Embedding(3, 2, device="cuda"),
                 lambda: nn.Conv2d(1, 1, 3, device="mps"), lambda: nn.LSTM(2, 3, device="cuda")):
        with pytest.raises(DeviceError, match="CPU only"):
            make()
    assert nn.Linear(2, 2, device=nl.device("cpu")).weight.device == nl.device("cpu")


def test_pin_memory_needs_an_accelerator():
    assert nl.zeros(2, pin_memory=False).shape == (2,)
    with pytest.raises(RuntimeError, match="pin_memory"):
        nl.tensor([1.0], pin_memory=True)


# ---- Tensor.to and friends -------------------------------------------------------------------
def test_tensor_device_attributes_match_torch(torch):
    x, t = nl.zeros(2), torch.zeros(2)
    assert x.device == nl.device("cpu") and repr(x.device) == repr(t.device)
    assert (x.is_cuda, x.is_cpu, x.get_device()) == (t.is_cuda, t.is_cpu, t.get_device())
    assert x.cpu() is x


def test_tensor_to_returns_self_when_nothing_changes_as_torch(torch):
    x, t = nl.zeros(2), torch.zeros(2)
    cases = [  # (nnlite call, torch call)
        (lambda a, lib: a.to("cpu"), True), (lambda a, lib: a.to(lib.float32), True),
        (lambda a, lib: a.to("cpu", lib.float32), True),
        (lambda a, lib: a.to(device="cpu", dtype=lib.float32, non_blocking=True), True),
        (lambda a, lib: a.to(lib.zeros(1)), True), (lambda a, lib: a.to(), True),
        (lambda a, lib: a.to(lib.device("cpu")), True),
        (lambda a, lib: a.to(lib.float32, copy=True), False),
        (lambda a, lib: a.to(lib.float32, False, True), False),
        (lambda a, lib: a.to(lib.float64), False),
    ]
    for call, same in cases:
        assert (call(x, nl) is x) == (call(t, torch) is t) == same


@pytest.mark.parametrize("call,dtype", [
    (lambda x: x.to(nl.float64), np.float64),
    (lambda x: x.to("cpu", nl.int64), np.int64),
    (lambda x: x.to(nl.device("cpu"), dtype=nl.float16), np.float16),
    (lambda x: x.to(dtype=nl.int32), np.int32),
    (lambda x: x.to(nl.zeros(1, dtype=nl.float64)), np.float64),
    (lambda x: x.to(float), np.float64),
    (lambda x: x.to("cpu", dtype="float64"), np.float64),
])
def test_tensor_to_dtype_forms(call, dtype):
    y = call(nl.tensor([1.5, -2.0]))
    assert y.dtype == dtype and y.device == nl.device("cpu")


def test_tensor_to_copy_is_a_new_tensor_and_differentiable():
    x = nl.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(nl.float32, copy=True)
    assert y is not x and not np.shares_memory(y.numpy(), x.numpy())
    (y * 3).sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [3, 3])
    z = x.to(nl.float64)
    (z * z).sum().backward()
    assert x.grad.dtype == np.float32


def test_tensor_to_refuses_gpus_and_bad_arguments():
    x = nl.zeros(2)
    for bad in (lambda: x.to("cuda"), lambda: x.to("cuda:1", nl.float64), lambda: x.to(0),
                lambda: x.to(device=nl.device("mps")), lambda: x.cuda(), lambda: x.cuda(1)):
        with pytest.raises(DeviceError, match="CPU only"):
            bad()
    with pytest.raises(RuntimeError, match="Invalid device string: 'float32'"):
        x.to("float32")                                   # as torch: a string is a device
    with pytest.raises(TypeError, match="unexpected keyword"):
        x.to(foo=1)
    with pytest.raises(TypeError):
        x.to(nl.float64, nl.float32)
    with pytest.raises(TypeError, match="bfloat16 is not supported"):
        x.to(nl.bfloat16)


def test_tensor_type_names_like_torch(torch):
    for dt in ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8",
               "bool"):
        assert nl.zeros(2, dtype=dt).type() == torch.zeros(2, dtype=getattr(torch, dt)).type()
    x = nl.zeros(2)
    assert x.type(nl.float32) is x and x.type("torch.FloatTensor") is x
    assert x.type("torch.LongTensor").dtype == np.int64
    assert x.type(nl.DoubleTensor).type() == "torch.DoubleTensor"
    assert x.type(dtype=nl.int32, non_blocking=True).dtype == np.int32
    with pytest.raises(ValueError, match="invalid type"):
        x.type("float")
    with pytest.raises(DeviceError):
        x.type("torch.cuda.FloatTensor")


# ---- Module.to and friends --------------------------------------------------------------------
def test_module_device_idiom():
    device = nl.device("cuda" if nl.cuda.is_available() else "cpu")
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).to(device)
    assert model.to(device, non_blocking=True) is model and model.cpu() is model
    x = nl.randn(5, 3).to(device)
    assert model(x).device == device
    assert model.to(nl.float64) is model and model[0].weight.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64          # integer buffers stay
    model.to(device=device, dtype=nl.float32)
    assert model[0].weight.dtype == np.float32
    model.to(nl.zeros(1, dtype=nl.float64))
    assert model[0].weight.dtype == np.float64


def test_module_refuses_gpus_and_integer_dtypes():
    m = nn.Linear(2, 2)
    for bad in (lambda: m.cuda(), lambda: m.cuda(0), lambda: m.to("cuda"),
                lambda: m.to("mps"), lambda: m.to(device="cuda:0")):
        with pytest.raises(DeviceError, match="CPU only"):
            bad()
    with pytest.raises(TypeError, match="floating point"):
        m.to(nl.int64)


# ---- nl.cuda, nl.accelerator, nl.backends -----------------------------------------------------
def test_cuda_namespace_answers_for_a_cpu_only_library():
    assert nl.cuda.is_available() is False and nl.cuda.device_count() == 0
    assert nl.cuda.is_initialized() is False and nl.cuda.is_bf16_supported() is False
    a = nl.manual_seed(0).random()
    nl.manual_seed(0)
    nl.cuda.manual_seed(123)                   # no-ops: they do not touch nnlite's generator
    nl.cuda.manual_seed_all(123)
    nl.cuda.seed(), nl.cuda.seed_all(), nl.cuda.synchronize(), nl.cuda.empty_cache()
    assert nl.random.default_generator().random() == a
    assert nl.cuda.memory_allocated() == nl.cuda.max_memory_allocated() == 0
    assert nl.cuda.memory_reserved() == nl.cuda.max_memory_reserved() == 0
    nl.cuda.reset_peak_memory_stats()
    for bad in (nl.cuda.current_device, lambda: nl.cuda.set_device(0),
                nl.cuda.get_device_name, nl.cuda.get_device_capability):
        with pytest.raises(DeviceError):
            bad()
    with pytest.raises(TypeError):
        nl.cuda.manual_seed("0")


def test_accelerator_matches_torch_on_a_cpu_machine(torch):
    assert nl.accelerator.is_available() is torch.accelerator.is_available() is False
    assert nl.accelerator.current_accelerator() is None
    assert nl.accelerator.current_accelerator(check_available=True) is None
    assert nl.accelerator.device_count() == torch.accelerator.device_count() == 0
    for name in ("current_device_index", "synchronize", "empty_cache"):
        with pytest.raises(RuntimeError, match="Cannot access accelerator"):
            getattr(nl.accelerator, name)()
    with nl.accelerator.device_index(None):
        pass
    with pytest.raises(RuntimeError, match="Cannot access accelerator"):
        nl.accelerator.device_index(0)


def test_backend_flags_are_settable_and_read_back(monkeypatch):
    cudnn = nl.backends.cudnn
    for name, default in (("benchmark", False), ("deterministic", False), ("enabled", True),
                          ("allow_tf32", True)):
        assert getattr(cudnn, name) is default
        monkeypatch.setattr(cudnn, name, not default)
        assert getattr(cudnn, name) is (not default)
    assert cudnn.is_available() is False and cudnn.version() is None
    monkeypatch.setattr(cudnn, "benchmark", False)
    with cudnn.flags(enabled=True, benchmark=True):
        assert cudnn.benchmark is True
    assert cudnn.benchmark is False
    assert nl.backends.mps.is_available() is False and nl.backends.mps.is_built() is False
    assert nl.backends.cuda.is_built() is False


def test_tf32_flag_and_matmul_precision_are_tied_as_in_torch():
    try:
        assert nl.get_float32_matmul_precision() == "highest"
        assert nl.backends.cuda.matmul.allow_tf32 is False
        nl.backends.cuda.matmul.allow_tf32 = True
        assert nl.get_float32_matmul_precision() == "high"
        nl.set_float32_matmul_precision("medium")
        assert nl.backends.cuda.matmul.allow_tf32 is True
        with pytest.warns(UserWarning, match="has no effect"):
            nl.set_float32_matmul_precision("fast")
        assert nl.get_float32_matmul_precision() == "medium"
        nl.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = False
        assert nl.backends.cuda.matmul.allow_fp16_reduced_precision_reduction is False
        with pytest.raises(AttributeError, match="Unknown attribute"):
            nl.backends.cuda.matmul.allow_everything = True
        nl.backends.cuda.enable_flash_sdp(False)
        assert nl.backends.cuda.flash_sdp_enabled() is False
    finally:
        nl.set_float32_matmul_precision("highest")
        nl.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = True
        nl.backends.cuda.enable_flash_sdp(True)


# ---- nn.DataParallel -----------------------------------------------------------------------------
def test_data_parallel_is_an_identity_wrapper_with_torchs_keys(torch):
    inner = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    model = nn.DataParallel(inner)
    assert nn.DataParallel is nn.parallel.DataParallel and model.module is inner
    ref = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(),
                                                    torch.nn.Linear(3, 2)))
    assert list(model.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in ref.named_parameters()]
    x = nl.randn(8, 4)
    np.testing.assert_array_equal(model(x).numpy(), inner(x).numpy())
    model(x).sum().backward()
    assert inner[0].weight.grad is not None
    assert list(model.module.state_dict()) == list(inner.state_dict())
    np.testing.assert_array_equal(nn.parallel.data_parallel(inner, x).numpy(), inner(x).numpy())
    assert nn.DataParallel(inner, device_ids=[0, 1]).device_ids == ref.device_ids == []
    with pytest.raises(TypeError, match="nn.Module"):
        nn.DataParallel(lambda v: v)


# ---- a torch program with its device lines, run by both libraries ----------------------------
PROGRAM = '''
import torch
import torch.nn as nn
from torch.autograd import Variable

torch.backends.cudnn.benchmark = True
torch.set_num_threads(1)
use_cuda = torch.cuda.is_available()
device = torch.device("cuda" if use_cuda else "cpu")
torch.manual_seed(0)
if use_cuda:
    torch.cuda.manual_seed_all(0)

model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
model.load_state_dict({k: torch.from_numpy(v) for k, v in init.items()})
if torch.cuda.device_count() > 1:
    model = nn.DataParallel(model)
model = model.to(device)
opt = torch.optim.SGD(model.parameters(), lr=0.5)
scaler = torch.amp.GradScaler("cuda", enabled=use_cuda)
x = torch.tensor(xs, device=device)
y = torch.LongTensor(ys).to(device)
losses = []
for step in range(5):
    inputs, targets = Variable(x), Variable(y)
    opt.zero_grad()
    with torch.autocast(device_type=device.type, enabled=use_cuda):
        loss = nn.functional.cross_entropy(model(inputs), targets)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    if use_cuda:
        torch.cuda.synchronize()
    losses.append(loss.item())
result = model.cpu()(x.cpu()).detach().numpy()
'''


def test_a_torch_program_with_device_lines_runs_unchanged(torch, restore_blas_threads):
    rng = np.random.default_rng(0)
    init = {"0.weight": rng.standard_normal((8, 4)).astype(np.float32) * 0.5,
            "0.bias": np.zeros(8, np.float32),
            "2.weight": rng.standard_normal((3, 8)).astype(np.float32) * 0.5,
            "2.bias": np.zeros(3, np.float32)}
    xs = rng.standard_normal((16, 4)).astype(np.float32).tolist()
    ys = rng.integers(0, 3, 16).tolist()
    runs = {}
    for name, lib in (("torch", torch), ("nnlite", nl)):
        scope = {"init": {k: v.copy() for k, v in init.items()}, "xs": xs, "ys": ys}
        source = PROGRAM if name == "torch" else (
            PROGRAM.replace("import torch.nn as nn", "import nnlite.nn as nn")
                   .replace("from torch.autograd", "from nnlite.autograd")
                   .replace("import torch\n", "import nnlite as torch\n"))
        exec(compile(source, f"<{name} program>", "exec"), scope)
        runs[name] = scope
    assert runs["nnlite"]["losses"][-1] < runs["nnlite"]["losses"][0]
    np.testing.assert_allclose(runs["nnlite"]["losses"], runs["torch"]["losses"], rtol=1e-5)
    np.testing.assert_allclose(runs["nnlite"]["result"], runs["torch"]["result"], rtol=1e-4,
                               atol=1e-5)


@pytest.fixture
def restore_blas_threads(torch):
    before, torch_before = nl.get_num_threads(), torch.get_num_threads()
    yield
    nl.set_num_threads(before)
    torch.set_num_threads(torch_before)


def test_deterministic_algorithms_switch_like_torch(torch):
    try:
        for lib in (nl, torch):
            assert lib.are_deterministic_algorithms_enabled() is False
            lib.use_deterministic_algorithms(True, warn_only=True)
            assert lib.are_deterministic_algorithms_enabled() is True
            assert lib.is_deterministic_algorithms_warn_only_enabled() is True
    finally:
        nl.use_deterministic_algorithms(False)
        torch.use_deterministic_algorithms(False)
    with pytest.raises(TypeError):
        nl.use_deterministic_algorithms(1)
