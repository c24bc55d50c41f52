"""Synchronised batch norm: batch statistics over the batches of all the processes of a
group, as if their samples were one batch (torch's ``SyncBatchNorm`` function).

Notation (as in normalization.py; per channel c, x as (N, C, R) on each process p):
    n_p, mean_p, m2_p   this process's count N*R, mean and sum of squared deviations
    M                   sum_p n_p, the global count
    mean                sum_p n_p mean_p / M
    var                 (sum_p m2_p + sum_p n_p (mean_p - mean)^2) / M     (biased)
    xhat, y             (x - mean) rstd,  w xhat + b,   rstd = 1 / sqrt(var + eps)

Forward: one allgather of (n_p, mean_p, m2_p), combined as above (Chan et al.'s parallel
variance: no cancellation); the running statistics get the global mean and the unbiased
variance var * M / (M - 1), identical on every process.

Backward, with gy this process's upstream gradient (of the sum of the processes' losses,
which DistributedDataParallel then averages):
    s0 = sum over all processes of sum(gy),  s1 = sum over all of sum(gy xhat)  (one allreduce)
    gx = w rstd (gy - s0 / M - xhat s1 / M)
    gw = sum(gy xhat),  gb = sum(gy)        (this process's share, as torch: DDP averages)
The backward runs on arrays only (``once_differentiable``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function, once_differentiable
from ..tensor import Tensor
from .normalization import (_channel_dot, _channel_input, _channel_sum, _col,
                            _update_running, _view3)

__all__ = ["sync_batch_norm"]


def _global_stats(x3: np.ndarray, group: Any) -> tuple:
    """(mean, var, M) per channel over every process's x3 (N, C, R), in float64."""
    N, C, R = x3.shape
    n = N * R
    local = np.zeros(1 + 2 * C)                     # (n_p, mean_p (C,), m2_p (C,))
    local[0] = n
    if n:
        mean_p = _channel_sum(x3) / n
        xc = x3 - _col(mean_p, x3.dtype)
        local[1:1 + C], local[1 + C:] = mean_p, _channel_dot(xc, xc)
    every = group.allgather(local)                  # (P, 1 + 2C)
    counts, means, m2s = every[:, :1], every[:, 1:1 + C], every[:, 1 + C:]
    M = float(counts.sum())
    if M == 0:
        raise ValueError("SyncBatchNorm: every process's batch is empty (no values per "
                         "channel)")
    mean = (counts * means).sum(0) / M
    var = (m2s.sum(0) + (counts * (means - mean) ** 2).sum(0)) / M
    return mean, var, M


class SyncBatchNormFunction(Function):
    """Training-mode batch norm with statistics over all processes of ``group`` (see the
    module docstring); ``group`` is a ``ProcessGroup``."""

    @staticmethod
    def forward(ctx, x, w, b, eps, running_mean, running_var, momentum, group):
        N, C, R = _view3(x)
        dt = x.dtype
        x3 = np.ascontiguousarray(x).reshape(N, C, R)
        mean, var, M = _global_stats(x3, group)
        if M <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got "
                             f"{int(M)} over all processes (input size {tuple(x.shape)} here)")
        rstd = 1 / np.sqrt(var + eps)
        scale = rstd if w is None else w * rstd
        shift = -mean * scale if b is None else b - mean * scale
        y = x3 * _col(scale, dt) + _col(shift, dt)
        _update_running(running_mean, mean, momentum)
        _update_running(running_var, var * (M / (M - 1)), momentum)
        ctx.save_for_backward(x, w, mean, rstd)
        ctx.M, ctx.group = M, group
        return y.reshape(x.shape)

    @staticmethod
    @once_differentiable
    def backward(ctx, gy):
        x, w, mean, rstd = ctx.saved_tensors
        N, C, R = _view3(x)
        dt = x.dtype
        gy3 = np.ascontiguousarray(gy).reshape(N, C, R)
        xc = np.ascontiguousarray(x).reshape(N, C, R) - _col(mean, dt)
        sums = np.concatenate([_channel_sum(gy3), _channel_dot(gy3, xc) * rstd])  # (2C,)
        gb = sums[:C].astype(dt)                   # this process's sum(gy)
        gw = sums[C:].astype(dt)                   # this process's sum(gy xhat)
        gx = None
        if ctx.needs_input_grad[0]:
            ctx.group.allreduce(sums)              # over all processes
            s0, s1 = sums[:C] / ctx.M, sums[C:] / ctx.M
            k = rstd if w is None else w * rstd
            gx = (gy3 - _col(s0, dt) - xc * _col(s1 * rstd, dt)) * _col(k, dt)
            gx = gx.reshape(x.shape)
        return gx, gw, gb


def sync_batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
                    weight: Tensor | None, bias: Tensor | None, momentum: float, eps: float,
                    group: Any) -> Tensor:
    """Training-mode batch norm of ``input`` with the statistics of all processes of
    ``group`` (see the module docstring); the running statistics, when given, are updated
    in place with the global ones. What ``nn.SyncBatchNorm`` calls in training when more
    than one process takes part.

    Args:
        input: ``(N, C, *)`` (N may differ between processes, and be 0 on some).
        running_mean, running_var: (C,) tensors or None.
        weight, bias: (C,) or None.
        momentum (float): running-statistics factor. eps (float): added to the variance.
        group (ProcessGroup): the processes whose batches are normalised together.
    """
    x, rm, rv, w, b = _channel_input(input, "sync_batch_norm", running_mean=running_mean,
                                     running_var=running_var, weight=weight, bias=bias)
    return SyncBatchNormFunction.apply(x, w, b, eps, None if rm is None else rm.array,
                                       None if rv is None else rv.array, momentum, group)
