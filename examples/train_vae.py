"""Train a variational autoencoder (Kingma & Welling 2014) on MNIST, from the shipped data/.

    python examples/train_vae.py                 # 784-400-20 MLP, 10 epochs: 105.6 nats/image
    python examples/train_vae.py --conv          # convolutional encoder and decoder
    python examples/train_vae.py --latent 2      # a 2-D latent space: + latent_walk.png (Fig. 4)
    python examples/train_vae.py --binarize      # stochastically binarised digits
    python examples/train_vae.py --samples runs/vae/samples.npy --num-samples 10000
    python examples/train_vae.py --quick         # a few seconds: a smoke test on 256 digits
    python examples/train_vae.py --resume        # continue from runs/vae/
    python examples/train_vae.py --resume --epochs 0 --samples s.npy   # only sample

The recipe is the common PyTorch example's (pytorch/examples, vae/main.py): the 784-400-20
MLP with ReLU, grey-level pixels in [0, 1] (ToTensor, no binarisation) read as Bernoulli
means by the cross-entropy, Adam with lr 1e-3, batches of 128, 10 epochs; the loss is the
negative evidence lower bound, estimated with one sample of z per image: the Bernoulli
reconstruction term plus the analytic KL divergence from the prior (the paper's eq. 10), in
nats per image. The same recipe gives 105.64 nats in nnlite and 105.59 in PyTorch, means of
seeds 0-2 (nnlite 105.64 / 105.60 / 105.68, torch 105.45 / 105.41 / 105.91:
benchmarks/accuracy_vae.py). Kingma & Welling (2014) use tanh MLPs with 500 hidden units for
MNIST (``--activation tanh --hidden 500``) and plot the bound per datapoint over up to 10^8
training samples (Fig. 2; ~1,700 epochs). With grey levels the cross-entropy also counts
each grey pixel's entropy, so it is not a log-likelihood of binary images; --binarize reads
the digits as binary images, as likelihood results on MNIST do: each training image is
binarised afresh every time it is drawn, the test images once, with a fixed seed.

Each epoch prints the train/test loss, reconstruction and KL terms (nats per image);
checkpoints, history.csv and curves.png go to --out-dir, with samples.png (64 digits from
the prior), reconstructions.png (test digits above their reconstructions from the posterior
mean) and, with --latent 2, latent_walk.png (decoder means on a grid of z through the
inverse Gaussian CDF: the paper's Fig. 4) and latent_codes.png (the test digits' posterior
means by class). The last line is the test loss in nats per image.
"""
import math
import sys
import time
from pathlib import Path

import numpy as np

import nnlite
from nnlite import optim
from nnlite.data import DataLoader
from nnlite.data import transforms as T
from nnlite.data.datasets import MNIST
from nnlite.distributions import Normal
from nnlite.models import VAE, ConvVAE, bernoulli_nll, gaussian_kl
from nnlite.random import default_generator
from nnlite.training import evaluate, fit, have_matplotlib, set_seed

from common import example_parser, parse_args, plural, run_summary, take, training_args
from common.images import save_image_grid

QUICK_SIZES = (256, 128)            # train / test digits with --quick
WALK = 20                           # latent_walk.png: WALK x WALK decoded points


def binarize(x: nnlite.Tensor) -> nnlite.Tensor:
    """Pixels in [0, 1] -> 0/1 drawn with those probabilities (nnlite's generator): a new
    binarisation each time an image is drawn."""
    a = x.array
    u = default_generator().random(a.shape, dtype=np.float32)
    return nnlite.from_numpy((u < a).astype(a.dtype))


def binarize_once(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """uint8 images -> 0/255, each pixel on with probability pixel/255 (a fixed draw)."""
    u = np.random.default_rng(seed).random(images.shape, dtype=np.float32)
    return np.where(u < images / np.float32(255), 255, 0).astype(np.uint8)


def vae_step(model):
    """``(x, labels) -> (negative ELBO per image, {"n", "rec", "kl"})``: the loss and its
    two terms (summed over the batch; ``run_epoch`` reports them per image)."""
    def step(batch):
        x, _ = batch
        logits, mu, logvar = model(x)                             # (N, 1, 28, 28), (N, L) x2
        rec = bernoulli_nll(logits, x, reduction="sum")           # -log p(x | z), summed
        kl = gaussian_kl(mu, logvar, reduction="sum")             # KL(q(z | x) || p(z))
        n = x.shape[0]
        return (rec + kl) / n, {"n": n, "rec": rec.item(), "kl": kl.item()}
    return step


# ============================================================================
# Pictures and samples of the trained model
# ============================================================================
def reconstructions(model, test_set, path: Path, n: int = 30, per_row: int = 10) -> None:
    """The first ``n`` test digits, each row of ``per_row`` above the decoder's means at
    their posterior means mu(x)."""
    x = nnlite.stack([test_set[i][0] for i in range(min(n, len(test_set)))])
    mu, _ = model.encode(x)
    recon = model.decode(mu).numpy()                              # (n, 1, 28, 28)
    rows = []
    for k in range(0, len(x), per_row):
        rows += [x.numpy()[k:k + per_row], recon[k:k + per_row]]
        if len(rows[-1]) < per_row:                               # pad the last pair
            pad = np.ones((per_row - len(rows[-1]),) + rows[-1].shape[1:], np.float32)
            rows[-2], rows[-1] = (np.concatenate([r, pad]) for r in rows[-2:])
    save_image_grid(np.concatenate(rows), path, nrow=per_row,
                    title="test digits (odd rows) and reconstructions (even rows)")


def latent_walk(model, path: Path) -> None:
    """Decoder means on a WALK x WALK grid of z: a regular grid on the unit square through
    the inverse CDF of the Gaussian prior (the paper's Fig. 4); z1 left to right, z2
    bottom to top."""
    u = (np.arange(WALK, dtype=np.float32) + 0.5) / WALK          # (WALK,) in (0, 1)
    q = Normal(0.0, 1.0).icdf(nnlite.from_numpy(u)).numpy()       # (WALK,) quantiles
    z1, z2 = np.meshgrid(q, q[::-1])                              # rows: z2 descending
    z = np.stack([z1.ravel(), z2.ravel()], axis=1).astype(np.float32)   # (WALK^2, 2)
    means = model.decode(nnlite.from_numpy(z)).numpy()            # (WALK^2, 1, 28, 28)
    save_image_grid(means, path, nrow=WALK, padding=0, scale=1.5,
                    title=f"decoder means for z on a {WALK}x{WALK} grid of prior quantiles",
                    xlabel=f"z1: {q[0]:+.2f} .. {q[-1]:+.2f}",
                    ylabel=f"z2: {q[0]:+.2f} .. {q[-1]:+.2f}")


def latent_codes(model, test_set, path: Path, batch_size: int = 1000) -> None:
    """A scatter plot of the test digits' posterior means mu(x) in a 2-D latent space,
    coloured by class."""
    if not have_matplotlib():
        return
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    mus, labels = [], []
    for x, y in DataLoader(test_set, batch_size=batch_size):
        mus.append(model.encode(x)[0].numpy())                   # (B, 2)
        labels.append(np.asarray(y.numpy()))
    mu, label = np.concatenate(mus), np.concatenate(labels)
    fig = Figure(figsize=(6.4, 5.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    points = ax.scatter(mu[:, 0], mu[:, 1], c=label, cmap="tab10", s=3, vmin=-0.5,
                        vmax=9.5)
    fig.colorbar(points, ax=ax, ticks=range(10), label="digit")
    ax.set_xlabel("z1 (posterior mean)")
    ax.set_ylabel("z2 (posterior mean)")
    ax.set_title(f"{len(mu):,} test digits in the latent space")
    ax.grid(True, alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")


def write_samples(model, path: Path, n: int, seed: int, chunk: int = 1000) -> np.ndarray:
    """``n`` decoder means of prior samples as float32 (n, 1, 28, 28) in [0, 1], saved with
    ``np.save`` (drawn from a generator seeded with ``seed``)."""
    gen = np.random.default_rng(seed)
    out = np.concatenate([model.sample(min(chunk, n - k), generator=gen).numpy()
                          for k in range(0, n, chunk)])
    out = np.clip(out, 0.0, 1.0).astype(np.float32).reshape(n, 1, 28, 28)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


# ============================================================================
# The script
# ============================================================================
def main(argv: list[str] | None = None) -> int:
    parser = example_parser(__doc__)
    training_args(parser, name="vae", epochs=10, batch_size=128, lr=1e-3)
    g = parser.add_argument_group("model")
    g.add_argument("--conv", action="store_true",
                   help="ConvVAE: stride-2 convolutions (32, 64 maps) down, transposed "
                        "convolutions up (default --out-dir runs/vae-conv)")
    g.add_argument("--hidden", type=int, default=None,
                   help="hidden units of the MLP encoder and decoder (default: 400; 64 with "
                        "--quick)")
    g.add_argument("--latent", type=int, default=20,
                   help="latent dimensions L (default: 20; 2 also draws latent_walk.png "
                        "and latent_codes.png)")
    g.add_argument("--activation", choices=("relu", "tanh"), default="relu",
                   help="the MLP's hidden units: relu (the PyTorch example's, default) or "
                        "tanh (the paper's)")
    d = parser.add_argument_group("data and samples")
    d.add_argument("--binarize", action="store_true",
                   help="binarise the digits: training images afresh each time they are "
                        "drawn, test images once (default: grey levels in [0, 1])")
    d.add_argument("--data-dir", default=None,
                   help="folder holding mnist/ (default: the repository's data/)")
    d.add_argument("--samples", type=Path, default=None, metavar="PATH",
                   help="write decoder means of samples from the prior to PATH (.npy, "
                        "float32 (N, 1, 28, 28) in [0, 1])")
    d.add_argument("--num-samples", type=int, default=10000, metavar="N",
                   help="how many --samples (default: 10000)")
    args = parse_args(parser, argv, defaults=lambda a: {
        "hidden": 64 if a.quick else 400,
        "out_dir": Path("runs") / "vae-conv" if a.conv else None})
    if args.latent < 1:
        parser.error(f"--latent must be >= 1, got {args.latent}")
    if args.hidden < 1:
        parser.error(f"--hidden must be >= 1, got {args.hidden}")
    if args.num_samples < 1:
        parser.error(f"--num-samples must be >= 1, got {args.num_samples}")
    set_seed(args.seed)

    # ---- data: pixels in [0, 1] (grey levels, or binarised) -----------------------------
    train_tf = [T.ToTensor()] + ([T.Lambda(binarize, batched=True)] if args.binarize else [])
    train_set = MNIST(args.data_dir, train=True, transform=T.Compose(train_tf))
    test_set = MNIST(args.data_dir, train=False, transform=T.ToTensor())
    if args.binarize:
        test_set.data = binarize_once(test_set.data)
    if args.quick:
        train_set, test_set = take(train_set, QUICK_SIZES[0]), take(test_set, QUICK_SIZES[1])
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=500)
    pixels = "binarised" if args.binarize else "grey levels"

    # ---- model, loss, optimiser ---------------------------------------------------------
    if args.conv:
        channels = (8, 16) if args.quick else (32, 64)
        model = ConvVAE(channels=channels, latent_dim=args.latent)
        name = f"ConvVAE {channels[0]}-{channels[1]} maps, L={args.latent}"
    else:
        model = VAE(hidden_size=args.hidden, latent_dim=args.latent,
                    activation=args.activation)
        name = f"VAE 784-{args.hidden}-{args.latent} {args.activation}"
    step = vae_step(model)
    opt = optim.Adam(model.parameters(), lr=args.lr)
    params = sum(p.numel() for p in model.parameters())
    print(f"{name} ({params:,} parameters) on MNIST ({pixels}): {len(train_set):,} train / "
          f"{len(test_set):,} test images, {plural(args.epochs, 'epoch')}")

    start = time.time()
    history = fit(model, opt, step, train_loader, epochs=args.epochs, out_dir=args.out_dir,
                  evaluate=lambda epoch: evaluate(step, test_loader, "test",
                                                  progress=args.progress),
                  resume=args.resume, progress=args.progress,
                  title=f"{name} on MNIST ({pixels}): nats per image")

    # ---- pictures and samples -----------------------------------------------------------
    model.eval()
    with nnlite.no_grad():
        gen = np.random.default_rng(args.seed)
        save_image_grid(model.sample(64, generator=gen).numpy(), args.out_dir / "samples.png",
                        nrow=8, title=f"{name}: samples from the prior")
        reconstructions(model, test_set, args.out_dir / "reconstructions.png")
        if args.latent == 2:
            latent_walk(model, args.out_dir / "latent_walk.png")
            latent_codes(model, test_set, args.out_dir / "latent_codes.png")
        if args.samples is not None:
            write_samples(model, args.samples, args.num_samples, args.seed)
            print(f"wrote {args.num_samples:,} samples (decoder means, float32 "
                  f"(N, 1, 28, 28) in [0, 1]) to {args.samples}")

    loss = history.last("test_loss", math.nan)
    print(f"final: test loss {loss:.2f} nats per image (reconstruction "
          f"{history.last('test_rec', math.nan):.2f} + KL {history.last('test_kl', math.nan):.2f}"
          f") | {name} on MNIST ({pixels}), "
          + run_summary(len(history), history.last("time", 0.0), start, args.out_dir))
    return 0


if __name__ == "__main__":
    nnlite.tune_cpu()   # opt in: freed arrays are reused, not unmapped (nnlite/tuning.py)
    sys.exit(main())
