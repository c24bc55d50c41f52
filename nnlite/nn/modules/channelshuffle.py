"""``nn.modules.channelshuffle``: torch's import path ``torch.nn.modules.channelshuffle``,
re-exporting ``ChannelShuffle`` of nn/pixelshuffle.py (the same object as
``nn.ChannelShuffle``)."""
from ..pixelshuffle import ChannelShuffle

__all__ = ["ChannelShuffle"]
