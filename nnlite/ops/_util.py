"""Small helpers shared by the op modules: wrapping constants, reading dim/axis, masking
gradients."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor, from_numpy, get_default_dtype, to_array


def const(value: Any, like: Tensor | None = None) -> Tensor:
    """An operand that is not a Tensor as a constant Tensor (``to_array``'s rules: a
    number takes the floating dtype of the other operand ``like``)."""
    if isinstance(value, Tensor):
        return value
    return from_numpy(to_array(value, like=None if like is None else like.array.dtype))


def pair(a: Any, b: Any) -> tuple:
    """Both operands of a binary op as Tensors (constants take the other's dtype)."""
    if a.__class__ is Tensor and b.__class__ is Tensor:     # the hot path
        return a, b
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            return a, b
        return _promote_int(a, b), const(b, a)
    if isinstance(b, Tensor):
        return const(a, b), _promote_int(b, a)
    return const(a), const(b)


def _promote_int(t: Tensor, scalar: Any) -> Tensor:
    """An integer tensor meeting a Python float becomes the default float dtype (torch's
    rule; NumPy 2 would give float64)."""
    if t.array.dtype.kind in "iub" and isinstance(scalar, (float, np.floating)):
        return from_numpy(t.array.astype(get_default_dtype()))   # integers carry no graph
    return t


def axes(dim: Any, axis: Any, keepdim: bool, keepdims: Any, ndim: int, op: str) -> tuple:
    """Resolve torch (dim/keepdim) and NumPy (axis/keepdims) spellings of a reduction's
    axes into (axis tuple or None, keepdims bool), checking the range."""
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{op}: pass dim or axis, not both")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, bool(keepdim)
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} "
                             f"dimension(s)")
        out.append(int(d) % max(ndim, 1))
    if ndim == 0:
        return None, bool(keepdim)
    return tuple(out), bool(keepdim)


def norm_dim(dim: int, ndim: int, op: str) -> int:
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} "
                         f"dimension(s)")
    return int(dim) % max(ndim, 1)


def like_inputs(y: Any, *xs: np.ndarray) -> Any:
    """``y`` in the inputs' promoted dtype when the two differ only in width (float64 vs
    float32, ...); ``y`` itself otherwise (the usual case: one dtype comparison).

    For forward kernels that mix their inputs with Python numbers (``1 / (1 + e)``,
    ``np.maximum(x, 0)``): NumPy 2 (NEP 50) keeps the inputs' dtype there, but NumPy 1.x
    promotes when every operand is 0-d, so 0-d float32 inputs would give float64
    (``np.array(2, np.float32) * 0.5`` is float64 under NumPy 1.26).
    """
    if y.dtype == xs[0].dtype:
        return y
    dt = np.result_type(*xs)
    if y.dtype != dt and y.dtype.kind == dt.kind:
        return y.astype(dt)
    return y


_SAME_SIZE_INT = {2: np.int16, 4: np.int32, 8: np.int64}


def keep_where(g: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``np.where(mask, g, 0)`` for a floating ``g`` and a boolean ``mask`` of g's shape.

    The mask becomes all-ones or all-zeros bytes and is ANDed with g's bits, so a
    masked-out element is exactly 0 even where g is inf or nan (as ``np.where``, unlike
    ``g * mask``), at ~15x the speed of ``np.where`` on random masks (no branches).
    ``mask`` is overwritten.
    """
    if (not isinstance(mask, np.ndarray) or g.dtype.kind != "f" or g.shape != mask.shape
            or g.itemsize not in _SAME_SIZE_INT):
        return np.where(mask, g, g.dtype.type(0))
    ones = mask.view(np.int8)
    np.negative(ones, out=ones)                     # True -> 0xff, False -> 0x00
    it = _SAME_SIZE_INT[g.itemsize]
    out = np.empty(g.shape, g.dtype)
    np.bitwise_and(g.view(it), ones, out=out.view(it))
    return out
