"""run_epoch and evaluate (nnlite/training/loop.py)."""
import time

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn, optim
from nnlite.data import DataLoader, TensorDataset
from nnlite.training import evaluate, run_epoch


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
                                         "sq": float((out.array ** 2).sum())}
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
