"""Tests for nnlite/nn/module.py and nnlite/nn/parameter.py: Module registries, naming,
modes, state_dict / load_state_dict, dtype conversion, hooks, repr and Parameter (the
containers: tests/nn/test_container.py).

The oracle is torch: the same nested model (Sequential, ReLU, a custom Module holding a
parameter, a persistent and a non-persistent buffer and a ModuleDict) is built in both
libraries by one function, and names, reprs, state_dict keys and values, outputs and
gradients are compared. Tests that need torch skip cleanly without it.
"""
from __future__ import annotations

import copy
import pickle
import types
from collections import OrderedDict

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn


# ---------------------------------------------------------------------------
# One model, built in either library
# ---------------------------------------------------------------------------
def build(T):
    """Sequential(Linear, ReLU, Block, Sequential(Linear)) in library ``T`` (torch or
    nnlite), where Block has a parameter, two buffers and a ModuleDict."""
    tnn = T.nn

    class Block(tnn.Module):
        def __init__(self):
            super().__init__()
            self.scale = tnn.Parameter(T.ones(4))
            self.proj = tnn.Linear(3, 4)
            self.register_buffer("running", T.zeros(4))
            self.register_buffer("scratch", T.zeros(2), persistent=False)
            self.heads = tnn.ModuleDict({
                "a": tnn.Linear(4, 2),
                "b": tnn.Sequential(tnn.Tanh(), tnn.Linear(4, 2, bias=False)),
            })

        def forward(self, x):
            h = T.relu(self.proj(x)) * self.scale + self.running
            return self.heads["a"](h) + self.heads["b"](h)

    return tnn.Sequential(tnn.Linear(5, 3), tnn.ReLU(), Block(), tnn.Sequential(tnn.Linear(2, 2)))


def to_numpy(sd):
    return {k: v.detach().numpy().copy() for k, v in sd.items()}


def synced(torch):
    """The model in both libraries, nnlite's loaded from torch's state_dict; the buffer
    ``running`` gets non-zero values so it matters."""
    tm = build(torch)
    with torch.no_grad():
        tm[2].running.copy_(torch.linspace(-0.5, 0.5, 4))
    m = build(nl)
    m.load_state_dict(to_numpy(tm.state_dict()))
    return tm, m


# ---------------------------------------------------------------------------
# Registries and names
# ---------------------------------------------------------------------------
def test_registries_keep_assignment_order():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.b = nn.Parameter(nl.zeros(1))
            self.z = nn.Linear(1, 1)
            self.register_buffer("buf2", nl.zeros(1))
            self.a = nn.Parameter(nl.zeros(1))
            self.y = nn.ReLU()
            self.register_buffer("buf1", nl.zeros(1))
            self.plain = 3

    m = M()
    assert list(m._parameters) == ["b", "a"]
    assert list(m._buffers) == ["buf2", "buf1"]
    assert list(m._modules) == ["z", "y"]
    assert "plain" in m.__dict__ and "b" not in m.__dict__
    assert [k for k, _ in m.named_parameters()] == ["b", "a", "z.weight", "z.bias"]
    assert m.plain == 3 and isinstance(m.z, nn.Linear) and m.buf1.shape == (1,)


def test_names_match_torch(torch):
    tm, m = build(torch), build(nl)
    for method in ("named_parameters", "named_buffers", "named_modules"):
        assert [k for k, _ in getattr(m, method)()] == [k for k, _ in getattr(tm, method)()]
    assert [k for k, _ in m.named_children()] == [k for k, _ in tm.named_children()]
    assert ([k for k, _ in m.named_parameters(prefix="model")]
            == [k for k, _ in tm.named_parameters(prefix="model")])
    assert ([k for k, _ in m[2].named_parameters(recurse=False)]
            == [k for k, _ in tm[2].named_parameters(recurse=False)])
    assert ([k for k, _ in m.named_modules(prefix="root")]
            == [k for k, _ in tm.named_modules(prefix="root")])
    assert [type(c).__name__ for c in m.children()] == [type(c).__name__ for c in tm.children()]
    assert [type(c).__name__ for c in m.modules()] == [type(c).__name__ for c in tm.modules()]


def test_shared_parameters_and_modules_listed_once(torch):
    def shared(T):
        lin = T.nn.Linear(2, 2)
        return T.nn.Sequential(lin, T.nn.ReLU(), lin)

    tm, m = shared(torch), shared(nl)
    assert [k for k, _ in m.named_parameters()] == [k for k, _ in tm.named_parameters()]
    assert [k for k, _ in m.named_modules()] == [k for k, _ in tm.named_modules()]
    assert len(list(m.parameters())) == 2
    assert ([k for k, _ in m.named_parameters(remove_duplicate=False)]
            == [k for k, _ in tm.named_parameters(remove_duplicate=False)])
    # state_dict, like torch's, has every path
    assert list(m.state_dict()) == list(tm.state_dict())

    # a Parameter shared by two modules
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.weight = a.weight
    both = nn.Sequential(a, b)
    assert [k for k, _ in both.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_parameters_is_a_generator():
    m = build(nl)
    assert isinstance(m.parameters(), types.GeneratorType)
    assert isinstance(m.named_parameters(), types.GeneratorType)
    assert all(isinstance(p, nn.Parameter) for p in m.parameters())
    assert all(not isinstance(b, nn.Parameter) for b in m.buffers())


def test_getattr_setattr_delattr_routing():
    m = nn.Linear(2, 3)
    assert "weight" not in m.__dict__ and m.weight is m._parameters["weight"]
    new = nn.Parameter(nl.zeros(3, 2))
    m.weight = new
    assert m.weight is new and list(m._parameters) == ["weight", "bias"]  # keeps its place
    m.bias = None                                     # allowed: frees the slot
    assert m.bias is None and "bias" in m._parameters
    m.extra = nn.ReLU()
    assert m._modules["extra"] is m.extra
    m.extra = None
    assert m.extra is None
    m.register_buffer("buf", nl.zeros(2))
    m.buf = nl.ones(2)
    assert m._buffers["buf"].array[0] == 1
    del m.buf, m.extra, m.weight
    for name in ("buf", "extra", "weight"):
        assert not hasattr(m, name)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        m.nope
    # a plain attribute replaced by a Parameter moves into the registry
    m.thing = 1
    m.thing = nn.Parameter(nl.zeros(1))
    assert "thing" not in m.__dict__ and "thing" in m._parameters
    # a module replaced by a parameter leaves the module registry
    m.sub = nn.ReLU()
    m.sub = nn.Parameter(nl.zeros(1))
    assert "sub" not in m._modules and "sub" in m._parameters


def test_dir_lists_registered_names():
    names = dir(build(nl)[2])
    for n in ("scale", "proj", "running", "scratch", "heads", "forward", "training"):
        assert n in names
    assert "0" not in dir(nn.Sequential(nn.ReLU()))


def test_get_submodule_parameter_buffer():
    m = build(nl)
    assert m.get_submodule("") is m
    assert m.get_submodule("2.heads.b.1") is m[2].heads["b"][1]
    assert m.get_parameter("2.heads.a.weight") is m[2].heads["a"].weight
    assert m.get_buffer("2.running") is m[2].running
    with pytest.raises(AttributeError, match="nope"):
        m.get_submodule("2.nope")
    with pytest.raises(AttributeError, match="bias"):
        m.get_parameter("2.heads.b.1.bias")


# ---------------------------------------------------------------------------
# Modes, apply, gradients
# ---------------------------------------------------------------------------
def test_train_eval_propagate():
    m = build(nl)
    assert all(x.training for x in m.modules())
    assert m.eval() is m
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    m[2].train(False)
    assert m.training and not any(x.training for x in m[2].modules())
    with pytest.raises(ValueError, match="boolean"):
        m.train("yes")


def test_train_calls_children_overrides():
    calls = []

    class Frozen(nn.Module):
        def train(self, mode=True):
            calls.append(mode)
            return super().train(False)

    m = nn.Sequential(nn.Linear(1, 1), Frozen())
    m.train()
    assert calls == [True] and not m[1].training and m[0].training


def test_apply_visits_children_first(torch):
    seen, tseen = [], []
    m, tm = build(nl), build(torch)
    assert m.apply(lambda x: seen.append(type(x).__name__)) is m
    tm.apply(lambda x: tseen.append(type(x).__name__))
    assert seen == tseen

    def init_weights(mod):
        if isinstance(mod, nn.Linear):
            nn.init.constant_(mod.weight, 0.5)

    m.apply(init_weights)
    assert all(np.all(mod.weight.array == 0.5) for mod in m.modules() if isinstance(mod, nn.Linear))


def _backward(m):
    F.mse_loss(m(nl.randn(4, 5)), nl.zeros(4, 2)).backward()


def test_zero_grad_both_modes():
    m = build(nl)
    _backward(m)
    grads = [p.grad for p in m.parameters()]
    assert all(g is not None for g in grads)
    keep = [g.array.copy() for g in grads]
    m.zero_grad(set_to_none=False)
    for p, g, k in zip(m.parameters(), grads, keep):
        assert p.grad.shape == p.shape and p.grad.dtype == p.dtype and not p.grad.any()
        np.testing.assert_array_equal(g, k)          # the old (maybe shared) array is intact
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_requires_grad_freezes():
    m = build(nl)
    assert m.requires_grad_(False) is m
    assert not any(p.requires_grad for p in m.parameters())
    out = m(nl.randn(2, 5))
    assert not out.requires_grad
    m[0].requires_grad_()
    out = m(nl.randn(2, 5))
    out.sum().backward()
    assert m[0].weight.grad is not None and m[3][0].weight.grad is None


# ---------------------------------------------------------------------------
# state_dict / load_state_dict
# ---------------------------------------------------------------------------
def test_state_dict_matches_torch(torch):
    tm, m = synced(torch)
    sd, tsd = m.state_dict(), tm.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == list(tsd)                      # 'scratch' (non-persistent) excluded
    assert "2.scratch" not in sd and "2.running" in sd
    for k in sd:
        assert isinstance(sd[k], np.ndarray)
        assert sd[k].shape == tuple(tsd[k].shape)
        np.testing.assert_array_equal(sd[k], tsd[k].numpy())


def test_state_dict_shares_memory_and_keep_vars():
    m = build(nl)
    sd = m.state_dict()
    assert sd["0.weight"] is m[0].weight.array        # the arrays themselves, as documented
    sdv = m.state_dict(keep_vars=True)
    assert sdv["0.weight"] is m[0].weight and sdv["2.running"] is m[2].running
    pre = m.state_dict(prefix="model.")
    assert all(k.startswith("model.") for k in pre)
    dest = {}
    assert m.state_dict(destination=dest) is dest and len(dest) == len(sd)


def test_forward_and_gradients_match_torch_after_loading(torch):
    tm, m = synced(torch)
    x = np.random.default_rng(1).standard_normal((6, 5)).astype(np.float32)
    gy = np.random.default_rng(2).standard_normal((6, 2)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    tout = tm(tx)
    tout.backward(torch.tensor(gy))
    xx = nl.tensor(x, requires_grad=True)
    out = m(xx)
    out.backward(gy)
    np.testing.assert_allclose(out.array, tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(xx.grad, tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    tgrads = dict(tm.named_parameters())
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.grad, tgrads[name].grad.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def test_round_trip_back_to_torch(torch):
    m = build(nl)
    nl.nn.init.normal_(m[2].running)
    tm = build(torch)
    tm.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in m.state_dict().items()})
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), m.state_dict()[k])


def test_load_copies_in_place_and_casts():
    m = build(nl)
    arrays = {k: v for k, v in m.state_dict().items()}
    new = {k: np.full(v.shape, 0.25, np.float64) for k, v in arrays.items()}
    new["0.bias"] = [0.5, 0.5, 0.5]                     # a list
    new["0.weight"] = nl.ones(3, 5)                     # a Tensor
    result = m.load_state_dict(new)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    for k, v in m.state_dict().items():
        assert v is arrays[k]                           # same arrays, updated in place
        assert v.dtype == np.float32
    np.testing.assert_array_equal(m[0].bias.array, [0.5] * 3)
    np.testing.assert_array_equal(m[0].weight.array, np.ones((3, 5)))
    np.testing.assert_array_equal(m[2].running.array, np.full(4, 0.25))
    # the source is not aliased: changing it later does not touch the model
    src = np.zeros(3, np.float32)
    m[0].load_state_dict({"weight": np.zeros((3, 5)), "bias": src})
    src[0] = 9
    assert m[0].bias.array[0] == 0


def test_load_into_integer_buffer_casts():
    m = nn.Module()
    m.register_buffer("count", nl.tensor(np.array(3, np.int64)))
    m.load_state_dict({"count": np.array(7.0)})
    assert m.count.dtype == np.int64 and m.count.item() == 7


def test_strict_errors_list_everything_by_name():
    m = build(nl)
    sd = {k: v.copy() for k, v in m.state_dict().items()}
    del sd["0.bias"], sd["2.heads.a.weight"]
    sd["2.heads.c.weight"] = np.zeros(2)
    sd["extra"] = np.zeros(1)
    sd["0.weight"] = np.zeros((4, 5))
    before = {k: v.copy() for k, v in m.state_dict().items()}
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(sd)
    msg = str(info.value)
    assert "Error(s) in loading state_dict for Sequential" in msg
    assert 'Missing key(s) in state_dict: "0.bias", "2.heads.a.weight"' in msg
    assert 'Unexpected key(s) in state_dict: "extra", "2.heads.c.weight"' in msg
    assert ("size mismatch for 0.weight: copying a param with shape (4, 5) from checkpoint, "
            "the shape in current model is (3, 5)") in msg
    for k, v in m.state_dict().items():                 # nothing was written
        np.testing.assert_array_equal(v, before[k])


def test_non_strict_returns_keys_but_shapes_still_raise():
    m = build(nl)
    sd = {k: np.full(v.shape, 2.0) for k, v in m.state_dict().items()}
    del sd["3.0.bias"]
    sd["junk.weight"] = np.zeros(3)
    result = m.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["3.0.bias"]
    assert result.unexpected_keys == ["junk.weight"]
    assert result == (["3.0.bias"], ["junk.weight"])
    assert np.all(m[0].weight.array == 2.0)              # the matching keys were loaded
    sd["0.bias"] = np.zeros(7)
    with pytest.raises(RuntimeError, match=r"size mismatch for 0.bias.*\(7,\).*\(3,\)"):
        m.load_state_dict(sd, strict=False)


def test_load_state_dict_bad_arguments():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="dict-like"):
        m.load_state_dict([("weight", np.zeros((2, 2)))])
    with pytest.raises(TypeError, match="keys must be strings"):
        m.load_state_dict({0: np.zeros(2)})
    with pytest.raises(RuntimeError, match='"weight".*dtype'):
        m.load_state_dict({"weight": np.array([["a", "b"], ["c", "d"]]), "bias": np.zeros(2)})


def test_state_dict_round_trips_through_checkpoint(tmp_path):
    m = build(nl)
    nl.save(m.state_dict(), tmp_path / "m.npz")
    m2 = build(nl)
    m2.load_state_dict(nl.load(tmp_path / "m.npz"))
    for (k, a), (_, b) in zip(m.state_dict().items(), m2.state_dict().items()):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------
# dtype conversion
# ---------------------------------------------------------------------------
def test_to_float64_converts_params_buffers_and_grads():
    m = build(nl)
    m.register_buffer("steps", nl.tensor(np.array(0, np.int64)))
    _backward(m)
    params = list(m.parameters())
    assert m.to(nl.float64) is m
    assert list(m.parameters()) == params               # the same Parameter objects
    for p in m.parameters():
        assert p.dtype == np.float64 and p.grad.dtype == np.float64
    assert m[2].running.dtype == np.float64 and m[2].scratch.dtype == np.float64
    assert m.steps.dtype == np.int64                    # integer buffers keep their dtype
    assert m(nl.randn(2, 5, dtype=nl.float64)).dtype == np.float64
    assert m.float() is m and all(p.dtype == np.float32 for p in m.parameters())
    assert m.half() is m and all(p.dtype == np.float16 for p in m.parameters())
    m.double()
    assert all(p.dtype == np.float64 for p in m.parameters())
    m.to("cpu", dtype="float32")
    assert all(p.dtype == np.float32 for p in m.parameters())
    m.to(nl.zeros(1, dtype=nl.float64))
    assert all(p.dtype == np.float64 for p in m.parameters())
    assert m.cpu() is m and m.to("cpu") is m


def test_to_refuses_other_devices_and_integer_dtypes():
    m = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="CPU only"):
        m.to("cuda")
    with pytest.raises(ValueError, match="CPU only"):
        m.to(device="cuda:0")
    with pytest.raises(TypeError, match="floating point"):
        m.to(nl.int64)


# ---------------------------------------------------------------------------
# Hooks and __call__
# ---------------------------------------------------------------------------
def test_forward_hooks_modify_and_remove():
    m = nn.Linear(2, 2)
    x = nl.ones(1, 2)
    base = m(x).array.copy()
    log = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    h2 = m.register_forward_hook(lambda mod, args, out: log.append(args[0].array.sum()) or out + 1)
    out = m(x)
    np.testing.assert_allclose(out.array, m(x * 1).array)   # hooks apply on every call
    expected = F.linear(x * 2, m.weight, m.bias).array + 1
    np.testing.assert_allclose(out.array, expected, rtol=1e-6)
    assert log[0] == 4.0                                  # the forward hook sees the new args
    h1.remove()
    h2.remove()
    h2.remove()                                           # removing twice is harmless
    np.testing.assert_allclose(m(x).array, base)
    assert not m._forward_hooks and not m._forward_pre_hooks


def test_hook_order_prepend_kwargs_and_context_manager():
    order = []

    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    m.register_forward_hook(lambda mod, a, o: order.append("second"))
    m.register_forward_hook(lambda mod, a, o: order.append("first"), prepend=True)
    m.register_forward_pre_hook(lambda mod, a: a[0] + 1)          # non-tuple return
    m.register_forward_pre_hook(lambda mod, a, kw: (a, {"factor": 3.0}), with_kwargs=True)
    with m.register_forward_hook(lambda mod, a, kw, o: o * 10, with_kwargs=True):
        out = m(nl.ones(1))
    assert out.item() == 60.0 and order == ["first", "second"]
    assert m(nl.ones(1)).item() == 6.0


def test_forward_not_implemented():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required '
                                                  r'"forward"'):
        nn.Module()(1)


# ---------------------------------------------------------------------------
# repr
# ---------------------------------------------------------------------------
def test_repr_matches_torch(torch):
    assert repr(build(nl)) == repr(build(torch))
    assert repr(nn.ModuleList([nn.Linear(2, 2)] * 3 + [nn.ReLU()])) == repr(
        torch.nn.ModuleList([torch.nn.Linear(2, 2)] * 3 + [torch.nn.ReLU()]))


def test_multiline_extra_repr_is_indented():
    class Two(nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    assert repr(nn.Sequential(Two())) == "Sequential(\n  (0): Two(\n    a=1\n    b=2\n  )\n)"


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------
def test_assigning_non_parameter_to_parameter_name():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' object to parameter 'weight'"):
        m.weight = nl.zeros(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'ndarray' object to parameter 'bias'"):
        m.bias = np.zeros(2)
    with pytest.raises(TypeError, match="nn.Parameter or None required"):
        m.register_parameter("w2", nl.zeros(2))
    seq = nn.Sequential(nn.ReLU())
    with pytest.raises(TypeError, match="child module '0'"):
        setattr(seq, "0", 3)


@pytest.mark.parametrize("name, error, pattern", [
    ("a.b", KeyError, 'cannot contain ".", got "a.b"'),
    ("", KeyError, "empty"),
    ("weight", KeyError, "already exists"),
    ("forward", KeyError, "already exists"),
    (3, TypeError, "should be a string"),
])
def test_register_buffer_bad_names(name, error, pattern):
    m = nn.Linear(2, 2)
    with pytest.raises(error, match=pattern):
        m.register_buffer(name, nl.zeros(1))


def test_register_bad_values_and_before_init():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="Tensor or None required"):
        m.register_buffer("buf", np.zeros(2))
    m.register_buffer("buf", nl.zeros(2))
    with pytest.raises(TypeError, match="buffer 'buf'"):
        m.buf = [1, 2]
    with pytest.raises(TypeError, match="not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(KeyError, match="already exists"):
        m.add_module("weight", nn.ReLU())
    with pytest.raises(KeyError, match="cannot contain"):
        m.add_module("a.b", nn.ReLU())

    class Forgot(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(nl.zeros(1))

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Forgot()

    class Forgot2(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Forgot2()


# ---------------------------------------------------------------------------
# Parameter
# ---------------------------------------------------------------------------
def test_parameter_basics(torch):
    p = nn.Parameter(nl.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf and isinstance(p, nl.Tensor)
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))
    a = np.zeros(3, np.float32)
    assert nn.Parameter(a).array is a                    # shared, as torch
    t = nl.ones(2)
    assert nn.Parameter(t).array is t.array
    assert not nn.Parameter(a, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    assert nn.Parameter([1.0]).dtype == np.float32
    with pytest.raises(RuntimeError, match="floating"):
        nn.Parameter(np.arange(3))
    assert type(p * p) is nl.Tensor                     # ops give plain Tensors
    (p * p).sum().backward()
    np.testing.assert_array_equal(p.grad, [2.0, 4.0])


def test_parameter_arithmetic_with_python_scalars():
    p = nn.Parameter(nl.tensor([1.0, 2.0]))
    np.testing.assert_array_equal((p * 2 + 1).array, [3.0, 5.0])
    np.testing.assert_array_equal((p > 1).array, [False, True])


def test_deepcopy_and_pickle_make_independent_parameters():
    m = build(nl)
    m2 = copy.deepcopy(m)
    assert m2[0].weight is not m[0].weight
    assert not np.shares_memory(m2[0].weight.array, m[0].weight.array)
    _backward(m2)
    assert m2[0].weight.grad is not None and m[0].weight.grad is None
    shared = nn.Sequential(m[0], m[0])
    s2 = copy.deepcopy(shared)
    assert s2[0] is s2[1]
    m = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    m3 = pickle.loads(pickle.dumps(m))
    for (k, a), (_, b) in zip(m.state_dict().items(), m3.state_dict().items()):
        np.testing.assert_array_equal(a, b)
    assert all(p.requires_grad for p in m3.parameters())
