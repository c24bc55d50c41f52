"""Row gather and row scatter, the two ops behind packed sequences
(``nnlite.nn.utils.rnn``): packing a padded batch gathers its valid rows, unpacking
scatters them back into a padded array. Each is the other's backward, so gradients of
any order flow through them.

Notation: x2 the input viewed as (M, *) rows; ``rows`` distinct row indices into it
(so a scatter is an assignment, never a sum).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function

__all__ = ["PackRows", "UnpackRows"]


class PackRows(Function):
    """y = x2[rows];  gx = zeros of x's shape with gy at rows (``UnpackRows``)."""

    @staticmethod
    def forward(ctx, x, rows):
        ctx.save_for_backward(rows)
        ctx.shape = x.shape
        return x[rows]

    @staticmethod
    def backward(ctx, gy):
        (rows,) = ctx.saved_tensors
        return UnpackRows.apply(gy, rows, ctx.shape, 0.0)


class UnpackRows(Function):
    """y = full(shape, value) with y[rows] = x;  gx = gy[rows] (``PackRows``)."""

    @staticmethod
    def forward(ctx, x, rows, shape, value):
        ctx.save_for_backward(rows)
        out = np.full(shape, value, x.dtype)
        out[rows] = x
        return out

    @staticmethod
    def backward(ctx, gy):
        (rows,) = ctx.saved_tensors
        return PackRows.apply(gy, rows)
