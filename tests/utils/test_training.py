"""run_epoch / evaluate / fit / the examples' common options."""
import argparse
import time
from pathlib import Path

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn, optim
from nnlite.data import DataLoader, TensorDataset
from nnlite.utils import (FitState, evaluate, example_parser, fit, format_seconds, parse_args,
                          progress_lr, run_epoch, step_decay, take, training_args)


def _data(n=64):
    g = np.random.default_rng(0)
    x = g.normal(size=(n, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)          # XOR-like quadrants
    return DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)


def _model_and_step():
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 2))

    def step(batch):
        x, y = batch
        out = model(x)
        return F.cross_entropy(out, y), {"n": len(y), "correct": int((out.argmax(1) == y).sum()),
                                         "sq": float((out.data ** 2).sum())}
    return model, step


def test_run_epoch_trains_and_reports():
    model, step = _model_and_step()
    opt = optim.Adam(model.parameters(), lr=0.05)
    loader = _data()
    first = run_epoch(step, loader, optimizer=opt, progress=False)
    for _ in range(30):
        last = run_epoch(step, loader, optimizer=opt, progress=False, clip_grad_norm=1.0)
    assert last["loss"] < first["loss"] and last["acc"] > 0.9
    assert last["items"] == 64 and last["batches"] == 4 and last["rate"] > 0
    assert "sq" in last and last["stopped"] is False
    w = model.state_dict()["0.weight"].copy()
    ev = evaluate(step, loader, "val", progress=False, model=model)
    assert set(ev) == {"val_loss", "val_acc", "val_sq"}
    np.testing.assert_array_equal(model.state_dict()["0.weight"], w)   # no update
    assert model.training


def test_run_epoch_stops_and_rejects_nan():
    model, step = _model_and_step()
    opt = optim.SGD(model.parameters(), lr=0.1)
    res = run_epoch(step, _data(), optimizer=opt, progress=False, max_batches=2)
    assert res["batches"] == 2
    res = run_epoch(step, _data(), optimizer=opt, progress=False, deadline=time.monotonic())
    assert res["batches"] == 1 and res["stopped"]

    def nan_step(batch):
        return nl.tensor(float("nan")), 1
    with pytest.raises(FloatingPointError, match="loss is nan at batch 1"):
        run_epoch(nan_step, _data(), progress=False)
    with pytest.raises(TypeError, match="must return"):
        run_epoch(lambda b: 1.0, _data(), progress=False)
    with pytest.raises(ValueError, match="needs 'n'"):
        run_epoch(lambda b: (nl.tensor(1.0), {"correct": 1}), _data(), progress=False)


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


def test_training_args():
    p = training_args(argparse.ArgumentParser(), name="demo", epochs=7, batch_size=32, lr=0.01)
    a = parse_args(p, [])
    assert (a.epochs, a.batch_size, a.lr, a.seed, a.quick, a.resume, a.progress) == \
        (7, 32, 0.01, 0, False, False, True)
    assert a.out_dir == Path("runs/demo")
    a = parse_args(p, ["--quick", "--out-dir", "x", "--no-progress"])
    assert a.epochs == 1 and a.out_dir == Path("x") and not a.progress
    assert parse_args(p, ["--quick", "--epochs", "3"]).epochs == 3
    a = parse_args(p, ["--lr", "0.5"], defaults=lambda a: {"lr": 0.1, "epochs": 2})
    assert (a.lr, a.epochs) == (0.5, 2)
    with pytest.raises(SystemExit):
        parse_args(p, ["--lr", "0"])
    assert "default: 7; 1 with --quick" in p.format_help()


def test_take_and_format_seconds():
    ds = TensorDataset(np.arange(100))
    sub = take(ds, 10)
    assert len(sub) == 10 and take(ds, 10).indices.tolist() == sub.indices.tolist()
    assert take(ds, None) is ds and take(ds, 1000) is ds
    assert format_seconds(5.25) == "5.2s" and format_seconds(75) == "1m15s"
    assert format_seconds(5000) == "1h23m" and format_seconds(None) == "-"


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


def test_time_budget_option_and_example_parser():
    p = training_args(example_parser("Demo.\n\n    python demo.py --quick    # fast"),
                      name="demo", epochs=7, batch_size=32, lr=0.01, time_budget=30)
    assert "    python demo.py --quick    # fast" in p.format_help()       # kept as written
    assert "default: 30; none with --quick" in " ".join(p.format_help().split())
    assert parse_args(p, []).time_budget == 1800.0
    assert parse_args(p, ["--time-budget", "0.5"]).time_budget == 30.0
    assert parse_args(p, ["--time-budget", "0"]).time_budget is None
    assert parse_args(p, ["--quick"]).time_budget is None
    assert parse_args(p, ["--quick", "--time-budget", "1"]).time_budget == 60.0
    with pytest.raises(SystemExit):
        parse_args(p, ["--time-budget", "-1"])
    plain = training_args(argparse.ArgumentParser(), name="d", epochs=1, batch_size=1, lr=0.1)
    assert not hasattr(parse_args(plain, []), "time_budget")
