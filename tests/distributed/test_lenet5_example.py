"""``mpiexec -n 2 python examples/train_lenet5.py --distributed`` (with --quick): it
trains, rank 0 alone prints and writes a checkpoint of the plain model, --help says what
--batch-size means."""
import numpy as np
import pytest

from ..examples import example
from ._mpi import ROOT, mpirun


def test_distributed_quick_run(tmp_path):
    out = mpirun([ROOT / "examples" / "train_lenet5.py", "--distributed", "--quick",
                  "--no-progress", "--batch-size", "32", "--out-dir", tmp_path])
    lines = out.strip().splitlines()
    assert "2 processes x batch 32 = global batch 64" in lines[0]
    assert sum(line.startswith("final: test accuracy ") for line in lines) == 1   # rank 0
    assert sum(line.startswith("epoch 1/1 ") for line in lines) == 1
    with np.load(tmp_path / "checkpoint-epoch001.npz", allow_pickle=False) as ckpt:
        assert "model/c1.weight" in ckpt.files                  # the plain model's keys
        assert not any("module." in k for k in ckpt.files)


def test_help_says_the_batch_size_is_per_process(capsys):
    with pytest.raises(SystemExit):
        example("train_lenet5").main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--batch-size is PER PROCESS and the global batch is --batch-size x processes" in text
