"""Loss functions (``cross_entropy``, ``mse_loss`` ...) and their Functions, with PyTorch's
names, arguments and maths. The loss modules (``CrossEntropyLoss`` ...) are in
``nn/loss.py``.

Notation:
    x       the input: logits (cross_entropy), log-probabilities (nll_loss, kl_div),
            probabilities (binary_cross_entropy) or predictions (the regression losses)
    C       the number of classes; the class dim is 1, or 0 for an unbatched ``(C,)`` input
    T       the shape of one loss per position: x's shape without the class dim,
            e.g. (N,) for (N, C) and (N, H, W) for (N, C, H, W)
    y       class-index targets (shape T) or, for cross_entropy, class probabilities
            (x's shape)
    w       the per-class ``weight`` (shape (C,)), or 1
    eps     ``label_smoothing``
    p       softmax(x) along the class dim; logp = log_softmax(x)
    a       the weighted target distribution, x's shape: ``a[n, c] = w[c] * q[n, c]``
            where q is the (smoothed) one-hot of y or the (smoothed) probability target,
            and zero at ignored positions
    gy      the gradient arriving at the loss; denom the mean's normaliser

Fused classification losses: ``cross_entropy`` is one Function computing log-softmax and
the loss in forward; its backward is ``(p * sum_c a - a) * gy / denom`` (no softmax node),
which reduces to the familiar ``(p - onehot(y)) * gy / N`` without weights or smoothing.
``binary_cross_entropy_with_logits``, ``smooth_l1_loss``/``huber_loss`` and ``kl_div`` are
one Function each as well; ``mse_loss`` and ``l1_loss`` compose two ops. Every backward rule
is written with operators and ufuncs, so double backward works.

Differences from PyTorch, on purpose: the deprecated ``size_average``/``reduce``
arguments do not exist; an input/target shape mismatch in an elementwise loss raises
``ValueError`` naming both shapes (PyTorch warns and broadcasts); targets and weights
are cast to the input's dtype (float32 stays float32); kl_div's ``reduction='mean'``
does not warn.

Sections: argument checking -- class-index targets -- cross_entropy / nll_loss --
binary cross-entropy -- regression losses and kl_div.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import UnsupportedDtypeError, const, like_inputs

__all__ = [
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
]

REDUCTIONS = ("none", "mean", "sum")


# ============================================================================
# Argument checking
# ============================================================================
def check_reduction(reduction: Any, fn: str, allowed: tuple = REDUCTIONS) -> str:
    if reduction not in allowed:
        choices = " | ".join(repr(r) for r in allowed)
        raise ValueError(f"{fn}: reduction must be one of {choices}, got {reduction!r}")
    return reduction


def _input(x: Any, fn: str) -> Tensor:
    """The input as a Tensor; it must be floating."""
    x = const(x)
    if x.dtype.kind != "f":
        raise UnsupportedDtypeError(f"{fn}: input must be a floating tensor, got dtype "
                                    f"{x.dtype} (shape {x.shape})")
    return x


def _target(x: Tensor, target: Any, fn: str) -> Tensor:
    """A target of exactly the input's shape, cast to the input's dtype."""
    t = const(target)
    if t.shape != x.shape:
        raise ValueError(f"{fn}: target of shape {t.shape} does not match input of shape "
                         f"{x.shape}; they must have the same shape (PyTorch would "
                         f"broadcast them)")
    return t if t.dtype == x.dtype else t.astype(x.dtype)


def _constant(w: Any, name: str, fn: str) -> np.ndarray:
    """A weight argument as an array; like PyTorch, weights cannot require grad."""
    if isinstance(w, Tensor):
        if w.requires_grad:
            raise RuntimeError(f"{fn}: {name} is not differentiable and cannot require "
                               f"grad; pass {name}.detach()")
        return w.array
    return np.asarray(w)


def _broadcast_weight(w: Any, shape: tuple, dtype: np.dtype, name: str,
                      fn: str) -> np.ndarray | None:
    """``weight``/``pos_weight`` of the binary losses: must broadcast to the input shape."""
    if w is None:
        return None
    w = _constant(w, name, fn)
    try:
        ok = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{fn}: {name} of shape {w.shape} cannot be broadcast to the input "
                         f"shape {shape}")
    return w.astype(dtype, copy=False)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _log_softmax(x: Any, m: Any, axis: int) -> Any:
    """log_softmax along ``axis``, shifted by ``m``, the max of x along ``axis`` (a
    constant: log_softmax does not depend on the shift). Written with ufuncs, so it also
    runs, differentiably, on Tensors."""
    z = x - m
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


# ============================================================================
# Class-index targets (shared by cross_entropy and nll_loss)
# ============================================================================
def _class_axis(x: Tensor, fn: str, what: str) -> int:
    if x.ndim == 0:
        raise ValueError(f"{fn}: input must have shape (C,), (N, C) or (N, C, d1, ...) "
                         f"({what}), got a 0-d tensor")
    return 1 if x.ndim >= 2 else 0


def _class_weight(weight: Any, C: int, dtype: np.dtype, fn: str) -> np.ndarray | None:
    if weight is None:
        return None
    w = _constant(weight, "weight", fn)
    if w.shape != (C,):
        raise ValueError(f"{fn}: weight must have shape (C,) = ({C},), one value per "
                         f"class, got shape {w.shape}")
    return w.astype(dtype, copy=False)


class _IndexTarget:
    """Validated class indices.

    Attributes:
        y: int64 indices of shape T, ignored positions replaced by 0 (a safe index)
        keep: bool mask of shape T, False where ``target == ignore_index``
        wy: ``w[y] * keep`` in the input's dtype, shape T
        axis: the class dim
    """

    def __init__(self, x: Tensor, target: np.ndarray, w: np.ndarray | None,
                 ignore_index: int, axis: int, fn: str) -> None:
        C = x.shape[axis]
        keep = target != ignore_index
        bad = keep & ((target < 0) | (target >= C))
        if bad.any():
            v = int(target[bad].flat[0])
            raise IndexError(f"{fn}: target value {v} is out of range for {C} classes "
                             f"(expected 0 <= target < {C}, or ignore_index={ignore_index})")
        self.axis, self.keep = axis, keep
        self.y = np.where(keep, target, 0).astype(np.int64, copy=False)
        self.wy = (keep if w is None else np.where(keep, w[self.y], 0)).astype(x.dtype)


class Spread(Function):
    """y = zeros of ``shape`` holding values[n] at [n, y_n] (class dim ``axis``);
    gvalues = gy[n, y_n]."""

    @staticmethod
    def forward(ctx, values, y, axis, shape):
        ctx.save_for_backward(y)
        ctx.axis = axis
        out = np.zeros(shape, values.dtype)
        np.put_along_axis(out, np.expand_dims(y, axis), np.expand_dims(values, axis), axis)
        return out

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return Pick.apply(gy, y, ctx.axis)


def _pick(x: np.ndarray, y: np.ndarray, axis: int) -> np.ndarray:
    """``x[n, y_n]`` for every position n (shape T), the class dim ``axis``."""
    return np.take_along_axis(x, np.expand_dims(y, axis), axis).squeeze(axis)


class Pick(Function):
    """y[n] = x[n, y_n] along the class dim ``axis``;  gx = spread(gy)."""

    @staticmethod
    def forward(ctx, x, y, axis):
        ctx.save_for_backward(y)
        ctx.axis, ctx.shape = axis, x.shape
        return _pick(x, y, axis)

    @staticmethod
    def backward(ctx, gy):
        (y,) = ctx.saved_tensors
        return Spread.apply(gy, y, ctx.axis, ctx.shape)


def _class_target(x: Tensor, target: Any, fn: str, probabilities: bool) -> np.ndarray | Tensor:
    """Check ``target`` against ``x``: return the index array, or (cross_entropy only) the
    probability target as a Tensor of x's dtype."""
    axis = 1 if x.ndim >= 2 else 0
    t = const(target)
    expected = x.shape[:axis] + x.shape[axis + 1:]
    kind = t.dtype.kind
    if kind == "f":
        if probabilities and t.shape == x.shape:
            return t if t.dtype == x.dtype else t.astype(x.dtype)
        if probabilities:
            raise TypeError(f"{fn}: target must be class indices (int64) of shape {expected} "
                            f"or class probabilities of shape {x.shape}; got {t.dtype} of "
                            f"shape {t.shape}")
        raise TypeError(f"{fn}: target must be class indices (int64) of shape {expected}; "
                        f"got {t.dtype} of shape {t.shape}")
    if kind not in "iu":
        raise TypeError(f"{fn}: target must be class indices (int64) of shape {expected}; "
                        f"got dtype {t.dtype}")
    if t.shape != expected:
        if probabilities and t.shape == x.shape:
            raise TypeError(f"{fn}: a target of the input's shape {x.shape} holds class "
                            f"probabilities and must be floating, got {t.dtype}")
        raise ValueError(f"{fn}: expected target of shape {expected} for input of shape "
                         f"{x.shape} (class indices: the input's shape without the class "
                         f"dim {axis}), got target of shape {t.shape}")
    return t.array


# ============================================================================
# cross_entropy / nll_loss
# ============================================================================
class _ClassLoss(Function):
    """Base of the class-target losses: the reduction and the gradient's broadcast shape.

    ``finish(ctx, l, denom, xshape, reduction, axis)`` turns the per-position losses l
    (shape T) into the output and keeps on ctx ``scale`` (1/denom for 'mean', else 1) and
    ``gshape``, the shape gy takes in backward so that it broadcasts over the class dim.
    """

    @staticmethod
    def finish(ctx, l: np.ndarray, denom: Any, xshape: tuple, reduction: str,
               axis: int) -> np.ndarray:
        if reduction == "none":
            ctx.scale = 1
            ctx.gshape = tuple([1 if i == axis else n for i, n in enumerate(xshape)])
            return np.asarray(l)
        ctx.gshape = (1,) * len(xshape)
        total = l.sum()
        if reduction == "sum":
            ctx.scale = 1
            return np.asarray(total)
        # mean: nan when nothing counts (every target ignored), as in PyTorch, whose
        # gradient is then zero
        ctx.scale = 1 / denom if denom != 0 else 0
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(total / denom, l.dtype)

    @staticmethod
    def upstream(ctx, gy: Any) -> Any:
        """gy reshaped to broadcast against the input, times the reduction's scale."""
        g = gy.reshape(ctx.gshape)
        return g if ctx.scale == 1 else g * ctx.scale


def _class_weights(w: Any, axis: int, ndim: int) -> Any:
    """w shaped to broadcast along the class dim (or 1)."""
    if w is None:
        return 1
    return w.reshape(tuple([-1 if i == axis else 1 for i in range(ndim)]))


class CrossEntropy(_ClassLoss):
    """Fused log-softmax + cross-entropy along the class dim.

    Per position n, with the weighted target distribution a_n (see the module notation):
        loss_n = -sum_c a_nc logp_nc
        gx_n   = (p_n * sum_c a_nc - a_n) * gy_n / denom
        gt_n   = -(1 - eps) * w * logp_n * gy_n / denom        (probability targets)
    For class indices a_n = keep_n ((1 - eps) w[y_n] onehot(y_n) + eps/C w) and denom is
    sum_n w[y_n] keep_n; for probabilities a_n = w ((1 - eps) t_n + eps/C) and denom is the
    number of positions. Backward recomputes logp from x (and forward's row max m) with
    ufuncs, so it runs on Tensors under create_graph (double backward works).

    Arguments: x, then t (probabilities) or None, w (C,) or None, index (an
    ``_IndexTarget`` for class indices) or None, reduction, axis, eps.
    """

    @staticmethod
    def forward(ctx, x, t, w, index, reduction, axis, eps):
        wb = _class_weights(w, axis, x.ndim)
        m = np.max(x, axis=axis, keepdims=True)
        logp = _log_softmax(x, m, axis)
        C = x.shape[axis]
        ctx.axis, ctx.eps, ctx.indices = axis, eps, t is None
        if t is None:                                   # class indices
            ix = index
            ctx.save_for_backward(x, m, w, ix.y, ix.keep, ix.wy)
            l = np.where(ix.keep, -_pick(logp, ix.y, axis) * ix.wy, 0)
            if eps:
                smooth = -(logp * wb).sum(axis=axis)
                l = l * (1 - eps) + np.where(ix.keep, smooth * (eps / C), 0)
            denom = ix.wy.sum()
        else:                                           # class probabilities
            ctx.save_for_backward(x, m, w, t)
            if eps:
                t = t * (1 - eps) + eps / C
            l = -(logp * (t * wb)).sum(axis=axis)
            denom = x.size // C if C else 0
        return _ClassLoss.finish(ctx, l.astype(x.dtype, copy=False), denom, x.shape,
                                 reduction, axis)

    @staticmethod
    def backward(ctx, gy):
        ax, eps, g = ctx.axis, ctx.eps, _ClassLoss.upstream(ctx, gy)
        x, m, w, *target = ctx.saved_tensors
        logp = _log_softmax(x, m, ax)
        p = np.exp(logp)
        wb = _class_weights(w, ax, x.ndim)
        C = x.shape[ax]
        if ctx.indices:
            # gx = (p * sum_c a - a) * gy with the per-position factors folded in first,
            # so only p, the spread target term and gx itself are (N, C) arrays
            y, keep, wy = target
            kshape = tuple([1 if i == ax else n for i, n in enumerate(x.shape)])
            gs = g.sum(axis=ax)                             # gy per position
            hit = wy * ((1 - eps) * gs)                     # the target class's share
            total = hit
            if eps:
                share = keep * (gs * (eps / C))             # each class's smoothing share
                total = hit + share * (C if w is None else w.sum())
            gx = p * total.reshape(kshape) - Spread.apply(hit, y, ax, x.shape)
            if eps:
                gx = gx - share.reshape(kshape) * wb
            return gx
        (t,) = target
        want = ctx.needs_input_grad
        q = t * (1 - eps) + eps / C if eps else t
        a = q * wb
        gx = (p * a.sum(axis=ax, keepdims=True) - a) * g if want[0] else None
        gt = logp * (wb * -(1 - eps)) * g if want[1] else None
        return gx, gt


class NLL(_ClassLoss):
    """Negative log-likelihood of class indices, input = log-probabilities.

        loss_n = -w[y_n] x[n, y_n]  (0 where y_n == ignore_index)
        gx     = -spread(w[y_n]) * gy_n / denom,   denom = sum_n w[y_n] keep_n
    """

    @staticmethod
    def forward(ctx, x, index, reduction, axis):
        ix = index
        ctx.save_for_backward(ix.y, ix.wy)
        ctx.shape, ctx.axis = x.shape, axis
        l = np.where(ix.keep, -_pick(x, ix.y, axis) * ix.wy, 0).astype(x.dtype, copy=False)
        return _ClassLoss.finish(ctx, l, ix.wy.sum(), x.shape, reduction, axis)

    @staticmethod
    def backward(ctx, gy):
        y, wy = ctx.saved_tensors
        return Spread.apply(-wy, y, ctx.axis, ctx.shape) * _ClassLoss.upstream(ctx, gy)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits ``input`` and ``target`` (class indices or class
    probabilities), fused with log-softmax. See :class:`CrossEntropyLoss`.

    Example:
        >>> logits = nl.randn(4, 3, requires_grad=True)
        >>> F.cross_entropy(logits, nl.tensor([0, 2, 1, 2])).backward()
    """
    fn = "cross_entropy"
    x = _input(input, fn)
    axis = _class_axis(x, fn, "logits")
    reduction = check_reduction(reduction, fn)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must be in [0.0, 1.0], got {label_smoothing}")
    t = _class_target(x, target, fn, probabilities=True)
    w = _class_weight(weight, x.shape[axis], x.dtype, fn)
    if isinstance(t, Tensor):
        if ignore_index != -100:
            raise ValueError(f"{fn}: ignore_index={ignore_index} applies to class-index "
                             f"targets only, not to class probabilities (target of shape "
                             f"{t.shape}, as PyTorch)")
        return CrossEntropy.apply(x, t, w, None, reduction, axis, label_smoothing)
    index = _IndexTarget(x, t, w, ignore_index, axis, fn)
    return CrossEntropy.apply(x, None, w, index, reduction, axis, label_smoothing)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class-index targets given log-probabilities ``input``.
    See :class:`NLLLoss`.

    Example:
        >>> logp = nl.log_softmax(nl.randn(4, 3, requires_grad=True), dim=1)
        >>> F.nll_loss(logp, nl.tensor([0, 2, 1, 2])).backward()
    """
    fn = "nll_loss"
    x = _input(input, fn)
    axis = _class_axis(x, fn, "log-probabilities")
    reduction = check_reduction(reduction, fn)
    y = _class_target(x, target, fn, probabilities=False)
    w = _class_weight(weight, x.shape[axis], x.dtype, fn)
    return NLL.apply(x, _IndexTarget(x, y, w, ignore_index, axis, fn), reduction, axis)


# ============================================================================
# Binary cross-entropy
# ============================================================================
_BCE_EPS = float(np.float32(1e-12))   # PyTorch's floor on x (1 - x) in the gradient (a
                                      # float32 constant there too: 9.99999996e-13)


class BinaryCrossEntropy(Function):
    """Binary cross-entropy of probabilities x against targets t (logs clamped at -100):

        loss = -w (t max(log x, -100) + (1 - t) max(log(1 - x), -100))
        gx   = gy w (x - t) / max(x (1 - x), 1e-12)
        gt   = gy w (max(log(1 - x), -100) - max(log x, -100))
    """

    @staticmethod
    def forward(ctx, x, t, w):
        ctx.save_for_backward(x, t, w)
        with np.errstate(divide="ignore"):
            logx = np.maximum(np.log(x), -100)
            log1mx = np.maximum(np.log1p(-x), -100)
        l = (t - 1) * log1mx - t * logx
        return like_inputs(np.asarray(l if w is None else l * w), x, t)

    @staticmethod
    def backward(ctx, gy):
        x, t, w = ctx.saved_tensors
        want = ctx.needs_input_grad
        g = gy if w is None else gy * w
        gx = gt = None
        if want[0]:
            gx = g * (x - t) / np.maximum((1 - x) * x, _BCE_EPS)
        if want[1]:
            with np.errstate(divide="ignore"):
                gt = g * (np.maximum(np.log1p(-x), -100) - np.maximum(np.log(x), -100))
        return gx, gt


class BinaryCrossEntropyWithLogits(Function):
    """Sigmoid + binary cross-entropy fused, stable for any logit x:

        logsig = log sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
        lw     = 1 + (pos_weight - 1) t
        loss   = w ((1 - t) x - lw logsig)
        gx     = gy w (lw sigmoid(x) - pos_weight t)
        gt     = gy w (-x - (pos_weight - 1) logsig)
    """

    @staticmethod
    def log_sigmoid(x: Any) -> Any:
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def forward(ctx, x, t, w, pw):
        ctx.save_for_backward(x, t, w, pw)
        logsig = BinaryCrossEntropyWithLogits.log_sigmoid(x)
        lw = 1 if pw is None else (pw - 1) * t + 1
        l = (1 - t) * x - lw * logsig
        return like_inputs(np.asarray(l if w is None else l * w), x, t)

    @staticmethod
    def backward(ctx, gy):
        x, t, w, pw = ctx.saved_tensors
        want = ctx.needs_input_grad
        g = gy if w is None else gy * w
        logsig = BinaryCrossEntropyWithLogits.log_sigmoid(x)
        gx = gt = None
        if want[0]:
            sig = np.exp(logsig)
            gx = g * (sig - t) if pw is None else g * (((pw - 1) * t + 1) * sig - pw * t)
        if want[1]:
            gt = -g * x if pw is None else -g * (x + (pw - 1) * logsig)
        return gx, gt


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy between probabilities ``input`` and ``target``.
    See :class:`BCELoss`.

    Example:
        >>> p = nl.sigmoid(nl.randn(4, requires_grad=True))
        >>> F.binary_cross_entropy(p, nl.tensor([0., 1., 1., 0.]))
    """
    fn = "binary_cross_entropy"
    x = _input(input, fn)
    reduction = check_reduction(reduction, fn)
    t = _target(x, target, fn)
    if not ((x.array >= 0) & (x.array <= 1)).all():
        raise ValueError(f"{fn}: all elements of input (shape {x.shape}) must be "
                         f"probabilities in [0, 1]; use binary_cross_entropy_with_logits "
                         f"for logits")
    w = _broadcast_weight(weight, x.shape, x.dtype, "weight", fn)
    return _reduce(BinaryCrossEntropy.apply(x, t, w), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid and binary cross-entropy in one stable step, from logits ``input``.
    See :class:`BCEWithLogitsLoss`.

    Example:
        >>> logits = nl.randn(4, 3, requires_grad=True)
        >>> F.binary_cross_entropy_with_logits(logits, nl.rand(4, 3),
        ...                                    pos_weight=nl.tensor([1., 2., 3.]))
    """
    fn = "binary_cross_entropy_with_logits"
    x = _input(input, fn)
    reduction = check_reduction(reduction, fn)
    t = _target(x, target, fn)
    w = _broadcast_weight(weight, x.shape, x.dtype, "weight", fn)
    pw = _broadcast_weight(pos_weight, x.shape, x.dtype, "pos_weight", fn)
    return _reduce(BinaryCrossEntropyWithLogits.apply(x, t, w, pw), reduction)


# ============================================================================
# Regression losses and kl_div
# ============================================================================
def _weighted(loss: Tensor, weight: Any, reduction: str, x: Tensor, fn: str,
              mean_over_weight: bool) -> Tensor:
    """PyTorch's optional per-element ``weight`` of mse/l1/huber: same shape as the input;
    'mean' divides by sum(weight) (mse, l1) or by the number of elements (huber)."""
    if weight is None:
        return _reduce(loss, reduction)
    w = _constant(weight, "weight", fn)
    if w.shape != x.shape:
        raise ValueError(f"{fn}: weight of shape {w.shape} must have the input's shape "
                         f"{x.shape}")
    w = w.astype(x.dtype, copy=False)
    loss = loss * w
    if reduction == "mean" and mean_over_weight:
        return loss.sum() / w.sum()
    return _reduce(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean squared error ``(x - t)**2``, optionally weighted per element.
    See :class:`MSELoss`."""
    fn = "mse_loss"
    x = _input(input, fn)
    reduction = check_reduction(reduction, fn)
    d = x - _target(x, target, fn)
    return _weighted(d * d, weight, reduction, x, fn, mean_over_weight=True)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error ``|x - t|``, optionally weighted per element. See :class:`L1Loss`."""
    fn = "l1_loss"
    x = _input(input, fn)
    reduction = check_reduction(reduction, fn)
    d = x - _target(x, target, fn)
    return _weighted(abs(d), weight, reduction, x, fn, mean_over_weight=True)


class SmoothL1(Function):
    """Quadratic below the threshold b, linear above; d = x - t, m = |d| < b (a constant):

        smooth_l1:  loss = 0.5 d**2 / b  if m else |d| - 0.5 b;     gd = d / b  if m else sign(d)
        huber:      loss = 0.5 d**2      if m else b (|d| - 0.5 b); gd = d      if m else b sign(d)
        gx = gy gd,  gt = -gy gd
    """

    @staticmethod
    def forward(ctx, x, t, b, huber):
        d = x - t
        ad = np.abs(d)
        m = ad < b
        ctx.save_for_backward(x, t, m.astype(x.dtype))    # 1 where quadratic, 0 where linear
        ctx.b, ctx.huber = b, huber
        if huber:
            return like_inputs(np.where(m, 0.5 * d * d, (ad - 0.5 * b) * b), x, t)
        return like_inputs(np.where(m, 0.5 * d * d / b, ad - 0.5 * b), x, t)

    @staticmethod
    def backward(ctx, gy):
        x, t, m = ctx.saved_tensors
        want, b = ctx.needs_input_grad, ctx.b
        d = x - t
        if ctx.huber:
            gd = d * m + np.sign(d) * ((1 - m) * b)
        else:
            gd = d * (m / b) + np.sign(d) * (1 - m)
        g = gy * gd
        return (g if want[0] else None), (-g if want[1] else None)


class KLDiv(Function):
    """Pointwise KL divergence with x = log q:

        loss = xlogy(t, t) - t x   (0 where t == 0);  gx = -t gy;  gt = (log t + 1 - x) gy
        log_target:  loss = exp(t) (t - x);  gx = -exp(t) gy;  gt = exp(t) (t - x + 1) gy
    """

    @staticmethod
    def forward(ctx, x, t, log_target):
        ctx.save_for_backward(x, t)
        ctx.log_target = log_target
        if log_target:
            return np.asarray(np.exp(t) * (t - x))
        with np.errstate(divide="ignore", invalid="ignore"):
            tlogt = np.where(t == 0, 0, t * np.log(t))
        return np.asarray(tlogt - t * x, x.dtype)

    @staticmethod
    def backward(ctx, gy):
        x, t = ctx.saved_tensors
        want = ctx.needs_input_grad
        et = np.exp(t) if ctx.log_target else t
        gx = -gy * et if want[0] else None
        gt = None
        if want[1]:
            if ctx.log_target:
                gt = gy * (et * (t - x + 1))
            else:
                with np.errstate(divide="ignore"):
                    gt = gy * (np.log(t) - x + 1)
        return gx, gt


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (d = x - t);
    plain L1 when ``beta == 0``. See :class:`SmoothL1Loss`."""
    fn = "smooth_l1_loss"
    x = _input(input, fn)
    reduction = check_reduction(reduction, fn)
    if beta < 0:
        raise ValueError(f"{fn}: beta must be >= 0, got {beta}")
    t = _target(x, target, fn)
    if beta == 0:
        return _reduce(abs(x - t), reduction)
    return _reduce(SmoothL1.apply(x, t, beta, False), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)`` (d = x - t),
    optionally weighted per element. See :class:`HuberLoss`."""
    fn = "huber_loss"
    x = _input(input, fn)
    reduction = check_reduction(reduction, fn)
    if not delta > 0:
        raise ValueError(f"{fn}: delta must be > 0, got {delta}")
    loss = SmoothL1.apply(x, _target(x, target, fn), delta, True)
    return _weighted(loss, weight, reduction, x, fn, mean_over_weight=False)


def kl_div(input: Tensor, target: Tensor, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence ``t (log t - x)`` with ``input`` x given as
    log-probabilities. See :class:`KLDivLoss`."""
    fn = "kl_div"
    x = _input(input, fn)
    reduction = check_reduction(reduction, fn, REDUCTIONS + ("batchmean",))
    loss = KLDiv.apply(x, _target(x, target, fn), log_target)
    if reduction == "batchmean":
        total = loss.sum()
        return total / x.shape[0] if x.ndim else total
    return _reduce(loss, reduction)
