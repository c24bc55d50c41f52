"""The variational autoencoder of pytorch/examples vae/main.py on MNIST: the
reparameterisation trick with torch.randn_like, F.binary_cross_entropy(reduction="sum") plus
the KL term, Adam, a test pass under torch.no_grad() with torch.cat of originals and
reconstructions, and sampling from the prior."""
import gzip
from pathlib import Path

import numpy as np
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F

MNIST = Path(__file__).resolve().parents[3] / "data" / "mnist"


def load_mnist_images(n):
    with gzip.open(MNIST / "t10k-images-idx3-ubyte.gz") as f:
        f.read(16)
        images = np.frombuffer(f.read(n * 28 * 28), np.uint8).reshape(n, 1, 28, 28)
    return torch.from_numpy(images.astype(np.float32) / 255.0)    # transforms.ToTensor()


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(784, 200)
        self.fc21 = nn.Linear(200, 20)
        self.fc22 = nn.Linear(200, 20)
        self.fc3 = nn.Linear(20, 200)
        self.fc4 = nn.Linear(200, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    # see Appendix B from VAE paper: Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def main(epochs=3, batch_size=64):
    torch.manual_seed(1)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    images = load_mnist_images(1024 + 256)
    train_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(images[:1024]), batch_size=batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(images[1024:]), batch_size=batch_size, shuffle=False)

    model = VAE().to(device)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)

    losses = []
    for epoch in range(1, epochs + 1):
        model.train()
        train_loss = 0
        for batch_idx, (data,) in enumerate(train_loader):
            data = data.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            losses.append(loss.item() / len(data))
        print("====> Epoch: {} Average loss: {:.4f}".format(
            epoch, train_loss / len(train_loader.dataset)))

        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data,) in enumerate(test_loader):
                data = data.to(device)
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
                if i == 0:
                    n = min(data.size(0), 8)
                    comparison = torch.cat([data[:n],
                                            recon_batch.view(batch_size, 1, 28, 28)[:n]])
                    assert comparison.shape == (2 * n, 1, 28, 28)
        test_loss /= len(test_loader.dataset)
        print("====> Test set loss: {:.4f}".format(test_loss))

        with torch.no_grad():
            sample = torch.randn(64, 20).to(device)
            sample = model.decode(sample).cpu()
            assert sample.view(64, 1, 28, 28).shape == (64, 1, 28, 28)
    return losses


if __name__ == "__main__":
    main()
