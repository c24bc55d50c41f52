"""End-to-end training speed against PyTorch: ``python benchmarks/bench_e2e.py``.

Whole training workloads of the examples, each library alone in its own subprocess (see
benchmarks/_harness.py for the method and the flags: --only, --repeats, --threads,
--json PATH, --tune, --quick). float32; ratios are nnlite / torch (lower is better).

1. mnist_epoch: one epoch of the main example's recipe (examples/train_lenet5.py): the
   60,000 shipped MNIST training digits, ToTensor + Normalize(0.1307, 0.3081), shuffled
   batches of 64, LeNet-5 (ReLU, max-pool), cross-entropy, SGD(lr 0.05, momentum 0.9,
   weight decay 5e-4). nnlite reads the data with ``datasets.MNIST`` and ``DataLoader``
   as the example does; torch, as a torch user would, from the same files normalised
   once into a ``TensorDataset`` behind torch's ``DataLoader``. The first epoch in a
   fresh process (no warm-up), the data already in memory. Target <= 1.0 (issue 16).
2. resnet20: training steps of ResNet-20 (He et al. 2016, option-A shortcuts) at the
   example's batch 128 on (128, 3, 32, 32), SGD(0.1, momentum 0.9, weight decay 1e-4):
   images/s.
3. char_lstm: training steps of the char-LSTM example's model (embedding 65 -> 64, a
   2 x 256 LSTM, linear to 65) on batches of 64 x 100 characters, cross-entropy, gradient
   norm clipped to 5, Adam(2e-3): tokens/s.
4. transformer: training steps of the Multi30k configuration of the Transformer example
   (d_model 256, 8 heads, 3 + 3 layers, d_ff 512, dropout 0.1; 6,000 / 8,000-word
   vocabularies) on batches of 128 pairs of 24-token sentences, label-smoothed (0.1)
   cross-entropy ignoring padding, clipping at 1, Adam(5e-4, betas 0.9/0.98): target
   tokens/s.
"""
from __future__ import annotations

import gzip
import math
import os
import sys
from typing import Callable

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from benchmarks._harness import Case, is_torch, main, train_step  # noqa: E402
from benchmarks.bench_vision import lenet5  # noqa: E402

MEAN, STD = 0.1307, 0.3081


# ============================================================================
# 1. One MNIST epoch
# ============================================================================
def read_idx(path: str) -> np.ndarray:
    """An IDX file (gzip) as a uint8 array: images (N, 28, 28) or labels (N,)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = np.frombuffer(raw[4:4 + 4 * ndim], ">u4").astype(int)
    return np.frombuffer(raw[4 + 4 * ndim:], np.uint8).reshape(shape)


def mnist_epoch(lib):
    lib.manual_seed(0)
    if is_torch(lib):
        from torch.utils.data import DataLoader, TensorDataset
        mnist = os.path.join(ROOT, "data", "mnist")
        images = read_idx(os.path.join(mnist, "train-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(mnist, "train-labels-idx1-ubyte.gz"))
        x = (images[:, None].astype(np.float32) / 255 - MEAN) / STD    # (60000, 1, 28, 28)
        data = TensorDataset(lib.from_numpy(x), lib.from_numpy(labels.astype(np.int64)))
    else:
        from nnlite.data import DataLoader
        from nnlite.data import transforms as T
        from nnlite.data.datasets import MNIST
        data = MNIST(train=True, transform=T.Compose([T.ToTensor(),
                                                      T.Normalize((MEAN,), (STD,))]))
    loader = DataLoader(data, batch_size=64, shuffle=True)
    model = lenet5(lib)
    opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    cross_entropy = lib.nn.functional.cross_entropy

    def epoch() -> None:
        for x, y in loader:
            opt.zero_grad()
            cross_entropy(model(x), y).backward()
            opt.step()
    return epoch


# ============================================================================
# 2-4. Training steps of the other examples' models
# ============================================================================
def token_cross_entropy(lib, **kw) -> Callable:
    """Cross-entropy of a model's (.., V) logits (the first output when it returns a
    tuple) against flat targets."""
    def loss(out, y):
        logits = out[0] if isinstance(out, tuple) else out
        return lib.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y, **kw)
    return loss


def seeded_model(lib, torch_model, nnlite_model):
    """The workload's model after ``lib.manual_seed(0)``: ``torch_model(torch)`` in torch,
    ``nnlite_model(nnlite.models)`` in nnlite."""
    lib.manual_seed(0)
    if is_torch(lib):
        return torch_model(lib)
    import nnlite.models
    return nnlite_model(nnlite.models)


def torch_resnet20(torch):
    """ResNet-20 with option-A shortcuts, in torch (the layers of CifarResNet(3))."""
    from tests.models._torch_reference import BasicBlock
    nn = torch.nn

    class ShortcutA(nn.Module):
        def __init__(self, extra: int, stride: int) -> None:
            super().__init__()
            self.extra, self.stride = extra, stride

        def forward(self, x):
            x = x[:, :, ::self.stride, ::self.stride]
            return nn.functional.pad(x, (0, 0, 0, 0, self.extra // 2,
                                         self.extra - self.extra // 2))

    layers, inplanes = [], 16
    for planes, stride in ((16, 1), (32, 2), (64, 2)):
        down = ShortcutA(planes - inplanes, stride) if stride != 1 else None
        layers += [BasicBlock(inplanes, planes, stride, down),
                   BasicBlock(planes, planes), BasicBlock(planes, planes)]
        inplanes = planes
    return nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                         *layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def resnet20(lib):
    rng = np.random.default_rng(0)
    model = seeded_model(lib, torch_resnet20, lambda models: models.resnet20())
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    x = rng.standard_normal((128, 3, 32, 32), dtype=np.float32)
    return train_step(lib, model, opt, x, rng.integers(0, 10, 128),
                      lib.nn.functional.cross_entropy)


CHARS, CHAR_BATCH, CHAR_LEN = 65, 64, 100


def torch_char_rnn(torch):
    """CharRNN's layers in torch: embedding, a 2 x 256 LSTM (batch_first), linear."""
    nn = torch.nn

    class CharRNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = nn.Embedding(CHARS, 64)
            self.lstm = nn.LSTM(64, 256, 2, batch_first=True)
            self.head = nn.Linear(256, CHARS)

        def forward(self, ids):
            return self.head(self.lstm(self.embedding(ids))[0]), None
    return CharRNN()


def char_lstm(lib):
    rng = np.random.default_rng(0)
    model = seeded_model(lib, torch_char_rnn, lambda models: models.CharRNN(CHARS, 64, 256, 2))
    opt = lib.optim.Adam(model.parameters(), lr=2e-3)
    ids = rng.integers(0, CHARS, (CHAR_BATCH, CHAR_LEN + 1))
    return train_step(lib, model, opt, ids[:, :-1], ids[:, 1:].reshape(-1),
                      token_cross_entropy(lib), clip=5.0)


SRC_VOCAB, TGT_VOCAB, PAIRS, TOKENS = 6000, 8000, 128, 24
D_MODEL, HEADS, LAYERS, D_FF = 256, 8, 3, 512


def torch_transformer(torch):
    """TransformerSeq2Seq's layers in torch: scaled embeddings + sinusoids, nn.Transformer
    (batch_first, post-norm), a linear output layer, with the same masks."""
    nn = torch.nn
    pos = np.arange(512)[:, None] / 10000 ** (np.arange(0, D_MODEL, 2) / D_MODEL)
    pe = np.zeros((512, D_MODEL), np.float32)
    pe[:, 0::2], pe[:, 1::2] = np.sin(pos), np.cos(pos)

    class Seq2Seq(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.src_embed = nn.Embedding(SRC_VOCAB, D_MODEL, padding_idx=0)
            self.tgt_embed = nn.Embedding(TGT_VOCAB, D_MODEL, padding_idx=0)
            self.register_buffer("pe", torch.from_numpy(pe))
            self.drop = nn.Dropout(0.1)
            self.transformer = nn.Transformer(D_MODEL, HEADS, LAYERS, LAYERS, D_FF, 0.1,
                                              batch_first=True)
            self.out = nn.Linear(D_MODEL, TGT_VOCAB)

        def embed(self, table, ids):
            return self.drop(table(ids) * math.sqrt(D_MODEL) + self.pe[:ids.shape[1]])

        def forward(self, src, tgt):
            src_pad, tgt_pad = src == 0, tgt == 0
            mask = nn.Transformer.generate_square_subsequent_mask(tgt.shape[1])
            h = self.transformer(self.embed(self.src_embed, src), self.embed(self.tgt_embed, tgt),
                                 tgt_mask=mask, tgt_is_causal=True,
                                 src_key_padding_mask=src_pad, tgt_key_padding_mask=tgt_pad,
                                 memory_key_padding_mask=src_pad)
            return self.out(h)
    return Seq2Seq()


def transformer(lib):
    rng = np.random.default_rng(0)
    model = seeded_model(lib, torch_transformer, lambda models: models.TransformerSeq2Seq(
        SRC_VOCAB, TGT_VOCAB, D_MODEL, HEADS, LAYERS, LAYERS, D_FF, dropout=0.1))
    opt = lib.optim.Adam(model.parameters(), lr=5e-4, betas=(0.9, 0.98), eps=1e-9)
    src = rng.integers(3, SRC_VOCAB, (PAIRS, TOKENS))
    tgt = rng.integers(3, TGT_VOCAB, (PAIRS, TOKENS + 1))
    return train_step(lib, model, opt, (src, tgt[:, :-1]), tgt[:, 1:].reshape(-1),
                      token_cross_entropy(lib, ignore_index=0, label_smoothing=0.1),
                      clip=1.0)


CASES = [
    Case("mnist_epoch", "one MNIST epoch, LeNet-5, batch 64 (main example)", mnist_epoch,
         items=60_000, unit="img", target=1.0, steps=1, warmup=0),
    Case("resnet20", "ResNet-20 training step, batch 128, 32x32", resnet20,
         items=128, unit="img", steps=8, warmup=2),
    Case("char_lstm", "char-LSTM 2x256 training step, 64 x 100 chars", char_lstm,
         items=CHAR_BATCH * CHAR_LEN, unit="tok", steps=10, warmup=2),
    Case("transformer", "Transformer 3+3 d256 training step, 128 x 24 tokens", transformer,
         items=PAIRS * TOKENS, unit="tok", steps=8, warmup=2),
]

if __name__ == "__main__":
    main(CASES, __doc__)
