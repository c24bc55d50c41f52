"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``LPPool1d/2d``,
``AdaptiveAvgPool1d/2d/3d``, ``AdaptiveMaxPool1d/2d/3d``, ``MaxUnpool1d/2d``.

Each layer stores torch's arguments with torch's defaults (``stride=None`` means the
kernel size), shows them in the same repr, checks what does not depend on the input when
it is built, and its ``forward`` is one call into ``nnlite.ops.pooling``. Bad input is
reported with the layer: ``MaxPool2d(kernel_size=3, stride=2, padding=0, dilation=1,
ceil_mode=False): max_pool2d: input of spatial size (2, 2) (shape (1, 3, 2, 2)) is too
small ...``.

Shape (2-D): input (N, C, H, W) or (C, H, W) -> (N, C, OH, OW) or (C, OH, OW), with
OH = floor((H + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1 (ceil with
``ceil_mode``); adaptive layers give ``output_size``. 1-D layers: (N, C, L) or (C, L);
3-D layers (calling ``nnlite.ops.pooling3d``): (N, C, D, H, W) or (C, D, H, W).
"""
from __future__ import annotations

from typing import Any, Sequence

from ..ops import pooling as _pool
from ..ops import pooling3d as _pool3d
from ..ops.arguments import check_divisor_override, named_errors, ntuple, pool_window
from ..tensor import Tensor
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "LPPool1d", "LPPool2d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
           "MaxUnpool1d", "MaxUnpool2d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d",
           "AdaptiveMaxPool3d"]


# ============================================================================
# Max pooling
# ============================================================================
class _MaxPoolNd(Module):
    _n = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode
        pool_window(kernel_size, stride, padding, dilation, self._n, type(self).__name__)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max over sliding windows of a sequence.

    Args: as ``MaxPool2d``, with ints. Shape: (N, C, L) or (C, L) -> (N, C, L_out).

    Example:
        >>> nn.MaxPool1d(3, stride=2)(nl.randn(20, 16, 50)).shape
        (20, 16, 24)
    """
    _n = 1

    def forward(self, input: Tensor) -> Any:
        with named_errors(self.__repr__):
            return _pool.max_pool1d(input, self.kernel_size, self.stride, self.padding,
                                    self.dilation, self.ceil_mode, self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """Max over sliding KH x KW windows of an image batch.

    Args:
        kernel_size (int or tuple): window size.
        stride (int or tuple, optional): window step. Default: kernel_size.
        padding (int or tuple): implicit -inf on both sides, at most half the kernel.
            Default: 0.
        dilation (int or tuple): step between window elements. Default: 1.
        return_indices (bool): also return the flat argmax of each window (for
            ``MaxUnpool2d``). Default: False.
        ceil_mode (bool): round the output size up. Default: False.

    Shape:
        (N, C, H, W) or (C, H, W) -> (N, C, OH, OW), OH = floor((H + 2*padding -
        dilation*(KH - 1) - 1) / stride) + 1 (ceil with ceil_mode).

    Example:
        >>> pool = nn.MaxPool2d(3, stride=2, padding=1)     # ResNet's stem
        >>> pool(nl.randn(1, 64, 112, 112)).shape
        (1, 64, 56, 56)
    """

    def forward(self, input: Tensor) -> Any:
        with named_errors(self.__repr__):
            return _pool.max_pool2d(input, self.kernel_size, self.stride, self.padding,
                                    self.dilation, self.ceil_mode, self.return_indices)


# ============================================================================
# Average pooling
# ============================================================================
class AvgPool1d(Module):
    """Average over sliding windows of a sequence.

    Args: as ``AvgPool2d`` (no divisor_override), with ints; stored as 1-tuples, as
    torch does. Shape: (N, C, L) or (C, L) -> (N, C, L_out).
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, _ = pool_window(
            kernel_size, stride, padding, 1, 1, "AvgPool1d")
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        with named_errors(self.__repr__):
            return _pool.avg_pool1d(input, self.kernel_size, self.stride, self.padding,
                                    self.ceil_mode, self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    """What AvgPool2d and AvgPool3d share: arguments, checks, forward through
    ``_pool_fn``, repr."""

    _n = 2
    _pool_fn: Any = None

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override
        name = type(self).__name__
        pool_window(kernel_size, stride, padding, 1, self._n, name)
        check_divisor_override(divisor_override, name)

    def forward(self, input: Tensor) -> Tensor:
        with named_errors(self.__repr__):
            return self._pool_fn(input, self.kernel_size, self.stride, self.padding,
                                 self.ceil_mode, self.count_include_pad,
                                 self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Average over sliding KH x KW windows of an image batch.

    Args:
        kernel_size (int or tuple): window size.
        stride (int or tuple, optional): window step. Default: kernel_size.
        padding (int or tuple): zeros on both sides, at most half the kernel. Default: 0.
        ceil_mode (bool): round the output size up. Default: False.
        count_include_pad (bool): count the padding in the divisor. Default: True.
        divisor_override (int, optional): divide by this instead. Default: None.

    Shape: as ``MaxPool2d`` with dilation 1.
    """

    _n = 2
    _pool_fn = staticmethod(_pool.avg_pool2d)


# ============================================================================
# Power-average pooling
# ============================================================================
class _LPPoolNd(Module):
    _n = 2

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode
        pool_window(kernel_size, stride, 0, 1, self._n, type(self).__name__)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling of a sequence; see ``LPPool2d``."""
    _n = 1

    def forward(self, input: Tensor) -> Tensor:
        with named_errors(self.__repr__):
            return _pool.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride,
                                   self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """Power-average pooling: ``(sum over the window of x**p) ** (1/p)``; p = 2 is L2
    pooling, p = inf max pooling (of ``|x|``).

    Args:
        norm_type (float): p.
        kernel_size (int or tuple): window size.
        stride (int or tuple, optional): window step. Default: kernel_size.
        ceil_mode (bool): round the output size up. Default: False.
    """

    def forward(self, input: Tensor) -> Tensor:
        with named_errors(self.__repr__):
            return _pool.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride,
                                   self.ceil_mode)


# ============================================================================
# Adaptive pooling
# ============================================================================
class _AdaptivePool(Module):
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average over the adaptive windows giving length ``output_size``.
    Shape: (N, C, L) or (C, L) -> (N, C, output_size)."""

    def forward(self, input: Tensor) -> Tensor:
        with named_errors(self.__repr__):
            return _pool.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Average over adaptive windows giving ``output_size`` = OH or (OH, OW) (None keeps
    the input's size): window i spans rows [floor(i*H/OH), ceil((i+1)*H/OH)).
    ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Example:
        >>> nn.AdaptiveAvgPool2d((1, 1))(nl.randn(2, 512, 7, 7)).shape
        (2, 512, 1, 1)
    """

    def forward(self, input: Tensor) -> Tensor:
        with named_errors(self.__repr__):
            return _pool.adaptive_avg_pool2d(input, self.output_size)


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max over the adaptive windows giving length ``output_size`` (see
    ``AdaptiveAvgPool1d``); ``return_indices`` also gives the argmax of each window."""

    def forward(self, input: Tensor) -> Any:
        with named_errors(self.__repr__):
            return _pool.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max over adaptive windows (see ``AdaptiveAvgPool2d``); ``return_indices`` also
    gives the flat argmax row*W + col of each window."""

    def forward(self, input: Tensor) -> Any:
        with named_errors(self.__repr__):
            return _pool.adaptive_max_pool2d(input, self.output_size, self.return_indices)


# ============================================================================
# Max unpooling
# ============================================================================
class _MaxUnpoolNd(Module):
    _n = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        name, n = type(self).__name__, self._n
        self.kernel_size, self.stride, _, _ = pool_window(kernel_size, stride, 0, 1, n, name)
        self.padding = ntuple(padding, n, "padding", name, broadcast=True)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool1d``; see ``MaxUnpool2d``."""
    _n = 1

    def forward(self, input: Tensor, indices: Any,
                output_size: Sequence[int] | None = None) -> Tensor:
        with named_errors(self.__repr__):
            return _pool.max_unpool1d(input, indices, self.kernel_size, self.stride,
                                      self.padding, output_size)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool2d(..., return_indices=True)``: each value goes back
    to its index, zeros elsewhere. ``forward(input, indices, output_size=None)``."""

    def forward(self, input: Tensor, indices: Any,
                output_size: Sequence[int] | None = None) -> Tensor:
        with named_errors(self.__repr__):
            return _pool.max_unpool2d(input, indices, self.kernel_size, self.stride,
                                      self.padding, output_size)


# ============================================================================
# 3-D pooling
# ============================================================================
class MaxPool3d(_MaxPoolNd):
    """Max over sliding KD x KH x KW windows of a volume batch.

    Args:
        kernel_size (int or tuple): window size.
        stride (int or tuple, optional): window step. Default: kernel_size.
        padding (int or tuple): implicit -inf on both sides, at most half the kernel.
            Default: 0.
        dilation (int or tuple): step between window elements. Default: 1.
        return_indices (bool): also return the flat argmax (d*H + h)*W + w of each
            window. Default: False.
        ceil_mode (bool): round the output size up. Default: False.

    Shape:
        (N, C, D, H, W) or (C, D, H, W) -> (N, C, OD, OH, OW), OD = floor((D +
        2*padding - dilation*(KD - 1) - 1) / stride) + 1 (ceil with ceil_mode; H, W
        alike).

    Example:
        >>> nn.MaxPool3d(2)(nl.randn(1, 4, 8, 8, 8)).shape
        (1, 4, 4, 4, 4)
    """
    _n = 3

    def forward(self, input: Tensor) -> Any:
        with named_errors(self.__repr__):
            return _pool3d.max_pool3d(input, self.kernel_size, self.stride, self.padding,
                                      self.dilation, self.ceil_mode, self.return_indices)


class AvgPool3d(_AvgPoolNd):
    """Average over sliding KD x KH x KW windows of a volume batch.

    Args:
        kernel_size (int or tuple): window size.
        stride (int or tuple, optional): window step. Default: kernel_size.
        padding (int or tuple): zeros on both sides, at most half the kernel. Default: 0.
        ceil_mode (bool): round the output size up. Default: False.
        count_include_pad (bool): count the padding in the divisor. Default: True.
        divisor_override (int, optional): divide by this instead. Default: None.

    Shape: as ``MaxPool3d`` with dilation 1.

    Example:
        >>> nn.AvgPool3d(3, stride=2, padding=1)(nl.randn(1, 4, 8, 8, 8)).shape
        (1, 4, 4, 4, 4)
    """

    _n = 3
    _pool_fn = staticmethod(_pool3d.avg_pool3d)


class AdaptiveAvgPool3d(_AdaptivePool):
    """Average over adaptive windows giving ``output_size`` = O or (OD, OH, OW) (None
    keeps the input's size): window i of an axis of size n spans [floor(i*n/O),
    ceil((i+1)*n/O)).

    Example:
        >>> nn.AdaptiveAvgPool3d((1, 2, 2))(nl.randn(2, 8, 5, 7, 7)).shape
        (2, 8, 1, 2, 2)
    """

    def forward(self, input: Tensor) -> Tensor:
        with named_errors(self.__repr__):
            return _pool3d.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """Max over adaptive windows (see ``AdaptiveAvgPool3d``); ``return_indices`` also
    gives the flat argmax (d*H + h)*W + w of each window.

    Example:
        >>> nn.AdaptiveMaxPool3d(2)(nl.randn(2, 8, 5, 7, 7)).shape
        (2, 8, 2, 2, 2)
    """

    def forward(self, input: Tensor) -> Any:
        with named_errors(self.__repr__):
            return _pool3d.adaptive_max_pool3d(input, self.output_size, self.return_indices)
