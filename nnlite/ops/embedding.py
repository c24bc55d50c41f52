"""Lookup tables: ``embedding`` / ``Embedding`` and ``embedding_bag`` / ``EmbeddingBag``,
with PyTorch's names, arguments and maths.

Notation:
    V       num_embeddings (rows of the table W);  D  embedding_dim
    ids     integer token ids of any shape S, each in [0, V)
    y       W[ids], shape S + (D,)
    bags    groups of ids reduced to one vector each (EmbeddingBag): B bags, output (B, D)

The lookup's backward scatters the incoming rows into a zero (V, D) gradient. Ids repeat,
so the scatter must add. After a sort, the ids that occur once are written with one
fancy assignment and the rows of repeated ids summed by one ``np.add.at`` on the
flattened table with flat indices ``id * D + column`` (when most ids repeat, that one
``add.at`` takes every row): of the scatters tried, the fastest (benchmarks/NOTES.md).

``padding_idx`` rows get no gradient; ``max_norm`` rescales, in place and before the
lookup, every looked-up row whose ``norm_type``-norm exceeds it to norm
``max_norm / (norm + 1e-7) * norm`` (torch's ``embedding_renorm_``), so an array that an
earlier node saved from the same weight changes too, as in torch. ``scale_grad_by_freq``
divides each row's gradient by the number of times its id occurs in the input.
``sparse=True`` is accepted for PyTorch compatibility; nnlite's gradients are always
dense arrays.

Sections: helpers -- embedding -- embedding_bag. (The layers are in ``nn/sparse.py``.)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor
from ..factories import as_tensor

__all__ = ["embedding", "embedding_bag"]


# ============================================================================
# Helpers: ids, padding_idx, renormalisation, the scatter
# ============================================================================
def _ids(input: Any, V: int, fn: str) -> np.ndarray:
    """The token ids as an integer array, checked against [0, V)."""
    ids = input.array if isinstance(input, Tensor) else np.asarray(input)
    if ids.dtype.kind not in "iu":
        if ids.size == 0 and ids.dtype.kind == "f":      # [] arrives as float64
            return ids.astype(np.int64)
        raise TypeError(f"{fn}: input must hold integer token ids (int64/int32), got dtype "
                        f"{ids.dtype}")
    if ids.size:
        lo, hi = int(ids.min()), int(ids.max())
        if lo < 0 or hi >= V:
            raise IndexError(f"{fn}: token ids must be in [0, {V - 1}] (num_embeddings={V}), "
                             f"got ids in [{lo}, {hi}]")
    return ids


def padding_index(padding_idx: Any, V: int, fn: str) -> int | None:
    """A padding index in [-V, V) as a row number in [0, V), or None."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)):
        raise TypeError(f"{fn}: padding_idx must be an int or None, got {padding_idx!r}")
    if not -V <= padding_idx < V:
        raise ValueError(f"{fn}: padding_idx must be within num_embeddings, i.e. in "
                         f"[{-V}, {V - 1}] for num_embeddings={V}, got {padding_idx}")
    return int(padding_idx) % V


def _weight(weight: Any, fn: str) -> Tensor:
    weight = as_tensor(weight)
    if weight.ndim != 2:
        raise ValueError(f"{fn}: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {weight.shape}")
    if weight.dtype.kind != "f":
        raise TypeError(f"{fn}: weight must be floating, got dtype {weight.dtype}")
    return weight


def _renorm_(w: np.ndarray, ids: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale in place the rows ``ids`` of ``w`` whose norm exceeds ``max_norm``."""
    rows = np.unique(ids)
    if rows.size == 0:
        return
    sel = w[rows]
    norms = np.linalg.norm(sel.astype(np.float64, copy=False), ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[rows[big]] = sel[big] * scale[:, None]


def _scatter_rows(g: np.ndarray, ids: np.ndarray, V: int) -> np.ndarray:
    """zeros (V, D) with each row g[k] added at row ids[k] (ids repeat: the adds add up).

    Ids that occur once are written with one fancy assignment; the rows of repeated ids
    are summed by one ``np.add.at`` on the flattened table, with flat indices
    ``id * D + column`` (see the module docstring for the measurements)."""
    D = g.shape[-1]
    out = np.zeros((V, D), g.dtype)
    ids, g = ids.reshape(-1), g.reshape(-1, D)
    if ids.size == 0:
        return out
    order = np.argsort(ids, kind="stable")
    s = ids[order]
    same = s[1:] == s[:-1]
    repeated = np.zeros(s.size, bool)
    repeated[1:] = same
    repeated[:-1] |= same
    n_rep = int(np.count_nonzero(repeated))
    if 2 * n_rep > ids.size:                          # mostly repeats: one add.at for all
        rep = slice(None)
    else:
        once = order[~repeated]
        out[ids[once]] = g[once]
        rep = order[repeated]
    if n_rep:
        flat = (ids[rep].reshape(-1, 1) * D + np.arange(D)).reshape(-1)
        np.add.at(out.reshape(-1), flat, g[rep].reshape(-1))
    return out


def _row_scale(ids: np.ndarray, padding_idx: int | None, scale_grad_by_freq: bool,
               V: int, dtype: np.dtype) -> np.ndarray | None:
    """The factor each looked-up row's gradient is multiplied by (None: all ones): 0 at
    padding_idx, 1 / count(id) with scale_grad_by_freq."""
    if padding_idx is None and not scale_grad_by_freq:
        return None
    s = np.ones(ids.shape, dtype)
    if scale_grad_by_freq:
        counts = np.bincount(ids.reshape(-1), minlength=V)
        s = np.asarray(1.0 / counts[ids], dtype)
    if padding_idx is not None:
        s[ids == padding_idx] = 0
    return s


# ============================================================================
# embedding
# ============================================================================
class EmbeddingLookup(Function):
    """y = W[ids];  gW = zeros (V, D) with gy's rows (times the row scale s) added at ids.

    The scatter is itself an op (``EmbeddingScatter``) whose backward is this gather, so
    the rule can be differentiated again."""

    @staticmethod
    def forward(ctx, w, ids, scale):
        ctx.save_for_backward(ids, scale)
        ctx.V = w.shape[0]
        return w[ids]

    @staticmethod
    def backward(ctx, gy):
        ids, scale = ctx.saved_tensors
        return EmbeddingScatter.apply(gy, ids, scale, ctx.V)


class EmbeddingScatter(Function):
    """y = zeros (V, D) with g[..., :] * s added at rows ids;  gg = gy[ids] * s."""

    @staticmethod
    def forward(ctx, g, ids, scale, V):
        ctx.save_for_backward(ids, scale)
        if scale is not None:
            g = g * scale[..., None]
        return _scatter_rows(g, ids, V)

    @staticmethod
    def backward(ctx, gy):
        ids, scale = ctx.saved_tensors
        gg = EmbeddingLookup.apply(gy, ids, None)
        if scale is not None:
            gg = gg * scale.reshape(scale.shape + (1,))
        return gg


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up the rows ``weight[input]``.

    Args:
        input (Tensor or array of ints): token ids of any shape S, in [0, V).
        weight (Tensor): (V, D), the table.
        padding_idx (int, optional): this row receives no gradient. Default: None.
        max_norm (float, optional): rescale in place every looked-up row whose norm
            exceeds it (see the module docstring). Default: None.
        norm_type (float): the p of the norm for ``max_norm``. Default: 2.0.
        scale_grad_by_freq (bool): divide each row's gradient by its id's count in the
            input. Default: False.
        sparse (bool): accepted for PyTorch compatibility; gradients are dense.

    Shape:
        input S -> output S + (D,).

    Raises:
        TypeError: for non-integer ids.
        IndexError: for ids outside [0, V).

    Example:
        >>> F.embedding(nl.tensor([[0, 2], [1, 1]]), nl.randn(3, 4)).shape
        (2, 2, 4)
    """
    w = _weight(weight, "embedding")
    V = w.shape[0]
    ids = _ids(input, V, "embedding")
    pad = padding_index(padding_idx, V, "embedding")
    if max_norm is not None:
        _renorm_(w.array, ids, float(max_norm), float(norm_type))
    return EmbeddingLookup.apply(w, ids, _row_scale(ids, pad, scale_grad_by_freq, V, w.dtype))


# ============================================================================
# embedding_bag
# ============================================================================
class EmbeddingBagReduce(Function):
    """out[b] = the reduction over the entries e of bag b of W[ids[e]].

    ``ids`` and ``seg`` (the bag of each entry, non-decreasing) hold the non-padding
    entries only; ``starts`` is the first entry of each non-empty bag, ``nonempty`` their
    bag numbers and ``dense`` each entry's rank among the non-empty bags. Empty bags give
    zeros. With ``psw`` the per-sample weights and ``freq`` the optional
    1 / count(id) factor of ``scale_grad_by_freq``:

        sum:   out[b] = sum_e psw_e W[ids_e]   gW[ids_e] += psw_e freq_e gy[b]
                                               gpsw_e = <gy[b], W[ids_e]>
        mean:  out[b] = sum_e W[ids_e] / n_b   gW[ids_e] += freq_e gy[b] / n_b
        max:   out[b, d] = max_e W[ids_e, d]   gW[ids_e*, d] += gy[b, d], e* the first
                                               entry of the bag reaching the max
    Bags are reduced with ``np.add.reduceat`` / ``np.maximum.reduceat`` over the sorted
    entries; the weight gradient is one scatter (``_scatter_rows``).
    """

    @staticmethod
    def forward(ctx, w, psw, ids, seg, starts, nonempty, dense, B, mode, coef, freq):
        ctx.mode = mode
        out = np.zeros((B, w.shape[1]), w.dtype)
        if ids.size == 0:
            ctx.save_for_backward(w, psw, ids, seg, nonempty, None, coef, freq)
            return out
        rows = w[ids]                                               # (n, D)
        if mode == "max":
            best = np.maximum.reduceat(rows, starts, axis=0)        # (non-empty bags, D)
            out[nonempty] = best
            n = rows.shape[0]
            first = np.where(rows == best[dense], np.arange(n)[:, None], n)
            arg = np.minimum.reduceat(first, starts, axis=0)
            ctx.save_for_backward(w, psw, ids, seg, nonempty, arg, coef, freq)
            return out
        ctx.save_for_backward(w, psw, ids, seg, nonempty, None, coef, freq)
        if psw is not None:
            rows *= psw[:, None]
        if coef is not None:                                        # mean: 1 / n_b
            rows *= coef[:, None]
        out[nonempty] = np.add.reduceat(rows, starts, axis=0)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        w, psw, ids, seg, nonempty, arg, coef, freq = ctx.saved_tensors
        want = ctx.needs_input_grad
        V, D = w.shape
        gw = gpsw = None
        if ids.size == 0:
            gw = np.zeros((V, D), gy.dtype)
        elif ctx.mode == "max":
            rows_of = ids[arg]                                      # (non-empty bags, D)
            gw = np.zeros((V, D), gy.dtype)
            flat = (rows_of * D + np.arange(D)).reshape(-1)
            np.add.at(gw.reshape(-1), flat, gy[nonempty].reshape(-1))
        else:
            g = gy[seg]                                             # (n, D)
            if psw is not None and want[1]:
                gpsw = np.einsum("nd,nd->n", g, w[ids])
            if want[0]:
                scale = coef
                for f in (psw, freq):
                    if f is not None:
                        scale = f if scale is None else scale * f
                gw = _scatter_rows(g if scale is None else g * scale[:, None], ids, V)
        return gw, gpsw


BAG_MODES = ("sum", "mean", "max")


def _bags(ids: np.ndarray, offsets: Any, include_last_offset: bool, fn: str) -> tuple:
    """(flat ids (n,), bag of each id (n,), number of bags B) for 2-D or 1-D + offsets
    input."""
    if ids.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{fn}: if input is 2-D (B, L), offsets must be None (each row "
                             f"is a bag), got offsets")
        B, L = ids.shape
        return ids.reshape(-1), np.repeat(np.arange(B), L), B
    if ids.ndim != 1:
        raise ValueError(f"{fn}: input has to be 1-D (with offsets) or 2-D (B, L), got shape "
                         f"{ids.shape}")
    if offsets is None:
        raise ValueError(f"{fn}: offsets has to be a 1-D tensor when input is 1-D, got None")
    off = offsets.array if isinstance(offsets, Tensor) else np.asarray(offsets)
    if off.ndim != 1 or (off.size and off.dtype.kind not in "iu"):
        raise TypeError(f"{fn}: offsets must be a 1-D integer tensor, got dtype {off.dtype} "
                        f"and shape {off.shape}")
    n = ids.shape[0]
    if off.size and off[0] != 0:
        raise ValueError(f"{fn}: offsets[0] has to be 0, i.e., the first sequence in the "
                         f"mini-batch has to start from position 0. However, got {off[0]}")
    if off.size and (np.any(np.diff(off) < 0) or off[-1] > n):
        raise ValueError(f"{fn}: offsets must be non-decreasing and at most the input length "
                         f"{n}, got {off.tolist()}")
    starts = off[:-1] if include_last_offset else off
    B = len(starts)
    end = int(off[-1]) if include_last_offset and off.size else n
    seg = np.searchsorted(starts, np.arange(end), side="right") - 1
    return ids[:end], seg, B


def embedding_bag(input: Any, weight: Tensor, offsets: Any = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxes of bags of embeddings, without materialising the lookups'
    graph (one node).

    Args:
        input (Tensor of ints): (B, L), B bags of L ids; or 1-D, the ids of all bags
            one after the other, split by ``offsets``.
        weight (Tensor): (V, D), the table.
        offsets (Tensor of ints, optional): with 1-D input, the start of each bag
            (offsets[0] == 0, non-decreasing). Default: None.
        max_norm, norm_type, scale_grad_by_freq, sparse: as ``embedding``
            (scale_grad_by_freq is not supported in 'max' mode).
        mode (str): 'sum', 'mean' or 'max'. Default: 'mean'.
        per_sample_weights (Tensor, optional): same shape as input, weights of each id;
            'sum' mode only. Default: None.
        include_last_offset (bool): offsets has B + 1 entries, the last the end of the
            last bag. Default: False.
        padding_idx (int, optional): ids equal to it are left out of their bag (and of the
            mean's count); an empty bag gives zeros. Default: None.

    Shape:
        output (B, D).

    Example:
        >>> w = nl.randn(10, 3)
        >>> F.embedding_bag(nl.tensor([1, 2, 4, 5, 4, 3, 2, 9]), w, nl.tensor([0, 4])).shape
        (2, 3)
    """
    fn = "embedding_bag"
    w = _weight(weight, fn)
    V, D = w.shape
    if mode not in BAG_MODES:
        raise ValueError(f"{fn}: mode has to be one of 'sum', 'mean' or 'max', got {mode!r}")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError(f"{fn}: max mode does not support scaling the gradient by the "
                         f"frequency (scale_grad_by_freq=True)")
    ids = _ids(input, V, fn)
    pad = padding_index(padding_idx, V, fn)
    psw = None
    if per_sample_weights is not None:
        if mode != "sum":
            raise ValueError(f"{fn}: per_sample_weights was not None. per_sample_weights is "
                             f"only supported for mode='sum' (got mode={mode!r}). Please "
                             f"open a feature request on the Github.")
        psw = as_tensor(per_sample_weights)
        if psw.shape != ids.shape:
            raise ValueError(f"{fn}: per_sample_weights must have the shape of input "
                             f"{ids.shape}, got {psw.shape}")
        if psw.dtype != w.dtype:
            raise TypeError(f"{fn}: per_sample_weights has dtype {psw.dtype} but weight is "
                            f"{w.dtype}")
    flat, seg, B = _bags(ids, offsets, include_last_offset, fn)
    if max_norm is not None:
        _renorm_(w.array, flat, float(max_norm), float(norm_type))
    keep = np.flatnonzero(flat != pad) if pad is not None else None
    if keep is not None:
        flat, seg = flat[keep], seg[keep]
    new_bag = np.ones(seg.size, bool)
    new_bag[1:] = seg[1:] != seg[:-1]
    starts = np.flatnonzero(new_bag)
    coef = freq = None
    if mode == "mean":
        coef = (1.0 / np.bincount(seg, minlength=B)[seg]).astype(w.dtype)
    if scale_grad_by_freq:
        freq = (1.0 / np.bincount(flat, minlength=V)[flat]).astype(w.dtype)
    if psw is not None:
        psw = psw.reshape(-1)
        if psw.shape[0] != flat.size:             # entries dropped (padding, past the end)
            psw = psw[keep if keep is not None else slice(0, flat.size)]
    return EmbeddingBagReduce.apply(w, psw, flat, seg, starts, seg[starts],
                                    np.cumsum(new_bag) - 1, B, mode, coef, freq)
