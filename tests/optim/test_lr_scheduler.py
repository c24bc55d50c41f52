"""Tests for nnlite/optim/lr_scheduler.py.

The oracle is torch.optim.lr_scheduler: the same schedule is built on an nnlite and a torch
optimizer (two parameter groups with different rates) and the rates -- and, for
OneCycleLR, the momentum or beta1 -- are compared after every step. nnlite's own schedules
over the fraction of training done (ProgressLR and its subclasses) are checked against their
formulas, float64-exact, and against the torch schedule they equal where there is one.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import nnlite as nl
from nnlite import optim
from nnlite.nn import Parameter
from nnlite.optim import lr_scheduler as nl_sched

TOL = {"rel_tol": 1e-12, "abs_tol": 1e-15}


def P(a):
    """A parameter over the NumPy array ``a`` (shared, not copied; an integer one does
    not require grad)."""
    return Parameter(a, requires_grad=a.dtype.kind == "f")


def _nl_optimizer(name="SGD"):
    groups = [{"params": [P(np.zeros(2))]}, {"params": [P(np.zeros(3))], "lr": 0.05}]
    extra = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    return getattr(optim, name)(groups, lr=0.1, **extra)


def _torch_optimizer(torch, name="SGD"):
    groups = [{"params": [torch.zeros(2, requires_grad=True)]},
              {"params": [torch.zeros(3, requires_grad=True)], "lr": 0.05}]
    extra = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    return getattr(torch.optim, name)(groups, lr=0.1, **extra)


def _resume(module, opt, make):
    """Pretend to resume: set initial_lr as a checkpoint would, then build with last_epoch."""
    for group in opt.param_groups:
        group["initial_lr"] = group["lr"]
    return make(module, opt)


def _snapshot(opt, schedulers):
    rows = [sched.get_last_lr() for sched in schedulers]
    for group in opt.param_groups:
        rows.append([group["lr"], group.get("momentum", 0.0), group.get("betas", (0.0,))[0]])
    return rows


def _assert_rows_close(ours, theirs, where):
    for row_a, row_b in zip(ours, theirs, strict=True):
        for a, b in zip(row_a, row_b, strict=True):
            assert math.isclose(float(a), float(b), **TOL), f"{where}: {ours} != {theirs}"


# name, optimizer, steps, factory(module, optimizer) -> scheduler or list of schedulers
SCHEDULES = [
    ("StepLR", "SGD", 20, lambda m, o: m.StepLR(o, step_size=3, gamma=0.5)),
    ("StepLR-default-gamma", "SGD", 6, lambda m, o: m.StepLR(o, 1)),
    ("MultiStepLR", "SGD", 15, lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", "Adam", 20, lambda m, o: m.ExponentialLR(o, gamma=0.9)),
    ("CosineAnnealingLR", "SGD", 40, lambda m, o: m.CosineAnnealingLR(o, T_max=7)),
    ("CosineAnnealingLR-eta_min", "Adam", 40,
     lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    ("CosineAnnealingLR-resumed", "SGD", 25,
     lambda m, o: _resume(m, o, lambda m, o: m.CosineAnnealingLR(o, 8, 0.01, last_epoch=5))),
    ("StepLR-resumed", "SGD", 10,
     lambda m, o: _resume(m, o, lambda m, o: m.StepLR(o, 4, last_epoch=6))),
    ("LambdaLR", "SGD", 12, lambda m, o: m.LambdaLR(o, lambda e: 1.0 / (e + 1))),
    ("LambdaLR-per-group", "SGD", 12,
     lambda m, o: m.LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1.0 + e % 3])),
    ("chained-Step-Exponential", "SGD", 15,
     lambda m, o: [m.StepLR(o, 4, gamma=0.5), m.ExponentialLR(o, 0.95)]),
    ("chained-Cosine-MultiStep", "SGD", 20,
     lambda m, o: [m.CosineAnnealingLR(o, 6), m.MultiStepLR(o, [3, 11])]),
    ("OneCycleLR-cos-SGD", "SGD", 25, lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=25)),
    ("OneCycleLR-linear-Adam", "Adam", 30,
     lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=30,
                               anneal_strategy="linear")),
    ("OneCycleLR-three-phase", "SGD", 40,
     lambda m, o: m.OneCycleLR(o, 0.8, epochs=4, steps_per_epoch=10, three_phase=True,
                               pct_start=0.25, div_factor=10.0, final_div_factor=100.0)),
    ("OneCycleLR-three-phase-Adam-linear", "Adam", 21,
     lambda m, o: m.OneCycleLR(o, 0.3, total_steps=21, three_phase=True,
                               anneal_strategy="linear", base_momentum=[0.8, 0.7],
                               max_momentum=0.9)),
    ("OneCycleLR-RMSprop", "RMSprop", 17, lambda m, o: m.OneCycleLR(o, 0.2, total_steps=17)),
    ("OneCycleLR-no-momentum", "Adagrad", 12,
     lambda m, o: m.OneCycleLR(o, 0.2, total_steps=12, cycle_momentum=False)),
    ("MultiplicativeLR", "SGD", 50, lambda m, o: m.MultiplicativeLR(o, lambda e: 0.95)),
    ("MultiplicativeLR-per-group", "Adam", 50,
     lambda m, o: m.MultiplicativeLR(o, [lambda e: 0.9, lambda e: 1.0 + 0.01 * (e % 3)])),
    ("ConstantLR-defaults", "SGD", 50, lambda m, o: m.ConstantLR(o)),
    ("ConstantLR", "Adam", 50, lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=7)),
    ("LinearLR-defaults", "SGD", 50, lambda m, o: m.LinearLR(o)),
    ("LinearLR-warmup", "Adam", 50,
     lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=0.8, total_iters=20)),
    ("LinearLR-decay", "SGD", 50, lambda m, o: m.LinearLR(o, 1.0, 0.05, 30)),
    ("LinearLR-resumed", "SGD", 30,
     lambda m, o: _resume(m, o, lambda m, o: m.LinearLR(o, 0.2, total_iters=10, last_epoch=4))),
    ("PolynomialLR-defaults", "SGD", 50, lambda m, o: m.PolynomialLR(o)),
    ("PolynomialLR-square", "Adam", 50, lambda m, o: m.PolynomialLR(o, total_iters=30, power=2.0)),
    ("PolynomialLR-sqrt", "SGD", 50, lambda m, o: m.PolynomialLR(o, 10, 0.5)),
    ("SequentialLR-warmup-cosine", "SGD", 50,
     lambda m, o: m.SequentialLR(o, [m.LinearLR(o, 0.1, total_iters=5),
                                     m.CosineAnnealingLR(o, T_max=45)], milestones=[5])),
    ("SequentialLR-three", "Adam", 50,
     lambda m, o: m.SequentialLR(o, [m.ConstantLR(o, 0.5, total_iters=10),
                                     m.ExponentialLR(o, 0.9), m.StepLR(o, 4, 0.5)],
                                 milestones=[4, 20])),
    ("SequentialLR-lambda-multistep", "SGD", 50,
     lambda m, o: m.SequentialLR(o, [m.LambdaLR(o, lambda e: (e + 1) / 8),
                                     m.MultiStepLR(o, [10, 30])], milestones=[8])),
    ("ChainedScheduler", "SGD", 50,
     lambda m, o: m.ChainedScheduler([m.ConstantLR(o, 0.1, total_iters=3),
                                      m.ExponentialLR(o, 0.95)])),
    ("ChainedScheduler-optimizer", "Adam", 50,
     lambda m, o: m.ChainedScheduler([m.LinearLR(o, 0.2, total_iters=10),
                                      m.CosineAnnealingLR(o, 15, 1e-3)], optimizer=o)),
    ("CosineAnnealingWarmRestarts", "SGD", 50,
     lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7)),
    ("CosineAnnealingWarmRestarts-T_mult", "Adam", 50,
     lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-3)),
    ("CyclicLR-triangular", "SGD", 50, lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=6)),
    ("CyclicLR-triangular2", "SGD", 50,
     lambda m, o: m.CyclicLR(o, [0.01, 0.02], [0.1, 0.05], step_size_up=5, step_size_down=3,
                             mode="triangular2", base_momentum=[0.8, 0.7], max_momentum=0.95)),
    ("CyclicLR-exp_range-Adam", "Adam", 50,
     lambda m, o: m.CyclicLR(o, 0.001, 0.01, step_size_up=4, mode="exp_range", gamma=0.97)),
    ("CyclicLR-no-momentum", "Adagrad", 50,
     lambda m, o: m.CyclicLR(o, 0.01, 0.1, step_size_up=7, cycle_momentum=False)),
    ("CyclicLR-scale_fn-iterations", "RMSprop", 50,
     lambda m, o: m.CyclicLR(o, 0.01, 0.1, 3, 9, scale_fn=lambda x: 1 / (1 + 0.05 * x),
                             scale_mode="iterations")),
    ("CosineAnnealingWarmRestarts-resumed", "SGD", 30,
     lambda m, o: _resume(m, o, lambda m, o: m.CosineAnnealingWarmRestarts(o, 4, 2,
                                                                          last_epoch=9))),
    ("PolynomialLR-resumed", "Adam", 30,
     lambda m, o: _resume(m, o, lambda m, o: m.PolynomialLR(o, 20, 2.0, last_epoch=3))),
    ("MultiplicativeLR-resumed", "SGD", 30,
     lambda m, o: _resume(m, o, lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9,
                                                               last_epoch=2))),
    ("CyclicLR-resumed", "SGD", 30,
     lambda m, o: _resume(m, o, lambda m, o: m.CyclicLR(o, 0.01, 0.1, 4, cycle_momentum=False,
                                                       last_epoch=6))),
]


def _as_list(s):
    return s if isinstance(s, list) else [s]


@pytest.mark.parametrize("optimizer, steps, make",
                         [pytest.param(*c[1:], id=c[0]) for c in SCHEDULES])
def test_matches_torch_every_step(torch, optimizer, steps, make):
    nl_opt, th_opt = _nl_optimizer(optimizer), _torch_optimizer(torch, optimizer)
    nl_s = _as_list(make(nl_sched, nl_opt))
    th_s = _as_list(make(torch.optim.lr_scheduler, th_opt))
    _assert_rows_close(_snapshot(nl_opt, nl_s), _snapshot(th_opt, th_s), "after init")
    for t in range(steps):
        nl_opt.step()
        th_opt.step()
        for a, b in zip(nl_s, th_s):
            a.step()
            b.step()
        _assert_rows_close(_snapshot(nl_opt, nl_s), _snapshot(th_opt, th_s), f"step {t + 1}")
        for a, b in zip(nl_s, th_s):     # (ChainedScheduler has no last_epoch, as in torch)
            assert getattr(a, "last_epoch", None) == getattr(b, "last_epoch", None)
    for a, b in zip(nl_s, th_s):         # (nor SequentialLR base_lrs)
        assert hasattr(a, "base_lrs") == hasattr(b, "base_lrs")
        assert getattr(a, "base_lrs", []) == pytest.approx(getattr(b, "base_lrs", []), rel=1e-15)


def _lrs(opt):
    return [g["lr"] for g in opt.param_groups]


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
                                  "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
                                  "LambdaLR", "MultiplicativeLR"])
def test_step_with_an_epoch_warns_and_jumps_as_torch_does(torch, name):
    """The deprecated ``step(epoch)``: the closed form where there is one, else get_lr."""
    args = {"StepLR": (3, 0.5), "MultiStepLR": ([2, 5, 5, 9], 0.3), "ConstantLR": (0.5, 6),
            "LinearLR": (0.2, 0.9, 8), "ExponentialLR": (0.9,), "PolynomialLR": (12, 2.0),
            "CosineAnnealingLR": (7, 0.01), "LambdaLR": (lambda e: 1.0 / (e + 1),),
            "MultiplicativeLR": (lambda e: 0.9,)}[name]
    nl_opt, th_opt = _nl_optimizer(), _torch_optimizer(torch)
    ours = getattr(nl_sched, name)(nl_opt, *args)
    theirs = getattr(torch.optim.lr_scheduler, name)(th_opt, *args)
    th_opt.step()                    # (or torch warns that the scheduler stepped first)
    for epoch in [3, 7, 2, 10, 10, 0, 15, 4]:
        with pytest.warns(UserWarning, match=r"epoch parameter in `scheduler.step\(\)`"):
            ours.step(epoch)
        with pytest.warns(UserWarning, match="epoch parameter"):
            theirs.step(epoch)
        _assert_rows_close([_lrs(nl_opt)], [_lrs(th_opt)], f"epoch {epoch}")
        assert ours.last_epoch == theirs.last_epoch == epoch
        ours.step()
        theirs.step()
        _assert_rows_close([_lrs(nl_opt)], [_lrs(th_opt)], f"after epoch {epoch}")


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_with_fractional_epochs_match_torch(torch, T_mult):
    nl_opt, th_opt = _nl_optimizer(), _torch_optimizer(torch)
    ours = nl_sched.CosineAnnealingWarmRestarts(nl_opt, T_0=3, T_mult=T_mult, eta_min=0.001)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(th_opt, T_0=3,
                                                                  T_mult=T_mult, eta_min=0.001)
    iters = 7
    for epoch in range(25):
        for i in range(iters):
            ours.step(epoch + i / iters)
            theirs.step(epoch + i / iters)
            _assert_rows_close([ours.get_last_lr(), _lrs(nl_opt)],
                               [theirs.get_last_lr(), _lrs(th_opt)], f"epoch {epoch}+{i}")
            assert (ours.T_cur, ours.T_i, ours.last_epoch) == \
                pytest.approx((theirs.T_cur, theirs.T_i, theirs.last_epoch), rel=1e-15)


def test_warm_restarts_interleaved_step_and_step_epoch_match_torch(torch):
    nl_opt, th_opt = _nl_optimizer(), _torch_optimizer(torch)
    ours = nl_sched.CosineAnnealingWarmRestarts(nl_opt, T_0=4, T_mult=2)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(th_opt, T_0=4, T_mult=2)
    for arg in [None, None, 2.5, None, 13, None, None, 0.25, None, 30.75, None, None, 3]:
        ours.step(arg)
        theirs.step(arg)
        _assert_rows_close([_lrs(nl_opt)], [_lrs(th_opt)], f"step({arg})")
        assert ours.last_epoch == theirs.last_epoch


def test_get_lr_outside_step_warns_as_torch_does(torch):
    ours = nl_sched.StepLR(_nl_optimizer(), 3)
    theirs = torch.optim.lr_scheduler.StepLR(_torch_optimizer(torch), 3)
    for sched in (ours, theirs):
        with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
            sched.get_lr()


def _torch_to_plain(value):
    """A torch scheduler or optimizer state with any tensor made a Python number."""
    if isinstance(value, dict):
        return type(value)({k: _torch_to_plain(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return type(value)(_torch_to_plain(v) for v in value)
    if hasattr(value, "detach"):
        return value.item() if value.ndim == 0 else value.detach().numpy().copy()
    return value


@pytest.mark.parametrize("optimizer, steps, make",
                         [pytest.param(*c[1:], id=c[0]) for c in SCHEDULES
                          if "resumed" not in c[0]])
def test_torch_state_dict_loads_and_continues(torch, optimizer, steps, make):
    """A torch scheduler's state (same attribute names) loads into nnlite's, which then
    goes on with the same rates."""
    th_opt = _torch_optimizer(torch, optimizer)
    th_s = _as_list(make(torch.optim.lr_scheduler, th_opt))
    for _ in range(steps // 2):
        th_opt.step()
        for b in th_s:
            b.step()
    nl_opt = _nl_optimizer(optimizer)
    nl_s = _as_list(make(nl_sched, nl_opt))
    for a, b in zip(nl_s, th_s):
        assert set(a.state_dict()) == set(b.state_dict())
    nl_opt.load_state_dict(_torch_to_plain(th_opt.state_dict()))
    for a, b in zip(nl_s, th_s):
        a.load_state_dict(_torch_to_plain(b.state_dict()))
    for t in range(steps // 2, steps):
        for opt, scheds in ((nl_opt, nl_s), (th_opt, th_s)):
            opt.step()
            for sched in scheds:
                sched.step()
        _assert_rows_close(_snapshot(nl_opt, nl_s), _snapshot(th_opt, th_s), f"step {t + 1}")


PLATEAU_METRICS = [1.0, 0.9, 0.9, 0.9, 0.95, 0.9, 0.89999, 0.7, 0.7, 0.71, 0.72, 0.7,
                   0.69995, 0.6, 0.6, 0.6, 0.6, 0.6, 0.65, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
                   0.49, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.4, 0.4]

PLATEAUS = [
    pytest.param({"patience": 2}, 1, id="min-rel"),
    pytest.param({"mode": "max", "patience": 1, "factor": 0.5}, -1, id="max-rel"),
    pytest.param({"threshold_mode": "abs", "threshold": 0.02, "patience": 1}, 1, id="min-abs"),
    pytest.param({"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 0},
                 -1, id="max-abs"),
    pytest.param({"patience": 1, "cooldown": 3, "factor": 0.5}, 1, id="cooldown"),
    pytest.param({"patience": 0, "factor": 0.5, "min_lr": [0.02, 0.001]}, 1, id="min_lr-list"),
    pytest.param({"patience": 0, "factor": 0.5, "min_lr": 0.01}, 1, id="min_lr-scalar"),
    pytest.param({"patience": 0, "factor": 0.9, "eps": 0.006}, 1, id="eps"),
    pytest.param({}, 1, id="defaults"),
]


def test_reduce_on_plateau_step_with_an_epoch_warns_as_torch_does(torch):
    ours = nl_sched.ReduceLROnPlateau(_nl_optimizer(), patience=0)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(_torch_optimizer(torch), patience=0)
    for sched in (ours, theirs):
        sched.step(1.0)
        with pytest.warns(UserWarning, match="epoch parameter"):
            sched.step(2.0, epoch=7)
    assert ours.last_epoch == theirs.last_epoch == 7
    assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-15)
    assert set(ours.state_dict()) == set(theirs.state_dict())


@pytest.mark.parametrize("kwargs, sign", PLATEAUS)
def test_reduce_on_plateau_matches_torch(torch, kwargs, sign):
    nl_opt, th_opt = _nl_optimizer(), _torch_optimizer(torch)
    nl_s = nl_sched.ReduceLROnPlateau(nl_opt, **kwargs)
    th_s = torch.optim.lr_scheduler.ReduceLROnPlateau(th_opt, **kwargs)
    metric_types = [float, np.float64, np.asarray]          # any scalar-like metric works
    for t, metric in enumerate(PLATEAU_METRICS * 2):
        value = sign * metric
        nl_s.step(metric_types[t % 3](value))
        th_s.step(value)
        _assert_rows_close([nl_s.get_last_lr()], [th_s.get_last_lr()], f"step {t + 1}")
        assert [g["lr"] for g in nl_opt.param_groups] == \
            pytest.approx([g["lr"] for g in th_opt.param_groups], rel=1e-15)
        for attr in ("best", "num_bad_epochs", "cooldown_counter", "last_epoch"):
            assert getattr(nl_s, attr) == getattr(th_s, attr), attr


# ---------------------------------------------------------------------------
# state_dict
# ---------------------------------------------------------------------------

ROUND_TRIPS = [c for c in SCHEDULES if "resumed" not in c[0]]


@pytest.mark.parametrize("optimizer, steps, make",
                         [pytest.param(*c[1:], id=c[0]) for c in ROUND_TRIPS])
def test_state_dict_round_trip(optimizer, steps, make):
    half = steps // 2
    opt = _nl_optimizer(optimizer)
    scheds = _as_list(make(nl_sched, opt))
    expected = []
    for t in range(steps):
        if t == half:
            saved_opt = opt.state_dict()
            saved = [s.state_dict() for s in scheds]
        for s in scheds:
            s.step()
        expected.append(_snapshot(opt, scheds))

    opt2 = _nl_optimizer(optimizer)
    scheds2 = _as_list(make(nl_sched, opt2))     # build, then load optimizer, then schedulers
    opt2.load_state_dict(saved_opt)
    for s, sd in zip(scheds2, saved):
        s.load_state_dict(sd)
    for t in range(half, steps):
        for s in scheds2:
            s.step()
        assert _snapshot(opt2, scheds2) == expected[t]


def test_reduce_on_plateau_state_dict_round_trip():
    opt = _nl_optimizer()
    sched = nl_sched.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    lrs = []
    for t, metric in enumerate(PLATEAU_METRICS):
        if t == 10:
            saved_opt, saved = opt.state_dict(), sched.state_dict()
        sched.step(metric)
        lrs.append(sched.get_last_lr())
    opt2 = _nl_optimizer()
    sched2 = nl_sched.ReduceLROnPlateau(opt2, mode="max")
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved)
    assert sched2.mode == "min" and sched2.mode_worse == math.inf
    for t, metric in enumerate(PLATEAU_METRICS[10:], start=10):
        sched2.step(metric)
        assert sched2.get_last_lr() == lrs[t]


def test_lambda_state_dict_saves_callable_objects_only():
    class Warmup:
        def __init__(self, n):
            self.n = n

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.n)

    opt = _nl_optimizer()
    sched = nl_sched.LambdaLR(opt, [Warmup(4), lambda e: 1.0])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"n": 4}, None]
    target = Warmup(10)
    nl_sched.LambdaLR(_nl_optimizer(), [target, lambda e: 2.0]).load_state_dict(sd)
    assert target.n == 4


def test_initial_lr_is_stored_and_base_lrs_read_from_it():
    opt = _nl_optimizer()
    sched = nl_sched.ExponentialLR(opt, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05]
    assert sched.base_lrs == [0.1, 0.05]
    assert sched.get_last_lr() == [0.1, 0.05]
    sched.step()
    assert sched.get_last_lr() == [0.05, 0.025]


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

def _step_past_the_end():
    sched = nl_sched.OneCycleLR(_nl_optimizer(), 0.1, total_steps=3)
    for _ in range(4):
        sched.step()


BAD_INPUT = [
    ("not an optimizer", lambda: nl_sched.StepLR(object(), 3), TypeError,
     r"optimizer must be an nnlite\.optim\.Optimizer, got object"),
    ("plateau not an optimizer", lambda: nl_sched.ReduceLROnPlateau([1]), TypeError,
     r"optimizer.*got list"),
    ("step_size 0", lambda: nl_sched.StepLR(_nl_optimizer(), 0), ValueError, r"step_size.*0"),
    ("T_max 0", lambda: nl_sched.CosineAnnealingLR(_nl_optimizer(), T_max=0), ValueError,
     r"T_max.*0"),
    ("gamma not a number", lambda: nl_sched.ExponentialLR(_nl_optimizer(), "0.9"), TypeError,
     r"gamma.*'0\.9'"),
    ("resume without initial_lr", lambda: nl_sched.StepLR(_nl_optimizer(), 3, last_epoch=4),
     KeyError, r"initial_lr.*last_epoch=4"),
    ("lambda count", lambda: nl_sched.LambdaLR(_nl_optimizer(), [lambda e: 1.0]), ValueError,
     r"lr_lambda has 1 values, but the optimizer has 2"),
    ("lambda not callable", lambda: nl_sched.LambdaLR(_nl_optimizer(), 0.5), TypeError,
     r"lr_lambda\[0\] must be callable"),
    ("factor 1", lambda: nl_sched.ReduceLROnPlateau(_nl_optimizer(), factor=1.0), ValueError,
     r"factor=1\.0"),
    ("unknown mode", lambda: nl_sched.ReduceLROnPlateau(_nl_optimizer(), mode="avg"),
     ValueError, r"mode.*'avg'"),
    ("unknown threshold_mode",
     lambda: nl_sched.ReduceLROnPlateau(_nl_optimizer(), threshold_mode="pct"), ValueError,
     r"threshold_mode.*'pct'"),
    ("min_lr count", lambda: nl_sched.ReduceLROnPlateau(_nl_optimizer(), min_lr=[0, 0, 0]),
     ValueError, r"min_lr has 3 values, but the optimizer has 2"),
    ("negative patience", lambda: nl_sched.ReduceLROnPlateau(_nl_optimizer(), patience=-1),
     ValueError, r"patience.*-1"),
    ("no total_steps", lambda: nl_sched.OneCycleLR(_nl_optimizer(), 0.1), ValueError,
     r"total_steps"),
    ("total_steps 0", lambda: nl_sched.OneCycleLR(_nl_optimizer(), 0.1, total_steps=0),
     ValueError, r"total_steps.*0"),
    ("pct_start > 1", lambda: nl_sched.OneCycleLR(_nl_optimizer(), 0.1, 10, pct_start=1.5),
     ValueError, r"pct_start.*1\.5"),
    ("anneal_strategy", lambda: nl_sched.OneCycleLR(_nl_optimizer(), 0.1, 10,
                                                   anneal_strategy="exp"),
     ValueError, r"anneal_strategy.*'exp'"),
    ("momentum-less optimizer", lambda: nl_sched.OneCycleLR(_nl_optimizer("Adagrad"), 0.1, 10),
     ValueError, r"cycle_momentum.*Adagrad"),
    ("max_lr count", lambda: nl_sched.OneCycleLR(_nl_optimizer(), [0.1], 10), ValueError,
     r"max_lr has 1 values"),
    ("past total_steps", _step_past_the_end, ValueError, r"4 times.*total_steps is 3"),
    ("ConstantLR factor > 1", lambda: nl_sched.ConstantLR(_nl_optimizer(), factor=1.5),
     ValueError, r"ConstantLR: factor must satisfy 0 <= factor <= 1, got 1\.5"),
    ("ConstantLR total_iters < 0", lambda: nl_sched.ConstantLR(_nl_optimizer(), total_iters=-1),
     ValueError, r"ConstantLR: total_iters must be a non-negative integer, got -1"),
    ("LinearLR start_factor 0", lambda: nl_sched.LinearLR(_nl_optimizer(), start_factor=0),
     ValueError, r"LinearLR: start_factor must satisfy 0 < start_factor <= 1, got 0"),
    ("LinearLR end_factor > 1", lambda: nl_sched.LinearLR(_nl_optimizer(), end_factor=2.0),
     ValueError, r"end_factor.*got 2\.0"),
    ("PolynomialLR power not a number",
     lambda: nl_sched.PolynomialLR(_nl_optimizer(), power="2"), TypeError,
     r"PolynomialLR: power must be a real number, got '2'"),
    ("MultiplicativeLR not callable", lambda: nl_sched.MultiplicativeLR(_nl_optimizer(), 0.9),
     TypeError, r"MultiplicativeLR: lr_lambda\[0\] must be callable, got float"),
    ("SequentialLR milestone count", lambda: (lambda o: nl_sched.SequentialLR(
        o, [nl_sched.ConstantLR(o), nl_sched.ExponentialLR(o, 0.9)], milestones=[2, 5]))(
        _nl_optimizer()), ValueError, r"one milestone fewer than schedulers, but got 2 "
     r"schedulers and 2 milestones"),
    ("SequentialLR other optimizer", lambda: nl_sched.SequentialLR(
        _nl_optimizer(), [nl_sched.ConstantLR(_nl_optimizer())], milestones=[]), ValueError,
     r"same optimizer, but schedulers\[0\] \(ConstantLR\) has another"),
    ("SequentialLR with plateau", lambda: (lambda o: nl_sched.SequentialLR(
        o, [nl_sched.ReduceLROnPlateau(o)], milestones=[]))(_nl_optimizer()), ValueError,
     r"does not support ReduceLROnPlateau"),
    ("SequentialLR empty", lambda: nl_sched.SequentialLR(_nl_optimizer(), [], []), ValueError,
     r"at least one scheduler"),
    ("ChainedScheduler empty", lambda: nl_sched.ChainedScheduler([]), ValueError,
     r"ChainedScheduler expects at least one scheduler"),
    ("ChainedScheduler not schedulers",
     lambda: nl_sched.ChainedScheduler([_nl_optimizer()], optimizer=_nl_optimizer()),
     TypeError, r"schedulers\[0\] \(SGD\) has no 'optimizer' attribute"),
    ("ChainedScheduler one scheduler", lambda: nl_sched.ChainedScheduler(
        nl_sched.ConstantLR(_nl_optimizer())), TypeError,
     r"schedulers must be a list of schedulers, got ConstantLR"),
    ("warm restarts T_0 0", lambda: nl_sched.CosineAnnealingWarmRestarts(_nl_optimizer(), 0),
     ValueError, r"T_0 must be a positive integer, got 0"),
    ("warm restarts T_mult 1.5",
     lambda: nl_sched.CosineAnnealingWarmRestarts(_nl_optimizer(), 5, T_mult=1.5), ValueError,
     r"T_mult must be an integer >= 1, got 1\.5"),
    ("warm restarts negative epoch",
     lambda: nl_sched.CosineAnnealingWarmRestarts(_nl_optimizer(), 5).step(-1), ValueError,
     r"epoch must be non-negative, got -1"),
    ("CyclicLR mode", lambda: nl_sched.CyclicLR(_nl_optimizer(), 0.01, 0.1, mode="sine"),
     ValueError, r"CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range' when "
     r"scale_fn is None, got 'sine'"),
    ("CyclicLR momentum-less optimizer",
     lambda: nl_sched.CyclicLR(_nl_optimizer("Adagrad"), 0.01, 0.1), ValueError,
     r"cycle_momentum=True needs an optimizer with 'momentum' or 'betas', but Adagrad"),
    ("CyclicLR step_size_up 0",
     lambda: nl_sched.CyclicLR(_nl_optimizer(), 0.01, 0.1, step_size_up=0), ValueError,
     r"step_size_up must be positive, got 0"),
    ("CyclicLR scale_mode", lambda: nl_sched.CyclicLR(
        _nl_optimizer(), 0.01, 0.1, scale_fn=lambda x: 1.0, scale_mode="epochs"), ValueError,
     r"scale_mode must be 'cycle' or 'iterations', got 'epochs'"),
    ("CyclicLR base_lr count", lambda: nl_sched.CyclicLR(_nl_optimizer(), [0.1], 0.2),
     ValueError, r"CyclicLR: base_lr has 1 values, but the optimizer has 2"),
]


@pytest.mark.parametrize("make, exc, pattern", [pytest.param(*c[1:], id=c[0]) for c in BAD_INPUT])
def test_bad_input_raises_clear_error(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()


# ---------------------------------------------------------------------------
# Schedules over the fraction of training done (nnlite's own): the formulas, float64-exact,
# and torch where it has the same schedule
# ---------------------------------------------------------------------------
def _cosine(peak, warmup, final, t, p):
    warm = min(1.0, (t + 1) / warmup) if warmup else 1.0
    return peak * (warm * (final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * p))))


@pytest.mark.parametrize("warmup, final", [(0, 0.0), (4, 0.1), (30, 0.5)])
def test_warmup_cosine_follows_its_formula_step_by_step(warmup, final):
    opt = _nl_optimizer()
    sched = nl_sched.WarmupCosineLR(opt, total_steps=20, warmup_steps=warmup,
                                    final_fraction=final)
    for t in range(25):                         # past the end: the rate stays at the last
        p = min(1.0, t / 20)
        assert sched.get_last_lr() == [_cosine(0.1, warmup, final, t, p),
                                       _cosine(0.05, warmup, final, t, p)]
        assert [g["lr"] for g in opt.param_groups] == sched.get_last_lr()
        sched.step()


def test_warmup_cosine_follows_the_progress_it_is_given():
    opt = _nl_optimizer()
    sched = nl_sched.WarmupCosineLR(opt, warmup_steps=2, final_fraction=0.2)   # no total
    for t, p in enumerate([0.1, 0.3, 0.3, 0.9, 1.0, 1.7], start=1):
        sched.step(p)
        assert sched.get_last_lr()[0] == _cosine(0.1, 2, 0.2, t, min(p, 1.0))
        assert sched.progress == min(p, 1.0) and sched.last_epoch == t


def test_multistep_progress_follows_its_formula():
    opt = _nl_optimizer()
    sched = nl_sched.MultiStepProgressLR(opt, (0.5, 0.75), gamma=0.3, total_steps=8)
    for t in range(10):
        k = sum(min(1.0, t / 8) >= m for m in (0.5, 0.75))
        assert sched.get_last_lr() == [0.1 * 0.3 ** k, 0.05 * 0.3 ** k]
        sched.step()
    sched.step(0.6)                                     # a time budget can be further along
    assert sched.get_last_lr() == [0.1 * 0.3, 0.05 * 0.3]


def test_progress_lr_applies_its_lambda_to_the_progress():
    opt = _nl_optimizer()
    sched = nl_sched.ProgressLR(opt, lambda p: 1.0 - p, total_steps=4)
    lrs = [sched.get_last_lr()]
    for _ in range(4):
        sched.step()
        lrs.append(sched.get_last_lr())
    assert lrs == [[0.1 * (1 - t / 4), 0.05 * (1 - t / 4)] for t in range(5)]
    assert "lr_lambda" not in sched.state_dict()


def _step_side_by_side(nnlite_pair, torch_pair, steps):
    """Step (optimizer, scheduler) of each library ``steps`` times; the rates agree before
    every step."""
    for t in range(steps):
        _assert_rows_close([nnlite_pair[1].get_last_lr()], [torch_pair[1].get_last_lr()],
                           f"step {t}")
        for opt, sched in (nnlite_pair, torch_pair):
            opt.step()
            sched.step()


def test_warmup_cosine_without_warmup_matches_torch_cosine_annealing(torch):
    for final, groups in ((0.0, 2), (0.25, 1)):
        nl_opt, th_opt = _nl_optimizer(), _torch_optimizer(torch)
        if groups == 1:
            nl_opt.param_groups.pop()
            th_opt.param_groups.pop()
        ours = nl_sched.WarmupCosineLR(nl_opt, total_steps=12, final_fraction=final)
        theirs = torch.optim.lr_scheduler.CosineAnnealingLR(th_opt, T_max=12,
                                                            eta_min=final * 0.1)
        _step_side_by_side((nl_opt, ours), (th_opt, theirs), 12)


def test_multistep_progress_matches_torch_multistep(torch):
    nl_opt, th_opt = _nl_optimizer(), _torch_optimizer(torch)
    ours = nl_sched.MultiStepProgressLR(nl_opt, (0.5, 0.75, 0.9), total_steps=20)
    theirs = torch.optim.lr_scheduler.MultiStepLR(th_opt, milestones=[10, 15, 18])
    _step_side_by_side((nl_opt, ours), (th_opt, theirs), 22)


def test_progress_schedulers_resume_through_a_checkpoint(tmp_path):
    def run(make, resume_at, steps):
        opt = _nl_optimizer()
        sched = make(opt)
        rates = []
        for t in range(steps):
            if t == resume_at:
                nl.save({"opt": opt.state_dict(), "sched": sched.state_dict()},
                        tmp_path / "ckpt.npz")
                opt = _nl_optimizer()
                sched = make(opt)
                saved = nl.load(tmp_path / "ckpt.npz")
                opt.load_state_dict(saved["opt"])
                sched.load_state_dict(saved["sched"])
            sched.step((t + 1) / steps)
            rates.append(sched.get_last_lr())
        return rates

    for make in (lambda o: nl_sched.WarmupCosineLR(o, warmup_steps=3, final_fraction=0.1),
                 lambda o: nl_sched.MultiStepProgressLR(o, (0.5, 0.75))):
        assert run(make, 5, 12) == run(make, None, 12)


@pytest.mark.parametrize("make, exc, pattern", [
    (lambda: nl_sched.WarmupCosineLR(_nl_optimizer(), 10, warmup_steps=-1), ValueError,
     "WarmupCosineLR: need warmup_steps >= 0"),
    (lambda: nl_sched.WarmupCosineLR(_nl_optimizer(), 10, final_fraction=1.5), ValueError,
     "final_fraction"),
    (lambda: nl_sched.WarmupCosineLR(_nl_optimizer(), total_steps=0), ValueError,
     "total_steps"),
    (lambda: nl_sched.WarmupCosineLR(_nl_optimizer()).step(), ValueError,
     r"step\(\) without progress needs total_steps"),
    (lambda: nl_sched.ProgressLR(_nl_optimizer(), total_steps=3), TypeError, "lr_lambda"),
    (lambda: nl_sched.ProgressLR(_nl_optimizer(), 0.5, 3), TypeError, "callable"),
    (lambda: nl_sched.MultiStepProgressLR(_nl_optimizer(), (0.5,), gamma="x"), TypeError,
     "gamma"),
])
def test_progress_schedulers_reject_bad_arguments(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()
