"""Pooling over 3-D windows: max, average, adaptive average and adaptive max, with torch's
``F.*_pool3d`` signatures and semantics. The kernels are written for any number of
spatial dims; 1-D and 2-D pooling keep their own tuned phase-layout path
(``nnlite.ops.pooling``).

Notation:

    NC        number of planes: every leading dim (N*C, or C when unbatched)
    S         spatial size (D, H, W);  K kernel size;  ST stride (default: K)
    PAD       padding (the same before and after);  DL dilation
    OS        output size: OS[i] = (S[i] + 2PAD[i] - DL[i](K[i]-1) - 1 [+ ST[i]-1 if
              ceil_mode]) // ST[i] + 1, and with ceil_mode the last window must start
              inside the input or the padding before it (torch's rule)

Output o pools the input elements o*ST - PAD + k*DL for the kernel offsets k. The
padded input (-inf for max, 0 for average, and as far past the end as ceil_mode's last
window reaches) is read by one strided view per kernel offset, so a forward is a loop
over the prod(K) offsets of one ufunc each over all planes and outputs at once.

Max pooling keeps the flat index (d*H + h)*W + w of each window's maximum into its
plane, torch's ``return_indices`` layout: the first maximum in row-major window order (a
later element wins only if strictly greater) or the last NaN, as torch's kernels. The
gradient is scattered to those indices (``_IndexScatter`` of the 2-D module, which is
differentiable again). Average pooling is linear: its backward adds each offset's share
of gy back through the same strided views (``_AvgScatterNd``), whose own backward is the
average pooling again. Adaptive average pooling is a product with one averaging matrix
per spatial dim (``AdaptiveAvgPoolNdFn``); adaptive max pooling gathers every window,
padded to the largest one, and takes the argmax.

Sections: arguments -- Functions -- functions.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import unsupported
from .arguments import check_divisor_override, out_size, pool_window
from .pooling import _IndexScatter, _adaptive_matrix, _taps

__all__ = ["max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"]


# ============================================================================
# Arguments and geometry
# ============================================================================
def _spatial(x: Any, sd: int, op: str) -> tuple:
    """Check the input (a floating Tensor of sd+1 or sd+2 dims, non-empty but for the
    batch); return (lead shape, S)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    if x.ndim not in (sd + 1, sd + 2):
        raise ValueError(f"{op}: expected a {sd + 1}-D (C, D, H, W) or {sd + 2}-D (N, C, D, "
                         f"H, W) input, got shape {x.shape}")
    if any(n == 0 for n in x.shape[-sd - 1:]):
        raise ValueError(f"{op}: expected non-empty channel and spatial dims, got input of "
                         f"shape {x.shape} (only the batch dim may be 0)")
    if x.dtype.kind != "f":
        raise unsupported(op, x.dtype, f"{op}: expected a floating input, got dtype "
                          f"{x.dtype}")
    return tuple(x.shape[:-sd]), tuple(x.shape[-sd:])


class _PoolGeom:
    """One pooling geometry: S, K, ST, PAD, DL, OS (tuples, one entry per spatial dim)."""

    __slots__ = ("size", "k", "s", "p", "d", "osize")

    def __init__(self, size: tuple, k: tuple, s: tuple, p: tuple, d: tuple,
                 osize: tuple) -> None:
        self.size, self.k, self.s, self.p, self.d, self.osize = size, k, s, p, d, osize

    def padded(self, x: np.ndarray, fill: float) -> np.ndarray:
        """x (NC, *S) -> (NC, *extent) filled with ``fill`` outside the input, reaching
        every tap of every window."""
        ext = tuple(max(n + 2 * p, d * (k - 1) + s * (o - 1) + 1) for n, k, s, p, d, o
                    in zip(self.size, self.k, self.s, self.p, self.d, self.osize))
        if ext == self.size and not any(self.p):
            return x
        xp = np.full((x.shape[0],) + ext, fill, x.dtype)
        xp[(slice(None),) + tuple(slice(p, p + n) for p, n in zip(self.p, self.size))] = x
        return xp

    def tap(self, offset: tuple) -> tuple:
        """The index of the padded input that kernel offset ``offset`` reads for every
        window: a strided slice per spatial dim, after the plane dim."""
        return (slice(None),) + tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                                      for i, o, s, d in zip(offset, self.osize, self.s, self.d))

    def flat_index(self, offset: tuple) -> np.ndarray:
        """The flat in-plane index of the element each window reads at ``offset``
        (broadcastable to OS; meaningless where that element is padding)."""
        idx = np.zeros((1,) * len(self.size), np.int64)
        plane = 1
        for axis in reversed(range(len(self.size))):
            pos = np.arange(self.osize[axis]) * self.s[axis] - self.p[axis] + \
                offset[axis] * self.d[axis]
            shape = [1] * len(self.size)
            shape[axis] = -1
            idx = idx + (pos * plane).reshape(shape)
            plane *= self.size[axis]
        return idx

    def first_inside(self) -> np.ndarray:
        """The flat in-plane index of each window's first tap inside the input (torch's
        initial argmax), broadcastable to OS."""
        idx = np.zeros((1,) * len(self.size), np.int64)
        plane = 1
        for axis in reversed(range(len(self.size))):
            start = np.arange(self.osize[axis]) * self.s[axis] - self.p[axis]
            d = self.d[axis]
            start = np.where(start < 0, start + d * (-(start // d)), start)
            shape = [1] * len(self.size)
            shape[axis] = -1
            idx = idx + (start * plane).reshape(shape)
            plane *= self.size[axis]
        return idx

    def divisor(self, count_include_pad: bool, divisor_override: Any,
                dtype: np.dtype) -> np.ndarray:
        """torch's divide factor per output: the window clipped to input + padding
        (count_include_pad) or to the input; a 0-d array when all are equal."""
        if divisor_override is not None:
            return np.asarray(divisor_override, dtype)
        div = np.ones((1,) * len(self.size), np.int64)
        for axis, (n, k, s, p, o) in enumerate(zip(self.size, self.k, self.s, self.p,
                                                   self.osize)):
            start = np.arange(o) * s - p
            end = np.minimum(start + k, n + p)
            sizes = end - start if count_include_pad else \
                np.minimum(end, n) - np.maximum(start, 0)
            shape = [1] * len(self.size)
            shape[axis] = -1
            div = div * sizes.reshape(shape)
        div = np.broadcast_to(div, self.osize).astype(dtype)
        return np.asarray(div.flat[0], dtype) if (div == div.flat[0]).all() else div


def _window_args(x: Tensor, sd: int, op: str, kernel_size: Any, stride: Any, padding: Any,
                 dilation: Any, ceil_mode: bool) -> tuple:
    """Validate the window arguments as torch does; return (lead, geometry)."""
    lead, size = _spatial(x, sd, op)
    k, s, p, d = pool_window(kernel_size, stride, padding, dilation, sd, op)
    osize = tuple(out_size(n, ki, si, pi, pi, di, ceil_mode)
                  for n, ki, si, pi, di in zip(size, k, s, p, d))
    if min(osize) < 1:
        raise ValueError(f"{op}: input of spatial size {size} (shape {x.shape}) is too small "
                         f"for kernel_size={k}, stride={s}, padding={p}, dilation={d}: the "
                         f"output size would be {osize}")
    return lead, _PoolGeom(size, k, s, p, d, osize)


# ============================================================================
# Functions
# ============================================================================
def _max_forward(x: np.ndarray, geom: _PoolGeom) -> tuple:
    """x (NC, *S) -> window maxima (NC, *OS) and their flat in-plane indices."""
    xp = geom.padded(x, -np.inf)
    nc = x.shape[0]
    best = np.full((nc,) + geom.osize, -np.inf, x.dtype)
    idx = np.broadcast_to(geom.first_inside(), best.shape).copy()
    take = np.empty(best.shape, bool)
    for offset in np.ndindex(*geom.k):
        v = xp[geom.tap(offset)]
        np.greater(v, best, out=take)
        take |= np.isnan(v)                         # a NaN wins (the last one, as torch)
        np.copyto(best, v, where=take)
        np.copyto(idx, np.broadcast_to(geom.flat_index(offset), idx.shape), where=take)
    return best, idx


class MaxPoolNdFn(Function):
    """y = max over each window;  gx = gy scattered to each window's maximum
    (``_IndexScatter``). x is (*lead, *S); the flat indices (NC, P) are saved. With
    ``return_indices`` a second output holds them in y's shape (int64, not
    differentiable)."""

    @staticmethod
    def forward(ctx, x, geom, y_shape, return_indices):
        y, idx = _max_forward(x.reshape((-1,) + geom.size), geom)
        idx = idx.reshape(idx.shape[0], -1)
        ctx.save_for_backward(idx)
        ctx.x_shape = x.shape
        y = y.reshape(y_shape)
        if not return_indices:
            return y
        flat = idx.reshape(y_shape)
        ctx.mark_non_differentiable(flat)
        return y, flat

    @staticmethod
    def backward(ctx, gy, g_indices=None):    # the indices output gets no gradient
        (idx,) = ctx.saved_tensors
        return _IndexScatter.apply(gy, idx, ctx.x_shape)


def _sum_windows(x: np.ndarray, geom: _PoolGeom) -> np.ndarray:
    """x (NC, *S) -> the sum of each window (NC, *OS), padding read as zeros."""
    xp = geom.padded(x, 0)
    y = np.zeros((x.shape[0],) + geom.osize, x.dtype)
    for offset in np.ndindex(*geom.k):
        y += xp[geom.tap(offset)]
    return y


def _spread_windows(g: np.ndarray, geom: _PoolGeom) -> np.ndarray:
    """g (NC, *OS) -> (NC, *S): each window's value added to every input element of the
    window (the adjoint of ``_sum_windows``)."""
    ext = tuple(max(n + 2 * p, d * (k - 1) + s * (o - 1) + 1) for n, k, s, p, d, o
                in zip(geom.size, geom.k, geom.s, geom.p, geom.d, geom.osize))
    gp = np.zeros((g.shape[0],) + ext, g.dtype)
    for offset in np.ndindex(*geom.k):
        gp[geom.tap(offset)] += g
    return np.ascontiguousarray(
        gp[(slice(None),) + tuple(slice(p, p + n) for p, n in zip(geom.p, geom.size))])


class AvgPoolNdFn(Function):
    """y = sum over each window / div (div per output, torch's divisor);
    gx = gy / div spread back over each window (``_AvgScatterNd``)."""

    @staticmethod
    def forward(ctx, x, geom, y_shape, div):
        ctx.geom, ctx.x_shape, ctx.div = geom, x.shape, div
        y = _sum_windows(x.reshape((-1,) + geom.size), geom) / div
        return y.astype(x.dtype, copy=False).reshape(y_shape)

    @staticmethod
    def backward(ctx, gy):
        return _AvgScatterNd.apply(gy, ctx.geom, ctx.x_shape, ctx.div)


class _AvgScatterNd(Function):
    """gx = (gy / div) spread over each window: the adjoint of ``AvgPoolNdFn``, whose
    backward is the average pooling again."""

    @staticmethod
    def forward(ctx, gy, geom, x_shape, div):
        ctx.geom, ctx.y_shape, ctx.div = geom, gy.shape, div
        g = (gy.reshape((-1,) + geom.osize) / div).astype(gy.dtype, copy=False)
        return _spread_windows(g, geom).reshape(x_shape)

    @staticmethod
    def backward(ctx, gg):
        return AvgPoolNdFn.apply(gg, ctx.geom, ctx.y_shape, ctx.div)


def _along(A: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """A @ x along ``axis`` of x."""
    return np.moveaxis(np.tensordot(A.astype(x.dtype, copy=False), x, axes=(1, axis)), 0,
                       axis)


class AdaptiveAvgPoolNdFn(Function):
    """y = x multiplied along each spatial axis by that axis's averaging matrix A
    (OS[i], S[i]) of torch's adaptive windows;  gx = gy multiplied by the A^T
    (this Function again, so it can be differentiated again)."""

    @staticmethod
    def forward(ctx, x, mats):
        ctx.mats = mats
        nd = len(mats)
        for i, A in enumerate(mats):
            x = _along(A, x, x.ndim - nd + i)
        return np.ascontiguousarray(x)

    @staticmethod
    def backward(ctx, gy):
        return AdaptiveAvgPoolNdFn.apply(gy, [A.T for A in ctx.mats])


class AdaptiveMaxPoolNdFn(Function):
    """y = max over torch's adaptive windows (possibly overlapping, of unequal sizes);
    gx = gy scattered to each window's first maximum, or its last NaN (``_IndexScatter``).
    Each axis's windows are padded to the largest by repeating their last position, so
    all windows gather at once into (NC, *OS, prod(K)); a repeat never wins the argmax
    (its value already appeared earlier in the window)."""

    @staticmethod
    def forward(ctx, x, size, osize, out_shape, return_indices):
        nd = len(size)
        xs = x.reshape((-1,) + size)
        taps = [_taps(n, o) for n, o in zip(size, osize)]          # (O_i, K_i)
        index = []
        for i, t in enumerate(taps):                              # (*OS, *K) broadcast
            shape = [1] * (2 * nd)
            shape[i], shape[nd + i] = t.shape
            index.append(t.reshape(shape))
        win = xs[(slice(None),) + tuple(index)]                   # (NC, *OS, *K)
        ks = tuple(t.shape[1] for t in taps)
        win = win.reshape(win.shape[:nd + 1] + (-1,))
        a = np.argmax(win, axis=-1)[..., None]
        y = np.take_along_axis(win, a, -1)[..., 0].reshape(out_shape)
        if y.size and np.isnan(np.min(y)):                       # torch: the last NaN
            nan = np.isnan(win)
            last = win.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)[..., None]
            a = np.where(nan.any(-1, keepdims=True), last, a)
        offs = np.unravel_index(a[..., 0], ks)                    # one (NC, *OS) per axis
        flat = np.zeros(a.shape[:-1], np.int64)
        for i, (t, k) in enumerate(zip(taps, offs)):
            shape = [1] * nd
            shape[i] = -1
            pos = t[np.arange(osize[i]).reshape(shape), k]      # the input position
            flat = flat * size[i] + pos
        idx = flat.reshape(xs.shape[0], -1)
        ctx.save_for_backward(idx)
        ctx.in_shape = x.shape
        if not return_indices:
            return y
        out = idx.reshape(out_shape)
        ctx.mark_non_differentiable(out)
        return y, out

    @staticmethod
    def backward(ctx, gy, g_indices=None):    # the indices output gets no gradient
        (idx,) = ctx.saved_tensors
        return _IndexScatter.apply(gy, idx, ctx.in_shape)


# ============================================================================
# Functions users call (torch's F.* signatures)
# ============================================================================
def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over sliding KD x KH x KW windows of (N, C, D, H, W) or (C, D, H, W) input.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W).
        kernel_size (int or tuple): (KD, KH, KW).
        stride (int or tuple, optional): Default: kernel_size.
        padding (int or tuple): implicit -inf on both sides, at most half the kernel.
            Default: 0.
        dilation (int or tuple): spacing between window elements. Default: 1.
        ceil_mode (bool): round the output size up. Default: False.
        return_indices (bool): also return the flat index (d*H + h)*W + w of each
            maximum in its plane (for ``max_unpool3d`` in torch). Default: False.

    Shape:
        output (N, C, OD, OH, OW), OD = (D + 2*PD - DD*(KD-1) - 1) // SD + 1 (H, W alike).

    Example:
        >>> F.max_pool3d(nl.randn(1, 2, 4, 4, 4), 2).shape
        (1, 2, 2, 2, 2)
    """
    op = "max_pool3d"
    lead, geom = _window_args(input, 3, op, kernel_size, stride, padding, dilation,
                              ceil_mode)
    out_shape = lead + geom.osize
    if int(np.prod(lead)) == 0:
        y = Tensor(np.zeros(out_shape, input.dtype))
        return (y, Tensor(np.zeros(out_shape, np.int64))) if return_indices else y
    return MaxPoolNdFn.apply(input, geom, out_shape, bool(return_indices))


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Average over sliding KD x KH x KW windows of (N, C, D, H, W) or (C, D, H, W) input.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W).
        kernel_size (int or tuple): (KD, KH, KW).
        stride (int or tuple, optional): Default: kernel_size.
        padding (int or tuple): implicit zeros on both sides, at most half the kernel.
            Default: 0.
        ceil_mode (bool): round the output size up. Default: False.
        count_include_pad (bool): count the padding zeros in the divisor. Default: True.
        divisor_override (int, optional): divide by this instead. Default: None.

    Shape:
        output (N, C, OD, OH, OW), OD = (D + 2*PD - KD) // SD + 1 (H, W alike).

    Example:
        >>> F.avg_pool3d(nl.ones(1, 1, 4, 4, 4), 2).shape
        (1, 1, 2, 2, 2)
    """
    op = "avg_pool3d"
    check_divisor_override(divisor_override, op)
    lead, geom = _window_args(input, 3, op, kernel_size, stride, padding, 1, ceil_mode)
    out_shape = lead + geom.osize
    if int(np.prod(lead)) == 0:
        return Tensor(np.zeros(out_shape, input.dtype))
    div = geom.divisor(count_include_pad, divisor_override, input.dtype)
    return AvgPoolNdFn.apply(input, geom, out_shape, div)


def _adaptive_size(x: Tensor, sd: int, output_size: Any, op: str) -> tuple:
    lead, size = _spatial(x, sd, op)
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * sd
    output_size = tuple(output_size)
    if len(output_size) != sd or not all(
            o is None or (isinstance(o, (int, np.integer)) and not isinstance(o, bool))
            for o in output_size):
        raise TypeError(f"{op}: output_size must be an int or a tuple of {sd} ints (or "
                        f"None), got {output_size!r}")
    osize = tuple(n if o is None else int(o) for n, o in zip(size, output_size))
    if min(osize) < 1:
        raise ValueError(f"{op}: output_size must be positive, got {osize} for input of "
                         f"shape {x.shape}")
    return lead, size, osize


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Average over adaptive windows giving (N, C, OD, OH, OW): window i of an axis of
    size n spans [floor(i*n/o), ceil((i+1)*n/o)), so windows may overlap or differ in
    size.

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W).
        output_size (int or tuple): (OD, OH, OW); None keeps that input size.

    Example:
        >>> F.adaptive_avg_pool3d(nl.randn(2, 3, 5, 7, 9), (2, 3, 1)).shape
        (2, 3, 2, 3, 1)
    """
    lead, size, osize = _adaptive_size(input, 3, output_size, "adaptive_avg_pool3d")
    mats = [_adaptive_matrix(n, o, input.dtype) for n, o in zip(size, osize)]
    return AdaptiveAvgPoolNdFn.apply(input, mats)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over torch's adaptive windows (see ``adaptive_avg_pool3d``).

    Args:
        input (Tensor): (N, C, D, H, W) or (C, D, H, W).
        output_size (int or tuple): (OD, OH, OW); None keeps that input size.
        return_indices (bool): also return the flat index (d*H + h)*W + w of each
            maximum. Default: False.

    Example:
        >>> F.adaptive_max_pool3d(nl.randn(2, 3, 5, 7, 9), 2).shape
        (2, 3, 2, 2, 2)
    """
    lead, size, osize = _adaptive_size(input, 3, output_size, "adaptive_max_pool3d")
    out_shape = lead + osize
    if int(np.prod(lead)) == 0:
        y = Tensor(np.zeros(out_shape, input.dtype))
        return (y, Tensor(np.zeros(out_shape, np.int64))) if return_indices else y
    return AdaptiveMaxPoolNdFn.apply(input, size, osize, out_shape, bool(return_indices))
