"""A bidirectional GRU sentence classifier on movie reviews (rt-polarity): a map-style Dataset,
a collate_fn with pad_sequence, random_split with a seeded Generator, pack_padded_sequence
(enforce_sorted=False), torch.cat of the last hidden states, BCEWithLogitsLoss, Adam with
CosineAnnealingLR, and accuracy from torch.sigmoid(logits) > 0.5."""
from collections import Counter
from pathlib import Path

import torch
from torch import nn, optim
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence
from torch.utils.data import DataLoader, Dataset, random_split

DATA = Path(__file__).resolve().parents[3] / "data" / "rt-polarity"


def read_sentences(name, n):
    with open(DATA / name, "rb") as f:
        lines = f.read().split(b"\n")[:n]
    return [line.decode("cp1252").split()[:30] for line in lines]


class ReviewDataset(Dataset):
    def __init__(self, n_per_class=200, min_freq=2):
        pos = read_sentences("rt-polarity.pos", n_per_class)
        neg = read_sentences("rt-polarity.neg", n_per_class)
        self.sentences = [s for pair in zip(pos, neg) for s in pair]
        self.labels = [1.0, 0.0] * n_per_class
        counts = Counter(w for s in self.sentences for w in s)
        self.itos = ["<pad>", "<unk>"] + sorted(w for w, c in counts.items() if c >= min_freq)
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def __len__(self):
        return len(self.sentences)

    def __getitem__(self, idx):
        ids = [self.stoi.get(w, 1) for w in self.sentences[idx]]
        return torch.tensor(ids, dtype=torch.long), torch.tensor(self.labels[idx])


def collate_batch(batch):
    texts, labels = zip(*batch)
    lengths = torch.tensor([len(t) for t in texts])
    padded = pad_sequence(texts, batch_first=True, padding_value=0)
    return padded, lengths, torch.stack(labels)


class GRUClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim=32, hidden_dim=32):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.gru = nn.GRU(embed_dim, hidden_dim, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden_dim, 1)

    def forward(self, text, lengths):
        embedded = self.embedding(text)
        packed = pack_padded_sequence(embedded, lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, hidden = self.gru(packed)
        hidden = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
        return self.fc(hidden).squeeze(1)


def main(epochs=4):
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dataset = ReviewDataset()
    train_set, valid_set = random_split(dataset, [320, 80],
                                        generator=torch.Generator().manual_seed(42))
    train_loader = DataLoader(train_set, batch_size=32, shuffle=True, collate_fn=collate_batch)
    valid_loader = DataLoader(valid_set, batch_size=80, collate_fn=collate_batch)

    model = GRUClassifier(len(dataset.itos)).to(device)
    criterion = nn.BCEWithLogitsLoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

    losses = []
    for epoch in range(epochs):
        model.train()
        epoch_loss = 0.0
        for text, lengths, labels in train_loader:
            text, labels = text.to(device), labels.to(device)
            optimizer.zero_grad()
            logits = model(text, lengths)
            loss = criterion(logits, labels)
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(labels)
        scheduler.step()
        losses.append(epoch_loss / len(train_set))

        model.eval()
        correct = 0
        with torch.no_grad():
            for text, lengths, labels in valid_loader:
                pred = (torch.sigmoid(model(text.to(device), lengths)) > 0.5).float()
                correct += (pred == labels.to(device)).sum().item()
        print(f"epoch {epoch + 1}: train loss {losses[-1]:.4f}, valid acc {correct / len(valid_set):.3f},"
              f" lr {scheduler.get_last_lr()[0]:.5f}")
    return losses


if __name__ == "__main__":
    main()
