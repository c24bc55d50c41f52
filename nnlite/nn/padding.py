"""Padding layers: ``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``,
``ReplicationPad1d/2d/3d``, ``CircularPad1d/2d``. Each stores its padding as torch does (a
2-tuple ``(left, right)`` for 1d, a 4-tuple ``(left, right, top, bottom)`` for 2d, a
6-tuple ``(left, right, top, bottom, front, back)`` for 3d) and calls ``nnlite.ops.pad``.
"""
from __future__ import annotations

from collections.abc import Sized
from typing import Any

from ..ops import pad
from ..ops.arguments import named_errors, ntuple
from ..tensor import Tensor
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d", "ReflectionPad1d",
           "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "ConstantPad3d",
           "ZeroPad3d", "ReflectionPad3d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d"]


class _PadNd(Module):
    """Base: ``padding`` (a tuple), ``mode``, and the accepted input ranks."""

    mode = "constant"
    _n = 2                       # padding tuple length: 2 for 1d, 4 for 2d
    _dims: tuple = (2, 3)        # accepted input ranks

    def __init__(self, padding: Any) -> None:
        super().__init__()
        layer, n = type(self).__name__, self._n
        if isinstance(padding, Sized) and len(padding) != n:    # F.pad's widths, one a side
            raise ValueError(f"{layer}: padding must be an int or a {n}-tuple of ints, got "
                             f"{padding!r}")
        self.padding = ntuple(padding, n, "padding", layer)

    def forward(self, input: Tensor) -> Tensor:
        with named_errors(self.__repr__):
            if input.ndim not in self._dims:
                want = " or ".join(f"{d}D" for d in self._dims)
                raise ValueError(f"expected {want} input, got shape {tuple(input.shape)}")
            if self.mode == "constant":
                return pad(input, self.padding, "constant", self.value)
            return pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ConstantPad1d(_PadNd):
    """Pad the last dim with a constant.

    Args:
        padding (int or (left, right)): the widths.
        value (float): the fill value.

    Shape:
        input (C, W) or (N, C, W) -> W_out = W + left + right.

    Example:
        >>> nn.ConstantPad1d((1, 2), 3.5)(nl.ones(1, 2, 4)).shape
        (1, 2, 7)
    """

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad2d(ConstantPad1d):
    """Pad the last two dims with a constant.

    Args:
        padding (int or (left, right, top, bottom)): the widths.
        value (float): the fill value.

    Shape:
        input (C, H, W) or (N, C, H, W) -> H + top + bottom, W + left + right.

    Example:
        >>> nn.ConstantPad2d((1, 1, 2, 0), 0.5)(nl.ones(1, 1, 3, 3)).shape
        (1, 1, 5, 5)
    """

    _n, _dims = 4, (3, 4)


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros; ``padding`` as ``ConstantPad1d``."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros; ``padding`` an int or (left, right, top,
    bottom).

    Shape:
        input (C, H, W) or (N, C, H, W) -> H + top + bottom, W + left + right.

    Example:
        >>> nn.ZeroPad2d((1, 1, 2, 0))(nl.ones(1, 1, 3, 3)).shape
        (1, 1, 5, 5)
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pad the last dim with the reflection of the input (the edge not repeated):
    [1, 2, 3] padded by (2, 1) is [3, 2, 1, 2, 3, 2]. Each width must be < W.

    Shape:
        input (C, W) or (N, C, W) -> W + left + right.
    """

    mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Pad the last two dims by reflection; ``padding`` an int or (left, right, top,
    bottom), each smaller than the padded dim.

    Shape:
        input (C, H, W) or (N, C, H, W) -> H + top + bottom, W + left + right.
    """

    _n, _dims = 4, (3, 4)


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating the edge value: [1, 2, 3] padded by (2, 1) is
    [1, 1, 1, 2, 3, 3].

    Shape:
        input (C, W) or (N, C, W) -> W + left + right.
    """

    mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Pad the last two dims by repeating the edge values; ``padding`` an int or (left,
    right, top, bottom).

    Shape:
        input (C, H, W) or (N, C, H, W) -> H + top + bottom, W + left + right.
    """

    _n, _dims = 4, (3, 4)


class ConstantPad3d(ConstantPad1d):
    """Pad the last three dims with a constant.

    Args:
        padding (int or (left, right, top, bottom, front, back)): the widths.
        value (float): the fill value.

    Shape:
        input (C, D, H, W) or (N, C, D, H, W) -> D + front + back, H + top + bottom,
        W + left + right.

    Example:
        >>> nn.ConstantPad3d((1, 1, 0, 0, 2, 0), 0.5)(nl.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 2, 4)
    """

    _n, _dims = 6, (4, 5)


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dims with zeros; ``padding`` an int or (left, right, top,
    bottom, front, back).

    Shape:
        input (C, D, H, W) or (N, C, D, H, W) -> D + front + back, H + top + bottom,
        W + left + right.

    Example:
        >>> nn.ZeroPad3d(1)(nl.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 4, 4)
    """

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad3d(ReflectionPad1d):
    """Pad the last three dims by reflection; ``padding`` an int or (left, right, top,
    bottom, front, back), each smaller than the padded dim.

    Shape:
        input (C, D, H, W) or (N, C, D, H, W) -> D + front + back, H + top + bottom,
        W + left + right.

    Example:
        >>> nn.ReflectionPad3d(1)(nl.randn(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 4, 4)
    """

    _n, _dims = 6, (4, 5)


class ReplicationPad3d(ReplicationPad1d):
    """Pad the last three dims by repeating the edge values; ``padding`` an int or (left,
    right, top, bottom, front, back).

    Shape:
        input (C, D, H, W) or (N, C, D, H, W) -> D + front + back, H + top + bottom,
        W + left + right.

    Example:
        >>> nn.ReplicationPad3d((1, 0, 1, 0, 1, 0))(nl.randn(1, 1, 2, 2, 2)).shape
        (1, 1, 3, 3, 3)
    """

    _n, _dims = 6, (4, 5)


class CircularPad1d(_PadNd):
    """Pad the last dim by wrapping around (the input taken as periodic): [1, 2, 3]
    padded by (2, 1) is [2, 3, 1, 2, 3, 1]. Each width must be <= W.

    Shape:
        input (C, W) or (N, C, W) -> W + left + right.

    Example:
        >>> nn.CircularPad1d((2, 1))(nl.tensor([[1.0, 2.0, 3.0]]))
        tensor([[2., 3., 1., 2., 3., 1.]])
    """

    mode = "circular"


class CircularPad2d(CircularPad1d):
    """Pad the last two dims by wrapping around; ``padding`` an int or (left, right,
    top, bottom), each at most the padded dim.

    Shape:
        input (C, H, W) or (N, C, H, W) -> H + top + bottom, W + left + right.

    Example:
        >>> nn.CircularPad2d(1)(nl.randn(1, 3, 4, 4)).shape
        (1, 3, 6, 6)
    """

    _n, _dims = 4, (3, 4)
