"""The vision examples end to end: each (LeNet-5 plain, --classic, --distort; ResNet; AlexNet)
runs with ``--quick`` on a tiny slice in seconds, prints its final line, writes a checkpoint,
history.csv and curves.png, and ``--resume`` continues from the checkpoint. CIFAR-10 is a
tiny file written here in its binary format: the real one is never needed."""
import csv

import numpy as np
import pytest

from nnlite.data.download import DatasetNotFoundError
from nnlite.training import have_matplotlib

from . import example, run

CASES = {
    "lenet5": ("train_lenet5", [], "LeNet5 on MNIST"),
    "lenet5-classic": ("train_lenet5", ["--classic"], "LeNet5Classic on MNIST"),
    "lenet5-distort": ("train_lenet5", ["--distort"], "LeNet5 on MNIST"),
    "resnet": ("train_resnet", [], "ResNet-8 on MNIST-32"),
    "alexnet": ("train_alexnet", [], "AlexNetSmall on MNIST-32"),
}


def _epochs(out_dir) -> list[str]:
    with open(out_dir / "history.csv", newline="") as fh:
        return [row["epoch"] for row in csv.DictReader(fh)]


@pytest.mark.parametrize("case", CASES)
def test_quick_run_writes_checkpoint_and_curves_then_resumes(case, tmp_path, capsys):
    name, extra, model_on_data = CASES[case]
    lines = run(name, ["--out-dir", tmp_path, *extra], capsys)
    final = lines[-1]
    assert final.startswith("final: test accuracy ") and model_on_data in final
    assert "1 epoch," in final and str(tmp_path) in final
    assert (tmp_path / "checkpoint-epoch001.npz").is_file()
    if have_matplotlib():                 # the plot needs the examples extra
        assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if name == "train_alexnet":           # single view each epoch, 10 views at the end
        assert "; test-10crop accuracy " in final
    weights = (tmp_path / "checkpoint-epoch001.npz").read_bytes()

    lines = run(name, ["--out-dir", tmp_path, "--resume", "--epochs", 2, *extra], capsys)
    assert any(line.startswith("resumed from") and "(epoch 1)" in line for line in lines)
    assert not any(line.startswith("epoch 1/") for line in lines)
    assert any(line.startswith("epoch 2/2 ") for line in lines)
    assert lines[-1].startswith("final: test accuracy ") and "2 epochs," in lines[-1]
    assert _epochs(tmp_path) == ["1", "2"]
    assert (tmp_path / "checkpoint-epoch001.npz").read_bytes() == weights   # kept as it was
    assert (tmp_path / "checkpoint-epoch002.npz").is_file()


def _write_cifar(root, per_file: int = 8) -> None:
    """``root/cifar-10-batches-bin/`` in CIFAR-10's binary format: records of a label byte
    and 3 x 32 x 32 pixel bytes (red plane, green, blue)."""
    folder = root / "cifar-10-batches-bin"
    folder.mkdir()
    g = np.random.default_rng(0)
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        records = g.integers(0, 256, size=(per_file, 1 + 3 * 32 * 32), dtype=np.uint8)
        records[:, 0] = np.arange(per_file) % 10
        (folder / name).write_bytes(records.tobytes())


def test_resnet_trains_on_cifar10_when_data_dir_holds_it(tmp_path, capsys):
    _write_cifar(tmp_path)
    lines = run("train_resnet", ["--data-dir", tmp_path, "--out-dir", tmp_path / "run"], capsys)
    assert "ResNet-8 (75,290 parameters) on CIFAR-10: 40 train / 8 test images" in lines[0]
    assert "on CIFAR-10" in lines[-1]


def test_missing_cifar10_falls_back_to_mnist_or_says_how_to_get_it(tmp_path, capsys):
    main = example("train_alexnet").main
    with pytest.raises(DatasetNotFoundError, match="cifar-10-binary.tar.gz"):
        main(["--dataset", "cifar10", "--data-dir", str(tmp_path), "--quick"])
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    help_text = capsys.readouterr().out
    assert "--data-dir" in help_text and "tar xzf cifar-10-binary.tar.gz -C DIR" in help_text
    assert "--time-budget" in help_text and "10 views" in help_text
