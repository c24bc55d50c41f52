"""Judge generated MNIST digits with a classifier trained on real ones.

    python benchmarks/judge_samples.py runs/dcgan/samples.npy          # one samples file
    python benchmarks/judge_samples.py a.npy b.npy --json judge.json   # several; JSON too
    python benchmarks/judge_samples.py                                 # the real rows only
    python benchmarks/judge_samples.py s.npy --epochs 1 --train-size 5000   # a weaker judge

A samples file is a .npy array (N, 1, 28, 28) (or (N, 28, 28)) of pixels in [0, 1], white
digits on black as in MNIST: what ``examples/train_dcgan.py --samples PATH`` writes (uint8
arrays in 0-255 are accepted too). The issue's target for a generator: at least 90% of
10,000 samples classified with confidence >= 0.9, and every digit between 5% and 15% of
them (no mode collapse).

The classifier is LeNet-5 (``nnlite.models.LeNet5``: ReLU, max-pooling) trained on the
60,000 real training digits with ``examples/train_lenet5.py``'s recipe (pixels normalised
by 0.1307 / 0.3081, batches of 64, SGD with learning rate 0.05, momentum 0.9, weight decay
5e-4, cosine decay to 0), 5 epochs: ~99% test accuracy in about a minute on 2 cores. It is
trained once and cached in ``runs/judge/`` (``--cache DIR``), one file per setting of
``--epochs --seed --train-size``; later runs load it (``--retrain`` trains afresh). Only a
file this script wrote is loaded (checked by a tag and the settings; no pickle).

For each samples file, and for two real sets -- the MNIST test images (the sanity row: what
real digits score) and 10,000 MNIST training images (the Frechet distance a perfect
generator would get: another draw of real digits) -- it prints:

    confident   the share of images whose largest softmax probability is >= 0.9
                (``--threshold``)
    classes     the share of images given each digit (the argmax), flagged (*) outside
                5-15%
    accuracy    for the real sets, which have labels
    FD          the Frechet distance between Gaussians fitted to the classifier's
                penultimate features (F6: 84 ReLU units) of the set and of the MNIST test
                images

The Frechet distance between N(mu1, S1) and N(mu2, S2) (Dowson & Landau 1982; Heusel et
al. 2017's FID is it on Inception features) is

    d^2 = |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2)).

S1 S2 is not symmetric, but it has the eigenvalues of the symmetric positive semi-definite
M = S1^(1/2) S2 S1^(1/2) (AB and BA share their eigenvalues, with A = S1^(1/2), B =
S1^(1/2) S2), so tr((S1 S2)^(1/2)) = sum_i sqrt(lambda_i(M)). Both steps are symmetric
eigendecompositions (``numpy.linalg.eigh``): S1 = V diag(w) V^T gives S1^(1/2) = V diag(
sqrt(w)) V^T, then M's eigenvalues; rounding's tiny negative eigenvalues are clipped to 0.
Float64 throughout; no SciPy. The values are on this classifier's feature scale: compare
them between runs of this script with the same classifier, not with published FIDs.

``--json PATH`` (``-`` for standard output) writes every figure.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import nnlite as nl  # noqa: E402
import nnlite.nn.functional as F  # noqa: E402
from nnlite import optim  # noqa: E402
from nnlite.data import DataLoader, TensorDataset  # noqa: E402
from nnlite.data.datasets import MNIST  # noqa: E402
from nnlite.models import LeNet5  # noqa: E402
from nnlite.optim.lr_scheduler import CosineAnnealingLR  # noqa: E402
from nnlite.training import count_correct, run_epoch, set_seed  # noqa: E402

MEAN, STD = 0.1307, 0.3081             # MNIST training-set pixel statistics
FORMAT = "nnlite benchmarks/judge_samples.py classifier v1"   # the cache files' tag
CLASS_RANGE = (0.05, 0.15)             # the bounds on each digit's share
TARGET_CONFIDENT = 0.90                # the bound on the confident share
TRAIN_IMAGES, TEST_IMAGES = 60000, 10000


# ============================================================================
# The Frechet distance
# ============================================================================
def feature_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean (D,) and covariance (D, D) (normalised by N - 1) of features (N, D), in
    float64."""
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or f.shape[0] < 2:
        raise ValueError(f"feature_stats: expected features of shape (N, D) with N >= 2, "
                         f"got shape {f.shape}")
    return f.mean(0), np.cov(f, rowvar=False).reshape(f.shape[1], f.shape[1])


def _sqrt_psd(s: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix, by its
    eigendecomposition S = V diag(w) V^T -> V diag(sqrt(w)) V^T (w clipped at 0)."""
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray,
                     sigma2: np.ndarray) -> float:
    """The Frechet distance (squared 2-Wasserstein) between N(mu1, sigma1) and
    N(mu2, sigma2): ``|mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^(1/2))``, with the
    last trace as ``sum sqrt(eig(S1^(1/2) S2 S1^(1/2)))`` (see the module docstring).

    Args:
        mu1, mu2: means (D,). sigma1, sigma2: covariances (D, D), symmetric positive
            semi-definite.

    Returns:
        float, >= 0 (a result below 0 from rounding is returned as 0).
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    d = mu1.shape[0] if mu1.ndim == 1 else -1
    if mu2.shape != (d,) or s1.shape != (d, d) or s2.shape != (d, d):
        raise ValueError(f"frechet_distance: expected means (D,) and covariances (D, D) of "
                         f"one D, got mu1 {mu1.shape}, sigma1 {s1.shape}, mu2 {mu2.shape}, "
                         f"sigma2 {s2.shape}")
    s1, s2 = (s1 + s1.T) / 2, (s2 + s2.T) / 2            # exactly symmetric for eigh
    root1 = _sqrt_psd(s1)                                  # S1^(1/2)
    m = root1 @ s2 @ root1                                 # S1^(1/2) S2 S1^(1/2), PSD
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0.0, None)).sum()
    diff = mu1 - mu2
    return max(0.0, float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_sqrt))


# ============================================================================
# The classifier
# ============================================================================
class JudgeNet(LeNet5):
    """LeNet-5 (ReLU, max-pool) whose penultimate layer can be read: ``features`` is F6's
    ReLU output (N, 84); ``forward`` is the output layer on it, the logits (N, 10)."""

    def features(self, x: nl.Tensor) -> nl.Tensor:
        x = self.s2(F.relu(self.c1(x)))              # (N, 6, 14, 14)
        x = self.s4(F.relu(self.c3(x)))              # (N, 16, 5, 5)
        x = F.relu(self.c5(x)).flatten(1)            # (N, 120)
        return F.relu(self.f6(x))                    # (N, 84)

    def forward(self, x: nl.Tensor) -> nl.Tensor:
        return self.output(self.features(x))         # (N, 10)


def normalize(images: np.ndarray) -> np.ndarray:
    """Pixels in [0, 1] -> the classifier's input, by MNIST's training statistics."""
    return ((images - MEAN) / STD).astype(np.float32)


def mnist_arrays(train: bool, data_dir: str | None = None,
                 indices: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The shipped MNIST (the images at ``indices``, default all): images float32
    (N, 1, 28, 28) in [0, 1], labels int64 (N,)."""
    ds = MNIST(data_dir, train=train)
    images, labels = ds.data, np.asarray(ds.targets, dtype=np.int64)
    if indices is not None:
        images, labels = images[indices], labels[indices]
    return images[:, None].astype(np.float32) / 255.0, labels


def subset(n: int | None, total: int, seed: int) -> np.ndarray:
    """Indices of a fixed random ``n`` of ``total`` items (all of them if n is None or not
    smaller), sorted."""
    if n is None or n >= total:
        return np.arange(total)
    return np.sort(np.random.default_rng(seed).permutation(total)[:n])


def train_classifier(epochs: int, seed: int, train_size: int | None,
                     data_dir: str | None = None, progress: bool = True,
                     log: Any = print) -> JudgeNet:
    """LeNet-5 trained on (a fixed random ``train_size`` of) the MNIST training digits with
    the main example's recipe (see the module docstring)."""
    set_seed(seed)
    x, y = mnist_arrays(True, data_dir, subset(train_size, TRAIN_IMAGES, seed))
    loader = DataLoader(TensorDataset(nl.from_numpy(normalize(x)), nl.from_numpy(y)),
                        batch_size=64, shuffle=True)
    model = JudgeNet()
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    sched = CosineAnnealingLR(opt, T_max=max(1, epochs * len(loader)))

    def step(batch: Any) -> tuple:
        xb, yb = batch
        logits = model(xb)
        return F.cross_entropy(logits, yb), {"n": len(yb),
                                             "correct": count_correct(logits, yb)[0]}

    model.train()
    for epoch in range(1, epochs + 1):
        res = run_epoch(step, loader, optimizer=opt, scheduler=sched, progress=progress,
                        desc=f"judge classifier, epoch {epoch}/{epochs}")
        log(f"judge classifier, epoch {epoch}/{epochs}: train loss {res['loss']:.4f}, "
            f"accuracy {100 * res['acc']:.2f}%, {res['seconds']:.1f}s")
    return model.eval()


def cache_path(cache: Path, epochs: int, seed: int, train_size: int | None) -> Path:
    """``<cache>/lenet5-e<epochs>-s<seed>-n<train images>.npz``."""
    return cache / f"lenet5-e{epochs}-s{seed}-n{train_size or TRAIN_IMAGES}.npz"


def load_or_train(cache: Path, epochs: int, seed: int, train_size: int | None,
                  retrain: bool = False, data_dir: str | None = None, progress: bool = True,
                  log: Any = print) -> tuple[JudgeNet, dict[str, Any]]:
    """The cached classifier for these settings, or a newly trained one (then cached).

    Returns:
        (model in eval mode, info): info has ``epochs``, ``seed``, ``train_size``,
        ``path``, ``trained`` (True if trained in this call) and ``seconds``.
    """
    if train_size is not None and train_size >= TRAIN_IMAGES:
        train_size = None
    path = cache_path(cache, epochs, seed, train_size)
    config = {"epochs": epochs, "seed": seed, "train_size": train_size or TRAIN_IMAGES}
    model = JudgeNet()
    if path.is_file() and not retrain:
        try:
            stored = nl.load(path)
        except ValueError:                    # not an nnlite file at all
            stored = None
        saved = stored.get("config", {}) if isinstance(stored, dict) else {}
        if (not isinstance(stored, dict) or stored.get("format") != FORMAT
                or {k: int(v) for k, v in saved.items()} != config):
            raise ValueError(f"judge_samples: {path} is not a classifier this script cached "
                             f"for {config}; delete it or pass --retrain")
        model.load_state_dict(stored["model"])
        log(f"judge classifier: loaded {path}")
        return model.eval(), {**config, "path": str(path), "trained": False, "seconds": 0.0}
    start = time.perf_counter()
    model = train_classifier(epochs, seed, train_size, data_dir, progress, log)
    seconds = time.perf_counter() - start
    path.parent.mkdir(parents=True, exist_ok=True)
    nl.save({"format": FORMAT, "config": config, "model": model.state_dict()}, path)
    log(f"judge classifier: trained in {seconds:.1f}s, cached in {path}")
    return model, {**config, "path": str(path), "trained": True, "seconds": seconds}


# ============================================================================
# Reading a set of images
# ============================================================================
def read_samples(path: str | os.PathLike) -> np.ndarray:
    """A samples file as float32 (N, 1, 28, 28) in [0, 1].

    Raises:
        ValueError: not (N, 1, 28, 28) or (N, 28, 28), fewer than 2 images, not finite,
            or pixels outside [0, 1] (the message says what was found).
    """
    a = np.load(path, allow_pickle=False)
    if a.ndim == 3:
        a = a[:, None]                                           # (N, 28, 28) -> (N, 1, 28, 28)
    if a.ndim != 4 or a.shape[1:] != (1, 28, 28):
        raise ValueError(f"{path}: expected samples of shape (N, 1, 28, 28) or (N, 28, 28), "
                         f"got shape {np.shape(np.load(path, allow_pickle=False))}")
    if len(a) < 2:
        raise ValueError(f"{path}: need at least 2 images (a covariance), got {len(a)}")
    if a.dtype == np.uint8:
        return a.astype(np.float32) / 255.0
    if a.dtype.kind not in "fiu":
        raise ValueError(f"{path}: expected float pixels in [0, 1], got dtype {a.dtype}")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise ValueError(f"{path}: {int((~np.isfinite(a)).sum())} pixels are NaN or "
                         f"infinite")
    lo, hi = float(a.min()), float(a.max())
    if lo < -1e-3 or hi > 1 + 1e-3:
        hint = (" (tanh's range? map it with (x + 1) / 2)" if lo >= -1 - 1e-3 and hi <= 1 + 1e-3
                else "")
        raise ValueError(f"{path}: expected pixels in [0, 1], got values in [{lo:.4g}, "
                         f"{hi:.4g}]{hint}")
    return np.clip(a, 0.0, 1.0)


def classify(model: JudgeNet, images: np.ndarray, batch_size: int = 1000
             ) -> tuple[np.ndarray, np.ndarray]:
    """Softmax probabilities (N, 10) and penultimate features (N, 84) of images in
    [0, 1]."""
    probs, feats = [], []
    model.eval()
    with nl.no_grad():
        for i in range(0, len(images), batch_size):
            f = model.features(nl.from_numpy(normalize(images[i:i + batch_size])))
            probs.append(F.softmax(model.output(f), dim=1).numpy())    # (B, 10)
            feats.append(f.numpy())                                      # (B, 84)
    return np.concatenate(probs), np.concatenate(feats)


def judge(name: str, images: np.ndarray, model: JudgeNet,
          reference: tuple[np.ndarray, np.ndarray], labels: np.ndarray | None = None,
          threshold: float = 0.9) -> dict[str, Any]:
    """The figures of one set of images (see the module docstring); ``reference`` is the
    (mean, covariance) of the MNIST test images' features."""
    probs, feats = classify(model, images)
    pred = probs.argmax(1)
    shares = np.bincount(pred, minlength=10) / len(pred)
    lo, hi = CLASS_RANGE
    flagged = [d for d in range(10) if not lo <= shares[d] <= hi]
    confident = float((probs.max(1) >= threshold).mean())
    row = {"name": name, "images": int(len(images)), "confident": confident,
           "mean_confidence": float(probs.max(1).mean()),
           "class_shares": [float(s) for s in shares], "flagged_classes": flagged,
           "accuracy": float((pred == labels).mean()) if labels is not None else None,
           "frechet_distance": frechet_distance(*feature_stats(feats), *reference)}
    row["target_met"] = confident >= TARGET_CONFIDENT and not flagged
    return row


# ============================================================================
# Report
# ============================================================================
def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


def table(rows: list[dict[str, Any]], threshold: float) -> str:
    """The rows as a plain-text table: a line per set, the class shares below it."""
    width = max(24, *(len(r["name"]) for r in rows))
    lines = [f"{'set':{width}s} {'images':>7s} {f'conf>={threshold:g}':>9s} {'accuracy':>8s} "
             f"{'FD':>8s}  target (>= {100 * TARGET_CONFIDENT:.0f}% confident, each digit "
             f"{100 * CLASS_RANGE[0]:.0f}-{100 * CLASS_RANGE[1]:.0f}%)"]
    for r in rows:
        why = []
        if r["confident"] < TARGET_CONFIDENT:
            why.append("confident share")
        if r["flagged_classes"]:
            why.append("digits " + ",".join(map(str, r["flagged_classes"])))
        verdict = "met" if r["target_met"] else "missed: " + "; ".join(why)
        lines.append(f"{r['name']:{width}s} {r['images']:>7,d} {_pct(r['confident']):>9s} "
                     f"{_pct(r['accuracy']):>8s} {r['frechet_distance']:>8.3f}  {verdict}")
        shares = "  ".join(f"{d}:{100 * s:4.1f}%{'*' if d in r['flagged_classes'] else ''}"
                           for d, s in enumerate(r["class_shares"]))
        lines.append(f"{'':{width}s}   {shares}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("samples", nargs="*", type=Path,
                        help=".npy files of images (N, 1, 28, 28) in [0, 1]")
    parser.add_argument("--threshold", type=float, default=0.9,
                        help="confidence that counts as a digit read (default: 0.9)")
    g = parser.add_argument_group("the classifier")
    g.add_argument("--epochs", type=int, default=5, help="training epochs (default: 5)")
    g.add_argument("--seed", type=int, default=0, help="(default: 0)")
    g.add_argument("--train-size", type=int, default=None, metavar="N",
                   help="train on a fixed random N of the 60,000 training digits "
                        "(default: all)")
    g.add_argument("--cache", type=Path, default=Path("runs") / "judge", metavar="DIR",
                   help="where the trained classifier is kept (default: runs/judge)")
    g.add_argument("--retrain", action="store_true",
                   help="train it afresh even if the cache holds it")
    parser.add_argument("--test-size", type=int, default=None, metavar="N",
                        help="use a fixed random N of the 10,000 test digits as the "
                             "reference and sanity row, and N training digits as the "
                             "floor row (default: all, and 10,000)")
    parser.add_argument("--data-dir", default=None,
                        help="folder holding mnist/ (default: the repository's data/)")
    parser.add_argument("--json", metavar="PATH",
                        help="also write the figures as JSON here ('-': standard output)")
    parser.add_argument("--no-progress", dest="progress", action="store_false",
                        help="no progress bars")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be >= 1, got {args.epochs}")
    for opt in ("train_size", "test_size"):
        if getattr(args, opt) is not None and getattr(args, opt) < 2:
            parser.error(f"--{opt.replace('_', '-')} must be >= 2, got {getattr(args, opt)}")
    if not 0.0 < args.threshold < 1.0:
        parser.error(f"--threshold must be in (0, 1), got {args.threshold}")
    for path in args.samples:
        if not path.is_file():
            parser.error(f"samples file not found: {path}")
    log = print if args.json != "-" else (lambda s: print(s, file=sys.stderr))
    start = time.perf_counter()

    samples = {}
    for path in args.samples:
        try:
            samples[str(path)] = read_samples(path)
        except ValueError as e:
            parser.error(str(e))

    model, info = load_or_train(args.cache, args.epochs, args.seed, args.train_size,
                                args.retrain, args.data_dir, args.progress, log)
    test_x, test_y = mnist_arrays(False, args.data_dir,
                                  subset(args.test_size, TEST_IMAGES, args.seed))
    train_x, train_y = mnist_arrays(True, args.data_dir,
                                    subset(args.test_size or TEST_IMAGES, TRAIN_IMAGES,
                                           args.seed + 1))
    reference = feature_stats(classify(model, test_x)[1])

    rows = [judge(name, x, model, reference, threshold=args.threshold)
            for name, x in samples.items()]
    rows.append(judge("MNIST test (real)", test_x, model, reference, test_y,
                      args.threshold))
    rows.append(judge(f"MNIST train, {len(train_x):,} (real)", train_x, model, reference,
                      train_y, args.threshold))
    accuracy = rows[-2]["accuracy"]
    info["test_accuracy"] = accuracy
    log(f"judge: LeNet-5 trained {args.epochs} epoch{'s' if args.epochs > 1 else ''} on "
        f"{info['train_size']:,} MNIST training digits (seed {args.seed}), test accuracy "
        f"{100 * accuracy:.2f}% on {len(test_x):,}; FD against the features of those test "
        f"digits")
    log(table(rows, args.threshold))
    if args.json:
        out = {"classifier": info, "threshold": args.threshold,
               "target": {"confident": TARGET_CONFIDENT, "class_range": list(CLASS_RANGE)},
               "rows": rows, "seconds": time.perf_counter() - start}
        text = json.dumps(out, indent=1)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")
    for r in rows[:len(samples)]:              # a last line per samples file
        shares = r["class_shares"]
        log(f"final: {r['name']}: {_pct(r['confident'])} confident (>= {args.threshold:g}), "
            f"digits {100 * min(shares):.1f}-{100 * max(shares):.1f}%, FD "
            f"{r['frechet_distance']:.3f}: target {'met' if r['target_met'] else 'missed'} | "
            f"judge's test accuracy {_pct(accuracy)} | {time.perf_counter() - start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
