"""An nn.Sequential classifier on synthetic blobs trained with the old .data/.grad idioms:
p.data.add_(p.grad, alpha=-lr), p.grad.zero_(), torch.max(out.data, 1), accuracy with
(predicted == labels).sum().item(), and the parameter count with p.numel()."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def make_blobs(n, centers, rng):
    labels = rng.integers(0, len(centers), size=n)
    points = centers[labels] + 0.8 * rng.standard_normal((n, centers.shape[1]))
    return points.astype(np.float32), labels.astype(np.int64)


def build_model():
    model = nn.Sequential(
        nn.Linear(2, 32),
        nn.Tanh(),
        nn.Linear(32, 32),
        nn.ReLU(),
        nn.Linear(32, 4),
    )
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def main(init=None, epochs=8, batch_size=50):
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    centers = np.array([[2, 2], [-2, 2], [-2, -2], [2, -2]], dtype=np.float64)
    x_np, y_np = make_blobs(400, centers, rng)
    inputs = torch.from_numpy(x_np).to(device)
    targets = torch.from_numpy(y_np).to(device)

    model = build_model().to(device)
    if init is not None:
        model.load_state_dict(init)
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"{n_params} trainable parameters")

    lr = 0.1
    losses = []
    for epoch in range(epochs):
        running = 0.0
        for i in range(0, len(inputs), batch_size):
            xb, yb = inputs[i:i + batch_size], targets[i:i + batch_size]
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            loss.backward()
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
                p.grad.zero_()
            running += loss.item() * xb.size(0)
        losses.append(running / len(inputs))

        correct = 0
        total = 0
        with torch.no_grad():
            out = model(inputs)
            _, predicted = torch.max(out.data, 1)
            total += targets.size(0)
            correct += (predicted == targets).sum().item()
        weight_norm = torch.stack([p.data.norm() for p in model.parameters()]).norm()
        print(f"epoch {epoch}: loss {losses[-1]:.4f} accuracy {100 * correct / total:.1f}%"
              f" weights {weight_norm.item():.3f}")
    return losses


if __name__ == "__main__":
    main()
