"""benchmarks/judge_samples.py: the Frechet distance against closed forms and an
independent oracle (the eigenvalues of S1 S2, and SciPy's sqrtm where installed); reading
samples files and refusing bad ones; and the script end to end at a tiny budget (a
classifier trained on 3,000 digits for two epochs, cached, then loaded)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "judge_samples.py")
sys.path.insert(0, ROOT)
try:
    from benchmarks.judge_samples import (feature_stats, frechet_distance, read_samples)
finally:
    sys.path.remove(ROOT)


def _spd(rng, d, rank=None):
    """A random symmetric positive (semi-)definite d x d matrix."""
    a = rng.standard_normal((d, rank or d))
    return a @ a.T / d + (0 if rank else 0.1 * np.eye(d))


# ============================================================================
# Frechet distance
# ============================================================================
def test_a_set_against_itself_is_zero():
    f = np.random.default_rng(0).standard_normal((500, 12)) @ np.diag(np.arange(1, 13))
    mu, s = feature_stats(f)
    assert frechet_distance(mu, s, mu, s) == pytest.approx(0.0, abs=1e-8 * np.trace(s))


def test_a_singular_covariance_against_itself_is_zero():
    rng = np.random.default_rng(1)
    s = _spd(rng, 10, rank=3)                      # rank 3: seven zero eigenvalues
    assert frechet_distance(np.zeros(10), s, np.zeros(10), s) == pytest.approx(0, abs=1e-9)


def test_shifted_gaussians_give_the_squared_shift():
    """Same covariance, means apart by delta: the distance is |delta|^2 exactly."""
    rng = np.random.default_rng(2)
    s = _spd(rng, 8)
    mu, delta = rng.standard_normal(8), rng.standard_normal(8)
    assert frechet_distance(mu, s, mu + delta, s) == pytest.approx(delta @ delta, rel=1e-9)


def test_diagonal_covariances_give_the_closed_form():
    """Commuting (diagonal) covariances: sum (sqrt a_i - sqrt b_i)^2 + |mu1 - mu2|^2."""
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.1, 3, 6), rng.uniform(0.1, 3, 6)
    mu1, mu2 = rng.standard_normal(6), rng.standard_normal(6)
    expected = ((np.sqrt(a) - np.sqrt(b)) ** 2).sum() + ((mu1 - mu2) ** 2).sum()
    got = frechet_distance(mu1, np.diag(a), mu2, np.diag(b))
    assert got == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_general_covariances_match_the_eigenvalues_of_their_product(seed):
    """tr((S1 S2)^(1/2)) = sum sqrt(eig(S1 S2)), from the non-symmetric product itself
    (numpy.linalg.eigvals): another route to the same number; symmetric in its
    arguments."""
    rng = np.random.default_rng(seed)
    s1, s2 = _spd(rng, 9), _spd(rng, 9)
    mu1, mu2 = rng.standard_normal(9), rng.standard_normal(9)
    eig = np.linalg.eigvals(s1 @ s2)
    expected = (((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2)
                - 2 * np.sqrt(np.clip(eig.real, 0, None)).sum())
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)
    assert frechet_distance(mu2, s2, mu1, s1) == pytest.approx(expected, rel=1e-9)


def test_agrees_with_scipy_sqrtm():
    linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(7)
    s1, s2 = _spd(rng, 7), _spd(rng, 7)
    mu1, mu2 = rng.standard_normal(7), rng.standard_normal(7)
    covmean = linalg.sqrtm(s1 @ s2).real
    expected = ((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)


def test_samples_of_shifted_gaussians_approach_the_closed_form():
    """Fitted to 40,000 draws each of N(0, S) and N(delta, S): close to |delta|^2."""
    rng = np.random.default_rng(8)
    s = _spd(rng, 4)
    delta = np.array([1.0, -0.5, 0.25, 2.0])
    chol = np.linalg.cholesky(s)
    x = rng.standard_normal((40000, 4)) @ chol.T
    y = rng.standard_normal((40000, 4)) @ chol.T + delta
    got = frechet_distance(*feature_stats(x), *feature_stats(y))
    assert got == pytest.approx(delta @ delta, abs=0.03)


def test_frechet_distance_checks_shapes():
    with pytest.raises(ValueError, match=r"mu1 \(3,\), sigma1 \(3, 3\), mu2 \(4,\)"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))
    with pytest.raises(ValueError, match=r"N >= 2, got shape \(1, 5\)"):
        feature_stats(np.zeros((1, 5)))


# ============================================================================
# Samples files
# ============================================================================
def test_read_samples_accepts_the_documented_layouts(tmp_path):
    x = np.random.default_rng(0).uniform(0, 1, (3, 1, 28, 28)).astype(np.float32)
    np.save(tmp_path / "a.npy", x)
    np.save(tmp_path / "b.npy", x[:, 0])                                  # (N, 28, 28)
    np.save(tmp_path / "c.npy", (x * 255).astype(np.uint8))               # 0-255
    np.testing.assert_array_equal(read_samples(tmp_path / "a.npy"), x)
    np.testing.assert_array_equal(read_samples(tmp_path / "b.npy"), x)
    np.testing.assert_allclose(read_samples(tmp_path / "c.npy"), x, atol=1 / 255)


@pytest.mark.parametrize("array, message", [
    (np.zeros((3, 3, 28, 28), np.float32), r"\(N, 1, 28, 28\).*got shape \(3, 3, 28, 28\)"),
    (np.zeros((1, 1, 28, 28), np.float32), "at least 2 images"),
    (np.full((2, 1, 28, 28), -0.5, np.float32), r"\[-0.5, -0.5\] \(tanh's range\?"),
    (np.full((2, 1, 28, 28), 255.0, np.float32), r"values in \[255, 255\]"),
    (np.full((2, 1, 28, 28), np.nan, np.float32), "NaN or infinite"),
])
def test_read_samples_refuses_bad_files(tmp_path, array, message):
    np.save(tmp_path / "bad.npy", array)
    with pytest.raises(ValueError, match=message):
        read_samples(tmp_path / "bad.npy")


# ============================================================================
# The script, at a tiny budget
# ============================================================================
def _judge(*args):
    """Run the script; one BLAS thread (LeNet-5's matrices are small: on busy shared cores
    one thread beats two)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    return subprocess.run([sys.executable, SCRIPT, "--no-progress", *map(str, args)],
                          capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)


def test_script_judges_a_samples_file_with_a_cached_classifier(tmp_path):
    """Real test digits as "samples" and blank images as a collapsed generator; a judge
    trained on 3,000 digits for two epochs, compared on 300 test digits."""
    sys.path.insert(0, ROOT)
    try:
        from benchmarks.judge_samples import mnist_arrays
    finally:
        sys.path.remove(ROOT)
    x, _ = mnist_arrays(train=False)
    np.save(tmp_path / "real.npy", x[-200:])
    np.save(tmp_path / "blank.npy", np.zeros((50, 1, 28, 28), np.float32))
    common = ["--epochs", 2, "--train-size", 3000, "--test-size", 300, "--cache",
              tmp_path / "cache"]
    proc = _judge(tmp_path / "real.npy", tmp_path / "blank.npy", *common,
                  "--json", tmp_path / "out.json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert any("judge classifier: trained in" in line for line in lines)
    assert (tmp_path / "cache" / "lenet5-e2-s0-n3000.npz").is_file()
    assert lines[-1].startswith(f"final: {tmp_path / 'blank.npy'}: ")
    assert "target missed" in lines[-1]

    out = json.loads((tmp_path / "out.json").read_text())
    assert out["classifier"]["train_size"] == 3000 and out["classifier"]["trained"]
    names = [r["name"] for r in out["rows"]]
    assert names == [str(tmp_path / "real.npy"), str(tmp_path / "blank.npy"),
                     "MNIST test (real)", "MNIST train, 300 (real)"]
    real, blank, test, train = out["rows"]
    assert test["images"] == 300 and test["accuracy"] > 0.8      # 2 epochs on 3,000 digits
    assert test["frechet_distance"] == pytest.approx(0.0, abs=1e-6)   # the reference itself
    assert real["accuracy"] is None and len(real["class_shares"]) == 10
    assert sum(real["class_shares"]) == pytest.approx(1.0)
    assert blank["flagged_classes"] and not blank["target_met"]   # one class for everything
    assert max(blank["class_shares"]) == 1.0
    assert blank["frechet_distance"] > 10 * real["frechet_distance"] > 0
    assert train["frechet_distance"] < blank["frechet_distance"]

    proc = _judge(tmp_path / "real.npy", *common, "--json", "-")          # cached now
    assert proc.returncode == 0, proc.stderr
    assert "judge classifier: loaded" in proc.stderr
    again = json.loads(proc.stdout)
    assert not again["classifier"]["trained"]
    assert again["rows"][0] == real                  # the same classifier, the same figures


def test_script_refuses_a_bad_file_and_a_foreign_cache(tmp_path):
    np.save(tmp_path / "bad.npy", np.zeros((4, 2, 28, 28), np.float32))
    proc = _judge(tmp_path / "bad.npy", "--cache", tmp_path)
    assert proc.returncode == 2 and "got shape (4, 2, 28, 28)" in proc.stderr
    proc = _judge(tmp_path / "missing.npy")
    assert proc.returncode == 2 and "samples file not found" in proc.stderr
    np.savez(tmp_path / "lenet5-e1-s0-n1000.npz", x=np.zeros(3))         # not ours
    proc = _judge("--epochs", 1, "--train-size", 1000, "--cache", tmp_path)
    assert proc.returncode != 0 and "--retrain" in proc.stderr
