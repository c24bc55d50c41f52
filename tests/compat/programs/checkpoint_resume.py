"""Saving and resuming training as in the tutorial "Saving and Loading a General Checkpoint":
torch.save of a dict holding the model's, the optimizer's and the scheduler's state_dict with
the epoch and loss; a fresh model/optimizer/scheduler restored with load_state_dict(torch.load(
...)) continues where the first left off. Adam + StepLR on a small MLP regression."""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(5, 32)
        self.fc2 = nn.Linear(32, 16)
        self.fc3 = nn.Linear(16, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


def build_model():
    return Net()


def make_training(init):
    model = build_model()
    if init is not None:
        model.load_state_dict(init)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    return model, optimizer, scheduler


def train_epochs(model, optimizer, scheduler, x, y, epochs, losses):
    criterion = nn.MSELoss()
    model.train()
    for epoch in range(epochs):
        for i in range(0, len(x), 50):
            optimizer.zero_grad()
            loss = criterion(model(x[i:i + 50]), y[i:i + 50])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
    return loss


def main(init=None, epochs=4):
    torch.manual_seed(0)
    rng = np.random.default_rng(3)
    x = torch.tensor(rng.standard_normal((200, 5)), dtype=torch.float32)
    y = (x[:, :1] * 2 - x[:, 1:2] ** 2 + 0.5 * x[:, 2:3] * x[:, 3:4]).detach()

    losses = []
    model, optimizer, scheduler = make_training(init)
    loss = train_epochs(model, optimizer, scheduler, x, y, epochs, losses)

    with tempfile.TemporaryDirectory() as tmp:
        PATH = os.path.join(tmp, "checkpoint.pt")
        torch.save({
            "epoch": epochs,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "scheduler_state_dict": scheduler.state_dict(),
            "loss": loss.item(),
        }, PATH)
        torch.save(model.state_dict(), os.path.join(tmp, "weights.pt"))

        model, optimizer, scheduler = make_training(None)    # fresh objects, random weights
        checkpoint = torch.load(PATH, weights_only=True)
        model.load_state_dict(checkpoint["model_state_dict"])
        optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
        scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
        epoch = checkpoint["epoch"]
        print(f"resumed at epoch {epoch}, loss {checkpoint['loss']:.4f},"
              f" lr {optimizer.param_groups[0]['lr']}")

        weights = torch.load(os.path.join(tmp, "weights.pt"), weights_only=True)
        for name, tensor in model.state_dict().items():
            assert torch.equal(weights[name], tensor), name

    train_epochs(model, optimizer, scheduler, x, y, epochs, losses)
    model.eval()
    with torch.no_grad():
        final = nn.functional.mse_loss(model(x), y)
    print(f"final training loss {final.item():.4f}")
    return losses


if __name__ == "__main__":
    main()
