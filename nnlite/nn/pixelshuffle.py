"""Rearranging layers: ``PixelShuffle``, ``PixelUnshuffle`` (sub-pixel convolution, Shi et
al. 2016) and ``ChannelShuffle`` (ShuffleNet). Each stores its factor and calls one
function of ``nnlite.ops.shuffle``.
"""
from __future__ import annotations

from ..ops.shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle
from ..tensor import Tensor
from ._checks import positive_int
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


class PixelShuffle(Module):
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r), r = ``upscale_factor``.

    Args:
        upscale_factor (int): r, positive.

    Shape:
        input (*, C r^2, H, W) -> output (*, C, H r, W r).

    Example:
        >>> nn.PixelShuffle(3)(nl.randn(1, 9, 4, 4)).shape
        (1, 1, 12, 12)
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = positive_int("PixelShuffle", "upscale_factor", upscale_factor)

    def forward(self, input: Tensor) -> Tensor:
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W), r = ``downscale_factor``: the
    inverse of ``PixelShuffle``.

    Args:
        downscale_factor (int): r, positive.

    Shape:
        input (*, C, H r, W r) -> output (*, C r^2, H, W).

    Example:
        >>> nn.PixelUnshuffle(3)(nl.randn(1, 1, 12, 12)).shape
        (1, 9, 4, 4)
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = positive_int("PixelUnshuffle", "downscale_factor",
                                             downscale_factor)

    def forward(self, input: Tensor) -> Tensor:
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Shuffle the channels of ``(N, C, *)`` across ``groups``: the channels seen as a
    (groups, C / groups) grid are read column by column.

    Args:
        groups (int): divides C.

    Shape:
        input ``(N, C, *)`` -> output ``(N, C, *)``.

    Example:
        >>> nn.ChannelShuffle(2)(nl.arange(4.0).reshape(1, 4, 1, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = positive_int("ChannelShuffle", "groups", groups)

    def forward(self, input: Tensor) -> Tensor:
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
