"""Loss functions: the functional forms (``cross_entropy``, ``mse_loss`` ...) and the loss
modules (``CrossEntropyLoss``, ``MSELoss`` ...), with PyTorch's names, arguments and maths.

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
binary cross-entropy -- regression losses and kl_div -- modules.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ops._util import const, like_inputs
from ..tensor import Function, Tensor
from .module import Module

__all__ = [
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss",
    "BCELoss", "BCEWithLogitsLoss", "KLDivLoss",
]

_REDUCTIONS = ("none", "mean", "sum")


# ============================================================================
# Argument checking
# ============================================================================
def _check_reduction(reduction: Any, fn: str, allowed: tuple = _REDUCTIONS) -> str:
    if reduction not in allowed:
        choices = " | ".join(repr(r) for r in allowed)
        raise ValueError(f"{fn}: reduction must be one of {choices}, got {reduction!r}")
    return reduction


def _input(x: Any, fn: str) -> Tensor:
    """The input as a Tensor; it must be floating."""
    x = const(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: input must be a floating tensor, got dtype {x.dtype} "
                        f"(shape {x.shape})")
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
        return w.data
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


def _array(x: Any) -> np.ndarray:
    """The array of a Tensor (backward rules receive Tensors under create_graph)."""
    return x.data if isinstance(x, Tensor) else x


def _log_softmax(x: Any, axis: int) -> Any:
    """log_softmax along ``axis``, shifted by the (constant) max: stable for any logits and
    written with ufuncs, so it also runs, differentiably, on Tensors."""
    z = x - np.max(_array(x), axis=axis, keepdims=True)
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

    def pick(self, x: np.ndarray) -> np.ndarray:
        """``x[n, y_n]`` for every position n (shape T)."""
        y = np.expand_dims(self.y, self.axis)
        return np.take_along_axis(x, y, self.axis).squeeze(self.axis)

    def spread(self, values: np.ndarray, shape: tuple) -> np.ndarray:
        """An array of ``shape`` (the input's) holding ``values[n]`` at ``[n, y_n]``, else 0."""
        out = np.zeros(shape, values.dtype)
        np.put_along_axis(out, np.expand_dims(self.y, self.axis),
                          np.expand_dims(values, self.axis), self.axis)
        return out


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
    return t.data


# ============================================================================
# cross_entropy / nll_loss
# ============================================================================
class _ClassLoss(Function):
    """Base of the class-target losses: the reduction and the gradient's broadcast shape.

    ``finish(l, denom, xshape)`` turns the per-position losses l (shape T) into the
    output and remembers ``scale`` (1/denom for 'mean', else 1) and ``gshape``, the
    shape gy takes in backward so that it broadcasts over the class dim.
    """

    def __init__(self, reduction: str, axis: int) -> None:
        self.reduction, self.axis = reduction, axis

    def finish(self, l: np.ndarray, denom: Any, xshape: tuple) -> np.ndarray:
        kshape = tuple(1 if i == self.axis else n for i, n in enumerate(xshape))
        if self.reduction == "none":
            self.scale, self.gshape = 1, kshape
            return np.asarray(l)
        self.gshape = (1,) * len(xshape)
        total = l.sum()
        if self.reduction == "sum":
            self.scale = 1
            return np.asarray(total)
        # mean: nan when nothing counts (every target ignored), as in PyTorch, whose
        # gradient is then zero
        self.scale = 1 / denom if denom != 0 else 0
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(total / denom, l.dtype)

    def upstream(self, gy: Any) -> Any:
        """gy reshaped to broadcast against the input, times the reduction's scale."""
        g = gy.reshape(self.gshape)
        return g if self.scale == 1 else g * self.scale


class CrossEntropy(_ClassLoss):
    """Fused log-softmax + cross-entropy along the class dim.

    Per position n, with the weighted target distribution a_n (see the module notation):
        loss_n = -sum_c a_nc logp_nc
        gx_n   = (p_n * sum_c a_nc - a_n) * gy_n / denom
        gt_n   = -(1 - eps) * w * logp_n * gy_n / denom        (probability targets)
    For class indices a_n = keep_n ((1 - eps) w[y_n] onehot(y_n) + eps/C w) and denom is
    sum_n w[y_n] keep_n; for probabilities a_n = w ((1 - eps) t_n + eps/C) and denom is the
    number of positions. Backward recomputes logp from x with ufuncs, so it runs on
    Tensors under create_graph (double backward works).
    """
    save_inputs = True

    def __init__(self, reduction: str, axis: int, w: np.ndarray | None, eps: float,
                 index: _IndexTarget | None) -> None:
        super().__init__(reduction, axis)
        self.w, self.eps, self.index = w, eps, index

    def weights(self, ndim: int) -> Any:
        """w shaped to broadcast along the class dim (or 1)."""
        if self.w is None:
            return 1
        return self.w.reshape([-1 if i == self.axis else 1 for i in range(ndim)])

    def forward(self, x, t=None):
        ax, eps, wb = self.axis, self.eps, self.weights(x.ndim)
        logp = _log_softmax(x, ax)
        C = x.shape[ax]
        if t is None:                                   # class indices
            ix = self.index
            l = np.where(ix.keep, -ix.pick(logp) * ix.wy, 0)
            if eps:
                smooth = -(logp * wb).sum(axis=ax)
                l = l * (1 - eps) + np.where(ix.keep, smooth * (eps / C), 0)
            denom = ix.wy.sum()
        else:                                           # class probabilities
            if eps:
                t = t * (1 - eps) + eps / C
            l = -(logp * (t * wb)).sum(axis=ax)
            denom = x.size // C if C else 0
        return self.finish(l.astype(x.dtype, copy=False), denom, x.shape)

    def backward(self, gy, x, t=None):
        ax, eps, g = self.axis, self.eps, self.upstream(gy)
        logp = _log_softmax(x, ax)
        p = np.exp(logp)
        wb = self.weights(x.ndim)
        C = x.shape[ax]
        if t is None:
            ix = self.index
            a = ix.spread(ix.wy * (1 - eps), x.shape)
            if eps:
                a += np.expand_dims(ix.keep, ax) * (wb * (eps / C))
            gx = (p * a.sum(axis=ax, keepdims=True) - a) * g
            return gx
        q = t * (1 - eps) + eps / C if eps else t
        a = q * wb
        gx = (p * a.sum(axis=ax, keepdims=True) - a) * g if self.needs_grad(0) else None
        gt = logp * (wb * -(1 - eps)) * g if self.needs_grad(1) else None
        return gx, gt


class NLL(_ClassLoss):
    """Negative log-likelihood of class indices, input = log-probabilities.

        loss_n = -w[y_n] x[n, y_n]  (0 where y_n == ignore_index)
        gx     = -spread(w[y_n]) * gy_n / denom,   denom = sum_n w[y_n] keep_n
    """

    def __init__(self, reduction: str, axis: int, index: _IndexTarget) -> None:
        super().__init__(reduction, axis)
        self.index = index

    def forward(self, x):
        ix = self.index
        self.shape = x.shape
        l = np.where(ix.keep, -ix.pick(x) * ix.wy, 0).astype(x.dtype, copy=False)
        return self.finish(l, ix.wy.sum(), x.shape)

    def backward(self, gy):
        ix = self.index
        return ix.spread(-ix.wy, self.shape) * self.upstream(gy)


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
    reduction = _check_reduction(reduction, fn)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must be in [0.0, 1.0], got {label_smoothing}")
    t = _class_target(x, target, fn, probabilities=True)
    w = _class_weight(weight, x.shape[axis], x.dtype, fn)
    if isinstance(t, Tensor):
        if ignore_index != -100:
            raise ValueError(f"{fn}: ignore_index={ignore_index} applies to class-index "
                             f"targets only, not to class probabilities (target of shape "
                             f"{t.shape}, as PyTorch)")
        return CrossEntropy(reduction, axis, w, label_smoothing, None).apply(x, t)
    index = _IndexTarget(x, t, w, ignore_index, axis, fn)
    return CrossEntropy(reduction, axis, w, label_smoothing, index).apply(x)


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
    reduction = _check_reduction(reduction, fn)
    y = _class_target(x, target, fn, probabilities=False)
    w = _class_weight(weight, x.shape[axis], x.dtype, fn)
    return NLL(reduction, axis, _IndexTarget(x, y, w, ignore_index, axis, fn)).apply(x)


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
    save_inputs = True

    def __init__(self, w: np.ndarray | None) -> None:
        self.w = 1 if w is None else w

    def forward(self, x, t):
        with np.errstate(divide="ignore"):
            logx = np.maximum(np.log(x), -100)
            log1mx = np.maximum(np.log1p(-x), -100)
        return like_inputs(np.asarray(((t - 1) * log1mx - t * logx) * self.w), x, t)

    def backward(self, gy, x, t):
        g = gy * self.w
        gx = gt = None
        if self.needs_grad(0):
            gx = g * (x - t) / np.maximum((1 - x) * x, _BCE_EPS)
        if self.needs_grad(1):
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
    save_inputs = True

    def __init__(self, w: np.ndarray | None, pw: np.ndarray | None) -> None:
        self.w = 1 if w is None else w
        self.pw = pw

    @staticmethod
    def log_sigmoid(x: Any) -> Any:
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def forward(self, x, t):
        logsig = self.log_sigmoid(x)
        lw = 1 if self.pw is None else (self.pw - 1) * t + 1
        return like_inputs(np.asarray(((1 - t) * x - lw * logsig) * self.w), x, t)

    def backward(self, gy, x, t):
        g = gy * self.w
        logsig = self.log_sigmoid(x)
        pw = self.pw
        gx = gt = None
        if self.needs_grad(0):
            sig = np.exp(logsig)
            gx = g * (sig - t) if pw is None else g * (((pw - 1) * t + 1) * sig - pw * t)
        if self.needs_grad(1):
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
    reduction = _check_reduction(reduction, fn)
    t = _target(x, target, fn)
    if not ((x.data >= 0) & (x.data <= 1)).all():
        raise ValueError(f"{fn}: all elements of input (shape {x.shape}) must be "
                         f"probabilities in [0, 1]; use binary_cross_entropy_with_logits "
                         f"for logits")
    w = _broadcast_weight(weight, x.shape, x.dtype, "weight", fn)
    return _reduce(BinaryCrossEntropy(w).apply(x, t), reduction)


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
    reduction = _check_reduction(reduction, fn)
    t = _target(x, target, fn)
    w = _broadcast_weight(weight, x.shape, x.dtype, "weight", fn)
    pw = _broadcast_weight(pos_weight, x.shape, x.dtype, "pos_weight", fn)
    return _reduce(BinaryCrossEntropyWithLogits(w, pw).apply(x, t), reduction)


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
    reduction = _check_reduction(reduction, fn)
    d = x - _target(x, target, fn)
    return _weighted(d * d, weight, reduction, x, fn, mean_over_weight=True)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error ``|x - t|``, optionally weighted per element. See :class:`L1Loss`."""
    fn = "l1_loss"
    x = _input(input, fn)
    reduction = _check_reduction(reduction, fn)
    d = x - _target(x, target, fn)
    return _weighted(abs(d), weight, reduction, x, fn, mean_over_weight=True)


class SmoothL1(Function):
    """Quadratic below the threshold b, linear above; d = x - t, m = |d| < b (a constant):

        smooth_l1:  loss = 0.5 d**2 / b  if m else |d| - 0.5 b;     gd = d / b  if m else sign(d)
        huber:      loss = 0.5 d**2      if m else b (|d| - 0.5 b); gd = d      if m else b sign(d)
        gx = gy gd,  gt = -gy gd
    """
    save_inputs = True

    def __init__(self, b: float, huber: bool) -> None:
        self.b, self.huber = b, huber

    def forward(self, x, t):
        d = x - t
        ad = np.abs(d)
        m = ad < self.b
        self.m = m.astype(x.dtype)                # 1 where quadratic, 0 where linear
        if self.huber:
            return like_inputs(np.where(m, 0.5 * d * d, (ad - 0.5 * self.b) * self.b), x, t)
        return like_inputs(np.where(m, 0.5 * d * d / self.b, ad - 0.5 * self.b), x, t)

    def backward(self, gy, x, t):
        d = x - t
        m, b = self.m, self.b
        if self.huber:
            gd = d * m + np.sign(d) * ((1 - m) * b)
        else:
            gd = d * (m / b) + np.sign(d) * (1 - m)
        g = gy * gd
        return (g if self.needs_grad(0) else None), (-g if self.needs_grad(1) else None)


class KLDiv(Function):
    """Pointwise KL divergence with x = log q:

        loss = xlogy(t, t) - t x   (0 where t == 0);  gx = -t gy;  gt = (log t + 1 - x) gy
        log_target:  loss = exp(t) (t - x);  gx = -exp(t) gy;  gt = exp(t) (t - x + 1) gy
    """
    save_inputs = True

    def __init__(self, log_target: bool) -> None:
        self.log_target = log_target

    def forward(self, x, t):
        if self.log_target:
            return np.asarray(np.exp(t) * (t - x))
        with np.errstate(divide="ignore", invalid="ignore"):
            tlogt = np.where(t == 0, 0, t * np.log(t))
        return np.asarray(tlogt - t * x, x.dtype)

    def backward(self, gy, x, t):
        et = np.exp(t) if self.log_target else t
        gx = -gy * et if self.needs_grad(0) else None
        gt = None
        if self.needs_grad(1):
            if self.log_target:
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
    reduction = _check_reduction(reduction, fn)
    if beta < 0:
        raise ValueError(f"{fn}: beta must be >= 0, got {beta}")
    t = _target(x, target, fn)
    if beta == 0:
        return _reduce(abs(x - t), reduction)
    return _reduce(SmoothL1(beta, huber=False).apply(x, t), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)`` (d = x - t),
    optionally weighted per element. See :class:`HuberLoss`."""
    fn = "huber_loss"
    x = _input(input, fn)
    reduction = _check_reduction(reduction, fn)
    if not delta > 0:
        raise ValueError(f"{fn}: delta must be > 0, got {delta}")
    loss = SmoothL1(delta, huber=True).apply(x, _target(x, target, fn))
    return _weighted(loss, weight, reduction, x, fn, mean_over_weight=False)


def kl_div(input: Tensor, target: Tensor, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence ``t (log t - x)`` with ``input`` x given as
    log-probabilities. See :class:`KLDivLoss`."""
    fn = "kl_div"
    x = _input(input, fn)
    reduction = _check_reduction(reduction, fn, _REDUCTIONS + ("batchmean",))
    loss = KLDiv(log_target).apply(x, _target(x, target, fn))
    if reduction == "batchmean":
        total = loss.sum()
        return total / x.shape[0] if x.ndim else total
    return _reduce(loss, reduction)


# ============================================================================
# Modules
# ============================================================================
class _Loss(Module):
    """Base of the loss modules: stores ``reduction`` (checked at construction)."""

    _reductions = _REDUCTIONS

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _check_reduction(reduction, type(self).__name__, self._reductions)


class _WeightedLoss(_Loss):
    """A loss with an optional ``weight`` tensor, registered as a buffer (as PyTorch)."""

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))


def _buffer(t: Any) -> Tensor | None:
    """A weight for ``register_buffer``: None, a Tensor, or array-like made a Tensor."""
    if t is None or isinstance(t, Tensor):
        return t
    return Tensor(np.asarray(t))


class CrossEntropyLoss(_WeightedLoss):
    r"""Cross-entropy between unnormalised logits and class targets (log-softmax + NLL,
    fused into one op).

    With class indices y, per position n (ignored positions give 0):

        l_n = -(1 - eps) w[y_n] log p[n, y_n] - (eps / C) sum_c w[c] log p[n, c],
        p = softmax(x, dim=class dim)

    'mean' divides the sum of l_n by ``sum_n w[y_n]`` over non-ignored positions. With
    class probabilities t (same shape as the input), ``l_n = -sum_c w[c] t'[n, c]
    log p[n, c]`` with ``t' = (1 - eps) t + eps / C``, and 'mean' divides by the number of
    positions (N times d1 ...).

    Args:
        weight (Tensor, optional): a rescaling weight per class, shape (C,). Default: None.
        ignore_index (int): a class-index target value that is ignored (contributes
            neither loss nor gradient); must be left at -100 with probability targets.
            Default: -100.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        label_smoothing (float): eps in [0, 1], mixing the targets with the uniform
            distribution. Default: 0.0.

    Shape:
        - Input: (C,), (N, C) or (N, C, d1, ..., dK): logits.
        - Target: class indices (int64) of shape (), (N,) or (N, d1, ..., dK), values in
          [0, C) or ``ignore_index``; or class probabilities of the input's shape.
        - Output: a scalar; with ``reduction='none'``, (), (N,) or (N, d1, ..., dK).

    Example:
        >>> loss = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> logits = nl.randn(8, 5, requires_grad=True)
        >>> loss(logits, nl.randint(0, 5, (8,))).backward()
    """

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    r"""Negative log-likelihood of class indices given log-probabilities (e.g. the output
    of ``log_softmax``).

        l_n = -w[y_n] x[n, y_n]    (0 where y_n == ignore_index)

    'mean' divides the sum by ``sum_n w[y_n]`` over non-ignored positions.

    Args:
        weight (Tensor, optional): a rescaling weight per class, shape (C,). Default: None.
        ignore_index (int): a target value that is ignored. Default: -100.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (C,), (N, C) or (N, C, d1, ..., dK): log-probabilities.
        - Target: int64 of shape (), (N,) or (N, d1, ..., dK), values in [0, C) or
          ``ignore_index``.
        - Output: a scalar; with ``reduction='none'``, the target's shape.

    Example:
        >>> loss = nn.NLLLoss()
        >>> logp = nl.log_softmax(nl.randn(3, 5, requires_grad=True), dim=1)
        >>> loss(logp, nl.tensor([1, 0, 4])).backward()
    """

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100,
                 reduction: str = "mean") -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                        reduction=self.reduction)


class MSELoss(_Loss):
    r"""Mean squared error: ``l = (x - y)**2`` elementwise, then the reduction.

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (*), any shape. Target: (*), the same shape (a different shape raises
          ValueError; PyTorch would broadcast).
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.MSELoss()
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.randn(3, 5)).backward()
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    r"""Mean absolute error: ``l = |x - y|`` elementwise, then the reduction.

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.L1Loss()
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.randn(3, 5)).backward()
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    r"""Smooth L1: squared below ``beta``, L1 above. With d = x - y:

        l = 0.5 d**2 / beta   if |d| < beta
            |d| - 0.5 beta    otherwise        (plain L1 when beta = 0)

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        beta (float): the threshold, >= 0. Default: 1.0.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.SmoothL1Loss(beta=0.5)
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.randn(3, 5)).backward()
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    r"""Huber loss: squared below ``delta``, delta-scaled L1 above. With d = x - y:

        l = 0.5 d**2                  if |d| < delta
            delta (|d| - 0.5 delta)   otherwise

    Equals ``delta * SmoothL1Loss(beta=delta)``.

    Args:
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        delta (float): the threshold, > 0. Default: 1.0.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.HuberLoss(delta=2.0)
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.randn(3, 5)).backward()
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    r"""Binary cross-entropy between probabilities x and targets y in [0, 1]:

        l = -w (y log x + (1 - y) log(1 - x)),   each log clamped to >= -100

    Args:
        weight (Tensor, optional): a rescaling weight broadcastable to the input's shape.
            Default: None.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.

    Shape:
        - Input: (*), values in [0, 1]. Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.BCELoss()
        >>> p = nl.sigmoid(nl.randn(3, requires_grad=True))
        >>> loss(p, nl.tensor([0., 1., 1.])).backward()
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return binary_cross_entropy(input, target, weight=self.weight,
                                    reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""Sigmoid + binary cross-entropy in one numerically stable op, from logits x:

        l = -w (pos_weight y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))

    Args:
        weight (Tensor, optional): a rescaling weight broadcastable to the input's shape.
            Default: None.
        reduction (str): ``'none'`` | ``'mean'`` | ``'sum'``. Default: ``'mean'``.
        pos_weight (Tensor, optional): the weight of positive examples, broadcastable to
            the input's shape, e.g. (C,) for an (N, C) multi-label input. Default: None.

    Shape:
        - Input: (*), logits. Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.BCEWithLogitsLoss(pos_weight=nl.ones(5) * 2)
        >>> loss(nl.randn(3, 5, requires_grad=True), nl.rand(3, 5)).backward()
    """

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                reduction=self.reduction,
                                                pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    r"""Kullback-Leibler divergence, with the input x given as log-probabilities:

        l = y (log y - x)          (0 where y == 0)
        l = exp(y) (y - x)         with ``log_target=True`` (y given as log-probabilities)

    Args:
        reduction (str): ``'none'`` | ``'batchmean'`` | ``'sum'`` | ``'mean'``.
            ``'batchmean'`` divides the sum by the batch size N and is the true KL
            divergence; ``'mean'`` divides by the number of elements (as PyTorch).
            Default: ``'mean'``.
        log_target (bool): whether the target is given as log-probabilities.
            Default: False.

    Shape:
        - Input: (*). Target: (*), the same shape.
        - Output: a scalar; with ``reduction='none'``, (*).

    Example:
        >>> loss = nn.KLDivLoss(reduction="batchmean")
        >>> logq = nl.log_softmax(nl.randn(3, 5, requires_grad=True), dim=1)
        >>> loss(logq, nl.softmax(nl.randn(3, 5), dim=1)).backward()
    """

    _reductions = _REDUCTIONS + ("batchmean",)

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
