"""A Transformer-encoder sequence classifier: sinusoidal positional encoding kept in a buffer,
nn.TransformerEncoder(batch_first=True) with a key padding mask, masked mean pooling, AdamW
with a LambdaLR warm-up, clip_grad_norm_; the task (synthetic, variable-length sequences):
does token 1 occur more often than token 2?"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

VOCAB, PAD, MAX_LEN = 12, 0, 16


def make_data(n, rng):
    lengths = rng.integers(6, MAX_LEN + 1, size=n)
    tokens = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    for i, length in enumerate(lengths):
        tokens[i, :length] = rng.integers(1, VOCAB, size=length)
    ones = (tokens == 1).sum(1)
    twos = (tokens == 2).sum(1)
    labels = (ones > twos).astype(np.int64)
    return torch.from_numpy(tokens), torch.from_numpy(labels)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=64):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(1, max_len, d_model)
        pe[0, :, 0::2] = torch.sin(position * div_term)
        pe[0, :, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        x = x + self.pe[:, :x.size(1)]
        return self.dropout(x)


class TransformerClassifier(nn.Module):
    def __init__(self, vocab, d_model=32, nhead=4, num_layers=2, num_classes=2, dropout=0.1):
        super().__init__()
        self.d_model = d_model
        self.embedding = nn.Embedding(vocab, d_model, padding_idx=PAD)
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64, dropout=dropout,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers)
        self.classifier = nn.Linear(d_model, num_classes)

    def forward(self, src):
        padding_mask = src == PAD                                  # (B, T), True = ignore
        x = self.embedding(src) * math.sqrt(self.d_model)
        x = self.pos_encoder(x)
        x = self.encoder(x, src_key_padding_mask=padding_mask)    # (B, T, d_model)
        keep = (~padding_mask).unsqueeze(-1).type_as(x)
        pooled = (x * keep).sum(dim=1) / keep.sum(dim=1)
        return self.classifier(pooled)


def main(epochs=6, warmup=8):
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rng = np.random.default_rng(0)
    x_train, y_train = make_data(512, rng)
    x_test, y_test = make_data(256, rng)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)

    model = TransformerClassifier(VOCAB).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup))

    losses = []
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for src, target in loader:
            src, target = src.to(device), target.to(device)
            logits = model(src)
            loss = F.cross_entropy(logits, target)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
            total += loss.item() * src.size(0)
            count += src.size(0)
        losses.append(total / count)

        model.eval()
        with torch.no_grad():
            pred = model(x_test.to(device)).argmax(dim=-1)
            acc = (pred == y_test.to(device)).float().mean().item()
        print(f"epoch {epoch}: loss {losses[-1]:.4f}  test accuracy {acc:.3f}")
    return losses


if __name__ == "__main__":
    main()
