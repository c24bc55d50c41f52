"""``nn.modules.dropout``: torch's import path ``torch.nn.modules.dropout``, re-exporting the
dropout layers of nn/dropout.py (the same objects as ``nn.*``)."""
from ..dropout import _DropoutNd  # noqa: F401
from ..dropout import *  # noqa: F401,F403
from ..dropout import __all__
