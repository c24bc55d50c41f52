"""Three-arm spiral classification (the CS231n toy problem): an MLP built as nn.Sequential from
an OrderedDict, SGD with Nesterov momentum and weight decay, OneCycleLR stepped every batch
(with momentum cycling), a DataLoader without shuffling, and per-epoch accuracy."""
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def make_spiral(points_per_class=100, classes=3, rng=None):
    X = np.zeros((points_per_class * classes, 2), dtype=np.float32)
    y = np.zeros(points_per_class * classes, dtype=np.int64)
    for j in range(classes):
        ix = range(points_per_class * j, points_per_class * (j + 1))
        r = np.linspace(0.0, 1, points_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, points_per_class) + rng.standard_normal(points_per_class) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    order = rng.permutation(len(y))
    return X[order], y[order]


def build_model():
    return nn.Sequential(OrderedDict([
        ("fc1", nn.Linear(2, 64)),
        ("act1", nn.ReLU()),
        ("fc2", nn.Linear(64, 64)),
        ("act2", nn.ReLU()),
        ("out", nn.Linear(64, 3)),
    ]))


def main(init=None, epochs=12):
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    X, y = make_spiral(rng=np.random.default_rng(0))
    loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                        batch_size=32, shuffle=False)

    model = build_model().to(device)
    if init is not None:
        model.load_state_dict(init)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                                weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, epochs=epochs,
                                                    steps_per_epoch=len(loader))
    losses = []
    for epoch in range(epochs):
        model.train()
        correct, total, running = 0, 0, 0.0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            out = model(xb)
            loss = criterion(out, yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            total += len(yb)
        losses.append(running / total)
        print(f"epoch {epoch:2d} loss {losses[-1]:.4f} acc {correct / total:.3f}"
              f" lr {scheduler.get_last_lr()[0]:.4f}"
              f" momentum {optimizer.param_groups[0]['momentum']:.3f}")
    return losses


if __name__ == "__main__":
    main()
