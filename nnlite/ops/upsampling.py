"""Upsampling: ``interpolate`` (torch's ``F.interpolate``) and its one Function, ``Resample``.

Modes: 'nearest' and 'nearest-exact' for (N, C, L), (N, C, H, W) and (N, C, D, H, W)
inputs, 'linear' for (N, C, L), 'bilinear' for (N, C, H, W) and 'trilinear' for
(N, C, D, H, W) (with ``align_corners``).

Every mode is separable: along each spatial axis, output = A @ input, where A
(out_size, in_size) is the axis's interpolation matrix (one 1 per row for nearest; two
weights lambda0, lambda1 per row for linear). So one Function serves all modes:
    forward:  y = A_h @ x @ A_w^T   (nearest: a gather along each axis instead)
    backward: gx = A_h^T @ gy @ A_w  (matrix products, never a scatter-add)
The rule is a pair of matmuls with constant matrices, so double backward works.

Source coordinates follow ATen exactly (``scale`` = in/out, or 1/scale_factor when a
scale_factor is given and ``recompute_scale_factor`` is not True; like ATen's kernels, 2-D
nearest and the linear modes are the identity along an axis whose size is unchanged, and
2-D nearest takes src = dst // 2 when the size doubles; 1-D and 3-D nearest have
neither shortcut):
    nearest:       src = min(floor(dst * scale), in - 1)            (float32 arithmetic)
    nearest-exact: src = min(floor((dst + 0.5) * scale), in - 1)
    linear:        src = dst * (in - 1) / (out - 1)                 (align_corners=True)
                   src = max((dst + 0.5) * scale - 0.5, 0)          (align_corners=False)
                   i0 = floor(src), i1 = min(i0 + 1, in - 1), lambda1 = src - i0
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ..factories import as_tensor

__all__ = ["interpolate"]

_LINEAR = {3: "linear", 4: "bilinear", 5: "trilinear"}


def _nearest_index(n_in: int, n_out: int, scale: float | None, exact: bool,
                   shortcuts: bool) -> np.ndarray:
    if shortcuts and n_out == 2 * n_in:        # ATen's 2d shortcut, whatever the scale
        return np.arange(n_out) // 2
    ratio = np.float32(1.0 / scale if scale is not None and scale > 0 else n_in / n_out)
    dst = np.arange(n_out, dtype=np.float32)
    if exact:
        dst = dst + np.float32(0.5)
    src = np.floor(dst * ratio).astype(np.int64)
    return np.minimum(src, n_in - 1)


def _linear_matrix(n_in: int, n_out: int, scale: float | None, align_corners: bool) -> np.ndarray:
    """A (n_out, n_in) with two weights per row: the 1-D linear interpolation map."""
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        ratio = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
        src = np.maximum((dst + 0.5) * ratio - 0.5, 0.0)
    i0 = np.minimum(src.astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam1 = src - i0
    A = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    A[rows, i0] += 1 - lam1
    A[rows, i1] += lam1
    return A


def _one_hot(index: np.ndarray, n_in: int) -> np.ndarray:
    A = np.zeros((len(index), n_in))
    A[np.arange(len(index)), index] = 1
    return A


def _along(A: Any, x: Any, axis: int) -> Any:
    """A @ x along ``axis`` of x; arrays or Tensors. An earlier axis than the last two
    is made the second-to-last by merging the axes after it."""
    if axis == x.ndim - 1:
        return x @ A.T
    if axis == x.ndim - 2:
        return A @ x
    shape = tuple(x.shape)
    y = A @ x.reshape(shape[:axis + 1] + (-1,))
    return y.reshape(shape[:axis] + (A.shape[0],) + shape[axis + 1:])


class Resample(Function):
    """y = x mapped by a linear map along each spatial axis (see the module notation);
    gx = A^T @ gy along each axis.

    ``maps`` is a list of (axis, A, index): A the (out, in) matrix, index the gather
    indices when the map is a pure selection (nearest), else None."""

    @staticmethod
    def forward(ctx, x, maps):
        ctx.save_for_backward(*[A for _, A, _ in maps])
        ctx.axes = [axis for axis, _, _ in maps]
        if not maps:                                   # same size: a copy, as torch
            return x.copy()
        for axis, A, index in maps:
            if index is not None:
                x = np.take(x, index, axis=axis)
            else:
                x = _along(A.astype(x.dtype, copy=False), x, axis)
        return np.ascontiguousarray(x)

    @staticmethod
    def backward(ctx, gy):
        g = gy
        for axis, A in zip(ctx.axes, ctx.saved_tensors):
            g = _along(A.T.astype(gy.dtype), g, axis)      # gx = A^T @ gy
        return g


def _per_dim(v: Any, n: int, name: str) -> tuple:
    """``size`` or ``scale_factor``: a number, or a list or tuple of one per spatial dim
    (a ValueError otherwise, as torch's interpolate). Unlike ``arguments.ntuple`` it
    keeps the values as given (scale factors are floats); the caller converts them."""
    if isinstance(v, (list, tuple)):
        if len(v) != n:
            raise ValueError(f"interpolate: {name} must have {n} elements for an input with "
                             f"{n} spatial dims, got {v!r}")
        return tuple(v)
    return (v,) * n


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims of an (N, C, L), (N, C, H, W) or (N, C, D, H, W) input
    (torch's ``F.interpolate``).

    Args:
        input: (N, C, L), (N, C, H, W) or (N, C, D, H, W).
        size (int or tuple): the output spatial size. Give this or ``scale_factor``.
        scale_factor (float or tuple): output = floor(input * scale_factor).
        mode (str): 'nearest' | 'nearest-exact' | 'linear' (3D) | 'bilinear' (4D) |
            'trilinear' (5D). Default: 'nearest'.
        align_corners (bool): linear modes only; map the corner pixels' centres onto
            each other. Default: None (False).
        recompute_scale_factor (bool): compute the coordinate scale from the sizes
            instead of using ``scale_factor``. Default: None.

    Example:
        >>> interpolate(nl.randn(1, 3, 4, 4), scale_factor=2).shape
        (1, 3, 8, 8)
    """
    x = as_tensor(input)
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported")
    nd = x.ndim
    if nd not in (3, 4, 5):
        raise ValueError(f"interpolate: expected a 3D (N, C, L), 4D (N, C, H, W) or 5D "
                         f"(N, C, D, H, W) input, got shape {tuple(x.shape)}")
    linear = mode in ("linear", "bilinear", "trilinear")
    if mode not in ("nearest", "nearest-exact", "linear", "bilinear", "trilinear"):
        raise ValueError(f"interpolate: mode must be 'nearest', 'nearest-exact', 'linear', "
                         f"'bilinear' or 'trilinear', got {mode!r}")
    if linear and mode != _LINEAR[nd]:
        need = {m: d for d, m in _LINEAR.items()}[mode]
        raise ValueError(f"interpolate: got {nd}D input of shape {tuple(x.shape)}, but "
                         f"{mode} mode needs {need}D input")
    if align_corners is not None and not linear:
        raise ValueError("interpolate: align_corners option can only be set with the "
                         "interpolating modes: linear | bilinear | trilinear")
    align_corners = bool(align_corners)
    k = nd - 2
    in_sizes = x.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size or scale_factor")
    if size is not None:
        out_sizes = tuple(int(s) for s in _per_dim(size, k, "size"))
        scales: tuple = (None,) * k
    else:
        factors = tuple(float(s) for s in _per_dim(scale_factor, k, "scale_factor"))
        out_sizes = tuple(math.floor(n * f) for n, f in zip(in_sizes, factors))
        scales = (None,) * k if recompute_scale_factor else factors
    if any(s <= 0 for s in out_sizes):
        raise ValueError(f"interpolate: output size {out_sizes} must be positive (input "
                         f"shape {tuple(x.shape)})")
    maps = []
    for i, (n_in, n_out, scale) in enumerate(zip(in_sizes, out_sizes, scales)):
        axis = 2 + i
        shortcuts = nd == 4                       # ATen's 2-D nearest kernel only
        if n_in == n_out and (linear or (mode == "nearest" and shortcuts)
                              or scale in (None, 1.0)):
            continue                       # identity along this axis (as ATen's kernels)
        if linear:
            maps.append((axis, _linear_matrix(n_in, n_out, scale, align_corners), None))
        else:
            idx = _nearest_index(n_in, n_out, scale, mode == "nearest-exact", shortcuts)
            maps.append((axis, _one_hot(idx, n_in), idx))
    return Resample.apply(x, maps)
