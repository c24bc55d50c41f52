"""``nn.modules.flatten``: torch's import path ``torch.nn.modules.flatten``, re-exporting
``Flatten`` and ``Unflatten`` (nn/linear.py) (the same objects as ``nn.*``)."""
from ..linear import Flatten, Unflatten

__all__ = ["Flatten", "Unflatten"]
