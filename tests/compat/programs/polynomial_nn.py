"""Fit sin(x) with a third-order polynomial: nn.Sequential, MSELoss(reduction="sum") and a
hand-written SGD step on the parameters under torch.no_grad(), as in the tutorial
"Learning PyTorch with Examples" (PyTorch: nn)."""
import math

import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def build_model():
    # y = a + b x + c x^2 + d x^3 is a linear layer on (x, x^2, x^3)
    return nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))


def main(init=None, steps=200):
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000, device=device)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3], device=device)
    xx = x.unsqueeze(-1).pow(p)

    model = build_model().to(device)
    if init is not None:
        model.load_state_dict(init)
    loss_fn = nn.MSELoss(reduction="sum")

    learning_rate = 1e-6
    losses = []
    for t in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 50 == 49:
            print(t, f"{loss.item():.4f}")
        losses.append(loss.item())

        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad

    linear_layer = model[0]
    print(f"Result: y = {linear_layer.bias.item():.4f} + {linear_layer.weight[:, 0].item():.4f} x"
          f" + {linear_layer.weight[:, 1].item():.4f} x^2 + {linear_layer.weight[:, 2].item():.4f} x^3")
    return losses


if __name__ == "__main__":
    main()
