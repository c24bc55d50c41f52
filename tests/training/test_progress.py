"""ProgressBar: the built-in text bar (no tqdm needed) and the metrics it shows."""
import io

import pytest

from nnlite.training import ProgressBar, format_metrics


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_text_bar_without_tqdm_on_a_terminal():
    out = _Tty()
    bar = ProgressBar(total=4, desc="epoch 1/2", unit="img", use_tqdm=False, file=out,
                      mininterval=0.0)
    for i in range(4):
        bar.update(items=10, loss=1.0 / (i + 1), acc=0.5)
    line = bar.close()
    text = out.getvalue()
    assert "\r" in text and text.endswith("\n")
    assert line.startswith("epoch 1/2 [####################] 4/4 [")
    assert "loss 0.5208" in line and "acc 50.00%" in line and "img/s" in line
    assert bar.items == 40 and bar.n == 4
    assert bar.means["loss"] == pytest.approx((1 + 1 / 2 + 1 / 3 + 1 / 4) / 4)
    assert bar.close() == line                         # closing twice is harmless


def test_text_bar_in_a_log_file_prints_one_line():
    out = io.StringIO()                                # not a terminal: no \r redraws
    with ProgressBar(total=3, desc="test", unit="tok", use_tqdm=False, file=out) as bar:
        for _ in range(3):
            bar.update(items=5, loss=2.0)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "\r" not in out.getvalue()
    assert lines[0].startswith("test [####################] 3/3") and "tok/s" in lines[0]


def test_disabled_and_unknown_total():
    out = io.StringIO()
    bar = ProgressBar(desc="x", enable=False, file=out)
    bar.update(items=3, loss=1.0)
    assert "x 1 [" in bar.close() and out.getvalue() == ""
    assert bar.rate > 0


def test_tqdm_bar_if_installed():
    pytest.importorskip("tqdm")
    out = io.StringIO()
    bar = ProgressBar(total=2, desc="d", use_tqdm=True, file=out, mininterval=0)
    bar.update(items=4, loss=1.0, acc=1.0)
    bar.update(items=4, loss=3.0, acc=0.0)
    line = bar.close()
    assert "loss 2.0000 acc 50.00%" in line and out.getvalue()


def test_format_metrics():
    assert format_metrics({"loss": 0.12345, "test_acc": 0.9912, "bleu": 31.2, "n": 3,
                           "flag": True, "none": None}) == \
        "loss 0.1235 test_acc 99.12% bleu 31.2000 n 3"
    assert format_metrics({"lr": 1e-5}) == "lr 1e-05"
