"""Mean squared error vs cross-entropy for the same classifier on MNIST.

    python examples/experiments/losses.py            # ~40 s on 2 cores
    python examples/experiments/losses.py --quick    # seconds: a smoke test

One MLP (784 -> 256 -> ReLU -> 10), trained twice with the same seed, SGD (lr 0.1) and
batches: once with cross-entropy on its logits, once with the mean squared error between
softmax(logits) and the one-hot target. The PNG shows training loss and accuracy every 50
steps, test accuracy per epoch, and why they differ: the gradient each loss sends to the true
class's logit when the network is confidently wrong (another class's logit ``m`` above it).
Cross-entropy's is p_true - 1, which tends to -1, the largest push exactly where the error is
worst; the squared error's carries the softmax's derivative p (1 - p) and vanishes, so a
confidently wrong output hardly learns (the reason classifiers use cross-entropy).
"""
from __future__ import annotations

import sys

import numpy as np

import nnlite
from nnlite import nn, optim
from nnlite.nn import functional as F

import _shared

EVERY = 50          # training steps per point of the training curves


def mse_on_softmax(logits: nnlite.Tensor, target: nnlite.Tensor) -> nnlite.Tensor:
    """Mean over the batch and classes of (softmax(logits) - one_hot(target))^2."""
    return F.mse_loss(F.softmax(logits, dim=1), F.one_hot(target, 10).float())


LOSSES = {"cross-entropy": F.cross_entropy, "MSE on softmax": mse_on_softmax}


def true_logit_gradient(loss_fn, margins: np.ndarray) -> np.ndarray:
    """dL/dz_true for one 10-class output whose true class (0) has logit 0 and one wrong
    class (1) has logit ``m``, per margin ``m`` (the others at 0)."""
    z = np.zeros((len(margins), 10), np.float64)
    z[:, 1] = margins
    logits = nnlite.tensor(z, requires_grad=True)
    target = nnlite.zeros(len(margins), dtype=nnlite.int64)
    (loss_fn(logits, target) * len(margins)).backward()       # per-sample gradients
    return logits.grad.array[:, 0]


def main(argv: list[str] | None = None) -> int:
    args = _shared.parse(_shared.parser(__doc__, "losses", epochs=3), argv)
    x_train, y_train, x_test, y_test = _shared.mnist(args)

    curves = {}
    for name, loss_fn in LOSSES.items():
        nnlite.manual_seed(args.seed)
        rng = np.random.default_rng(args.seed)
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        opt = optim.SGD(model.parameters(), lr=0.1)
        steps, losses, accs, tests = [], [], [], []
        step, window = 0, []
        for _ in range(args.epochs):
            model.train()
            for xb, yb in _shared.batches(x_train, y_train, 64, rng):
                out = model(xb)
                loss = loss_fn(out, yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                step += 1
                window.append((loss.item(), float((out.array.argmax(1) == yb.array).mean())))
                if step % EVERY == 0:
                    steps.append(step)
                    losses.append(np.mean([w[0] for w in window]))
                    accs.append(np.mean([w[1] for w in window]))
                    window = []
            tests.append(_shared.evaluate(model, x_test, y_test, loss_fn)[1])
        curves[name] = (steps, losses, accs, tests)
        print(f"{name:15s} test accuracy per epoch: "
              + " ".join(f"{100 * a:.2f}%" for a in tests))

    margins = np.linspace(0.0, 15.0, 61)
    grads = {name: true_logit_gradient(fn, margins) for name, fn in LOSSES.items()}
    at = int(np.searchsorted(margins, 10.0))
    for name, g in grads.items():
        print(f"{name:15s} dL/dz_true with a wrong logit 10 above the true one: {g[at]:+.2e}")

    fig = _shared.figure(4, width=3.8)
    if fig is not None:
        panels = [fig.add_subplot(1, 4, k + 1) for k in range(4)]
        for name, (steps, losses, accs, tests) in curves.items():
            panels[0].semilogy(steps, losses, label=name)
            panels[1].plot(steps, 100 * np.asarray(accs), label=name)
            panels[2].plot(range(1, len(tests) + 1), 100 * np.asarray(tests), marker="o",
                           label=name)
            panels[3].semilogy(margins, np.abs(grads[name]), label=name)
        titles = ("training loss (each its own)", "training accuracy %", "test accuracy %",
                  "|dL/dz_true|, confidently wrong")
        xlabels = ("step", "step", "epoch", "wrong logit minus true logit")
        for ax, title, xlabel in zip(panels, titles, xlabels):
            _shared.label(ax, title, xlabel)
    where = _shared.save(fig, args)
    print("final: test accuracy after {} epoch(s): {}; dL/dz_true at margin 10: {}; {}".format(
        args.epochs, ", ".join(f"{n} {100 * c[3][-1]:.2f}%" for n, c in curves.items()),
        ", ".join(f"{n} {g[at]:+.2e}" for n, g in grads.items()), where))
    return 0


if __name__ == "__main__":
    sys.exit(main())
