"""Matrix factorisation for ratings (a small recommender): a custom Dataset returning
(user, item, rating) tensors, nn.Embedding factors and biases, a torch.einsum dot product,
Adagrad, torch.stack/torch.cat, and RMSE evaluation under torch.no_grad()."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class RatingsDataset(Dataset):
    def __init__(self, users, items, ratings):
        self.users = users
        self.items = items
        self.ratings = ratings

    def __len__(self):
        return len(self.ratings)

    def __getitem__(self, idx):
        return (torch.tensor(self.users[idx], dtype=torch.long),
                torch.tensor(self.items[idx], dtype=torch.long),
                torch.tensor(self.ratings[idx], dtype=torch.float32))


class MatrixFactorization(nn.Module):
    def __init__(self, n_users, n_items, n_factors=8):
        super().__init__()
        self.user_factors = nn.Embedding(n_users, n_factors)
        self.item_factors = nn.Embedding(n_items, n_factors)
        self.user_bias = nn.Embedding(n_users, 1)
        self.item_bias = nn.Embedding(n_items, 1)
        self.user_factors.weight.data.uniform_(-0.1, 0.1)
        self.item_factors.weight.data.uniform_(-0.1, 0.1)
        self.user_bias.weight.data.zero_()
        self.item_bias.weight.data.zero_()

    def forward(self, user, item):
        u = self.user_factors(user)
        v = self.item_factors(item)
        dot = torch.einsum("bf,bf->b", u, v)
        return dot + self.user_bias(user).squeeze(1) + self.item_bias(item).squeeze(1)


N_USERS, N_ITEMS = 60, 40


def make_ratings(rng):
    true_u = rng.standard_normal((N_USERS, 3))
    true_v = rng.standard_normal((N_ITEMS, 3))
    users = rng.integers(0, N_USERS, size=1500)
    items = rng.integers(0, N_ITEMS, size=1500)
    ratings = 3.0 + (true_u[users] * true_v[items]).sum(1) + 0.1 * rng.standard_normal(1500)
    return users, items, ratings.astype(np.float32)


def build_model():
    return MatrixFactorization(N_USERS, N_ITEMS)


def main(init=None, epochs=6):
    torch.manual_seed(3)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    users, items, ratings = make_ratings(np.random.default_rng(5))
    train_ds = RatingsDataset(users[:1200], items[:1200], ratings[:1200])
    test_ds = RatingsDataset(users[1200:], items[1200:], ratings[1200:])
    train_loader = DataLoader(train_ds, batch_size=100)
    test_loader = DataLoader(test_ds, batch_size=100)

    model = build_model().to(device)
    if init is not None:
        model.load_state_dict(init)
    optimizer = torch.optim.Adagrad(model.parameters(), lr=0.3)
    loss_fn = nn.MSELoss()

    losses = []
    for epoch in range(epochs):
        model.train()
        batch_losses = []
        for user, item, rating in train_loader:
            user, item, rating = user.to(device), item.to(device), rating.to(device)
            pred = model(user, item)
            loss = loss_fn(pred, rating)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.detach())
        losses.append(torch.stack(batch_losses).mean().item())

        model.eval()
        with torch.no_grad():
            preds, truth = [], []
            for user, item, rating in test_loader:
                preds.append(model(user.to(device), item.to(device)))
                truth.append(rating.to(device))
            rmse = torch.sqrt(((torch.cat(preds) - torch.cat(truth)) ** 2).mean())
        print(f"epoch {epoch}: train mse {losses[-1]:.4f}, test rmse {rmse.item():.4f}")
    return losses


if __name__ == "__main__":
    main()
