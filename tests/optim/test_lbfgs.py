"""Tests for nnlite/optim/lbfgs.py.

The oracle is torch.optim.LBFGS: the same problem (a least-squares fit with two parameters,
the Rosenbrock function) is built in both libraries in float64, with and without the
strong-Wolfe line search, and the iterates, losses, closure calls and state are compared
after every ``step``.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest

import nnlite
from nnlite import optim
from nnlite.nn import Parameter

TOL = {"rtol": 1e-9, "atol": 1e-11}


# ---------------------------------------------------------------------------
# Problems, written once for both libraries (``lib`` is nnlite or torch)
# ---------------------------------------------------------------------------

def _least_squares_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 5))
    Y = X @ rng.standard_normal((5, 2)) + 0.1 * rng.standard_normal((12, 2))
    return X, Y, [np.zeros((5, 2)), np.zeros(2)]


def _least_squares(lib, params):
    X, Y, _ = _least_squares_data()
    X, Y = lib.tensor(X), lib.tensor(Y)
    W, b = params
    return lambda: ((X @ W + b - Y) ** 2).mean()


def _rosenbrock(lib, params):
    (x,) = params
    return lambda: (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


PROBLEMS = {
    "least_squares": (_least_squares, _least_squares_data()[2]),
    "rosenbrock": (_rosenbrock, [np.array([-1.2, 1.0, -1.2, 1.0, 0.5])]),
}


def _setup(lib, problem, kwargs, dtype=np.float64):
    make, start = PROBLEMS[problem]
    if lib is nnlite:
        params = [Parameter(a.astype(dtype)) for a in start]
    else:
        params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in start]
    opt = lib.optim.LBFGS(params, **kwargs)
    loss_fn = make(lib, params)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    return opt, params, closure, calls


def _as_array(p):
    return p.array if isinstance(p, Parameter) else p.detach().numpy()


CONFIGS = [
    pytest.param({}, id="defaults"),
    pytest.param({"line_search_fn": "strong_wolfe"}, id="strong_wolfe"),
    pytest.param({"lr": 0.1, "history_size": 3, "max_iter": 7}, id="short-history"),
    pytest.param({"line_search_fn": "strong_wolfe", "history_size": 2, "max_iter": 6,
                  "max_eval": 9}, id="strong_wolfe-short"),
    pytest.param({"lr": 0.5, "max_iter": 4, "tolerance_change": 1e-5}, id="few-iterations"),
    pytest.param({"line_search_fn": "strong_wolfe", "tolerance_grad": 1e-4}, id="loose-grad"),
]


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("kwargs", CONFIGS)
def test_matches_torch_every_step(torch, problem, kwargs):
    nl_opt, nl_params, nl_closure, nl_calls = _setup(nnlite, problem, kwargs)
    th_opt, th_params, th_closure, th_calls = _setup(torch, problem, kwargs)
    for step in range(6):
        nl_loss = nl_opt.step(nl_closure)
        th_loss = th_opt.step(th_closure)
        where = f"step {step}"
        assert float(nl_loss) == pytest.approx(th_loss.item(), rel=1e-9, abs=1e-12), where
        for a, b in zip(nl_params, th_params):
            np.testing.assert_allclose(_as_array(a), _as_array(b), err_msg=where, **TOL)
        assert len(nl_calls) == len(th_calls), where
        nl_state = nl_opt.state[nl_params[0]]
        th_state = th_opt.state[th_params[0]]
        assert list(nl_state) == list(th_state), where
        assert nl_state["func_evals"] == th_state["func_evals"]
        assert nl_state["n_iter"] == th_state["n_iter"]
        assert len(nl_state["old_dirs"]) == len(th_state["old_dirs"])
        assert len(nl_state["old_dirs"]) <= nl_opt.param_groups[0]["history_size"]
        for name in ("d", "prev_flat_grad"):
            np.testing.assert_allclose(nl_state[name], th_state[name].numpy(), err_msg=name,
                                       rtol=1e-8, atol=1e-10)
    final = float(nl_closure())
    assert final < float(PROBLEMS[problem][0](nnlite, [nnlite.tensor(a) for a in
                                                       PROBLEMS[problem][1]])())


@pytest.mark.parametrize("kwargs", [{}, {"line_search_fn": "strong_wolfe"}])
def test_float32_stays_float32(torch, kwargs):
    nl_opt, nl_params, nl_closure, _ = _setup(nnlite, "rosenbrock", kwargs, np.float32)
    th_opt, th_params, th_closure, _ = _setup(torch, "rosenbrock", kwargs, np.float32)
    nl_opt.step(nl_closure)
    th_opt.step(th_closure)
    for a, b in zip(nl_params, th_params):
        assert a.array.dtype == np.float32
        np.testing.assert_allclose(a.array, b.detach().numpy(), rtol=1e-3, atol=1e-4)
    assert nl_opt.state[nl_params[0]]["d"].dtype == np.float32


def test_rosenbrock_reaches_the_minimum():
    opt, (x,), closure, _ = _setup(nnlite, "rosenbrock", {"line_search_fn": "strong_wolfe",
                                                          "tolerance_change": 1e-14})
    for _ in range(10):
        opt.step(closure)
    np.testing.assert_allclose(x.array, np.ones(5), atol=1e-6)


def test_step_returns_the_first_loss_and_stops_at_a_stationary_point():
    opt, params, closure, calls = _setup(nnlite, "least_squares", {"tolerance_grad": 1e-5})
    first = float(closure())
    calls.clear()
    assert float(opt.step(closure)) == first
    for _ in range(30):
        opt.step(closure)
    calls.clear()
    n_iter, before = opt.state[params[0]]["n_iter"], [p.array.copy() for p in params]
    opt.step(closure)                           # at the optimum: one evaluation, no update
    assert len(calls) == 1
    assert opt.state[params[0]]["n_iter"] == n_iter
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.array, b)


def test_closure_runs_with_grad_enabled_inside_no_grad():
    opt, params, closure, _ = _setup(nnlite, "least_squares", {"max_iter": 3})
    seen = []

    def recording_closure():
        seen.append(nnlite.is_grad_enabled())
        return closure()

    with nnlite.no_grad():
        opt.step(recording_closure)
    assert seen and all(seen)


def test_a_parameter_without_gradient_stays_put():
    x = Parameter(np.array([3.0, -1.0]))
    frozen = Parameter(np.array([5.0]))
    opt = optim.LBFGS([x, frozen], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((x - 1.0) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.array, [1.0, 1.0], atol=1e-8)
    np.testing.assert_array_equal(frozen.array, [5.0])


def test_max_eval_defaults_to_five_quarters_of_max_iter():
    assert optim.LBFGS([Parameter(np.ones(1))], max_iter=8).defaults["max_eval"] == 10
    assert optim.LBFGS([Parameter(np.ones(1))]).param_groups[0]["max_eval"] == 25


def test_signature_matches_torch(torch):
    ours = inspect.signature(optim.LBFGS).parameters
    theirs = inspect.signature(torch.optim.LBFGS).parameters
    assert [(n, p.default) for n, p in ours.items()] == \
        [(n, p.default) for n, p in theirs.items()]


# ---------------------------------------------------------------------------
# state_dict
# ---------------------------------------------------------------------------

def _run(opt, closure, steps):
    return [opt.step(closure).item() for _ in range(steps)]


@pytest.mark.parametrize("kwargs", [{}, {"line_search_fn": "strong_wolfe", "history_size": 3}])
def test_state_dict_round_trip_through_save_and_load(tmp_path, kwargs):
    straight, straight_params, straight_closure, _ = _setup(nnlite, "rosenbrock", kwargs)
    expected = _run(straight, straight_closure, 4)

    first, first_params, first_closure, _ = _setup(nnlite, "rosenbrock", kwargs)
    _run(first, first_closure, 2)
    saved = first.state_dict()
    nnlite.save(saved, tmp_path / "lbfgs.pt")
    x_saved = first_params[0].array.copy()
    dirs_saved = [a.copy() for a in saved["state"][0]["old_dirs"]]
    _run(first, first_closure, 2)               # later steps leave the snapshot alone
    assert len(saved["state"][0]["old_dirs"]) == len(dirs_saved)
    for a, b in zip(saved["state"][0]["old_dirs"], dirs_saved):
        np.testing.assert_array_equal(a, b)

    resumed, resumed_params, resumed_closure, _ = _setup(nnlite, "rosenbrock", kwargs)
    np.copyto(resumed_params[0].array, x_saved)
    resumed.load_state_dict(nnlite.load(tmp_path / "lbfgs.pt"))
    assert _run(resumed, resumed_closure, 2) == expected[2:]
    np.testing.assert_array_equal(resumed_params[0].array, straight_params[0].array)


def test_load_torch_state_dict_then_continue(torch):
    kwargs = {"line_search_fn": "strong_wolfe", "history_size": 4}
    th_opt, th_params, th_closure, _ = _setup(torch, "rosenbrock", kwargs)
    _run(th_opt, th_closure, 2)

    def to_numpy(v):
        if isinstance(v, list):
            return [to_numpy(x) for x in v]
        if isinstance(v, torch.Tensor):
            return float(v) if v.ndim == 0 else v.numpy().copy()
        return v

    sd = th_opt.state_dict()
    sd = {"state": {k: {n: to_numpy(v) for n, v in s.items()} for k, s in sd["state"].items()},
          "param_groups": sd["param_groups"]}
    nl_opt, nl_params, nl_closure, _ = _setup(nnlite, "rosenbrock", kwargs)
    np.copyto(nl_params[0].array, th_params[0].detach().numpy())
    nl_opt.load_state_dict(sd)
    for _ in range(3):
        nl_opt.step(nl_closure)
        th_opt.step(th_closure)
        np.testing.assert_allclose(nl_params[0].array, th_params[0].detach().numpy(), **TOL)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

def _p():
    return Parameter(np.ones(3))


def _load_wrong_size():
    src, _, closure, _ = _setup(nnlite, "rosenbrock", {})
    src.step(closure)
    optim.LBFGS([_p()]).load_state_dict(src.state_dict())


BAD_INPUT = [
    ("two groups", lambda: optim.LBFGS([{"params": [_p()]}, {"params": [_p()]}]), ValueError,
     r"LBFGS doesn't support per-parameter options \(parameter groups\)"),
    ("add_param_group", lambda: optim.LBFGS([_p()]).add_param_group({"params": [_p()]}),
     ValueError, r"per-parameter options"),
    ("unknown line search", lambda: optim.LBFGS([_p()], line_search_fn="armijo"), ValueError,
     r"line_search_fn must be None or 'strong_wolfe', got 'armijo'"),
    ("max_iter 0", lambda: optim.LBFGS([_p()], max_iter=0), ValueError,
     r"max_iter must be a positive integer, got 0"),
    ("max_eval 2.5", lambda: optim.LBFGS([_p()], max_eval=2.5), ValueError,
     r"max_eval must be a positive integer, got 2\.5"),
    ("history_size 0", lambda: optim.LBFGS([_p()], history_size=0), ValueError,
     r"history_size must be a positive integer, got 0"),
    ("negative lr", lambda: optim.LBFGS([_p()], lr=-1), ValueError, r"LBFGS: invalid lr=-1"),
    ("negative tolerance", lambda: optim.LBFGS([_p()], tolerance_grad=-1e-7), ValueError,
     r"tolerance_grad=-1e-07"),
    ("step without closure", lambda: optim.LBFGS([_p()]).step(None), TypeError,
     r"LBFGS\.step needs a closure"),
    ("load: wrong size", _load_wrong_size, ValueError,
     r"state\[0\]\['d'\] has shape \(5,\), but the parameters have 3 entries"),
]


@pytest.mark.parametrize("make, exc, pattern", [pytest.param(*c[1:], id=c[0]) for c in BAD_INPUT])
def test_bad_input_raises_clear_error(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()
