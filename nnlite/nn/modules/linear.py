"""``nn.modules.linear``: torch's import path ``torch.nn.modules.linear``, re-exporting the
layers of nn/linear.py (``Linear``, ``Bilinear``, ``Identity``) and, as in torch,
``LazyLinear`` (nn/lazy.py) (the same objects as ``nn.*``)."""
from ..lazy import LazyLinear
from ..linear import *  # noqa: F401,F403
from ..linear import __all__ as _linear

__all__ = [*_linear, "LazyLinear"]
