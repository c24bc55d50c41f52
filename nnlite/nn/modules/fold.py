"""``nn.modules.fold``: torch's import path ``torch.nn.modules.fold``, re-exporting
``Fold`` and ``Unfold`` of nn/fold.py (the same objects as ``nn.*``)."""
from ..fold import Fold, Unfold

__all__ = ["Fold", "Unfold"]
