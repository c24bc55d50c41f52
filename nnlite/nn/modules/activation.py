"""``nn.modules.activation``: torch's import path ``torch.nn.modules.activation``, re-exporting
the activation layers of nn/activation.py and, as in torch, ``MultiheadAttention``
(nn/attention.py) (the same objects as ``nn.*``)."""
from ..activation import *  # noqa: F401,F403
from ..activation import __all__ as _activations
from ..attention import MultiheadAttention

__all__ = [*_activations, "MultiheadAttention"]
