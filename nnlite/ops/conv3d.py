"""Volumetric convolution: conv3d and conv_transpose3d, on an im2col / col2im pair written
once for any number of spatial dims.

Notation (volumes are NCDHW, weights (O, C/G, KD, KH, KW) as in torch; S below is the
tuple of spatial sizes, one entry per spatial dim):

    N          batch size
    C, O       input and output channels
    G          groups: input channels C/G of group g see only output channels O/G of g
    S          spatial size of the input, e.g. (D, H, W)
    K          kernel size (KD, KH, KW);  KK = prod(K) taps
    ST, DL     stride and dilation, one per spatial dim
    PAD        ((lo, hi), ...) zeros before and after each spatial dim
    OS         output size: OS[i] = (S[i] + lo + hi - DL[i]*(K[i]-1) - 1) // ST[i] + 1
    P          prod(OS) output positions per volume

The column matrix of a batch is laid out ``(C, *K, N, *OS)``, i.e. the 2-D matrix
``(C*KK, N*P)``: row (c, k) holds input channel c shifted by the kernel offset k, for
every output position of every volume. With weights as ``(G, O/G, C/G*KK)`` every GEMM
is one batched matmul over the groups, the batch folded into the long dimension:

    forward      y2  = W2 @ cols               (G, O/G, N*P)
    grad weight  gW2 = (cols @ gy2^T)^T        (G, O/G, C/G*KK)
    grad input   gcols = W2^T @ gy2, then col2im

``_im2col`` loops over the KK kernel offsets only (``np.ndindex``), each iteration one
strided copy of the whole batch chunk; ``_col2im`` adds back with one strided ``+=`` per
offset. Nothing here is specific to three dims, but 1-D and 2-D convolutions keep their
own tuned path (``nnlite.ops.conv``: wide columns, Winograd, 1x1 shortcuts); this module
serves the 3-D ops. The batch is processed in chunks of about ``CHUNK_BYTES`` of columns,
so a node keeps only x and W for backward, as torch does.

Sections: geometry -- im2col / col2im -- array kernels -- Functions -- user functions.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor
from .arguments import check_groups, conv_padding, ntuple, out_size, transposed_out_size
from .conv import CHUNK_BYTES, _batch_chunks, _check_tensors

__all__ = ["conv3d", "conv_transpose3d"]


# ============================================================================
# Geometry
# ============================================================================
class _GeomNd:
    """The static geometry of one convolution over ``len(stride)`` spatial dims: stride,
    pads ((lo, hi) per dim), dilation, groups."""

    __slots__ = ("stride", "pads", "dilation", "groups")

    def __init__(self, stride: tuple, pads: tuple, dilation: tuple, groups: int) -> None:
        self.stride, self.pads, self.dilation, self.groups = stride, pads, dilation, groups

    def out_shape(self, spatial: tuple, ksize: tuple) -> tuple:
        """OS for input spatial size S and kernel K."""
        return tuple(out_size(s, k, st, lo, hi, d) for s, k, st, (lo, hi), d
                     in zip(spatial, ksize, self.stride, self.pads, self.dilation))


def _extent(spatial: tuple, ksize: tuple, osize: tuple, g: _GeomNd) -> tuple:
    """The padded size each kernel offset's reads must fit in: at least S + lo + hi, and
    enough to reach the last tap of the last output position of ``osize``."""
    return tuple(max(s + lo + hi, d * (k - 1) + st * (o - 1) + 1)
                 for s, k, o, st, (lo, hi), d
                 in zip(spatial, ksize, osize, g.stride, g.pads, g.dilation))


def _tap(offset: tuple, osize: tuple, g: _GeomNd) -> tuple:
    """The strided slices, one per spatial dim, that kernel offset ``offset`` reads from
    the padded input for the output positions ``osize``."""
    return tuple(slice(i * d, i * d + st * (o - 1) + 1, st)
                 for i, o, st, d in zip(offset, osize, g.stride, g.dilation))


# ============================================================================
# im2col / col2im (pure arrays)
# ============================================================================
def _im2col(x: np.ndarray, ksize: tuple, g: _GeomNd, osize: tuple) -> np.ndarray:
    """x (N, C, *S) -> cols (C, *K, N, *OS), contiguous, with
    ``cols[c, k..., n, o...] = xpad[n, c, k*DL + o*ST]`` per spatial dim."""
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    nd = len(spatial)
    ext = _extent(spatial, ksize, osize, g)
    xt = x.transpose((1, 0) + tuple(range(2, nd + 2)))          # (C, N, *S) view
    if ext == spatial and not any(lo for lo, _ in g.pads):
        xp = xt
    else:
        xp = np.zeros((c, n) + ext, x.dtype)
        xp[(slice(None),) * 2 + tuple(slice(lo, lo + s)
                                      for (lo, _), s in zip(g.pads, spatial))] = xt
    cols = np.empty((c,) + ksize + (n,) + osize, x.dtype)
    lead = (slice(None),) * 2
    for offset in np.ndindex(*ksize):
        cols[(slice(None),) + offset] = xp[lead + _tap(offset, osize, g)]
    return cols


def _col2im(cols: np.ndarray, x_shape: tuple, g: _GeomNd, out: np.ndarray) -> np.ndarray:
    """cols (C, *K, N, *OS) -> ``out`` (N, C, *S): the adjoint of ``_im2col``, every
    column entry added to the input element it was read from (padding dropped)."""
    nd = len(x_shape) - 2
    c = cols.shape[0]
    ksize, n, osize = cols.shape[1:nd + 1], cols.shape[nd + 1], cols.shape[nd + 2:]
    spatial = tuple(x_shape[2:])
    xp = np.zeros((c, n) + _extent(spatial, ksize, osize, g), cols.dtype)
    lead = (slice(None),) * 2
    for offset in np.ndindex(*ksize):
        xp[lead + _tap(offset, osize, g)] += cols[(slice(None),) + offset]
    inner = xp[lead + tuple(slice(lo, lo + s) for (lo, _), s in zip(g.pads, spatial))]
    out[...] = inner.transpose((1, 0) + tuple(range(2, nd + 2)))
    return out


# ============================================================================
# Array kernels: y = conv(x, W), gx = conv^T(gy, W), gW = conv_w(x, gy)
# ============================================================================
def _to_nc(y2: np.ndarray, o: int, n: int, osize: tuple) -> np.ndarray:
    """(G, O/G, n*P) GEMM result -> (n, O, *OS) view."""
    nd = len(osize)
    return y2.reshape((o, n) + osize).transpose((1, 0) + tuple(range(2, nd + 2)))


def _from_nc(gy: np.ndarray, groups: int) -> np.ndarray:
    """gy (n, O, *OS) -> (G, O/G, n*P), contiguous."""
    nd = gy.ndim - 2
    o = gy.shape[1]
    rows = np.ascontiguousarray(gy.transpose((1, 0) + tuple(range(2, nd + 2))))
    return rows.reshape(groups, o // groups, -1)


def _conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                  g: _GeomNd) -> np.ndarray:
    """y (N, O, *OS) = conv(x, W) + b, one batch chunk of columns at a time."""
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    ksize = w.shape[2:]
    G = g.groups
    kk = int(np.prod(ksize))
    osize = g.out_shape(x.shape[2:], ksize)
    p = int(np.prod(osize))
    w2 = w.reshape(G, o // G, cg * kk)
    y = np.empty((n, o) + osize, x.dtype)
    for n0, n1 in _batch_chunks(n, c * kk * p * x.itemsize):
        cols = _im2col(x[n0:n1], ksize, g, osize)
        y[n0:n1] = _to_nc(np.matmul(w2, cols.reshape(G, cg * kk, -1)), o, n1 - n0, osize)
    if b is not None:
        y += b.reshape((o,) + (1,) * len(osize))
    return y


def _conv_grad_input(gy: np.ndarray, w: np.ndarray, x_shape: tuple,
                     g: _GeomNd) -> np.ndarray:
    """gx (N, C, *S) = conv^T(gy, W): the adjoint of ``_conv_forward`` in x. ``gy``'s
    spatial size may be smaller than the convolution's output (a transposed
    convolution's input): only the positions it covers contribute."""
    n, c = x_shape[:2]
    o, cg = w.shape[:2]
    ksize = w.shape[2:]
    G = g.groups
    kk = int(np.prod(ksize))
    osize = gy.shape[2:]
    p = int(np.prod(osize))
    wt = w.reshape(G, o // G, cg * kk).transpose(0, 2, 1)      # (G, C/G*KK, O/G) view
    gx = np.empty(x_shape, gy.dtype)
    for n0, n1 in _batch_chunks(n, c * kk * p * gy.itemsize):
        gcols = np.matmul(wt, _from_nc(gy[n0:n1], G))           # (G, C/G*KK, n*P)
        gcols = gcols.reshape((c,) + ksize + (n1 - n0,) + osize)
        _col2im(gcols, (n1 - n0,) + tuple(x_shape[1:]), g, gx[n0:n1])
    return gx


def _conv_grad_weight(x: np.ndarray, gy: np.ndarray, w_shape: tuple,
                      g: _GeomNd) -> np.ndarray:
    """gW (O, C/G, *K) = sum over the batch and positions of gy times x's windows,
    accumulated over batch chunks (``gy`` may be smaller than the output, as in
    ``_conv_grad_input``)."""
    n, c = x.shape[:2]
    o, cg = w_shape[:2]
    ksize = tuple(w_shape[2:])
    G = g.groups
    kk = int(np.prod(ksize))
    osize = gy.shape[2:]
    p = int(np.prod(osize))
    gw = np.zeros((G, o // G, cg * kk), gy.dtype)
    for n0, n1 in _batch_chunks(n, (c * kk + o) * p * x.itemsize):
        cols = _im2col(x[n0:n1], ksize, g, osize).reshape(G, cg * kk, -1)
        gy2 = _from_nc(gy[n0:n1], G)
        for k in range(G):          # one 2-D product per group; (cols @ gy2^T)^T measured
            gw[k] += (cols[k] @ gy2[k].T).T     # as fast as gy2 @ cols^T or faster
    return gw.reshape(w_shape)


# ============================================================================
# Functions
# ============================================================================
def _crop(y: Any, spatial: tuple) -> Any:
    """y cropped to ``spatial`` in its trailing dims when bigger (arrays and Tensors)."""
    if tuple(y.shape[2:]) == tuple(spatial):
        return y
    return y[(slice(None),) * 2 + tuple(slice(0, s) for s in spatial)]


class ConvNdFn(Function):
    """y = conv(x, W) + b over any number of spatial dims, one node (bias fused).

    x (N, C, *S), W (O, C/G, *K), b (O,) -> y (N, O, *OS).
        gx = conv_transpose(gy, W)       (ConvTransposeNdFn)
        gW = conv_weight(x, gy)          (ConvNdWeight)
        gb = gy summed over N and the spatial dims
    Each gradient is a Function of the same family, so double backward works.
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
        gx = ConvTransposeNdFn.apply(gy, w, None, geom, x.shape) if need[0] else None
        gw = ConvNdWeight.apply(x, gy, geom, w.shape) if need[1] else None
        gb = gy.sum(axis=(0,) + tuple(range(2, gy.ndim))) if need[2] else None
        return gx, gw, gb


class ConvTransposeNdFn(Function):
    """y = conv_transpose(x, W) + b: the adjoint of ``ConvNdFn`` in its input.

    x (N, C_in, *S), W (C_in, C_out/G, *K), b (C_out,) -> y of ``y_shape``.
        gx = conv(gy, W) (cropped to x),  gW = conv_weight(gy, x),  gb = sum of gy
    """

    @staticmethod
    def forward(ctx, x, w, b, geom, y_shape):
        ctx.save_for_backward(x, w)
        ctx.geom = geom
        y = _conv_grad_input(x, w, tuple(y_shape), geom)
        if b is not None:
            y += b.reshape((-1,) + (1,) * (y.ndim - 2))
        return y

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        need, geom = ctx.needs_input_grad, ctx.geom
        gx = gw = gb = None
        if need[0]:
            gx = _crop(ConvNdFn.apply(gy, w, None, geom), x.shape[2:])
        if need[1]:
            gw = ConvNdWeight.apply(gy, x, geom, w.shape)
        if need[2]:
            gb = gy.sum(axis=(0,) + tuple(range(2, gy.ndim)))
        return gx, gw, gb


class ConvNdWeight(Function):
    """gW = conv_weight(x, gy): the weight gradient of ``ConvNdFn`` as a Function of
    (x, gy), bilinear, so its own gradients are convolutions again:
        g_x = conv_transpose(gy, ggW),   g_gy = conv(x, ggW) (cropped to gy)
    """

    @staticmethod
    def forward(ctx, x, gy, geom, w_shape):
        ctx.save_for_backward(x, gy)
        ctx.geom = geom
        return _conv_grad_weight(x, gy, tuple(w_shape), geom)

    @staticmethod
    def backward(ctx, ggw):
        x, gy = ctx.saved_tensors
        need, geom = ctx.needs_input_grad, ctx.geom
        g_x = ConvTransposeNdFn.apply(gy, ggw, None, geom, x.shape) if need[0] else None
        g_gy = None
        if need[1]:
            g_gy = _crop(ConvNdFn.apply(x, ggw, None, geom), gy.shape[2:])
        return g_x, g_gy


# ============================================================================
# User functions
# ============================================================================
_DIMS = {1: "(kL)", 2: "(kH, kW)", 3: "(kD, kH, kW)"}


def _batched(op: str, input: Tensor, nd: int) -> tuple:
    """(input with a batch dim, whether it was added); checks the rank."""
    if input.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{op}: expected {nd + 1}-D (unbatched) or {nd + 2}-D (batched) "
                         f"input, got shape {input.shape}")
    unbatched = input.ndim == nd + 1
    return (input.reshape((1,) + input.shape) if unbatched else input), unbatched


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D convolution (cross-correlation, as torch) over an NCDHW batch, bias fused.

    Args:
        input (Tensor): (N, C, D, H, W), or (C, D, H, W) unbatched.
        weight (Tensor): (O, C/groups, KD, KH, KW).
        bias (Tensor, optional): (O,). Default: None.
        stride (int or tuple): (SD, SH, SW). Default: 1.
        padding (int, tuple or str): zeros on both sides; 'valid' (none) or 'same'
            (output size = input size; stride 1 only; an odd total puts the extra zero
            after, as torch). Default: 0.
        dilation (int or tuple): spacing between kernel taps. Default: 1.
        groups (int): split channels into groups convolved separately. Default: 1.

    Shape:
        output (N, O, OD, OH, OW), OD = (D + 2*PD - DD*(KD-1) - 1) // SD + 1 (H, W alike).

    Example:
        >>> F.conv3d(nl.randn(2, 3, 8, 8, 8), nl.randn(4, 3, 3, 3, 3), padding=1).shape
        (2, 4, 8, 8, 8)
    """
    op, nd = "conv3d", 3
    input, weight, bias = _check_tensors(op, input, weight, bias)
    stride = ntuple(stride, nd, "stride", op, minimum=1)
    dilation = ntuple(dilation, nd, "dilation", op, minimum=1)
    if weight.ndim != nd + 2:
        raise ValueError(f"{op}: weight must be {nd + 2}-D (out_channels, in_channels/groups"
                         f", {_DIMS[nd][1:-1]}), got shape {weight.shape}")
    ksize = tuple(weight.shape[2:])
    o, cg = weight.shape[:2]
    groups = check_groups(groups, op, weight.shape, out_channels=o)
    x, unbatched = _batched(op, input, nd)
    if x.shape[1] != cg * groups:
        raise ValueError(f"{op}: expected input with {cg * groups} channels (weight shape "
                         f"{weight.shape}, groups={groups}), got input shape {input.shape}")
    if bias is not None and bias.shape != (o,):
        raise ValueError(f"{op}: bias must have shape ({o},), got {bias.shape}")
    pads = conv_padding(padding, ksize, stride, dilation, op)
    spatial = x.shape[2:]
    if any(s + lo + hi < d * (k - 1) + 1
           for s, k, d, (lo, hi) in zip(spatial, ksize, dilation, pads)):
        dk = tuple(d * (k - 1) + 1 for k, d in zip(ksize, dilation))
        padded = tuple(s + lo + hi for s, (lo, hi) in zip(spatial, pads))
        raise ValueError(f"{op}: input of shape {input.shape} padded to {padded} is smaller "
                         f"than the dilated kernel {dk} (weight shape {weight.shape})")
    y = ConvNdFn.apply(x, weight, bias, _GeomNd(stride, pads, dilation, groups))
    return y.reshape(y.shape[1:]) if unbatched else y


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """3-D transposed convolution: the gradient of ``conv3d`` with respect to its input,
    as a layer.

    Args:
        input (Tensor): (N, C_in, D, H, W), or (C_in, D, H, W) unbatched.
        weight (Tensor): (C_in, C_out/groups, KD, KH, KW).
        bias (Tensor, optional): (C_out,). Default: None.
        stride (int or tuple): Default: 1.
        padding (int or tuple): ``dilation*(K-1) - padding`` zeros are added to both
            sides of the input. Default: 0.
        output_padding (int or tuple): extra size at the end of each spatial dim of the
            output; smaller than stride or dilation. Default: 0.
        groups (int): Default: 1.
        dilation (int or tuple): Default: 1.

    Shape:
        output (N, C_out, DO, HO, WO), DO = (D-1)*SD - 2*PD + DD*(KD-1) + OPD + 1 (H, W
        alike).

    Example:
        >>> F.conv_transpose3d(nl.randn(1, 4, 4, 4, 4), nl.randn(4, 2, 2, 2, 2),
        ...                    stride=2).shape
        (1, 2, 8, 8, 8)
    """
    op, nd = "conv_transpose3d", 3
    input, weight, bias = _check_tensors(op, input, weight, bias)
    stride = ntuple(stride, nd, "stride", op, minimum=1)
    dilation = ntuple(dilation, nd, "dilation", op, minimum=1)
    padding = ntuple(padding, nd, "padding", op, minimum=0)
    opad = ntuple(output_padding, nd, "output_padding", op, minimum=0)
    if any(p >= max(s, d) for p, s, d in zip(opad, stride, dilation)):
        raise ValueError(f"{op}: output_padding {opad} must be smaller than either stride "
                         f"{stride} or dilation {dilation}")
    if weight.ndim != nd + 2:
        raise ValueError(f"{op}: weight must be {nd + 2}-D (in_channels, out_channels/groups"
                         f", {_DIMS[nd][1:-1]}), got shape {weight.shape}")
    x, unbatched = _batched(op, input, nd)
    cin, cog = weight.shape[:2]
    ksize = tuple(weight.shape[2:])
    groups = check_groups(groups, op, weight.shape, in_channels=cin)
    if x.shape[1] != cin:
        raise ValueError(f"{op}: expected input with {cin} channels (weight shape "
                         f"{weight.shape}), got input shape {input.shape}")
    cout = cog * groups
    if bias is not None and bias.shape != (cout,):
        raise ValueError(f"{op}: bias must have shape ({cout},), got {bias.shape}")
    osize = tuple(transposed_out_size(s, k, st, p, d, o) for s, k, st, p, d, o
                  in zip(x.shape[2:], ksize, stride, padding, dilation, opad))
    if min(osize) <= 0:
        raise ValueError(f"{op}: output size {osize} is not positive for input shape "
                         f"{input.shape}, weight {weight.shape} and padding {padding}")
    geom = _GeomNd(stride, tuple((p, p) for p in padding), dilation, groups)
    y = ConvTransposeNdFn.apply(x, weight, bias, geom, (x.shape[0], cout) + osize)
    return y.reshape(y.shape[1:]) if unbatched else y
