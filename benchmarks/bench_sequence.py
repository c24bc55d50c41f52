"""Sequence-model speed against PyTorch, in one run: ``python benchmarks/bench_sequence.py``.

One function per section, each returning rows for the shared table; ``main`` runs them all
(``--only NAME`` runs one section, e.g. ``--only lstm``).

1. lstm: ``nn.LSTM(128, 256)`` forward + backward on a (35, 32, 128) float32 batch (the
   issue's target: ratio <= 2.0), with tokens/s (35 * 32 tokens per step). Also: the same
   LSTM written as a per-time-step loop of nnlite ops (the "composite" row: what you get
   without the fused kernel), a packed batch of variable lengths, ``nn.GRU`` of the same
   size, and ``nn.Embedding`` lookup + backward for a 10k-word vocabulary.
2. attention: batch 32, 64 tokens, d_model 128, 4 heads (head size 32), forward +
   backward (tokens/s: 32 * 64 tokens per step). ``scaled_dot_product_attention`` on
   (32, 4, 64, 32) heads; ``MultiheadAttention`` self-attention with need_weights True
   (torch's default; torch then runs its explicit softmax path) and False (torch runs its
   fused SDPA kernel); ``TransformerEncoderLayer`` (d_ff=512) in training mode with the
   default dropout 0.1 and with dropout 0.0 (the issue's targets: MHA and the encoder
   layer <= 1.5). The composite rows build attention from nnlite's generic ops (matmul,
   softmax, reshape/permute; the unfused baseline).

Ratios are nnlite / torch of median times (lower is better). Other processes may share
the cores: each timing is a median of rounds. Flags: ``--quick`` (fewer rounds),
``--no-composite`` (skip the composite rows), ``--only SECTION``, ``--threads 1`` (both
libraries on one thread, timed in process CPU time, which other processes on the
machine barely disturb: the steadiest comparison on a shared machine).
"""
from __future__ import annotations

import os
import sys
import time

if "--threads" in sys.argv:                  # before NumPy loads OpenBLAS
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import nnlite as nl  # noqa: E402
import _timing  # noqa: E402
from _timing import report, try_torch  # noqa: E402
from nnlite import nn  # noqa: E402
from nnlite.nn.recurrent import GRU, LSTM  # noqa: E402
from nnlite.nn.sparse import Embedding  # noqa: E402
from nnlite.nn.utils.rnn import pack_padded_sequence  # noqa: E402
from nnlite.nn.attention import MultiheadAttention  # noqa: E402
from nnlite.nn.transformer import TransformerEncoderLayer  # noqa: E402
from nnlite.ops.attention import attention_composite, scaled_dot_product_attention  # noqa: E402

T, B, I, H = 35, 32, 128, 256          # the LSTM: 35 steps, batch 32, 128 -> 256
VOCAB, EMB = 10_000, 128


def composite_lstm(x, w_ih, w_hh, b_ih, b_hh):
    """The LSTM as a loop of nnlite ops over time (the unfused baseline): x (T, B, I)."""
    xw = x @ w_ih.T + b_ih                                    # (T, B, 4H)
    h = nl.zeros(x.shape[1], w_hh.shape[1])
    c = nl.zeros(x.shape[1], w_hh.shape[1])
    outs = []
    for t in range(x.shape[0]):
        gates = xw[t] + h @ w_hh.T + b_hh                     # (B, 4H)
        i, f, g, o = gates.chunk(4, 1)
        c = i.sigmoid() * g.tanh() + f.sigmoid() * c
        h = o.sigmoid() * c.tanh()
        outs.append(h)
    return nl.stack(outs)                                      # (T, B, H)


def median_time(fn, repeat=7, warmup=2, min_time=0.05, cpu=False):
    """``_timing.median_time``, or the same in process CPU time with ``cpu``."""
    if not cpu:
        return _timing.median_time(fn, repeat, warmup, min_time)
    clock, perf = time.process_time, time.perf_counter
    for _ in range(warmup):
        fn()
    rounds = []
    for _ in range(repeat):
        n, t0, w0 = 0, clock(), perf()
        while True:
            fn()
            n += 1
            if perf() - w0 >= min_time:
                break
        rounds.append((clock() - t0) / n)
    return float(np.median(rounds))


def _fwd_bwd(make_output, params, gy, kw):
    """Median seconds of forward + backward with upstream gradient gy."""
    def step():
        y = make_output()
        y.backward(gy)
        for p in params:
            p.grad = None
    return median_time(step, **kw)


def _recurrent(lib, cls, x0, gy0, lengths, kw):
    """Median seconds of ``cls(I, H)`` forward + backward in nnlite or torch; with
    ``lengths`` the batch is packed first (sorted, decreasing)."""
    mod = getattr(lib.nn, cls) if lib is not nl else {"LSTM": LSTM, "GRU": GRU}[cls]
    m = mod(I, H)
    x = lib.tensor(x0, requires_grad=True)
    gy = gy0 if lib is nl else lib.tensor(gy0)
    if lengths is None:
        def out():
            return m(x)[0]
    else:
        pack = pack_padded_sequence if lib is nl else lib.nn.utils.rnn.pack_padded_sequence
        pad = (nn.utils.rnn.pad_packed_sequence if lib is nl
               else lib.nn.utils.rnn.pad_packed_sequence)

        def out():
            return pad(m(pack(x, lengths))[0], total_length=T)[0]
    return _fwd_bwd(out, list(m.parameters()) + [x], gy, kw)


def bench_lstm(torch, kw, composite=True) -> list:
    """LSTM / GRU / Embedding rows (see the module docstring)."""
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((T, B, I), dtype=np.float32)
    gy0 = rng.standard_normal((T, B, H), dtype=np.float32)
    tokens = T * B
    rows = []

    def row(name, ours, theirs, extra=""):
        tps = f"{tokens / ours:,.0f} tok/s" + (f" (torch {tokens / theirs:,.0f})" if theirs
                                                 else "")
        rows.append((name, ours, theirs, (extra + "  " if extra else "") + tps))

    ours = _recurrent(nl, "LSTM", x0, gy0, None, kw)
    theirs = _recurrent(torch, "LSTM", x0, gy0, None, kw) if torch else None
    row(f"LSTM({I}, {H}) fwd+bwd ({T}, {B}, {I})", ours, theirs)
    if composite:
        ps = [nl.tensor(rng.uniform(-1 / 16, 1 / 16, s).astype(np.float32), requires_grad=True)
              for s in ((4 * H, I), (4 * H, H), (4 * H,), (4 * H,))]
        x = nl.tensor(x0, requires_grad=True)
        comp = _fwd_bwd(lambda: composite_lstm(x, *ps), ps + [x], gy0,
                        dict(kw, repeat=max(3, kw["repeat"] // 2)))
        row("  composite: a loop of nnlite ops over time", comp, theirs,
            f"fused is {comp / ours:.1f}x faster")

    lengths = np.sort(np.random.default_rng(1).integers(T // 2, T + 1, B))[::-1].copy()
    lengths[0] = T
    ours = _recurrent(nl, "LSTM", x0, gy0, lengths, kw)
    theirs = _recurrent(torch, "LSTM", x0, gy0, torch.tensor(lengths), kw) if torch else None
    row(f"  packed, lengths {lengths.min()}..{T} (pack+LSTM+pad)", ours, theirs,
        f"{lengths.sum() / (T * B):.0%} of steps")

    ours = _recurrent(nl, "GRU", x0, gy0, None, kw)
    theirs = _recurrent(torch, "GRU", x0, gy0, None, kw) if torch else None
    row(f"GRU({I}, {H}) fwd+bwd ({T}, {B}, {I})", ours, theirs)

    ids0 = rng.integers(0, VOCAB, (T, B))
    gy_e = rng.standard_normal((T, B, EMB), dtype=np.float32)
    emb = Embedding(VOCAB, EMB)
    ours = _fwd_bwd(lambda: emb(ids0), [emb.weight], gy_e, kw)
    theirs = None
    if torch:
        temb = torch.nn.Embedding(VOCAB, EMB)
        tids, tgy = torch.tensor(ids0), torch.tensor(gy_e)
        theirs = _fwd_bwd(lambda: temb(tids), [temb.weight], tgy, kw)
    row(f"Embedding({VOCAB}, {EMB}) fwd+bwd ({T}, {B}) ids", ours, theirs)
    return rows


# ============================================================================
# 2. attention
# ============================================================================
AN, AL, AE, AH, AFF = 32, 64, 128, 4, 512   # batch, tokens, d_model, heads, d_ff


def mha_composite(m, x):
    """Self-attention MHA from generic nnlite ops (the unfused baseline), x (L, N, E)."""
    L, N, E = x.shape
    D = E // m.num_heads
    qkv = nn.functional.linear(x, m.in_proj_weight, m.in_proj_bias)      # (L, N, 3E)
    qkv = qkv.reshape(L, N, 3, m.num_heads, D).permute(2, 1, 3, 0, 4)   # (3, N, H, L, D)
    q, k, v = qkv[0], qkv[1], qkv[2]
    p = ((q @ k.swapaxes(-1, -2)) * (1 / np.sqrt(D))).softmax(-1)         # (N, H, L, L)
    y = (p @ v).permute(2, 0, 1, 3).reshape(L, N, E)                      # (L, N, E)
    return nn.functional.linear(y, m.out_proj.weight, m.out_proj.bias)


def encoder_layer_composite(m, x):
    """The post-norm encoder layer around the composite attention (dropout 0)."""
    x = m.norm1(x + mha_composite(m.self_attn, x))
    return m.norm2(x + m.linear2(m.activation(m.linear1(x))))


def bench_attention(torch, kw, composite=True) -> list:
    """SDPA / MultiheadAttention / TransformerEncoderLayer rows (see the docstring)."""
    rng = np.random.default_rng(0)
    tokens, D = AN * AL, AE // AH
    rows = []

    def row(name, ours, theirs, extra=""):
        tps = f"{tokens / ours:,.0f} tok/s" + (f" (torch {tokens / theirs:,.0f})" if theirs
                                                 else "")
        rows.append((name, ours, theirs, (extra + "  " if extra else "") + tps))

    heads = [rng.standard_normal((AN, AH, AL, D), dtype=np.float32) for _ in range(4)]
    q, k, v = (nl.tensor(a, requires_grad=True) for a in heads[:3])
    ours = _fwd_bwd(lambda: scaled_dot_product_attention(q, k, v), [q, k, v], heads[3], kw)
    theirs = None
    if torch:
        tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in heads[:3])
        theirs = _fwd_bwd(lambda: torch.nn.functional.scaled_dot_product_attention(
            tq, tk, tv), [tq, tk, tv], torch.tensor(heads[3]), kw)
    row(f"scaled_dot_product_attention {tuple(heads[0].shape)}", ours, theirs)
    if composite:
        comp = _fwd_bwd(lambda: attention_composite(q, k, v, 1 / np.sqrt(D))[0], [q, k, v],
                        heads[3], kw)
        row("  composite: matmul, mul, softmax, matmul", comp, theirs,
            f"fused is {comp / ours:.1f}x faster")

    x0 = rng.standard_normal((AL, AN, AE), dtype=np.float32)
    gy0 = rng.standard_normal((AL, AN, AE), dtype=np.float32)
    x = nl.tensor(x0, requires_grad=True)
    tx, tgy = (torch.tensor(x0, requires_grad=True), torch.tensor(gy0)) if torch else (None,
                                                                                        None)
    m = MultiheadAttention(AE, AH)
    tm = torch.nn.MultiheadAttention(AE, AH) if torch else None
    if torch:
        m.load_state_dict({name: t.numpy() for name, t in tm.state_dict().items()})
    for need_weights in (True, False):
        ours = _fwd_bwd(lambda: m(x, x, x, need_weights=need_weights)[0],
                        list(m.parameters()) + [x], gy0, kw)
        theirs = _fwd_bwd(lambda: tm(tx, tx, tx, need_weights=need_weights)[0],
                          list(tm.parameters()) + [tx], tgy, kw) if torch else None
        row(f"MultiheadAttention({AE}, {AH}) need_weights={need_weights}", ours, theirs)
        if composite and not need_weights:
            comp = _fwd_bwd(lambda: mha_composite(m, x), list(m.parameters()) + [x], gy0, kw)
            row("  composite: F.linear, permute, matmul, softmax", comp, theirs,
                f"fused is {comp / ours:.2f}x faster")

    for dropout in (0.1, 0.0):
        m = TransformerEncoderLayer(AE, AH, AFF, dropout=dropout)
        theirs = None
        if torch:
            tm = torch.nn.TransformerEncoderLayer(AE, AH, AFF, dropout=dropout)
            m.load_state_dict({name: t.numpy() for name, t in tm.state_dict().items()})
            theirs = _fwd_bwd(lambda: tm(tx), list(tm.parameters()) + [tx], tgy, kw)
        ours = _fwd_bwd(lambda: m(x), list(m.parameters()) + [x], gy0, kw)
        row(f"TransformerEncoderLayer({AE}, {AH}, {AFF}) dropout={dropout}", ours, theirs)
        if composite and dropout == 0.0:
            comp = _fwd_bwd(lambda: encoder_layer_composite(m, x), list(m.parameters()) + [x],
                            gy0, kw)
            row("  composite attention inside", comp, theirs,
                f"fused is {comp / ours:.2f}x faster")
    return rows


SECTIONS = {"lstm": bench_lstm, "attention": bench_attention}


def main() -> None:
    quick = "--quick" in sys.argv
    composite = "--no-composite" not in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    torch = try_torch()
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 0
    if torch is not None and threads:
        torch.set_num_threads(threads)
    kw = dict(repeat=3 if quick else 7, warmup=1, min_time=0.05, cpu=threads == 1)
    rows = []
    for name, section in SECTIONS.items():
        if only is None or name == only:
            rows += section(torch, kw, composite=composite)
    blas = os.environ.get("OPENBLAS_NUM_THREADS", f"{os.cpu_count()} cores")
    print(f"float32; torch threads: {torch.get_num_threads() if torch else '-'}; NumPy "
          f"ufuncs single-threaded, BLAS threads: {blas}; "
          f"{'process CPU' if threads == 1 else 'wall-clock'} time")
    report(rows)


if __name__ == "__main__":
    main()
