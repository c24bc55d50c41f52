"""Sequence-model speed against PyTorch: ``python benchmarks/bench_sequence.py``.

Each library is timed alone, in its own subprocess (see benchmarks/_harness.py for the
method). float32, forward + backward; ratios are nnlite / torch (lower is better), with
tokens/s; the rows with one of issue 16's targets say whether it is met.

1. Recurrent, on a (35, 32, 128) batch (35 steps, batch 32: 1,120 tokens a step):
   lstm: ``nn.LSTM(128, 256)``, target <= 1.0; lstm_composite (nnlite only): the same
   LSTM as a per-time-step loop of nnlite ops, what you get without the fused kernel;
   lstm_packed: pack_padded_sequence (lengths 17..35, sorted), LSTM, pad_packed_sequence;
   gru: ``nn.GRU(128, 256)``; embedding: ``nn.Embedding(10000, 128)`` on (35, 32) ids.
2. Attention, batch 32, 64 tokens, d_model 128, 4 heads (2,048 tokens a step):
   sdpa: ``F.scaled_dot_product_attention`` on (32, 4, 64, 32) heads;
   mha_weights: ``nn.MultiheadAttention(128, 4)`` self-attention with need_weights=True
   (torch's default: its explicit softmax path), target <= 1.0; mha_noweights:
   need_weights=False (torch's fused SDPA kernel); encoder: ``nn.TransformerEncoderLayer
   (128, 4, 512)`` in training mode with the default dropout 0.1, target <= 1.0;
   encoder_nodropout: dropout 0.0.
   sdpa_composite, mha_composite, encoder_composite (nnlite only): attention from generic
   nnlite ops (matmul, softmax, reshape/permute), the unfused baseline, for the sdpa,
   mha_noweights and encoder_nodropout cases.
After the table: how many times faster each fused case runs than its composite.

Modules are built in each library from ``manual_seed(0)`` (the values do not change the
speed); the inputs and upstream gradients from the same NumPy seeds.

Flags (the harness's): --only A,B (case-name prefixes), --repeats N, --threads N,
--json PATH, --tune, --quick, --no-torch, --list.
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._harness import Case, fwd_bwd, main, module_step, speedups  # noqa: E402

T, B, I, H = 35, 32, 128, 256          # the LSTM: 35 steps, batch 32, 128 -> 256
VOCAB, EMB = 10_000, 128
LENGTHS = sorted(np.random.default_rng(1).integers(T // 2, T + 1, B).tolist(), reverse=True)
LENGTHS[0] = T
AN, AL, AE, AH, AFF = 32, 64, 128, 4, 512   # batch, tokens, d_model, heads, d_ff
AD = AE // AH                               # head size


def composite_lstm(lib, x, w_ih, w_hh, b_ih, b_hh):
    """The LSTM as a loop of nnlite ops over time (the unfused baseline): x (T, B, I)."""
    xw = x @ w_ih.T + b_ih                                    # (T, B, 4H)
    h = lib.zeros(x.shape[1], w_hh.shape[1])
    c = lib.zeros(x.shape[1], w_hh.shape[1])
    outs = []
    for t in range(x.shape[0]):
        gates = xw[t] + h @ w_hh.T + b_hh                     # (B, 4H)
        i, f, g, o = gates.chunk(4, 1)
        c = i.sigmoid() * g.tanh() + f.sigmoid() * c
        h = o.sigmoid() * c.tanh()
        outs.append(h)
    return lib.stack(outs)                                     # (T, B, H)


def mha_composite(F, m, x):
    """Self-attention MHA from generic nnlite ops (the unfused baseline), x (L, N, E)."""
    L, N, E = x.shape
    D = E // m.num_heads
    qkv = F.linear(x, m.in_proj_weight, m.in_proj_bias)                  # (L, N, 3E)
    qkv = qkv.reshape(L, N, 3, m.num_heads, D).permute(2, 1, 3, 0, 4)   # (3, N, H, L, D)
    q, k, v = qkv[0], qkv[1], qkv[2]
    p = ((q @ k.swapaxes(-1, -2)) * (1 / np.sqrt(D))).softmax(-1)         # (N, H, L, L)
    y = (p @ v).permute(2, 0, 1, 3).reshape(L, N, E)                      # (L, N, E)
    return F.linear(y, m.out_proj.weight, m.out_proj.bias)


def encoder_layer_composite(F, m, x):
    """The post-norm encoder layer around the composite attention (dropout 0)."""
    x = m.norm1(x + mha_composite(F, m.self_attn, x))
    return m.norm2(x + m.linear2(m.activation(m.linear1(x))))


def seq_case(name: str, title: str, shape: tuple, out: tuple, make, items: int,
             steps: int, **kw) -> Case:
    """A case whose step is ``make(lib, x0, gy0)``: x0 a standard normal ``shape`` input
    and gy0 an ``out`` upstream gradient, from NumPy seed 0; the library seeded with
    ``manual_seed(0)`` first."""
    def build(lib):
        lib.manual_seed(0)
        rng = np.random.default_rng(0)
        x0 = rng.standard_normal(shape, dtype=np.float32)
        return make(lib, x0, rng.standard_normal(out, dtype=np.float32))
    return Case(name, title, build, items=items, unit="tok", steps=steps,
                warmup=max(2, steps // 10), **kw)


# ============================================================================
# 1. recurrent
# ============================================================================
def recurrent(cls: str, packed: bool = False):
    """make(lib, x0, gy0): ``lib.nn.<cls>(I, H)`` fwd+bwd, packed by LENGTHS if asked."""
    def make(lib, x0, gy0):
        rnn = lib.nn.utils.rnn

        def call(m, x):
            if not packed:
                return m(x)[0]
            y = m(rnn.pack_padded_sequence(x, LENGTHS))[0]
            return rnn.pad_packed_sequence(y, total_length=T)[0]
        return module_step(lib, getattr(lib.nn, cls)(I, H), call, x0, gy0)
    return make


def lstm_composite(lib, x0, gy0):
    rng = np.random.default_rng(2)
    ws = [rng.uniform(-1 / 16, 1 / 16, s).astype(np.float32)
          for s in ((4 * H, I), (4 * H, H), (4 * H,), (4 * H,))]
    return fwd_bwd(lib, lambda x, *p: composite_lstm(lib, x, *p), x0, gy0, ws)


def embedding(lib, _, gy0):
    ids = np.random.default_rng(3).integers(0, VOCAB, (T, B))
    return module_step(lib, lib.nn.Embedding(VOCAB, EMB), lambda m, i: m(i), ids, gy0,
                       requires_grad=False)


def rnn_case(name: str, title: str, make, steps: int, out: int = H, **kw) -> Case:
    return seq_case(name, title, (T, B, I), (T, B, out), make, T * B, steps, **kw)


RECURRENT = [
    rnn_case("lstm", f"LSTM({I}, {H}) fwd+bwd ({T}, {B}, {I})", recurrent("LSTM"), 40,
             target=1.0),
    rnn_case("lstm_composite", "  composite: a loop of nnlite ops over time", lstm_composite,
             15, torch=False),
    rnn_case("lstm_packed", f"  packed, lengths {LENGTHS[-1]}..{T} (pack+LSTM+pad)",
             recurrent("LSTM", packed=True), 30,
             note=lambda ours, theirs: f"{sum(LENGTHS) / (T * B):.0%} of steps"),
    rnn_case("gru", f"GRU({I}, {H}) fwd+bwd ({T}, {B}, {I})", recurrent("GRU"), 40),
    rnn_case("embedding", f"Embedding({VOCAB}, {EMB}) fwd+bwd ({T}, {B}) ids", embedding,
             2000, out=EMB),
]


# ============================================================================
# 2. attention
# ============================================================================
def sdpa(composite: bool = False):
    """make(lib, q0, gy0): SDPA on (AN, AH, AL, AD) heads, k and v drawn from seed 4."""
    def make(lib, q0, gy0):
        rng = np.random.default_rng(4)
        kv = [rng.standard_normal(q0.shape, dtype=np.float32) for _ in range(2)]
        if composite:
            from nnlite.ops.attention import attention_composite

            def fn(q, k, v):
                return attention_composite(q, k, v, 1 / np.sqrt(AD))[0]
        else:
            fn = lib.nn.functional.scaled_dot_product_attention
        return fwd_bwd(lib, fn, q0, gy0, kv)
    return make


def attention_module(build, call):
    """make(lib, x0, gy0): ``call(F, m, x)`` fwd+bwd of the module ``build(nn)``."""
    def make(lib, x0, gy0):
        F = lib.nn.functional
        return module_step(lib, build(lib.nn), lambda m, x: call(F, m, x), x0, gy0)
    return make


def mha(nn):
    return nn.MultiheadAttention(AE, AH)


def encoder(dropout: float):
    return lambda nn: nn.TransformerEncoderLayer(AE, AH, AFF, dropout=dropout)


def attend(need_weights: bool):
    return lambda F, m, x: m(x, x, x, need_weights=need_weights)[0]


def attention_case(name: str, title: str, make, steps: int, **kw) -> Case:
    return seq_case(name, title, (AL, AN, AE), (AL, AN, AE), make, AN * AL, steps, **kw)


ATTENTION = [
    seq_case("sdpa", f"scaled_dot_product_attention {(AN, AH, AL, AD)}", (AN, AH, AL, AD),
             (AN, AH, AL, AD), sdpa(), AN * AL, 100),
    seq_case("sdpa_composite", "  composite: matmul, mul, softmax, matmul", (AN, AH, AL, AD),
             (AN, AH, AL, AD), sdpa(composite=True), AN * AL, 60, torch=False),
    attention_case("mha_weights", f"MultiheadAttention({AE}, {AH}) need_weights=True",
                   attention_module(mha, attend(True)), 40, target=1.0),
    attention_case("mha_noweights", f"MultiheadAttention({AE}, {AH}) need_weights=False",
                   attention_module(mha, attend(False)), 40),
    attention_case("mha_composite", "  composite: F.linear, permute, matmul, softmax",
                   attention_module(mha, mha_composite), 30, torch=False),
    attention_case("encoder", f"TransformerEncoderLayer({AE}, {AH}, {AFF}) dropout=0.1",
                   attention_module(encoder(0.1), lambda F, m, x: m(x)), 20, target=1.0),
    attention_case("encoder_nodropout",
                   f"TransformerEncoderLayer({AE}, {AH}, {AFF}) dropout=0.0",
                   attention_module(encoder(0.0), lambda F, m, x: m(x)), 20),
    attention_case("encoder_composite", "  composite attention inside (dropout 0.0)",
                   attention_module(encoder(0.0), encoder_layer_composite), 20, torch=False),
]

CASES = RECURRENT + ATTENTION
BASELINES = [("lstm_composite", "lstm"), ("sdpa_composite", "sdpa"),
             ("mha_composite", "mha_noweights"), ("encoder_composite", "encoder_nodropout")]


if __name__ == "__main__":
    main(CASES, __doc__, after=speedups(BASELINES))
