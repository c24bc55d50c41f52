"""``nn.modules.transformer``: torch's import path ``torch.nn.modules.transformer``, re-
exporting the Transformer layers of nn/transformer.py (the same objects as ``nn.*``)."""
from ..transformer import *  # noqa: F401,F403
from ..transformer import __all__
