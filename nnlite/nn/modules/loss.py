"""``nn.modules.loss``: torch's import path ``torch.nn.modules.loss``, re-exporting the loss
layers of nn/loss.py (the same objects as ``nn.*``)."""
from ..loss import _Loss, _WeightedLoss  # noqa: F401  (bases for custom losses)
from ..loss import *  # noqa: F401,F403
from ..loss import __all__ as _all

__all__ = [n for n in _all if n[0].isupper()]   # the layers, not the functions
