"""``nn.modules.pixelshuffle``: torch's import path ``torch.nn.modules.pixelshuffle``,
re-exporting ``PixelShuffle`` and ``PixelUnshuffle`` of nn/pixelshuffle.py (the same
objects as ``nn.*``)."""
from ..pixelshuffle import PixelShuffle, PixelUnshuffle

__all__ = ["PixelShuffle", "PixelUnshuffle"]
