"""Normalisation ops: batch_norm, layer_norm, group_norm, local_response_norm.

Notation (every normalisation is the same three lines on a different view of x):
    V          the "parameter view" of x: (N, C, R) for batch / group norm, with
               R = prod(spatial) (1 for (N, C) input); (B, D) for layer norm, with D the
               size of the normalized trailing dims and B the rest.
    S          the "statistics view": the axes reduced for the mean and variance.
               batch norm: V, axes (0, 2) (M = N*R values per channel);
               layer norm: V, axis 1; group norm: (N, G, C/G*R), axis 2.
    mean, var  biased statistics over S's reduced axes;  rstd = 1 / sqrt(var + eps)
    xhat       (x - mean) * rstd;   y = w * xhat + b  (w, b broadcast along V)

Backward of every normalisation (g = gy * w, means taken over the statistics axes):
    gx = rstd * (g - mean(g) - xhat * mean(g * xhat))
    gw = sum(gy * xhat),   gb = sum(gy)      (summed over the axes w is broadcast along)

Each normalisation's backward is an op of its own (``NormBackward``, and its fused
batch-norm kernel ``BatchNormBackward``: one memory pass per step, in place on its own
buffers, row sums by einsum and row dots by BLAS), so that it can be differentiated
again. Its rule, the second derivatives (v = ggx in the statistics view, P(u) =
rstd * (u - mean(u) - xhat * mean(u * xhat)) the projection gx = P(g) applies):
    ggy = w P(v) + ggw xhat + ggb
    gw_ = sum(gy P(v))
    gx_ = rstd^2 (xhat (3 b c - a) - c (v - mean(v)) - b (g - mean(g))) + P(gy ggw)
          with a = mean((v - mean(v)) (g - mean(g))), b = mean(v xhat), c = mean(g xhat)
It recomputes the statistics from x with operations arrays and Tensors share, so it
also runs under ``create_graph=True``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ..factories import as_tensor
from . import buffers as _buf

__all__ = ["batch_norm", "layer_norm", "group_norm", "local_response_norm"]


# ============================================================================
# Channel reductions on an (N, C, R) array, accumulated across N in float64
# ============================================================================
_BLAS_MIN_R = 16      # rows at least this long are dotted by BLAS


def _channel_sum(a3: np.ndarray) -> np.ndarray:
    """sum over axes (0, 2) of an (N, C, R) array, as float64 (C,).

    Each (n, c) row is summed in the input dtype by einsum (one vectorised pass, no
    temporary), then the N partial sums are added in float64. (A BLAS matrix-vector
    product with a ones vector is as fast on an idle machine, but its threads collapse
    to a crawl when another process holds a core: measured 60x slower.)"""
    return np.einsum("ncr->nc", a3).sum(0, dtype=np.float64)


def _channel_dot(a3: np.ndarray, b3: np.ndarray) -> np.ndarray:
    """sum over axes (0, 2) of a3 * b3 without the product array, as float64 (C,).

    Row dot products: one stacked matmul (N*C, 1, R) @ (N*C, R, 1) for long rows (one
    BLAS dot per row), einsum for short ones; then a float64 sum over N."""
    N, C, R = a3.shape
    if R >= _BLAS_MIN_R:
        K = N * C
        rows = np.matmul(a3.reshape(K, 1, R), b3.reshape(K, R, 1))    # (K, 1, 1)
    else:
        rows = np.einsum("ncr,ncr->nc", a3, b3)
    return rows.reshape(N, C).sum(0, dtype=np.float64)


CHUNKED_MIN_BYTES = 32 << 20
CHUNK_BYTES = 1 << 20
"""Batch norm over more than ``CHUNKED_MIN_BYTES`` of input (more than the L3 cache
holds) runs its passes after the first over chunks of about ``CHUNK_BYTES`` of images,
computing x - mean again per chunk instead of writing it out whole: the chunk's
temporaries stay in cache. Below that size the arrays stay in cache anyway and whole
passes make fewer calls. Measured (fwd+bwd, 2 threads): (32, 64, 112, 112) 45.2 -> 37.7
ms; (64, 256, 14, 14) chunked would be 5-8 % slower."""


def _image_chunks(x3: np.ndarray, out3: np.ndarray) -> tuple:
    """([(n0, n1), ...], scratch) for the passes over x3 (N, C, R): one chunk of all N
    with ``out3`` as the scratch for x - mean, or chunks of about ``CHUNK_BYTES`` along
    N with a scratch array of one chunk's size."""
    N = x3.shape[0]
    if x3.nbytes <= CHUNKED_MIN_BYTES:
        return [(0, N)], out3
    step = max(1, CHUNK_BYTES // max(1, x3[0].nbytes))
    return ([(n0, min(N, n0 + step)) for n0 in range(0, N, step)],
            _buf.empty((step,) + x3.shape[1:], x3.dtype))


def _col(v: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A per-channel vector (C,) as a (1, C, 1) array of the computation dtype."""
    return np.asarray(v, dtype).reshape(1, -1, 1)


def _view3(x: Any) -> tuple:
    """(N, C, R) of an ``(N, C, *)`` shape."""
    N, C = x.shape[:2]
    return N, C, math.prod(x.shape[2:])


def _by_want(outs: tuple, want: tuple) -> tuple:
    """(gx, gw, gb) from the gradients a backward op returned: it returns only the wanted
    ones, in that order; the others are None."""
    it = iter(outs)
    return tuple([next(it) if k else None for k in want])


def _wanted(want: tuple, *grads: Any) -> tuple:
    """The wanted ones among ``grads`` (a backward op's outputs)."""
    return tuple([g for k, g in zip(want, grads) if k])


# ============================================================================
# The backward of every normalisation (an op, so that it can be differentiated)
# ============================================================================
def _norm_rule(gy: np.ndarray, x: np.ndarray, w: np.ndarray | None, mean: np.ndarray,
               rstd: np.ndarray, geom: tuple, want: tuple) -> tuple:
    """(gx, gw, gb) of y = w * xhat + b (None where not wanted), on arrays.

    Args:
        geom: (view, stat_view, stat_axes, pshape, paxes, wshape): x as ``view``, with w
            and b reshaped to ``pshape`` broadcast along it (their gradients sum over
            ``paxes`` and have shape ``wshape``); x as ``stat_view`` is normalised over
            ``stat_axes``.
        mean, rstd: the statistics, in ``stat_view``'s keepdim shape.
        want: (gx, gw, gb) flags.
    """
    view, stat_view, stat_axes, pshape, paxes, wshape = geom
    dt = x.dtype
    xhat = np.subtract(x.reshape(stat_view), mean, out=_buf.empty(stat_view, dt))
    xhat *= rstd                                                     # stat_view
    gyv = gy.reshape(view)
    tmp = _buf.empty(view, dt)                                       # scratch, view
    gx = gw = gb = None
    if want[1]:
        gw = np.multiply(gyv, xhat.reshape(view), out=tmp).sum(axis=paxes).reshape(wshape)
    if want[2]:
        gb = gyv.sum(axis=paxes).reshape(wshape)
    if want[0]:
        g = gyv if w is None else np.multiply(gyv, w.reshape(pshape), out=_buf.empty(view, dt))
        g = g.reshape(stat_view)
        c = np.multiply(g, xhat, out=tmp.reshape(stat_view)).mean(axis=stat_axes,
                                                                  keepdims=True)
        gx = np.multiply(xhat, c, out=_buf.empty(stat_view, dt))    # xhat mean(g xhat)
        np.subtract(g, gx, out=gx)
        gx -= g.mean(axis=stat_axes, keepdims=True)
        gx *= rstd
        gx = gx.reshape(x.shape)
    return gx, gw, gb


class NormBackward(Function):
    """(gx, gw, gb) of a normalisation (the wanted ones, see ``_norm_rule``) from
    (gy, x, w) and forward's statistics (constants: the rule recomputes them from x);
    its backward is the module docstring's second derivatives."""

    @staticmethod
    def forward(ctx, gy, x, w, mean, rstd, eps, geom, want):
        ctx.save_for_backward(gy, x, w)
        ctx.eps, ctx.geom, ctx.want = eps, geom, want
        gx, gw, gb = _norm_rule(gy, x, w, mean, rstd, geom, want)
        return _wanted(want, gx, gw, gb)

    @staticmethod
    def backward(ctx, *ggs):
        gy, x, w = ctx.saved_tensors
        view, stat_view, axes, pshape, paxes, wshape = ctx.geom
        ggx, ggw, ggb = _by_want(ggs, ctx.want)
        need = ctx.needs_input_grad

        def mean(a: Any) -> Any:
            return a.mean(axis=axes, keepdims=True)

        def proj(u: Any) -> Any:                                     # P(u), stat_view
            return rstd * (u - mean(u) - xhat * mean(u * xhat))

        xc = x.reshape(stat_view)
        xc = xc - mean(xc)
        rstd = 1 / np.sqrt(mean(xc * xc) + ctx.eps)
        xhat = xc * rstd
        gyv = gy.reshape(view)
        wp = None if w is None else w.reshape(pshape)
        ggy = gx_ = gw_ = None
        if ggx is not None:
            v = ggx.reshape(stat_view)
            pv = proj(v).reshape(view)
            if need[0]:
                ggy = pv if wp is None else pv * wp
            if need[2]:
                gw_ = (pv * gyv).sum(axis=paxes).reshape(wshape)
            if need[1]:
                g = (gyv if wp is None else gyv * wp).reshape(stat_view)
                vc, gc = v - mean(v), g - mean(g)
                a, b, c = mean(vc * gc), mean(v * xhat), mean(g * xhat)
                gx_ = rstd * rstd * (xhat * (3 * b * c - a) - c * vc - b * gc)
        if ggw is not None:
            gwp = ggw.reshape(pshape)
            if need[0]:
                t = xhat.reshape(view) * gwp
                ggy = t if ggy is None else ggy + t
            if need[1]:
                t = proj((gyv * gwp).reshape(stat_view))
                gx_ = t if gx_ is None else gx_ + t
        if ggb is not None and need[0]:
            gbp = ggb.reshape(pshape)
            ggy = gbp * np.ones(view, x.dtype) if ggy is None else ggy + gbp
        return (None if ggy is None else ggy.reshape(x.shape),
                None if gx_ is None else gx_.reshape(x.shape), gw_)


# ============================================================================
# Batch norm
# ============================================================================
class BatchNorm(Function):
    """Training-mode batch norm over ``(N, *spatial)`` per channel, fused in one node.

    Forward (x as (N, C, R), M = N*R; one memory pass per step):
        mean = sum(x) / M                 einsum row sums
        y = x - mean                      into the output buffer
        var = sum(y * y) / M              BLAS row dots (two-pass: no cancellation)
        y *= w * rstd;  y += b            in place
    and, when given, the running statistics are updated in place (``_update_running``).
    Above ``CHUNKED_MIN_BYTES`` the steps after the mean run chunk by chunk of images
    (``_image_chunks``), x - mean computed again per chunk rather than kept whole.
    Backward: ``BatchNormBackward``.
    """

    @staticmethod
    def forward(ctx, x, w, b, eps, running_mean, running_var, momentum):
        N, C, R = _view3(x)
        M = N * R
        dt = x.dtype
        x3 = _buf.contiguous(x).reshape(N, C, R)
        mean = _channel_sum(x3) / M                                    # (C,) float64
        y = _buf.empty(x.shape, dt)
        y3 = y.reshape(N, C, R)
        chunks, scratch = _image_chunks(x3, y3)
        mcol = _col(mean, dt)
        var = 0.0
        for n0, n1 in chunks:
            xc = np.subtract(x3[n0:n1], mcol, out=scratch[:n1 - n0])
            var = var + _channel_dot(xc, xc)
        rstd = 1 / np.sqrt(var / M + eps)
        kcol = _col(rstd if w is None else w * rstd, dt)
        for n0, n1 in chunks:
            yc = y3[n0:n1]
            if scratch is not y3:                  # chunked: x - mean again, in cache
                np.subtract(x3[n0:n1], mcol, out=yc)
            yc *= kcol
            if b is not None:
                yc += _col(b, dt)
        var = var / M
        _update_running(running_mean, mean, momentum)
        _update_running(running_var, var * (M / (M - 1)), momentum)
        ctx.save_for_backward(x, w, mean, rstd)
        ctx.eps = eps
        return y

    @staticmethod
    def backward(ctx, gy):
        x, w, mean, rstd = ctx.saved_tensors
        N, C, R = _view3(x)
        want = ctx.needs_input_grad[:3]
        geom = ((N, C, R), (N, C, R), (0, 2), (1, C, 1), (0, 2), (C,))
        return _by_want(BatchNormBackward.apply(gy, x, w, mean, rstd, ctx.eps, geom, want),
                        want)


class BatchNormBackward(NormBackward):
    """``NormBackward`` of training-mode batch norm, fused (mean, rstd: (C,) float64).

    With x as (N, C, R), M = N*R, c0 = sum(gy) / M, d = sum(gy * (x - mean)),
    c1 = rstd^2 d / M:
        gx = w rstd (gy - c0 - (x - mean) c1)      four in-place passes on one buffer
        gw = d rstd,   gb = sum(gy)
    (in chunks of images above ``CHUNKED_MIN_BYTES``, as the forward).
    """

    @staticmethod
    def forward(ctx, gy, x, w, mean, rstd, eps, geom, want):
        ctx.save_for_backward(gy, x, w)
        ctx.eps, ctx.geom, ctx.want = eps, geom, want
        N, C, R = geom[0]
        dt, M = x.dtype, N * R
        gy3 = _buf.contiguous(gy).reshape(N, C, R)
        gx = gw = None
        if not (want[0] or want[1]):
            return _wanted(want, gx, gw, _channel_sum(gy3).astype(dt, copy=False))
        x3 = _buf.contiguous(x).reshape(N, C, R)
        gx = _buf.empty(x.shape, dt)
        g3 = gx.reshape(N, C, R)
        chunks, scratch = _image_chunks(x3, g3)
        mcol = _col(mean, dt)
        sum_gy = d = 0.0
        for n0, n1 in chunks:                      # sum gy, sum gy * (x - mean)
            xc = np.subtract(x3[n0:n1], mcol, out=scratch[:n1 - n0])
            sum_gy = sum_gy + _channel_sum(gy3[n0:n1])
            d = d + _channel_dot(gy3[n0:n1], xc)
        gw = (d * rstd).astype(dt, copy=False)
        if want[0]:
            kcol = _col(rstd if w is None else w * rstd, dt)
            c1col, c0col = _col(-(rstd * rstd * d / M), dt), _col(sum_gy / M, dt)
            for n0, n1 in chunks:
                gc = g3[n0:n1]
                if scratch is not g3:              # chunked: x - mean again, in cache
                    np.subtract(x3[n0:n1], mcol, out=gc)
                gc *= c1col
                gc += gy3[n0:n1]
                gc -= c0col
                gc *= kcol
        return _wanted(want, gx, gw, sum_gy.astype(dt, copy=False))


class BatchNormEval(Function):
    """Batch norm with given statistics (eval mode): y = x * scale + shift, with
    scale = w / sqrt(var + eps), shift = b - mean * scale (per channel, constants).
    Backward: ``BatchNormEvalBackward``."""

    @staticmethod
    def forward(ctx, x, w, b, running_mean, running_var, eps):
        N, C, R = _view3(x)
        dt = x.dtype
        mean = np.asarray(running_mean, np.float64)
        rinv = 1 / np.sqrt(np.asarray(running_var, np.float64) + eps)
        scale = rinv if w is None else w * rinv
        shift = -mean * scale if b is None else b - mean * scale
        y = _buf.empty(x.shape, dt)
        y3 = y.reshape(N, C, R)
        np.multiply(x.reshape(N, C, R), _col(scale, dt), out=y3)
        np.add(y3, _col(shift, dt), out=y3)
        ctx.save_for_backward(x, w, mean, rinv)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, w, mean, rinv = ctx.saved_tensors
        want = ctx.needs_input_grad[:3]
        return _by_want(BatchNormEvalBackward.apply(gy, x, w, mean, rinv, want), want)


class BatchNormEvalBackward(Function):
    """The wanted ones of (with x as (N, C, R), rinv = 1 / sqrt(var + eps) per channel)
        gx = gy w rinv,   gw = sum(gy (x - mean)) rinv,   gb = sum(gy);
    bilinear in (gy, x, w), so the second derivatives are
        ggy = ggx w rinv + ggw (x - mean) rinv + ggb,  gx_ = ggw gy rinv,
        gw_ = sum(ggx gy rinv)."""

    @staticmethod
    def forward(ctx, gy, x, w, mean, rinv, want):
        N, C, R = _view3(x)
        dt = x.dtype
        ctx.save_for_backward(gy, x, w, _col(mean, dt), _col(rinv, dt))
        ctx.want = want
        gyv = _buf.contiguous(gy).reshape(N, C, R)
        gx = gw = gb = None
        if want[0]:
            scale = rinv if w is None else w * rinv
            gx = np.multiply(gyv, _col(scale, dt)).reshape(x.shape)
        if want[1]:
            xc = np.subtract(x.reshape(N, C, R), _col(mean, dt))
            gw = (_channel_dot(gyv, xc) * rinv).astype(dt, copy=False)
        if want[2]:
            gb = _channel_sum(gyv).astype(dt, copy=False)
        return _wanted(want, gx, gw, gb)

    @staticmethod
    def backward(ctx, *ggs):
        gy, x, w, mean, rinv = ctx.saved_tensors                      # mean, rinv (1, C, 1)
        ggx, ggw, ggb = _by_want(ggs, ctx.want)
        need = ctx.needs_input_grad
        N, C, R = _view3(x)
        gyv = gy.reshape(N, C, R)
        ggy = gx_ = gw_ = None
        if ggx is not None:
            v = ggx.reshape(N, C, R) * rinv
            if need[0]:
                ggy = v if w is None else v * w.reshape(1, C, 1)
            if need[2]:
                gw_ = (v * gyv).sum(axis=(0, 2))
        if ggw is not None:
            gwc = ggw.reshape(1, C, 1) * rinv
            if need[0]:
                t = (x.reshape(N, C, R) - mean) * gwc
                ggy = t if ggy is None else ggy + t
            if need[1]:
                gx_ = (gyv * gwc).reshape(x.shape)
        if ggb is not None and need[0]:
            gbc = ggb.reshape(1, C, 1)
            ggy = gbc * np.ones((N, C, R), x.dtype) if ggy is None else ggy + gbc
        return None if ggy is None else ggy.reshape(x.shape), gx_, gw_


def _check_float(x: Tensor, op: str) -> None:
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating input, got dtype {x.dtype}")


def _check_vec(t: Any, name: str, C: int, op: str, shape: tuple) -> Any:
    if t is None:
        return None
    t = as_tensor(t)
    if t.shape != (C,):
        raise ValueError(f"{op}: {name} should have shape ({C},) for an input of shape "
                         f"{tuple(shape)} with {C} channels, got shape {tuple(t.shape)}")
    return t


def _channel_input(input: Any, op: str, **vectors: Any) -> tuple:
    """``input`` as a floating ``(N, C, *)`` Tensor, then each named (C,) vector (or None)
    checked against its channels: ``x, *vectors``."""
    x = as_tensor(input)
    _check_float(x, op)
    if x.ndim < 2:
        raise ValueError(f"{op}: expected an input of shape (N, C, *) with at least 2 "
                         f"dims, got shape {tuple(x.shape)}")
    return (x, *(_check_vec(v, name, x.shape[1], op, x.shape) for name, v in vectors.items()))


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation per channel (dim 1) over the batch and spatial dims.

    In training mode the batch statistics normalise the input and, when given,
    ``running_mean`` / ``running_var`` are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat``, with the unbiased
    batch variance (as torch). In eval mode the running statistics normalise.

    Args:
        input: (N, C), (N, C, L) or (N, C, H, W) (any ``(N, C, *)``).
        running_mean, running_var: (C,) tensors or None.
        weight, bias: (C,) or None. Default: None.
        training (bool): use batch statistics. Default: False.
        momentum (float): running-statistics factor. Default: 0.1.
        eps (float): added to the variance. Default: 1e-5.

    Example:
        >>> x = nl.randn(8, 3, 4, 4)
        >>> y = batch_norm(x, None, None, training=True)     # per-channel mean 0, var 1
    """
    op = "batch_norm"
    x, rm, rv, w, b = _channel_input(input, op, running_mean=running_mean,
                                     running_var=running_var, weight=weight, bias=bias)
    C = x.shape[1]
    if training:
        if x.array.size // C == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {tuple(x.shape)}")
        if eps <= 0:
            raise ValueError(f"{op}: eps must be positive during training, got {eps}")
        return BatchNorm.apply(x, w, b, eps, None if rm is None else rm.array,
                               None if rv is None else rv.array, momentum)
    if rm is None or rv is None:
        raise RuntimeError(f"{op}: running_mean and running_var must be defined in "
                           f"evaluation mode (training=False)")
    if eps < 0:
        raise ValueError(f"{op}: eps must be non-negative, got {eps}")
    return BatchNormEval.apply(x, w, b, rm.array, rv.array, eps)


def _update_running(a: np.ndarray | None, stat: np.ndarray, momentum: float) -> None:
    """a = (1 - momentum) a + momentum stat, in place (a running statistic's array)."""
    if a is None:
        return
    a *= 1 - momentum
    a += (momentum * stat).astype(a.dtype)


# ============================================================================
# Layer norm and group norm
# ============================================================================
class _NormOverView(Function):
    """y = w * xhat + b with statistics over ``stat_axes`` of x as ``stat_view`` and
    w, b of shape ``pshape`` broadcast along x as ``view`` (see the module notation and
    ``_norm_rule`` for ``geom``). Backward: ``NormBackward``."""

    @staticmethod
    def forward(ctx, x, w, b, eps, geom):
        view, stat_view, stat_axes, pshape, _, _ = geom
        xs = x.reshape(stat_view)
        mean = xs.mean(axis=stat_axes, keepdims=True)
        y = np.subtract(xs, mean, out=_buf.empty(xs.shape, xs.dtype))
        var = np.mean(np.square(y, out=_buf.empty(xs.shape, xs.dtype)), axis=stat_axes,
                      keepdims=True)
        rstd = 1 / np.sqrt(var + np.asarray(eps, var.dtype))
        y *= rstd
        y = y.reshape(view)
        if w is not None:
            y *= w.reshape(pshape).astype(x.dtype, copy=False)
        if b is not None:
            y += b.reshape(pshape).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, w, mean, rstd)
        ctx.eps, ctx.geom = eps, geom
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, gy):
        x, w, mean, rstd = ctx.saved_tensors
        want = ctx.needs_input_grad[:3]
        return _by_want(NormBackward.apply(gy, x, w, mean, rstd, ctx.eps, ctx.geom, want),
                        want)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing dims ``normalized_shape`` of each sample.

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape (int or tuple): the trailing dims to normalise over.
        weight, bias: of shape ``normalized_shape``, or None. Default: None.
        eps (float): added to the variance. Default: 1e-5.

    Example:
        >>> layer_norm(nl.randn(2, 5, 8), (8,)).shape
        (2, 5, 8)
    """
    x = as_tensor(input)
    op = "layer_norm"
    _check_float(x, op)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    shape = tuple(int(n) for n in shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != shape:
        raise ValueError(f"{op}: input of shape {tuple(x.shape)} does not end with "
                         f"normalized_shape {shape}; expected input of shape "
                         f"(*, {', '.join(map(str, shape))})")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(as_tensor(t).shape) != shape:
            raise ValueError(f"{op}: {name} should have shape {shape} (normalized_shape), "
                             f"got shape {tuple(as_tensor(t).shape)}")
    D = math.prod(shape)
    B = x.array.size // D if D else 0
    w, b = [None if t is None else as_tensor(t) for t in (weight, bias)]
    return _NormOverView.apply(x, w, b, eps, ((B, D), (B, D), (1,), (1, D), (0,), shape))


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each group of ``C / num_groups`` channels of each sample over the
    group's channels and spatial dims; then scale and shift per channel.

    Args:
        input: ``(N, C, *)``.
        num_groups (int): must divide C.
        weight, bias: (C,) or None. Default: None.
        eps (float): added to the variance. Default: 1e-5.

    Example:
        >>> group_norm(nl.randn(2, 6, 4, 4), 3).shape
        (2, 6, 4, 4)
    """
    x = as_tensor(input)
    op = "group_norm"
    _check_float(x, op)
    if x.ndim < 2:
        raise ValueError(f"{op}: expected an input of shape (N, C, *) with at least 2 "
                         f"dims, got shape {tuple(x.shape)}")
    N, C, R = _view3(x)
    G = int(num_groups)
    if G <= 0 or C % G:
        raise ValueError(f"{op}: num_groups ({num_groups}) must divide the number of "
                         f"channels C={C} of the input of shape {tuple(x.shape)}")
    if N * C // G * R == 1:                 # torch's check (its _verify_batch_size)
        raise ValueError(f"Expected more than 1 value per channel when training, got "
                         f"input size {[N * C // G, G] + list(x.shape[2:])}")
    w = _check_vec(weight, "weight", C, op, x.shape)
    b = _check_vec(bias, "bias", C, op, x.shape)
    return _NormOverView.apply(x, w, b, eps, ((N, C, R), (N, G, C // G * R), (2,), (1, C, 1),
                                              (0, 2), (C,)))


# ============================================================================
# Local response norm (AlexNet)
# ============================================================================
def _window_sum_array(a: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """out[:, c] = sum of a[:, j] for j in [c - lo, c + hi] (zero outside), along dim 1.
    A loop over the window's offsets (size iterations), each one slice add."""
    C = a.shape[1]
    out = a.copy() if C else np.zeros_like(a)
    for d in range(-lo, hi + 1):
        if d == 0 or abs(d) >= C:
            continue
        if d > 0:
            out[:, :C - d] += a[:, d:]
        else:
            out[:, -d:] += a[:, :C + d]
    return out


class ChannelWindowSum(Function):
    """y[:, c] = sum of x[:, j] for j in [c - lo, c + hi];  gx = the same sum with
    (lo, hi) swapped (the transposed window). Linear, so double backward is free."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        return _window_sum_array(x, lo, hi)

    @staticmethod
    def backward(ctx, gy):
        return ChannelWindowSum.apply(gy, ctx.hi, ctx.lo)


class LocalResponseNormFn(Function):
    """y = x * p,  p = base^-beta,  base = k + alpha / size * sum of x^2 over the channel
    window [c - size//2, c + (size-1)//2] (zero padded): torch's formula. The node keeps
    p and q = base^(-beta-1) = p / base (the power is the expensive step) for its backward
    (``LocalResponseNormBackward``)."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        base = _window_sum_array(x * x, size // 2, (size - 1) // 2)
        base *= x.dtype.type(alpha / size)
        base += x.dtype.type(k)
        p = np.power(base, x.dtype.type(-beta))
        q = np.divide(p, base, out=base)
        ctx.save_for_backward(x, p, q)
        ctx.params = (size, alpha, beta, k)
        return x * p

    @staticmethod
    def backward(ctx, gy):
        x, p, q = ctx.saved_tensors
        return LocalResponseNormBackward.apply(gy, x, p, q, *ctx.params)


class LocalResponseNormBackward(Function):
    """gx = gy p - c x * W^T(gy x q),  c = 2 alpha beta / size, W the channel window sum
    and W^T its transpose; p and q from forward (constants: the second derivatives
    recompute them from x). With v = ggx and r = W(v x):
        ggy = v p - c x q r
        gx_ = -c (v W^T(gy x q) + x W^T(v gy q) + r gy q)
              + c (beta + 1) (2 alpha / size) x W^T(r gy x q / base)
    """

    @staticmethod
    def forward(ctx, gy, x, p, q, size, alpha, beta, k):
        ctx.save_for_backward(gy, x)
        ctx.params = (size, alpha, beta, k)
        t = gy * x
        t *= q
        w = _window_sum_array(t, (size - 1) // 2, size // 2)
        w *= x
        w *= x.dtype.type(2 * alpha * beta / size)
        gx = gy * p
        gx -= w
        return gx

    @staticmethod
    def backward(ctx, v):
        gy, x = ctx.saved_tensors
        size, alpha, beta, k = ctx.params
        lo, hi = size // 2, (size - 1) // 2
        c = 2 * alpha * beta / size
        base = ChannelWindowSum.apply(x * x, lo, hi) * (alpha / size) + k
        p = base ** -beta
        q = p / base
        r = ChannelWindowSum.apply(v * x, lo, hi)
        need = ctx.needs_input_grad
        ggy = v * p - x * q * r * c if need[0] else None
        gx_ = None
        if need[1]:
            gyq = gy * q
            gx_ = ((v * ChannelWindowSum.apply(gyq * x, hi, lo)
                    + x * ChannelWindowSum.apply(v * gyq, hi, lo) + r * gyq) * -c
                   + x * ChannelWindowSum.apply(r * gyq * x / base, hi, lo)
                   * (c * (beta + 1) * 2 * alpha / size))
        return ggy, gx_


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalisation across channels (Krizhevsky et al. 2012):
    ``y = x / (k + alpha / size * sum_{window} x^2) ** beta``, the window covering
    ``size`` neighbouring channels (zero padded), exactly as torch.

    Args:
        input: ``(N, C, *)`` with at least 3 dims.
        size (int): number of neighbouring channels in the window.
        alpha, beta, k (float): Default: 1e-4, 0.75, 1.0.

    Example:
        >>> local_response_norm(nl.randn(2, 8, 5, 5), size=5).shape
        (2, 8, 5, 5)
    """
    x = as_tensor(input)
    op = "local_response_norm"
    _check_float(x, op)
    if x.ndim < 3:
        raise ValueError(f"{op}: expected 3D or higher dimensional input (N, C, *), got "
                         f"shape {tuple(x.shape)}")
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"{op}: size must be a positive int, got {size!r}")
    if x.array.size == 0:
        return x
    return LocalResponseNormFn.apply(x, int(size), float(alpha), float(beta), float(k))
