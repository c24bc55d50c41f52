"""progress_lr, step_decay and warmup_cosine (nnlite/training/lr_hooks.py)."""
import math

import pytest

import nnlite as nl
from nnlite import nn, optim
from nnlite.training import FitState, progress_lr, step_decay, warmup_cosine


def test_progress_lr_with_step_decay():
    opt = optim.SGD([nl.zeros(2, requires_grad=True)], lr=0.1)
    decay = step_decay((0.5, 0.75))
    assert [decay(p) for p in (0.0, 0.49, 0.5, 0.8, 1.0)] == pytest.approx(
        [1.0, 1.0, 0.1, 0.01, 0.01])
    hook = progress_lr(opt, decay)
    state = FitState(epochs=1, steps_per_epoch=4)
    lrs = []
    for state.step in range(1, 5):
        hook(state)
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == pytest.approx([0.1, 0.01, 0.001, 0.001])
    state.step, state.time_budget, state.train_time = 1, 10.0, 6.0     # time is further along
    hook(state)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)


def _optimizer(lr=0.1):
    return optim.SGD(nn.Linear(2, 2).parameters(), lr=lr)


def test_warmup_cosine_warms_up_linearly_then_decays_to_the_final_fraction():
    opt = _optimizer()
    hook = warmup_cosine(opt, warmup_steps=4, final_fraction=0.1)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 / 4)      # the first step's rate
    state = FitState(epochs=2, steps_per_epoch=10)
    for step in range(1, 21):                   # after step s, the rate of step s + 1
        state.step = step
        hook(state)
        warm = min(1.0, (step + 1) / 4)
        cosine = 0.5 * (1 + math.cos(math.pi * step / 20))
        assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * warm * (0.1 + 0.9 * cosine))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)          # final_fraction * peak


def test_warmup_cosine_ends_with_the_time_budget():
    opt = _optimizer(1.0)
    hook = warmup_cosine(opt)
    hook(FitState(epochs=100, steps_per_epoch=100, step=10, train_time=30.0, time_budget=60.0))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5)            # half-way by time
    with pytest.raises(ValueError, match="warmup_cosine"):
        warmup_cosine(opt, warmup_steps=-1)
