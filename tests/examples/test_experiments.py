"""The experiments in ``examples/experiments/``: each runs with ``--quick`` in seconds, prints
its figures and a ``final:`` line, and writes its PNG (when matplotlib is installed). The
figures themselves are checked where they do not depend on training: the vanishing
gradient at initialisation and the gradient a confidently wrong output gets."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlite.training import have_matplotlib

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "experiments"
NAMES = ["activations", "losses", "pooling", "clipping", "dropout"]


def experiment(name: str):
    """Import ``examples/experiments/<name>.py`` (its folder on sys.path, as when run)."""
    if str(FOLDER) not in sys.path:
        sys.path.insert(0, str(FOLDER))
    spec = importlib.util.spec_from_file_location(f"experiment_{name}", FOLDER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", NAMES)
def test_quick_run_prints_final_line_and_writes_png(name, tmp_path, capsys):
    assert experiment(name).main(["--quick", "--out-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("final: ")
    if have_matplotlib():
        png = tmp_path / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert str(png) in lines[-1]


def test_sigmoid_gradients_vanish_towards_the_input_at_init():
    act = experiment("activations")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 784)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    norms = {}
    for name in ("sigmoid", "relu+He"):
        import nnlite
        nnlite.manual_seed(0)
        activation, he_init = act.ACTIVATIONS[name]
        norms[name] = act.gradient_norms(act.mlp(activation, he_init), x, y)
    assert len(norms["sigmoid"]) == act.DEPTH
    assert norms["sigmoid"][0] < 1e-4 * norms["sigmoid"][-1]       # 1/4 per layer, 9 times
    assert 0.1 < norms["relu+He"][0] / norms["relu+He"][-1] < 10    # level


def test_cross_entropy_pushes_a_confidently_wrong_logit_and_mse_does_not():
    losses = experiment("losses")
    margins = np.array([0.0, 5.0, 10.0])
    ce = losses.true_logit_gradient(losses.LOSSES["cross-entropy"], margins)
    mse = losses.true_logit_gradient(losses.LOSSES["MSE on softmax"], margins)
    p_true = 1.0 / (9.0 + np.exp(margins))                 # softmax of the true class
    np.testing.assert_allclose(ce, p_true - 1.0, rtol=1e-12)
    assert abs(mse[2]) < 1e-4 < abs(ce[2])
    assert abs(mse[2]) < abs(mse[1]) < abs(mse[0])


def test_adding_problem_targets_sum_the_two_marked_values():
    clip = experiment("clipping")
    x, y = clip.adding_batch(np.random.default_rng(0), 8, 10)
    x, y = x.numpy(), y.numpy()
    assert x.shape == (10, 8, 2) and y.shape == (8, 1)
    assert (x[:, :, 1].sum(0) == 2).all()                   # two markers per sequence
    assert (x[:5, :, 1].sum(0) == 1).all()                  # one in each half
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(0), rtol=1e-6)
