"""Running extrema, the running log-sum-exp and differences along one dim: cummax cummin
logcumsumexp diff.

Notation: x has shape S and is scanned along dim d (size n); ``rev`` reverses d; gy has
y's shape.

    cummax:       v_k = max(x_0 .. x_k), i_k = the last j <= k with x_j = v_k (torch's
                  ties: an element equal to the running max takes it over); once a NaN
                  is seen v is NaN and i the last NaN so far.  gx = gv added at i
    cummin:       the same with min
    logcumsumexp: y_k = log(exp(x_0) + ... + exp(x_k)), pairwise (np.logaddexp), so no
                  overflow;  gx_j = sum_{k >= j} gy_k exp(x_j - y_k), computed in logs as
                  torch: the positive and the negative parts of gy separately,
                  gx = exp(x + rev(lcse(rev(log gy+ - y)))) - the same for gy-
    diff:         y = x[1:] - x[:-1] along d, n times (``!=`` for bool), after joining
                  ``prepend`` and ``append``: a composition of differentiable ops
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..factories import as_tensor
from ..tensor import Tensor
from ._util import ShapeError, norm_dim, result_type, unsupported
from .arithmetic import ne
from .indexing import IndexAdd, _grid
from .pointwise import Where
from .reduction import MaxResult
from .shape import cat


# ---- cummax / cummin -----------------------------------------------------------
class CumExtremum(Function):
    """values, indices = the running max (``ufunc`` np.maximum; np.minimum for the min)
    along dim and where it was reached;  gx = gv added at the indices (``IndexAdd``,
    whose backward takes gv back at them), the indices get none"""

    @staticmethod
    def forward(ctx, x, dim, ufunc):
        v = ufunc.accumulate(x, axis=dim)
        hit = x == v                                        # x_k takes the running extremum
        if x.dtype.kind in "fc":
            hit |= np.isnan(x)
        n = x.shape[dim]
        pos = np.arange(n).reshape((n,) + (1,) * (x.ndim - dim - 1))
        idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=dim).astype(np.int64)
        ctx.save_for_backward(_grid(idx, dim))
        ctx.shape = x.shape
        indices = idx.copy()                    # the output is not the saved array
        ctx.mark_non_differentiable(indices)
        return v, indices

    @staticmethod
    def backward(ctx, gv, gi):
        (grid,) = ctx.saved_tensors
        return IndexAdd.apply(gv, ctx.shape, grid, False)


def _cum_extremum(input: Any, dim: int, ufunc: Any, op: str) -> MaxResult:
    input = as_tensor(input)
    d = norm_dim(dim, input.ndim, op)
    if input.ndim == 0:
        v, i = CumExtremum.apply(input.reshape(1), 0, ufunc)
        return MaxResult(v.reshape(()), i.reshape(()))
    return MaxResult(*CumExtremum.apply(input, d, ufunc))


def cummax(input: Tensor, dim: int) -> MaxResult:
    """The running maximum along ``dim`` and the position where each was reached.

    On ties the later element takes over (torch's rule: indices point at the last
    element equal to the running max); a NaN propagates, and the index is then that of
    the last NaN seen. The gradient goes to the element each index names.

    Args:
        input (Tensor): any shape and dtype.
        dim (int): the dim to scan along.

    Returns:
        ``(values, indices)`` (``.values``, ``.indices``): values of input's dtype, int64
        indices, both of input's shape.

    Shape: S -> S, S.

    Example:
        >>> nl.cummax(nl.tensor([1.0, 3.0, 2.0, 3.0]), 0)
        (tensor([1., 3., 3., 3.]), tensor([0, 1, 1, 3]))
    """
    return _cum_extremum(input, dim, np.maximum, "cummax")


def cummin(input: Tensor, dim: int) -> MaxResult:
    """The running minimum along ``dim`` and the position where each was reached (the
    later element on ties, the last NaN seen once there is one), as ``cummax``.

    Args:
        input (Tensor): any shape and dtype.
        dim (int): the dim to scan along.

    Returns:
        ``(values, indices)`` (``.values``, ``.indices``), both of input's shape.

    Shape: S -> S, S.

    Example:
        >>> nl.cummin(nl.tensor([2.0, 1.0, 3.0, 1.0]), 0).indices
        tensor([0, 1, 1, 3])
    """
    return _cum_extremum(input, dim, np.minimum, "cummin")


# ---- logcumsumexp ----------------------------------------------------------------
def _rev(dim: int) -> tuple:
    return (slice(None),) * dim + (slice(None, None, -1),)


class LogCumSumExp(Function):
    """y = log of the running sum of exp(x) along dim (pairwise logaddexp);
    gx = exp(x + rev(lcse(rev(log gy+ - y)))) - exp(x + rev(lcse(rev(log gy- - y))))
    (gy+ and gy- the positive and negative parts of gy: every sum is of exponentials)"""

    @staticmethod
    def forward(ctx, x, dim):
        y = np.logaddexp.accumulate(x, axis=dim)
        ctx.dim = dim
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, y = ctx.saved_tensors
        dim, r = ctx.dim, _rev(ctx.dim)
        dtype = (gy.array if isinstance(gy, Tensor) else gy).dtype
        lowest = np.array(np.finfo(dtype).min, dtype)       # log 0, finite as torch's
        garr = gy.array if isinstance(gy, Tensor) else gy
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            log_abs = np.log(np.abs(gy))                    # -inf where gy = 0
            parts = []
            for sign in (garr > 0, garr < 0):
                lg = Where.apply(log_abs, lowest, sign)
                parts.append(np.exp(LogCumSumExp.apply((lg - y)[r], dim)[r] + x))
            return parts[0] - parts[1]


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(exp(x_0) + ... + exp(x_k)) along ``dim``, for every k, computed without
    overflow (pairwise log-add-exp).

    Args:
        input (Tensor): a floating tensor, any shape.
        dim (int): the dim to scan along.

    Shape: S -> S.

    Example:
        >>> nl.logcumsumexp(nl.tensor([0.0, 0.0, 1000.0]), 0)
        tensor([0.000000e+00, 6.931472e-01, 1.000000e+03])
    """
    input = as_tensor(input)
    if input.dtype.kind != "f":
        raise unsupported("logcumsumexp", input.dtype, "logcumsumexp needs a floating "
                          "input (call .float())")
    d = norm_dim(dim, input.ndim, "logcumsumexp")
    if input.ndim == 0:
        return LogCumSumExp.apply(input.reshape(1), 0).reshape(())
    return LogCumSumExp.apply(input, d)


# ---- diff --------------------------------------------------------------------------
class DiffOrderError(ValueError, RuntimeError):
    """A negative order ``n`` for diff: nnlite's ValueError, torch's RuntimeError."""


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The ``n``-th forward difference along ``dim``: ``x[1:] - x[:-1]``, ``n`` times
    (``x[1:] != x[:-1]`` for bool tensors).

    Args:
        input (Tensor): at least 1-D.
        n (int): how many times to take the difference, >= 0; 0 returns a copy of
            ``input`` (``prepend`` and ``append`` unused, as torch). Default: 1.
        dim (int): the dim. Default: -1.
        prepend (Tensor, optional): joined before ``input`` along ``dim`` first; the same
            number of dims as input, the same sizes except along ``dim``. Default: None.
        append (Tensor, optional): joined after it, likewise. Default: None.

    Shape: S -> S with the size m of ``dim`` (prepend and append counted) replaced by
    max(m - n, 0).

    Example:
        >>> nl.diff(nl.tensor([1, 4, 9, 16]))
        tensor([3, 5, 7])
    """
    input = as_tensor(input)
    if input.ndim == 0:
        raise ShapeError("diff expects input to be at least one-dimensional (got a 0-d "
                         "tensor)")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"diff: n must be an int, got {type(n).__name__}")
    if n < 0:
        raise DiffOrderError(f"diff: order must be non-negative but got {n}")
    d = norm_dim(dim, input.ndim, "diff")
    parts = [input]
    for name, extra in (("prepend", prepend), ("append", append)):
        if extra is None:
            continue
        extra = as_tensor(extra)
        if extra.ndim != input.ndim:
            raise ShapeError(f"diff: {name} must have the same number of dims as input: "
                             f"{name} shape {extra.shape}, input shape {input.shape}")
        parts.insert(0 if name == "prepend" else len(parts), extra)
    if n == 0:
        return input.clone()                    # as torch: prepend and append unused
    x = input
    if len(parts) > 1:
        dt = result_type(*parts)
        x = cat([p if p.dtype == dt else p.astype(dt) for p in parts], d)
    lead = (slice(None),) * d
    for _ in range(int(n)):
        if x.shape[d] == 0:
            break
        hi, lo = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
        x = ne(hi, lo) if x.dtype == np.bool_ else hi - lo
    return x


TENSOR_METHODS = {"cummax": cummax, "cummin": cummin, "logcumsumexp": logcumsumexp,
                  "diff": diff}
