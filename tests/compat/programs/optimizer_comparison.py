"""Comparing optimizers on one small regression, each from the same initial weights
(copy.deepcopy of the model): Adadelta, NAdam and RAdam with a LinearLR warm-up chained to
CosineAnnealingWarmRestarts by SequentialLR, and LBFGS with a closure."""
import copy

import numpy as np
import torch
import torch.nn as nn
from torch import optim
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts, LinearLR, SequentialLR


def build_model():
    return nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))


def make_data():
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, size=(128, 4)).astype(np.float32)
    y = (np.sin(2 * x[:, :1]) + x[:, 1:2] * x[:, 2:3] - 0.5 * x[:, 3:]).astype(np.float32)
    return torch.from_numpy(x), torch.from_numpy(y)


def main(init=None, steps=15):
    torch.manual_seed(0)
    x, y = make_data()
    base = build_model()
    if init is not None:
        base.load_state_dict(init)
    loss_fn = nn.MSELoss()

    optimizers = {
        "Adadelta": lambda p: optim.Adadelta(p, lr=1.0),
        "NAdam": lambda p: optim.NAdam(p, lr=0.02),
        "RAdam": lambda p: optim.RAdam(p, lr=0.02),
        "LBFGS": lambda p: optim.LBFGS(p, lr=0.5, max_iter=4, history_size=5),
    }
    losses = []
    for name, make in optimizers.items():
        model = copy.deepcopy(base)
        optimizer = make(model.parameters())
        scheduler = None
        if name != "LBFGS":
            warmup = LinearLR(optimizer, start_factor=0.2, total_iters=3)
            cosine = CosineAnnealingWarmRestarts(optimizer, T_0=5, T_mult=2)
            scheduler = SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[3])
        # an LBFGS step evaluates the model up to max_iter times: fewer steps for the same work
        for step in range(steps if name != "LBFGS" else steps // 3):
            def closure():
                optimizer.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                return loss
            loss = optimizer.step(closure)
            if scheduler is not None:
                scheduler.step()
            losses.append(loss.item())
        print(f"{name:9s} final loss {losses[-1]:.5f}")
    return losses


if __name__ == "__main__":
    main()
