"""Tabular regression: a seed_everything helper, TensorDataset + random_split(generator=...),
an MLP with BatchNorm1d and Dropout, RMSprop, ReduceLROnPlateau stepped on the validation
loss, model.train()/model.eval(), and the best weights kept with
copy.deepcopy(model.state_dict())."""
import copy
import random

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split


def seed_everything(seed=42):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


class Regressor(nn.Module):
    def __init__(self, n_features, hidden=64, p_drop=0.1):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Dropout(p_drop),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def main(epochs=10):
    seed_everything(42)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rng = np.random.default_rng(7)
    X = rng.standard_normal((1000, 8)).astype(np.float32)
    w = rng.standard_normal(8).astype(np.float32)
    y = (X @ w + np.sin(2 * X[:, 0]) + 0.1 * rng.standard_normal(1000)).astype(np.float32)
    dataset = TensorDataset(torch.tensor(X), torch.tensor(y))
    train_set, val_set = random_split(dataset, [0.8, 0.2],
                                      generator=torch.Generator().manual_seed(42))
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=200)

    model = Regressor(8).to(device)
    criterion = nn.MSELoss()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5,
                                                           patience=1)
    best_loss, best_state = float("inf"), None
    losses = []
    for epoch in range(epochs):
        model.train()
        running_loss = 0.0
        for inputs, targets in train_loader:
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            running_loss += loss.item() * inputs.size(0)
        losses.append(running_loss / len(train_loader.dataset))

        model.eval()
        val_loss = 0.0
        with torch.no_grad():
            for inputs, targets in val_loader:
                outputs = model(inputs.to(device))
                val_loss += criterion(outputs, targets.to(device)).item() * inputs.size(0)
        val_loss /= len(val_set)
        scheduler.step(val_loss)
        if val_loss < best_loss:
            best_loss, best_state = val_loss, copy.deepcopy(model.state_dict())
        print(f"Epoch {epoch + 1}/{epochs} train {losses[-1]:.4f} val {val_loss:.4f}"
              f" lr {optimizer.param_groups[0]['lr']:.2e}")

    model.load_state_dict(best_state)
    return losses


if __name__ == "__main__":
    main()
