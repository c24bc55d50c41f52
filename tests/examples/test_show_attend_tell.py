"""examples/train_show_attend_tell.py end to end: ``--quick`` trains on a tiny slice in
seconds, prints the exact-string accuracy of greedy and beam decoding last, writes a
checkpoint, history.csv, curves.png and attention.png, and ``--resume`` continues."""
import pytest

from nnlite.training import have_matplotlib

from . import example, run

NAME = "train_show_attend_tell"
FINAL = "final: held-out exact strings"
PNG = b"\x89PNG\r\n\x1a\n"


def test_quick_run_writes_checkpoint_curves_and_attention_then_resumes(tmp_path, capsys):
    out = tmp_path / "run"
    lines = run(NAME, ["--out-dir", out, "--beam", 2, "--show", 3], capsys)
    assert lines[0].startswith("ShowAttendTell (CNN 8,16,16,32, LSTM 32")
    assert "256 train / 64 held-out composites, 1 epochs" in lines[0]
    assert lines[-1].startswith(FINAL) and "greedy" in lines[-1] and "beam 2" in lines[-1]
    assert "(64 composites of MNIST test digits)" in lines[-1]
    assert (out / "checkpoint-epoch001.npz").is_file()
    header = (out / "history.csv").read_text().splitlines()[0]
    for column in ("train_loss", "train_acc", "test_loss", "test_acc"):
        assert column in header
    if have_matplotlib():                 # the plots need the examples extra
        assert (out / "curves.png").read_bytes()[:8] == PNG
        assert (out / "attention.png").read_bytes()[:8] == PNG
        assert any(line.startswith("attention maps of 3 held-out images") for line in lines)

    lines = run(NAME, ["--out-dir", out, "--resume", "--epochs", 2, "--show", 0], capsys)
    assert f"resumed from {out / 'checkpoint-epoch001.npz'} (epoch 1)" in lines
    assert any(line.startswith("epoch 2/2") for line in lines)
    assert lines[-1].startswith(FINAL) and "2 epochs" in lines[-1]
    assert (out / "checkpoint-epoch002.npz").is_file()
    assert len((out / "history.csv").read_text().splitlines()) == 1 + 2      # header + 2


def test_help_lists_the_common_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        example(NAME).main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--epochs", "--quick", "--resume", "--out-dir", "--batch-size", "--lr",
                 "--time-budget", "--beam", "--alpha-c", "--train-size", "--test-size"):
        assert flag in text
    assert "Xu et al. 2015" in text
