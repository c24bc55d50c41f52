"""``nn.modules.adaptive``: torch's import path ``torch.nn.modules.adaptive``,
re-exporting ``AdaptiveLogSoftmaxWithLoss`` of nn/adaptive.py (the same object as
``nn.AdaptiveLogSoftmaxWithLoss``)."""
from ..adaptive import AdaptiveLogSoftmaxWithLoss

__all__ = ["AdaptiveLogSoftmaxWithLoss"]
