"""``nn.modules.padding``: torch's import path ``torch.nn.modules.padding``, re-exporting the
padding layers of nn/padding.py (the same objects as ``nn.*``)."""
from ..padding import *  # noqa: F401,F403
from ..padding import __all__
