"""Folding an eval-mode batch norm into the convolution or linear layer before it
(torch's ``nn.utils.fusion``), for inference::

    s  = bn_weight / sqrt(running_var + eps)
    W' = W * s               per output channel: dim 0 of a conv or linear weight,
                             dim 1 of a transposed conv's
    b' = (b - running_mean) * s + bn_bias

so ``fused(x) == bn(conv(x))`` in eval mode.
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _arr(t: Any) -> np.ndarray | None:
    return None if t is None else (t.array if isinstance(t, Tensor) else np.asarray(t))


def _check_eval(layer: Module, bn: Module, fn: str) -> None:
    if layer.training or bn.training:
        raise ValueError(f"{fn}: fusion only for eval! Call .eval() on both modules first "
                         f"({type(layer).__name__}.training={layer.training}, "
                         f"{type(bn).__name__}.training={bn.training})")
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError(f"{fn}: the batch norm must track running statistics "
                         f"(track_running_stats=True)")


def fuse_conv_bn_eval(conv: Module, bn: Module, transpose: bool = False) -> Module:
    """A copy of ``conv`` (Conv1d/2d/3d or, with ``transpose=True``, a transposed conv)
    whose weight and bias include the eval-mode batch norm ``bn`` that follows it.

    Example:
        >>> conv, bn = nn.Conv2d(3, 8, 3).eval(), nn.BatchNorm2d(8).eval()
        >>> fused = nn.utils.fusion.fuse_conv_bn_eval(conv, bn)
    """
    _check_eval(conv, bn, "fuse_conv_bn_eval")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
        bn.bias, transpose)
    return fused


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor,
                         bn_rv: Tensor, bn_eps: float, bn_w: Tensor | None,
                         bn_b: Tensor | None, transpose: bool = False) -> tuple:
    """The fused (weight, bias) Parameters of a convolution followed by an eval-mode
    batch norm (see the module notation); a missing conv bias, bn weight or bn bias
    counts as 0, 1, 0. The results keep the conv weight's (and bias's) dtype.

    Example:
        >>> w, b = nn.utils.fusion.fuse_conv_bn_weights(conv.weight, conv.bias,
        ...     bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    """
    w = _arr(conv_w)
    rm, rv = _arr(bn_rm), _arr(bn_rv)
    b_dtype = w.dtype if conv_b is None else _arr(conv_b).dtype
    b = np.zeros_like(rm) if conv_b is None else _arr(conv_b)
    g = np.ones_like(rm) if bn_w is None else _arr(bn_w)
    beta = np.zeros_like(rm) if bn_b is None else _arr(bn_b)
    rsqrt = 1.0 / np.sqrt(rv + bn_eps)
    shape = ([1, -1] if transpose else [-1, 1]) + [1] * (w.ndim - 2)
    fused_w = (w * (g * rsqrt).reshape(shape)).astype(w.dtype)
    fused_b = ((b - rm) * rsqrt * g + beta).astype(b_dtype)
    w_grad = conv_w.requires_grad if isinstance(conv_w, Tensor) else True
    b_grad = conv_b.requires_grad if isinstance(conv_b, Tensor) else False
    return Parameter(fused_w, w_grad), Parameter(fused_b, b_grad)


def fuse_linear_bn_eval(linear: Module, bn: Module) -> Module:
    """A copy of ``linear`` whose weight and bias include the eval-mode batch norm
    ``bn`` that follows it (``bn.num_features`` equal to ``out_features``, or 1).

    Example:
        >>> lin, bn = nn.Linear(4, 8).eval(), nn.BatchNorm1d(8).eval()
        >>> fused = nn.utils.fusion.fuse_linear_bn_eval(lin, bn)
    """
    _check_eval(linear, bn, "fuse_linear_bn_eval")
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise ValueError(f"fuse_linear_bn_eval: to fuse, linear.out_features "
                         f"({linear.out_features}) must equal bn.num_features "
                         f"({bn.num_features}), or bn.num_features must be 1")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight,
        bn.bias)
    return fused


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor, bn_b: Tensor) -> tuple:
    """The fused (weight, bias) Parameters of a linear layer followed by an eval-mode
    batch norm: ``W * s[:, None]``, ``(b - running_mean) * s + bn_bias``.

    Example:
        >>> w, b = nn.utils.fusion.fuse_linear_bn_weights(lin.weight, lin.bias,
        ...     bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    """
    w = _arr(linear_w)
    rm, rv = _arr(bn_rm), _arr(bn_rv)
    b_dtype = w.dtype if linear_b is None else _arr(linear_b).dtype
    b = np.zeros_like(rm) if linear_b is None else _arr(linear_b)
    scale = _arr(bn_w) / np.sqrt(rv + bn_eps)
    fused_w = (w * scale[:, None].astype(w.dtype)).astype(w.dtype)
    fused_b = ((b - rm) * scale + _arr(bn_b)).astype(b_dtype)
    w_grad = linear_w.requires_grad if isinstance(linear_w, Tensor) else True
    b_grad = linear_b.requires_grad if isinstance(linear_b, Tensor) else False
    return Parameter(fused_w, w_grad), Parameter(fused_b, b_grad)
