"""History: recording, CSV, and the PNG of training curves (skipped without matplotlib)."""
import math

import pytest

from nnlite.training import History, have_matplotlib
from nnlite.training import history as history_module


def _history():
    h = History()
    for e in range(1, 5):
        h.log(e, train_loss=1.0 / e, test_loss=1.2 / e, train_acc=0.5 + 0.1 * e,
              test_acc=0.45 + 0.1 * e, lr=0.1)
    return h


def test_log_read_and_best():
    h = _history()
    assert h.epochs == [1, 2, 3, 4] and len(h) == 4
    assert h.keys() == ["train_loss", "test_loss", "train_acc", "test_acc", "lr"]
    assert h["train_loss"][1] == pytest.approx(0.5)
    assert h.last("test_acc") == pytest.approx(0.85)
    assert h.best("test_acc")["epoch"] == 4 and h.best("test_loss", "min")["epoch"] == 4
    assert h.best("missing") is None and h.last("missing", 7) == 7
    h.log(2, bleu=3.0)                                  # updates the epoch's record
    assert len(h) == 4 and math.isnan(h["bleu"][0]) and h["bleu"][1] == 3.0
    h.truncate(2)
    assert h.epochs == [1, 2]
    with pytest.raises(KeyError, match="no metric 'nope'"):
        h["nope"]
    with pytest.raises(ValueError, match="mode"):
        h.best("lr", "up")
    assert h.panels() == {"loss": ["train_loss", "test_loss"], "acc": ["train_acc", "test_acc"],
                          "lr": ["lr"], "bleu": ["bleu"]}


def test_state_dict_and_csv(tmp_path):
    h = _history()
    h2 = History()
    h2.load_state_dict(h.state_dict())
    assert h2.records == h.records
    path = h.to_csv(tmp_path / "sub" / "history.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,train_loss,test_loss,train_acc,test_acc,lr"
    assert len(lines) == 5 and lines[1].startswith("1,1.0,1.2,")


def test_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = _history().plot(tmp_path / "curves.png", title="test")
    assert path == tmp_path / "curves.png"
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert not list(tmp_path.glob("*.tmp*"))
    assert History().plot(tmp_path / "empty.png") is None


def test_split_variants_share_the_metric_panel(tmp_path):
    h = _history()
    h.log(4, **{"test-10crop_acc": 0.9, "test-10crop_loss": 0.3})
    panels = h.panels()
    assert panels["acc"] == ["train_acc", "test_acc", "test-10crop_acc"]
    assert panels["loss"] == ["train_loss", "test_loss", "test-10crop_loss"]
    assert "trainable_params" in History([{"epoch": 1, "trainable_params": 3}]).panels()
    if history_module.have_matplotlib():
        assert h.plot(tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_plot_without_matplotlib_warns_once(tmp_path, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    monkeypatch.setattr(History, "_warned", False)
    assert not history_module.have_matplotlib()
    with pytest.warns(RuntimeWarning, match="matplotlib is not installed.*pip install"):
        assert _history().plot(tmp_path / "c.png") is None
    assert not (tmp_path / "c.png").exists()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _history().plot(tmp_path / "c.png") is None      # only once


def test_have_matplotlib_is_a_bool():
    assert isinstance(have_matplotlib(), bool)
