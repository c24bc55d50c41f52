"""Train a 2-16-1 tanh MLP on XOR with SGD + momentum and a mean-squared-error loss.

    python examples/mlp_xor.py                         # about a second
    python examples/mlp_xor.py --epochs 1000 --lr 0.05 --seed 3

The loss is printed ten times as it falls; the last line shows the four predictions and the
accuracy. The script exits with status 1 if the network did not learn XOR.
"""
import argparse
import sys

import numpy as np

import nnlite as nl
import nnlite.nn.functional as F
from nnlite import nn, optim


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Train a 2-16-1 tanh MLP on XOR (full batch, SGD with momentum, MSE).")
    parser.add_argument("--epochs", type=int, default=300,
                        help="number of full-batch training steps (default: 300)")
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate (default: 0.1)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed for the weight initialisation (default: 0)")
    args = parser.parse_args(argv)

    nl.manual_seed(args.seed)
    x = nl.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # (4, 2)
    y = nl.tensor([[0.0], [1.0], [1.0], [0.0]])                      # (4, 1)

    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    opt = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)

    every = max(1, args.epochs // 10)
    for epoch in range(1, args.epochs + 1):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        if epoch == 1 or epoch % every == 0:
            print(f"epoch {epoch:5d}  loss {loss.item():.6f}")

    with nl.no_grad():
        pred = model(x).numpy().ravel()  # (4,)
    correct = int(((pred > 0.5) == (y.numpy().ravel() > 0.5)).sum())
    print(f"predictions {np.round(pred, 3).tolist()}  accuracy {correct}/4")
    return 0 if correct == 4 else 1


if __name__ == "__main__":
    sys.exit(main())
