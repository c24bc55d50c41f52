"""Matrix products: matmul for 1-D, 2-D and batched operands (batch dims broadcast).

Notation: a (..., n, k) @ b (..., k, m) = y (..., n, m); a 1-D a is (1, k) and a 1-D b
is (k, 1) with that dim dropped from y, as in NumPy.
    ga = gy @ b^T,  gb = a^T @ gy   (the engine sums broadcast batch dims)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import ShapeError, cast, const, torch_name, unsupported


class MatMul(Function):
    """y = a @ b;  ga = gy @ b^T, gb = a^T @ gy"""
    broadcasts = True
    saved_for = (1, 0)          # a only for gb, b only for ga

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, gy):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:            # dot product: gy is a scalar
            return (gy * b if need_a else None,
                    gy * a if need_b else None)
        a2 = a.reshape((1,) + a.shape) if a.ndim == 1 else a          # (1, k)
        b2 = b.reshape(b.shape + (1,)) if b.ndim == 1 else b          # (k, 1)
        g2 = gy
        if a.ndim == 1:
            g2 = g2.reshape(g2.shape[:-1] + (1,) + g2.shape[-1:]) if b.ndim > 1 else g2
        if b.ndim == 1:
            g2 = g2.reshape(g2.shape + (1,))                          # (..., n, 1)
        ga = gb = None
        if need_a:
            ga = g2 @ b2.swapaxes(-1, -2)                              # (..., n, k)
            if a.ndim == 1:
                ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if need_b:
            gb = a2.swapaxes(-1, -2) @ g2                              # (..., k, m)
            if b.ndim == 1:
                gb = gb.reshape(gb.shape[:-1])
        return ga, gb


def check_same_dtype(op: str, a: Any, b: Any, names: tuple = ("m1", "m2")) -> None:
    """torch's rule for matrix products: both operands of one dtype, never promoted (a
    float64 or int64 input against float32 weights raises, naming both dtypes and shapes;
    cast one of them). Bool operands raise too (torch has no bool kernel)."""
    da, db = a.array.dtype, b.array.dtype
    if da.kind == "b" or db.kind == "b":
        raise unsupported(op, np.dtype(np.bool_), f"matrix products of bool tensors are not "
                          f"supported (got {da} of shape {a.shape} and {db} of shape "
                          f"{b.shape})")
    if da != db:
        raise RuntimeError(f"{op}: expected {names[0]} and {names[1]} to have the same dtype, "
                           f"but got: {da} != {db} ({torch_name(da)} {names[0]} of shape "
                           f"{a.shape}, {torch_name(db)} {names[1]} of shape {b.shape}); "
                           f"cast one of them, e.g. with .to({db}) or .to({da})")


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with NumPy's rules for 1-D and batched operands. Two tensors must
    have one dtype (no promotion, as torch: float32 @ float64 raises); a constant that
    is not a Tensor (an ndarray) takes the tensor's dtype."""
    if not isinstance(a, Tensor) and isinstance(b, Tensor):    # a constant (an ndarray)
        a = cast(a, b.array.dtype)                           # takes the tensor's dtype
    elif not isinstance(b, Tensor):
        b = cast(b, const(a).array.dtype)
    a = const(a)
    check_same_dtype("matmul", a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both arguments must be at least 1-D, got shapes "
                         f"{a.shape} and {b.shape}")
    k1 = a.shape[-1]
    k2 = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k1 != k2:
        raise ShapeError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                         f"({k1} != {k2})")
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise ShapeError(f"matmul: batch dims of shapes {a.shape} and {b.shape} cannot be "
                         f"broadcast together") from None


def mm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise ShapeError(f"mm: expected 2-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise ShapeError(f"bmm: expected 3-D tensors with the same batch size, got shapes "
                         f"{a.shape} and {b.shape}")
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"dot: expected 1-D tensors, got shapes {a.shape} and {b.shape}")
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    """y[i, j] = a[i] * b[j] for 1-D a and b."""
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"outer: expected 1-D tensors, got shapes {a.shape} and {b.shape}")
    return a.reshape(-1, 1) * b.reshape(1, -1)
