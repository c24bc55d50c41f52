"""examples/train_lstm_sst2.py end to end: ``--quick`` trains a tiny biLSTM on a slice of the
shipped SST-2 in seconds, prints its final line (the test accuracy at the best dev epoch),
writes a checkpoint, history.csv and curves.png, and ``--resume`` continues from the
checkpoint; both poolings and the unidirectional LSTM run."""
import csv

import pytest

from nnlite.training import have_matplotlib

from . import example, run


def _epochs(out_dir) -> list[str]:
    with open(out_dir / "history.csv", newline="") as fh:
        return [row["epoch"] for row in csv.DictReader(fh)]


def test_quick_run_writes_checkpoint_and_curves_then_resumes(tmp_path, capsys):
    lines = run("train_lstm_sst2", ["--out-dir", tmp_path], capsys)
    assert lines[0].startswith("SST-2 (Kim's splits): 400 train / 100 dev / 100 test")
    assert lines[-1].startswith("final: test accuracy ") and "at epoch 1 " in lines[-1]
    assert "biLSTM 1x16, max pooling" in lines[-1] and "1 epoch," in lines[-1]
    assert (tmp_path / "checkpoint-epoch001.npz").is_file()
    if have_matplotlib():                 # the plot needs the examples extra
        assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    weights = (tmp_path / "checkpoint-epoch001.npz").read_bytes()

    lines = run("train_lstm_sst2", ["--out-dir", tmp_path, "--resume", "--epochs", 2], capsys)
    assert f"resumed from {tmp_path / 'checkpoint-epoch001.npz'} (epoch 1)" in lines
    assert not any(line.startswith("epoch 1/") for line in lines)
    assert any(line.startswith("epoch 2/2 ") for line in lines)
    assert lines[-1].startswith("final: test accuracy ") and "2 epochs," in lines[-1]
    assert _epochs(tmp_path) == ["1", "2"]
    assert (tmp_path / "checkpoint-epoch001.npz").read_bytes() == weights   # kept as it was


@pytest.mark.parametrize("extra,name", [(["--pooling", "last"], "biLSTM 1x16, last pooling"),
                                        (["--unidirectional", "--layers", "2"],
                                         "LSTM 2x16, max pooling")])
def test_other_poolings_and_shapes(extra, name, tmp_path, capsys):
    lines = run("train_lstm_sst2", ["--out-dir", tmp_path, *extra], capsys)
    assert name in lines[0] and name in lines[-1]
    assert lines[-1].startswith("final: test accuracy ")


def test_help_and_bad_options(capsys):
    main = example("train_lstm_sst2").main
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--epochs", "--quick", "--resume", "--out-dir", "--batch-size", "--lr",
                 "--pooling", "--embed-dropout", "--weight-decay", "Tai et al."):
        assert flag in text
    with pytest.raises(SystemExit):
        main(["--quick", "--dropout", "1.0"])
    assert "--dropout must be in [0, 1)" in capsys.readouterr().err
