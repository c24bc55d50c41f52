"""The main example's recipe trained in nnlite and in torch: test accuracy per seed.

    python benchmarks/accuracy_lenet5.py                  # 3 seeds x 15 epochs, both libraries
    python benchmarks/accuracy_lenet5.py --epochs 1 --seeds 0

Issue 16's accuracy check: a faster nnlite must still learn like torch, within 0.5 points
of torch's test accuracy on the same recipe, mean of 3 seeds. The recipe is
``examples/train_lenet5.py``'s: LeNet-5 (ReLU, max-pool), the 60,000 shipped MNIST
training digits normalised by (0.1307, 0.3081), shuffled batches of 64, cross-entropy,
SGD(lr 0.05, momentum 0.9, weight decay 5e-4) with the rate decayed to 0 along a half
cosine, stepped every batch (nnlite's ``WarmupCosineLR`` without warm-up is torch's
``CosineAnnealingLR(T_max=steps)``). Both libraries read the same normalised arrays through
their own ``TensorDataset`` and ``DataLoader``; each initialises its model with its own
generator after ``manual_seed(seed)``, so the runs differ in their random draws, as two
users' runs would. Each (library, seed) run is its own process with one BLAS thread,
two at a time.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.bench_e2e import MEAN, STD, read_idx  # noqa: E402
from benchmarks.bench_vision import lenet5  # noqa: E402


def arrays(train: bool) -> tuple:
    """(images (N, 1, 28, 28) float32 normalised, labels (N,) int64) of the shipped MNIST."""
    prefix = "train" if train else "t10k"
    folder = os.path.join(ROOT, "data", "mnist")
    images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))
    x = (images[:, None].astype(np.float32) / 255 - MEAN) / STD
    return x, labels.astype(np.int64)


def train(library: str, seed: int, epochs: int) -> float:
    """Test accuracy (%) after ``epochs`` of the recipe in ``library`` ("nnlite" or "torch")."""
    if library == "torch":
        import torch as lib
        from torch.utils.data import DataLoader, TensorDataset
        from torch.optim.lr_scheduler import CosineAnnealingLR as cosine
    else:
        import nnlite as lib
        from nnlite.data import DataLoader, TensorDataset
        from nnlite.optim.lr_scheduler import CosineAnnealingLR as cosine
    lib.manual_seed(seed)
    x, y = arrays(train=True)
    loader = DataLoader(TensorDataset(lib.from_numpy(x), lib.from_numpy(y)), batch_size=64,
                        shuffle=True)
    model = lenet5(lib)
    opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    scheduler = cosine(opt, T_max=max(1, epochs * len(loader)))
    cross_entropy = lib.nn.functional.cross_entropy
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            cross_entropy(model(xb), yb).backward()
            opt.step()
            scheduler.step()
    model.eval()
    xt, yt = arrays(train=False)
    correct = 0
    with lib.no_grad():
        for i in range(0, len(xt), 1000):
            logits = model(lib.from_numpy(xt[i:i + 1000]))
            correct += int((logits.argmax(1).numpy() == yt[i:i + 1000]).sum())
    return 100.0 * correct / len(xt)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated (default: 0,1,2)")
    parser.add_argument("--libraries", default="nnlite,torch")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    parser.add_argument("--run", nargs=2, metavar=("LIBRARY", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:                                    # one run, in this process
        print(json.dumps(train(args.run[0], int(args.run[1]), args.epochs)))
        return 0
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    jobs = [(lib, int(s)) for lib in args.libraries.split(",") for s in args.seeds.split(",")]
    results: dict = {}
    for k in range(0, len(jobs), 2):                # two processes at a time, one thread each
        procs = [(job, subprocess.Popen([sys.executable, __file__, "--epochs", str(args.epochs),
                                         "--run", job[0], str(job[1])], env=env,
                                        stdout=subprocess.PIPE, text=True))
                 for job in jobs[k:k + 2]]
        for (lib, seed), proc in procs:
            out, _ = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"{lib} seed {seed} failed (exit {proc.returncode})")
            results.setdefault(lib, {})[seed] = json.loads(out.strip().splitlines()[-1])
            print(f"{lib:7s} seed {seed}: test accuracy {results[lib][seed]:.2f} %", flush=True)
    means = {lib: float(np.mean(list(r.values()))) for lib, r in results.items()}
    for lib, m in means.items():
        print(f"{lib:7s} mean of {len(results[lib])} seeds, {args.epochs} epochs: {m:.2f} %")
    if len(means) == 2:
        gap = means["nnlite"] - means["torch"]
        print(f"nnlite - torch: {gap:+.2f} points (issue 16: within 0.5)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"epochs": args.epochs, "results": results, "means": means}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
