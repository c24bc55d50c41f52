"""fit and FitState (nnlite/training/fit.py)."""
import time

import pytest

from nnlite import optim
from nnlite.training import FitState, fit

from .test_loop import _data, _model_and_step


def test_fit_logs_checkpoints_and_hooks(tmp_path, capsys):
    model, step = _model_and_step()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    seen = []
    h = fit(model, opt, step, _data(), epochs=3, out_dir=tmp_path, progress=False,
            evaluate=lambda e: {"test_acc": 0.5 + e / 10},
            after_step=lambda s: seen.append((s.epoch, s.step)), plot=False)
    assert h.epochs == [1, 2, 3] and h["test_acc"] == pytest.approx([0.6, 0.7, 0.8])
    assert {"train_loss", "train_acc", "lr", "time"} <= set(h.keys())
    assert seen[0] == (1, 1) and seen[-1] == (3, 12)
    assert (tmp_path / "history.csv").exists()
    out = capsys.readouterr().out
    assert "epoch 3/3  train loss" in out and "test_acc 80.00%" in out
    # resuming a finished run trains nothing and keeps the history
    h2 = fit(model, opt, step, _data(), epochs=3, out_dir=tmp_path, resume=True,
             progress=False, plot=False)
    assert h2.records == h.records
    assert "nothing to train" in capsys.readouterr().out


def test_fit_time_budget(tmp_path, capsys):
    model, step = _model_and_step()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def slow(state):
        time.sleep(0.02)
    h = fit(model, opt, step, _data(), epochs=50, out_dir=tmp_path, progress=False,
            after_step=slow, time_budget=0.05, plot=False)
    assert len(h) == 1 and h.last("time") >= 0.05
    assert "time budget of 0.1s reached during epoch 1" in capsys.readouterr().out
    # the training time survives --resume, so the budget is already spent
    h = fit(model, opt, step, _data(), epochs=50, out_dir=tmp_path, progress=False,
            resume=True, time_budget=0.05, plot=False)
    assert len(h) == 1 and "used up" in capsys.readouterr().out


def test_fit_state_progress():
    s = FitState(epochs=2, steps_per_epoch=10, step=5)
    assert s.progress == 0.25
    s.time_budget, s.train_time = 10.0, 5.0
    assert s.progress == 0.5
    s.train_time = 50.0
    assert s.progress == 1.0


def test_fit_sets_the_samplers_epoch_and_may_write_nothing(tmp_path):
    """A DistributedSampler gets set_epoch(0), (1), ... (a new order each epoch, as a torch
    loop does); save=False (the processes but one of a data-parallel run) writes no file."""
    from nnlite.data import DataLoader, DistributedSampler
    model, step = _model_and_step()
    data = _data().dataset
    sampler = DistributedSampler(data, num_replicas=2, rank=1)
    epochs = []
    sampler.set_epoch = epochs.append
    loader = DataLoader(data, batch_size=16, sampler=sampler)
    fit(model, optim.SGD(model.parameters(), lr=0.1), step, loader, epochs=3,
        out_dir=tmp_path / "run", progress=False, log=None, save=False)
    assert epochs == [0, 1, 2] and not (tmp_path / "run").exists()
