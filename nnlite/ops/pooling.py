"""Pooling over 1-D and 2-D windows: max, average, power-average (LP), adaptive average
and adaptive max, and max-unpooling; torch's ``F.*_pool*d`` signatures and semantics.

Notation (1-D pooling is 2-D pooling of a height-1 image with a height-1 kernel):

    NC            number of planes: every leading dim (N*C, or C when unbatched)
    H, W          input height and width
    KH, KW        kernel size        SH, SW  stride (default: the kernel size)
    PH, PW        padding            DH, DW  dilation
    OH, OW        output size: OH = (H + 2PH - DH(KH-1) - 1 [+ SH-1 if ceil_mode]) // SH + 1,
                  and with ceil_mode the last window must start inside the input or the
                  left padding, else it is dropped (torch's rule)

Output (i, j) pools the input rows i*SH - PH + kh*DH and columns j*SW - PW + kw*DW, for
the kernel offsets (kh, kw).

The phase layout (how windows are vectorised). NumPy ufuncs are fast on contiguous
memory and several times slower on strided views, so the padded input is split once by
row residue mod SH and column residue mod SW into SH*SW contiguous *phase planes*::

    Z[a, b][nc, q, r] = x_padded[nc, q*SH + a, r*SW + b]        each plane (NC, HQ, WQ)

Kernel offset (kh, kw) then reads phase (kh*DH % SH, kw*DW % SW) shifted by
(kh*DH // SH, kw*DW // SW) rows and columns: output (nc, i, j) sits at flat index
(nc*HQ + i)*WQ + j of an (NC, HQ, WQ) grid, so the values of one offset for many planes
at once are one contiguous 1-D slice ``Zflat[phase, shift : shift + L]``. A forward is a
loop over the KH*KW offsets of one ufunc each (running max + argmax offset, or running
sum); a backward adds each offset's share of the gradient into the shifted slice of its
phase plane and merges the planes back. Grid columns j >= OW and rows i >= OH are
scratch (they read the next row's values) and are cropped; the gradient is zero there.
Non-overlapping pooling (stride = kernel, no padding) is the case of one offset per
phase and no shift: no accumulation, the planes are written directly.

The planes are processed in blocks of ~64K grid positions (``_BLOCK``) so that a block's
phase planes, running max and argmax stay in cache during the KH*KW passes; measured
2-2.5x faster than passes over the whole batch, which stream every array from memory
KH*KW times. No loop runs over output positions.

Max pooling keeps, per output, the offset k = kh*KW + kw of the first maximum in
row-major window order (torch's tie rule: a later element wins only if strictly
greater), as uint8; ``return_indices`` turns it into torch's flat index row*W + col into
each input plane.

Sections: arguments -- the phase layout -- array kernels -- Functions -- functions.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor, is_grad_enabled
from .arguments import (check_divisor_override, ntuple, out_size, pool_window,
                        transposed_out_size)
from ._util import keep_where, unsupported
from . import buffers as _buf
from .arithmetic import neg as _neg, pow as _pow
from .pointwise import abs as _abs

# ============================================================================
# Arguments and output sizes
# ============================================================================


def _spatial(x: Tensor, sd: int, op: str) -> tuple:
    """Check the input rank and sizes; return (lead shape, (H, W))."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    if x.ndim not in (sd + 1, sd + 2):
        names = "(C, L) or (N, C, L)" if sd == 1 else "(C, H, W) or (N, C, H, W)"
        raise ValueError(f"{op}: expected a {sd + 1}-D or {sd + 2}-D input {names}, got "
                         f"shape {x.shape}")
    if any(n == 0 for n in x.shape[-sd - 1:]):
        raise ValueError(f"{op}: expected non-empty channel and spatial dims, got input of "
                         f"shape {x.shape} (only the batch dim may be 0)")
    if x.dtype.kind != "f":
        raise unsupported(op, x.dtype, f"{op}: expected a floating input, got dtype "
                          f"{x.dtype}")
    hw = x.shape[-sd:]
    return x.shape[:-sd], ((1,) + hw if sd == 1 else hw)


def _window_args(x: Tensor, sd: int, op: str, kernel_size: Any, stride: Any, padding: Any,
                 dilation: Any, ceil_mode: bool) -> tuple:
    """Validate the window arguments as torch does and compute the output size.

    Returns (lead, (H, W), k, s, p, d, (OH, OW)), all as 2-tuples (1-D: height 1)."""
    lead, hw = _spatial(x, sd, op)
    k, s, p, d = pool_window(kernel_size, stride, padding, dilation, sd, op)
    if sd == 1:
        k, s, p, d = (1,) + k, (1,) + s, (0,) + p, (1,) + d
    ohw = tuple(out_size(n, ki, si, pi, pi, di, ceil_mode)
                for n, ki, si, pi, di in zip(hw, k, s, p, d))
    if min(ohw) < 1:
        shown = hw[1:] if sd == 1 else hw
        raise ValueError(f"{op}: input of spatial size {tuple(shown)} (shape {x.shape}) is "
                         f"too small for kernel_size={k[2 - sd:]}, stride={s[2 - sd:]}, "
                         f"padding={p[2 - sd:]}, dilation={d[2 - sd:]}: the output size "
                         f"would be {ohw[2 - sd:]}")
    return lead, hw, k, s, p, d, ohw


def _out_shape(lead: tuple, ohw: tuple, sd: int) -> tuple:
    return lead + (ohw[1:] if sd == 1 else ohw)


# ============================================================================
# The phase layout
# ============================================================================
class _Windows:
    """Where every window of one pooling geometry reads, in the phase layout (see the
    module docstring) and how the planes are cut into blocks. Built once per geometry
    and cached."""

    def __init__(self, nc: int, hw: tuple, k: tuple, s: tuple, p: tuple, d: tuple,
                 ohw: tuple) -> None:
        (H, W), (KH, KW), (SH, SW), (PH, PW), (DH, DW) = hw, k, s, p, d
        OH, OW = ohw
        mdh, mdw = (KH - 1) * DH // SH, (KW - 1) * DW // SW     # largest shifts
        HQ = max(OH + mdh, -(-(H + PH) // SH))                  # every input row has a home
        WQ = max(OW + mdw, -(-(W + PW) // SW))
        self.nc, self.hw, self.k, self.s, self.p, self.d, self.ohw = nc, hw, k, s, p, d, ohw
        self.HQ, self.WQ = HQ, WQ
        self.max_shift = mdh * WQ + mdw
        # offset k = kh*KW + kw  ->  (phase index, flat shift)
        self.offsets = [((kh * DH % SH) * SW + kw * DW % SW,
                         (kh * DH // SH) * WQ + kw * DW // SW)
                        for kh in range(KH) for kw in range(KW)]
        self.rows = [self._phase(H, SH, PH, a) for a in range(SH)]
        self.cols = [self._phase(W, SW, PW, b) for b in range(SW)]
        self.n_phases = SH * SW
        # one offset per phase and no shift: non-overlapping windows
        self.disjoint = (len({ph for ph, _ in self.offsets}) == len(self.offsets)
                         and all(sh == 0 for _, sh in self.offsets))
        # stride 1, no padding: the input itself is the only phase plane
        self.direct = self.n_phases == 1 and (HQ, WQ) == (H, W) and PH == PW == 0
        self.cropped = (HQ, WQ) != (OH, OW)
        n_blocks = max(1, round(nc * HQ * WQ / _BLOCK))         # ~_BLOCK positions each
        self.block = -(-nc // n_blocks)                         # planes per block

    @staticmethod
    def _phase(n: int, s: int, p: int, a: int) -> tuple:
        """Phase ``a`` of an axis: (first input index, its index in the phase plane, count)."""
        first = (a - p) % s
        return first, (first + p) // s, len(range(first, n, s))

    def blocks(self):
        """(first plane, end plane, grid size, length every offset reads) per block."""
        grid = self.HQ * self.WQ
        for p0 in range(0, self.nc, self.block):
            p1 = min(p0 + self.block, self.nc)
            yield p0, p1, (p1 - p0) * grid, (p1 - p0) * grid - self.max_shift

    def phase_buffer(self, dtype: np.dtype, fill: float) -> np.ndarray | None:
        """Scratch phase planes for one block, (SH*SW, block, HQ, WQ); the padding and
        scratch positions keep ``fill`` (``split`` only writes the input positions)."""
        if self.direct:
            return None
        return _buf.full((self.n_phases, min(self.block, self.nc), self.HQ, self.WQ), fill, dtype)

    def split(self, xb: np.ndarray, buf: np.ndarray | None) -> np.ndarray:
        """A block of planes (n, H, W) -> its phase planes (SH*SW, n*HQ*WQ), in ``buf``."""
        if self.direct:
            return xb.reshape(1, -1)
        (SH, SW), W = self.s, self.hw[1]
        n = len(xb)
        Z = buf[:, :n]
        for b, (w0, r0, nw) in enumerate(self.cols):
            xw = xb[:, :, w0::SW]
            if SW > 1 and W % SW == 0 and nw < self.WQ:
                xw = xw.copy()          # a coalesced strided copy, then contiguous row copies
            for a, (h0, q0, nh) in enumerate(self.rows):    # into the padded plane
                Z[a * SW + b, :, q0:q0 + nh, r0:r0 + nw] = xw[:, h0::SH]
        return Z.reshape(self.n_phases, -1)

    def merge(self, planes: Sequence[np.ndarray], out: np.ndarray) -> None:
        """Inverse of ``split``: write the input positions of a block's phase planes (each
        flat n*HQ*WQ; padding dropped) into ``out`` (n, H, W)."""
        n, (SH, SW), (H, W) = len(out), self.s, self.hw
        if self.direct:
            out[...] = planes[0].reshape(n, H, W)
            return
        for b, (w0, r0, nw) in enumerate(self.cols):
            for a, (h0, q0, nh) in enumerate(self.rows):
                z = planes[a * SW + b].reshape(n, self.HQ, self.WQ)
                out[:, h0::SH, w0::SW] = z[:, q0:q0 + nh, r0:r0 + nw]

    def grid_buffer(self, dtype: np.dtype) -> np.ndarray:
        """A zeroed (block, HQ, WQ) grid; ``to_grid`` writes only the output positions."""
        return _buf.zeros((min(self.block, self.nc), self.HQ, self.WQ), dtype)

    def to_grid(self, ob: np.ndarray, buf: np.ndarray) -> np.ndarray:
        """A block of outputs (n, OH, OW) -> flat (n*HQ*WQ) grid (scratch stays zero)."""
        if not self.cropped:
            return ob.reshape(-1)
        OH, OW = self.ohw
        buf[:len(ob), :OH, :OW] = ob
        return buf[:len(ob)].reshape(-1)

    def from_grid(self, ge: np.ndarray, out: np.ndarray) -> None:
        """Flat grid of a block -> its outputs, written into ``out`` (n, OH, OW)."""
        OH, OW = self.ohw
        out[...] = ge.reshape(len(out), self.HQ, self.WQ)[:, :OH, :OW]

    def first_valid(self) -> np.ndarray:
        """(OH, OW): the offset of each window's first element inside the input (torch's
        initial argmax, kept when every element of the window is -inf)."""
        (H, W), (KH, KW), (SH, SW), (PH, PW), (DH, DW) = self.hw, self.k, self.s, self.p, self.d
        (OH, OW) = self.ohw

        def first(n, o, k, s, p, d):
            pos = np.arange(o)[:, None] * s - p + np.arange(k)[None, :] * d
            return np.argmax((pos >= 0) & (pos < n), axis=1)

        return (first(H, OH, KH, SH, PH, DH)[:, None] * KW
                + first(W, OW, KW, SW, PW, DW)[None, :])

    def flat_index(self, arg3: np.ndarray) -> np.ndarray:
        """Offsets k (NC, OH, OW) -> torch's indices row*W + col into each input plane."""
        W, KW = self.hw[1], self.k[1]
        (SH, SW), (PH, PW), (DH, DW) = self.s, self.p, self.d
        (OH, OW) = self.ohw
        kh, kw = np.divmod(arg3.astype(np.int64), KW)
        rows = np.arange(OH, dtype=np.int64)[:, None] * SH - PH + kh * DH
        cols = np.arange(OW, dtype=np.int64)[None, :] * SW - PW + kw * DW
        return rows * W + cols


_BLOCK = 1 << 16        # grid positions per block: a block's working set fits in L2


@functools.lru_cache(maxsize=256)
def _windows(nc: int, hw: tuple, k: tuple, s: tuple, p: tuple, d: tuple,
             ohw: tuple) -> _Windows:
    return _Windows(nc, hw, k, s, p, d, ohw)


# ============================================================================
# Array kernels (pure NumPy, on (NC, H, W) planes, one block of planes at a time)
# ============================================================================
def _max_forward(x3: np.ndarray, win: _Windows, track: bool, shape: tuple,
                 nan_aware: bool = False) -> tuple:
    """Window maxima (NC, OH, OW) and, if ``track``, the offset k of each window's
    first maximum (NC, OH, OW), uint8 while KH*KW <= 256. A window holding a nan has the
    maximum nan and its argmax at its last nan (torch's rule): when a maximum comes out
    nan, the pass is run again with ``nan_aware`` (an extra test per offset, paid only
    by inputs with nans)."""
    x3, dt = _buf.contiguous(x3), x3.dtype
    y = _buf.empty(shape, dt)            # the result owns its memory (no copy at a leaf)
    y3 = y.reshape((win.nc,) + win.ohw)
    n_off = len(win.offsets)
    adt = np.uint8 if n_off <= 256 else np.uint16 if n_off <= 65536 else np.int32
    arg3 = _buf.empty((win.nc,) + win.ohw, adt) if track else None
    zbuf = win.phase_buffer(dt, -np.inf)
    ygrid = win.grid_buffer(dt).reshape(-1) if win.cropped else None
    agrid = win.grid_buffer(adt).reshape(-1) if track and win.cropped else None
    cap = min(win.block, win.nc) * win.HQ * win.WQ
    gt, tk = _buf.empty(cap, np.bool_), _buf.empty(cap, adt)
    for p0, p1, n, L in win.blocks():
        Z = win.split(x3[p0:p1], zbuf)
        ye = ygrid[:n] if win.cropped else y3[p0:p1].reshape(-1)
        yl = ye[:L]
        ph, sh = win.offsets[0]
        np.copyto(yl, Z[ph, sh:sh + L])
        if track:
            ae = agrid[:n] if win.cropped else arg3[p0:p1].reshape(-1)
            al, g, t = ae[:L], gt[:L], tk[:L]
            al.fill(0)
        for k, (ph, sh) in enumerate(win.offsets[1:], 1):
            xs = Z[ph, sh:sh + L]
            if track:                         # offsets come in increasing k and only a
                np.greater(xs, yl, out=g)     # strictly greater value moves the argmax,
                if nan_aware:                 # (or a nan, torch's rule: the last nan)
                    np.logical_or(g, np.isnan(xs), out=g)
                np.multiply(g, adt(k), out=t)     # so it is the largest k that moved it
                np.maximum(al, t, out=al)
            np.maximum(yl, xs, out=yl)        # NaN propagates, as torch
        if win.cropped:
            win.from_grid(ye, y3[p0:p1])
            if track:
                win.from_grid(ae, arg3[p0:p1])
    if (track and not nan_aware and y.dtype.kind == "f" and y.size
            and np.isnan(np.min(y))):        # a nan maximum: find the nans' offsets
        return _max_forward(x3, win, track, shape, nan_aware=True)
    if track and win.p != (0, 0):        # a window of -inf everywhere keeps its first
        neg = np.isneginf(y3)            # element inside the input, as torch
        if neg.any():
            arg3[...] = np.where(neg, win.first_valid(), arg3)
    return y, arg3


def _max_scatter(g3: np.ndarray, win: _Windows, arg3: np.ndarray, shape: tuple) -> np.ndarray:
    """Adjoint of taking the maxima: gx[argmax] += gy, (NC, OH, OW) -> (NC, H, W)."""
    gx = _buf.empty(shape, g3.dtype)
    gx3, g3 = gx.reshape((win.nc,) + win.hw), _buf.contiguous(g3)
    ggrid, agrid = win.grid_buffer(g3.dtype), win.grid_buffer(arg3.dtype)
    cap = agrid.size
    m, tmp = _buf.empty(cap, np.bool_), _buf.empty(cap, g3.dtype)
    gz = _buf.empty((win.n_phases, cap), g3.dtype)
    for p0, p1, n, L in win.blocks():
        ge, ae = win.to_grid(g3[p0:p1], ggrid), win.to_grid(arg3[p0:p1], agrid)
        # the gradient is selected where the argmax is (keep_where: one branch-free pass),
        # never multiplied by a 0/1 mask: a nan or inf in gy reaches only its argmax, as torch
        if win.disjoint:                 # one offset per phase plane, no shift: write it
            if win.n_phases != len(win.offsets):
                gz[:, :n] = 0
            for k, (ph, _) in enumerate(win.offsets):
                keep_where(ge, np.equal(ae, k, out=m[:n]), scratch=True, out=gz[ph, :n])
        else:
            gz[:, :n] = 0
            for k, (ph, sh) in enumerate(win.offsets):
                z = gz[ph, sh:sh + L]
                z += keep_where(ge[:L], np.equal(ae[:L], k, out=m[:L]), scratch=True,
                                out=tmp[:L])
        win.merge(gz[:, :n], gx3[p0:p1])
    return gx


def _max_gather(g3: np.ndarray, win: _Windows, arg3: np.ndarray, shape: tuple) -> np.ndarray:
    """Adjoint of ``_max_scatter``: out = g[argmax], (NC, H, W) -> (NC, OH, OW)."""
    g3 = _buf.contiguous(g3)
    out = _buf.empty(shape, g3.dtype)
    out3 = out.reshape((win.nc,) + win.ohw)
    zbuf, agrid = win.phase_buffer(g3.dtype, 0), win.grid_buffer(arg3.dtype)
    cap = agrid.size
    acc, m = _buf.empty(cap, g3.dtype), _buf.empty(cap, np.bool_)
    for p0, p1, n, L in win.blocks():
        Z, ae = win.split(g3[p0:p1], zbuf), win.to_grid(arg3[p0:p1], agrid)
        acc[:n] = 0
        for k, (ph, sh) in enumerate(win.offsets):      # selected, as in _max_scatter
            np.add(acc[:L], Z[ph, sh:sh + L], out=acc[:L], where=np.equal(ae[:L], k, out=m[:L]))
        win.from_grid(acc[:n], out3[p0:p1])
    return out


def _sum_forward(x3: np.ndarray, win: _Windows, shape: tuple) -> np.ndarray:
    """Window sums (NC, OH, OW), zero padding."""
    x3 = _buf.contiguous(x3)
    y = _buf.empty(shape, x3.dtype)
    y3 = y.reshape((win.nc,) + win.ohw)
    zbuf = win.phase_buffer(x3.dtype, 0)
    ygrid = win.grid_buffer(x3.dtype).reshape(-1) if win.cropped else None
    for p0, p1, n, L in win.blocks():
        Z = win.split(x3[p0:p1], zbuf)
        ye = ygrid[:n] if win.cropped else y3[p0:p1].reshape(-1)
        ph, sh = win.offsets[0]
        np.copyto(ye[:L], Z[ph, sh:sh + L])
        for ph, sh in win.offsets[1:]:
            np.add(ye[:L], Z[ph, sh:sh + L], out=ye[:L])
        if win.cropped:
            win.from_grid(ye, y3[p0:p1])
    return y


def _sum_scatter(g3: np.ndarray, win: _Windows, shape: tuple) -> np.ndarray:
    """Adjoint of ``_sum_forward``: every window element gets its output's gradient."""
    g3 = _buf.contiguous(g3)
    gx = _buf.empty(shape, g3.dtype)
    gx3 = gx.reshape((win.nc,) + win.hw)
    ggrid = win.grid_buffer(g3.dtype)
    gz = _buf.zeros((win.n_phases, ggrid.size), g3.dtype)
    hit = {ph for ph, _ in win.offsets}
    for p0, p1, n, L in win.blocks():
        ge = win.to_grid(g3[p0:p1], ggrid)
        if win.disjoint:                 # a phase plane read by one offset, unshifted, is the
            planes = [ge if ph in hit else gz[ph, :n]    # gradient itself; one no window
                      for ph in range(win.n_phases)]      # reads stays zero
        else:
            gz[:, :n] = 0
            for ph, sh in win.offsets:
                z = gz[ph, sh:sh + L]
                np.add(z, ge[:L], out=z)
            planes = gz[:, :n]
        win.merge(planes, gx3[p0:p1])
    return gx


def _avg_divisor(win: _Windows, count_include_pad: bool, divisor_override: Any,
                 dtype: np.dtype) -> Any:
    """torch's divide factor per output: the window clipped to input + padding
    (count_include_pad) or to the input; a scalar when all are equal."""
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype)

    def sizes(n, o, k, s, p):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            return end - start
        return np.minimum(end, n) - np.maximum(start, 0)

    (H, W), (KH, KW), (SH, SW), (PH, PW) = win.hw, win.k, win.s, win.p
    (OH, OW) = win.ohw
    div = (sizes(H, OH, KH, SH, PH)[:, None] * sizes(W, OW, KW, SW, PW)[None, :]).astype(dtype)
    return np.asarray(div.flat[0], dtype) if (div == div.flat[0]).all() else div


# ============================================================================
# Functions
# ============================================================================
class MaxPool2dFn(Function):
    """y = max over each window;  gx = gy scattered to each window's first maximum
    (``_MaxScatter``). x is (*lead, H, W) (or (*lead, L) for 1-D); the argmax offsets
    (NC, OH, OW) are saved. With ``return_indices`` a second output holds torch's flat
    indices (int64, not differentiable)."""

    @staticmethod
    def forward(ctx, x, win, y_shape, track, return_indices):
        y, arg = _max_forward(x.reshape(win.nc, *win.hw), win, track, y_shape)
        ctx.save_for_backward(arg)
        ctx.win, ctx.x_shape = win, x.shape
        if not return_indices:
            return y
        idx = win.flat_index(arg).reshape(y_shape)
        ctx.mark_non_differentiable(idx)
        return y, idx

    @staticmethod
    def backward(ctx, gy, g_indices=None):    # the indices output gets no gradient
        (arg,) = ctx.saved_tensors
        return _MaxScatter.apply(gy, arg, ctx.win, ctx.x_shape)


class _MaxScatter(Function):
    """The backward of max pooling as an op, so it can be differentiated again:
    gx = zeros(x_shape) with gy added at each window's argmax;  its backward is the
    gather ``_MaxGather`` (and that one's is this)."""

    @staticmethod
    def forward(ctx, gy, arg, win, x_shape):
        ctx.save_for_backward(arg)
        ctx.win, ctx.y_shape = win, gy.shape
        return _max_scatter(gy.reshape(win.nc, *win.ohw), win, arg, x_shape)

    @staticmethod
    def backward(ctx, gg):
        (arg,) = ctx.saved_tensors
        return _MaxGather.apply(gg, arg, ctx.win, ctx.y_shape)


class _MaxGather(Function):
    """y = g at each window's argmax (the adjoint of ``_MaxScatter``)."""

    @staticmethod
    def forward(ctx, g, arg, win, y_shape):
        ctx.save_for_backward(arg)
        ctx.win, ctx.x_shape = win, g.shape
        return _max_gather(g.reshape(win.nc, *win.hw), win, arg, y_shape)

    @staticmethod
    def backward(ctx, gg):
        (arg,) = ctx.saved_tensors
        return _MaxScatter.apply(gg, arg, ctx.win, ctx.x_shape)


class AvgPool2dFn(Function):
    """y = window sums / divisor;  gx = gy / divisor spread over each window. Linear: its
    backward is ``_AvgScatter``, whose backward is this op again (double backward)."""

    @staticmethod
    def forward(ctx, x, win, y_shape, div):
        ctx.save_for_backward(div)
        ctx.win, ctx.x_shape = win, x.shape
        y = _sum_forward(x.reshape(win.nc, *win.hw), win, y_shape)
        y /= div
        return y

    @staticmethod
    def backward(ctx, gy):
        (div,) = ctx.saved_tensors
        return _AvgScatter.apply(gy, ctx.win, ctx.x_shape, div)


class _AvgScatter(Function):
    """gx = each gy / divisor added over its window (the adjoint of ``AvgPool2dFn``)."""

    @staticmethod
    def forward(ctx, gy, win, x_shape, div):
        ctx.save_for_backward(div)
        ctx.win, ctx.y_shape = win, gy.shape
        return _sum_scatter(gy.reshape(win.nc, *win.ohw) / div, win, x_shape)

    @staticmethod
    def backward(ctx, gg):
        (div,) = ctx.saved_tensors
        return AvgPool2dFn.apply(gg, ctx.win, ctx.y_shape, div)


def _adaptive_bounds(n: int, o: int) -> tuple:
    """torch's adaptive windows of one axis: start = floor(i*n/o), end = ceil((i+1)*n/o)."""
    i = np.arange(o)
    return (i * n) // o, -(-((i + 1) * n) // o)


def _adaptive_matrix(n: int, o: int, dtype: np.dtype) -> np.ndarray:
    """(o, n): row i averages input positions start_i <= h < end_i."""
    start, end = _adaptive_bounds(n, o)
    h = np.arange(n)
    inside = (h[None, :] >= start[:, None]) & (h[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class BlockAvgPool2D(Function):
    """Average over equal non-overlapping KH x KW blocks tiling the input (adaptive
    pooling with divisible sizes and large blocks, e.g. global pooling):
    y = x.reshape(NC, OH, KH, OW, KW).sum((2, 4)) / (KH*KW);  gx = gy / (KH*KW) broadcast
    over each block (``_BlockSpread``, whose backward is this op again)."""

    @staticmethod
    def forward(ctx, x, nc, k, ohw, y_shape):
        ctx.nc, ctx.k, ctx.ohw, ctx.x_shape = nc, k, ohw, x.shape
        (KH, KW), (OH, OW) = k, ohw
        # einsum's row-sum loop beats ndarray.sum on many short rows ~5x; a block is one
        # contiguous run when it spans whole rows (OW = 1), else sum its rows, then them
        if OW == 1:
            y = np.einsum("ij->i", x.reshape(nc * OH, KH * KW))
        else:
            rows = np.einsum("ij->i", x.reshape(-1, KW)).reshape(nc * OH, KH, OW)
            y = np.einsum("ikj->ij", rows)
        return (y / (KH * KW)).reshape(y_shape)

    @staticmethod
    def backward(ctx, gy):
        return _BlockSpread.apply(gy, ctx.nc, ctx.k, ctx.ohw, ctx.x_shape)


class _BlockSpread(Function):
    """gx = gy / (KH*KW) copied to every element of its block (the adjoint of
    ``BlockAvgPool2D``)."""

    @staticmethod
    def forward(ctx, gy, nc, k, ohw, x_shape):
        ctx.nc, ctx.k, ctx.ohw, ctx.y_shape = nc, k, ohw, gy.shape
        (KH, KW), (OH, OW) = k, ohw
        gx = _buf.empty(x_shape, gy.dtype)
        gx.reshape(nc, OH, KH, OW, KW)[...] = gy.reshape(nc, OH, 1, OW, 1) / (KH * KW)
        return gx

    @staticmethod
    def backward(ctx, gg):
        return BlockAvgPool2D.apply(gg, ctx.nc, ctx.k, ctx.ohw, ctx.y_shape)


class AdaptiveAvgPool2dFn(Function):
    """y = A_h @ x @ A_w^T with the averaging matrices of torch's adaptive windows
    (A_h is (OH, H));  gx = A_h^T @ gy @ A_w. Written with ``@``, so it runs on Tensors
    and can be differentiated again. 1-D: y = x @ A_w^T (A_h is None)."""

    @staticmethod
    def forward(ctx, x, ah, aw):
        ctx.save_for_backward(ah, aw)
        y = x @ aw.T
        return y if ah is None else ah @ y

    @staticmethod
    def backward(ctx, gy):
        ah, aw = ctx.saved_tensors
        g = gy @ aw
        return g if ah is None else ah.T @ g


class _IndexScatter(Function):
    """y = zeros (*lead, H*W) with g added at flat indices idx (duplicates add up), reshaped
    to ``in_shape``;  gg = y_grad gathered at idx (``_IndexGather``). The backward of
    adaptive max pooling."""

    @staticmethod
    def forward(ctx, g, idx, in_shape):
        ctx.save_for_backward(idx)                  # idx: (NC, n_out) into (NC, n_in)
        ctx.out_shape = g.shape
        nc, n_out = idx.shape
        n_in = int(np.prod(in_shape, dtype=np.int64)) // max(nc, 1)
        target = (np.arange(nc, dtype=np.int64)[:, None] * n_in + idx).reshape(-1)
        gx = _buf.empty(in_shape, g.dtype)          # owns its memory: no copy at a leaf
        gx.reshape(-1)[...] = np.bincount(target, weights=g.reshape(-1), minlength=nc * n_in)
        return gx

    @staticmethod
    def backward(ctx, gg):
        (idx,) = ctx.saved_tensors
        return _IndexGather.apply(gg, idx, ctx.out_shape)


class _IndexGather(Function):
    """y = g (*lead, n_in) gathered at flat indices idx (NC, n_out), reshaped to
    ``out_shape``;  gg = y_grad added back at idx (``_IndexScatter``)."""

    @staticmethod
    def forward(ctx, g, idx, out_shape):
        ctx.save_for_backward(idx)
        ctx.in_shape = g.shape
        return np.take_along_axis(g.reshape(idx.shape[0], -1), idx, 1).reshape(out_shape)

    @staticmethod
    def backward(ctx, gg):
        (idx,) = ctx.saved_tensors
        return _IndexScatter.apply(gg, idx, ctx.in_shape)


def _taps(n: int, o: int) -> np.ndarray:
    """The input positions of each adaptive window of one axis, (o, K) for the largest
    window K, a shorter window padded by repeating its last position."""
    start, end = _adaptive_bounds(n, o)
    k = int((end - start).max())
    return np.minimum(start[:, None] + np.arange(k)[None, :], end[:, None] - 1)


class AdaptiveMaxPool2dFn(Function):
    """y = max over torch's adaptive windows (possibly overlapping, of unequal sizes);
    gx = gy scattered to each window's first maximum, or its last nan if it holds one
    (torch's rule; ``_IndexScatter``). With
    ``return_indices`` a second output holds the flat argmax row*W + col (int64).

    Each axis's windows are padded to the largest window by repeating their last index, so
    all windows gather at once into (NC, OH, OW, KH*KW); a repeat never wins the argmax
    (its value already appeared earlier in the window)."""

    @staticmethod
    def forward(ctx, x, hw, ohw, out_shape, return_indices):
        (H, W), (OH, OW) = hw, ohw
        x3 = x.reshape(-1, H, W)
        th, tw = _taps(H, OH), _taps(W, OW)                       # (OH, KH), (OW, KW)
        win = x3[:, th[:, None, :, None], tw[None, :, None, :]]   # (NC, OH, OW, KH, KW)
        win = win.reshape(win.shape[:3] + (-1,))
        a = np.argmax(win, axis=-1)[..., None]
        y = np.take_along_axis(win, a, -1)[..., 0].reshape(out_shape)
        if win.dtype.kind == "f" and y.size and np.isnan(np.min(y)):  # torch: the last nan
            nan = np.isnan(win)
            last = win.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)[..., None]
            a = np.where(nan.any(-1, keepdims=True), last, a)
        kh, kw = np.divmod(a[..., 0], tw.shape[1])
        rows = th[np.arange(OH)[:, None], kh]
        cols = tw[np.arange(OW)[None, :], kw]
        idx = (rows * W + cols).reshape(x3.shape[0], -1)          # (NC, OH*OW)
        ctx.save_for_backward(idx)
        ctx.in_shape = x.shape
        if not return_indices:
            return y
        flat = idx.reshape(out_shape)
        ctx.mark_non_differentiable(flat)
        return y, flat

    @staticmethod
    def backward(ctx, gy, g_indices=None):    # the indices output gets no gradient
        (idx,) = ctx.saved_tensors
        return _IndexScatter.apply(gy, idx, ctx.in_shape)


class _LPRoot(Function):
    """The end of torch's lp_pool: y = (sign(a) * relu(|a|) * K) ** (1/p) for the window
    averages a of x**p and K = kernel elements;  ga = gy * K/p * z**(1/p - 1) where
    a != 0, else 0 (torch's relu backward masks the infinite derivative at 0)."""

    @staticmethod
    def forward(ctx, a, K, p):
        ctx.save_for_backward(a)
        ctx.K, ctx.p = K, p
        z = np.sign(a) * np.maximum(np.abs(a), 0) * a.dtype.type(K)
        with np.errstate(invalid="ignore"):
            return z ** (1.0 / p)

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        (a,) = ctx.saved_tensors
        K = a.dtype.type(ctx.K)
        z = np.sign(a) * np.maximum(np.abs(a), 0) * K
        with np.errstate(divide="ignore", invalid="ignore"):
            g = gy * (z ** (1.0 / ctx.p - 1.0) * (K / a.dtype.type(ctx.p)))
        return np.where(a != 0, g, 0).astype(a.dtype, copy=False)


class MaxUnpool2dFn(Function):
    """y = zeros (NC, n_out) with x written at its indices;  gx = gy[indices]
    (``_IndexGather``)."""

    @staticmethod
    def forward(ctx, x, idx, n_out, out_shape):
        ctx.save_for_backward(idx)                  # idx: (NC, n_in)
        ctx.in_shape = x.shape
        y = _buf.zeros((idx.shape[0], n_out), x.dtype)
        np.put_along_axis(y, idx, x.reshape(idx.shape[0], -1), 1)
        return y.reshape(out_shape)

    @staticmethod
    def backward(ctx, gy):
        (idx,) = ctx.saved_tensors
        return _IndexGather.apply(gy, idx, ctx.in_shape)


# ============================================================================
# Functions users call (torch's F.* signatures)
# ============================================================================
def _max_pool(x: Tensor, sd: int, op: str, kernel_size, stride, padding, dilation,
              ceil_mode, return_indices) -> Any:
    lead, hw, k, s, p, d, ohw = _window_args(x, sd, op, kernel_size, stride, padding,
                                             dilation, ceil_mode)
    nc = int(np.prod(lead, dtype=np.int64))
    out_shape = _out_shape(lead, ohw, sd)
    if nc == 0:
        y = Tensor(_buf.zeros(out_shape, x.dtype))
        return (y, Tensor(_buf.zeros(out_shape, np.int64))) if return_indices else y
    win = _windows(nc, hw, k, s, p, d, ohw)
    track = return_indices or (is_grad_enabled() and x.requires_grad)
    return MaxPool2dFn.apply(x, win, out_shape, track, return_indices)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over sliding windows of (N, C, L) or (C, L) input; see ``max_pool2d``."""
    return _max_pool(input, 1, "max_pool1d", kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over sliding KH x KW windows of (N, C, H, W) or (C, H, W) input.

    Args:
        kernel_size (int or (int, int)): window size.
        stride (int or (int, int), optional): window step. Default: kernel_size.
        padding (int or (int, int)): implicit -inf on both sides, at most half the
            kernel. Default: 0.
        dilation (int or (int, int)): step between window elements. Default: 1.
        ceil_mode (bool): round the output size up (a window must still start inside
            the input or the left padding). Default: False.
        return_indices (bool): also return the argmax of each window as a flat index
            row*W + col into its input plane (int64, for ``max_unpool2d``). Default: False.

    Shape:
        Output (N, C, OH, OW), OH = floor((H + 2*padding - dilation*(KH-1) - 1) / stride + 1)
        (ceil with ceil_mode).
    """
    return _max_pool(input, 2, "max_pool2d", kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def _avg_pool(x: Tensor, sd: int, op: str, kernel_size, stride, padding, ceil_mode,
              count_include_pad, divisor_override) -> Tensor:
    lead, hw, k, s, p, d, ohw = _window_args(x, sd, op, kernel_size, stride, padding, 1,
                                             ceil_mode)
    check_divisor_override(divisor_override, op)
    nc = int(np.prod(lead, dtype=np.int64))
    out_shape = _out_shape(lead, ohw, sd)
    if nc == 0:
        return Tensor(_buf.zeros(out_shape, x.dtype))
    win = _windows(nc, hw, k, s, p, d, ohw)
    div = _avg_divisor(win, count_include_pad, divisor_override, x.dtype)
    return AvgPool2dFn.apply(x, win, out_shape, div)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Average over sliding windows of (N, C, L) or (C, L) input; see ``avg_pool2d``."""
    return _avg_pool(input, 1, "avg_pool1d", kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Average over sliding KH x KW windows of (N, C, H, W) or (C, H, W) input.

    Args:
        kernel_size, stride (default: kernel_size), padding (zeros, at most half the
            kernel), ceil_mode: as in ``max_pool2d``.
        count_include_pad (bool): divide by the window size clipped to input + padding;
            else by the number of input elements in the window. Default: True.
        divisor_override (int, optional): divide by this instead. Default: None.
    """
    return _avg_pool(input, 2, "avg_pool2d", kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


def _lp_pool(x: Tensor, sd: int, op: str, norm_type: float, kernel_size: Any, stride: Any,
             ceil_mode: bool) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    k = ntuple(kernel_size, sd, "kernel_size", op, broadcast=True)
    if norm_type == math.inf:
        return _max_pool(_abs(x), sd, op, kernel_size, stride, 0, 1, ceil_mode, False)
    if norm_type == -math.inf:
        return _neg(_max_pool(_neg(_abs(x)), sd, op, kernel_size, stride, 0, 1, ceil_mode,
                              False))
    if norm_type == 0:
        raise ValueError(f"{op}: norm_type must be nonzero, got {norm_type}")
    out = _avg_pool(_pow(x, norm_type), sd, op, kernel_size, stride, 0, ceil_mode, True, None)
    return _LPRoot.apply(out, int(np.prod(k)), norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over (N, C, L) input; see ``lp_pool2d``."""
    return _lp_pool(input, 1, "lp_pool1d", norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling: ``(sum over the window of x**p) ** (1/p)``, computed as torch
    does: ``(sign(a) * relu(|a|) * KH*KW) ** (1/p)`` with ``a = avg_pool2d(x**p)`` (so
    ceil_mode's partial windows are rescaled to the full kernel size). p = inf is max
    pooling of ``|x|``.
    """
    return _lp_pool(input, 2, "lp_pool2d", norm_type, kernel_size, stride, ceil_mode)


def _adaptive_size(x: Tensor, sd: int, output_size: Any, op: str) -> tuple:
    lead, hw = _spatial(x, sd, op)
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * sd
    output_size = tuple(output_size)
    if len(output_size) != sd or not all(
            o is None or (isinstance(o, (int, np.integer)) and not isinstance(o, bool))
            for o in output_size):
        raise TypeError(f"{op}: output_size must be an int or a tuple of {sd} ints (or "
                        f"None), got {output_size!r}")
    shown = hw[2 - sd:]
    ohw = tuple(n if o is None else int(o) for n, o in zip(shown, output_size))
    if min(ohw) < 1:
        raise ValueError(f"{op}: output_size must be positive, got {ohw} for input of "
                         f"shape {x.shape}")
    return lead, hw, ((1,) + ohw if sd == 1 else ohw)


def _small_blocks(k: tuple, ohw: tuple) -> bool:
    """Whether equal adaptive windows run fastest as ordinary pooling (few kernel offsets,
    many outputs) rather than as one reduction per block."""
    return k[0] * k[1] <= 16 and ohw[0] * ohw[1] >= 4


def _adaptive_avg(x: Tensor, sd: int, output_size: Any, op: str) -> Tensor:
    lead, (H, W), (OH, OW) = _adaptive_size(x, sd, output_size, op)
    out_shape = _out_shape(lead, (OH, OW), sd)
    nc = int(np.prod(lead, dtype=np.int64))
    if H % OH == 0 and W % OW == 0:      # equal windows tiling the input
        k = (H // OH, W // OW)
        if nc and _small_blocks(k, (OH, OW)):
            win = _windows(nc, (H, W), k, k, (0, 0), (1, 1), (OH, OW))
            return AvgPool2dFn.apply(x, win, out_shape, np.asarray(k[0] * k[1], x.dtype))
        return BlockAvgPool2D.apply(x, nc, k, (OH, OW), out_shape)
    ah = None if sd == 1 else _adaptive_matrix(H, OH, x.dtype)
    return AdaptiveAvgPool2dFn.apply(x, ah, _adaptive_matrix(W, OW, x.dtype))


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average over torch's adaptive windows of (N, C, L) or (C, L) input, giving length
    ``output_size``."""
    return _adaptive_avg(input, 1, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average over adaptive windows giving (N, C, OH, OW): window i spans
    [floor(i*H/OH), ceil((i+1)*H/OH)), so windows may overlap or differ in size.
    ``output_size`` is an int or (OH, OW); None keeps that input size. Global average
    pooling is ``adaptive_avg_pool2d(x, 1)``."""
    return _adaptive_avg(input, 2, output_size, "adaptive_avg_pool2d")


def _adaptive_max(x: Tensor, sd: int, output_size: Any, return_indices: bool,
                  op: str) -> Any:
    lead, (H, W), (OH, OW) = _adaptive_size(x, sd, output_size, op)
    out_shape = _out_shape(lead, (OH, OW), sd)
    nc = int(np.prod(lead, dtype=np.int64))
    if nc and H % OH == 0 and W % OW == 0 and _small_blocks((H // OH, W // OW), (OH, OW)):
        k = (H // OH, W // OW)           # equal small windows: plain max pooling
        return _max_pool(x, sd, op, k[2 - sd:], k[2 - sd:], 0, 1, False, return_indices)
    if nc == 0:
        y = Tensor(_buf.zeros(out_shape, x.dtype))
        return (y, Tensor(_buf.zeros(out_shape, np.int64))) if return_indices else y
    return AdaptiveMaxPool2dFn.apply(x, (H, W), (OH, OW), out_shape, return_indices)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over torch's adaptive windows of (N, C, L) or (C, L) input."""
    return _adaptive_max(input, 1, output_size, return_indices, "adaptive_max_pool1d")


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows (see ``adaptive_avg_pool2d``); with ``return_indices``
    also the flat argmax row*W + col of each window (int64)."""
    return _adaptive_max(input, 2, output_size, return_indices, "adaptive_max_pool2d")


def _max_unpool(x: Tensor, indices: Any, sd: int, op: str, kernel_size, stride, padding,
                output_size) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    idx = np.asarray(indices.array if isinstance(indices, Tensor) else indices)
    if idx.shape != x.shape or idx.dtype.kind not in "iu":
        raise ValueError(f"{op}: indices must be integers of the input's shape {x.shape}, got "
                         f"{idx.dtype} of shape {idx.shape}")
    if x.ndim not in (sd + 1, sd + 2):
        raise ValueError(f"{op}: expected a {sd + 1}-D or {sd + 2}-D input, got shape "
                         f"{x.shape}")
    k = ntuple(kernel_size, sd, "kernel_size", op, broadcast=True)
    s = k if stride is None else ntuple(stride, sd, "stride", op, broadcast=True)
    p = ntuple(padding, sd, "padding", op, broadcast=True)
    default = tuple(transposed_out_size(*a) for a in zip(x.shape[-sd:], k, s, p))
    if output_size is None:
        size = default
    else:
        size = tuple(int(n) for n in tuple(output_size)[-sd:])
        if len(size) != sd:
            raise ValueError(f"{op}: output_size {output_size!r} must give {sd} sizes")
    n_out = int(np.prod(size))
    nc = int(np.prod(x.shape[:-sd], dtype=np.int64))
    flat = idx.reshape(nc, -1).astype(np.int64)
    if flat.size and (flat.min() < 0 or flat.max() >= n_out):
        raise IndexError(f"{op}: found an index outside the output of size {size} "
                         f"(indices in [{flat.min()}, {flat.max()}])")
    return MaxUnpool2dFn.apply(x, flat, n_out, x.shape[:-sd] + size)


def max_unpool1d(input: Tensor, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Partial inverse of ``max_pool1d``: put each value back at its index, zeros elsewhere."""
    return _max_unpool(input, indices, 1, "max_unpool1d", kernel_size, stride, padding,
                       output_size)


def max_unpool2d(input: Tensor, indices: Any, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Partial inverse of ``max_pool2d(..., return_indices=True)``: each value goes back
    to its flat index in an (OH, OW) plane, zeros elsewhere. Default output size:
    (H - 1)*stride - 2*padding + kernel_size."""
    return _max_unpool(input, indices, 2, "max_unpool2d", kernel_size, stride, padding,
                       output_size)


__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "lp_pool1d", "lp_pool2d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "max_unpool1d", "max_unpool2d"]
