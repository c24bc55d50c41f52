"""torch's import paths and small namespaces: nn.modules.*, serialization's safe globals,
nl.multiprocessing and autograd.Variable -- each reached as a torch program reaches it."""
import importlib
import multiprocessing
import warnings

import numpy as np
import pytest

import nnlite as nl
from nnlite import nn

# (torch's submodule of torch.nn.modules, names a program imports from it)
NN_MODULES = [
    ("module", ["Module"]),
    ("linear", ["Linear", "Bilinear", "Identity"]),
    ("flatten", ["Flatten", "Unflatten"]),
    ("conv", ["Conv1d", "Conv2d", "ConvTranspose2d", "_ConvNd"]),
    ("activation", ["ReLU", "GELU", "Tanh", "Softmax", "MultiheadAttention"]),
    ("loss", ["CrossEntropyLoss", "MSELoss", "NLLLoss", "_Loss", "_WeightedLoss"]),
    ("batchnorm", ["BatchNorm1d", "BatchNorm2d", "_BatchNorm"]),
    ("normalization", ["LayerNorm", "GroupNorm", "LocalResponseNorm"]),
    ("dropout", ["Dropout", "Dropout2d", "_DropoutNd"]),
    ("container", ["Sequential", "ModuleList", "ModuleDict", "ParameterList"]),
    ("rnn", ["RNN", "LSTM", "GRU", "LSTMCell", "RNNBase"]),
    ("sparse", ["Embedding", "EmbeddingBag"]),
    ("pooling", ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "_MaxPoolNd"]),
    ("padding", ["ZeroPad2d", "ReflectionPad2d"]),
    ("upsampling", ["Upsample"]),
    ("transformer", ["Transformer", "TransformerEncoder", "TransformerEncoderLayer"]),
]


@pytest.mark.parametrize("sub,names", NN_MODULES)
def test_nn_modules_paths_reexport_the_same_objects(torch, sub, names):
    ours = importlib.import_module(f"nnlite.nn.modules.{sub}")
    theirs = importlib.import_module(f"torch.nn.modules.{sub}")
    for name in names:
        assert hasattr(theirs, name), f"torch.nn.modules.{sub} has no {name}"
        obj = getattr(ours, name)
        if not name.startswith("_"):
            assert obj is getattr(nn, name)
            assert getattr(nl.nn.modules, name) is obj
    assert all(hasattr(ours, n) for n in ours.__all__)


def test_custom_loss_on_the_torch_base_class():
    from nnlite.nn.modules.loss import _Loss

    class Halved(_Loss):
        def forward(self, input, target):
            return ((input - target) ** 2).mean() / 2

    loss = Halved()(nl.ones(3), nl.zeros(3))
    assert loss.item() == 0.5


# ---- serialization's allow-list ---------------------------------------------------------------
class Config:
    pass


def test_safe_globals_are_recorded_and_restored(tmp_path):
    s = nl.serialization
    s.clear_safe_globals()
    try:
        s.add_safe_globals([Config, (len, "builtins.len")])
        s.add_safe_globals([Config])                           # no duplicates
        assert s.get_safe_globals() == [Config, (len, "builtins.len")]
        nl.save({"w": nl.ones(2).numpy()}, tmp_path / "ck.npz")
        with s.safe_globals([int]):
            assert int in s.get_safe_globals()
            assert nl.load(tmp_path / "ck.npz")["w"].tolist() == [1.0, 1.0]
        assert int not in s.get_safe_globals()
        with pytest.raises(TypeError, match="list"):
            s.add_safe_globals(Config)
        with pytest.raises(TypeError, match="callable"):
            s.add_safe_globals(["not callable"])
    finally:
        s.clear_safe_globals()
    assert s.get_safe_globals() == []


# ---- multiprocessing ----------------------------------------------------------------------
def test_multiprocessing_is_the_stdlib_plus_torchs_sharing_strategy(torch):
    import nnlite.multiprocessing as mp
    import torch.multiprocessing as tmp
    assert mp.Process is multiprocessing.Process and mp.Queue is multiprocessing.Queue
    assert mp.cpu_count() == multiprocessing.cpu_count()
    assert mp.get_start_method is multiprocessing.get_start_method
    assert mp.set_start_method is multiprocessing.set_start_method
    assert set(tmp.__all__) <= set(mp.__all__)
    assert mp.get_all_sharing_strategies() == tmp.get_all_sharing_strategies()
    assert mp.get_sharing_strategy() == tmp.get_sharing_strategy()
    old = mp.get_sharing_strategy()
    try:
        mp.set_sharing_strategy("file_system")
        assert mp.get_sharing_strategy() == "file_system"
    finally:
        mp.set_sharing_strategy(old)
    with pytest.raises(ValueError, match="new_strategy"):
        mp.set_sharing_strategy("shared_memory")
    assert nl.multiprocessing is mp


def _square(q, x):
    q.put(x * x)


def test_multiprocessing_runs_a_process():
    import nnlite.multiprocessing as mp
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_square, args=(q, 7))
    p.start()
    assert q.get(timeout=60) == 49
    p.join(60)
    assert p.exitcode == 0


# ---- autograd.Variable ------------------------------------------------------------------------
def test_variable_is_torchs_legacy_wrapper(torch):
    from nnlite.autograd import Variable
    x = nl.ones(2, requires_grad=True)
    y = x * 2
    for src, grad in ((y, False), (y, True), (x, False)):
        v = Variable(src, requires_grad=grad)
        tv = torch.autograd.Variable(torch.ones(2, requires_grad=True) * 2, requires_grad=grad)
        assert v.grad_fn is None and v.is_leaf and v.requires_grad == grad == tv.requires_grad
        assert np.shares_memory(v.numpy(), src.numpy())
    w = Variable(nl.zeros(3), requires_grad=True)
    (w * w + w).sum().backward()
    assert nl.tensor(w.grad).tolist() == [1.0, 1.0, 1.0]
    assert isinstance(nl.zeros(1), Variable) and not isinstance([1.0], Variable)
    with pytest.raises(TypeError, match="has to be a tensor"):
        Variable([1.0])
    with pytest.raises(RuntimeError, match="floating"):
        Variable(nl.tensor([1, 2]), requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Variable(nl.zeros(1), volatile=True)
    assert any("volatile" in str(c.message) for c in caught)
