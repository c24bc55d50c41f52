"""``nn.modules.conv``: torch's import path ``torch.nn.modules.conv``, re-exporting the
convolutions of nn/conv.py and, as in torch, the lazy ones of nn/lazy.py (the same
objects as ``nn.*``)."""
from ..conv import _ConvNd  # noqa: F401
from ..conv import *  # noqa: F401,F403
from ..conv import __all__ as _convs
from ..lazy import LazyConv1d, LazyConv2d, LazyConv3d

__all__ = [*_convs, "LazyConv1d", "LazyConv2d", "LazyConv3d"]
