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

A Function has one output, so a kernel returns one flat buffer
``[y (N*P) | h_n (B*P) | c_n (B*H)]`` and ``_Part`` nodes cut it into tensors. Kernels
run on arrays only (``double_backward = False``).

Sections: helpers -- LSTM -- GRU -- RNN -- the functions the layers call.
"""
from __future__ import annotations

import threading
from typing import Any, Sequence

import numpy as np

from ..tensor import Function, Tensor

__all__ = ["lstm_layer", "gru_layer", "rnn_layer"]


# ============================================================================
# Helpers
# ============================================================================
class _Part(Function):
    """y = buf[start : start + prod(shape)].reshape(shape), a view of one output of a
    kernel's flat buffer;  gbuf = zeros with gy in that range."""

    double_backward = False

    def __init__(self, start: int, shape: tuple) -> None:
        self.start, self.shape = start, shape
        self.stop = start + int(np.prod(shape))

    def forward(self, buf):
        self.size = buf.size
        return buf[self.start:self.stop].reshape(self.shape)

    def backward(self, gy):
        g = np.zeros(self.size, gy.dtype)
        g[self.start:self.stop] = gy.reshape(-1)
        return g


def _parts(buf: Tensor, shapes: Sequence[tuple]) -> list:
    """Cut a kernel's flat output into tensors of the given shapes, in order."""
    out, start = [], 0
    for shape in shapes:
        part = _Part(start, shape)
        out.append(part.apply(buf))
        start = part.stop
    return out


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
    """Shared bookkeeping of the three kernels.

    Inputs, in order: x (N, I), h0 (B, P), [c0 (B, H), LSTM only], W_ih (G, I),
    W_hh (G, P), then b_ih (G,), b_hh (G,) if ``has_bias``, then W_hr (P, H) if
    ``has_proj``. ``forward`` leaves the arrays backward needs in ``self.keep``;
    ``_run`` moves them into ``saved`` when the node is recorded (so the engine frees
    them with the graph) and drops them otherwise.

    When every step has the whole batch (``dense``: no sequence is shorter), the state
    each step starts from is the previous step's output rows, so the stacked previous
    states Hprev are views -- [h0; Y[:-B]] forward, [Y[B:]; h0] reverse -- and are never
    copied; packed batches copy them into Hprev as the steps run.
    """

    double_backward = False
    n_state = 1                     # h0 only; the LSTM adds c0

    def __init__(self, batch_sizes: Sequence[int], reverse: bool, has_bias: bool,
                 has_proj: bool = False) -> None:
        self.batch_sizes = [int(b) for b in batch_sizes]
        self.reverse = reverse
        self.has_bias = has_bias
        self.has_proj = has_proj
        self.dense = self.batch_sizes.count(self.batch_sizes[0]) == len(self.batch_sizes)

    def _weights(self, rest: tuple) -> tuple:
        """(b_ih, b_hh, W_hr) from the optional trailing inputs (None when absent)."""
        b_ih = b_hh = w_hr = None
        if self.has_bias:
            b_ih, b_hh = rest[0], rest[1]
            rest = rest[2:]
        if self.has_proj:
            w_hr = rest[0]
        return b_ih, b_hh, w_hr

    def _with_prev(self, ufunc: np.ufunc, Y: np.ndarray, h0: np.ndarray, prev: Any,
                   other: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out = ufunc(Hprev, other) row by row, Hprev the state each row's step started
        from: ``prev`` (packed) or the shifted rows of Y with h0 (dense)."""
        if prev is not None:
            return ufunc(prev, other, out=out)
        B = h0.shape[0]
        if self.reverse:
            ufunc(Y[B:], other[:-B], out=out[:-B])
            ufunc(h0, other[-B:], out=out[-B:])
        else:
            ufunc(Y[:-B], other[B:], out=out[B:])
            ufunc(h0, other[:B], out=out[:B])
        return out

    def _backward_steps(self) -> list:
        """(first row, batch size, product) of each step in the order backward visits
        them; ``product`` says whether the step must propagate dh through W_hh: not
        the last one when h0 needs no gradient."""
        steps = [(r0, b, True) for r0, b in _steps(self.batch_sizes, not self.reverse)]
        if not self.needs_grad(1):
            steps[-1] = steps[-1][:2] + (False,)
        return steps

    def _prev_matmul(self, dAh: np.ndarray, Y: np.ndarray, h0: np.ndarray,
                     prev: Any) -> np.ndarray:
        """dAh^T @ Hprev (the recurrent weight's gradient), without building Hprev (and
        without the h0 rows when h0 is zero, the default state)."""
        if prev is not None:
            return dAh.T @ prev
        B = h0.shape[0]
        first, rest = (slice(-B, None), slice(None, -B)) if self.reverse else \
            (slice(None, B), slice(B, None))
        g = dAh[rest].T @ (Y[B:] if self.reverse else Y[:-B])
        if h0.any():
            g += dAh[first].T @ h0
        return g

    def _input_grads(self, dA: np.ndarray, dAh: np.ndarray, x: np.ndarray, w_ih: np.ndarray,
                     gw_hh: Any, states: tuple, extra: tuple = ()) -> tuple:
        """The gradients of every input: dA (N, G) the gate gradients on the input side
        (x, W_ih, b_ih), dAh on the recurrent side (b_hh), gw_hh a callable giving W_hh's."""
        need = self.needs_grad
        k = 1 + self.n_state
        grads = (dA @ w_ih if need(0) else None,)
        grads += tuple(s if need(1 + j) else None for j, s in enumerate(states))
        grads += (dA.T @ x if need(k) else None, gw_hh() if need(k + 1) else None)
        if self.has_bias:
            db_ih = dA.sum(axis=0) if need(k + 2) else None
            if not need(k + 3):
                db_hh = None
            elif dAh is dA and db_ih is not None:     # the LSTM and RNN: the same sum
                db_hh = db_ih.copy()
            else:
                db_hh = dAh.sum(axis=0)
            grads += (db_ih, db_hh)
        return grads + extra


def _run(fn: _Recurrence, inputs: Sequence[Tensor], shapes: Sequence[tuple]) -> list:
    """Apply a kernel; keep its activations for backward only if the node was recorded."""
    buf = fn.apply(*inputs)
    if buf._node is fn:
        fn.saved = fn.keep
    fn.keep = None
    return _parts(buf, shapes)


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

    Output buffer: [y (N, P) | h_n (B, P) | c_n (B, H)].
    """

    n_state = 2

    def forward(self, x, h0, c0, w_ih, w_hh, *rest):
        b_ih, b_hh, w_hr = self._weights(rest)
        N, B, H, P = x.shape[0], h0.shape[0], c0.shape[1], h0.shape[1]
        dt = x.dtype
        s = _gate_scale(H, "ssts", dt)                            # i f g o
        shift = 1 - s
        X = x @ (w_ih * s[:, None]).T                             # (N, 4H), halved i, f, o
        if b_ih is not None:
            X += (b_ih + b_hh) * s
        w_hh_s = w_hh * s[:, None]                                # (4H, P), halved i, f, o
        w_hrT = w_hr.T if w_hr is not None else None
        out = np.empty(N * P + B * P + B * H, dt)
        Y = out[:N * P].reshape(N, P)
        h = out[N * P:N * P + B * P].reshape(B, P)
        c = out[N * P + B * P:].reshape(B, H)
        C = np.empty((N, H), dt)             # c after each step
        TC = np.empty((N, H), dt)            # tanh(c)
        R = np.empty((N, H), dt) if w_hr is not None else Y   # o * tanh(c) before W_hr
        packed = not self.dense
        Hprev = np.empty((N, P), dt) if packed else None
        Cprev = np.empty((N, H), dt) if packed else None
        if packed:
            h[...] = h0
            c[...] = c0
        hp, cp = h0, c0
        recT = np.empty((4 * H, B), dt)
        ig = np.empty((B, H), dt)
        H2, H3 = 2 * H, 3 * H
        for r0, b in _steps(self.batch_sizes, self.reverse):
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
        self.keep = (x, h0, c0, w_ih, w_hh, w_hr, X, C, TC, R, Y, Hprev, Cprev)
        return out

    def backward(self, gbuf, x, h0, c0, w_ih, w_hh, w_hr, A, C, TC, R, Y, Hprev, Cprev):
        N, I = x.shape
        B, H, P = h0.shape[0], c0.shape[1], h0.shape[1]
        dt = x.dtype
        gy = gbuf[:N * P].reshape(N, P)
        dhT = gbuf[N * P:N * P + B * P].reshape(B, P).T.copy()   # dh^T (P, B)
        dc = gbuf[N * P + B * P:].reshape(B, H).copy()
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
        self._with_prev(np.multiply, C, c0, Cprev, kf, kf)
        _dtanh_(kg, g)
        kg *= i
        _dsigmoid_(ko, o)
        ko *= TC
        _dtanh_(kc, TC)
        kc *= o
        Kifg = K[:3]
        dA = _workspace("dA", (N, 4 * H), dt)
        dY = _workspace("dY", (N, P), dt) if w_hr is not None else None
        dR = np.empty((B, H), dt) if w_hr is not None else None
        dct = np.empty((B, H), dt)
        dht_buf = np.empty((B, P), dt)
        for r0, b, product in self._backward_steps():
            r1 = r0 + b
            dht = np.add(dhT[:, :b].T, gy[r0:r1], out=dht_buf[:b] if dY is None else dY[r0:r1])
            if w_hr is not None:
                dht = np.matmul(dht, w_hr, out=dR[:b])
            np.multiply(dht, ko[r0:r1], out=dA[r0:r1, H3:])
            d = np.multiply(dht, kc[r0:r1], out=dct[:b])
            d += dc[:b]
            np.multiply(d, Kifg[:, r0:r1], out=_gate_view(dA[r0:r1, :H3], 3))
            np.multiply(d, f[r0:r1], out=dc[:b])
            if product:
                _recurrent_product(w_hhT, dA[r0:r1], dhT)             # dA_t @ W_hh
        extra = ()
        if w_hr is not None:
            extra = (dY.T @ R if self.needs_grad(len(self.parents) - 1) else None,)
        return self._input_grads(dA, dA, x, w_ih,
                                 lambda: self._prev_matmul(dA, Y, h0, Hprev),
                                 (np.ascontiguousarray(dhT.T), dc), extra)


# ============================================================================
# GRU
# ============================================================================
class GRULayer(_Recurrence):
    """One GRU layer-direction over a packed sequence, torch's formulation:
        r = sig(W_ir x + b_ir + W_hr h + b_hr),  z = sig(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h

    Output buffer: [y (N, H) | h_n (B, H)].
    """

    def forward(self, x, h0, w_ih, w_hh, *rest):
        b_ih, b_hh, _ = self._weights(rest)
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
        out = np.empty(N * H + B * H, dt)
        Y = out[:N * H].reshape(N, H)
        h = out[N * H:].reshape(B, H)
        HN = np.empty((N, H), dt)            # W_hn h + b_hn
        packed = not self.dense
        Hprev = np.empty((N, H), dt) if packed else None
        if packed:
            h[...] = h0
        hp = h0
        ghT = np.empty((3 * H, B), dt)
        rhn = np.empty((B, H), dt)
        for r0, b in _steps(self.batch_sizes, self.reverse):
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
        self.keep = (x, h0, w_ih, w_hh, X, HN, Y, Hprev)
        return out

    def backward(self, gbuf, x, h0, w_ih, w_hh, A, HN, Y, Hprev):
        N, B, H = x.shape[0], h0.shape[0], h0.shape[1]
        dt = x.dtype
        gy = gbuf[:N * H].reshape(N, H)
        dhT = gbuf[N * H:].reshape(B, H).T.copy()                 # dh^T (H, B)
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
        kz *= self._with_prev(np.subtract, Y, h0, Hprev, n, _workspace("tmp", (N, H), dt))
        np.multiply(kn, r, out=khn)
        Kh = K[:3]
        dH = _workspace("tmp", (N, H), dt)   # the gradient reaching each step's h
        dAh = _workspace("dAh", (N, 3 * H), dt)
        tmp = np.empty((B, H), dt)
        for r0, b, product in self._backward_steps():
            r1 = r0 + b
            d = np.add(dhT[:, :b].T, gy[r0:r1], out=dH[r0:r1])
            np.multiply(d, Kh[:, r0:r1], out=_gate_view(dAh[r0:r1], 3))
            if product:
                dh = _recurrent_product(w_hhT, dAh[r0:r1], dhT)     # dAh_t @ W_hh
                dh += np.multiply(d, z[r0:r1], out=tmp[:b])
        dA = _workspace("dA", (N, 3 * H), dt)
        dA[:, :H2] = dAh[:, :H2]
        np.multiply(dH, kn, out=dA[:, H2:])
        return self._input_grads(dA, dAh, x, w_ih,
                                 lambda: self._prev_matmul(dAh, Y, h0, Hprev),
                                 (np.ascontiguousarray(dhT.T),))


# ============================================================================
# RNN (tanh or relu)
# ============================================================================
class RNNLayer(_Recurrence):
    """One Elman RNN layer-direction: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act
    tanh or relu.

    Output buffer: [y (N, H) | h_n (B, H)].
    """

    def __init__(self, batch_sizes: Sequence[int], reverse: bool, has_bias: bool,
                 nonlinearity: str = "tanh") -> None:
        super().__init__(batch_sizes, reverse, has_bias)
        self.relu = nonlinearity == "relu"

    def forward(self, x, h0, w_ih, w_hh, *rest):
        b_ih, b_hh, _ = self._weights(rest)
        N, B, H = x.shape[0], h0.shape[0], h0.shape[1]
        out = np.empty(N * H + B * H, x.dtype)
        Y = out[:N * H].reshape(N, H)
        h = out[N * H:].reshape(B, H)
        np.matmul(x, w_ih.T, out=Y)          # the input side of every step, in place
        if b_ih is not None:
            Y += b_ih + b_hh
        packed = not self.dense
        Hprev = np.empty((N, H), x.dtype) if packed else None
        if packed:
            h[...] = h0
        hp = h0
        recT = np.empty((H, B), x.dtype)
        for r0, b in _steps(self.batch_sizes, self.reverse):
            r1 = r0 + b
            a = Y[r0:r1]
            if packed:
                hp = h[:b]
                Hprev[r0:r1] = hp
            a += _recurrent_product(w_hh, hp, recT)
            if self.relu:
                np.maximum(a, 0, out=a)
            else:
                np.tanh(a, out=a)
            if packed:
                hp[...] = a
            else:
                hp = a
        if not packed:
            h[...] = hp
        self.keep = (x, h0, w_ih, w_hh, Y, Hprev)
        return out

    def backward(self, gbuf, x, h0, w_ih, w_hh, Y, Hprev):
        N, B, H = x.shape[0], h0.shape[0], h0.shape[1]
        gy = gbuf[:N * H].reshape(N, H)
        dhT = gbuf[N * H:].reshape(B, H).T.copy()     # dh^T (H, B)
        w_hhT = np.ascontiguousarray(w_hh.T)
        D = _workspace("K", (N, H), x.dtype)           # act'
        if self.relu:
            np.greater(Y, 0, out=D)
        else:
            _dtanh_(D, Y)
        dA = _workspace("dA", (N, H), x.dtype)
        for r0, b, product in self._backward_steps():
            r1 = r0 + b
            d = np.add(dhT[:, :b].T, gy[r0:r1], out=dA[r0:r1])
            d *= D[r0:r1]
            if product:
                _recurrent_product(w_hhT, d, dhT)                 # d @ W_hh
        return self._input_grads(dA, dA, x, w_ih,
                                 lambda: self._prev_matmul(dA, Y, h0, Hprev),
                                 (np.ascontiguousarray(dhT.T),))


# ============================================================================
# The functions the layers call
# ============================================================================
def _bias_proj(b_ih: Tensor | None, b_hh: Tensor | None, w_hr: Tensor | None = None) -> tuple:
    return ((b_ih, b_hh) if b_ih is not None else ()) + ((w_hr,) if w_hr is not None else ())


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
    N, B, H, P = x.shape[0], h0.shape[0], c0.shape[1], h0.shape[1]
    fn = LSTMLayer(batch_sizes, reverse, b_ih is not None, w_hr is not None)
    return _run(fn, (x, h0, c0, w_ih, w_hh) + _bias_proj(b_ih, b_hh, w_hr),
                [(N, P), (B, P), (B, H)])


def gru_layer(x: Tensor, h0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
              b_hh: Tensor | None, batch_sizes: Sequence[int], reverse: bool = False) -> tuple:
    """One GRU layer-direction (gates r, z, n); returns (y (N, H), h_n (B, H)).
    Arguments as ``lstm_layer``."""
    N, B, H = x.shape[0], h0.shape[0], h0.shape[1]
    fn = GRULayer(batch_sizes, reverse, b_ih is not None)
    return _run(fn, (x, h0, w_ih, w_hh) + _bias_proj(b_ih, b_hh), [(N, H), (B, H)])


def rnn_layer(x: Tensor, h0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
              b_hh: Tensor | None, batch_sizes: Sequence[int], reverse: bool = False,
              nonlinearity: str = "tanh") -> tuple:
    """One Elman RNN layer-direction (``nonlinearity`` 'tanh' or 'relu'); returns
    (y (N, H), h_n (B, H)). Arguments as ``lstm_layer``."""
    N, B, H = x.shape[0], h0.shape[0], h0.shape[1]
    fn = RNNLayer(batch_sizes, reverse, b_ih is not None, nonlinearity)
    return _run(fn, (x, h0, w_ih, w_hh) + _bias_proj(b_ih, b_hh), [(N, H), (B, H)])
