"""examples/train_dcgan.py end to end with ``--quick`` (256 digits, 8-wide players): the
epoch's files (checkpoint, history.csv, curves.png, the sample grid), the samples .npy for
a judge, ``--resume`` continuing where it stopped (bit for bit like an uninterrupted run),
sampling from a checkpoint with ``--epochs 0``, and the command line's checks."""
import csv

import numpy as np
import pytest

import nnlite as nl
from nnlite.training import have_matplotlib

from . import example, run

PNG = b"\x89PNG\r\n\x1a\n"


def _history(out_dir) -> list[dict]:
    with open(out_dir / "history.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_quick_run_writes_its_files_and_samples_then_resumes(tmp_path, capsys):
    out, samples = tmp_path / "run", tmp_path / "samples.npy"
    lines = run("train_dcgan", ["--out-dir", out, "--samples", samples], capsys)
    assert lines[0].startswith("DCGAN (G ")
    assert "256 training images, batch 128, 1 epoch" in lines[0]
    assert lines[-1].startswith("final: D(x) ") and "D(G(z)) " in lines[-1]
    assert "1 epoch," in lines[-1] and str(out) in lines[-1]
    assert any(line.startswith("epoch 1/1  d_loss ") for line in lines)
    assert any(line.startswith(f"wrote 64 samples to {samples}") for line in lines)
    x = np.load(samples)
    assert x.shape == (64, 1, 28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0 and x.std() > 0
    assert (out / "checkpoint-epoch001.npz").is_file()
    rows = _history(out)
    assert [r["epoch"] for r in rows] == ["1"]
    assert set(rows[0]) == {"epoch", "d_loss", "g_loss", "d_real", "d_fake", "time"}
    assert 0.0 < float(rows[0]["d_real"]) < 1.0 and float(rows[0]["d_loss"]) > 0
    if have_matplotlib():                 # the pictures need the examples extra
        assert (out / "curves.png").read_bytes()[:8] == PNG
        assert (out / "samples-epoch001.png").read_bytes()[:8] == PNG
    first = (out / "checkpoint-epoch001.npz").read_bytes()

    lines = run("train_dcgan", ["--out-dir", out, "--resume", "--epochs", 2], capsys)
    assert any(line.startswith("resumed from") and "(epoch 1)" in line for line in lines)
    assert not any(line.startswith("epoch 1/") for line in lines)
    assert any(line.startswith("epoch 2/2 ") for line in lines)
    assert lines[-1].startswith("final: D(x) ") and "2 epochs," in lines[-1]
    assert [r["epoch"] for r in _history(out)] == ["1", "2"]
    assert (out / "checkpoint-epoch001.npz").read_bytes() == first      # kept as it was
    if have_matplotlib():
        assert (out / "samples-epoch002.png").read_bytes()[:8] == PNG
    # the per-step trace of both players survives the resume: 2 steps an epoch
    trace = nl.load(out / "checkpoint-epoch002.npz")["extra"]["trace"]
    assert np.asarray(trace).shape == (4, 4)


def test_resumed_training_equals_an_uninterrupted_run(tmp_path, capsys):
    run("train_dcgan", ["--out-dir", tmp_path / "a", "--epochs", 2], capsys)
    run("train_dcgan", ["--out-dir", tmp_path / "b", "--epochs", 1], capsys)
    run("train_dcgan", ["--out-dir", tmp_path / "b", "--epochs", 2, "--resume"], capsys)
    a = nl.load(tmp_path / "a" / "checkpoint-epoch002.npz")["model"]
    b = nl.load(tmp_path / "b" / "checkpoint-epoch002.npz")["model"]
    assert list(a) == list(b) and any(k.startswith("generator.") for k in a)
    for key in a:
        np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)


def test_sampling_from_a_checkpoint_repeats_the_samples(tmp_path, capsys):
    out = tmp_path / "run"
    run("train_dcgan", ["--out-dir", out, "--samples", tmp_path / "s1.npy"], capsys)
    lines = run("train_dcgan", ["--out-dir", out, "--resume", "--epochs", 0,
                                "--samples", tmp_path / "s2.npy", "--num-samples", 64],
                capsys)
    assert any(line.startswith("nothing to train") for line in lines)
    np.testing.assert_array_equal(np.load(tmp_path / "s1.npy"), np.load(tmp_path / "s2.npy"))


def test_help_and_bad_options(capsys):
    main = example("train_dcgan").main
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "--samples PATH" in text and "--num-samples N" in text and "--beta1" in text
    for bad, message in ((["--num-samples", "0"], "--num-samples must be >= 1"),
                         (["--beta1", "1.0"], "--beta1 must be in [0, 1)"),
                         (["--ngf", "0"], "--ngf must be >= 1")):
        with pytest.raises(SystemExit):
            main([*bad, "--quick"])
        assert message in capsys.readouterr().err
