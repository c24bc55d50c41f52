"""A CNN on MNIST in the style of pytorch/examples mnist/main.py: Dataset/DataLoader with
shuffling, dropout, F.log_softmax + F.nll_loss, SGD with momentum and StepLR, train()/eval(),
test accuracy with argmax/eq/view_as and top-k, and torch.save / load_state_dict(torch.load)."""
import gzip
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

MNIST = Path(__file__).resolve().parents[3] / "data" / "mnist"


def load_mnist(n, split="t10k"):
    with gzip.open(MNIST / f"{split}-images-idx3-ubyte.gz") as f:
        f.read(16)
        images = np.frombuffer(f.read(n * 28 * 28), np.uint8).reshape(n, 1, 28, 28)
    with gzip.open(MNIST / f"{split}-labels-idx1-ubyte.gz") as f:
        f.read(8)
        labels = np.frombuffer(f.read(n), np.uint8)
    images = (images.astype(np.float32) / 255.0 - 0.1307) / 0.3081   # Normalize((0.1307,), (0.3081,))
    return torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(16 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(model, device, train_loader, optimizer, epoch, losses, log_interval=4):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if batch_idx % log_interval == 0:
            print("Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def accuracy(output, target, topk=(1,)):
    """Computes the accuracy over the k top predictions (pytorch/examples imagenet)."""
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    top5 = 0.0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()
            top5 += accuracy(output, target, topk=(5,))[0].item() * len(data) / 100.0
    test_loss /= len(test_loader.dataset)
    print("Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%), top-5 {:.0f}%".format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset), 100. * top5 / len(test_loader.dataset)))
    return test_loss, correct


def main(epochs=2):
    torch.manual_seed(1)
    use_cuda = torch.cuda.is_available()
    device = torch.device("cuda" if use_cuda else "cpu")
    train_kwargs = {"batch_size": 64}
    test_kwargs = {"batch_size": 256}
    if use_cuda:
        cuda_kwargs = {"num_workers": 1, "pin_memory": True, "shuffle": True}
        train_kwargs.update(cuda_kwargs)
        test_kwargs.update(cuda_kwargs)

    images, labels = load_mnist(1024 + 512)
    dataset1 = TensorDataset(images[:1024], labels[:1024])
    dataset2 = TensorDataset(images[1024:], labels[1024:])
    train_loader = DataLoader(dataset1, shuffle=True, **train_kwargs)
    test_loader = DataLoader(dataset2, **test_kwargs)

    model = Net().to(device)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
    losses = []
    for epoch in range(1, epochs + 1):
        train(model, device, train_loader, optimizer, epoch, losses)
        test(model, device, test_loader)
        scheduler.step()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "mnist_cnn.pt")
        torch.save(model.state_dict(), path)
        restored = Net().to(device)
        restored.load_state_dict(torch.load(path, map_location=device, weights_only=True))
    assert test(restored, device, test_loader) == test(model, device, test_loader)
    return losses


if __name__ == "__main__":
    main()
