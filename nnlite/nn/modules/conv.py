"""``nn.modules.conv``: torch's import path ``torch.nn.modules.conv``, re-exporting the
convolutions of nn/conv.py (the same objects as ``nn.*``)."""
from ..conv import _ConvNd  # noqa: F401
from ..conv import *  # noqa: F401,F403
from ..conv import __all__
