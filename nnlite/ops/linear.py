"""Linear maps: ``linear`` (one fused node) and ``bilinear`` (composed of other ops).

Notation: N is the flattened batch (all leading dims), in / out the feature sizes.
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..tensor import Tensor
from ..factories import as_tensor
from ._util import ShapeError
from .linalg import check_same_dtype
from . import buffers as _buf

__all__ = ["linear", "bilinear"]


class LinearFn(Function):
    """y = x @ W^T + b, one node for any number of leading batch dims (``LinearBackward``).

    Shapes: x (*, in), W (out, in), b (out,), y (*, out). With x2 = x as (N, in) and
    gy2 = gy as (N, out):
        gx = gy @ W,   gW = gy2^T @ x2,   gb = sum of gy2 over N
    The rule uses only reshape / .T / @ / .sum, which arrays and Tensors share.
    """

    @staticmethod
    def forward(ctx, x, w, b=None):
        ctx.save_for_backward(x, w)
        if x.ndim == 2:
            y = _buf.matmul(x, w.T)
        else:
            x2 = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])
            y = _buf.matmul(x2, w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            y += b
        return y

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        want = ctx.needs_input_grad
        gx = gw = gb = None
        if x.ndim == 2:
            x2, gy2 = x, gy
        else:
            n = math.prod(x.shape[:-1])
            x2, gy2 = x.reshape(n, x.shape[-1]), gy.reshape(n, w.shape[0])
        if want[0]:
            gx = _buf.mm(gy2, w)
            if x.ndim != 2:
                gx = gx.reshape(x.shape)
        if want[1]:
            gw = _buf.mm(gy2.T, x2)
        if len(want) > 2 and want[2]:
            gb = gy2.sum(axis=0)
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight^T + bias, fused into one autograd node.

    Args:
        input (Tensor): shape ``(*, in_features)``, any number of leading dims.
        weight (Tensor): shape (out_features, in_features).
        bias (Tensor, optional): shape (out_features,). Default: None.

    Input, weight and bias must have one dtype (a float64 or integer input against
    float32 weights raises a RuntimeError naming both, as torch; nothing is promoted).

    Shape:
        input (*, in) -> output (*, out).

    Example:
        >>> F.linear(nl.randn(8, 3), nl.randn(4, 3), nl.zeros(4)).shape
        (8, 4)
    """
    if not isinstance(input, Tensor):
        input = as_tensor(input)
    check_same_dtype("linear", input, weight, ("input", "weight"))
    if bias is not None:
        check_same_dtype("linear", input, bias, ("input", "bias"))
    wshape = weight.shape
    if len(wshape) != 2:
        raise ShapeError(f"linear: weight must be 2-D (out_features, in_features), got "
                         f"shape {wshape}")
    xshape = input.shape
    if not xshape or xshape[-1] != wshape[1]:
        raise ShapeError(f"linear: expected input with last dim {wshape[1]} (weight shape "
                         f"{wshape}), got shape {xshape}")
    if bias is None:
        return LinearFn.apply(input, weight)
    if bias.shape != (wshape[0],):
        raise ShapeError(f"linear: bias must have shape ({wshape[0]},), got {bias.shape}")
    return LinearFn.apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """y_k = input1^T A_k input2 + b_k for every output feature k.

    Composed of matmul / reshape / mul / sum, so every gradient (and double backward)
    comes from those ops.

    Args:
        input1 (Tensor): shape ``(*, in1_features)``.
        input2 (Tensor): shape ``(*, in2_features)``, the same leading dims.
        weight (Tensor): shape (out_features, in1_features, in2_features).
        bias (Tensor, optional): shape (out_features,). Default: None.

    Shape:
        output (*, out_features).

    Example:
        >>> F.bilinear(nl.randn(8, 3), nl.randn(8, 5), nl.randn(4, 3, 5)).shape
        (8, 4)
    """
    if weight.ndim != 3:
        raise ShapeError(f"bilinear: weight must be 3-D (out, in1, in2), got shape "
                         f"{weight.shape}")
    out_f, in1, in2 = weight.shape
    s1, s2 = input1.shape, input2.shape
    if not s1 or s1[-1] != in1 or not s2 or s2[-1] != in2 or s1[:-1] != s2[:-1]:
        raise ShapeError(f"bilinear: expected inputs of shapes (*, {in1}) and (*, {in2}) "
                         f"with the same leading dims, got {s1} and {s2}")
    n = math.prod(s1[:-1])
    x1 = input1.reshape(n, in1)                                         # (N, in1)
    x2 = input2.reshape(n, 1, in2)                                      # (N, 1, in2)
    a = weight.permute(1, 0, 2).reshape(in1, out_f * in2)               # (in1, out*in2)
    t = (x1 @ a).reshape(n, out_f, in2)                                 # (N, out, in2)
    y = (t * x2).sum(axis=-1)                                           # (N, out)
    if bias is not None:
        y = y + bias
    return y.reshape(s1[:-1] + (out_f,))
