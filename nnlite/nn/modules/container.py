"""``nn.modules.container``: torch's import path ``torch.nn.modules.container``, re-exporting
the containers of nn/container.py (``Sequential``, ``ModuleList``, ...) (the same objects as
``nn.*``)."""
from ..container import *  # noqa: F401,F403
from ..container import __all__
