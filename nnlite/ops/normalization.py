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

Training-mode batch norm has a fused array path (one memory pass per step, in place on
its own buffers, row sums by einsum and row dots by BLAS); every rule also has a path
written with operations arrays and Tensors share, which runs under
``create_graph=True`` (double backward) and is the reference the fused path is tested
against.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Function, Tensor
from ._util import as_tensor

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


def _col(v: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A per-channel vector (C,) as a (1, C, 1) array of the computation dtype."""
    return np.asarray(v, dtype).reshape(1, -1, 1)


def _view3(x: Any) -> tuple:
    """(N, C, R) of an (N, C, *) shape."""
    N, C = x.shape[:2]
    return N, C, math.prod(x.shape[2:])


# ============================================================================
# The shared rule (arrays and Tensors)
# ============================================================================
def _norm_rule(gy: Any, x: Any, w: Any, eps: float, view: tuple, stat_view: tuple,
               stat_axes: tuple, pshape: tuple, paxes: tuple, want: tuple,
               stats: tuple | None = None) -> tuple:
    """(gx, gw, gb) of y = w * xhat + b, written with operations arrays and Tensors share.

    Args:
        view, pshape, paxes: x as ``view``; w and b reshaped to ``pshape`` broadcast
            along it; their gradients sum over ``paxes``.
        stat_view, stat_axes: x as ``stat_view``, normalised over ``stat_axes``.
        want: (gx, gw, gb) flags; unwanted gradients are None.
        stats: (mean, rstd) in ``stat_view``'s keepdim shape, or None to recompute them
            from x (always under create_graph, so that they are differentiated too).
    """
    xs = x.reshape(stat_view)
    if stats is None:
        mean = xs.mean(axis=stat_axes, keepdims=True)
        xc = xs - mean
        rstd = 1 / np.sqrt((xc * xc).mean(axis=stat_axes, keepdims=True) + eps)
    else:
        mean, rstd = stats
        xc = xs - mean
    xhat = xc * rstd                                               # stat_view
    gyv = gy.reshape(view)
    gx = gw = gb = None
    if want[1]:
        gw = (gyv * xhat.reshape(view)).sum(axis=paxes)
    if want[2]:
        gb = gyv.sum(axis=paxes)
    if want[0]:
        g = (gyv if w is None else gyv * w.reshape(pshape)).reshape(stat_view)
        gx = rstd * (g - g.mean(axis=stat_axes, keepdims=True)
                     - xhat * (g * xhat).mean(axis=stat_axes, keepdims=True))
        gx = gx.reshape(x.shape)
    return gx, gw, gb


class _Affine(Function):
    """Base of the normalisations: inputs are (x, [weight], [bias])."""
    save_inputs = True

    def __init__(self, eps: float, has_weight: bool, has_bias: bool) -> None:
        self.eps, self.has_weight, self.has_bias = eps, has_weight, has_bias

    def split(self, params: tuple) -> tuple:
        w = params[0] if self.has_weight else None
        b = params[-1] if self.has_bias else None
        return w, b

    def want(self) -> tuple:
        n_w = 1 if self.has_weight else 0
        return (self.needs_grad(0), self.has_weight and self.needs_grad(1),
                self.has_bias and self.needs_grad(1 + n_w))

    def grads(self, gx: Any, gw: Any, gb: Any, params: tuple) -> Any:
        """The tuple of gradients in input order, cast to the params' dtypes."""
        out = [gx]
        w, b = self.split(params)
        if w is not None:
            out.append(gw if gw is None or isinstance(gw, Tensor) else gw.astype(w.dtype))
        if b is not None:
            out.append(gb if gb is None or isinstance(gb, Tensor) else gb.astype(b.dtype))
        return tuple(out) if len(out) > 1 else gx


# ============================================================================
# Batch norm
# ============================================================================
class BatchNorm(_Affine):
    """Training-mode batch norm over (N, *spatial) per channel, fused in one node.

    Forward (x as (N, C, R), M = N*R; one memory pass per step):
        mean = sum(x) / M                 einsum row sums
        y = x - mean                      into the output buffer
        var = sum(y * y) / M              BLAS row dots (two-pass: no cancellation)
        y *= w * rstd;  y += b            in place
    Backward (c0 = sum(gy) / M, d = sum(gy * (x - mean)), c1 = rstd^2 d / M):
        gx = w rstd (gy - c0 - (x - mean) c1)      four in-place passes on one buffer
        gw = d rstd,   gb = sum(gy)
    The batch statistics (mean, biased var, rstd) are kept on the node for the running
    statistics update and for backward.
    """

    def forward(self, x, *params):
        w, b = self.split(params)
        N, C, R = _view3(x)
        M = N * R
        dt = x.dtype
        x3 = np.ascontiguousarray(x).reshape(N, C, R)
        mean = _channel_sum(x3) / M                                    # (C,) float64
        y = np.empty(x.shape, dt)
        y3 = y.reshape(N, C, R)
        np.subtract(x3, _col(mean, dt), out=y3)
        var = _channel_dot(y3, y3) / M
        rstd = 1 / np.sqrt(var + self.eps)
        np.multiply(y3, _col(rstd if w is None else w * rstd, dt), out=y3)
        if b is not None:
            np.add(y3, _col(b, dt), out=y3)
        self.mean, self.var, self.rstd, self.M = mean, var, rstd, M
        return y

    def backward(self, gy, x, *params):
        w, b = self.split(params)
        want = self.want()
        N, C, R = _view3(x)
        if isinstance(gy, Tensor):                                     # create_graph
            gx, gw, gb = _norm_rule(gy, x, w, self.eps, (N, C, R), (N, C, R), (0, 2),
                                    (1, C, 1), (0, 2), want)
            return self.grads(gx, gw, gb, params)
        dt, M, rstd = x.dtype, self.M, self.rstd
        gy3 = np.ascontiguousarray(gy).reshape(N, C, R)
        sum_gy = _channel_sum(gy3)
        gx = gw = None
        if want[0] or want[1]:
            gx = np.empty(x.shape, dt)
            g3 = gx.reshape(N, C, R)
            np.subtract(np.ascontiguousarray(x).reshape(N, C, R), _col(self.mean, dt), out=g3)
            d = _channel_dot(gy3, g3)                                  # sum gy * (x - mean)
            gw = d * rstd
            if want[0]:
                k = rstd if w is None else w * rstd
                np.multiply(g3, _col(-(rstd * rstd * d / M), dt), out=g3)
                np.add(g3, gy3, out=g3)
                np.subtract(g3, _col(sum_gy / M, dt), out=g3)
                np.multiply(g3, _col(k, dt), out=g3)
            else:
                gx = None
        return self.grads(gx, gw, sum_gy, params)


class BatchNormEval(_Affine):
    """Batch norm with given statistics (eval mode): y = x * scale + shift, with
    scale = w / sqrt(var + eps), shift = b - mean * scale (per channel, constants).
    gx = gy * scale,  gw = sum(gy * (x - mean)) / sqrt(var + eps),  gb = sum(gy)."""

    def __init__(self, mean: np.ndarray, var: np.ndarray, eps: float, has_weight: bool,
                 has_bias: bool) -> None:
        super().__init__(eps, has_weight, has_bias)
        self.mean = np.asarray(mean, np.float64)
        self.rinv = 1 / np.sqrt(np.asarray(var, np.float64) + eps)

    def forward(self, x, *params):
        w, b = self.split(params)
        N, C, R = _view3(x)
        dt = x.dtype
        scale = self.rinv if w is None else w * self.rinv
        shift = -self.mean * scale if b is None else b - self.mean * scale
        self.scale = _col(scale, dt)
        y = np.empty(x.shape, dt)
        y3 = y.reshape(N, C, R)
        np.multiply(x.reshape(N, C, R), self.scale, out=y3)
        np.add(y3, _col(shift, dt), out=y3)
        return y

    def backward(self, gy, x, *params):
        w, _ = self.split(params)
        want = self.want()
        N, C, R = _view3(x)
        dt = x.dtype
        gx = gw = gb = None
        if isinstance(gy, Tensor):                     # create_graph: gx depends on w
            gyv = gy.reshape(N, C, R)
            rinv = _col(self.rinv, dt)
            if want[0]:
                scale = rinv if w is None else w.reshape(1, C, 1) * rinv
                gx = (gyv * scale).reshape(x.shape)
            if want[1]:
                xc = x.reshape(N, C, R) - _col(self.mean, dt)
                gw = (gyv * xc * rinv).sum(axis=(0, 2))
            if want[2]:
                gb = gyv.sum(axis=(0, 2))
            return self.grads(gx, gw, gb, params)
        gyv = np.ascontiguousarray(gy).reshape(N, C, R)
        if want[0]:
            gx = np.multiply(gyv, self.scale).reshape(x.shape)
        if want[1]:
            xc = np.subtract(x.reshape(N, C, R), _col(self.mean, dt))
            gw = _channel_dot(gyv, xc) * self.rinv
        if want[2]:
            gb = _channel_sum(gyv)
        return self.grads(gx, gw, gb, params)


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


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation per channel (dim 1) over the batch and spatial dims.

    In training mode the batch statistics normalise the input and, when given,
    ``running_mean`` / ``running_var`` are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat``, with the unbiased
    batch variance (as torch). In eval mode the running statistics normalise.

    Args:
        input: (N, C), (N, C, L) or (N, C, H, W) (any (N, C, *)).
        running_mean, running_var: (C,) tensors or None.
        weight, bias: (C,) or None. Default: None.
        training (bool): use batch statistics. Default: False.
        momentum (float): running-statistics factor. Default: 0.1.
        eps (float): added to the variance. Default: 1e-5.

    Example:
        >>> x = nl.randn(8, 3, 4, 4)
        >>> y = batch_norm(x, None, None, training=True)     # per-channel mean 0, var 1
    """
    x = as_tensor(input)
    op = "batch_norm"
    _check_float(x, op)
    if x.ndim < 2:
        raise ValueError(f"{op}: expected an input of shape (N, C, *) with at least 2 "
                         f"dims, got shape {tuple(x.shape)}")
    C = x.shape[1]
    rm = _check_vec(running_mean, "running_mean", C, op, x.shape)
    rv = _check_vec(running_var, "running_var", C, op, x.shape)
    w = _check_vec(weight, "weight", C, op, x.shape)
    b = _check_vec(bias, "bias", C, op, x.shape)
    params = tuple(t for t in (w, b) if t is not None)
    if training:
        if x.data.size // C == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"input size {tuple(x.shape)}")
        if eps <= 0:
            raise ValueError(f"{op}: eps must be positive during training, got {eps}")
        fn = BatchNorm(eps, w is not None, b is not None)
        y = fn.apply(x, *params)
        if rm is not None or rv is not None:
            _update_running(rm, fn.mean, momentum)
            _update_running(rv, fn.var * (fn.M / (fn.M - 1)), momentum)
        return y
    if rm is None or rv is None:
        raise RuntimeError(f"{op}: running_mean and running_var must be defined in "
                           f"evaluation mode (training=False)")
    if eps < 0:
        raise ValueError(f"{op}: eps must be non-negative, got {eps}")
    return BatchNormEval(rm.data, rv.data, eps, w is not None, b is not None).apply(x, *params)


def _update_running(r: Tensor | None, stat: np.ndarray, momentum: float) -> None:
    """r = (1 - momentum) r + momentum stat, in place in r's array (no graph)."""
    if r is None:
        return
    a = r.data
    a *= 1 - momentum
    a += (momentum * stat).astype(a.dtype)


# ============================================================================
# Layer norm and group norm
# ============================================================================
class _NormOverView(_Affine):
    """y = w * xhat + b with statistics over ``stat_axes`` of x as ``stat_view`` and
    w, b of shape ``pshape`` broadcast along x as ``view`` (see the module notation)."""

    def __init__(self, eps, has_weight, has_bias, view, stat_view, stat_axes, pshape, paxes):
        super().__init__(eps, has_weight, has_bias)
        self.view, self.stat_view, self.stat_axes = view, stat_view, stat_axes
        self.pshape, self.paxes = pshape, paxes

    def forward(self, x, *params):
        w, b = self.split(params)
        xs = x.reshape(self.stat_view)
        mean = xs.mean(axis=self.stat_axes, keepdims=True)
        y = np.subtract(xs, mean)
        var = np.mean(np.square(y), axis=self.stat_axes, keepdims=True)
        rstd = 1 / np.sqrt(var + np.asarray(self.eps, var.dtype))
        y *= rstd
        self.stats = (mean, rstd)
        y = y.reshape(self.view)
        if w is not None:
            y *= w.reshape(self.pshape).astype(x.dtype, copy=False)
        if b is not None:
            y += b.reshape(self.pshape).astype(x.dtype, copy=False)
        return y.reshape(x.shape)

    def backward(self, gy, x, *params):
        w, _ = self.split(params)
        stats = None if isinstance(gy, Tensor) else self.stats
        gx, gw, gb = _norm_rule(gy, x, w, self.eps, self.view, self.stat_view,
                                self.stat_axes, self.pshape, self.paxes, self.want(), stats)
        if gw is not None:
            gw = gw.reshape(w.shape)
        if gb is not None:
            gb = gb.reshape(params[-1].shape)
        return self.grads(gx, gw, gb, params)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing dims ``normalized_shape`` of each sample.

    Args:
        input: (*, *normalized_shape).
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
    B = x.data.size // D if D else 0
    params = tuple(as_tensor(t) for t in (weight, bias) if t is not None)
    fn = _NormOverView(eps, weight is not None, bias is not None, (B, D), (B, D), (1,),
                       (1, D), (0,))
    return fn.apply(x, *params)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise each group of ``C / num_groups`` channels of each sample over the
    group's channels and spatial dims; then scale and shift per channel.

    Args:
        input: (N, C, *).
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
    params = tuple(t for t in (w, b) if t is not None)
    fn = _NormOverView(eps, w is not None, b is not None, (N, C, R), (N, G, C // G * R),
                       (2,), (1, C, 1), (0, 2))
    return fn.apply(x, *params)


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

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return _window_sum_array(x, self.lo, self.hi)

    def backward(self, gy):
        return _window_sum(gy, self.hi, self.lo)


def _window_sum(a: Any, lo: int, hi: int) -> Any:
    if isinstance(a, Tensor):
        return ChannelWindowSum(lo, hi).apply(a)
    return _window_sum_array(a, lo, hi)


class LocalResponseNorm(Function):
    """y = x * p,  p = base^-beta,  base = k + alpha / size * sum of x^2 over the channel
    window [c - size//2, c + (size-1)//2] (zero padded): torch's formula.

    gx = gy p - (2 alpha beta / size) x * W^T(gy x q),  q = base^(-beta-1) = p / base,
    where W^T is the transposed window sum. The node keeps p and q from forward (the
    power is the expensive step); under create_graph they are recomputed from x with
    Tensor ops, so that they are differentiated too."""
    save_inputs = True

    def __init__(self, size: int, alpha: float, beta: float, k: float) -> None:
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k
        self.lo, self.hi = size // 2, (size - 1) // 2

    def forward(self, x):
        base = _window_sum_array(x * x, self.lo, self.hi)
        base *= x.dtype.type(self.alpha / self.size)
        base += x.dtype.type(self.k)
        p = np.power(base, x.dtype.type(-self.beta))
        self.p, self.q = p, np.divide(p, base, out=base)
        return x * p

    def backward(self, gy, x):
        coef = 2 * self.alpha * self.beta / self.size
        if isinstance(gy, Tensor):                                     # create_graph
            base = _window_sum(x * x, self.lo, self.hi) * (self.alpha / self.size) + self.k
            p = base ** -self.beta
            return gy * p - x * _window_sum(gy * x * p / base, self.hi, self.lo) * coef
        t = gy * x
        t *= self.q
        w = _window_sum_array(t, self.hi, self.lo)
        w *= x
        w *= x.dtype.type(coef)
        gx = gy * self.p
        gx -= w
        return gx


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalisation across channels (Krizhevsky et al. 2012):
    ``y = x / (k + alpha / size * sum_{window} x^2) ** beta``, the window covering
    ``size`` neighbouring channels (zero padded), exactly as torch.

    Args:
        input: (N, C, *) with at least 3 dims.
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
    if x.data.size == 0:
        return x
    return LocalResponseNorm(int(size), float(alpha), float(beta), float(k)).apply(x)
