"""The VAE example's recipe trained in nnlite and in torch: test loss (nats per image) per seed.

    python benchmarks/accuracy_vae.py                     # 3 seeds x 10 epochs, both libraries
    python benchmarks/accuracy_vae.py --epochs 1 --seeds 0 --json vae.json

Issue 17's VAE target: nnlite's test loss at or below what the same architecture and recipe
reach in PyTorch. The recipe is PyTorch's own example (pytorch/examples, vae/main.py) and
``examples/train_vae.py``'s default: the 784-400-20 MLP with ReLU (``fc1``, ``fc21``/``fc22``
for mu and log sigma^2, ``fc3``, ``fc4``), the 60,000 shipped MNIST training digits as grey
levels in [0, 1] (no binarisation), shuffled batches of 128, Adam(lr 1e-3), 10 epochs; the
loss is the negative ELBO with one sample of z: the Bernoulli cross-entropy summed over
pixels and batch plus the analytic KL, ``BCE + KLD`` as in the example. The torch side is
that example's code (sigmoid outputs and ``F.binary_cross_entropy(..., reduction='sum')``);
the nnlite side is ``nnlite.models.VAE`` with ``vae_loss(..., reduction='sum')`` (logits and
``binary_cross_entropy_with_logits``: the same function, computed stably). The test loss is
the mean over the 10,000 test digits of that one-sample estimate, in nats per image.

Both libraries read the same arrays through their own ``TensorDataset`` and ``DataLoader``;
each initialises its model with its own generator after ``manual_seed(seed)``, so the runs
differ in their random draws (weights, batch order, noise), as two users' runs would. Each
(library, seed) run is its own process with one BLAS thread, ``--parallel`` at a time (2).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks.bench_e2e import read_idx  # noqa: E402

HIDDEN, LATENT, BATCH, LR = 400, 20, 128, 1e-3


def arrays(train: bool, size: int | None = None) -> np.ndarray:
    """The shipped MNIST images as float32 (N, 1, 28, 28) grey levels in [0, 1]; the first
    ``size`` of them if given."""
    prefix = "train" if train else "t10k"
    images = read_idx(os.path.join(ROOT, "data", "mnist", f"{prefix}-images-idx3-ubyte.gz"))
    return images[:size, None].astype(np.float32) / np.float32(255)


def torch_vae(torch):
    """The model of pytorch/examples vae/main.py, verbatim but for the sizes' names."""
    nn, F = torch.nn, torch.nn.functional

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, HIDDEN)
            self.fc21 = nn.Linear(HIDDEN, LATENT)
            self.fc22 = nn.Linear(HIDDEN, LATENT)
            self.fc3 = nn.Linear(LATENT, HIDDEN)
            self.fc4 = nn.Linear(HIDDEN, 784)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def reparameterize(self, mu, logvar):
            std = torch.exp(0.5 * logvar)
            eps = torch.randn_like(std)
            return mu + eps * std

        def decode(self, z):
            h3 = F.relu(self.fc3(z))
            return torch.sigmoid(self.fc4(h3))

        def forward(self, x):
            mu, logvar = self.encode(x.view(-1, 784))
            z = self.reparameterize(mu, logvar)
            return self.decode(z), mu, logvar

    def loss_function(recon_x, x, mu, logvar):
        bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return bce + kld

    return VAE(), loss_function


def nnlite_vae(nnlite):
    """``nnlite.models.VAE`` (784-400-20, ReLU) and its loss summed over the batch."""
    from nnlite.models import VAE, vae_loss

    def loss_function(logits, x, mu, logvar):
        return vae_loss(logits, x, mu, logvar, reduction="sum")

    return VAE(hidden_size=HIDDEN, latent_dim=LATENT), loss_function


def train(library: str, seed: int, epochs: int, train_size: int | None = None,
          test_size: int | None = None) -> dict:
    """``{"test_loss", "seconds"}``: the test loss (nats per image) after ``epochs`` of the
    recipe in ``library`` ("nnlite" or "torch"), and the training time in seconds."""
    if library == "torch":
        import torch as lib
        from torch.utils.data import DataLoader, TensorDataset
        build = torch_vae
    elif library == "nnlite":
        import nnlite as lib
        from nnlite.data import DataLoader, TensorDataset
        build = nnlite_vae
    else:
        raise ValueError(f"train: library must be 'nnlite' or 'torch', got {library!r}")
    lib.manual_seed(seed)
    model, loss_function = build(lib)
    loader = DataLoader(TensorDataset(lib.from_numpy(arrays(True, train_size))),
                        batch_size=BATCH, shuffle=True)
    opt = lib.optim.Adam(model.parameters(), lr=LR)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for (x,) in loader:
            opt.zero_grad()
            out, mu, logvar = model(x)
            loss_function(out, x, mu, logvar).backward()
            opt.step()
    seconds = time.perf_counter() - start
    model.eval()
    xt = arrays(False, test_size)
    total = 0.0
    with lib.no_grad():
        for i in range(0, len(xt), 1000):
            x = lib.from_numpy(xt[i:i + 1000])
            out, mu, logvar = model(x)
            total += float(loss_function(out, x, mu, logvar).item())
    return {"test_loss": total / len(xt), "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated (default: 0,1,2)")
    parser.add_argument("--libraries", default="nnlite,torch")
    parser.add_argument("--train-size", type=int, default=None, metavar="N",
                        help="train on the first N digits (default: all 60,000)")
    parser.add_argument("--test-size", type=int, default=None, metavar="N",
                        help="test on the first N digits (default: all 10,000)")
    parser.add_argument("--parallel", type=int, default=2,
                        help="runs at a time, one BLAS thread each (default: 2)")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    parser.add_argument("--run", nargs=2, metavar=("LIBRARY", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = {"train_size": args.train_size, "test_size": args.test_size}
    if args.run:                                    # one run, in this process
        print(json.dumps(train(args.run[0], int(args.run[1]), args.epochs, **sizes)))
        return 0
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    extra = [f"--{k.replace('_', '-')}={v}" for k, v in sizes.items() if v is not None]
    jobs = [(lib, int(s)) for lib in args.libraries.split(",") for s in args.seeds.split(",")]
    results: dict = {}
    step = max(1, args.parallel)
    for k in range(0, len(jobs), step):
        procs = [(job, subprocess.Popen([sys.executable, __file__, "--epochs", str(args.epochs),
                                         *extra, "--run", job[0], str(job[1])], env=env,
                                        stdout=subprocess.PIPE, text=True))
                 for job in jobs[k:k + step]]
        for (lib, seed), proc in procs:
            out, _ = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"{lib} seed {seed} failed (exit {proc.returncode})")
            run = json.loads(out.strip().splitlines()[-1])
            results.setdefault(lib, {})[seed] = run
            print(f"{lib:7s} seed {seed}: test loss {run['test_loss']:.2f} nats per image "
                  f"({run['seconds']:.1f} s of training)", flush=True)
    means = {lib: float(np.mean([r["test_loss"] for r in runs.values()]))
             for lib, runs in results.items()}
    spread = {lib: float(np.std([r["test_loss"] for r in runs.values()]))
              for lib, runs in results.items()}
    for lib, m in means.items():
        print(f"{lib:7s} mean of {len(results[lib])} seeds, {args.epochs} epochs: {m:.2f} nats "
              f"per image (std {spread[lib]:.2f})")
    if len(means) == 2:
        gap = means["nnlite"] - means["torch"]
        print(f"nnlite - torch: {gap:+.2f} nats per image (issue 17: at or below torch's)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"epochs": args.epochs, **sizes, "results": results, "means": means,
                       "std": spread}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
