"""``nn.modules.linear``: torch's import path ``torch.nn.modules.linear``, re-exporting the
layers of nn/linear.py (``Linear``, ``Bilinear``, ``Identity``) (the same objects as
``nn.*``)."""
from ..linear import *  # noqa: F401,F403
from ..linear import __all__
