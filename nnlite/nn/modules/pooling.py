"""``nn.modules.pooling``: torch's import path ``torch.nn.modules.pooling``, re-exporting the
pooling layers of nn/pooling.py (the same objects as ``nn.*``)."""
from ..pooling import _MaxPoolNd  # noqa: F401
from ..pooling import *  # noqa: F401,F403
from ..pooling import __all__
