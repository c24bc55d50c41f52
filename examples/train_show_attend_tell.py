"""Train Show, Attend and Tell (Xu et al. 2015) to read strings of 1-5 MNIST digits.

    python examples/train_show_attend_tell.py            # 97.56% exact strings, greedy and beam
    python examples/train_show_attend_tell.py --quick    # a few seconds: a smoke test
    python examples/train_show_attend_tell.py --resume   # continue from runs/show-attend-tell/

The 1 -> N architecture: one image in, a sequence out. The paper captions photographs with
a pre-trained VGG encoder and reports BLEU on Flickr8k/30k and COCO; here the images are
composites of 1-5 MNIST digits side by side on a 32 x 160 canvas, with random gaps and
offsets (``MultiDigitMNIST``: built on the fly from the shipped MNIST, each composite fixed
by its index and the seed; the training composites use only MNIST's training images, the
held-out ones only its test images), and the "caption" is the digit string.

The encoder is a small CNN trained from scratch (4 conv-BN-ReLU blocks, 3 max-pools: a
1 x 20 grid of 128-d annotations, one per 8 columns), with each location's column and row
appended as sinusoids (16 channels: a string is read left to right, and a small CNN's
features barely know where they are; Attention-OCR, Wojna et al. 2017, appends coordinates
for the same reason). The decoder is the paper's: an LSTM (hidden 256) with soft additive
attention, the gating scalar beta, h_0/c_0 from the mean annotation, the deep output layer,
and the doubly stochastic regularisation (lambda = --alpha-c). Training: teacher forcing,
Adam (the paper's optimiser on Flickr30k and COCO), a linear warm-up and a cosine decay,
gradient-norm clipping at 5. Decoding: greedy and beam search (beam 3).

Each epoch prints train/test loss (per word, plus the regulariser) and the share of strings
whose every word is the model's first choice given the reference words before it (acc): on
the held-out composites, that is the exact-string accuracy of greedy decoding. Checkpoints,
history.csv and curves.png go to --out-dir, and attention.png: held-out images with the
attention map of each emitted digit. The last line is the exact-string accuracy on the 5,000
held-out composites, greedy and with beam search.

On a machine busy with other jobs, OPENBLAS_NUM_THREADS=1 keeps OpenBLAS's threads from
spinning against them (a training step went from 15 s to 0.55 s at a load of 13 on 2
cores); on an idle machine leave it unset.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

import nnlite
import nnlite.nn.functional as F
from nnlite import optim
from nnlite.data import DataLoader
from nnlite.data.datasets import MultiDigitMNIST
from nnlite.models import ShowAttendTell
from nnlite.models.show_attend_tell import doubly_stochastic_penalty
from nnlite.optim.lr_scheduler import WarmupCosineLR
from nnlite.training import (ProgressBar, evaluate, fit, format_seconds, have_matplotlib,
                             set_seed)

from common import example_parser, parse_args, training_args

PAD = MultiDigitMNIST.PAD


def data(args: argparse.Namespace) -> tuple:
    """Training composites from MNIST's training images, held-out composites from its test
    images (both fixed by --seed)."""
    train = MultiDigitMNIST(args.data_dir, train=True, num_samples=args.train_size,
                            max_digits=args.max_digits, seed=args.seed)
    test = MultiDigitMNIST(args.data_dir, train=False, num_samples=args.test_size,
                           max_digits=args.max_digits, seed=args.seed)
    return train, test


def build_model(args: argparse.Namespace) -> ShowAttendTell:
    return ShowAttendTell(len(MultiDigitMNIST.vocab), channels=args.channels,
                          grid_rows=args.grid_rows, position_dim=args.position_dim,
                          embed_dim=args.embed_dim,
                          hidden_size=args.hidden_size, gate=args.gate, dropout=args.dropout,
                          pad_idx=PAD, bos_idx=MultiDigitMNIST.BOS, eos_idx=MultiDigitMNIST.EOS)


def exact(pred: np.ndarray, targets: np.ndarray) -> int:
    """How many decoded rows read the same digit string as their target."""
    return sum(MultiDigitMNIST.decode(p) == MultiDigitMNIST.decode(t)
               for p, t in zip(pred, targets))


def read_all(model: ShowAttendTell, loader: DataLoader, beams: tuple, max_len: int,
             progress: bool) -> list[float]:
    """Exact-string accuracy over ``loader`` of greedy decoding (beam 1) and beam search,
    one figure per entry of ``beams``; each batch is encoded once."""
    model.eval()
    right, n = np.zeros(len(beams)), 0
    bar = ProgressBar(len(loader), desc="reading", unit="img", enable=progress)
    with nnlite.no_grad():
        for images, targets in loader:
            features = model.encode(images)                              # (B, h, w, D)
            for k, beam in enumerate(beams):
                right[k] += exact(model.search(features, beam, max_len).tokens.array,
                                  targets.array)
            n += len(targets)
            bar.update(1, items=len(targets), acc=right[0] / n)
    bar.close()
    return (right / n).tolist()


def plot_attention(model: ShowAttendTell, dataset: MultiDigitMNIST, count: int, beam: int,
                   max_len: int, path: Path) -> None:
    """One column per held-out image: the image, then each emitted token over the
    attention map it was emitted with (the grid stretched over the canvas)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images, targets = MultiDigitMNIST.collate([dataset[i] for i in range(count)])
    model.eval()
    caption = (model.greedy_decode(images, max_len) if beam == 1 else
               model.beam_search(images, beam, max_len))
    tokens, attention = caption.tokens.array, caption.attention.array     # (n, t), (n, t, h, w)
    H, W = images.shape[2:]
    rows = 1 + tokens.shape[1]
    fig, axes = plt.subplots(rows, count, figsize=(2.6 * count, 0.75 * rows + 0.4),
                             squeeze=False)
    for j in range(count):
        img = images.array[j, 0]
        axes[0, j].imshow(img, cmap="gray", vmin=0, vmax=1)
        axes[0, j].set_title(f"read {MultiDigitMNIST.decode(tokens[j])!r} (true "
                             f"{MultiDigitMNIST.decode(targets.array[j])!r})", fontsize=7)
        for t in range(tokens.shape[1]):
            ax = axes[1 + t, j]
            if tokens[j, t] == PAD:
                ax.set_visible(False)
                continue
            ax.imshow(img, cmap="gray", vmin=0, vmax=1)
            a = attention[j, t]
            ax.imshow(a / max(a.max(), 1e-8), cmap="inferno", alpha=0.6, extent=(0, W, H, 0),
                      interpolation="bilinear", vmin=0, vmax=1)
            ax.set_title(f"t={t + 1}: {MultiDigitMNIST.vocab.lookup_token(int(tokens[j, t]))}",
                         fontsize=7)
        for ax in axes[:, j]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle("Show, Attend and Tell on held-out MNIST strings: where each token was read "
                 "(each map scaled to its largest weight)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = example_parser(__doc__)
    training_args(parser, name="show-attend-tell", epochs=3, batch_size=64, lr=2e-3,
                  time_budget=0)
    g = parser.add_argument_group("data")
    g.add_argument("--data-dir", default=None,
                   help="folder holding mnist/ (default: the repository's data/)")
    g.add_argument("--train-size", type=int, default=None,
                   help="training composites (default: 60000; 256 with --quick)")
    g.add_argument("--test-size", type=int, default=None,
                   help="held-out composites (default: 5000; 64 with --quick)")
    g.add_argument("--max-digits", type=int, default=5, help="longest string (default: 5)")
    g = parser.add_argument_group("model (defaults: channels 16,32,64,128, embed 64, hidden "
                                  "256; 8,16,16,32, 16, 32 with --quick)")
    g.add_argument("--channels", type=lambda s: tuple(int(c) for c in s.split(",")),
                   default=None, help="the encoder's blocks, comma-separated")
    g.add_argument("--grid-rows", type=int, default=1,
                   help="rows of the attention grid (default: 1)")
    g.add_argument("--position-dim", type=int, default=16,
                   help="sinusoids of each location's column and row appended to its "
                        "features (default: 16; 0: none)")
    g.add_argument("--embed-dim", type=int, default=None)
    g.add_argument("--hidden-size", type=int, default=None)
    g.add_argument("--no-gate", dest="gate", action="store_false",
                   help="no gating scalar beta")
    g.add_argument("--dropout", type=float, default=0.0,
                   help="before the output layer (default: 0)")
    g = parser.add_argument_group("optimisation and decoding")
    g.add_argument("--alpha-c", type=float, default=0.01,
                   help="lambda of the doubly stochastic regularisation (default: 0.01)")
    g.add_argument("--clip", type=float, default=5.0,
                   help="clip the gradient norm to this (default: 5; 0: off)")
    g.add_argument("--warmup", type=int, default=200, help="warm-up steps (default: 200)")
    g.add_argument("--beam", type=int, default=3, help="beam size (default: 3)")
    g.add_argument("--show", type=int, default=6,
                   help="held-out images in attention.png (default: 6; 0: none)")

    def defaults(a: argparse.Namespace) -> dict:
        if a.quick:
            return {"train_size": 256, "test_size": 64, "channels": (8, 16, 16, 32),
                    "embed_dim": 16, "hidden_size": 32, "batch_size": 32, "warmup": 2}
        return {"train_size": 60000, "test_size": 5000, "channels": (16, 32, 64, 128),
                "embed_dim": 64, "hidden_size": 256}

    args = parse_args(parser, argv, defaults=defaults)
    set_seed(args.seed)

    # ---- data ------------------------------------------------------------------------
    train_set, test_set = data(args)
    collate = MultiDigitMNIST.collate
    train_loader = DataLoader(train_set, args.batch_size, shuffle=True, collate_fn=collate)
    test_loader = DataLoader(test_set, 250, shuffle=False, collate_fn=collate)
    max_len = args.max_digits + 1                          # digits and <eos>

    # ---- model, loss, optimiser --------------------------------------------------------
    model = build_model(args)
    V = model.vocab_size

    def step(batch) -> tuple:
        images, targets = batch
        tgt = targets.array                                                # (B, T)
        out = model(images, tgt[:, :-1])                                   # (B, T-1, V)
        y = tgt[:, 1:]                                                     # (B, T-1)
        words = y != PAD
        loss = F.cross_entropy(out.logits.reshape(-1, V), y.reshape(-1), ignore_index=PAD)
        if args.alpha_c:
            loss = loss + args.alpha_c * doubly_stochastic_penalty(out.attention, words)
        # every word the argmax given the reference before it: exactly the strings that
        # greedy decoding reads right
        right = ((out.logits.array.argmax(-1) == y) | ~words).all(axis=1)  # (B,)
        return loss, {"n": len(y), "correct": int(right.sum())}

    def evaluate_epoch(epoch: int) -> dict:
        return evaluate(step, test_loader, "test", progress=args.progress)

    opt = optim.Adam(model.parameters(), lr=args.lr)
    params = sum(p.numel() for p in model.parameters())
    name = (f"ShowAttendTell (CNN {','.join(map(str, args.channels))}, LSTM "
            f"{args.hidden_size}, {params:,} parameters)")
    print(f"{name} on MultiDigitMNIST 1-{args.max_digits} digits: {len(train_set):,} train / "
          f"{len(test_set):,} held-out composites, {args.epochs} epochs"
          + (f", budget {format_seconds(args.time_budget)}" if args.time_budget else ""))
    start = time.time()
    history = fit(model, opt, step, train_loader, epochs=args.epochs, out_dir=args.out_dir,
                  evaluate=evaluate_epoch, resume=args.resume, progress=args.progress,
                  clip_grad_norm=args.clip or None,
                  scheduler=WarmupCosineLR(opt, warmup_steps=args.warmup),
                  scheduler_interval="step", time_budget=args.time_budget,
                  title="Show, Attend and Tell on MultiDigitMNIST")

    # ---- final reading: greedy and beam, and the attention maps ----------------------
    greedy, beam = read_all(model, test_loader, (1, args.beam), max_len, args.progress)
    if args.show and have_matplotlib():
        path = args.out_dir / "attention.png"
        plot_attention(model, test_set, min(args.show, len(test_set)), args.beam, max_len,
                       path)
        print(f"attention maps of {min(args.show, len(test_set))} held-out images: {path}")
    print(f"final: held-out exact strings {100 * greedy:.2f}% greedy, {100 * beam:.2f}% beam "
          f"{args.beam} ({len(test_set):,} composites of MNIST test digits) | {name}, "
          f"{len(history)} epochs ({format_seconds(history.last('time', 0.0))} of training), "
          f"{format_seconds(time.time() - start)} this run | {args.out_dir}")
    return 0


if __name__ == "__main__":
    nnlite.tune_cpu()   # opt in: freed arrays are reused, not unmapped (nnlite/tuning.py)
    sys.exit(main())
