"""examples/train_vae.py end to end with ``--quick``: the final line with the test loss in
nats per image, the checkpoint, history.csv, curves.png and the image PNGs; ``--resume``;
the 2-D latent walk; the ``.npy`` samples (shape, dtype, range, repeatable from a
checkpoint); the conv variant and binarised digits; ``--help``. And examples/common/images.py."""
import csv

import numpy as np
import pytest

from nnlite.training import have_matplotlib

from . import example, run

PNG = b"\x89PNG\r\n\x1a\n"


def _is_png(path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == PNG


def _epochs(out_dir) -> list[str]:
    with open(out_dir / "history.csv", newline="") as fh:
        return [row["epoch"] for row in csv.DictReader(fh)]


def test_quick_run_writes_checkpoint_curves_and_images_then_resumes(tmp_path, capsys):
    lines = run("train_vae", ["--out-dir", tmp_path], capsys)
    assert lines[0].startswith("VAE 784-64-20 relu (") and "256 train / 128 test" in lines[0]
    final = lines[-1]
    assert final.startswith("final: test loss ") and " nats per image (reconstruction " in final
    assert "VAE 784-64-20 relu on MNIST (grey levels), 1 epoch," in final
    assert str(tmp_path) in final
    loss = float(final.split()[3])
    assert 100 < loss < 800                         # an untrained-ish VAE on 784 pixels
    with open(tmp_path / "history.csv", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert float(row["test_loss"]) == pytest.approx(float(row["test_rec"])
                                                    + float(row["test_kl"]), rel=1e-6)
    assert (tmp_path / "checkpoint-epoch001.npz").is_file()
    if have_matplotlib():
        for png in ("curves.png", "samples.png", "reconstructions.png"):
            assert _is_png(tmp_path / png), png
    assert not (tmp_path / "latent_walk.png").exists()           # only with --latent 2
    weights = (tmp_path / "checkpoint-epoch001.npz").read_bytes()

    lines = run("train_vae", ["--out-dir", tmp_path, "--resume", "--epochs", 2], capsys)
    assert any(line.startswith("resumed from") and "(epoch 1)" in line for line in lines)
    assert not any(line.startswith("epoch 1/") for line in lines)
    assert any(line.startswith("epoch 2/2 ") for line in lines)
    assert lines[-1].startswith("final: test loss ") and "2 epochs," in lines[-1]
    assert _epochs(tmp_path) == ["1", "2"]
    assert (tmp_path / "checkpoint-epoch001.npz").read_bytes() == weights
    assert (tmp_path / "checkpoint-epoch002.npz").is_file()


def test_resume_gives_the_weights_of_an_uninterrupted_run(tmp_path, capsys):
    run("train_vae", ["--out-dir", tmp_path / "a", "--epochs", 2], capsys)
    run("train_vae", ["--out-dir", tmp_path / "b"], capsys)
    run("train_vae", ["--out-dir", tmp_path / "b", "--resume", "--epochs", 2], capsys)
    a = np.load(tmp_path / "a" / "checkpoint-epoch002.npz")
    b = np.load(tmp_path / "b" / "checkpoint-epoch002.npz")
    weights = [k for k in a.files if "model" in k]
    assert weights
    for k in weights:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_latent_2_draws_the_walk_and_samples_are_written(tmp_path, capsys):
    samples = tmp_path / "s.npy"
    lines = run("train_vae", ["--out-dir", tmp_path, "--latent", 2, "--samples", samples,
                              "--num-samples", 1500], capsys)
    assert any(line.startswith("wrote 1,500 samples") for line in lines)
    if have_matplotlib():
        assert _is_png(tmp_path / "latent_walk.png") and _is_png(tmp_path / "latent_codes.png")
    s = np.load(samples)
    assert s.shape == (1500, 1, 28, 28) and s.dtype == np.float32
    assert s.min() >= 0.0 and s.max() <= 1.0 and s.std() > 0

    # from the checkpoint alone, the same samples again
    again = tmp_path / "again.npy"
    lines = run("train_vae", ["--out-dir", tmp_path, "--latent", 2, "--resume", "--epochs", 1,
                              "--samples", again, "--num-samples", 1500], capsys)
    assert any(line.startswith("nothing to train") for line in lines)
    np.testing.assert_array_equal(np.load(again), s)


@pytest.mark.parametrize("extra, name", [
    (["--conv"], "ConvVAE 8-16 maps, L=20 on MNIST (grey levels)"),
    (["--binarize", "--activation", "tanh", "--hidden", 32],
     "VAE 784-32-20 tanh on MNIST (binarised)"),
])
def test_conv_and_binarised_variants(extra, name, tmp_path, capsys):
    lines = run("train_vae", ["--out-dir", tmp_path, *extra], capsys)
    assert lines[-1].startswith("final: test loss ") and name in lines[-1]


def test_binarize_draws_zeros_and_ones():
    module = example("train_vae")
    images = np.array([[0, 128, 255]], np.uint8)
    once = module.binarize_once(np.repeat(images, 2000, axis=0))
    assert set(np.unique(once)) == {0, 255}
    assert (once[:, 0] == 0).all() and (once[:, 2] == 255).all()
    assert abs((once[:, 1] == 255).mean() - 128 / 255) < 0.05


def test_help_and_bad_options(capsys):
    main = example("train_vae").main
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for option in ("--conv", "--latent", "--samples", "--num-samples", "--binarize",
                   "--quick", "--resume", "--epochs", "Kingma & Welling"):
        assert option in text, option
    for bad in (["--latent", "0"], ["--num-samples", "0"], ["--hidden", "-1"]):
        with pytest.raises(SystemExit) as exit_:
            main(bad + ["--quick"])
        assert exit_.value.code == 2


# ============================================================================
# examples/common/images.py
# ============================================================================
def test_tile_lays_images_out_in_rows():
    from common.images import tile
    imgs = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 1, 2, 3)
    grid = tile(imgs, nrow=2, padding=1, pad_value=-1)
    assert grid.shape == (3 * 3 + 1, 2 * 4 + 1)
    np.testing.assert_array_equal(grid[1:3, 1:4], imgs[0, 0])
    np.testing.assert_array_equal(grid[1:3, 5:8], imgs[1, 0])
    np.testing.assert_array_equal(grid[7:9, 1:4], imgs[4, 0])
    assert (grid[7:9, 5:8] == -1).all()                           # no sixth image
    assert tile(np.zeros((2, 3, 4, 4)), nrow=8, padding=0).shape == (4, 8, 3)
    with pytest.raises(ValueError, match=r"got shape \(2, 2, 4, 4\)"):
        tile(np.zeros((2, 2, 4, 4)))


def test_save_image_grid_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    from common.images import save_image_grid
    path = save_image_grid(np.random.default_rng(0).random((6, 1, 8, 8)), tmp_path / "g.png",
                           nrow=3, title="t", xlabel="z1", ylabel="z2")
    assert path == tmp_path / "g.png" and _is_png(path)
    assert not list(tmp_path.glob("*.tmp.png"))
