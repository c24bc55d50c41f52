"""Convolution: im2col / col2im, conv1d, conv2d, conv_transpose2d, unfold, fold.

Notation (images are NCHW, weights (O, C/G, KH, KW) as in torch):

    N          batch size
    C, H, W    input channels, height, width
    O          output channels
    G          groups: input channels C/G of group g see only output channels O/G of g
    KH, KW     kernel height, width
    SH, SW     stride
    PH, PW     padding: PT, PB (top, bottom) and PL, PR (left, right) when asymmetric
    DH, DW     dilation: kernel taps are DH rows / DW columns apart
    OH, OW     output height, width:  OH = (H + PT + PB - DH*(KH-1) - 1) // SH + 1
    P          OH * OW output positions per image

The column matrix of an image batch is laid out ``(C, KH, KW, N, OH, OW)``, i.e. the
2-D matrix ``(C*KH*KW, N*OH*OW)``: row (c, i, j) holds input channel c shifted by the
kernel offset (i, j), for every output position of every image. With this layout every
GEMM of a convolution is one BLAS call per group (and batch chunk, see Memory) with the
batch folded into the long dimension (weights as ``(G, O/G, C/G*KH*KW)``):

    forward      y2  = W2 @ cols               (G, O/G, N*P)
    grad weight  gW2 = gy2 @ cols^T            (G, O/G, C/G*KH*KW)   (cols^T is a view)
    grad input   gcols = W2^T @ gy2, then col2im; for stride 1, when it is cheaper (see
                 ``_grad_input_as_conv``), a convolution of gy with the flipped,
                 transposed kernel instead

``im2col`` loops over the KH*KW kernel offsets only, each iteration one strided copy of
the whole batch into a preallocated array; ``col2im`` adds back with one strided ``+=``
per offset. For stride 1 the columns may run over the padded width instead of OW (the
*wide* layout of ``_im2col``: one contiguous copy per offset and image); the backward
kernels, and the forward on small images, lay wide columns out batch-last,
``(C, KH, KW, OH, WP, N)``, so that each offset is one contiguous copy (or ``+=``) per
channel (see ``_im2col_last``). A 1x1 stride-1
unpadded convolution is a plain batched matmul (no im2col). A 3x3 stride-1 float32
convolution with enough channels takes the Winograd F(4x4, 3x3) path, which needs 4x
fewer multiplies (see the Winograd section).

Memory: the array kernels work on the batch in chunks of about ``CHUNK_BYTES`` of
buffers (columns or Winograd tiles), built, used while they are in cache, and freed;
the weight gradient builds its chunk's columns again. So a convolution node keeps only
x and W for backward, as torch does, and nothing bigger than a chunk outlives a call.
Every large array comes from ``buffers.py``, which reuses them from step to step.

Sections: geometry -- im2col / col2im -- array kernels (Winograd, conv, grad input, grad
weight) -- Functions -- user functions.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ..factories import as_tensor
from .arguments import check_groups, conv_padding, ntuple, out_size, transposed_out_size
from . import buffers as _buf
from ..tuning import blas_corename


# ============================================================================
# Geometry
# ============================================================================
def _pads4(padding: Any) -> tuple:
    """int, (PH, PW) or (PT, PB, PL, PR) -> (PT, PB, PL, PR)."""
    if isinstance(padding, (int, np.integer)):
        p = int(padding)
        return (p, p, p, p)
    padding = tuple(int(v) for v in padding)
    if len(padding) == 2:
        return (padding[0], padding[0], padding[1], padding[1])
    if len(padding) == 4:
        return padding
    raise ValueError(f"padding must be an int, (PH, PW) or (PT, PB, PL, PR), got {padding}")


class _Geom:
    """The static geometry of one convolution: stride, (PT, PB, PL, PR), dilation,
    groups. Shared by the three array kernels and the Functions."""

    __slots__ = ("stride", "pads", "dilation", "groups")

    def __init__(self, stride: tuple, pads: tuple, dilation: tuple, groups: int) -> None:
        self.stride, self.pads, self.dilation, self.groups = stride, pads, dilation, groups

    def out_hw(self, h: int, w: int, kh: int, kw: int) -> tuple:
        (sh, sw), (pt, pb, pl, pr), (dh, dw) = self.stride, self.pads, self.dilation
        return out_size(h, kh, sh, pt, pb, dh), out_size(w, kw, sw, pl, pr, dw)

    def is_pointwise(self, kh: int, kw: int) -> bool:
        """1x1 kernel, stride 1, no padding: the convolution is a matmul over channels."""
        return kh == kw == 1 and self.stride == (1, 1) and not any(self.pads)


CHUNK_BYTES = 4 << 20
"""Working set of one batch chunk: each array kernel builds the columns (or Winograd
tiles) of a few images at a time, uses them while they are still in cache, and frees
them; nothing that size outlives a call."""


def _batch_chunks(n: int, per_image: int, least: int = 0) -> list:
    """[(n0, n1), ...]: the batch split into chunks of about CHUNK_BYTES of buffers
    (``per_image`` bytes each; at least ``least`` bytes a chunk), as equal as possible."""
    count = max(1, min(n, -(-n * per_image // max(CHUNK_BYTES, least))))
    bounds = [n * i // count for i in range(count + 1)]
    return list(zip(bounds[:-1], bounds[1:]))


WIDE_MAX_RATIO = 1.5
"""Stride-1 columns take the wide layout (see ``_im2col``) when the padded width is at
most this many times the output width: contiguous copies instead of OW-long strided
rows, for at most this factor more GEMM columns."""


def _row_width(g: _Geom, x_hw: tuple, k_hw: tuple, oh: int, ow: int) -> int:
    """RW, the length of one row of output positions in the columns: WP for the wide
    layout (stride 1, an (OH, OW) that is the whole output, WP/OW small), else OW."""
    if g.stride != (1, 1) or (oh, ow) != g.out_hw(*x_hw, *k_hw):
        return ow
    wp = x_hw[1] + g.pads[2] + g.pads[3]                   # = OW + DW*(KW-1)
    return wp if wp <= WIDE_MAX_RATIO * ow else ow


def _gy_rows(gy: np.ndarray) -> np.ndarray:
    """gy (n, O, OH, OW) -> (O, n, OH, OW), contiguous: the plain columns' order."""
    return _buf.contiguous(gy.transpose(1, 0, 2, 3))


# ============================================================================
# im2col / col2im (pure arrays)
# ============================================================================
def _padded_cn(x: np.ndarray, pads: tuple, hp: int, wp: int) -> np.ndarray:
    """x (N, C, H, W) -> (C, N, HP, WP): transposed to channel-major, zero-padded by
    (PT, PL) at the start and zeros up to (HP, WP) at the end (one copy)."""
    n, c, h, w = x.shape
    pt, _, pl, _ = pads
    xp = _buf.zeros((c, n, hp, wp), x.dtype)
    xp[:, :, pt:pt + h, pl:pl + w] = x.transpose(1, 0, 2, 3)
    return xp


def _im2col(x: np.ndarray, kh: int, kw: int, stride: tuple, pads: tuple, dilation: tuple,
            oh: int, ow: int, rw: int | None = None) -> np.ndarray:
    """x (N, C, H, W) -> cols (C, KH, KW, N, OH, RW); see ``im2col``.

    RW = OW (default) is the plain layout. For stride 1, RW = WP (the padded width,
    OW + DW*(KW-1)) gives the *wide* layout: each row of output positions runs across
    the whole padded width, so for every kernel offset and every (channel, image) the
    columns are one contiguous run of the padded image, copied in one piece. The
    columns ow >= OW of each row belong to no output position: their GEMM results
    are dropped, and gradients give them zeros."""
    n, c, h, w = x.shape
    sh, sw = stride
    dh, dw = dilation
    if rw is not None and rw != ow:                      # wide, stride 1
        rows = dh * (kh - 1) + oh + 1                    # + 1: the last run overhangs
        xp = _padded_cn(x, pads, rows, rw).reshape(c, n, rows * rw)
        run = oh * rw
        cols = _buf.empty((c, kh, kw, n, run), x.dtype)
        for i in range(kh):
            for j in range(kw):
                start = i * dh * rw + j * dw
                cols[:, i, j] = xp[:, :, start:start + run]
        return cols.reshape(c, kh, kw, n, oh, rw)
    # rows/columns a kernel offset reads: the padded image must reach the last one
    hp = max(h + pads[0] + pads[1], dh * (kh - 1) + sh * (oh - 1) + 1)
    wp = max(w + pads[2] + pads[3], dw * (kw - 1) + sw * (ow - 1) + 1)
    if hp == h and wp == w and pads[0] == pads[2] == 0:
        xp = x.transpose(1, 0, 2, 3)                     # (C, N, H, W) view, no copy
    else:
        xp = _padded_cn(x, pads, hp, wp)
    cols = _buf.empty((c, kh, kw, n, oh, ow), x.dtype)
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            cols[:, i, j] = xp[:, :, rows, j * dw:j * dw + sw * (ow - 1) + 1:sw]
    return cols


def _col2im(cols: np.ndarray, x_shape: tuple, stride: tuple, pads: tuple,
            dilation: tuple, out: np.ndarray | None = None) -> np.ndarray:
    """cols (C, KH, KW, N, OH, OW) -> x (N, C, H, W): the adjoint of ``_im2col``'s plain
    layout (written into ``out`` when given)."""
    c, kh, kw, n, oh, ow = cols.shape
    _, _, h, w = x_shape
    sh, sw = stride
    dh, dw = dilation
    pt, pb, pl, pr = pads
    if out is None:
        out = _buf.empty((n, c, h, w), cols.dtype)
    hp = max(h + pt + pb, dh * (kh - 1) + sh * (oh - 1) + 1)
    wp = max(w + pl + pr, dw * (kw - 1) + sw * (ow - 1) + 1)
    xp = _buf.zeros((c, n, hp, wp), cols.dtype)
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
        for j in range(kw):
            xp[:, :, rows, j * dw:j * dw + sw * (ow - 1) + 1:sw] += cols[:, i, j]
    out[...] = xp[:, :, pt:pt + h, pl:pl + w].transpose(1, 0, 2, 3)
    return out


# Batch-last wide columns (the backward kernels, stride 1). The padded chunk of images
# is laid out (C, ROWS, WP, n), the batch innermost, so that a kernel offset (i, j) is
# one shift by s = (i*DH*WP + j*DW) * n of the flattened (C, ROWS*WP*n) array: im2col
# copies, and col2im adds, one contiguous run of OH*WP*n values per channel and offset,
# where the (C, KH, KW, n, OH, RW) layout needs C*n runs of OH*RW. Columns ow >= OW
# belong to no output position, as in the wide layout. ROWS = DH*(KH-1) + OH + 1 (the
# last run overhangs by less than a row). The forward kernel uses them for short rows
# only (``LAST_MAX_RUN``): its output then needs a transpose of the batch axis.
LAST_MAX_RUN = 512
"""The forward kernel takes the batch-last columns when a row of output positions of
one image, OH*WP, is shorter than this: its many short runs then cost more than the
transpose of the output's batch axis (LeNet-5's C3, 10 x 14, is faster by ~12 %; C1,
28 x 32, slower by ~25 %)."""


def _last_rows(kh: int, dh: int, oh: int) -> int:
    return dh * (kh - 1) + oh + 1


def _im2col_last(x: np.ndarray, kh: int, kw: int, pads: tuple, dilation: tuple, oh: int,
                 rw: int) -> np.ndarray:
    """x (n, C, H, W) -> cols (C, KH, KW, OH*RW*n), batch-last wide (stride 1)."""
    n, c, h, w = x.shape
    (pt, _, pl, _), (dh, dw) = pads, dilation
    rows = _last_rows(kh, dh, oh)
    xp = _buf.zeros((c, rows, rw, n), x.dtype)
    xp[:, pt:pt + h, pl:pl + w] = x.transpose(1, 2, 3, 0)
    xp = xp.reshape(c, rows * rw * n)
    run = oh * rw * n
    cols = _buf.empty((c, kh, kw, run), x.dtype)
    for i in range(kh):
        for j in range(kw):
            start = (i * dh * rw + j * dw) * n
            cols[:, i, j] = xp[:, start:start + run]
    return cols


def _col2im_last(cols: np.ndarray, out: np.ndarray, pads: tuple, dilation: tuple, oh: int,
                 rw: int) -> None:
    """cols (C, KH, KW, OH*RW*n) -> out (n, C, H, W): the adjoint of ``_im2col_last``."""
    n, c, h, w = out.shape
    kh, kw = cols.shape[1:3]
    (pt, _, pl, _), (dh, dw) = pads, dilation
    rows = _last_rows(kh, dh, oh)
    xp = _buf.zeros((c, rows * rw * n), cols.dtype)
    run = oh * rw * n
    for i in range(kh):
        for j in range(kw):
            start = (i * dh * rw + j * dw) * n
            xp[:, start:start + run] += cols[:, i, j]
    out[...] = xp.reshape(c, rows, rw, n)[:, pt:pt + h, pl:pl + w].transpose(3, 0, 1, 2)


def _gy_last(gy: np.ndarray, rw: int) -> np.ndarray:
    """gy (n, O, OH, OW) -> (O, OH*RW*n), batch-last, zeros in the columns ow >= OW."""
    n, o, oh, ow = gy.shape
    out = _buf.empty((o, oh, rw, n), gy.dtype)
    out[:, :, :ow] = gy.transpose(1, 2, 3, 0)
    out[:, :, ow:] = 0
    return out.reshape(o, oh * rw * n)


def im2col(x: np.ndarray, kernel_size: Any, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1) -> np.ndarray:
    """Gather every kernel window of an image batch into columns.

    Args:
        x (np.ndarray): (N, C, H, W).
        kernel_size, stride, dilation: int or (KH, KW) / (SH, SW) / (DH, DW).
        padding: int, (PH, PW) or (PT, PB, PL, PR); zeros. Default: 0.

    Returns:
        cols (np.ndarray): (C, KH, KW, N, OH, OW), contiguous, with
        ``cols[c, i, j, n, oh, ow] = xpad[n, c, i*DH + oh*SH, j*DW + ow*SW]``;
        ``cols.reshape(C*KH*KW, N*OH*OW)`` is the column matrix.
    """
    kh, kw = ntuple(kernel_size, 2, "kernel_size", "im2col")
    stride = ntuple(stride, 2, "stride", "im2col")
    dilation = ntuple(dilation, 2, "dilation", "im2col")
    pads = _pads4(padding)
    n, c, h, w = x.shape
    oh = out_size(h, kh, stride[0], pads[0], pads[1], dilation[0])
    ow = out_size(w, kw, stride[1], pads[2], pads[3], dilation[1])
    if oh <= 0 or ow <= 0:
        raise ValueError(f"im2col: input of shape {x.shape} with padding {pads} is smaller "
                         f"than the dilated kernel ({dilation[0] * (kh - 1) + 1}, "
                         f"{dilation[1] * (kw - 1) + 1})")
    return _im2col(x, kh, kw, stride, pads, dilation, oh, ow)


def col2im(cols: np.ndarray, x_shape: Sequence[int], stride: Any = 1, padding: Any = 0,
           dilation: Any = 1) -> np.ndarray:
    """Sum columns back into an image batch: the adjoint (transpose) of ``im2col``.

    Args:
        cols (np.ndarray): (C, KH, KW, N, OH, OW) as returned by ``im2col``.
        x_shape: the image shape (N, C, H, W).
        stride, padding, dilation: as given to ``im2col``.

    Returns:
        (N, C, H, W): every column entry added to the pixel it was read from (padding
        positions dropped), accumulated with one strided ``+=`` per kernel offset.
    """
    stride = ntuple(stride, 2, "stride", "col2im")
    dilation = ntuple(dilation, 2, "dilation", "col2im")
    return _col2im(cols, tuple(x_shape), stride, _pads4(padding), dilation)


# ============================================================================
# Winograd F(4x4, 3x3) for 3x3 stride-1 convolutions
# ============================================================================
# Each 4x4 output tile y of one (image, output channel) is computed from the 6x6 input
# tile d under it (tiles of the padded input start every 4 pixels and overlap by 2) and
# the 3x3 kernel g of each input channel as (Lavin & Gray 2016)
#
#     y = A^T [ sum over c of (G g G^T) * (B^T d B) ] A          (* elementwise, 6x6)
#
# so the channel sum is 36 independent GEMMs, U[k] (O, C) @ V[k] (C, N*T) over the 36
# positions k of the 6x6 tile: 36*O*C multiplies per 16 outputs instead of 9*16*O*C
# (4x fewer). With TH x TW tiles per image (T = TH*TW, the last row/column of tiles may
# hang over the output), the transforms are GEMMs too, so everything runs in BLAS:
#     D (36, C*N*T)  the 6x6 input tiles, gathered by 36 strided copies (zero outside)
#     V = BB @ D     BB = kron(B^T, B^T)   (36, 36)
#     U = G g G^T    (36, O, C/G)
#     M = U @ V      (36, O, N*T), batched over the positions (and groups)
#     Y = AA @ M     AA = kron(A^T, A^T)   (16, 36), scattered into (N, O, OH, OW)
# Backward: the input gradient is a 3x3 stride-1 convolution again (flipped kernel),
# and the weight gradient transforms x's tiles again, chunk by chunk:
#     gM = AA^T @ (gy as 4x4 tiles),  gU = sum over chunks of gM @ V^T,  gW = G^T gU G.
# The kernel transforms are one GEMM each over all O*C/G kernels, with
# GG = kron(G, G) (36, 9):  U = GG @ W (9, O*C/G),  gW = gU^T (O*C/G, 36) @ GG.
# In float32 the result differs from direct convolution by ~1e-5 of the output's scale
# (direct: ~5e-7); float64 and small channel counts use im2col (see _use_winograd).
_BT = np.array([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]], np.float64)
_G = np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6],
               [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]], np.float64)
_AT = np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0],
                [0, 1, -1, 8, -8, 1]], np.float64)
_BB, _AA = np.kron(_BT, _BT), np.kron(_AT, _AT)          # (36, 36), (16, 36)
_GG = np.kron(_G, _G)                                     # (36, 9): vec(G g G^T) = GG vec(g)
_WM, _WT = 4, 6                                           # output tile m, input tile m + 2

WINOGRAD_DTYPES = (np.dtype(np.float32),)
"""Dtypes that take the Winograd path (float64 stays on exact-order im2col)."""
WINOGRAD_MIN_CHANNELS = 64
"""Input and output channels per group below which im2col is faster. Measured per kernel
(2 threads, OpenBLAS Haswell and SkylakeX): at 16-48 channels (ResNet-20's layers at
batch 128) im2col's forward and input gradient are 10-35 % faster, the weight gradients
alike; at 64 the two are even, above it Winograd wins (1.3-1.7x at 128 channels). The
ResNet-20 training step: 567 -> 537 ms (median of 6 alternating blocks)."""


def _use_winograd(dtype: np.dtype, kh: int, kw: int, g: _Geom, cg: int, og: int) -> bool:
    return (kh == kw == 3 and g.stride == (1, 1) and g.dilation == (1, 1)
            and dtype in WINOGRAD_DTYPES and min(cg, og) >= WINOGRAD_MIN_CHANNELS)


def _tile_range(i: int, pad: int, size: int, tiles: int) -> tuple:
    """For tile offset i: the tiles a whose pixel m*a + i - pad lies inside [0, size),
    as (first tile, tile count, first pixel)."""
    a0 = max(0, -((i - pad) // _WM))                      # ceil((pad - i) / m), >= 0
    a1 = min(tiles, (size - 1 - i + pad) // _WM + 1)
    return a0, max(0, a1 - a0), _WM * a0 + i - pad


def _wino_input(x: np.ndarray, pads: tuple, th: int, tw: int) -> np.ndarray:
    """x (N, C, H, W) -> V (36, C, N*T): the transformed 6x6 tiles of the padded input."""
    n, c, h, w = x.shape
    xt = x.transpose(1, 0, 2, 3)                          # (C, N, H, W) view
    d = _buf.zeros((_WT, _WT, c, n, th, tw), x.dtype)     # tiles; zero where padding
    for i in range(_WT):
        a0, na, r0 = _tile_range(i, pads[0], h, th)
        for j in range(_WT):
            b0, nb, c0 = _tile_range(j, pads[2], w, tw)
            if na and nb:
                d[i, j, :, :, a0:a0 + na, b0:b0 + nb] = \
                    xt[:, :, r0:r0 + _WM * (na - 1) + 1:_WM, c0:c0 + _WM * (nb - 1) + 1:_WM]
    v = _buf.matmul(_BB.astype(x.dtype), d.reshape(_WT * _WT, -1))
    return v.reshape(_WT * _WT, c, n * th * tw)


def _wino_weight(w: np.ndarray) -> np.ndarray:
    """w (O, C/G, 3, 3) -> U (36, O, C/G) = G w G^T at each of the 36 tile positions."""
    o, cg = w.shape[:2]
    u = _buf.matmul(_GG.astype(w.dtype), w.reshape(o * cg, 9).T)  # one GEMM, (36, O*C/G)
    return u.reshape(_WT * _WT, o, cg)


def _wino_output(m: np.ndarray, y: np.ndarray, th: int, tw: int,
                 b: np.ndarray | None) -> None:
    """M (36, O, N*T) -> y (N, O, OH, OW) = A^T M A per tile, plus bias, written into y."""
    n, o, oh, ow = y.shape
    yt = _buf.matmul(_AA.astype(m.dtype), m.reshape(_WT * _WT, -1)).reshape(_WM, _WM, o, n, th, tw)
    yv = y.transpose(1, 0, 2, 3)                          # (O, N, OH, OW) view
    bias = None if b is None else b.reshape(o, 1, 1, 1)
    for i in range(_WM):
        na = len(range(i, oh, _WM))
        for j in range(_WM):
            nb = len(range(j, ow, _WM))
            if bias is None:
                yv[:, :, i::_WM, j::_WM] = yt[i, j, :, :, :na, :nb]
            else:
                np.add(yt[i, j, :, :, :na, :nb], bias, out=yv[:, :, i::_WM, j::_WM])


def _wino_grad_output(gy: np.ndarray, th: int, tw: int) -> np.ndarray:
    """gy (N, O, OH, OW) -> gM (36, O, N*T) = A gy A^T per 4x4 tile (the adjoint of
    ``_wino_output``)."""
    n, o, oh, ow = gy.shape
    e = _buf.zeros((_WM, _WM, o, n, th, tw), gy.dtype)
    gt = gy.transpose(1, 0, 2, 3)
    for i in range(_WM):
        na = len(range(i, oh, _WM))
        for j in range(_WM):
            nb = len(range(j, ow, _WM))
            e[i, j, :, :, :na, :nb] = gt[:, :, i::_WM, j::_WM]
    gm = _buf.matmul(_AA.T.astype(gy.dtype), e.reshape(_WM * _WM, -1))
    return gm.reshape(_WT * _WT, o, n * th * tw)


def _wino_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: _Geom,
               oh: int, ow: int) -> np.ndarray:
    """Winograd forward, one batch chunk at a time: y (N, O, OH, OW)."""
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    G = g.groups
    th, tw = -(-oh // _WM), -(-ow // _WM)
    u = _wino_weight(w).reshape(_WT * _WT, G, o // G, cg)
    y = _buf.empty((n, o, oh, ow), x.dtype)
    for n0, n1 in _batch_chunks(n, _WT * _WT * (c + o) * th * tw * x.itemsize):
        v = _wino_input(x[n0:n1], g.pads, th, tw)                         # (36, C, n*T)
        m = _buf.matmul(u, v.reshape(_WT * _WT, G, cg, -1))             # (36, G, O/G, n*T)
        _wino_output(m.reshape(_WT * _WT, o, -1), y[n0:n1], th, tw, b)
    return y


def _accumulate(parts: Any) -> np.ndarray:
    """The sum of the arrays ``parts`` yields (one product per batch chunk), accumulated
    into the first one."""
    total = None
    for part in parts:
        if total is None:
            total = part
        else:
            total += part
    return total


def _wino_conv_grad_weight(x: np.ndarray, gy: np.ndarray, w_shape: tuple,
                           g: _Geom) -> np.ndarray:
    """Winograd weight gradient: gW = G^T (sum over batch chunks of gM @ V^T) G."""
    n, c = x.shape[:2]
    o, cg = w_shape[:2]
    G = g.groups
    oh, ow = gy.shape[2:]
    th, tw = -(-oh // _WM), -(-ow // _WM)

    # each chunk's product gU (36, O, C/G) is added into the sum: on a small image with
    # many channels gU outweighs the chunk's tiles, so a chunk is at least twice gU
    # ((8, 512, 7, 7): 12.6 -> 8.8 ms; (8, 256, 14, 14): 7.6 -> 6.3 ms)
    least = 2 * _WT * _WT * o * cg * x.itemsize

    def products():
        for n0, n1 in _batch_chunks(n, _WT * _WT * (c + o) * th * tw * x.itemsize, least):
            v = _wino_input(x[n0:n1], g.pads, th, tw).reshape(_WT * _WT, G, cg, -1)
            gm = _wino_grad_output(gy[n0:n1], th, tw).reshape(_WT * _WT, G, o // G, -1)
            yield _buf.matmul(gm, v.transpose(0, 1, 3, 2))              # (36,G,O/G,C/G)

    gu = _accumulate(products())
    gw = _buf.matmul(gu.reshape(_WT * _WT, o * cg).T, _GG.astype(gy.dtype))  # (O*C/G, 9)
    return gw.reshape(w_shape)


# ============================================================================
# Array kernels: y = conv(x, W), gx = conv^T(gy, W), gW = conv_w(x, gy)
# ============================================================================
def _conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                  g: _Geom) -> np.ndarray:
    """y (N, O, OH, OW) = conv(x, W) + b, one batch chunk of columns at a time."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    G = g.groups
    og = o // G
    if g.is_pointwise(kh, kw):                              # one batched matmul, no copy
        y = _buf.matmul(w.reshape(G, og, cg), x.reshape(n, G, cg, h * wd))
        y = y.reshape(n, o, h, wd)                          # (N, G, O/G, H*W) is NCHW
        if b is not None:
            y += b.reshape(o, 1, 1)
        return y
    oh, ow = g.out_hw(h, wd, kh, kw)
    if _use_winograd(x.dtype, kh, kw, g, cg, og):
        return _wino_conv(x, w, b, g, oh, ow)
    k = cg * kh * kw
    w2 = w.reshape(G, og, k)
    bias = None if b is None else b.reshape(o, 1, 1)
    rw = _row_width(g, (h, wd), (kh, kw), oh, ow)
    last = rw != ow and oh * rw < LAST_MAX_RUN
    y = _buf.empty((n, o, oh, ow), x.dtype)
    for n0, n1 in _batch_chunks(n, c * kh * kw * oh * rw * x.itemsize):
        if last:                                              # batch-last wide
            cols = _im2col_last(x[n0:n1], kh, kw, g.pads, g.dilation, oh, rw)
            y2 = _buf.matmul(w2, cols.reshape(G, k, -1))      # (G, O/G, OH*RW*n)
            y2 = y2.reshape(o, oh, rw, n1 - n0)[:, :, :ow].transpose(3, 0, 1, 2)
        else:
            cols = _im2col(x[n0:n1], kh, kw, g.stride, g.pads, g.dilation, oh, ow, rw)
            y2 = _buf.matmul(w2, cols.reshape(G, k, -1))      # (G, O/G, n*OH*RW)
            y2 = y2.reshape(o, n1 - n0, oh, rw)[..., :ow].transpose(1, 0, 2, 3)  # (n, O, OH, OW)
        if bias is None:
            y[n0:n1] = y2
        else:
            np.add(y2, bias, out=y[n0:n1])                  # to NCHW + bias, one pass
    return y


def _grad_input_as_conv(dtype: np.dtype, c: int, o: int, kh: int, kw: int, hw: tuple,
                        g: _Geom) -> bool:
    """Stride 1: whether gx is cheaper as a convolution of gy than as W^T @ gy + col2im.

    The convolution gathers O*KH*KW rows over the N*H*W input positions (and runs on
    Winograd when its channels qualify); col2im's route writes C*KH*KW rows over the
    N*OH*OW output positions and adds each back into place (about twice the memory
    traffic per element). A layer that widens (C < O) or shrinks the image a lot
    (LeNet's 5x5 valid convolutions) is cheaper through col2im."""
    h, w, oh, ow = hw
    G = g.groups
    if _use_winograd(dtype, kh, kw, g, o // G, c // G):
        return True
    return o * h * w <= 2 * c * oh * ow


def _conv_grad_input(gy: np.ndarray, w: np.ndarray, x_shape: tuple, g: _Geom) -> np.ndarray:
    """gx (N, C, H, W) = conv^T(gy, W): the adjoint of ``_conv_forward`` in x."""
    n, c, h, wd = x_shape
    o, cg, kh, kw = w.shape
    G = g.groups
    og = o // G
    _, _, oh, ow = gy.shape
    if g.is_pointwise(kh, kw) and (oh, ow) == (h, wd):
        gx = _buf.matmul(w.reshape(G, og, cg).transpose(0, 2, 1), gy.reshape(n, G, og, oh * ow))
        return gx.reshape(n, c, h, wd)
    (sh, sw), (pt, _, pl, _), (dh, dw) = g.stride, g.pads, g.dilation
    # stride 1: gx is a convolution of gy, zero-padded by the dilated kernel size less
    # the forward padding, with the kernel flipped and its in/out channels swapped
    # (the bottom/right padding is what makes the output H x W: h + pt - oh, which is
    # DH*(KH-1) - PB unless gy is cropped, as after conv_transpose2d's output_padding)
    ph_lo, ph_hi = dh * (kh - 1) - pt, h + pt - oh
    pw_lo, pw_hi = dw * (kw - 1) - pl, wd + pl - ow
    if (sh == sw == 1 and min(ph_lo, ph_hi, pw_lo, pw_hi) >= 0
            and _grad_input_as_conv(gy.dtype, c, o, kh, kw, (h, wd, oh, ow), g)):
        wf = w.reshape(G, og, cg, kh, kw).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
        wf = _buf.contiguous(wf).reshape(c, og, kh, kw)   # (C, O/G, KH, KW), a copy
        g2 = _Geom((1, 1), (ph_lo, ph_hi, pw_lo, pw_hi), g.dilation, G)
        return _conv_forward(gy, wf, None, g2)
    wt = w.reshape(G, og, cg * kh * kw).transpose(0, 2, 1)   # (G, C/G*KH*KW, O/G) view
    rw = _row_width(g, (h, wd), (kh, kw), oh, ow)
    gx = _buf.empty(x_shape, gy.dtype)
    for n0, n1 in _batch_chunks(n, c * kh * kw * oh * rw * gy.itemsize):
        if rw != ow:                                          # batch-last wide
            gcols = _buf.matmul(wt, _gy_last(gy[n0:n1], rw).reshape(G, og, -1))
            _col2im_last(gcols.reshape(c, kh, kw, -1), gx[n0:n1], g.pads, g.dilation, oh, rw)
        else:
            gcols = _buf.matmul(wt, _gy_rows(gy[n0:n1]).reshape(G, og, -1))
            _col2im(gcols.reshape(c, kh, kw, n1 - n0, oh, ow), gx[n0:n1].shape, g.stride,
                    g.pads, g.dilation, out=gx[n0:n1])
    return gx


def _conv_grad_weight(x: np.ndarray, gy: np.ndarray, w_shape: tuple, g: _Geom) -> np.ndarray:
    """gW (O, C/G, KH, KW) = sum over the batch and positions of gy times x's windows,
    accumulated over batch chunks (each chunk's columns built again, in cache).

    ``gy`` may be smaller than the convolution's output (``conv_transpose2d`` with
    ``output_padding``): only the positions it covers are used."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w_shape
    G = g.groups
    og = o // G
    _, _, oh, ow = gy.shape
    if _use_winograd(x.dtype, kh, kw, g, cg, og):
        return _wino_conv_grad_weight(x, gy, w_shape, g)
    if g.is_pointwise(kh, kw) and (oh, ow) == (h, wd):
        gy2 = _buf.contiguous(gy.transpose(1, 0, 2, 3)).reshape(G, og, n * oh * ow)
        x2 = _buf.contiguous(x.transpose(1, 0, 2, 3)).reshape(G, cg, n * h * wd)
        return np.matmul(gy2, x2.transpose(0, 2, 1)).reshape(w_shape)
    k = cg * kh * kw
    rw = _row_width(g, (h, wd), (kh, kw), oh, ow)
    # wide columns past OW meet zeros of gy2: clear them only if 0 * x could be NaN (a
    # sum that overflows to inf only clears them needlessly)
    clear = rw != ow and not np.isfinite(np.add.reduce(x, axis=None))

    def products():
        for n0, n1 in _batch_chunks(n, (c * kh * kw + o) * oh * rw * x.itemsize):
            if rw != ow:                                      # batch-last wide
                gy2 = _gy_last(gy[n0:n1], rw)
                cols = _im2col_last(x[n0:n1], kh, kw, g.pads, g.dilation, oh, rw)
                if clear:
                    cols.reshape(c, kh, kw, oh, rw, n1 - n0)[:, :, :, :, ow:] = 0
            else:
                gy2 = _gy_rows(gy[n0:n1])
                cols = _im2col(x[n0:n1], kh, kw, g.stride, g.pads, g.dilation, oh, ow)
            yield _weight_product(cols.reshape(G, k, -1), gy2.reshape(G, og, -1))

    return np.ascontiguousarray(_accumulate(products())).reshape(w_shape)


SKINNY_WEIGHT = 256
"""A weight gradient with at most this many entries per group, O/G * C/G*KH*KW (LeNet's
first layer: 6 x 25), is a GEMM with a tiny result and a very long inner dimension."""
SKINNY_SLICE = 2048
SMALL_GEMM_KERNELS = ("SkylakeX", "Cooperlake", "SapphireRapids")
"""OpenBLAS kernel sets with a direct path for small products (no packing, used below
about 3.6e5 multiply-adds when two threads are available)."""


def _weight_product(cols: np.ndarray, gy2: np.ndarray) -> np.ndarray:
    """gy2 @ cols^T (G, O/G, K) for cols (G, K, L) and gy2 (G, O/G, L), in the call
    shape measured fastest on LeNet-5's layers: (cols @ gy2^T)^T, 1.1-2x faster than
    the direct product on OpenBLAS's Haswell and SkylakeX kernels, except for a skinny
    weight; that one is the direct product on Haswell, and on the kernels of
    ``SMALL_GEMM_KERNELS`` a sum over slices of ``SKINNY_SLICE`` positions, each small
    enough for the direct path (4x faster there; 15 % slower on Haswell)."""
    og, k, length = gy2.shape[1], cols.shape[1], cols.shape[2]
    if og * k > SKINNY_WEIGHT:
        return _buf.matmul(cols, gy2.transpose(0, 2, 1)).transpose(0, 2, 1)
    if blas_corename() not in SMALL_GEMM_KERNELS:
        return _buf.matmul(gy2, cols.transpose(0, 2, 1))
    total = np.zeros((cols.shape[0], k, og), cols.dtype)
    for l0 in range(0, length, SKINNY_SLICE):
        total += cols[..., l0:l0 + SKINNY_SLICE] @ gy2[..., l0:l0 + SKINNY_SLICE].transpose(0, 2, 1)
    return total.transpose(0, 2, 1)


# ============================================================================
# Functions
# ============================================================================
def _crop(y: Any, oh: int, ow: int) -> Any:
    """y[:, :, :OH, :OW] when y is bigger (arrays and Tensors)."""
    if y.shape[2] == oh and y.shape[3] == ow:
        return y
    return y[:, :, :oh, :ow]


class Conv2dFn(Function):
    """y = conv(x, W) + b, one node (bias fused).

    x (N, C, H, W), W (O, C/G, KH, KW), b (O,) -> y (N, O, OH, OW).
        gx = conv_transpose(gy, W)       (ConvTranspose2dFn)
        gW = conv_weight(x, gy)          (ConvWeight)
        gb = gy summed over N, OH, OW
    Each gradient is itself a Function of the same family, so double backward works.
    Only x and W are kept: the columns (or Winograd tiles) are built per batch chunk
    and freed within each kernel, in forward and again in backward.
    """

    @staticmethod
    def forward(ctx, x, w, b, geom):
        ctx.save_for_backward(x, w)
        ctx.geom = geom
        return _conv_forward(x, w, b, geom)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        need, geom = ctx.needs_input_grad, ctx.geom
        gx = ConvTranspose2dFn.apply(gy, w, None, geom, x.shape) if need[0] else None
        gw = ConvWeight.apply(x, gy, geom, w.shape) if need[1] else None
        gb = gy.sum(axis=(0, 2, 3)) if need[2] else None
        return gx, gw, gb


class ConvTranspose2dFn(Function):
    """y = conv_transpose(x, W) + b: the adjoint of ``Conv2dFn`` in its input.

    x (N, C_in, H, W), W (C_in, C_out/G, KH, KW) (a Conv2d weight from C_out to C_in
    channels), b (C_out,) -> y of ``y_shape`` (N, C_out, HO, WO).
        gx = conv(gy, W) (cropped to x),  gW = conv_weight(gy, x),  gb = sum of gy
    """

    @staticmethod
    def forward(ctx, x, w, b, geom, y_shape):
        ctx.save_for_backward(x, w)
        ctx.geom = geom
        y = _conv_grad_input(x, w, y_shape, geom)
        if b is not None:
            y += b.reshape(-1, 1, 1)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        need, geom = ctx.needs_input_grad, ctx.geom
        gx = gw = gb = None
        if need[0]:
            gx = _crop(Conv2dFn.apply(gy, w, None, geom), x.shape[2], x.shape[3])
        if need[1]:
            gw = ConvWeight.apply(gy, x, geom, w.shape)
        if need[2]:
            gb = gy.sum(axis=(0, 2, 3))
        return gx, gw, gb


class ConvWeight(Function):
    """gW = conv_weight(x, gy): the weight gradient of ``Conv2dFn`` as a Function of
    (x, gy), bilinear, so its own gradients are convolutions again:
        g_x = conv_transpose(gy, ggW),   g_gy = conv(x, ggW) (cropped to gy)
    """

    @staticmethod
    def forward(ctx, x, gy, geom, w_shape):
        ctx.save_for_backward(x, gy)
        ctx.geom = geom
        return _conv_grad_weight(x, gy, w_shape, geom)

    @staticmethod
    def backward(ctx, ggw):
        x, gy = ctx.saved_tensors
        need, geom = ctx.needs_input_grad, ctx.geom
        g_x = ConvTranspose2dFn.apply(gy, ggw, None, geom, x.shape) if need[0] else None
        g_gy = None
        if need[1]:
            g_gy = _crop(Conv2dFn.apply(x, ggw, None, geom), gy.shape[2], gy.shape[3])
        return g_x, g_gy


class Unfold(Function):
    """y = unfold(x): (N, C, H, W) -> (N, C*KH*KW, L) with L = OH*OW (torch's layout);
    gx = fold(gy)."""

    @staticmethod
    def forward(ctx, x, ksize, geom):
        ctx.x_shape, ctx.ksize, ctx.geom = x.shape, ksize, geom
        (kh, kw), g = ksize, geom
        n, c, h, w = x.shape
        oh, ow = g.out_hw(h, w, kh, kw)
        cols = _im2col(x, kh, kw, g.stride, g.pads, g.dilation, oh, ow)
        return np.ascontiguousarray(cols.reshape(c * kh * kw, n, oh * ow).transpose(1, 0, 2))

    @staticmethod
    def backward(ctx, gy):
        return Fold.apply(gy, ctx.x_shape, ctx.ksize, ctx.geom)


class Fold(Function):
    """y = fold(x): (N, C*KH*KW, L) -> (N, C, H, W), summing overlapping windows;
    gx = unfold(gy)."""

    @staticmethod
    def forward(ctx, x, y_shape, ksize, geom):
        ctx.ksize, ctx.geom = ksize, geom
        n, c, h, w = y_shape
        kh, kw = ksize
        oh, ow = geom.out_hw(h, w, kh, kw)
        cols = x.reshape(n, c, kh, kw, oh, ow).transpose(1, 2, 3, 0, 4, 5)
        return _col2im(cols, y_shape, geom.stride, geom.pads, geom.dilation)

    @staticmethod
    def backward(ctx, gy):
        return Unfold.apply(gy, ctx.ksize, ctx.geom)


# ============================================================================
# User functions
# ============================================================================
def _check_tensors(op: str, input: Any, weight: Any, bias: Any) -> tuple:
    input, weight = as_tensor(input), as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    for name, t in (("input", input), ("weight", weight), ("bias", bias)):
        if t is not None and t.dtype.kind != "f":
            raise TypeError(f"{op}: {name} must be floating point, got dtype {t.dtype}")
    dts = {t.dtype for t in (input, weight, bias) if t is not None}
    if len(dts) > 1:
        raise TypeError(f"{op}: input, weight and bias must have the same dtype, got "
                        f"input {input.dtype}, weight {weight.dtype}"
                        + ("" if bias is None else f", bias {bias.dtype}"))
    return input, weight, bias


def _conv_nd(op: str, nd: int, input: Any, weight: Any, bias: Any, stride: Any,
             padding: Any, dilation: Any, groups: int) -> Tensor:
    """conv1d / conv2d: validate, bring to (N, C, H, W), run Conv2dFn, reshape back."""
    input, weight, bias = _check_tensors(op, input, weight, bias)
    stride = ntuple(stride, nd, "stride", op, minimum=1)
    dilation = ntuple(dilation, nd, "dilation", op, minimum=1)
    if weight.ndim != nd + 2:
        raise ValueError(f"{op}: weight must be {nd + 2}-D (out_channels, in_channels/groups"
                         f", {'kW' if nd == 1 else 'kH, kW'}), got shape {weight.shape}")
    ksize = weight.shape[2:]
    o, cg = weight.shape[:2]
    groups = check_groups(groups, op, weight.shape, out_channels=o)
    if input.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{op}: expected {nd + 1}-D (unbatched) or {nd + 2}-D (batched) "
                         f"input, got shape {input.shape}")
    unbatched = input.ndim == nd + 1
    x_shape = input.shape
    c = x_shape[-nd - 1]
    if c != cg * groups:
        raise ValueError(f"{op}: expected input with {cg * groups} channels (weight shape "
                         f"{weight.shape}, groups={groups}), got input shape {x_shape}")
    if bias is not None and bias.shape != (o,):
        raise ValueError(f"{op}: bias must have shape ({o},), got {bias.shape}")
    pads = conv_padding(padding, ksize, stride, dilation, op)
    spatial = x_shape[-nd:]
    for size, k, d, (lo, hi) in zip(spatial, ksize, dilation, pads):
        if size + lo + hi < d * (k - 1) + 1:
            dk = tuple(dd * (kk - 1) + 1 for kk, dd in zip(ksize, dilation))
            padded = tuple(sz + a + b for sz, (a, b) in zip(spatial, pads))
            raise ValueError(f"{op}: input of shape {x_shape} padded to {padded} is smaller "
                             f"than the dilated kernel {dk} (weight shape {weight.shape})")
    if nd == 1:                                           # a 1-D conv is a 2-D one, H = 1
        pads4 = (0, 0) + pads[0]
        stride, dilation = (1,) + stride, (1,) + dilation
        weight = weight.reshape(o, cg, 1, ksize[0])
        x4 = input.reshape((1,) * unbatched + x_shape[:-1] + (1,) + x_shape[-1:])
    else:
        pads4 = pads[0] + pads[1]
        x4 = input.reshape((1,) + x_shape) if unbatched else input
    geom = _Geom(stride, pads4, dilation, groups)
    y = Conv2dFn.apply(x4, weight, bias, geom)
    if nd == 1:
        y = y.reshape(y.shape[:2] + y.shape[3:])
    if unbatched:
        y = y.reshape(y.shape[1:])
    return y


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as torch) over an NCHW batch, bias fused.

    Args:
        input (Tensor): (N, C, H, W), or (C, H, W) unbatched.
        weight (Tensor): (O, C/groups, KH, KW).
        bias (Tensor, optional): (O,). Default: None.
        stride (int or tuple): (SH, SW). Default: 1.
        padding (int, tuple or str): zeros on both sides; 'valid' (none) or 'same'
            (output size = input size; stride 1 only; an odd total puts the extra
            zero on the bottom/right, as torch). Default: 0.
        dilation (int or tuple): spacing between kernel taps. Default: 1.
        groups (int): split channels into groups convolved separately. Default: 1.

    Shape:
        output (N, O, OH, OW), OH = (H + 2*PH - DH*(KH-1) - 1) // SH + 1 (same for W).

    Example:
        >>> F.conv2d(nl.randn(8, 3, 32, 32), nl.randn(16, 3, 3, 3), padding=1).shape
        (8, 16, 32, 32)
    """
    return _conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution over an (N, C, L) batch (a ``conv2d`` with H = 1).

    Args:
        input (Tensor): (N, C, L), or (C, L) unbatched.
        weight (Tensor): (O, C/groups, K).
        bias, stride, padding, dilation, groups: as ``conv2d`` (ints or 1-tuples).

    Shape:
        output (N, O, OL), OL = (L + 2*P - D*(K-1) - 1) // S + 1.

    Example:
        >>> F.conv1d(nl.randn(4, 8, 50), nl.randn(16, 8, 5)).shape
        (4, 16, 46)
    """
    return _conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-D transposed convolution ("deconvolution"): the gradient of ``conv2d`` with
    respect to its input, as a layer.

    Args:
        input (Tensor): (N, C_in, H, W), or (C_in, H, W) unbatched.
        weight (Tensor): (C_in, C_out/groups, KH, KW).
        bias (Tensor, optional): (C_out,). Default: None.
        stride (int or tuple): Default: 1.
        padding (int or tuple): ``dilation*(K-1) - padding`` zeros are added to both
            sides of the input. Default: 0.
        output_padding (int or tuple): extra rows/columns on the bottom/right of the
            output; must be smaller than stride or dilation. Default: 0.
        groups (int): Default: 1.
        dilation (int or tuple): Default: 1.

    Shape:
        output (N, C_out, HO, WO), HO = (H-1)*SH - 2*PH + DH*(KH-1) + OPH + 1.

    Example:
        >>> F.conv_transpose2d(nl.randn(2, 16, 8, 8), nl.randn(16, 3, 4, 4), stride=2,
        ...                    padding=1).shape
        (2, 3, 16, 16)
    """
    op = "conv_transpose2d"
    input, weight, bias = _check_tensors(op, input, weight, bias)
    stride = ntuple(stride, 2, "stride", op, minimum=1)
    dilation = ntuple(dilation, 2, "dilation", op, minimum=1)
    padding = ntuple(padding, 2, "padding", op, minimum=0)
    opad = ntuple(output_padding, 2, "output_padding", op, minimum=0)
    for op_, s, d in zip(opad, stride, dilation):
        if op_ >= max(s, d):
            raise ValueError(f"{op}: output_padding {opad} must be smaller than either "
                             f"stride {stride} or dilation {dilation}")
    if weight.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-D (in_channels, out_channels/groups, kH, "
                         f"kW), got shape {weight.shape}")
    if input.ndim not in (3, 4):
        raise ValueError(f"{op}: expected 3-D (unbatched) or 4-D (batched) input, got "
                         f"shape {input.shape}")
    unbatched = input.ndim == 3
    x = input.reshape((1,) + input.shape) if unbatched else input
    n, c, h, w = x.shape
    cin, cog, kh, kw = weight.shape
    groups = check_groups(groups, op, weight.shape, in_channels=cin)
    if c != cin:
        raise ValueError(f"{op}: expected input with {cin} channels (weight shape "
                         f"{weight.shape}), got input shape {input.shape}")
    cout = cog * groups
    if bias is not None and bias.shape != (cout,):
        raise ValueError(f"{op}: bias must have shape ({cout},), got {bias.shape}")
    ho = transposed_out_size(h, kh, stride[0], padding[0], dilation[0], opad[0])
    wo = transposed_out_size(w, kw, stride[1], padding[1], dilation[1], opad[1])
    if ho <= 0 or wo <= 0:
        raise ValueError(f"{op}: output size ({ho}, {wo}) is not positive for input shape "
                         f"{input.shape}, weight {weight.shape} and padding {padding}")
    geom = _Geom(stride, (padding[0], padding[0], padding[1], padding[1]), dilation, groups)
    y = ConvTranspose2dFn.apply(x, weight, bias, geom, (n, cout, ho, wo))
    return y.reshape(y.shape[1:]) if unbatched else y


def _fold_params(op: str, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    ksize = ntuple(kernel_size, 2, "kernel_size", op, minimum=1)
    dilation = ntuple(dilation, 2, "dilation", op, minimum=1)
    padding = ntuple(padding, 2, "padding", op, minimum=0)
    stride = ntuple(stride, 2, "stride", op, minimum=1)
    geom = _Geom(stride, (padding[0], padding[0], padding[1], padding[1]), dilation, 1)
    return ksize, geom


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Extract sliding blocks (im2col) in torch's ``F.unfold`` layout.

    Args:
        input (Tensor): (N, C, H, W), or (C, H, W) unbatched.
        kernel_size, dilation, padding, stride: int or (h, w). Defaults: -, 1, 0, 1.

    Shape:
        output (N, C*KH*KW, L), L = OH*OW; row ``c*KH*KW + i*KW + j`` holds channel c at
        kernel offset (i, j).

    Example:
        >>> F.unfold(nl.randn(2, 3, 5, 5), 3).shape
        (2, 27, 9)
    """
    op = "unfold"
    input = as_tensor(input)
    ksize, geom = _fold_params(op, kernel_size, dilation, padding, stride)
    if input.ndim not in (3, 4):
        raise ValueError(f"{op}: expected 3-D (unbatched) or 4-D (batched) input, got "
                         f"shape {input.shape}")
    unbatched = input.ndim == 3
    x = input.reshape((1,) + input.shape) if unbatched else input
    oh, ow = geom.out_hw(x.shape[2], x.shape[3], *ksize)
    if oh <= 0 or ow <= 0:
        raise ValueError(f"{op}: input of shape {input.shape} with padding "
                         f"{geom.pads[0], geom.pads[2]} is smaller than the dilated kernel "
                         f"{tuple(d * (k - 1) + 1 for k, d in zip(ksize, geom.dilation))}")
    y = Unfold.apply(x, ksize, geom)
    return y.reshape(y.shape[1:]) if unbatched else y


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """Combine sliding blocks into an image, summing overlaps (col2im): the adjoint of
    ``unfold`` (torch's ``F.fold``).

    Args:
        input (Tensor): (N, C*KH*KW, L), or (C*KH*KW, L) unbatched.
        output_size (int or tuple): (H, W) of the image.
        kernel_size, dilation, padding, stride: as ``unfold``.

    Shape:
        output (N, C, H, W); L must equal the number of blocks, OH*OW.

    Example:
        >>> F.fold(nl.ones(1, 4, 9), (4, 4), 2).shape
        (1, 1, 4, 4)
    """
    op = "fold"
    input = as_tensor(input)
    ksize, geom = _fold_params(op, kernel_size, dilation, padding, stride)
    h, w = ntuple(output_size, 2, "output_size", op)
    if input.ndim not in (2, 3):
        raise ValueError(f"{op}: expected 2-D (unbatched) or 3-D (batched) input, got "
                         f"shape {input.shape}")
    unbatched = input.ndim == 2
    x = input.reshape((1,) + input.shape) if unbatched else input
    n, ck, L = x.shape
    k = ksize[0] * ksize[1]
    if ck % k:
        raise ValueError(f"{op}: expected size of input's dim 1 ({ck}, input shape "
                         f"{input.shape}) to be divisible by the product of kernel_size "
                         f"({k})")
    oh, ow = geom.out_hw(h, w, *ksize)
    if oh <= 0 or ow <= 0 or L != oh * ow:
        raise ValueError(f"{op}: input shape {input.shape} has {L} blocks, but output_size "
                         f"{(h, w)} with kernel_size {ksize}, dilation {geom.dilation}, "
                         f"padding {geom.pads[0], geom.pads[2]} and stride {geom.stride} "
                         f"gives {max(oh, 0) * max(ow, 0)} blocks")
    y = Fold.apply(x, (n, ck // k, h, w), ksize, geom)
    return y.reshape(y.shape[1:]) if unbatched else y
