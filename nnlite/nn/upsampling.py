"""Upsampling layers: ``Upsample``, ``UpsamplingNearest2d``, ``UpsamplingBilinear2d``
(each a call of ``interpolate``, torch's ``F.interpolate``, in ``nnlite.ops.upsampling``,
which says how every mode is computed).
"""
from __future__ import annotations

from typing import Any

from ..ops.arguments import named_errors
from ..ops.upsampling import interpolate
from ..tensor import Tensor
from .module import Module

__all__ = ["interpolate", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """Upsample (N, C, L), (N, C, H, W) or (N, C, D, H, W) inputs to ``size`` or by
    ``scale_factor``.

    Args:
        size (int or tuple, optional): the output spatial size.
        scale_factor (float or tuple, optional): the multiplier of the spatial size.
        mode (str): 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'trilinear'.
            Default: 'nearest'.
        align_corners (bool, optional): for the linear modes. Default: None.
        recompute_scale_factor (bool, optional): as ``interpolate``. Default: None.

    Shape:
        (N, C, H, W) -> (N, C, H_out, W_out) with H_out = size[0] or
        floor(H * scale_factor) (likewise W; L for 3D inputs; D, H, W for 5D inputs).

    Example:
        >>> nn.Upsample(scale_factor=2, mode="nearest")(nl.randn(1, 1, 2, 2)).shape
        (1, 1, 4, 4)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        with named_errors(self.__repr__):
            return interpolate(input, self.size, self.scale_factor, self.mode,
                               self.align_corners,
                               recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode='nearest')`` for 4D inputs."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode='bilinear', align_corners=True)``."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
