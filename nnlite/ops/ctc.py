"""ctc_loss: the Connectionist Temporal Classification loss (Graves et al. 2006), with
PyTorch's arguments and maths. The module ``CTCLoss`` is in ``nn/loss.py``.

Notation:
    lp      log_probs, (T, N, C): log-probabilities of the C classes (``blank`` one of
            them) at each of T time steps, for N sequences (``log_softmax`` outputs)
    T_n     input_lengths[n] <= T, the time steps of sequence n
    l       the target of sequence n, S_n = target_lengths[n] labels (no blanks)
    l'      l with blanks around and between its labels: length L_n = 2 S_n + 1,
            l'_s = blank for even s, l_{(s - 1) / 2} for odd s
    alpha   alpha_t(s) = log of the summed probability of the alignments of l'_0..s with
            lp_0..t ending in l'_s at t (the forward variable, includes lp_t(l'_s))
    beta    beta_t(s): the same for l'_s..L_n-1 and lp_t..T_n-1 starting in l'_s at t
    nll     -log p(l | x) = -logsumexp(alpha_{T_n-1}(L_n - 1), alpha_{T_n-1}(L_n - 2))

The recursions, in log space (lse = logsumexp, a term counted only where allowed):

    alpha_0(0) = lp_0(blank),  alpha_0(1) = lp_0(l_0)
    alpha_t(s) = lp_t(l'_s) + lse(alpha_{t-1}(s), alpha_{t-1}(s-1),
                                  alpha_{t-1}(s-2) if l'_s != blank and l'_s != l'_{s-2})
    beta_{T_n-1}(L_n-1) = lp(blank),  beta_{T_n-1}(L_n-2) = lp(l_{S_n-1})
    beta_t(s)  = lp_t(l'_s) + lse(beta_{t+1}(s), beta_{t+1}(s+1),
                                  beta_{t+1}(s+2) if l'_s != blank and l'_s != l'_{s+2})

The gradient is torch's (which assumes log_probs come from a log_softmax over C: its
``exp(lp)`` term is the one log_softmax's backward removes, so the gradient of the
logits is exact):

    g_t(c) = exp(lp_t(c)) - exp(lse_{s: l'_s = c}(alpha_t(s) + beta_t(s)) + nll - lp_t(c))

for t < T_n, 0 after. The recursions loop over time steps only; every step is one
array operation over the batch and the positions s. With ``zero_infinity`` an infinite
loss (no alignment fits in T_n steps) and its gradient become 0.

Reductions: 'none' the (N,) losses; 'sum' their sum; 'mean' the mean over the batch of
each loss divided by its target length (clamped to >= 1), as torch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..factories import as_tensor
from ..tensor import Tensor
from .loss import check_reduction

__all__ = ["ctc_loss"]


def _lse(*terms: np.ndarray) -> np.ndarray:
    """Elementwise logsumexp of arrays of one shape (-inf where all are -inf)."""
    m = terms[0]
    for a in terms[1:]:
        m = np.maximum(m, a)
    safe = np.where(np.isfinite(m), m, 0)
    s = sum(np.exp(a - safe) for a in terms)
    with np.errstate(divide="ignore"):
        return np.log(s) + safe


def _shift(a: np.ndarray, k: int, fill: float) -> np.ndarray:
    """a moved k places along the last axis (right for k > 0), ``fill`` where emptied."""
    out = np.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CTCLossFn(Function):
    """nll_n = -log p(l_n | x_n) by the forward recursion;
    g_t(c) = gy_n (exp(lp_t(c)) - exp(lse_{l'_s = c}(alpha + beta) + nll_n - lp_t(c)))
    for t < T_n (torch's gradient, exact for the logits of a log_softmax)"""

    @staticmethod
    def forward(ctx, lp, ext, in_len, tgt_len, blank, zero_infinity):
        T, N, C = lp.shape
        L = ext.shape[1]
        neg = lp.dtype.type(-np.inf)
        rows = np.arange(N)[:, None]
        emit = lp[:, rows, ext]                                   # (T, N, L): lp_t(l'_s)
        s_idx = np.arange(L)
        ext_len = 2 * tgt_len + 1                                 # L_n
        inside = s_idx[None, :] < ext_len[:, None]                # (N, L)
        # the skip s-2 -> s: a label different from the label two places before
        skip = np.zeros((N, L), bool)
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        alpha = np.full((T, N, L), neg, lp.dtype)
        alpha[0, :, 0] = emit[0, :, 0]
        if L > 1:
            alpha[0, :, 1] = np.where(tgt_len > 0, emit[0, :, 1], neg)
        alpha[0] = np.where(inside & (in_len[:, None] > 0), alpha[0], neg)
        for t in range(1, T):
            prev = alpha[t - 1]
            a = _lse(prev, _shift(prev, 1, neg), np.where(skip, _shift(prev, 2, neg), neg))
            live = (t < in_len)[:, None] & inside
            alpha[t] = np.where(live, a + emit[t], neg)
        last = np.maximum(in_len - 1, 0)
        end = alpha[last, np.arange(N)]                           # (N, L) at t = T_n - 1
        fin = np.take_along_axis(end, (ext_len - 1)[:, None], 1)[:, 0]
        fin2 = np.take_along_axis(end, np.maximum(ext_len - 2, 0)[:, None], 1)[:, 0]
        nll = -_lse(fin, np.where(tgt_len > 0, fin2, neg))
        ctx.save_for_backward(lp)
        ctx.state = (ext, emit, alpha, skip, inside, in_len, ext_len, nll, zero_infinity)
        if zero_infinity:
            nll = np.where(np.isinf(nll), 0, nll).astype(lp.dtype)
        return nll.astype(lp.dtype, copy=False)

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        (lp,) = ctx.saved_tensors
        ext, emit, alpha, skip, inside, in_len, ext_len, nll, zero_infinity = ctx.state
        T, N, C = lp.shape
        L = ext.shape[1]
        neg = lp.dtype.type(-np.inf)
        s_idx = np.arange(L)
        # the skip s -> s+2, as seen from s: the skip into s+2 is allowed
        skip_fwd = _shift(skip, -2, False)
        beta = np.full((T, N, L), neg, lp.dtype)
        for t in range(T - 1, -1, -1):
            start = (t == in_len - 1)[:, None] & ((s_idx == ext_len[:, None] - 1)
                                                   | (s_idx == ext_len[:, None] - 2))
            if t + 1 < T:
                nxt = beta[t + 1]
                b = _lse(nxt, _shift(nxt, -1, neg), np.where(skip_fwd, _shift(nxt, -2, neg),
                                                             neg)) + emit[t]
            else:
                b = np.full((N, L), neg, lp.dtype)
            live = (t < in_len - 1)[:, None] & inside
            beta[t] = np.where(start & inside, emit[t], np.where(live, b, neg))
        ab = alpha + beta                                         # (T, N, L)
        m = ab.max(axis=2, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        onehot = (ext[:, :, None] == np.arange(C)).astype(lp.dtype)        # (N, L, C)
        summed = np.einsum("tnl,nlc->tnc", np.exp(ab - m), onehot)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            lcab = np.log(summed) + m                             # lse over l'_s = c
            g = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
        g = np.where((np.arange(T)[:, None] < in_len[None, :])[:, :, None], g, 0)
        if zero_infinity:
            g = np.where(np.isinf(nll)[None, :, None], 0, g)
        return (g * gy[None, :, None]).astype(lp.dtype, copy=False), None, None, None, None, \
            None


def _lengths(v: Any, name: str, n: int, fn: str) -> np.ndarray:
    a = v.array if isinstance(v, Tensor) else np.asarray(v)
    if a.dtype.kind not in "iu":
        raise TypeError(f"{fn}: {name} must be integers, got dtype {a.dtype}")
    a = a.astype(np.int64).reshape(-1)
    if a.shape != (n,):
        raise ValueError(f"{fn}: {name} must have one entry per sequence ({n}), got shape "
                         f"{np.shape(v)}")
    return a


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The CTC loss: the negative log-likelihood of each target sequence summed over all
    its alignments with the input sequence. See :class:`CTCLoss`.

    Args:
        log_probs (Tensor): (T, N, C), or (T, C) unbatched: log-probabilities (e.g.
            ``log_softmax(x, dim=2)``), floating.
        targets (Tensor): (N, S) padded targets, or the targets concatenated into one
            1-D tensor of ``sum(target_lengths)`` entries; (S,) unbatched. Integer
            class indices, never ``blank``.
        input_lengths (Tensor or sequence of ints): (N,), each <= T.
        target_lengths (Tensor or sequence of ints): (N,), each <= S.
        blank (int): the blank class. Default: 0.
        reduction (str): 'none' | 'mean' | 'sum'. Default: 'mean'.
        zero_infinity (bool): make infinite losses (and their gradients) 0. Default: False.

    Shape:
        output: a scalar; with ``reduction='none'``, (N,), or () unbatched.

    Example:
        >>> lp = nl.randn(50, 4, 20, requires_grad=True).log_softmax(2)
        >>> targets = nl.randint(1, 20, (4, 10))
        >>> F.ctc_loss(lp, targets, [50] * 4, [10, 8, 9, 10]).backward()
    """
    fn = "ctc_loss"
    reduction = check_reduction(reduction, fn)
    lp = as_tensor(log_probs)
    if lp.dtype.kind != "f":
        raise TypeError(f"{fn}: log_probs must be floating, got dtype {lp.dtype}")
    if lp.ndim not in (2, 3):
        raise ValueError(f"{fn}: log_probs must be (T, N, C) or (T, C) unbatched, got shape "
                         f"{tuple(lp.shape)}")
    unbatched = lp.ndim == 2
    lp3 = lp.unsqueeze(1) if unbatched else lp
    T, N, C = lp3.shape
    if not 0 <= blank < C:
        raise ValueError(f"{fn}: blank must be in label range [0, {C}), got {blank}")
    tg = targets.array if isinstance(targets, Tensor) else np.asarray(targets)
    if tg.dtype.kind not in "iu":
        raise TypeError(f"{fn}: targets must be integer class indices, got dtype {tg.dtype}")
    in_len = _lengths(input_lengths, "input_lengths", N, fn)
    tgt_len = _lengths(target_lengths, "target_lengths", N, fn)
    if np.any(in_len < 0) or np.any(in_len > T):
        raise ValueError(f"{fn}: input_lengths must be in [0, {T}] (T, log_probs shape "
                         f"{tuple(lp.shape)}), got {in_len.tolist()}")
    if np.any(tgt_len < 0):
        raise ValueError(f"{fn}: target_lengths must be non-negative, got {tgt_len.tolist()}")
    S = int(tgt_len.max()) if N else 0
    padded = np.zeros((N, S), np.int64)
    if unbatched or tg.ndim == 2:
        tg2 = tg.reshape(1, -1) if unbatched else tg
        if tg2.shape[0] != N or (S and tg2.shape[1] < S):
            raise ValueError(f"{fn}: targets of shape {tg.shape} do not hold {N} sequences "
                             f"of target_lengths {tgt_len.tolist()}")
        padded[:, :S] = tg2[:, :S]
        used = np.arange(S)[None, :] < tgt_len[:, None]
    elif tg.ndim == 1:
        if tg.shape[0] != tgt_len.sum():
            raise ValueError(f"{fn}: concatenated targets of shape {tg.shape} must have "
                             f"sum(target_lengths) = {int(tgt_len.sum())} entries")
        used = np.arange(S)[None, :] < tgt_len[:, None]
        padded[used] = tg
    else:
        raise ValueError(f"{fn}: targets must be (N, S) or 1-D, got shape {tg.shape}")
    if np.any(used & ((padded < 0) | (padded >= C) | (padded == blank))):
        raise IndexError(f"{fn}: target labels must be in [0, {C}) and differ from blank "
                         f"({blank})")
    ext = np.full((N, 2 * S + 1), blank, np.int64)                # l' (padded with blanks)
    ext[:, 1::2] = padded
    nll = CTCLossFn.apply(lp3, ext, in_len, tgt_len, blank, bool(zero_infinity))
    if reduction == "mean":
        return (nll / np.maximum(tgt_len, 1).astype(lp.dtype)).mean()
    if reduction == "sum":
        return nll.sum()
    return nll.reshape(()) if unbatched else nll
