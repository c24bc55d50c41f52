"""Train DCGAN (Radford, Metz & Chintala 2016) on MNIST from the shipped data/.

    python examples/train_dcgan.py                    # 8 epochs; sample grids each epoch
    python examples/train_dcgan.py --samples runs/dcgan/samples.npy      # + 10,000 samples
    python examples/train_dcgan.py --resume --epochs 0 --samples s.npy   # sample only
    python examples/train_dcgan.py --quick            # a few seconds: a smoke test
    python examples/train_dcgan.py --resume           # continue from runs/dcgan/
    python benchmarks/judge_samples.py runs/dcgan/samples.npy            # judge the samples

The paper's recipe (section 4): images scaled to tanh's range [-1, 1], mini-batches of 128,
weights drawn from N(0, 0.02), LeakyReLU slope 0.2, Adam with learning rate 0.0002 and
beta1 0.5. The players are nnlite.models.Generator and Discriminator (4x4 -> 7x7 -> 14x14
-> 28x28 and back, base width 32: --ngf, --ndf). The paper shows MNIST samples as a
figure, without a number; the target here is the issue's: at least 90% of 10,000 samples
read as a digit with confidence >= 0.9 by a classifier trained separately on real MNIST,
and every digit between 5% and 15% of them (no mode collapse), as
``benchmarks/judge_samples.py`` measures. This recipe keeps the digits balanced but
reaches about three quarters confident samples in 8-10 epochs, short of the 90%.

Each step updates D on a batch of real images (label 1) and a batch of G's images (label 0),
then G on the same generated batch scored by the updated D with label 1: the
"non-saturating" loss -log D(G(z)) of Goodfellow et al. (2014), which gives G strong
gradients early on, when D rejects its images easily. Both losses are binary cross-entropy
on D's logit. z ~ N(0, I), as in the authors' code.

Each epoch prints the mean losses of both players and D's mean outputs on real (D(x)) and
generated (D(G(z))) images; checkpoints, history.csv, curves.png (both players' losses and
D's outputs, per step) and samples-epochNNN.png (an 8x8 grid from a fixed noise batch, so
the epochs can be compared) go to --out-dir. With --samples PATH the generator (in eval
mode: batch norm's running statistics) writes --num-samples images as a float32 .npy
array (N, 1, 28, 28) in [0, 1]. The last line gives the last epoch's losses and D's
outputs.
"""
from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import nnlite
import nnlite.nn.functional as F
from nnlite import nn, optim
from nnlite.data import DataLoader
from nnlite.data import transforms as T
from nnlite.data.datasets import MNIST
from nnlite.models import Discriminator, Generator
from nnlite.training import (Checkpointer, History, ProgressBar, format_metrics,
                             have_matplotlib, set_seed)

from common import example_parser, parse_args, run_summary, take, training_args

GRID = 8                            # the per-epoch sample grid is GRID x GRID images
METRICS = ("d_loss", "g_loss", "d_real", "d_fake")   # one row of the per-step trace


class OptimizerPair:
    """The two players' optimisers as one object for :class:`Checkpointer`: its
    ``state_dict`` holds both, under "generator" and "discriminator"."""

    def __init__(self, generator: optim.Optimizer, discriminator: optim.Optimizer) -> None:
        self.generator, self.discriminator = generator, discriminator

    def state_dict(self) -> dict[str, Any]:
        return {"generator": self.generator.state_dict(),
                "discriminator": self.discriminator.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.load_state_dict(state["generator"])
        self.discriminator.load_state_dict(state["discriminator"])


# ============================================================================
# One step of the game
# ============================================================================
def gan_step(G: Generator, D: Discriminator, opt_g: optim.Optimizer, opt_d: optim.Optimizer,
             real: nnlite.Tensor) -> dict[str, float]:
    """Update D, then G, on one batch of real images in [-1, 1]; return the batch's
    ``d_loss``, ``g_loss``, ``d_real`` = mean D(x) and ``d_fake`` = mean D(G(z)) (D's
    probabilities of "real", before D's update)."""
    n = real.shape[0]
    ones, zeros = nnlite.ones(n), nnlite.zeros(n)
    z = nnlite.randn(n, G.nz)                                     # (N, nz)
    fake = G(z)                                                   # (N, 1, 28, 28)

    # D: maximise log D(x) + log(1 - D(G(z))); G's images are constants here (detach)
    opt_d.zero_grad()
    logit_real = D(real)                                          # (N,)
    logit_fake = D(fake.detach())                                 # (N,)
    d_loss = (F.binary_cross_entropy_with_logits(logit_real, ones)
              + F.binary_cross_entropy_with_logits(logit_fake, zeros))
    d_loss.backward()
    opt_d.step()

    # G: maximise log D(G(z)) (non-saturating), through the updated D
    opt_g.zero_grad()
    g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
    g_loss.backward()
    opt_g.step()

    return {"d_loss": d_loss.item(), "g_loss": g_loss.item(),
            "d_real": float(F.sigmoid(logit_real.detach()).mean().item()),
            "d_fake": float(F.sigmoid(logit_fake.detach()).mean().item())}


def generate(G: Generator, z: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """G's images for the noise rows ``z`` (M, nz), in eval mode (batch norm's running
    statistics, so an image does not depend on its batch), as float32 (M, 1, 28, 28) in
    [0, 1]."""
    was_training = G.training
    G.eval()
    out = []
    try:
        with nnlite.no_grad():
            for i in range(0, len(z), batch_size):
                x = G(nnlite.tensor(z[i:i + batch_size]))         # (B, 1, 28, 28) in [-1, 1]
                out.append(x.numpy())
    finally:
        G.train(was_training)
    images = np.concatenate(out) if out else np.zeros((0, G.nc, 28, 28), np.float32)
    return np.clip((images + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)


# ============================================================================
# Pictures
# ============================================================================
def make_grid(images: np.ndarray, nrow: int = GRID, padding: int = 2) -> np.ndarray:
    """Images (M, 1, H, W) in [0, 1] tiled ``nrow`` to a row with ``padding`` pixels of
    black between them: one (rows * (H + padding) + padding, nrow * (W + padding) +
    padding) array, as torchvision's ``make_grid`` lays them out."""
    m, _, h, w = images.shape
    rows = -(-m // nrow)
    grid = np.zeros((rows * (h + padding) + padding, nrow * (w + padding) + padding),
                    np.float32)
    for k in range(m):
        r, c = divmod(k, nrow)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        grid[top:top + h, left:left + w] = images[k, 0]
    return grid


def save_grid(path: Path, images: np.ndarray, title: str) -> Path | None:
    """The images as a grid in a PNG with a title; None without matplotlib."""
    if not have_matplotlib():
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(4.4, 4.7), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.88))
    ax.imshow(make_grid(images), cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    fig.suptitle(title, fontsize=10)
    fig.savefig(path, format="png")
    return path


def plot_curves(path: Path, trace: np.ndarray, steps_per_epoch: int, history: History,
                title: str) -> Path | None:
    """Both players' losses (left) and D's mean outputs on real and generated images
    (right), per step (thin) and smoothed over ~1/10 epoch (thick), against epochs; the
    epoch means as dots. ``trace``: (steps, 4) rows of ``METRICS``. None without
    matplotlib (History.plot says how to get it)."""
    if not have_matplotlib():
        return history.plot(path, title=title)       # warns once that it cannot draw
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(10.0, 3.8), dpi=100)
    FigureCanvasAgg(fig)
    x = np.arange(1, len(trace) + 1) / max(1, steps_per_epoch)   # steps in epochs
    width = max(1, steps_per_epoch // 10)
    panels = ((("d_loss", "D loss"), ("g_loss", "G loss")),
              (("d_real", "D(x), real"), ("d_fake", "D(G(z)), generated")))
    for i, (panel, ylabel) in enumerate(zip(panels, ("binary cross-entropy",
                                                     "D's probability of real"))):
        ax = fig.add_subplot(1, 2, i + 1)
        for key, label in panel:
            y = trace[:, METRICS.index(key)]
            line, = ax.plot(x, y, linewidth=0.5, alpha=0.35)
            if len(y) >= width:
                smooth = np.convolve(y, np.ones(width) / width, mode="valid")
                ax.plot(x[width - 1:], smooth, color=line.get_color(), linewidth=1.6,
                        label=label)
            else:
                line.set_label(label)
            if len(history):
                ax.plot(history.epochs, history[key], "o", color=line.get_color(),
                        markersize=4)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
        if i == 1:
            ax.set_ylim(0.0, 1.0)
    fig.suptitle(title)
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=0.7 / w, right=1 - 0.2 / w, bottom=0.55 / h, top=1 - 0.7 / h,
                        wspace=0.25)
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, format="png")
    tmp.replace(path)
    return path


# ============================================================================
# The script
# ============================================================================
def main(argv: list[str] | None = None) -> int:
    parser = example_parser(__doc__)
    training_args(parser, name="dcgan", epochs=8, batch_size=128, lr=2e-4)
    parser.add_argument("--beta1", type=float, default=0.5,
                        help="Adam's beta1 for both players (default: 0.5, the paper's; "
                             "beta2 is 0.999)")
    parser.add_argument("--nz", type=int, default=100, help="noise size (default: 100)")
    parser.add_argument("--ngf", type=int, default=None,
                        help="generator base width (default: 32; 8 with --quick)")
    parser.add_argument("--ndf", type=int, default=None,
                        help="discriminator base width (default: 32; 8 with --quick)")
    parser.add_argument("--data-dir", default=None,
                        help="folder holding mnist/ (default: the repository's data/)")
    g = parser.add_argument_group("samples")
    g.add_argument("--samples", type=Path, default=None, metavar="PATH",
                   help="after training, write --num-samples generated images here as a "
                        "float32 .npy array (N, 1, 28, 28) in [0, 1]")
    g.add_argument("--num-samples", type=int, default=None, metavar="N",
                   help="how many (default: 10,000; 64 with --quick)")
    args = parse_args(parser, argv, defaults=lambda a: {
        "ngf": 8 if a.quick else 32, "ndf": 8 if a.quick else 32,
        "num_samples": 64 if a.quick else 10_000})
    for name in ("nz", "ngf", "ndf", "num_samples"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    if not 0.0 <= args.beta1 < 1.0:
        parser.error(f"--beta1 must be in [0, 1), got {args.beta1}")
    set_seed(args.seed)

    # ---- data: digits scaled to tanh's range [-1, 1] ------------------------------------
    train_set = MNIST(args.data_dir, train=True,
                      transform=T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))]))
    if args.quick:
        train_set = take(train_set, 256)
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)

    # ---- the two players and their optimisers --------------------------------------------
    G = Generator(args.nz, args.ngf)
    D = Discriminator(args.ndf)
    betas = (args.beta1, 0.999)
    opt_g = optim.Adam(G.parameters(), lr=args.lr, betas=betas)
    opt_d = optim.Adam(D.parameters(), lr=args.lr, betas=betas)
    ckpt = Checkpointer(args.out_dir, nn.ModuleDict({"generator": G, "discriminator": D}),
                        OptimizerPair(opt_g, opt_d))
    # the grid's noise comes from its own generator: the same 64 z for every epoch and run
    fixed_z = np.random.default_rng([args.seed, 0]).standard_normal(
        (GRID * GRID, args.nz)).astype(np.float32)

    history = History()
    start_epoch = ckpt.resume(history) if args.resume else 0
    trace = np.asarray(ckpt.extra.get("trace", np.zeros((0, len(METRICS)))), np.float64)
    train_time = float(ckpt.extra.get("train_time", 0.0))
    name = (f"DCGAN (G {sum(p.numel() for p in G.parameters()):,} + D "
            f"{sum(p.numel() for p in D.parameters()):,} parameters)")
    print(f"{name} on MNIST: {len(train_set):,} training images, batch {args.batch_size}, "
          f"{args.epochs} epoch{'' if args.epochs == 1 else 's'}")
    if start_epoch >= args.epochs and args.resume:
        print(f"nothing to train: the checkpoint is at epoch {start_epoch} and --epochs is "
              f"{args.epochs}")

    start = time.time()
    for epoch in range(start_epoch + 1, args.epochs + 1):
        G.train()
        D.train()
        bar = ProgressBar(len(loader), desc=f"epoch {epoch}/{args.epochs}", unit="img",
                          enable=args.progress)
        rows, t0 = [], time.perf_counter()
        for real, _ in loader:
            stats = gan_step(G, D, opt_g, opt_d, real)
            if not (math.isfinite(stats["d_loss"]) and math.isfinite(stats["g_loss"])):
                raise FloatingPointError(f"train_dcgan: a loss became {stats} at epoch "
                                         f"{epoch}, step {len(rows) + 1}")
            rows.append([stats[k] for k in METRICS])
            bar.update(1, items=real.shape[0], **stats)
        seconds = time.perf_counter() - t0
        bar.close()
        train_time += seconds
        epoch_trace = np.asarray(rows, np.float64).reshape(-1, len(METRICS))
        trace = np.concatenate([trace, epoch_trace])
        means = dict(zip(METRICS, epoch_trace.mean(0).tolist()))
        history.log(epoch, **means, time=train_time)

        # ---- the epoch's record: checkpoint, CSV, curves, sample grid ---------------------
        ckpt.save(epoch, history, trace=trace, train_time=train_time)
        history.to_csv(args.out_dir / "history.csv")
        plot_curves(args.out_dir / "curves.png", trace, len(loader), history,
                    title="DCGAN on MNIST")
        grid = save_grid(args.out_dir / f"samples-epoch{epoch:03d}.png", generate(G, fixed_z),
                         title=f"DCGAN on MNIST, epoch {epoch}")
        print(f"epoch {epoch}/{args.epochs}  {format_metrics(means)} | "
              f"{len(train_set) / seconds:,.0f} img/s, {seconds:.1f}s"
              + (f" | {grid.name}" if grid else ""))

    # ---- samples for a judge ----------------------------------------------------------------
    if args.samples is not None:
        z = np.random.default_rng([args.seed, 1]).standard_normal(
            (args.num_samples, args.nz)).astype(np.float32)
        images = generate(G, z)                                      # (N, 1, 28, 28) [0, 1]
        args.samples.parent.mkdir(parents=True, exist_ok=True)
        np.save(args.samples, images)
        print(f"wrote {len(images):,} samples to {args.samples} (float32 {images.shape} in "
              f"[0, 1]); judge them: python benchmarks/judge_samples.py {args.samples}")

    last = {k: history.last(k, math.nan) for k in METRICS}
    print(f"final: D(x) {last['d_real']:.3f}, D(G(z)) {last['d_fake']:.3f}, losses D "
          f"{last['d_loss']:.4f} / G {last['g_loss']:.4f} (last epoch's means) | "
          f"{name} on MNIST, " + run_summary(len(history), train_time, start, args.out_dir))
    return 0


if __name__ == "__main__":
    nnlite.tune_cpu()   # opt in: freed arrays are reused, not unmapped (nnlite/tuning.py)
    sys.exit(main())
