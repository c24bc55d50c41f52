"""Exploding gradients, seen: a recurrent network with and without gradient clipping.

    python examples/experiments/clipping.py            # ~1 minute on 2 cores
    python examples/experiments/clipping.py --quick    # seconds: a smoke test

The adding problem (Hochreiter & Schmidhuber 1997): a sequence of ``T`` pairs (a number
drawn from U(0, 1), a marker that is 1 at two random positions, one in each half, and 0
elsewhere); the target is the sum of the two marked numbers, so the network must carry a
value across up to ``T`` steps. Always predicting 1 gives a mean squared error of 1/6.
An Elman RNN (tanh, 64 units) whose recurrent weights start orthogonal times 1.1
(spectral radius above 1, the regime Pascanu, Mikolov & Bengio 2013 study) is trained twice
with the same seed, batches and SGD (lr 0.1): once plain, once with
``clip_grad_norm_(params, 1.0)``. The PNG plots the total gradient norm (before clipping)
and the loss over steps: without clipping, a step whose gradient is orders of magnitude
larger than the rest throws the weights so far that the next gradients are larger still,
and the run ends in inf and NaN; with clipping the same steps only move the weights a
bounded distance, and the network learns the task (loss well under 1/6).
"""
from __future__ import annotations

import sys

import numpy as np

import nnlite
from nnlite import nn, optim

import _shared

HIDDEN, GAIN, MAX_NORM = 64, 1.1, 1.0


def adding_batch(rng: np.random.Generator, batch: int, length: int
                 ) -> tuple[nnlite.Tensor, nnlite.Tensor]:
    """Inputs (length, batch, 2) and targets (batch, 1) of the adding problem."""
    values = rng.uniform(0.0, 1.0, (length, batch)).astype(np.float32)
    marks = np.zeros((length, batch), np.float32)
    half = length // 2
    first, second = rng.integers(0, half, batch), rng.integers(half, length, batch)
    marks[first, np.arange(batch)] = 1.0
    marks[second, np.arange(batch)] = 1.0
    x = np.stack([values, marks], axis=2)                      # (length, batch, 2)
    y = (values * marks).sum(0, keepdims=True).T               # (batch, 1)
    return nnlite.tensor(x), nnlite.tensor(np.ascontiguousarray(y))


class AddingRNN(nn.Module):
    """An Elman RNN read out from its last hidden state."""

    def __init__(self, hidden: int = HIDDEN, gain: float = GAIN) -> None:
        super().__init__()
        self.rnn = nn.RNN(2, hidden)
        self.out = nn.Linear(hidden, 1)
        nn.init.orthogonal_(self.rnn.weight_hh_l0, gain=gain)

    def forward(self, x: nnlite.Tensor) -> nnlite.Tensor:
        _, h = self.rnn(x)                                     # h: (1, batch, hidden)
        return self.out(h[0])                                  # (batch, 1)


def train(args, clip: bool, steps: int, length: int) -> tuple[list[float], list[float]]:
    """Gradient norm (before clipping) and loss per step of one run."""
    nnlite.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = AddingRNN()
    opt = optim.SGD(model.parameters(), lr=0.1)
    norms, losses = [], []
    with np.errstate(over="ignore", invalid="ignore"):    # the unclipped run overflows
        for _ in range(steps):
            x, y = adding_batch(rng, 64, length)
            loss = nn.functional.mse_loss(model(x), y)
            opt.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(),
                                            MAX_NORM if clip else float("inf"))
            opt.step()
            norms.append(float(norm))
            losses.append(loss.item())
    return norms, losses


def _summary(norms: list[float], losses: list[float]) -> str:
    """The largest gradient norm, and the mean loss over the last tenth of the steps or the
    step at which the run diverged (a non-finite loss)."""
    finite = np.isfinite(losses)
    if not finite.all():
        first = int(np.argmin(finite)) + 1
        return (f"max gradient norm {np.nanmax(norms):.2e}, diverged (non-finite loss) at "
                f"step {first}")
    tail = losses[-max(1, len(losses) // 10):]
    return f"max gradient norm {max(norms):.2e}, loss over the last tenth {np.mean(tail):.4f}"


def main(argv: list[str] | None = None) -> int:
    p = _shared.parser(__doc__, "clipping", epochs=1)
    p.add_argument("--steps", type=int, default=1500, help="training steps (default: 1500)")
    p.add_argument("--length", type=int, default=30, help="sequence length T (default: 30)")
    args = _shared.parse(p, argv)
    steps = 30 if args.quick else args.steps

    runs = {}
    for clip in (False, True):
        name = f"clip_grad_norm_ {MAX_NORM:g}" if clip else "no clipping"
        norms, losses = runs[name] = train(args, clip, steps, args.length)
        print(f"{name:20s} {_summary(norms, losses)} (1/6 = {1 / 6:.4f} is guessing 1)")

    fig = _shared.figure(2)
    if fig is not None:
        norm_ax, loss_ax = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        for name, (norms, losses) in runs.items():
            norm_ax.semilogy(norms, linewidth=0.8, label=name)
            loss_ax.semilogy(losses, linewidth=0.8, label=name)
        loss_ax.axhline(1 / 6, color="grey", linestyle="--", linewidth=0.8,
                        label="predict 1 (1/6)")
        loss_ax.set_ylim(1e-3, 10.0)        # a diverged run's losses leave the panel
        for name, (_, losses) in runs.items():
            if not np.isfinite(losses).all():
                last = int(np.argmin(np.isfinite(losses))) - 1
                loss_ax.annotate(f"{name}: diverged at step {last + 2}", (max(last, 0), 5.0),
                                 fontsize=8, color="tab:blue")
        for ax, title in ((norm_ax, "total gradient norm (before clipping)"),
                          (loss_ax, "loss (mean squared error)")):
            _shared.label(ax, f"adding problem, T = {args.length}: {title}", "step")
    where = _shared.save(fig, args)
    print("final: " + "; ".join(f"{n}: {_summary(*r)}" for n, r in runs.items()) + f"; {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
