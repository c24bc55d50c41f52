"""Per-layer ONNX export: each layer the model zoo uses, exported at batch 2 with a
dynamic batch axis, run in ONNX Runtime at batch 2 and 3 and compared with nnlite."""
from __future__ import annotations

import pytest

from ._helpers import export_and_compare, randomize

import nnlite as nl  # noqa: E402
from nnlite import nn  # noqa: E402
import nnlite.nn.functional as F  # noqa: E402

BATCH = {"in0": {0: "batch"}}
BATCH_LENGTH_2 = {"in0": {0: "b", 1: "t"}, "in1": {0: "b", 1: "t"}}   # (x, padding mask)


class Lambda(nn.Module):
    """A module calling ``fn`` (for functional forms)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


def img(c=3, h=12, w=12):
    return lambda n: (nl.randn(n, c, h, w),)


def vol(c=2, d=5, h=6, w=4):
    return lambda n: (nl.randn(n, c, d, h, w),)


def seq(t=5, e=8, batch_first=True):
    return lambda n: (nl.randn(n, t, e) if batch_first else nl.randn(t, n, e),)


def ids(v=20, t=6):
    return lambda n: (nl.randint(0, v, (n, t)),)


def padding(n, t):
    """A key padding mask (True = padding): row i pads its last i positions, row 0 none,
    and the last row everything (a row masked everywhere gives zero weights)."""
    lengths = [t - i for i in range(n - 1)] + [0]
    return nl.tensor([[j >= L for j in range(t)] for L in lengths])


class Masked(nn.Module):
    """layer(x, x, x, <key>=mask) for attention, layer(x, <key>=mask) otherwise."""

    def __init__(self, layer, key="key_padding_mask"):
        super().__init__()
        self.layer, self.key = layer, key

    def forward(self, x, mask):
        if isinstance(self.layer, nn.MultiheadAttention):
            return self.layer(x, x, x, **{self.key: mask})
        return self.layer(x, **{self.key: mask})


class SelfAttention(nn.Module):
    """Self-attention with the weights returned too."""

    def __init__(self, mha):
        super().__init__()
        self.mha = mha

    def forward(self, x):
        return self.mha(x, x, x)


class Cross(nn.Module):
    """A two-input layer called as layer(x, memory)."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x, m):
        out = self.layer(x, m, m) if isinstance(self.layer, nn.MultiheadAttention) \
            else self.layer(x, m)
        return out


class Causal(nn.Module):
    """An encoder under the causal mask of its (fixed) sequence length."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, x):
        T = x.shape[1]
        return self.encoder(x, mask=nn.Transformer.generate_square_subsequent_mask(T),
                            is_causal=True)


# (id, module factory, inputs at batch n, dynamic axes)
CASES = [
    ("conv2d", lambda: nn.Conv2d(3, 4, 3), img(), BATCH),
    ("conv2d-stride-pad", lambda: nn.Conv2d(3, 4, 5, stride=2, padding=2), img(), BATCH),
    ("conv2d-groups-dilation", lambda: nn.Conv2d(3, 6, 3, padding=(1, 2), dilation=2,
                                                 groups=3), img(), BATCH),
    ("conv2d-no-bias", lambda: nn.Conv2d(3, 4, 1, bias=False), img(), BATCH),
    ("conv1d", lambda: nn.Conv1d(8, 4, 3, padding=1), lambda n: (nl.randn(n, 8, 10),), BATCH),
    ("conv-transpose2d", lambda: nn.ConvTranspose2d(3, 4, 4, stride=2, padding=1,
                                                    output_padding=1), img(), BATCH),
    ("conv3d", lambda: nn.Conv3d(2, 3, 3, padding=1, stride=(1, 2, 1)), vol(), BATCH),
    ("conv-transpose1d", lambda: nn.ConvTranspose1d(4, 2, 3, stride=2),
     lambda n: (nl.randn(n, 4, 7),), BATCH),
    ("conv-transpose3d", lambda: nn.ConvTranspose3d(2, 3, 2, stride=2), vol(), BATCH),
    ("maxpool2d", lambda: nn.MaxPool2d(3, 2), img(), BATCH),
    ("maxpool2d-unbatched", lambda: nn.MaxPool2d(2), lambda n: (nl.randn(3, 4 * n, 6),),
     {"in0": {1: "h"}}),
    ("maxpool3d-ceil", lambda: nn.MaxPool3d(2, ceil_mode=True), vol(), BATCH),
    ("avgpool3d", lambda: nn.AvgPool3d(2, padding=1), vol(), BATCH),
    ("avgpool1d", lambda: nn.AvgPool1d(3, 2), lambda n: (nl.randn(n, 4, 9),), BATCH),
    ("adaptive-avg1d", lambda: nn.AdaptiveAvgPool1d(4), lambda n: (nl.randn(n, 4, 9),), BATCH),
    ("adaptive-avg3d", lambda: nn.AdaptiveAvgPool3d((2, 3, 1)), vol(), BATCH),
    ("adaptive-max3d", lambda: nn.AdaptiveMaxPool3d((2, 3, 2)), vol(), BATCH),
    ("maxpool2d-pad", lambda: nn.MaxPool2d(3, 2, padding=1), img(), BATCH),
    ("maxpool2d-ceil", lambda: nn.MaxPool2d(3, 2, ceil_mode=True), img(h=10, w=11), BATCH),
    ("maxpool1d", lambda: nn.MaxPool1d(2), lambda n: (nl.randn(n, 4, 9),), BATCH),
    ("avgpool2d", lambda: nn.AvgPool2d(2), img(), BATCH),
    ("avgpool2d-pad-exclude", lambda: nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
     img(), BATCH),
    ("avgpool2d-ceil", lambda: nn.AvgPool2d(3, 2, ceil_mode=True), img(h=10, w=10), BATCH),
    ("adaptive-avg-global", lambda: nn.AdaptiveAvgPool2d(1), img(), BATCH),
    ("adaptive-avg-2x3", lambda: nn.AdaptiveAvgPool2d((2, 3)), img(), BATCH),
    ("adaptive-avg-uneven", lambda: nn.AdaptiveAvgPool2d((5, 7)), img(h=12, w=9), BATCH),
    ("adaptive-max-uneven", lambda: nn.AdaptiveMaxPool2d((5, 4)), img(h=12, w=9), BATCH),
    ("adaptive-max-even", lambda: nn.AdaptiveMaxPool2d(3), img(), BATCH),
    ("lrn-odd", lambda: nn.LocalResponseNorm(5, 1e-2, 0.75, 2.0), img(c=8), BATCH),
    ("lrn-even", lambda: nn.LocalResponseNorm(4, 1e-2, 0.75, 1.0), img(c=8), BATCH),
    ("batchnorm2d", lambda: nn.BatchNorm2d(3), img(), BATCH),
    ("batchnorm1d", lambda: nn.BatchNorm1d(6), lambda n: (nl.randn(n, 6),), BATCH),
    ("batchnorm-no-affine", lambda: nn.BatchNorm2d(3, affine=False), img(), BATCH),
    ("dropout-eval", lambda: nn.Sequential(nn.Dropout(0.5), nn.Linear(6, 3)),
     lambda n: (nl.randn(n, 6),), BATCH),
    ("linear", lambda: nn.Linear(6, 3), lambda n: (nl.randn(n, 6),), BATCH),
    ("linear-3d", lambda: nn.Linear(8, 3, bias=False), seq(), {"in0": {0: "b", 1: "t"}}),
    ("flatten", lambda: nn.Flatten(), img(c=2, h=3, w=4), BATCH),
    ("relu", nn.ReLU, img(), BATCH),
    ("relu-inplace", lambda: nn.Sequential(nn.Conv2d(3, 3, 1), nn.ReLU(inplace=True)),
     img(), BATCH),
    ("tanh", nn.Tanh, img(), BATCH),
    ("sigmoid", nn.Sigmoid, img(), BATCH),
    ("gelu", nn.GELU, img(), BATCH),
    ("gelu-tanh", lambda: nn.GELU(approximate="tanh"), img(), BATCH),
    ("elu", lambda: nn.ELU(0.7), img(), BATCH),
    ("leaky-relu", lambda: nn.LeakyReLU(0.1), img(), BATCH),
    ("softplus", lambda: nn.Softplus(beta=2.0, threshold=1.0), img(), BATCH),
    ("silu", nn.SiLU, img(), BATCH),
    ("hardtanh", nn.Hardtanh, img(), BATCH),
    ("prelu", lambda: nn.PReLU(3), img(), BATCH),
    ("softmax", lambda: nn.Softmax(dim=1), img(), BATCH),
    ("log-softmax", lambda: nn.LogSoftmax(dim=-1), img(), BATCH),
    ("embedding", lambda: nn.Embedding(20, 5), ids(), BATCH),
    ("embedding-padding", lambda: nn.Embedding(20, 5, padding_idx=0), ids(), BATCH),
    ("embedding-bag-mean", lambda: nn.EmbeddingBag(20, 5, padding_idx=0), ids(v=4),
     {"in0": {0: "b", 1: "t"}}),
    ("embedding-bag-sum", lambda: nn.EmbeddingBag(20, 5, mode="sum"), ids(), BATCH),
    ("embedding-bag-max", lambda: nn.EmbeddingBag(20, 5, mode="max", padding_idx=1), ids(v=3),
     BATCH),
    ("lstm", lambda: nn.LSTM(4, 5), lambda n: (nl.randn(6, n, 4),), {"in0": {0: "t", 1: "b"}}),
    ("lstm-2layer-bi-batch-first", lambda: nn.LSTM(4, 5, num_layers=2, bidirectional=True,
                                                   batch_first=True),
     lambda n: (nl.randn(n, 6, 4),), {"in0": {0: "b", 1: "t"}}),
    ("lstm-with-state", lambda: nn.LSTM(4, 5, num_layers=2),
     lambda n: (nl.randn(6, n, 4), (nl.randn(2, n, 5), nl.randn(2, n, 5))),
     {"in0": {1: "b"}, "in1": {1: "b"}, "in2": {1: "b"}}),
    ("gru", lambda: nn.GRU(4, 5, num_layers=2, bidirectional=True),
     lambda n: (nl.randn(6, n, 4),), {"in0": {0: "t", 1: "b"}}),
    ("rnn-relu", lambda: nn.RNN(4, 5, nonlinearity="relu", batch_first=True),
     lambda n: (nl.randn(n, 6, 4),), BATCH),
    ("multihead-attention", lambda: SelfAttention(nn.MultiheadAttention(8, 2)),
     seq(batch_first=False), {"in0": {0: "t", 1: "b"}}),
    ("multihead-attention-cross", lambda: Cross(nn.MultiheadAttention(8, 2, batch_first=True)),
     lambda n: (nl.randn(n, 5, 8), nl.randn(n, 7, 8)), {"in0": {0: "b"}, "in1": {0: "b"}}),
    ("sdpa-causal", lambda: Lambda(lambda q: F.scaled_dot_product_attention(q, q, q,
                                                                         is_causal=True)),
     lambda n: (nl.randn(n, 2, 5, 4),), BATCH),
    ("layernorm", lambda: nn.LayerNorm(8), seq(), {"in0": {0: "b", 1: "t"}}),
    ("layernorm-2d-no-affine", lambda: nn.LayerNorm((5, 8), elementwise_affine=False), seq(),
     BATCH),
    ("groupnorm", lambda: nn.GroupNorm(3, 6), img(c=6), BATCH),
    ("transformer-encoder-layer", lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1),
     seq(batch_first=False), {"in0": {0: "t", 1: "b"}}),
    ("transformer-encoder-layer-pre-norm-gelu",
     lambda: nn.TransformerEncoderLayer(8, 2, 16, activation="gelu", batch_first=True,
                                        norm_first=True), seq(), {"in0": {0: "b", 1: "t"}}),
    ("transformer-encoder-causal", lambda: Causal(nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2, norm=nn.LayerNorm(8))),
     seq(), BATCH),
    ("transformer-decoder-layer", lambda: Cross(nn.TransformerDecoderLayer(8, 2, 16,
                                                                           batch_first=True)),
     lambda n: (nl.randn(n, 5, 8), nl.randn(n, 7, 8)), {"in0": {0: "b"}, "in1": {0: "b"}}),
    ("multihead-attention-padding-mask-input",
     lambda: Masked(nn.MultiheadAttention(8, 2, batch_first=True)),
     lambda n: (nl.randn(n, 6, 8), padding(n, 6)), BATCH_LENGTH_2),
    ("multihead-attention-float-3d-mask-input",       # mask (N*H, L, S), the length free
     lambda: Masked(nn.MultiheadAttention(8, 2), key="attn_mask"),
     lambda n: (nl.randn(n + 3, 2, 8), nl.randn(4, n + 3, n + 3)),
     {"in0": {0: "t"}, "in1": {1: "t", 2: "t"}}),
    ("transformer-encoder-padding-mask-input", lambda: Masked(nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2),
        key="src_key_padding_mask"),
     lambda n: (nl.randn(n, 6, 8), padding(n, 6)), BATCH_LENGTH_2),
]


@pytest.mark.parametrize("make, inputs, axes", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_layer(make, inputs, axes):
    model = randomize(make())
    export_and_compare(model, inputs(2), runs=[inputs(3)], dynamic_axes=axes)


class TensorOps(nn.Module):
    """The elementwise, reduction, shape and indexing ops layers are built from."""

    def __init__(self):
        super().__init__()
        self.lo = nn.Parameter(nl.tensor([-0.5, -0.2, 0.0]))

    def forward(self, x):
        a = x.clamp(-0.3, 0.4) + x.clamp(min=self.lo) + x.clamp(max=0.1)
        b = x.abs().sqrt() + x.exp().log1p() + x.tanh() + x.sigmoid() + x.sin() * x.cos()
        c = (x.sum(1, keepdim=True) + x.mean() + x.amax(1, keepdim=True)
             + x.std(1, keepdim=True) + x.var() + x.logsumexp(1, keepdim=True))
        d = x.max(dim=1).values.unsqueeze(1) + x.softmax(-1) + x.log_softmax(-1)
        e = x.reshape(x.shape[0], 3, 1).permute(0, 2, 1).squeeze(1) + x.flip(1) + x.roll(1, 1)
        f = nl.cat([x, x], 1)[:, ::2] + nl.stack([x, x], 0).sum(0) + x[:, [2, 0, 1]]
        g = x[:, None, :].expand(x.shape[0], 2, 3).sum(1) + x[..., -1:] + x[:, 1].unsqueeze(1)
        h = x ** 2 + x.pow(nl.tensor(3.0)) + x % 0.7 + x / 3 - x * 2 + nl.maximum(x, self.lo)
        return a + b + c + d + e + f + g + h


def test_tensor_ops():
    def inputs(n):
        return (nl.randn(n, 3).abs() + 0.1,)
    export_and_compare(TensorOps(), inputs(2), runs=[inputs(5)], dynamic_axes=BATCH)
