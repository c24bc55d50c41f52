"""``Fold`` and ``Unfold``: sliding blocks to an image and back (col2im / im2col), the
modules over ``F.fold`` and ``F.unfold`` (``nnlite.ops.conv``). Each keeps its arguments
as given (ints or tuples), as torch, and shows them in the repr.
"""
from __future__ import annotations

from typing import Any

from ..ops.conv import fold, unfold
from ..tensor import Tensor
from .module import Module

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    """Combine an array of sliding local blocks into an image, summing overlaps.

    Args:
        output_size (int or tuple): (H, W) of the image.
        kernel_size (int or tuple): (KH, KW) of a block.
        dilation (int or tuple): Default: 1.
        padding (int or tuple): implicit zeros on both sides. Default: 0.
        stride (int or tuple): Default: 1.

    Shape:
        input (N, C KH KW, L) or (C KH KW, L) -> output (N, C, H, W) or (C, H, W); L the
        number of blocks, OH * OW.

    Example:
        >>> fold = nn.Fold(output_size=(4, 5), kernel_size=(2, 2))
        >>> fold(nl.randn(1, 3 * 2 * 2, 12)).shape
        (1, 3, 4, 5)
    """

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                    self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """Extract sliding local blocks from a batch of images (im2col).

    Args:
        kernel_size (int or tuple): (KH, KW) of a block.
        dilation (int or tuple): Default: 1.
        padding (int or tuple): implicit zeros on both sides. Default: 0.
        stride (int or tuple): Default: 1.

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C KH KW, L) or (C KH KW, L),
        L = OH * OW; row ``c KH KW + i KW + j`` holds channel c at kernel offset (i, j).

    Example:
        >>> unfold = nn.Unfold(kernel_size=(2, 3))
        >>> unfold(nl.randn(2, 5, 3, 4)).shape
        (2, 30, 4)
    """

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
