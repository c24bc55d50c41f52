"""The vanishing gradient, seen: sigmoid vs tanh vs ReLU in a 10-layer MLP on MNIST.

    python examples/experiments/activations.py            # ~15 s on 2 cores
    python examples/experiments/activations.py --quick    # seconds: a smoke test

The same network (784 -> 9 x 128 -> 10, torch's default Linear init) with each activation,
and ReLU once more with He et al.'s init (2015). For each, the norm of every layer's weight
gradient on one batch of 256 training images is measured at initialisation and after training (SGD, momentum 0.9). Backpropagation multiplies
the gradient by sigmoid' <= 1/4 at every layer, so with sigmoid the first layers' gradients
are orders of magnitude smaller than the last's and they barely learn (Glorot & Bengio 2010);
tanh (derivative <= 1, near 1 around 0) loses little. ReLU's derivative is 1 where active,
but torch's default init (weights of variance 1/(3 fan_in)) shrinks the signal by 2/3 per
layer under ReLU; He's init (variance 2/fan_in) keeps the layers level. The PNG
plots the gradient norm per layer (log scale), at init and after training; the printed table
gives the first and last layer's norms, their ratio, and the test accuracy.
"""
from __future__ import annotations

import sys

import numpy as np

import nnlite
from nnlite import nn, optim

import _shared

# name -> (activation, He init?)
ACTIVATIONS = {"sigmoid": (nn.Sigmoid, False), "tanh": (nn.Tanh, False),
               "relu": (nn.ReLU, False), "relu+He": (nn.ReLU, True)}
DEPTH, WIDTH = 10, 128


def mlp(activation: type[nn.Module], he_init: bool = False) -> nn.Sequential:
    """``DEPTH`` Linear layers, ``activation`` after each but the last; ``he_init``:
    weights N(0, 2 / fan_in) and zero biases instead of torch's default init."""
    sizes = [784] + [WIDTH] * (DEPTH - 1) + [10]
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < DEPTH - 1:
            layers.append(activation())
    if he_init:
        for m in layers:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)
    return nn.Sequential(*layers)


def gradient_norms(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> list[float]:
    """The L2 norm of each Linear layer's weight gradient on the batch ``(x, y)``."""
    model.train()
    model.zero_grad()
    nn.functional.cross_entropy(model(nnlite.tensor(x)), nnlite.tensor(y)).backward()
    return [float(np.linalg.norm(m.weight.grad.array)) for m in model
            if isinstance(m, nn.Linear)]


def main(argv: list[str] | None = None) -> int:
    args = _shared.parse(_shared.parser(__doc__, "activations", epochs=3), argv)
    x_train, y_train, x_test, y_test = _shared.mnist(args)
    probe = np.random.default_rng(args.seed).permutation(len(x_train))[:256]
    rng = np.random.default_rng(args.seed)

    results = {}
    for name, (activation, he_init) in ACTIVATIONS.items():
        nnlite.manual_seed(args.seed)
        model = mlp(activation, he_init)
        at_init = gradient_norms(model, x_train[probe], y_train[probe])
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        for _ in range(args.epochs):
            _shared.train_epoch(model, opt, x_train, y_train, 128, rng)
        trained = gradient_norms(model, x_train[probe], y_train[probe])
        _, acc = _shared.evaluate(model, x_test, y_test)
        results[name] = (at_init, trained, acc)
        print(f"{name:8s} layer-1 / layer-{DEPTH} gradient norm: at init {at_init[0]:.2e} / "
              f"{at_init[-1]:.2e} (ratio {at_init[0] / at_init[-1]:.1e}), trained "
              f"{trained[0]:.2e} / {trained[-1]:.2e} (ratio {trained[0] / trained[-1]:.1e}); "
              f"test accuracy {100 * acc:.2f}%")

    fig = _shared.figure(2)
    if fig is not None:
        layers = np.arange(1, DEPTH + 1)
        for k, when in enumerate(("at initialisation", f"after {args.epochs} epochs")):
            ax = fig.add_subplot(1, 2, k + 1)
            for name, (at_init, trained, acc) in results.items():
                ax.semilogy(layers, (at_init, trained)[k], marker="o", markersize=3,
                            label=f"{name} ({100 * acc:.1f}% test)")
            ax.set_ylabel("|dL/dW| on 256 images")
            ax.set_xticks(layers)
            _shared.label(ax, f"weight-gradient norm per layer, {when}",
                          "layer (1 = input side)")
    where = _shared.save(fig, args)
    ratios = ", ".join(f"{n} {r[0][0] / r[0][-1]:.1e}" for n, r in results.items())
    print(f"final: first/last layer gradient ratio at init: {ratios}; "
          f"test accuracy: " + ", ".join(f"{n} {100 * r[2]:.2f}%" for n, r in results.items())
          + f"; {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
