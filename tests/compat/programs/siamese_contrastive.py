"""A siamese network on MNIST digit pairs with the contrastive loss (Hadsell et al. 2006) as
popular tutorials write it: a loss nn.Module over F.pairwise_distance and torch.clamp, pairs
drawn with NumPy, a custom Dataset returning (img1, img2, label), F.normalize'd embeddings,
and a cosine-similarity verification accuracy at the end."""
import gzip
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

MNIST = Path(__file__).resolve().parents[3] / "data" / "mnist"


def load_mnist(n):
    with gzip.open(MNIST / "t10k-images-idx3-ubyte.gz") as f:
        f.read(16)
        images = np.frombuffer(f.read(n * 784), np.uint8).reshape(n, 784)
    with gzip.open(MNIST / "t10k-labels-idx1-ubyte.gz") as f:
        f.read(8)
        labels = np.frombuffer(f.read(n), np.uint8).astype(np.int64)
    return images.astype(np.float32) / 255.0, labels


class SiameseMNIST(Dataset):
    """Half the pairs show the same digit (label 0), half different digits (label 1)."""

    def __init__(self, images, labels, n_pairs, seed):
        rng = np.random.default_rng(seed)
        by_digit = [np.flatnonzero(labels == d) for d in range(10)]
        self.images = images
        self.pairs = []
        for k in range(n_pairs):
            a = rng.integers(len(labels))
            if k % 2 == 0:
                b = rng.choice(by_digit[labels[a]])
            else:
                b = rng.choice(np.flatnonzero(labels != labels[a]))
            self.pairs.append((a, b, int(labels[a] != labels[b])))

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        a, b, label = self.pairs[index]
        return (torch.from_numpy(self.images[a]), torch.from_numpy(self.images[b]),
                torch.Tensor([label]))


class SiameseNetwork(nn.Module):
    def __init__(self):
        super(SiameseNetwork, self).__init__()
        self.fc = nn.Sequential(
            nn.Linear(784, 128), nn.ReLU(inplace=True),
            nn.Linear(128, 64), nn.ReLU(inplace=True),
            nn.Linear(64, 16))

    def forward_once(self, x):
        return self.fc(x)

    def forward(self, input1, input2):
        output1 = self.forward_once(input1)
        output2 = self.forward_once(input2)
        return output1, output2


class ContrastiveLoss(torch.nn.Module):
    """Contrastive loss function.
    Based on: http://yann.lecun.com/exdb/publis/pdf/hadsell-chopra-lecun-06.pdf
    """

    def __init__(self, margin=2.0):
        super(ContrastiveLoss, self).__init__()
        self.margin = margin

    def forward(self, output1, output2, label):
        euclidean_distance = F.pairwise_distance(output1, output2, keepdim=True)
        loss_contrastive = torch.mean((1 - label) * torch.pow(euclidean_distance, 2) +
                                      label * torch.pow(torch.clamp(self.margin - euclidean_distance, min=0.0), 2))
        return loss_contrastive


def build_model():
    return SiameseNetwork()


def main(init=None, epochs=4):
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    images, labels = load_mnist(2000)
    train_loader = DataLoader(SiameseMNIST(images[:1500], labels[:1500], 512, seed=0),
                              batch_size=64)
    test_set = SiameseMNIST(images[1500:], labels[1500:], 256, seed=1)

    net = build_model().to(device)
    if init is not None:
        net.load_state_dict(init)
    criterion = ContrastiveLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=5e-4)

    losses = []
    for epoch in range(epochs):
        total = 0.0
        for i, (img0, img1, label) in enumerate(train_loader, 0):
            img0, img1, label = img0.to(device), img1.to(device), label.to(device)
            optimizer.zero_grad()
            output1, output2 = net(img0, img1)
            loss_contrastive = criterion(output1, output2, label)
            loss_contrastive.backward()
            optimizer.step()
            total += loss_contrastive.item()
        losses.append(total / (i + 1))

        net.eval()
        with torch.no_grad():
            a, b, same = zip(*[test_set[k] for k in range(len(test_set))])
            e1, e2 = net(torch.stack(a).to(device), torch.stack(b).to(device))
            e1, e2 = F.normalize(e1, dim=1), F.normalize(e2, dim=1)
            similarity = F.cosine_similarity(e1, e2)
            predicted_different = (similarity < 0.5).float()
            accuracy = (predicted_different == torch.cat(same)).float().mean().item()
        net.train()
        print(f"Epoch {epoch}: contrastive loss {losses[-1]:.4f}, verification accuracy {accuracy:.3f}")
    return losses


if __name__ == "__main__":
    main()
