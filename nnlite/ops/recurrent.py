"""Fused recurrent kernels: one autograd node runs one layer and direction of an RNN,
LSTM or GRU over every time step (the cells are the one-step case).

Notation:
    T    time steps;  B  batch (number of sequences);  I  input features
    H    hidden size;  P  size of h: H, or proj_size for a projected LSTM
    G    gate rows: 4H for the LSTM (gates i, f, g, o), 3H for the GRU (r, z, n),
         H for the plain RNN -- torch's order and layout
    bs   the batch size of each step, non-increasing;  off  the first row of each step
    N    rows of the packed sequence, sum(bs): T * B when no sequence is shorter

Packed layout (torch's ``PackedSequence``, cuDNN's format): the input is x (N, I), time
major, the sequences sorted by decreasing length, so step t owns rows
``off[t] : off[t] + bs[t]``, and these are the first ``bs[t]`` sequences. A padded
(T, B, I) batch is the special case bs = [B] * T, x = input.reshape(T * B, I).

The state h (B, P) keeps one row per sequence; step t updates its first ``b = bs[t]``
rows only. In the forward direction the other rows belong to sequences that have ended,
and keep their last state: h_n is each sequence's state at its last valid step. In the
reverse direction (steps T-1 .. 0) they belong to sequences that have not started, and
still hold h0. Padded steps thus change neither the valid outputs nor the final state.

Forward (LSTM; the GRU and RNN differ only in the per-step arithmetic):
    X = x @ W_ih^T + b_ih + b_hh               one matmul for every step, (N, 4H)
    per step:  A = X[rows] + h[:b] @ W_hh^T    one matmul for the four gates, (b, 4H)
               i, f, g, o = sig(A_i), sig(A_f), tanh(A_g), sig(A_o)
               c = f * c + i * g;   h = o * tanh(c)   (then h = h @ W_hr^T if projected)
    sig(a) = (1 + tanh(a / 2)) / 2: the halving is folded into copies of W_ih's and
    W_hh's rows of the sigmoid gates, so one tanh and one multiply-add activate all four
    gates. Each step's recurrent product is computed as its transpose W_hh h^T
    (``_recurrent_product``), the orientation OpenBLAS's AVX-512 kernels run fastest for
    a short batch; backward keeps dh^T for the same reason.

Backward runs the steps in the opposite order. The factors of the gate gradients that do
not depend on the incoming gradient (sig' = s (1 - s), tanh' = 1 - t^2, ...) are computed
for all steps at once before the loop; each step then needs a few elementwise products
and one matmul dh = dA[rows] @ W_hh. After the loop, with dA (N, G) the pre-activation
gate gradients and Hprev (N, P) the state each step started from:
    dx = dA @ W_ih,   dW_ih = dA^T x,   dW_hh = dA^T Hprev,   db_ih = db_hh = sum_N dA.

Memory: forward keeps for backward the activated gates (N, G), the cell states and
tanh(c) (LSTM) or W_hn h + b_hn (GRU). Hprev is never copied when every step has the
whole batch: it is then the output shifted by one step, [h0; Y[:-B]] (reverse:
[Y[B:]; h0]); packed batches copy each step's starting state. The backward's large
temporaries (the gate-gradient factors and dA) live in a per-thread workspace reused by
the next call, which saves the page faults of fresh multi-megabyte arrays.

Each kernel is one node with several outputs, (y, h_n, c_n) for the LSTM and (y, h_n)
for the GRU and RNN; backward gets one gradient per output, None for an output that
received none (then y contributes nothing per step and a missing dh_n or dc_n starts
the recurrence from zeros of the state's size). Kernels run on arrays only
(``@once_differentiable``).

Sections: helpers -- LSTM -- GRU -- RNN -- the functions the layers call.
"""
from __future__ import annotations

import threading
from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor
from . import buffers as _buf

__all__ = ["lstm_layer", "gru_layer", "rnn_layer"]


# ============================================================================
# Helpers
# ============================================================================
_workspaces = threading.local()


def _workspace(slot: str, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """Scratch memory for the large temporaries of a backward rule, kept (per thread,
    per slot, the largest size asked for) and reused by the next call.

    Only arrays that never leave the rule may live here. Reusing them saves the page
    faults of fresh multi-megabyte allocations: ~10% of an LSTM layer's forward +
    backward at batch 32, 35 steps, 128 -> 256.
    """
    n = int(np.prod(shape))
    bufs = getattr(_workspaces, "bufs", None)
    if bufs is None:
        bufs = _workspaces.bufs = {}
    key = (slot, np.dtype(dtype))
    buf = bufs.get(key)
    if buf is None or buf.size < n:
        buf = bufs[key] = np.empty(n, dtype)
    return buf[:n].reshape(shape)


def _steps(batch_sizes: Sequence[int], reverse: bool) -> list:
    """(first row, batch size) of each step, in the order the recurrence visits them."""
    steps, start = [], 0
    for b in batch_sizes:
        steps.append((start, int(b)))
        start += int(b)
    return steps[::-1] if reverse else steps


class _Recurrence(Function):
    """Shared bookkeeping of the three kernels; its methods are called on ``ctx``.

    Arguments, in order: x (N, I), h0 (B, P), [c0 (B, H), LSTM only], W_ih (G, I),
    W_hh (G, P), b_ih (G,) or None, b_hh (G,) or None, [W_hr (P, H) or None, LSTM only],
    then the plain values batch_sizes and reverse. ``_setup`` stores the plain values
    on ``ctx``; forward saves the arrays backward needs with ``ctx.save_for_backward``.

    When every step has the whole batch (``dense``: no sequence is shorter), the state
    each step starts from is the previous step's output rows, so the stacked previous
    states Hprev are views -- [h0; Y[:-B]] forward, [Y[B:]; h0] reverse -- and are never
    copied; packed batches copy them into Hprev as the steps run.
    """

    n_state = 1                     # h0 only; the LSTM adds c0

    def _setup(ctx, batch_sizes: Sequence[int], reverse: bool) -> None:
        ctx.batch_sizes = [int(b) for b in batch_sizes]
        ctx.reverse = reverse
        ctx.dense = ctx.batch_sizes.count(ctx.batch_sizes[0]) == len(ctx.batch_sizes)

    def _with_prev(ctx, ufunc: np.ufunc, Y: np.ndarray, h0: np.ndarray, prev: Any,
                   other: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out = ufunc(Hprev, other) row by row, Hprev the state each row's step started
        from: ``prev`` (packed) or the shifted rows of Y with h0 (dense)."""
        if prev is not None:
            return ufunc(prev, other, out=out)
        B = h0.shape[0]
        if ctx.reverse:
            ufunc(Y[B:], other[:-B], out=out[:-B])
            ufunc(h0, other[-B:], out=out[-B:])
        else:
            ufunc(Y[:-B], other[B:], out=out[B:])
            ufunc(h0, other[:B], out=out[:B])
        return out

    def _backward_steps(ctx) -> list:
        """(first row, batch size, product) of each step in the order backward visits
        them; ``product`` says whether the step must propagate dh through W_hh: not
        the last one when h0 needs no gradient."""
        steps = [(r0, b, True) for r0, b in _steps(ctx.batch_sizes, not ctx.reverse)]
        if not ctx.needs_input_grad[1]:
            steps[-1] = steps[-1][:2] + (False,)
        return steps

    def _prev_matmul(ctx, dAh: np.ndarray, Y: np.ndarray, h0: np.ndarray,
                     prev: Any) -> np.ndarray:
        """dAh^T @ Hprev (the recurrent weight's gradient), without building Hprev (and
        without the h0 rows when h0 is zero, the default state)."""
        if prev is not None:
            return dAh.T @ prev
        B = h0.shape[0]
        first, rest = (slice(-B, None), slice(None, -B)) if ctx.reverse else \
            (slice(None, B), slice(B, None))
        g = dAh[rest].T @ (Y[B:] if ctx.reverse else Y[:-B])
        if h0.any():
            g += dAh[first].T @ h0
        return g

    def _input_grads(ctx, dA: np.ndarray, dAh: np.ndarray, x: np.ndarray, w_ih: np.ndarray,
                     gw_hh: Any, states: tuple, extra: tuple = ()) -> tuple:
        """The gradients of every tensor argument: dA (N, G) the gate gradients on the
        input side (x, W_ih, b_ih), dAh on the recurrent side (b_hh), gw_hh a callable
        giving W_hh's, ``extra`` those of the arguments after b_hh."""
        need = ctx.needs_input_grad
        k = 1 + ctx.n_state
        grads = (dA @ w_ih if need[0] else None,)
        grads += tuple(s if need[1 + j] else None for j, s in enumerate(states))
        grads += (dA.T @ x if need[k] else None, gw_hh() if need[k + 1] else None)
        db_ih = dA.sum(axis=0) if need[k + 2] else None
        if not need[k + 3]:
            db_hh = None
        elif dAh is dA and db_ih is not None:         # the LSTM and RNN: the same sum
            db_hh = db_ih.copy()
        else:
            db_hh = dAh.sum(axis=0)
        return grads + (db_ih, db_hh) + extra


def _start_state(g: Any, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """The gradient a backward loop starts from for a final state: a copy of ``g`` (the
    loop updates it in place), or zeros when that output received none."""
    return np.zeros(shape, dtype) if g is None else g.copy()


def _add_rows(a: np.ndarray, g: Any, r0: int, r1: int, out: np.ndarray) -> np.ndarray:
    """out = a + g[r0:r1], or a copy of a when ``g`` (y's gradient) is None."""
    return np.positive(a, out=out) if g is None else np.add(a, g[r0:r1], out=out)


def _gate_scale(H: int, gates: str, dtype: np.dtype) -> np.ndarray:
    """Per gate row: 0.5 for a sigmoid gate ('s'), 1 for a tanh gate ('t')."""
    return np.repeat(np.array([0.5 if c == "s" else 1.0 for c in gates], dtype), H)


def _activate_(a: np.ndarray, scale: np.ndarray, shift: np.ndarray) -> None:
    """In place: t = tanh(a), then t * scale + shift: sig = t / 2 + 1 / 2 in the columns
    whose pre-activation was halved (scale 0.5, shift 0.5), tanh itself in the others
    (scale 1, shift 0)."""
    np.tanh(a, out=a)
    a *= scale
    a += shift


def _recurrent_product(w: np.ndarray, h: np.ndarray, outT: np.ndarray) -> np.ndarray:
    """h @ w^T (b, G), computed as its transpose w @ h^T into ``outT`` (G, >= b): with a
    short batch b, OpenBLAS's AVX-512 sgemm runs this orientation about 2x faster
    (the Haswell kernels run both alike). Returns the (b, G) view."""
    return np.matmul(w, h.T, out=outT[:, :h.shape[0]]).T


def _gate_view(a: np.ndarray, n: int) -> np.ndarray:
    """The (n, b, H) view of a (b, n*H) block of gate columns: gate j is ``[j]``."""
    b = a.shape[0]
    return a.reshape(b, n, a.shape[1] // n).transpose(1, 0, 2)


def _dsigmoid_(out: np.ndarray, s: np.ndarray) -> np.ndarray:
    """out = s (1 - s), in place, no temporaries."""
    np.subtract(1, s, out=out)
    out *= s
    return out


def _dtanh_(out: np.ndarray, t: np.ndarray) -> np.ndarray:
    """out = 1 - t^2, in place, no temporaries."""
    np.multiply(t, t, out=out)
    np.subtract(1, out, out=out)
    return out


# ============================================================================
# LSTM
# ============================================================================
class LSTMLayer(_Recurrence):
    """One LSTM layer-direction over a packed sequence (see the module docstring).

    Outputs: y (N, P), h_n (B, P), c_n (B, H).
    """

    n_state = 2

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse):
        ctx._setup(batch_sizes, reverse)
        N, B, H, P = x.shape[0], h0.shape[0], c0.shape[1], h0.shape[1]
        dt = x.dtype
        s = _gate_scale(H, "ssts", dt)                            # i f g o
        shift = 1 - s
        X = x @ (w_ih * s[:, None]).T                             # (N, 4H), halved i, f, o
        if b_ih is not None:
            X += (b_ih + b_hh) * s
        w_hh_s = w_hh * s[:, None]                                # (4H, P), halved i, f, o
        w_hrT = w_hr.T if w_hr is not None else None
        Y = _buf.empty((N, P), dt)
        h = _buf.empty((B, P), dt)
        c = _buf.empty((B, H), dt)
        C = _buf.empty((N, H), dt)           # c after each step
        TC = _buf.empty((N, H), dt)          # tanh(c)
        R = _buf.empty((N, H), dt) if w_hr is not None else Y   # o * tanh(c) before W_hr
        packed = not ctx.dense
        Hprev = _buf.empty((N, P), dt) if packed else None
        Cprev = _buf.empty((N, H), dt) if packed else None
        if packed:
            h[...] = h0
            c[...] = c0
        hp, cp = h0, c0
        recT = _buf.empty((4 * H, B), dt)
        ig = _buf.empty((B, H), dt)
        H2, H3 = 2 * H, 3 * H
        for r0, b in _steps(ctx.batch_sizes, ctx.reverse):
            r1 = r0 + b
            a = X[r0:r1]
            if packed:
                hp, cp = h[:b], c[:b]
                Hprev[r0:r1] = hp
                Cprev[r0:r1] = cp
            a += _recurrent_product(w_hh_s, hp, recT)
            _activate_(a, s, shift)
            i, f, g, o = a[:, :H], a[:, H:H2], a[:, H2:H3], a[:, H3:]
            cn = np.multiply(f, cp, out=C[r0:r1])
            cn += np.multiply(i, g, out=ig[:b])
            tc = np.tanh(cn, out=TC[r0:r1])
            hn = np.multiply(o, tc, out=R[r0:r1])
            if w_hrT is not None:
                hn = np.matmul(hn, w_hrT, out=Y[r0:r1])
            if packed:
                hp[...] = hn
                cp[...] = cn
            else:
                hp, cp = hn, cn
        if not packed:
            h[...] = hp
            c[...] = cp
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, w_hr, X, C, TC, R, Y, Hprev, Cprev)
        return Y, h, c

    @staticmethod
    @once_differentiable
    def backward(ctx, gy, gh, gc):
        x, h0, c0, w_ih, w_hh, w_hr, A, C, TC, R, Y, Hprev, Cprev = ctx.saved_tensors
        N, I = x.shape
        B, H, P = h0.shape[0], c0.shape[1], h0.shape[1]
        dt = x.dtype
        dhT = _start_state(None if gh is None else gh.T, (P, B), dt)   # dh^T (P, B)
        dc = _start_state(gc, (B, H), dt)
        w_hhT = np.ascontiguousarray(w_hh.T)                      # (P, 4H)
        H2, H3 = 2 * H, 3 * H
        i, f, g, o = A[:, :H], A[:, H:H2], A[:, H2:H3], A[:, H3:]
        # The step-independent factors, for every step at once, in one (5, N, H) array
        # (each factor contiguous):
        #   dA_i = dc * g i (1-i),  dA_f = dc * c_prev f (1-f),  dA_g = dc * i (1-g^2),
        #   dA_o = dh * tanh(c) o (1-o),   dc += dh * o (1 - tanh(c)^2)
        K = _workspace("K", (5, N, H), dt)
        ki, kf, kg, ko, kc = K
        _dsigmoid_(ki, i)
        ki *= g
        _dsigmoid_(kf, f)
        ctx._with_prev(np.multiply, C, c0, Cprev, kf, kf)
        _dtanh_(kg, g)
        kg *= i
        _dsigmoid_(ko, o)
        ko *= TC
        _dtanh_(kc, TC)
        kc *= o
        Kifg = K[:3]
        dA = _workspace("dA", (N, 4 * H), dt)
        dY = _workspace("dY", (N, P), dt) if w_hr is not None else None
        dR = _buf.empty((B, H), dt) if w_hr is not None else None
        dct = _buf.empty((B, H), dt)
        dht_buf = _buf.empty((B, P), dt)
        for r0, b, product in ctx._backward_steps():
            r1 = r0 + b
            dht = _add_rows(dhT[:, :b].T, gy, r0, r1, dht_buf[:b] if dY is None else dY[r0:r1])
            if w_hr is not None:
                dht = np.matmul(dht, w_hr, out=dR[:b])
            np.multiply(dht, ko[r0:r1], out=dA[r0:r1, H3:])
            d = np.multiply(dht, kc[r0:r1], out=dct[:b])
            d += dc[:b]
            np.multiply(d, Kifg[:, r0:r1], out=_gate_view(dA[r0:r1, :H3], 3))
            np.multiply(d, f[r0:r1], out=dc[:b])
            if product:
                _recurrent_product(w_hhT, dA[r0:r1], dhT)             # dA_t @ W_hh
        gw_hr = dY.T @ R if ctx.needs_input_grad[7] else None
        return ctx._input_grads(dA, dA, x, w_ih,
                                lambda: ctx._prev_matmul(dA, Y, h0, Hprev),
                                (np.ascontiguousarray(dhT.T), dc), (gw_hr,))


# ============================================================================
# GRU
# ============================================================================
class GRULayer(_Recurrence):
    """One GRU layer-direction over a packed sequence, torch's formulation:
        r = sig(W_ir x + b_ir + W_hr h + b_hr),  z = sig(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h

    Outputs: y (N, H), h_n (B, H).
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
        ctx._setup(batch_sizes, reverse)
        N, B, H = x.shape[0], h0.shape[0], h0.shape[1]
        dt = x.dtype
        H2 = 2 * H
        s = _gate_scale(H, "sst", dt)                              # r z n
        X = x @ (w_ih * s[:, None]).T                              # (N, 3H)
        b_hn = None
        if b_ih is not None:
            X += b_ih * s
            X[:, :H2] += b_hh[:H2] * s[:H2]
            b_hn = b_hh[H2:]
        w_hh_s = w_hh * s[:, None]                                 # (3H, H), halved r, z
        srz = s[:H2]
        shift = 1 - srz
        Y = _buf.empty((N, H), dt)
        h = _buf.empty((B, H), dt)
        HN = _buf.empty((N, H), dt)          # W_hn h + b_hn
        packed = not ctx.dense
        Hprev = _buf.empty((N, H), dt) if packed else None
        if packed:
            h[...] = h0
        hp = h0
        ghT = _buf.empty((3 * H, B), dt)
        rhn = _buf.empty((B, H), dt)
        for r0, b in _steps(ctx.batch_sizes, ctx.reverse):
            r1 = r0 + b
            a = X[r0:r1]
            if packed:
                hp = h[:b]
                Hprev[r0:r1] = hp
            gh = _recurrent_product(w_hh_s, hp, ghT)              # (b, 3H)
            rz = a[:, :H2]
            rz += gh[:, :H2]
            _activate_(rz, srz, shift)
            hn = HN[r0:r1]
            if b_hn is not None:
                np.add(gh[:, H2:], b_hn, out=hn)
            else:
                hn[...] = gh[:, H2:]
            n = a[:, H2:]
            n += np.multiply(rz[:, :H], hn, out=rhn[:b])
            np.tanh(n, out=n)
            y = np.subtract(hp, n, out=Y[r0:r1])
            y *= rz[:, H:]
            y += n
            if packed:
                hp[...] = y
            else:
                hp = y
        if not packed:
            h[...] = hp
        ctx.save_for_backward(x, h0, w_ih, w_hh, X, HN, Y, Hprev)
        return Y, h

    @staticmethod
    @once_differentiable
    def backward(ctx, gy, gh):
        x, h0, w_ih, w_hh, A, HN, Y, Hprev = ctx.saved_tensors
        N, B, H = x.shape[0], h0.shape[0], h0.shape[1]
        dt = x.dtype
        dhT = _start_state(None if gh is None else gh.T, (H, B), dt)   # dh^T (H, B)
        w_hhT = np.ascontiguousarray(w_hh.T)                       # (H, 3H)
        H2 = 2 * H
        r, z, n = A[:, :H], A[:, H:H2], A[:, H2:]
        # Factors for every step at once, K (4, N, H):
        #   dn_pre = dh (1-z)(1-n^2) = dh Kn;   dr_pre = dn_pre hn r (1-r);
        #   dz_pre = dh (h_prev - n) z (1-z);   recurrent side of n: dn_pre * r
        # and dh_prev = dA_h @ W_hh + dh * z.
        K = _workspace("K", (4, N, H), dt)
        kr, kz, khn, kn = K
        _dtanh_(kn, n)
        kn *= np.subtract(1, z, out=khn)
        _dsigmoid_(kr, r)
        kr *= HN
        kr *= kn
        _dsigmoid_(kz, z)
        kz *= ctx._with_prev(np.subtract, Y, h0, Hprev, n, _workspace("tmp", (N, H), dt))
        np.multiply(kn, r, out=khn)
        Kh = K[:3]
        dH = _workspace("tmp", (N, H), dt)   # the gradient reaching each step's h
        dAh = _workspace("dAh", (N, 3 * H), dt)
        tmp = _buf.empty((B, H), dt)
        for r0, b, product in ctx._backward_steps():
            r1 = r0 + b
            d = _add_rows(dhT[:, :b].T, gy, r0, r1, dH[r0:r1])
            np.multiply(d, Kh[:, r0:r1], out=_gate_view(dAh[r0:r1], 3))
            if product:
                dh = _recurrent_product(w_hhT, dAh[r0:r1], dhT)     # dAh_t @ W_hh
                dh += np.multiply(d, z[r0:r1], out=tmp[:b])
        dA = _workspace("dA", (N, 3 * H), dt)
        dA[:, :H2] = dAh[:, :H2]
        np.multiply(dH, kn, out=dA[:, H2:])
        return ctx._input_grads(dA, dAh, x, w_ih,
                                lambda: ctx._prev_matmul(dAh, Y, h0, Hprev),
                                (np.ascontiguousarray(dhT.T),))


# ============================================================================
# RNN (tanh or relu)
# ============================================================================
class RNNLayer(_Recurrence):
    """One Elman RNN layer-direction: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act
    tanh or relu.

    Outputs: y (N, H), h_n (B, H).
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, nonlinearity):
        ctx._setup(batch_sizes, reverse)
        ctx.relu = relu = nonlinearity == "relu"
        N, B, H = x.shape[0], h0.shape[0], h0.shape[1]
        Y = _buf.empty((N, H), x.dtype)
        h = _buf.empty((B, H), x.dtype)
        np.matmul(x, w_ih.T, out=Y)          # the input side of every step, in place
        if b_ih is not None:
            Y += b_ih + b_hh
        packed = not ctx.dense
        Hprev = _buf.empty((N, H), x.dtype) if packed else None
        if packed:
            h[...] = h0
        hp = h0
        recT = _buf.empty((H, B), x.dtype)
        for r0, b in _steps(ctx.batch_sizes, ctx.reverse):
            r1 = r0 + b
            a = Y[r0:r1]
            if packed:
                hp = h[:b]
                Hprev[r0:r1] = hp
            a += _recurrent_product(w_hh, hp, recT)
            if relu:
                np.maximum(a, 0, out=a)
            else:
                np.tanh(a, out=a)
            if packed:
                hp[...] = a
            else:
                hp = a
        if not packed:
            h[...] = hp
        ctx.save_for_backward(x, h0, w_ih, w_hh, Y, Hprev)
        return Y, h

    @staticmethod
    @once_differentiable
    def backward(ctx, gy, gh):
        x, h0, w_ih, w_hh, Y, Hprev = ctx.saved_tensors
        N, B, H = x.shape[0], h0.shape[0], h0.shape[1]
        dhT = _start_state(None if gh is None else gh.T, (H, B), x.dtype)   # dh^T (H, B)
        w_hhT = np.ascontiguousarray(w_hh.T)
        D = _workspace("K", (N, H), x.dtype)           # act'
        if ctx.relu:
            np.greater(Y, 0, out=D)
        else:
            _dtanh_(D, Y)
        dA = _workspace("dA", (N, H), x.dtype)
        for r0, b, product in ctx._backward_steps():
            r1 = r0 + b
            d = _add_rows(dhT[:, :b].T, gy, r0, r1, dA[r0:r1])
            d *= D[r0:r1]
            if product:
                _recurrent_product(w_hhT, d, dhT)                 # d @ W_hh
        return ctx._input_grads(dA, dA, x, w_ih,
                                lambda: ctx._prev_matmul(dA, Y, h0, Hprev),
                                (np.ascontiguousarray(dhT.T),))


# ============================================================================
# The functions the layers call
# ============================================================================
def lstm_layer(x: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor,
               b_ih: Tensor | None, b_hh: Tensor | None, w_hr: Tensor | None,
               batch_sizes: Sequence[int], reverse: bool = False) -> tuple:
    """One LSTM layer-direction over the packed sequence ``x`` (N, I).

    Args:
        x: (N, I) packed rows (see the module docstring); h0 (B, P); c0 (B, H).
        w_ih (4H, I), w_hh (4H, P), b_ih, b_hh (4H,) or None, w_hr (P, H) or None:
            torch's layout, gates i, f, g, o.
        batch_sizes: the batch size of each step, non-increasing, summing to N.
        reverse (bool): run from the last step to the first. Default: False.

    Returns:
        (y (N, P), h_n (B, P), c_n (B, H)).
    """
    return LSTMLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse)


def gru_layer(x: Tensor, h0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
              b_hh: Tensor | None, batch_sizes: Sequence[int], reverse: bool = False) -> tuple:
    """One GRU layer-direction (gates r, z, n); returns (y (N, H), h_n (B, H)).
    Arguments as ``lstm_layer``."""
    return GRULayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse)


def rnn_layer(x: Tensor, h0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
              b_hh: Tensor | None, batch_sizes: Sequence[int], reverse: bool = False,
              nonlinearity: str = "tanh") -> tuple:
    """One Elman RNN layer-direction (``nonlinearity`` 'tanh' or 'relu'); returns
    (y (N, H), h_n (B, H)). Arguments as ``lstm_layer``."""
    return RNNLayer.apply(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, nonlinearity)
