"""Dropout on and off: the gap between training and test accuracy on MNIST.

    python examples/experiments/dropout.py            # ~3 minutes on 2 cores
    python examples/experiments/dropout.py --quick    # seconds: a smoke test

A wide MLP (784 -> 1024 -> 1024 -> 10, ReLU) on 6,000 training images, where it can
memorise its data, trained twice with the same seed, batches and SGD (momentum 0.9): once
plain, once with dropout (p = 0.2 on the inputs, 0.5 after each hidden layer, as in
Srivastava et al. 2014). The PNG shows training and test loss and accuracy per epoch; the
printed lines give the last epoch's train/test accuracy, their gap, the mean test accuracy of
the last five epochs and the test loss. Without dropout the network memorises its 6,000
images within ten epochs (training loss ~1e-4, train accuracy 100%) and its test loss, after
its minimum, climbs back up: it grows more confident on the test images it gets wrong. With
dropout the training loss stays two orders of magnitude higher and the test loss lower, but
on this task the test accuracy is the same within the run's noise (a figure the PNG and the
printed lines show as it is; Srivastava et al. report their gains with max-norm constraints,
longer training and larger networks).
"""
from __future__ import annotations

import sys

import numpy as np

import nnlite
from nnlite import nn, optim

import _shared

TRAIN_SIZE, WIDTH = 6000, 1024


def mlp(dropout: bool) -> nn.Sequential:
    """The MLP, with Srivastava et al.'s dropout rates if ``dropout``."""
    p_in, p_hidden = (0.2, 0.5) if dropout else (0.0, 0.0)
    return nn.Sequential(
        nn.Dropout(p_in), nn.Linear(784, WIDTH), nn.ReLU(),
        nn.Dropout(p_hidden), nn.Linear(WIDTH, WIDTH), nn.ReLU(),
        nn.Dropout(p_hidden), nn.Linear(WIDTH, 10))


def main(argv: list[str] | None = None) -> int:
    args = _shared.parse(_shared.parser(__doc__, "dropout", epochs=30), argv)
    x_train, y_train, x_test, y_test = _shared.mnist(args, train_size=TRAIN_SIZE)

    curves = {}
    for name in ("no dropout", "dropout"):
        nnlite.manual_seed(args.seed)
        rng = np.random.default_rng(args.seed)
        model = mlp(name == "dropout")
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        rows = []                   # per epoch: train loss, train acc, test loss, test acc
        for _ in range(args.epochs):
            _shared.train_epoch(model, opt, x_train, y_train, 100, rng)
            rows.append(_shared.evaluate(model, x_train, y_train)
                        + _shared.evaluate(model, x_test, y_test))
        curves[name] = np.asarray(rows)
        _, train_acc, test_loss, test_acc = rows[-1]
        print(f"{name:10s} after {args.epochs} epochs: train accuracy {100 * train_acc:.2f}%, "
              f"test {100 * test_acc:.2f}% (gap {100 * (train_acc - test_acc):.2f} points; "
              f"test mean of the last 5 epochs {100 * curves[name][-5:, 3].mean():.2f}%); "
              f"test loss {test_loss:.4f}, lowest {curves[name][:, 2].min():.4f}")

    fig = _shared.figure(2)
    if fig is not None:
        epochs = np.arange(1, args.epochs + 1)
        loss_ax, acc_ax = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        for (name, rows), color in zip(curves.items(), ("tab:red", "tab:blue")):
            for col, split, style in ((0, "train", "--"), (2, "test", "-")):
                loss_ax.semilogy(epochs, rows[:, col], style, color=color,
                                 label=f"{name}, {split}")
                acc_ax.plot(epochs, 100 * rows[:, col + 1], style, color=color,
                            label=f"{name}, {split}")
        for ax, title in ((loss_ax, "loss"), (acc_ax, "accuracy %")):
            _shared.label(ax, f"MLP on {len(x_train)} MNIST images: {title}", "epoch")
    where = _shared.save(fig, args)
    print("final: " + "; ".join(
        f"{n}: train {100 * r[-1, 1]:.2f}% test {100 * r[-1, 3]:.2f}% "
        f"(gap {100 * (r[-1, 1] - r[-1, 3]):.2f})" for n, r in curves.items()) + f"; {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
