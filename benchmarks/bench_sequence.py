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

Ratios are nnlite / torch of median times (lower is better); the rows with an issue
target say whether it is met. Other processes may share the cores: each timing is a
median of rounds, and nnlite's and torch's rounds interleave so both see the same load.
The header names the OpenBLAS kernels in use (``OPENBLAS_CORETYPE=SkylakeX`` selects the
AVX-512 ones; see nnlite/_blas.py). Flags: ``--quick`` (fewer rounds), ``--no-composite``
(skip the composite rows), ``--only SECTION``, ``--threads 1`` (both libraries on one
thread, timed in process CPU time, which other processes on the machine barely disturb:
the steadiest comparison on a shared machine).
"""
from __future__ import annotations

import os
import sys
import time

if "--threads" in sys.argv:                  # before NumPy loads OpenBLAS
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import nnlite as nl  # noqa: E402  (before NumPy: nnlite._blas picks OpenBLAS's kernels)
import numpy as np  # noqa: E402
from _timing import blas_info, report, try_torch  # noqa: E402
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


def paired_times(ours, theirs=None, repeat=7, warmup=1, min_time=0.05, cpu=False) -> tuple:
    """Median seconds per call of ``ours()`` and ``theirs()`` (None: not timed).

    The rounds interleave -- ours, theirs, theirs, ours, ... -- so both see the same load
    from other processes; each round loops until it has run ``min_time`` seconds. With
    ``cpu`` a round is timed in process CPU time instead of wall-clock time.
    """
    clock = time.process_time if cpu else time.perf_counter
    fns = [f for f in (ours, theirs) if f is not None]
    for f in fns:
        for _ in range(warmup):
            f()
    rounds = [[] for _ in fns]
    for r in range(repeat):
        order = range(len(fns)) if r % 2 == 0 else reversed(range(len(fns)))
        for j in order:
            n, t0, w0 = 0, clock(), time.perf_counter()
            while True:
                fns[j]()
                n += 1
                if time.perf_counter() - w0 >= min_time:
                    break
            rounds[j].append((clock() - t0) / n)
    meds = [float(np.median(r)) for r in rounds]
    return meds[0], (meds[1] if theirs is not None else None)


def _fwd_bwd(make_output, params, gy):
    """A step function: forward, backward with upstream gradient gy, grads cleared."""
    def step():
        y = make_output()
        y.backward(gy)
        for p in params:
            p.grad = None
    return step


def _recurrent(lib, cls, x0, gy0, lengths):
    """Forward + backward step of ``cls(I, H)`` in nnlite or torch; with ``lengths`` the
    batch is packed first (sorted, decreasing)."""
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
    return _fwd_bwd(out, list(m.parameters()) + [x], gy)


def _extra(tokens, ours, theirs, note="", target=None) -> str:
    """The table's last column: a note, tokens/s (nnlite and torch), and whether the
    issue's target ratio is met."""
    parts = [note] if note else []
    parts.append(f"{tokens / ours:,.0f} tok/s" + (f" (torch {tokens / theirs:,.0f})"
                                                   if theirs else ""))
    if target is not None and theirs:
        ratio = ours / theirs
        parts.append(f"target <= {target}: " + ("met" if ratio <= target else
                                                f"MISSED by {ratio / target - 1:.1%}"))
    return "  ".join(parts)


def _pair(torch, make_step, kw) -> tuple:
    """(nnlite seconds, torch seconds or None) of ``make_step(lib)``, interleaved."""
    return paired_times(make_step(nl), make_step(torch) if torch else None, **kw)


def bench_lstm(torch, kw, composite=True) -> list:
    """LSTM / GRU / Embedding rows (see the module docstring)."""
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((T, B, I), dtype=np.float32)
    gy0 = rng.standard_normal((T, B, H), dtype=np.float32)
    tokens = T * B
    rows = []

    def row(name, ours, theirs, extra="", target=None):
        rows.append((name, ours, theirs, _extra(tokens, ours, theirs, extra, target)))

    ours, theirs = _pair(torch, lambda lib: _recurrent(lib, "LSTM", x0, gy0, None), kw)
    row(f"LSTM({I}, {H}) fwd+bwd ({T}, {B}, {I})", ours, theirs, target=2.0)
    if composite:
        ps = [nl.tensor(rng.uniform(-1 / 16, 1 / 16, s).astype(np.float32), requires_grad=True)
              for s in ((4 * H, I), (4 * H, H), (4 * H,), (4 * H,))]
        x = nl.tensor(x0, requires_grad=True)
        comp, _ = paired_times(_fwd_bwd(lambda: composite_lstm(x, *ps), ps + [x], gy0),
                               **dict(kw, repeat=max(3, kw["repeat"] // 2)))
        row("  composite: a loop of nnlite ops over time", comp, theirs,
            f"fused is {comp / ours:.1f}x faster")

    lengths = np.sort(np.random.default_rng(1).integers(T // 2, T + 1, B))[::-1].copy()
    lengths[0] = T
    ours, theirs = _pair(torch, lambda lib: _recurrent(
        lib, "LSTM", x0, gy0, lengths if lib is nl else lib.tensor(lengths)), kw)
    row(f"  packed, lengths {lengths.min()}..{T} (pack+LSTM+pad)", ours, theirs,
        f"{lengths.sum() / (T * B):.0%} of steps")

    ours, theirs = _pair(torch, lambda lib: _recurrent(lib, "GRU", x0, gy0, None), kw)
    row(f"GRU({I}, {H}) fwd+bwd ({T}, {B}, {I})", ours, theirs)

    ids0 = rng.integers(0, VOCAB, (T, B))
    gy_e = rng.standard_normal((T, B, EMB), dtype=np.float32)

    def embedding(lib):
        emb = Embedding(VOCAB, EMB) if lib is nl else lib.nn.Embedding(VOCAB, EMB)
        ids, gy = (ids0, gy_e) if lib is nl else (lib.tensor(ids0), lib.tensor(gy_e))
        return _fwd_bwd(lambda: emb(ids), [emb.weight], gy)
    ours, theirs = _pair(torch, embedding, kw)
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

    def row(name, ours, theirs, extra="", target=None):
        rows.append((name, ours, theirs, _extra(tokens, ours, theirs, extra, target)))

    heads = [rng.standard_normal((AN, AH, AL, D), dtype=np.float32) for _ in range(4)]

    def sdpa(lib):
        sdpa_fn = (scaled_dot_product_attention if lib is nl
                   else lib.nn.functional.scaled_dot_product_attention)
        q, k, v = (lib.tensor(a, requires_grad=True) for a in heads[:3])
        gy = heads[3] if lib is nl else lib.tensor(heads[3])
        return _fwd_bwd(lambda: sdpa_fn(q, k, v), [q, k, v], gy)
    ours, theirs = _pair(torch, sdpa, kw)
    row(f"scaled_dot_product_attention {tuple(heads[0].shape)}", ours, theirs)
    if composite:
        q, k, v = (nl.tensor(a, requires_grad=True) for a in heads[:3])
        comp, _ = paired_times(_fwd_bwd(lambda: attention_composite(q, k, v, 1 / np.sqrt(D))[0],
                                        [q, k, v], heads[3]), **kw)
        row("  composite: matmul, mul, softmax, matmul", comp, theirs,
            f"fused is {comp / ours:.1f}x faster")

    x0 = rng.standard_normal((AL, AN, AE), dtype=np.float32)
    gy0 = rng.standard_normal((AL, AN, AE), dtype=np.float32)
    mha = MultiheadAttention(AE, AH)
    tmha = torch.nn.MultiheadAttention(AE, AH) if torch else None
    if torch:
        mha.load_state_dict({name: t.numpy() for name, t in tmha.state_dict().items()})

    def module_step(lib, m, call):
        """Forward + backward of ``call(m, x)`` on the shared (L, N, E) batch."""
        x = lib.tensor(x0, requires_grad=True)
        gy = gy0 if lib is nl else lib.tensor(gy0)
        return _fwd_bwd(lambda: call(m, x), list(m.parameters()) + [x], gy)

    for need_weights in (True, False):
        def attend(m, x, need_weights=need_weights):
            return m(x, x, x, need_weights=need_weights)[0]
        ours, theirs = _pair(torch, lambda lib: module_step(
            lib, mha if lib is nl else tmha, attend), kw)
        row(f"MultiheadAttention({AE}, {AH}) need_weights={need_weights}", ours, theirs,
            target=1.5 if need_weights else None)       # torch's default: True
        if composite and not need_weights:
            comp, _ = paired_times(module_step(nl, mha, mha_composite), **kw)
            row("  composite: F.linear, permute, matmul, softmax", comp, theirs,
                f"fused is {comp / ours:.2f}x faster")

    for dropout in (0.1, 0.0):
        layer = TransformerEncoderLayer(AE, AH, AFF, dropout=dropout)
        tlayer = torch.nn.TransformerEncoderLayer(AE, AH, AFF, dropout=dropout) if torch \
            else None
        if torch:
            layer.load_state_dict({name: t.numpy() for name, t in tlayer.state_dict().items()})
        ours, theirs = _pair(torch, lambda lib: module_step(
            lib, layer if lib is nl else tlayer, lambda m, x: m(x)), kw)
        row(f"TransformerEncoderLayer({AE}, {AH}, {AFF}) dropout={dropout}", ours, theirs,
            target=1.5 if dropout == 0.1 else None)     # the default dropout
        if composite and dropout == 0.0:
            comp, _ = paired_times(module_step(nl, layer, encoder_layer_composite), **kw)
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
    print(f"float32; torch threads: {torch.get_num_threads() if torch else '-'}; NumPy "
          f"ufuncs single-threaded; OpenBLAS: {blas_info()}; "
          f"{'process CPU' if threads == 1 else 'wall-clock'} time")
    report(rows)


if __name__ == "__main__":
    main()
