"""``nn.modules.upsampling``: torch's import path ``torch.nn.modules.upsampling``, re-exporting
the upsampling layers of nn/upsampling.py (the same objects as ``nn.*``)."""
from ..upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
