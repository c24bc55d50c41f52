"""``nn.modules.normalization``: torch's import path ``torch.nn.modules.normalization``, re-
exporting the other normalisation layers of nn/normalization.py (``LayerNorm``,
``GroupNorm``, ``LocalResponseNorm``, ``RMSNorm``) (the same objects as ``nn.*``)."""
from ..normalization import *  # noqa: F401,F403
from ..normalization import __all__ as _all

__all__ = [n for n in _all if not n.startswith(("BatchNorm", "InstanceNorm"))]
