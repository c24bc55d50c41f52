"""Checkpointer: a round trip restores every state, and resuming is exact."""
import random

import numpy as np
import pytest

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn, optim
from nnlite.data import DataLoader, TensorDataset
from nnlite.training import (Checkpointer, History, fit, get_rng_state, set_rng_state, set_seed)


def _setup(seed=0):
    """A small MLP with dropout (draws random numbers every step), momentum SGD, a step
    scheduler and a shuffling loader: everything resuming has to restore."""
    set_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    g = np.random.default_rng(1)
    x = g.normal(size=(40, 4)).astype(np.float32)
    y = g.integers(0, 3, size=40)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    return model, opt, sched, loader


def _step(model):
    def step(batch):
        x, y = batch
        out = model(x)
        return F.cross_entropy(out, y), {"n": len(y), "correct": int((out.argmax(1) == y).sum())}
    return step


def _weights(model):
    return {k: v.copy() for k, v in model.state_dict().items()}


def test_round_trip_restores_everything(tmp_path):
    model, opt, sched, loader = _setup()
    fit(model, opt, _step(model), loader, epochs=2, out_dir=tmp_path, scheduler=sched,
        progress=False, log=None, plot=False)
    files = sorted(p.name for p in tmp_path.glob("*.npz"))
    assert files == ["checkpoint-epoch001.npz", "checkpoint-epoch002.npz"]
    ckpt = nl.load(tmp_path / "checkpoint-epoch002.npz")     # a plain nnlite file
    assert ckpt["epoch"] == 2 and ckpt["extra"]["step"] == 10
    assert set(ckpt) >= {"model", "optimizer", "scheduler", "history", "rng", "extra"}

    model2, opt2, sched2, _ = _setup(seed=5)       # different weights and random state
    history = History()
    rng_before = get_rng_state()
    epoch = Checkpointer(tmp_path, model2, opt2, sched2).resume(history, log=None)
    assert epoch == 2
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(model2.state_dict()[k], v)
    buf, buf2 = (o.state_dict()["state"][0]["momentum_buffer"] for o in (opt, opt2))
    np.testing.assert_array_equal(buf, buf2)
    assert sched2.last_epoch == sched.last_epoch == 2
    assert opt2.param_groups[0]["lr"] == pytest.approx(0.025)
    assert history.epochs == [1, 2] and history.last("train_loss") is not None
    assert get_rng_state()["nnlite"] != rng_before["nnlite"]


@pytest.mark.parametrize("split", [1, 2])
def test_resume_gives_the_same_weights(tmp_path, split):
    """3 epochs straight == `split` epochs, a new process-like start, --resume, the rest."""
    model, opt, sched, loader = _setup()
    h_full = fit(model, opt, _step(model), loader, epochs=3, out_dir=tmp_path / "full",
                 scheduler=sched, progress=False, log=None, plot=False)
    expected = _weights(model)

    model, opt, sched, loader = _setup()
    fit(model, opt, _step(model), loader, epochs=split, out_dir=tmp_path / "split",
        scheduler=sched, progress=False, log=None, plot=False)
    nl.manual_seed(1234)                            # scramble the state resuming restores
    model, opt, sched, loader = _setup(seed=99)
    h = fit(model, opt, _step(model), loader, epochs=3, out_dir=tmp_path / "split",
            scheduler=sched, resume=True, progress=False, log=None, plot=False)
    for k, v in expected.items():
        np.testing.assert_array_equal(_weights(model)[k], v, err_msg=k)
    assert h.epochs == [1, 2, 3]
    assert h["train_loss"] == h_full["train_loss"]


def test_keep_prunes_and_latest(tmp_path):
    model, opt, _, _ = _setup()
    ck = Checkpointer(tmp_path / "c", model, opt, keep=2)
    assert ck.latest() is None and ck.checkpoints() == []
    for e in (1, 2, 3, 10):
        ck.save(e, note="hello", arr=np.arange(3))
    assert [e for e, _ in ck.checkpoints()] == [3, 10]
    assert ck.latest().name == "checkpoint-epoch010.npz"
    got = ck.load()
    assert got["extra"]["note"] == "hello" and ck.extra["arr"].tolist() == [0, 1, 2]
    Checkpointer(tmp_path / "all", model, keep=0).save(1)
    assert Checkpointer(tmp_path / "all", model).resume(log=None) == 1


def test_resume_without_checkpoint_and_bad_files(tmp_path, capsys):
    model, opt, _, _ = _setup()
    assert Checkpointer(tmp_path, model).resume() == 0
    assert "no checkpoint" in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        Checkpointer(tmp_path, model).load()
    nl.save({"x": np.zeros(2)}, tmp_path / "checkpoint-epoch001.npz")
    with pytest.raises(ValueError, match="not a training checkpoint"):
        Checkpointer(tmp_path, model).load()
    other = nn.Linear(3, 3)
    Checkpointer(tmp_path / "o", other).save(1)
    with pytest.raises((ValueError, KeyError, RuntimeError)):
        Checkpointer(tmp_path / "o", model).load()
    with pytest.raises(ValueError, match="keep"):
        Checkpointer(tmp_path, model, keep=-1)


def test_rng_state_round_trip(tmp_path):
    set_seed(3)
    state = get_rng_state()
    nl.save(state, tmp_path / "rng.npz")
    a = (nl.randn(3).numpy(), np.random.rand(2), random.random())
    set_seed(7)
    set_rng_state(nl.load(tmp_path / "rng.npz"))
    b = (nl.randn(3).numpy(), np.random.rand(2), random.random())
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2]
