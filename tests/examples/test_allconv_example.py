"""examples/train_allconv.py end to end: ``--quick`` trains a tiny All-CNN-C on 64 MNIST-32
images in seconds, prints its final line, writes a checkpoint, history.csv and curves.png,
and ``--resume`` continues from the checkpoint; --widths and --augment reach the model and
the data; CIFAR-10 gets the paper's network when --data-dir holds it."""
import csv

import pytest

from nnlite.training import have_matplotlib

from . import example, run
from .test_vision_examples import _write_cifar


def _epochs(out_dir) -> list[str]:
    with open(out_dir / "history.csv", newline="") as fh:
        return [row["epoch"] for row in csv.DictReader(fh)]


def test_quick_run_writes_checkpoint_and_curves_then_resumes(tmp_path, capsys):
    lines = run("train_allconv", ["--out-dir", tmp_path], capsys)
    assert "All-CNN-C 8/16 (9,818 parameters) on MNIST-32: 64 train / 32 test images" in \
        "\n".join(lines)
    final = lines[-1]
    assert final.startswith("final: test accuracy ") and "All-CNN-C 8/16 on MNIST-32" in final
    assert "1 epoch," in final and str(tmp_path) in final
    assert (tmp_path / "checkpoint-epoch001.npz").is_file()
    if have_matplotlib():                 # the plot needs the examples extra
        assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    weights = (tmp_path / "checkpoint-epoch001.npz").read_bytes()

    lines = run("train_allconv", ["--out-dir", tmp_path, "--resume", "--epochs", 2], capsys)
    assert any(line.startswith("resumed from") and "(epoch 1)" in line for line in lines)
    assert not any(line.startswith("epoch 1/") for line in lines)
    assert any(line.startswith("epoch 2/2 ") for line in lines)
    assert lines[-1].startswith("final: test accuracy ") and "2 epochs," in lines[-1]
    assert _epochs(tmp_path) == ["1", "2"]
    assert (tmp_path / "checkpoint-epoch001.npz").read_bytes() == weights   # kept as it was


def test_widths_augmentation_and_final_relu(tmp_path, capsys):
    lines = run("train_allconv", ["--out-dir", tmp_path, "--widths", 4, 6, "--augment",
                                  "--no-flip", "--final-relu"], capsys)
    assert "All-CNN-C 4/6 " in lines[-1]
    assert any(line.endswith("1 epoch, crops") for line in lines)


def test_cifar10_gets_three_input_channels(tmp_path, capsys):
    _write_cifar(tmp_path)
    lines = run("train_allconv", ["--data-dir", tmp_path, "--out-dir", tmp_path / "run"],
                capsys)
    assert "All-CNN-C 8/16 (9,962 parameters) on CIFAR-10: 40 train / 8 test images" in \
        lines[0]
    assert "on CIFAR-10" in lines[-1]


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        example("train_allconv").main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--epochs", "--quick", "--resume", "--out-dir", "--time-budget", "--widths",
                 "--augment", "--weight-decay", "--final-relu", "9.08%"):
        assert flag in text
