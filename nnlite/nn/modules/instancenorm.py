"""``nn.modules.instancenorm``: torch's import path ``torch.nn.modules.instancenorm``,
re-exporting ``InstanceNorm1d`` and ``InstanceNorm2d`` of nn/normalization.py (the same
objects as ``nn.*``)."""
from ..normalization import InstanceNorm1d, InstanceNorm2d

__all__ = ["InstanceNorm1d", "InstanceNorm2d"]
