"""Tests for nnlite/optim: the first-order optimizers and the Optimizer base (LBFGS has
tests/optim/test_lbfgs.py).

The oracle is torch.optim (same float64 parameters, same gradient sequence, compared after
every step); tests that need it skip cleanly without torch. Parameters are a stand-in class
``P`` with the attributes of ``nnlite.nn.Parameter``, so these tests do not depend on the
autograd core.
"""
from __future__ import annotations

import inspect
import io
import itertools

import numpy as np
import pytest

import nnlite
from nnlite import optim
from nnlite.nn import Parameter

SHAPES = [(3, 4), (5,), (2, 1, 3), ()]
STEPS = 20
FIRST_ORDER = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "ASGD",
               "NAdam", "RAdam", "Rprop"]


def P(a):
    """A parameter over the NumPy array ``a`` (shared, not copied; an integer one does
    not require grad)."""
    return Parameter(a, requires_grad=a.dtype.kind == "f")


# ---------------------------------------------------------------------------
# Option grids
# ---------------------------------------------------------------------------

def _grid(name, fixed, **axes):
    keys = list(axes)
    cases = []
    for values in itertools.product(*(axes[k] for k in keys)):
        kwargs = dict(fixed, **dict(zip(keys, values)))
        if name == "SGD" and kwargs["nesterov"] and (kwargs["momentum"] == 0
                                                     or kwargs["dampening"] != 0):
            continue
        ident = name + "-" + ",".join(f"{k}={v}" for k, v in kwargs.items())
        cases.append(pytest.param(name, kwargs, id=ident))
    return cases


CASES = (
    _grid("SGD", {"lr": 0.1}, momentum=[0, 0.9], dampening=[0, 0.3], nesterov=[False, True],
          weight_decay=[0, 0.05], maximize=[False, True])
    + _grid("Adam", {"lr": 0.01}, betas=[(0.9, 0.999), (0.5, 0.9)], weight_decay=[0, 0.1],
            amsgrad=[False, True], maximize=[False, True])
    + _grid("AdamW", {"lr": 0.01}, weight_decay=[0.01, 0.3], amsgrad=[False, True],
            maximize=[False, True])
    + _grid("RMSprop", {"lr": 0.01, "alpha": 0.9}, momentum=[0, 0.8], centered=[False, True],
            weight_decay=[0, 0.05], maximize=[False, True])
    + _grid("Adagrad", {"lr": 0.1}, lr_decay=[0, 0.1], weight_decay=[0, 0.05],
            initial_accumulator_value=[0, 0.5], maximize=[False, True])
    + _grid("Adadelta", {}, lr=[1.0, 0.3], rho=[0.9, 0.5], eps=[1e-6, 1e-3],
            weight_decay=[0, 0.05], maximize=[False, True])
    + _grid("Adamax", {"lr": 0.01}, betas=[(0.9, 0.999), (0.5, 0.9)], eps=[1e-8, 0.1],
            weight_decay=[0, 0.1], maximize=[False, True])
    + _grid("ASGD", {"lr": 0.05}, lambd=[1e-4, 0.1], alpha=[0.75, 0.5], t0=[1e6, 5],
            weight_decay=[0, 0.05], maximize=[False, True])
    + _grid("NAdam", {"lr": 0.01}, betas=[(0.9, 0.999), (0.5, 0.9)], weight_decay=[0, 0.1],
            momentum_decay=[4e-3, 0.1], decoupled_weight_decay=[False, True],
            maximize=[False, True])
    + _grid("RAdam", {"lr": 0.01}, betas=[(0.9, 0.999), (0.5, 0.9)], weight_decay=[0, 0.1],
            decoupled_weight_decay=[False, True], maximize=[False, True])
    + _grid("Rprop", {"lr": 0.01}, etas=[(0.5, 1.2), (0.3, 1.5)],
            step_sizes=[(1e-6, 50), (1e-3, 0.02)], maximize=[False, True])
)

# One configuration per optimizer with every option switched on.
FULL = [
    pytest.param("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
                 id="SGD"),
    pytest.param("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True, "maximize": True},
                 id="Adam"),
    pytest.param("AdamW", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}, id="AdamW"),
    pytest.param("RMSprop", {"lr": 0.01, "momentum": 0.8, "centered": True,
                             "weight_decay": 0.05}, id="RMSprop"),
    pytest.param("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.05,
                             "initial_accumulator_value": 0.5}, id="Adagrad"),
    pytest.param("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.05, "maximize": True},
                 id="Adadelta"),
    pytest.param("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1},
                 id="Adamax"),
    pytest.param("ASGD", {"lr": 0.05, "lambd": 0.1, "t0": 3, "weight_decay": 0.05},
                 id="ASGD"),
    pytest.param("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.1,
                           "decoupled_weight_decay": True}, id="NAdam"),
    pytest.param("RAdam", {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.1,
                           "decoupled_weight_decay": True}, id="RAdam"),
    pytest.param("Rprop", {"lr": 0.01, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.02),
                           "maximize": True}, id="Rprop"),
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def _arrays(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _grads(seed, steps, dtype=np.float64):
    """Per step, one gradient per parameter; the last parameter has none every third step."""
    rng = np.random.default_rng(seed)
    seq = []
    for t in range(steps):
        gs = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
        if t % 3 == 1:
            gs[-1] = None
        seq.append(gs)
    return seq


def _groups(params, kwargs):
    """Two groups; the second has half the learning rate."""
    return [{"params": params[:2]}, {"params": params[2:], "lr": kwargs["lr"] / 2}]


def _nl_opt(name, kwargs, arrays):
    params = [P(a.copy()) for a in arrays]
    return getattr(optim, name)(_groups(params, kwargs), **kwargs), params


def _torch_opt(torch, name, kwargs, arrays):
    params = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    return getattr(torch.optim, name)(_groups(params, kwargs), **kwargs), params


def _set_grads(params, grads, to_tensor=None):
    for p, g in zip(params, grads):
        if g is None:
            p.grad = None
        else:
            p.grad = to_tensor(g.copy()) if to_tensor else g.copy()


def _run(opt, params, grad_seq):
    for grads in grad_seq:
        _set_grads(params, grads)
        opt.step()


def _assert_close(actual, expected, rtol=1e-10, atol=1e-12):
    for i, (a, e) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=f"parameter {i}")


def _torch_state_to_numpy(sd):
    """A torch optimizer state_dict with tensors replaced by arrays (0-d ones, such as
    ``step``, by floats)."""
    state = {k: {n: (float(v) if v.ndim == 0 else v.detach().numpy().copy())
                 for n, v in s.items()} for k, s in sd["state"].items()}
    return {"state": state, "param_groups": [dict(g) for g in sd["param_groups"]]}


def _through_npz(sd):
    """Save a state_dict to an in-memory .npz (no pickle) and read it back. Group entries
    that are None (torch's foreach, fused) cannot be stored and are left out: the loader
    fills them from the defaults."""
    flat = {f"state/{k}/{n}": np.asarray(v) for k, s in sd["state"].items() for n, v in s.items()}
    for i, g in enumerate(sd["param_groups"]):
        flat.update({f"param_groups/{i}/{n}": np.asarray(v) for n, v in g.items()
                     if v is not None})
    buf = io.BytesIO()
    np.savez(buf, **flat)
    buf.seek(0)
    loaded = np.load(buf, allow_pickle=False)
    out = {"state": {}, "param_groups": [{} for _ in sd["param_groups"]]}
    for key in loaded.files:
        kind, a, b = key.split("/")
        value = loaded[key]
        if kind == "state":     # groups keep their 0-d arrays: the loader must accept them
            out["state"].setdefault(int(a), {})[b] = value.item() if value.ndim == 0 else value
        else:
            out["param_groups"][int(a)][b] = value
    return out


# ---------------------------------------------------------------------------
# Parity with torch
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, kwargs", CASES)
def test_matches_torch_every_step(torch, name, kwargs):
    arrays, grad_seq = _arrays(0), _grads(1, STEPS)
    nl, nl_params = _nl_opt(name, kwargs, arrays)
    th, th_params = _torch_opt(torch, name, kwargs, arrays)
    data_ids = [id(p.array) for p in nl_params]
    for grads in grad_seq:
        _set_grads(nl_params, grads)
        _set_grads(th_params, grads, torch.from_numpy)
        nl.step()
        th.step()
        _assert_close([p.array for p in nl_params], [t.detach().numpy() for t in th_params])
        for p, g in zip(nl_params, grads):          # gradients are never written to
            if g is not None:
                np.testing.assert_array_equal(p.grad, g)
    assert [id(p.array) for p in nl_params] == data_ids   # parameters updated in place

    nl_sd, th_sd = nl.state_dict(), _torch_state_to_numpy(th.state_dict())
    assert nl_sd["state"].keys() == th_sd["state"].keys()
    for k, state in nl_sd["state"].items():
        assert list(state) == list(th_sd["state"][k])
        for n, v in state.items():
            np.testing.assert_allclose(v, th_sd["state"][k][n], rtol=1e-10, atol=1e-12)
    for g_nl, g_th in zip(nl_sd["param_groups"], th_sd["param_groups"]):
        assert g_nl == g_th
        assert list(g_nl) == list(g_th)                 # torch's key order too


@pytest.mark.parametrize("name, kwargs", FULL)
def test_float32_stays_float32(torch, name, kwargs):
    arrays, grad_seq = _arrays(2, np.float32), _grads(3, 6, np.float32)
    nl, nl_params = _nl_opt(name, kwargs, arrays)
    th, th_params = _torch_opt(torch, name, kwargs, arrays)
    for group in nl.param_groups:   # NumPy float64 scalars, as a scheduler might write
        group["lr"] = np.float64(group["lr"])
        if "betas" in group:
            group["betas"] = tuple(np.float64(b) for b in group["betas"])
    for grads in grad_seq:
        _set_grads(nl_params, grads)
        _set_grads(th_params, grads, torch.from_numpy)
        nl.step()
        th.step()
    for p in nl_params:
        assert p.array.dtype == np.float32
    for state in nl.state.values():
        for v in state.values():
            assert not isinstance(v, np.ndarray) or v.dtype == np.float32
    _assert_close([p.array for p in nl_params], [t.detach().numpy() for t in th_params],
                  rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "NAdam", "ASGD", "Rprop"])
def test_add_param_group_midway_matches_torch(torch, name):
    kwargs = {"lr": 0.05, **({"momentum": 0.9} if name in ("SGD", "RMSprop") else {})}
    arrays, grad_seq = _arrays(4), _grads(5, 8)
    nl_params = [P(a.copy()) for a in arrays]
    th_params = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    nl = getattr(optim, name)(nl_params[:2], **kwargs)
    th = getattr(torch.optim, name)(th_params[:2], **kwargs)
    for t, grads in enumerate(grad_seq):
        if t == 3:
            nl.add_param_group({"params": nl_params[2:], "lr": 0.02})
            th.add_param_group({"params": th_params[2:], "lr": 0.02})
        _set_grads(nl_params, grads)
        _set_grads(th_params, grads, torch.from_numpy)
        nl.step()
        th.step()
    _assert_close([p.array for p in nl_params], [t.detach().numpy() for t in th_params])


def test_adagrad_param_group_added_later_starts_fresh():
    arrays, grad_seq = _arrays(6), _grads(7, 4)
    late = P(arrays[2].copy())
    opt = optim.Adagrad([P(arrays[0].copy())], lr=0.1, initial_accumulator_value=0.3)
    opt.add_param_group({"params": [late]})
    alone = P(arrays[2].copy())
    ref = optim.Adagrad([alone], lr=0.1, initial_accumulator_value=0.3)
    for grads in grad_seq:
        late.grad = alone.grad = grads[2]
        opt.step()
        ref.step()
    np.testing.assert_array_equal(late.array, alone.array)


# ---------------------------------------------------------------------------
# state_dict
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, kwargs", FULL)
def test_state_dict_round_trip_through_npz(name, kwargs):
    arrays, grad_seq = _arrays(8), _grads(9, 10)
    straight, straight_params = _nl_opt(name, kwargs, arrays)
    _run(straight, straight_params, grad_seq)

    first, first_params = _nl_opt(name, kwargs, arrays)
    _run(first, first_params, grad_seq[:5])
    saved = _through_npz(first.state_dict())
    resumed, resumed_params = _nl_opt(name, kwargs, [p.array for p in first_params])
    resumed.load_state_dict(saved)
    _run(resumed, resumed_params, grad_seq[5:])

    for a, b in zip(resumed_params, straight_params):
        np.testing.assert_array_equal(a.array, b.array)


@pytest.mark.parametrize("name, kwargs", FULL)
def test_state_dict_round_trip_through_save_and_load(tmp_path, name, kwargs):
    arrays, grad_seq = _arrays(8), _grads(9, 10)
    first, first_params = _nl_opt(name, kwargs, arrays)
    _run(first, first_params, grad_seq[:5])
    nnlite.save(first.state_dict(), tmp_path / "opt.pt")
    resumed, resumed_params = _nl_opt(name, kwargs, [p.array for p in first_params])
    resumed.load_state_dict(nnlite.load(tmp_path / "opt.pt"))
    assert resumed.state_dict()["param_groups"] == first.state_dict()["param_groups"]
    _run(resumed, resumed_params, grad_seq[5:])
    _run(first, first_params, grad_seq[5:])
    for a, b in zip(resumed_params, first_params):
        np.testing.assert_array_equal(a.array, b.array)


@pytest.mark.parametrize("name, kwargs", FULL)
def test_load_torch_state_dict_then_continue(torch, name, kwargs):
    arrays, grad_seq = _arrays(10), _grads(11, 10)
    th, th_params = _torch_opt(torch, name, kwargs, arrays)
    for grads in grad_seq[:5]:
        _set_grads(th_params, grads, torch.from_numpy)
        th.step()
    nl, nl_params = _nl_opt(name, kwargs, [t.detach().numpy().copy() for t in th_params])
    nl.load_state_dict(_torch_state_to_numpy(th.state_dict()))
    for grads in grad_seq[5:]:
        _set_grads(nl_params, grads)
        _set_grads(th_params, grads, torch.from_numpy)
        nl.step()
        th.step()
    _assert_close([p.array for p in nl_params], [t.detach().numpy() for t in th_params])


def test_state_dict_is_a_snapshot_and_load_copies():
    p = P(np.ones(3))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = np.ones(3)
    opt.step()
    sd = opt.state_dict()
    before = sd["state"][0]["momentum_buffer"].copy()
    opt.step()
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"], before)
    other = optim.SGD([P(np.ones(3))], lr=0.1, momentum=0.9)
    other.load_state_dict(sd)
    assert other.state_dict()["state"][0]["momentum_buffer"] is not \
        sd["state"][0]["momentum_buffer"]


def test_named_parameters_are_kept_in_state_dict(torch):
    nl = optim.Adam([("w", P(np.ones(2))), ("b", P(np.zeros(1)))])
    th = torch.optim.Adam([("w", torch.ones(2, requires_grad=True)),
                           ("b", torch.zeros(1, requires_grad=True))])
    assert nl.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]
    assert th.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


# ---------------------------------------------------------------------------
# API surface
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", FIRST_ORDER + ["LBFGS"])
def test_signature_defaults_and_order_match_torch(torch, name):
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    assert [(n, p.default, p.kind) for n, p in ours.items()] == \
        [(n, p.default, p.kind) for n, p in theirs.items()]


@pytest.mark.parametrize("name", FIRST_ORDER + ["LBFGS"])
def test_repr_matches_torch(torch, name):
    nl = getattr(optim, name)([P(np.ones(2))], lr=0.5)
    th = getattr(torch.optim, name)([torch.ones(2, requires_grad=True)], lr=0.5)
    assert repr(nl) == repr(th)


def test_every_torch_optimizer_is_here(torch):
    """Every optimizer of torch.optim, except SparseAdam (nnlite has no sparse gradients:
    ``Embedding(sparse=True)`` gives dense ones) and the recent Adafactor and Muon."""
    theirs = {n for n in dir(torch.optim) if isinstance(getattr(torch.optim, n), type)
              and issubclass(getattr(torch.optim, n), torch.optim.Optimizer)}
    assert theirs - {"Optimizer", "SparseAdam", "Adafactor", "Muon"} <= set(optim.__all__)


@pytest.mark.parametrize("name, kwargs", FULL)
def test_foreach_and_fused_change_nothing(torch, name, kwargs):
    """Torch's multi-tensor (and, where it has one, fused) kernels give the same numbers as
    its single-tensor ones, and so as nnlite's; the flags are kept in the groups. Except
    ASGD's multi-tensor kernel, which computes eta from float32 tensors where the
    single-tensor one (torch's default on the CPU, which nnlite follows) computes it in
    float64 and rounds: torch's two ASGD paths differ by ~1e-8."""
    flags = [{"foreach": True}, {"foreach": False}]
    if "fused" in inspect.signature(getattr(torch.optim, name)).parameters:
        flags.append({"fused": True})
    arrays, grad_seq = _arrays(12), _grads(13, 8)
    for flag in flags:
        nl, nl_params = _nl_opt(name, dict(kwargs, **flag), arrays)
        th, th_params = _torch_opt(torch, name, dict(kwargs, **flag), arrays)
        for grads in grad_seq:
            _set_grads(nl_params, grads)
            _set_grads(th_params, grads, torch.from_numpy)
            nl.step()
            th.step()
        tol = {"rtol": 1e-6, "atol": 1e-7} if (name, flag) == ("ASGD", {"foreach": True}) \
            else {}
        _assert_close([p.array for p in nl_params], [t.detach().numpy() for t in th_params],
                      **tol)
        assert nl.state_dict()["param_groups"] == th.state_dict()["param_groups"]


@pytest.mark.parametrize("name, kwargs", [c for c in CASES if c.values[0] in ("NAdam", "ASGD")
                                          and not c.values[1].get("maximize")])
def test_scalar_state_follows_the_default_dtype(torch, name, kwargs):
    """NAdam's mu_product and ASGD's eta and mu are float32 in torch unless the default
    dtype is float64; nnlite rounds them the same way under either default."""
    arrays, grad_seq = _arrays(14), _grads(15, STEPS)
    nl_default, th_default = nnlite.get_default_dtype(), torch.get_default_dtype()
    try:
        nnlite.set_default_dtype(np.float64)
        torch.set_default_dtype(torch.float64)
        nl_opt, nl_params = _nl_opt(name, kwargs, arrays)
        th_opt, th_params = _torch_opt(torch, name, kwargs, arrays)
        for grads in grad_seq:
            _set_grads(nl_params, grads)
            _set_grads(th_params, grads, torch.from_numpy)
            nl_opt.step()
            th_opt.step()
    finally:
        nnlite.set_default_dtype(nl_default)
        torch.set_default_dtype(th_default)
    _assert_close([p.array for p in nl_params], [t.detach().numpy() for t in th_params])
    scalars = [n for n in ("mu_product", "eta", "mu") if n in nl_opt.state[nl_params[0]]]
    for p, t in zip(nl_params, th_params):
        for n in scalars:
            assert nl_opt.state[p][n] == th_opt.state[t][n].item()


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    a, b = P(np.ones(3)), P(np.ones(2))
    shared = np.full(3, 7.0)
    a.grad = shared
    optim.SGD([a, b], lr=0.1).zero_grad(set_to_none=set_to_none)
    np.testing.assert_array_equal(shared, 7.0)     # a shared gradient is never zeroed in place
    assert b.grad is None
    if set_to_none:
        assert a.grad is None
    else:
        assert a.grad is not shared
        np.testing.assert_array_equal(a.grad, np.zeros(3))


def test_step_calls_closure_once_and_returns_its_loss():
    p = P(np.array([2.0]))
    calls = []

    def closure():
        calls.append(1)
        p.grad = 2 * p.array                  # d/dp p^2
        return float(p.array[0] ** 2)

    opt = optim.SGD([p], lr=0.25)
    assert opt.step(closure) == 4.0
    assert len(calls) == 1
    np.testing.assert_allclose(p.array, [1.0])
    assert opt.step() is None


def test_closure_runs_with_grad_enabled_inside_no_grad():
    from nnlite.tensor import is_grad_enabled, no_grad
    seen = []
    opt = optim.SGD([P(np.ones(1))], lr=0.1)
    with no_grad():
        opt.step(lambda: seen.append(is_grad_enabled()))
        assert not is_grad_enabled()
    assert seen == [True]


def test_param_groups_are_filled_with_defaults():
    a, b = P(np.ones(1)), P(np.ones(1))
    opt = optim.Adam([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, betas=(0.8, 0.9))
    assert opt.param_groups[0]["lr"] == 0.1
    assert opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["params"] == [b]
    assert all(g["betas"] == (0.8, 0.9) and g["eps"] == 1e-8 for g in opt.param_groups)
    assert opt.defaults["lr"] == 0.1


def test_duplicate_parameter_in_a_group_warns():
    p = P(np.ones(1))
    with pytest.warns(UserWarning, match="duplicate"):
        optim.SGD([p, p], lr=0.1)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

def _p():
    return P(np.ones(3))


def _load(opt_groups, sd_groups):
    src = optim.SGD([{"params": [_p()]} for _ in range(sd_groups)], lr=0.1)
    optim.SGD([{"params": [_p()]} for _ in range(opt_groups)], lr=0.1) \
        .load_state_dict(src.state_dict())


def _load_group_size():
    src = optim.SGD([_p(), _p()], lr=0.1)
    optim.SGD([_p()], lr=0.1).load_state_dict(src.state_dict())


def _load_wrong_shape():
    src = optim.Adam([P(np.ones(3))])
    src.param_groups[0]["params"][0].grad = np.ones(3)
    src.step()
    optim.Adam([P(np.ones(4))]).load_state_dict(src.state_dict())


BAD_INPUT = [
    ("negative lr", lambda: optim.SGD([_p()], lr=-0.1), ValueError, r"lr=-0\.1"),
    ("lr not a number", lambda: optim.Adam([_p()], lr="0.1"), TypeError, r"lr.*'0\.1'"),
    ("nan lr", lambda: optim.RMSprop([_p()], lr=float("nan")), ValueError, r"lr=nan"),
    ("beta1 = 1", lambda: optim.Adam([_p()], betas=(1.0, 0.999)), ValueError,
     r"betas\[0\]=1\.0"),
    ("beta2 < 0", lambda: optim.AdamW([_p()], betas=(0.9, -0.1)), ValueError,
     r"betas\[1\]=-0\.1"),
    ("one beta", lambda: optim.Adam([_p()], betas=(0.9,)), ValueError, r"betas.*\(0\.9,\)"),
    ("negative eps", lambda: optim.Adam([_p()], eps=-1e-8), ValueError, r"eps=-1e-08"),
    ("negative weight_decay", lambda: optim.SGD([_p()], weight_decay=-1), ValueError,
     r"weight_decay=-1"),
    ("negative momentum", lambda: optim.SGD([_p()], momentum=-0.5), ValueError,
     r"momentum=-0\.5"),
    ("nesterov without momentum", lambda: optim.SGD([_p()], lr=0.1, nesterov=True),
     ValueError, r"nesterov.*momentum=0"),
    ("nesterov with dampening", lambda: optim.SGD([_p()], momentum=0.9, dampening=0.1,
                                                  nesterov=True), ValueError, r"dampening=0\.1"),
    ("negative alpha", lambda: optim.RMSprop([_p()], alpha=-0.5), ValueError, r"alpha=-0\.5"),
    ("negative lr_decay", lambda: optim.Adagrad([_p()], lr_decay=-1), ValueError,
     r"lr_decay=-1"),
    ("negative accumulator", lambda: optim.Adagrad([_p()], initial_accumulator_value=-1),
     ValueError, r"initial_accumulator_value=-1"),
    ("bad group lr", lambda: optim.SGD([{"params": [_p()], "lr": -1}], lr=0.1), ValueError,
     r"lr=-1"),
    ("empty list", lambda: optim.SGD([], lr=0.1), ValueError, r"empty parameter list"),
    ("bare ndarray", lambda: optim.SGD(np.ones(3), lr=0.1), TypeError, r"ndarray"),
    ("single parameter", lambda: optim.Adam(_p()), TypeError, r"single .*P.*list"),
    ("arrays, not parameters", lambda: optim.SGD([np.ones(3)], lr=0.1), TypeError,
     r"params\[0\] is numpy\.ndarray"),
    ("integer parameter", lambda: optim.SGD([P(np.ones(3, dtype=np.int64))], lr=0.1),
     TypeError, r"params\[0\] has dtype int64"),
    ("set of parameters", lambda: optim.SGD({_p()}, lr=0.1), TypeError, r"ordered"),
    ("dict as params", lambda: optim.SGD({"params": [_p()]}, lr=0.1), TypeError, r"dict"),
    ("parameter in two groups", lambda: (lambda p: optim.SGD(
        [{"params": [p]}, {"params": [p]}], lr=0.1))(_p()), ValueError,
     r"more than one parameter group"),
    ("group without params", lambda: optim.SGD([_p()], lr=0.1).add_param_group({"lr": 1.0}),
     ValueError, r"'params'"),
    ("group not a dict", lambda: optim.SGD([_p()], lr=0.1).add_param_group([_p()]),
     TypeError, r"param_group must be a dict, got builtins\.list"),
    ("load: group count", lambda: _load(1, 2), ValueError,
     r"2 parameter groups, but the optimizer has 1"),
    ("load: group size", _load_group_size, ValueError,
     r"group 0 has 2 parameters in the state dict, but 1"),
    ("load: state shape", _load_wrong_shape, ValueError, r"\(3,\).*\(4,\)"),
    ("load: not a dict", lambda: optim.SGD([_p()]).load_state_dict([1]), TypeError,
     r"expected a dict, got builtins\.list"),
    ("Adadelta rho > 1", lambda: optim.Adadelta([_p()], rho=1.5), ValueError,
     r"Adadelta: invalid rho=1\.5; expected 0\.0 <= rho <= 1\.0"),
    ("Adadelta negative eps", lambda: optim.Adadelta([_p()], eps=-1.0), ValueError,
     r"Adadelta: invalid eps=-1\.0"),
    ("Adamax beta1 = 1", lambda: optim.Adamax([_p()], betas=(1.0, 0.9)), ValueError,
     r"Adamax: invalid betas\[0\]=1\.0"),
    ("ASGD negative weight_decay", lambda: optim.ASGD([_p()], weight_decay=-0.1), ValueError,
     r"ASGD: invalid weight_decay=-0\.1"),
    ("ASGD t0 not a number", lambda: optim.ASGD([_p()], t0="1e6"), TypeError,
     r"ASGD: t0 must be a real number, got '1e6'"),
    ("NAdam negative momentum_decay", lambda: optim.NAdam([_p()], momentum_decay=-1e-3),
     ValueError, r"NAdam: invalid momentum_decay=-0\.001"),
    ("NAdam betas not a pair", lambda: optim.NAdam([_p()], betas=0.9), TypeError,
     r"NAdam: betas must be a pair"),
    ("RAdam beta2 = 1", lambda: optim.RAdam([_p()], betas=(0.9, 1.0)), ValueError,
     r"RAdam: invalid betas\[1\]=1\.0"),
    ("RAdam negative lr", lambda: optim.RAdam([_p()], lr=-1e-3), ValueError,
     r"RAdam: invalid lr=-0\.001"),
    ("Rprop etas out of order", lambda: optim.Rprop([_p()], etas=(1.2, 0.5)), ValueError,
     r"Rprop: invalid etas=\(1\.2, 0\.5\); expected 0 < etas\[0\] < 1 < etas\[1\]"),
    ("Rprop one step size", lambda: optim.Rprop([_p()], step_sizes=(1e-6,)), ValueError,
     r"step_sizes must have 2 entries"),
    ("capturable", lambda: optim.Adam([_p()], capturable=True), ValueError,
     r"Adam: capturable=True is for CUDA graphs, but nnlite runs on the CPU"),
    ("capturable in a group", lambda: optim.NAdam([{"params": [_p()], "capturable": True}]),
     ValueError, r"NAdam: capturable=True"),
    ("differentiable", lambda: optim.SGD([_p()], differentiable=True), ValueError,
     r"SGD: differentiable=True .* not supported"),
    ("foreach not a bool", lambda: optim.RMSprop([_p()], foreach="yes"), TypeError,
     r"RMSprop: foreach must be None, True or False, got 'yes'"),
    ("fused and foreach", lambda: optim.AdamW([_p()], foreach=True, fused=True), RuntimeError,
     r"`fused` and `foreach` cannot be `True` together"),
    ("fused where torch has none", lambda: optim.Adadelta([_p()], fused=True), TypeError,
     r"unexpected keyword argument 'fused'"),
]


@pytest.mark.parametrize("make, exc, pattern", [pytest.param(*c[1:], id=c[0]) for c in BAD_INPUT])
def test_bad_input_raises_clear_error(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()
